"""The catalog: discovery, isolation of broken plugins, conflicts, lookups and views."""

import types

import pytest

from suanli import hookimpl, load_catalog
from suanli.catalog import CatalogError, PluginInfo, build_catalog
from suanli.spec import Source

SRC = Source("Example datasheet", confidence="datasheet")


def _module(name, **hooks):
    mod = types.ModuleType(name)
    for hook_name, fn in hooks.items():
        setattr(mod, hook_name, hookimpl(fn))
    return mod


def _chip(obj_id, **over):
    return (
        dict(
            id=obj_id, vendor="Acme", name=obj_id.upper(), bf16_tflops=100, hbm_gb=64, hbm_tbs=2, tdp_w=400, source=SRC
        )
        | over
    )


def _catalog(*mods):
    return build_catalog([(PluginInfo(m.__name__, "dist-" + m.__name__, "1.0"), (lambda m=m: m)) for m in mods])


def test_plugins_contribute_dicts_or_specs():
    good = _module("good", suanli_accelerators=lambda: [_chip("acme-x1"), _chip("acme-x2")])
    cat = _catalog(good)
    assert sorted(cat.accelerators) == ["acme-x1", "acme-x2"]
    assert cat.accelerator("acme-x1").plugin == "good"
    assert not cat.problems


def test_each_failure_is_isolated_and_named():
    good = _module("good", suanli_accelerators=lambda: [_chip("acme-x1")])
    raises = _module("raises", suanli_accelerators=lambda: 1 / 0)
    bad_item = _module("baditem", suanli_accelerators=lambda: [_chip("acme-y1", hbm_tbs=3000), _chip("acme-y2")])
    not_list = _module("notlist", suanli_links=lambda: "pcie")
    wrong_type = _module("wrongtype", suanli_sites=lambda: [42])

    def _fail():
        raise ImportError("no module named acme_sdk")

    cat = build_catalog(
        [
            (PluginInfo(m.__name__, "dist", "1.0"), (lambda m=m: m))
            for m in (good, raises, bad_item, not_list, wrong_type)
        ]
        + [(PluginInfo("noimport", "acme-plugin", "2.1", "acme_plugin"), _fail)]
    )
    assert set(cat.accelerators) == {"acme-x1", "acme-y2"}  # the valid item of a partly bad plugin stays
    text = "\n".join(map(str, cat.problems))
    assert "plugin 'raises'" in text and "ZeroDivisionError" in text
    assert "plugin 'baditem'" in text and "acme-y1" in text and "hbm_tbs" in text
    assert "plugin 'notlist'" in text and "not a list" in text
    assert "plugin 'wrongtype'" in text and "int" in text
    assert "plugin 'noimport' (acme-plugin 2.1)" in text and "ImportError" in text


def test_misspelled_hook_is_reported_with_a_suggestion():
    typo = _module("typo", suanli_acelerators=lambda: [])
    cat = _catalog(typo)
    assert "typo" not in cat.plugins
    assert "did you mean 'suanli_accelerators'" in str(cat.problems[0])


def test_conflicting_ids_name_both_plugins():
    one = _module("one", suanli_accelerators=lambda: [_chip("acme-x1")])
    two = _module("two", suanli_accelerators=lambda: [_chip("acme-x1", name="Other")])
    cat = _catalog(one, two)
    assert cat.accelerator("acme-x1").plugin == "one"
    (problem,) = cat.problems
    assert "conflict" in problem.reason and "'one'" in problem.reason and "'two'" in problem.reason


def test_dangling_references_are_warnings():
    mod = _module("refs", suanli_accelerators=lambda: [_chip("acme-x1", stack="acme-sdk", scaleup_link="acme-link")])
    cat = _catalog(mod)
    assert {p.severity for p in cat.problems} == {"warning"}
    assert any("acme-sdk" in p.reason for p in cat.problems)


def test_unknown_id_suggests_close_ones():
    cat = _catalog(_module("good", suanli_accelerators=lambda: [_chip("acme-x100-sxm")]))
    with pytest.raises(CatalogError, match="did you mean 'acme-x100-sxm'"):
        cat.accelerator("acme-x100")
    with pytest.raises(CatalogError, match="unknown kind"):
        cat.view("chips")


def test_block_env_skips_plugins(monkeypatch):
    monkeypatch.setenv("SUANLI_PLUGINS_BLOCK", "nvidia, amd")
    cat = load_catalog(refresh=True)
    assert "nvidia" not in cat.plugins and "amd" not in cat.plugins
    assert "huawei" in cat.plugins


def test_bundled_catalog_is_clean_and_broad():
    cat = load_catalog(refresh=True)
    assert not cat.problems, "\n".join(map(str, cat.problems))
    vendors = {a.vendor for a in cat.accelerators.values()}
    assert len(cat.accelerators) >= 45 and len(vendors) >= 13
    assert cat.accelerator("nvidia-h100-sxm5-80gb").bf16_tflops == 989.4


def test_views_compare_and_provenance():
    cat = load_catalog()
    df = cat.frame("accelerators")
    assert "bf16_tflops" in df.columns and "nvidia-a100-sxm4-80gb" in df.index
    side = cat.compare(["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"])
    assert list(side.columns) == ["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"]
    prov = cat.provenance("nvidia-a100-sxm4-80gb")
    assert prov.loc["bf16_tflops", "value"] == 312 and prov.loc["bf16_tflops", "citation"]
    assert prov.loc["bf16_tflops", "plugin"] == "nvidia"
    assert "suanli catalog" in cat._repr_html_()
    with pytest.raises(CatalogError, match="different kinds"):
        cat.compare(["nvidia-h100-sxm5-80gb", "pcie4-x16"])


def test_every_kind_of_hook_contributes():
    link = dict(
        id="acme-link",
        vendor="Acme",
        name="AcmeLink",
        link_kind="scale-up",
        bandwidth_gbs=200,
        latency_us=2,
        source=SRC,
    )
    stack = dict(id="acme-sdk", vendor="Acme", name="Acme SDK", stack_kind="port", framework_efficiency=0.8, source=SRC)
    site = dict(
        id="acme-town",
        vendor="Acme",
        name="Acme Town",
        country="CN",
        electricity_cny_kwh=[0.3, 0.5],
        pue_typical=1.3,
        source=SRC,
    )
    mod = _module(
        "full",
        suanli_accelerators=lambda: [_chip("acme-x1", stack="acme-sdk", scaleup_link="acme-link")],
        suanli_links=lambda: [link],
        suanli_stacks=lambda: [stack],
        suanli_sites=lambda: [site],
    )
    cat = _catalog(mod)
    assert not cat.problems, cat.problems
    assert cat.stack("acme-sdk").framework_efficiency == 0.8
    assert cat.link("acme-link").bandwidth_gbs == 200
    assert cat.site("acme-town").ranges["electricity_cny_kwh"] == (0.3, 0.5)
    assert len(cat) == 4
