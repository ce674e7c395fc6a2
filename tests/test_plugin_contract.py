"""Plugin contract v1: a stranger's plugin can never take the host down or rewrite a bundled number.

In-process cases drive :func:`suanli.catalog.build_catalog` with small fake plugins; the end-to-end
case installs ``tests/fixtures/broken_plugins`` (exits, interrupts, a ``trylast`` override of a
bundled id, a plugin that changes shared state, a data file with one bad row) beside the bundled
plugins and runs every kind of command in a fresh process.
"""

from __future__ import annotations

import json
import os
import signal
import time
import types
import warnings

import pytest
from cli_helpers import run_suanli

from suanli import hookimpl
from suanli.catalog import PluginInfo, build_catalog, entry_points, plugin_info
from suanli.datafile import DataIssue, load_documents
from suanli.errors import PluginWarning
from suanli.spec import Accelerator, FrozenMap, Source, SpecError

SRC = Source("Example datasheet", confidence="datasheet")
H100 = "nvidia-h100-sxm5-80gb"


def _module(name, **hooks):
    mod = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        setattr(mod, hook_name, fn if hasattr(fn, "suanli_impl") else hookimpl(fn))
    return mod


def _chip(obj_id, **over):
    return {
        "id": obj_id,
        "vendor": "Acme",
        "name": obj_id.upper(),
        "bf16_tflops": 100,
        "hbm_gb": 64,
        "hbm_tbs": 2,
        "tdp_w": 400,
        "source": SRC,
    } | over


def _with_bundled(*mods):
    """The bundled plugins, then ``mods`` (as third-party plugins)."""
    bundled = [(plugin_info(ep), ep.load) for ep in entry_points() if plugin_info(ep).distribution == "suanli"]
    return build_catalog(
        bundled + [(PluginInfo(m.__name__, "dist-" + m.__name__, "1.0"), (lambda m=m: m)) for m in mods]
    )


def _raise(exc):
    def hook():
        raise exc

    return hook


class _VendorAbort(BaseException):
    pass


@pytest.mark.parametrize(
    "exc",
    [SystemExit(3), KeyboardInterrupt(), _VendorAbort("no licence"), GeneratorExit()],
    ids=["exit", "interrupt", "base-exception", "generator-exit"],
)
def test_any_base_exception_in_a_hook_or_at_import_is_reported(exc):
    good = _module("good", suanli_accelerators=lambda: [_chip("acme-x1")])
    in_hook = _module("inhook", suanli_accelerators=_raise(exc))

    def load():
        raise exc

    cat = build_catalog(
        [
            (PluginInfo("good"), lambda: good),
            (PluginInfo("inhook"), lambda: in_hook),
            (PluginInfo("atimport", value="acme_import"), load),
        ]
    )
    assert list(cat.accelerators) == ["acme-x1"]
    named = {p.plugin.name: p.reason for p in cat.problems}
    assert set(named) == {"inhook", "atimport"}
    assert type(exc).__name__ in named["inhook"] and type(exc).__name__ in named["atimport"]


def test_a_real_ctrl_c_still_stops_loading():
    def hook():
        os.kill(os.getpid(), signal.SIGINT)  # what the terminal does on Ctrl-C
        time.sleep(1)
        return []

    with pytest.raises(KeyboardInterrupt):
        build_catalog([(PluginInfo("slowpoke"), lambda: _module("slowpoke", suanli_accelerators=hook))])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # our watcher is gone again


@pytest.mark.parametrize("marker", [{"trylast": True}, {"tryfirst": True}, {}], ids=["trylast", "tryfirst", "plain"])
def test_bundled_ids_stay_bundled_whatever_the_call_order(marker):
    fake = hookimpl(**marker)(lambda: [_chip(H100, vendor="NVIDIA", bf16_tflops=5)])
    cat = _with_bundled(_module("intruder", suanli_accelerators=fake))
    assert cat.accelerator(H100).bf16_tflops == 989.4 and cat.accelerator(H100).plugin == "nvidia"
    (problem,) = [p for p in cat.problems if H100 in p.reason]
    assert problem.plugin.name == "intruder" and problem.obj_id == H100 and "'nvidia' keeps it" in problem.reason


def test_bundled_plugin_keeps_its_id_even_when_given_last():
    intruder = _module("intruder", suanli_accelerators=lambda: [_chip(H100, vendor="NVIDIA", bf16_tflops=5)])
    bundled = [(plugin_info(ep), ep.load) for ep in entry_points() if ep.name == "nvidia"]
    cat = build_catalog([(PluginInfo("intruder", "dist", "1"), lambda: intruder), *bundled])
    assert cat.accelerator(H100).bf16_tflops == 989.4
    (conflict,) = [p for p in cat.problems if "conflict" in p.reason]
    assert conflict.plugin.name == "intruder" and conflict.obj_id == H100


def test_a_spec_edited_in_place_is_caught_and_the_catalog_keeps_its_own_copy():
    chip = Accelerator(
        **{k: v for k, v in _chip("acme-x1").items() if k != "source"},
        sources={k: SRC for k in ("bf16_tflops", "hbm_gb", "hbm_tbs", "tdp_w")},
    )
    broken = Accelerator(
        **{k: v for k, v in _chip("acme-x2").items() if k != "source"},
        sources={k: SRC for k in ("bf16_tflops", "hbm_gb", "hbm_tbs", "tdp_w")},
    )
    object.__setattr__(broken, "bf16_tflops", float("nan"))  # edited before it was handed over

    def later():
        object.__setattr__(chip, "tdp_w", -700.0)  # edited after it was handed over
        return []

    cat = build_catalog(
        [(PluginInfo("sly"), lambda: _module("sly", suanli_accelerators=lambda: [chip, broken], suanli_links=later))]
    )
    assert cat.accelerator("acme-x1").tdp_w == 400 and "acme-x2" not in cat.accelerators
    reasons = " | ".join(p.reason for p in cat.problems)
    assert "acme-x2" in reasons and "finite" in reasons
    assert "changed suanli's shared state" in reasons and "acme-x1" in reasons
    assert chip.tdp_w == 400  # and the plugin's own object was put back


def test_specs_handed_out_are_read_only_and_checked_on_the_way_out():
    cat = build_catalog([(PluginInfo("p"), lambda: _module("p", suanli_accelerators=lambda: [_chip("acme-x1")]))])
    acc = cat.accelerator("acme-x1")
    assert isinstance(acc.sources, FrozenMap)
    with pytest.raises(TypeError):
        acc.sources["bf16_tflops"] = Source("Other", confidence="press")
    with pytest.raises(AttributeError):
        acc.tdp_w = 1.0
    object.__setattr__(acc, "tdp_w", -700.0)  # a user's own in-place edit is refused at the next lookup
    with pytest.raises(SpecError, match="tdp_w"):
        cat.accelerator("acme-x1")


def test_a_plugin_that_changes_shared_state_is_named_and_undone():
    from suanli.models import defaults

    before = defaults.MATMUL_EFFICIENCY
    original_validate = Accelerator.validate_more

    def meddle():
        defaults.MATMUL_EFFICIENCY = "tampered"
        Accelerator.validate_more = lambda self: None
        return [_chip("acme-x1")]

    cat = build_catalog([(PluginInfo("meddler"), lambda: _module("meddler", suanli_accelerators=meddle))])
    assert defaults.MATMUL_EFFICIENCY is before and Accelerator.validate_more is original_validate
    (problem,) = [p for p in cat.problems if p.plugin.name == "meddler"]
    assert problem.severity == "warning"
    assert "suanli.models.defaults.MATMUL_EFFICIENCY" in problem.reason and "suanli.spec.Accelerator" in problem.reason


def test_one_bad_row_keeps_the_good_rows():
    doc = {
        "sources": {"s": {"citation": "Sheet"}},
        "accelerator": [
            _chip("acme-x1", source="s"),
            _chip("acme-x2", source="s", hbm_tbs=2039),
            _chip("acme-x3", source="s", new_field_from_contract_2=1),
        ],
    }
    items = load_documents([("chips.toml", doc)], plugin="acme")["accelerator"]
    specs = [i.id for i in items if not isinstance(i, DataIssue)]
    issues = {(i.obj_id, i.severity) for i in items if isinstance(i, DataIssue)}
    assert specs == ["acme-x1", "acme-x3"]
    assert issues == {("acme-x2", "error"), ("acme-x3", "warning")}
    cat = build_catalog([(PluginInfo("acme"), lambda: _module("acme", suanli_accelerators=lambda: items))])
    assert sorted(cat.accelerators) == ["acme-x1", "acme-x3"]
    assert {(p.obj_id, p.severity) for p in cat.problems} == {("acme-x2", "error"), ("acme-x3", "warning")}


def test_a_newer_contract_loads_with_a_warning():
    newer = _module("newer", suanli_accelerators=lambda: [_chip("acme-x1", photonic_tflops=5)])
    newer.suanli_contract = "1.7"
    cat = build_catalog([(PluginInfo("newer"), lambda: newer)])
    assert "acme-x1" in cat.accelerators
    reasons = sorted(p.reason for p in cat.problems)
    assert {p.severity for p in cat.problems} == {"warning"} and len(reasons) == 2
    assert "contract 1.7" in reasons[1] or "contract 1.7" in reasons[0]
    assert any("photonic_tflops" in r for r in reasons)
    doc_issue = load_documents([("x.toml", {"contract": "2.0", "gadget": [{}]})])["accelerator"]
    assert {"contract 2.0" in i.reason or "gadget" in i.reason for i in doc_issue} == {True}


def test_slow_plugins_are_reported(monkeypatch):
    monkeypatch.setenv("SUANLI_PLUGIN_SLOW_S", "0.05")

    def slow():
        time.sleep(0.1)
        return [_chip("acme-x1")]

    cat = build_catalog([(PluginInfo("sloth"), lambda: _module("sloth", suanli_accelerators=slow))])
    assert "acme-x1" in cat.accelerators
    assert [p.severity for p in cat.problems] == ["warning"] and "to load" in cat.problems[0].reason


def test_the_catalog_is_cached_between_processes(tmp_path, monkeypatch):
    from suanli import catalog as C

    monkeypatch.setenv("SUANLI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(C, "_CACHE", {})
    first = C.load_catalog()
    (cached,) = tmp_path.glob("catalog-*.pickle")
    monkeypatch.setattr(C, "_CACHE", {})
    monkeypatch.setattr(C, "discover", lambda *a, **k: pytest.fail("rebuilt although the cache was fresh"))
    again = C.load_catalog()
    assert again.accelerator(H100) == first.accelerator(H100) and len(again) == len(first)
    cached.write_bytes(b"not a pickle")  # an unreadable cache is rebuilt, never an error
    monkeypatch.setattr(C, "_CACHE", {})
    monkeypatch.undo()
    monkeypatch.setenv("SUANLI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(C, "_CACHE", {})
    assert len(C.load_catalog()) == len(first)


def test_problems_reach_a_notebook_as_one_warning(monkeypatch, tmp_path):
    from suanli import catalog as C

    monkeypatch.setenv("SUANLI_CACHE", "0")
    monkeypatch.setattr(C, "_CACHE", {})
    broken = _module("flaky", suanli_accelerators=_raise(RuntimeError("down")))
    monkeypatch.setattr(C, "discover", lambda *a, **k: build_catalog([(PluginInfo("flaky"), lambda: broken)]))
    with pytest.warns(PluginWarning, match="suanli plugins check") as caught:
        C.load_catalog()
    assert len([w for w in caught if issubclass(w.category, PluginWarning)]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        C.load_catalog()  # once per build, not per call


# -- end to end: hostile plugins installed beside the bundled ones ------------------------------

COMMANDS = [
    ["show", H100, "--json"],
    ["estimate", "--model", "llama2-7b", "--tokens", "1e11", "--chip", H100, "--count", "64", "--json"],
    ["power", "--chip", H100, "--count", "64", "--hours", "720", "--json"],
    ["scaling", "--chip", H100, "--count", "64", "--days", "30", "--json"],
    ["compat", "--stack", "rocm", "--json"],
    [
        "substitute",
        "--model",
        "llama2-7b",
        "--tokens",
        "1e11",
        "--reference",
        f"{H100}:64",
        "--candidates",
        "huawei-ascend-910b",
        "--json",
    ],
    ["serve", "--model", "llama3-8b", "--chip", H100, "--json"],
]


@pytest.fixture(scope="module")
def hostile(broken_install, tmp_path_factory):
    env = {"SUANLI_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    return {"env": env, "path": broken_install}


@pytest.mark.parametrize("argv", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_runs_with_hostile_plugins_and_numbers_stay(hostile, argv):
    clean = run_suanli(*argv, env={"SUANLI_CACHE": "0"})
    assert clean.returncode == 0, clean.stderr
    out = run_suanli(*argv, extra_path=hostile["path"], env=hostile["env"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads(clean.stdout)  # bundled numbers unchanged, to the last digit
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "plugin problems" in lines[0] and "suanli plugins check" in lines[0], out.stderr


def test_plugins_check_names_each_culprit(hostile):
    check = run_suanli("plugins", "check", extra_path=hostile["path"], env=hostile["env"])
    assert check.returncode == 1, check.stdout + check.stderr
    report = check.stderr

    def lines_of(name):
        return [
            line
            for line in report.splitlines()
            if f"error: plugin '{name}' (" in line or f"warning: plugin '{name}' (" in line
        ]

    assert "SystemExit: 3" in " ".join(lines_of("broken-exit"))
    assert "SystemExit" in " ".join(lines_of("broken-exit-import"))
    interrupt = " ".join(lines_of("broken-interrupt"))
    assert "KeyboardInterrupt" in interrupt and "VendorAbort" in interrupt
    (trylast,) = lines_of("broken-trylast")
    assert H100 in trylast and "'nvidia' keeps it" in trylast
    assert not [line for line in lines_of("nvidia") if "conflict" in line]
    mutates = " ".join(lines_of("broken-mutates"))
    assert "suanli.models.defaults.MATMUL_EFFICIENCY" in mutates and H100 in mutates and "broken-mut-1" in mutates
    process = " ".join(lines_of("broken-process"))
    for named in ("SUANLI_PLUGINS_BLOCK", "warnings filters", "numpy.seterr", "undone"):
        assert named in process, process
    everywhere = " ".join(lines_of("broken-everywhere"))
    for named in ("SystemExit: 11", "SystemExit: 12", "GeneratorExit", "SystemExit: 0", "KeyboardInterrupt"):
        assert named in everywhere, everywhere
    (mixed,) = lines_of("broken-mixed")
    assert "broken-bad-2" in mixed and "bf16_tflops" in mixed
    listing = run_suanli("catalog", "--json", extra_path=hostile["path"], env=hostile["env"])
    ids = {r["id"] for r in json.loads(listing.stdout)}
    assert "broken-good-1" in ids and "broken-bad-2" not in ids and "broken-exits-good" in ids


# -- the published schema and a new plugin from the template -----------------------------------


def test_published_json_schema_matches_the_spec_classes():
    from pathlib import Path

    from suanli.datafile import json_schema

    published = json.loads((Path(__file__).resolve().parent.parent / "docs" / "plugin-schema.json").read_text())
    assert published == json_schema(), "regenerate: suanli plugins schema > docs/plugin-schema.json"


def test_bundled_and_template_data_files_follow_the_schema():
    import tomllib
    from pathlib import Path

    import jsonschema

    from suanli.datafile import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    root = Path(__file__).resolve().parent.parent / "plugins"
    files = sorted(p for p in root.glob("*/**/*.toml") if p.name != "pyproject.toml")
    assert len(files) > 30
    for path in files:
        errors = [e.message for e in validator.iter_errors(tomllib.loads(path.read_text()))]
        assert not errors, (path, errors[:3])
    bad = {"accelerator": [{"id": "x-y", "vendor": "X", "name": "Y", "hbm_tbs": "fast"}]}
    assert list(validator.iter_errors(bad))


def test_plugins_new_writes_a_package_that_passes_its_own_tests_and_strict_check(tmp_path):
    import subprocess
    import sys

    from cli_helpers import pip_install_target

    from suanli.cli import main

    assert main(["plugins", "new", "acme", "--dir", str(tmp_path)]) == 0
    package = tmp_path / "suanli-acme"
    assert (package / "suanli_acme" / "chips.toml").is_file() and (package / "tests" / "test_acme_plugin.py").is_file()
    assert 'acme = "suanli_acme"' in (package / "pyproject.toml").read_text()
    assert main(["plugins", "new", "acme", "--dir", str(tmp_path)]) == 2  # never overwrites
    assert main(["plugins", "new", "Acme Corp", "--dir", str(tmp_path)]) == 2
    target = pip_install_target(package, tmp_path / "site")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH", "")])),
        SUANLI_CACHE="0",
    )
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        cwd=package,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    check = run_suanli("plugins", "check", "--strict", extra_path=target, env={"SUANLI_CACHE": "0"})
    assert check.returncode == 0 and ": ok" in check.stdout, check.stdout + check.stderr
    listing = run_suanli("plugins", "list", extra_path=target, env={"SUANLI_CACHE": "0"})
    assert "suanli-acme" in listing.stdout


def test_an_accelerator_edited_in_place_is_refused_by_the_engine():
    acc = Accelerator(
        **{k: v for k, v in _chip("acme-x1").items() if k != "source"},
        sources={k: SRC for k in ("bf16_tflops", "hbm_gb", "hbm_tbs", "tdp_w")},
    )
    object.__setattr__(acc, "bf16_tflops", float("nan"))
    with pytest.raises(SpecError, match="bf16_tflops"):
        suanli_estimate = __import__("suanli").estimate
        suanli_estimate("llama2-7b", tokens=1e11, chip=acc, count=8)


def test_an_exit_in_the_frameworks_hook_is_reported_too():
    bye = _module("bye", suanli_frameworks=_raise(SystemExit(4)))
    cat = build_catalog([(PluginInfo("bye"), lambda: bye)])
    assert any(p.plugin.name == "bye" and "SystemExit" in p.reason for p in cat.problems)
    assert cat.frameworks  # the bundled profiles are still there


def test_plugins_new_works_from_a_built_wheel(tmp_path):
    # the template is package data: a wheel carries it, and `plugins new` reads it from the installed package
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("suanli-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("pyproject.toml", "suanli_example/chips.toml", "tests/test_example_plugin.py"):
        assert f"suanli/data/plugin_template/{part}" in names, part
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import suanli, pathlib; from suanli.commands.plugins import new_plugin, template_dir; "
        "print(pathlib.Path(suanli.__file__).parent); print(template_dir()); "
        f"print(new_plugin('acme', pathlib.Path({str(tmp_path)!r})))"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout.split("\n")
    assert out[0].startswith(str(site)) and out[1].startswith(str(site)), out
    made = Path(out[2])
    assert (made / "suanli_acme" / "chips.toml").is_file() and (made / "tests" / "test_acme_plugin.py").is_file()
    assert not any("build" in p.relative_to(made).parts for p in made.rglob("*"))


# -- a hostile stranger's plugin: objects that exit when read, process state, the catalog itself -----


class _ExitingList(list):
    def __iter__(self):
        raise SystemExit(9)


class _ExitingMapping(__import__("collections.abc").abc.Mapping):
    def __getitem__(self, key):
        raise SystemExit(7)

    def __iter__(self):
        raise SystemExit(7)

    def __len__(self):
        return 1


class _ExitingAccelerator(Accelerator):
    @property
    def bf16_tflops(self):
        raise SystemExit(8)


def _exiting_accelerator():
    good = Accelerator(
        **{k: v for k, v in _chip("acme-sly").items() if k != "source"},
        sources={k: SRC for k in ("bf16_tflops", "hbm_gb", "hbm_tbs", "tdp_w")},
    )
    sly = Accelerator.__new__(_ExitingAccelerator)
    sly.__dict__.update(good.__dict__)
    return sly


class _LoudError(Exception):
    def __str__(self):
        raise SystemExit(6)


def test_objects_that_exit_while_being_read_are_reported_and_the_rest_loads():
    plugin = _module(
        "sly",
        suanli_accelerators=lambda: [_ExitingMapping(), _exiting_accelerator(), _chip("acme-after")],
        suanli_links=lambda: _ExitingList([1]),
        suanli_stacks=_raise(_LoudError()),
    )
    cat = build_catalog([(PluginInfo("sly"), lambda: plugin)])
    assert list(cat.accelerators) == ["acme-after"]
    reasons = " | ".join(p.reason for p in cat.problems)
    for code in ("SystemExit: 7", "SystemExit: 8", "SystemExit: 9", "_LoudError"):
        assert code in reasons, reasons
    assert any(p.obj_id == "acme-sly" for p in cat.problems)


class _LyingFloat(float):
    def __mul__(self, other):
        return 1e30

    __rmul__ = __mul__


class _LyingStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def test_a_plugins_number_or_id_subclass_becomes_a_plain_value():
    chip = _chip(_LyingStr("acme-x1"), bf16_tflops=_LyingFloat(100.0))
    cat = build_catalog([(PluginInfo("p"), lambda: _module("p", suanli_accelerators=lambda: [chip]))])
    acc = cat.accelerator("acme-x1")
    assert type(acc.bf16_tflops) is float and acc.bf16_tflops * 2 == 200.0
    assert type(acc.id) is str and acc.id != "something else"


@pytest.mark.parametrize(
    "meddle,named",
    [
        (lambda: os.environ.__setitem__("SUANLI_PLUGINS_BLOCK", "nvidia"), "environment variable SUANLI_PLUGINS_BLOCK"),
        (lambda: __import__("numpy").seterr(all="raise"), "numpy.seterr"),
        (lambda: warnings.simplefilter("ignore"), "warnings filters"),
        (lambda: __import__("sys").modules.__setitem__("json", types.ModuleType("json")), "sys.modules['json']"),
    ],
    ids=["environment", "numpy-errors", "warnings-filters", "sys-modules"],
)
def test_a_plugin_that_changes_process_state_is_named_and_undone(meddle, named):
    import sys

    import numpy as np

    before = (dict(os.environ), np.geterr(), list(warnings.filters), sys.modules["json"])

    def hook():
        meddle()
        return [_chip("acme-x1")]

    cat = build_catalog([(PluginInfo("meddler"), lambda: _module("meddler", suanli_accelerators=hook))])
    assert (dict(os.environ), np.geterr(), list(warnings.filters), sys.modules["json"]) == before
    (problem,) = [p for p in cat.problems if p.plugin.name == "meddler"]
    assert named in problem.reason and "undone" in problem.reason and "acme-x1" in cat.accelerators


def test_a_plugin_that_edits_the_catalog_being_built_is_named_and_undone():
    import dataclasses
    import sys

    from suanli import catalog as C

    def hook():  # finds the catalog being built up the call stack (other catalogs are alive in this test run)
        frame = sys._getframe(1)
        while not isinstance(frame.f_locals.get("self"), C._Loader):
            frame = frame.f_back
        accelerators = frame.f_locals["self"].cat.accelerators
        accelerators[H100] = dataclasses.replace(accelerators[H100], bf16_tflops=5.0)
        return []

    cat = _with_bundled(_module("editor", suanli_sites=hook))
    assert cat.accelerator(H100).bf16_tflops == 989.4
    (problem,) = [p for p in cat.problems if p.plugin.name == "editor"]
    assert f"the catalog's accelerator {H100!r}" in problem.reason


def test_a_plugin_that_edits_the_bundled_framework_profiles_is_named_and_undone():
    from suanli.frameworks import bundled_profiles

    before = bundled_profiles()["megatron-lm"].kernel_efficiency

    def hook():
        profiles = bundled_profiles()
        object.__setattr__(profiles["megatron-lm"], "kernel_efficiency", 0.01)
        profiles["evil"] = profiles["megatron-lm"]
        return []

    cat = build_catalog([(PluginInfo("fw"), lambda: _module("fw", suanli_links=hook))])
    assert bundled_profiles()["megatron-lm"].kernel_efficiency == before and "evil" not in bundled_profiles()
    assert cat.frameworks["megatron-lm"].kernel_efficiency == before and "evil" not in cat.frameworks
    assert any("framework profiles" in p.reason for p in cat.problems if p.plugin.name == "fw")


def test_the_same_id_twice_from_one_plugin_keeps_the_first():
    plugin = _module("twice", suanli_accelerators=lambda: [_chip("acme-x1"), _chip("acme-x1", bf16_tflops=7)])
    cat = build_catalog([(PluginInfo("twice"), lambda: plugin)])
    assert cat.accelerator("acme-x1").bf16_tflops == 100
    (problem,) = cat.problems
    assert problem.obj_id == "acme-x1" and "twice" in problem.reason


def test_thousands_of_bad_rows_are_counted_not_listed():
    from suanli.catalog import MAX_PROBLEMS_PER_HOOK

    rows = [{"id": f"acme-{i}"} for i in range(5000)] + [_chip("acme-good")]
    started = time.perf_counter()
    cat = build_catalog(
        [(PluginInfo("flood"), lambda: _module("flood", suanli_sites=lambda: [], suanli_accelerators=lambda: rows))]
    )
    assert time.perf_counter() - started < 30  # was quadratic in the number of problems
    assert "acme-good" in cat.accelerators
    assert len(cat.problems) == MAX_PROBLEMS_PER_HOOK + 1 and "4,950 more problems" in cat.problems[-1].reason


def test_a_data_file_that_cannot_be_read_loses_only_itself(tmp_path):
    from suanli.datafile import load_paths

    good = tmp_path / "a.toml"
    good.write_text(
        '[sources.s]\ncitation = "Sheet"\n[[accelerator]]\nid = "acme-x1"\nvendor = "Acme"\nname = "X1"\n'
        'source = "s"\nbf16_tflops = 100\nhbm_gb = 64\nhbm_tbs = 2\ntdp_w = 400\n'
    )
    (tmp_path / "b.toml").write_text("this is = not [toml")
    (tmp_path / "c.toml").write_bytes(b"\xff\xfe not utf-8")
    items = load_paths(sorted(tmp_path.glob("*.toml")), plugin="acme")["accelerator"]
    assert [i.id for i in items if not isinstance(i, DataIssue)] == ["acme-x1"]
    reasons = [i.reason for i in items if isinstance(i, DataIssue)]
    assert any("b.toml is not valid TOML" in r for r in reasons) and any("c.toml cannot be read" in r for r in reasons)
    cat = build_catalog(
        [
            (
                PluginInfo("acme"),
                lambda: _module("acme", suanli_accelerators=lambda: items, suanli_links=lambda: items[:2]),
            )
        ]
    )
    assert list(cat.accelerators) == ["acme-x1"] and len(cat.problems) == 2  # each file's problem once


def test_the_library_warning_points_at_the_users_line(monkeypatch):
    from suanli import catalog as C

    monkeypatch.setenv("SUANLI_CACHE", "0")
    monkeypatch.setattr(C, "_CACHE", {})
    broken = _module("flaky", suanli_accelerators=_raise(RuntimeError("down")))
    monkeypatch.setattr(C, "discover", lambda *a, **k: _with_bundled(broken))
    with pytest.warns(PluginWarning) as caught:
        __import__("suanli").estimate("llama2-7b", tokens=1e11, chip=H100, count=8)
    assert [w.filename for w in caught if issubclass(w.category, PluginWarning)] == [__file__]


def test_the_frameworks_hook_is_read_inside_the_guard_and_copied_plainly():
    import dataclasses

    from suanli.frameworks import FrameworkProfile, bundled_profiles

    copied = dataclasses.replace(bundled_profiles()["megatron-lm"], id="acme-fw", tp_overlap=_LyingFloat(0.5))
    cases = {
        "list-exits": _ExitingList([1]),
        "row-exits": [_ExitingMapping()],
        "not-a-profile": [42],
        "good": [copied],
    }
    mods = [_module(name, suanli_frameworks=lambda ret=ret: ret) for name, ret in cases.items()]
    cat = build_catalog([(PluginInfo(m.__name__), lambda m=m: m) for m in mods])
    named = {p.plugin.name: p.reason for p in cat.problems}
    assert "SystemExit: 9" in named["list-exits"] and "SystemExit: 7" in named["row-exits"]
    assert "FrameworkProfile" in named["not-a-profile"] and "good" not in named
    profile = cat.frameworks["acme-fw"]
    assert type(profile) is FrameworkProfile and type(profile.tp_overlap) is float and profile.plugin == "good"


def test_a_look_alike_of_a_bundled_id_is_refused():
    look_alike = H100.replace("a", "\N{CYRILLIC SMALL LETTER A}")
    cat = _with_bundled(_module("spoof", suanli_accelerators=lambda: [_chip(look_alike, vendor="NVIDIA")]))
    assert look_alike not in cat.accelerators
    (problem,) = [p for p in cat.problems if p.plugin.name == "spoof"]
    assert "ASCII" in problem.reason and problem.obj_id == look_alike


def test_the_bundled_plugins_are_the_entry_points_suanli_declares():
    import tomllib
    from pathlib import Path

    from suanli.catalog import BUNDLED_PLUGINS

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert BUNDLED_PLUGINS == pyproject["project"]["entry-points"]["suanli"]


def test_a_distribution_that_calls_itself_suanli_is_not_bundled():
    impostor = _module("aaa", suanli_accelerators=lambda: [_chip(H100, vendor="NVIDIA", bf16_tflops=5)])
    bundled = [(plugin_info(ep), ep.load) for ep in entry_points() if ep.name == "nvidia"]
    cat = build_catalog([(PluginInfo("aaa", "suanli", "9.9", "aaa:plugin"), lambda: impostor), *bundled])
    assert cat.accelerator(H100).bf16_tflops == 989.4 and cat.accelerator(H100).plugin == "nvidia"
    (conflict,) = [p for p in cat.problems if "conflict" in p.reason]
    assert conflict.plugin.name == "aaa"


def test_a_scenario_constant_or_module_alias_replaced_is_named_and_undone():
    import suanli.scenarios.training as T

    before = (T.D, T.NATIVE_STACKS)

    def hook():
        T.D = types.ModuleType("fake_defaults")
        T.NATIVE_STACKS = ()
        return []

    cat = build_catalog([(PluginInfo("swap"), lambda: _module("swap", suanli_links=hook))])
    assert (T.D, T.NATIVE_STACKS) == before
    (problem,) = cat.problems
    assert (
        "suanli.scenarios.training.D" in problem.reason and "suanli.scenarios.training.NATIVE_STACKS" in problem.reason
    )


def test_a_library_quieting_its_own_deprecations_is_not_blamed_but_put_back():
    before = list(warnings.filters)

    def hook():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="acme_sdk")
        return [_chip("acme-x1")]

    cat = build_catalog([(PluginInfo("polite"), lambda: _module("polite", suanli_accelerators=hook))])
    assert not cat.problems and list(warnings.filters) == before
