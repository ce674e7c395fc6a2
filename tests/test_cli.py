"""The command line: JSON contracts, readable errors, and plugin isolation end to end."""

import json

from cli_helpers import run_suanli


def test_catalog_json_lists_bundled_content_with_sources():
    out = run_suanli("catalog", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    by_id = {r["id"]: r for r in rows}
    a100 = by_id["nvidia-a100-sxm4-80gb"]
    assert a100["vendor"] and a100["name"] and a100["bf16_tflops"] == 312
    for row in rows:
        numeric = [
            k for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and k in row["sources"]
        ]
        assert numeric, row["id"]
        for key in numeric:
            assert {"citation", "url", "confidence"} <= set(row["sources"][key]), (row["id"], key)
    assert "export_oct2023" in a100 and "tpp" in a100


def test_catalog_filters_and_kinds():
    out = run_suanli("catalog", "--vendor", "huawei", "--json")
    assert out.returncode == 0 and all(r["id"].startswith("huawei-") for r in json.loads(out.stdout))
    for kind in ("links", "stacks", "sites"):
        res = run_suanli("catalog", "--kind", kind, "--json")
        assert res.returncode == 0 and json.loads(res.stdout), kind
    table = run_suanli("catalog")
    assert "nvidia-h100-sxm5-80gb" in table.stdout and "bf16_tflops" in table.stdout


def test_show_and_unknown_id():
    out = run_suanli("show", "nvidia-h100-sxm5-80gb")
    assert out.returncode == 0 and "989.4" in out.stdout
    bad = run_suanli("show", "nvidia-h100")
    assert bad.returncode == 2 and "did you mean" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_bad_flags_are_one_line():
    out = run_suanli("catalog", "--kind", "chips")
    assert out.returncode == 2 and "Traceback" not in out.stderr and "invalid choice" in out.stderr


def test_plugins_check_strict_passes_on_bundled():
    out = run_suanli("plugins", "check", "--strict")
    assert out.returncode == 0, out.stdout + out.stderr
    listing = run_suanli("plugins", "list")
    assert "nvidia" in listing.stdout and "suanli" in listing.stdout


def test_broken_plugins_leave_the_catalog_working(broken_install):
    out = run_suanli("catalog", "--json", extra_path=broken_install)
    assert out.returncode == 0
    ids = {r["id"] for r in json.loads(out.stdout)}
    assert "nvidia-h100-sxm5-80gb" in ids and "broken-x1" not in ids
    lines = out.stderr.strip().splitlines()
    for name in ("broken-import", "broken-data", "broken-hook", "broken-spelling", "broken-conflict"):
        mine = [line for line in lines if f"'{name}'" in line]
        assert len(mine) == 1, (name, out.stderr)
        assert "suanli-broken-fixtures 0.0.1" in mine[0]
    check = run_suanli("plugins", "check", extra_path=broken_install)
    assert check.returncode == 1 and "FAILED" in check.stdout
    blocked = run_suanli(
        "plugins", "check", extra_path=broken_install, env={"SUANLI_PLUGINS_BLOCK": "suanli-broken-fixtures"}
    )
    assert blocked.returncode == 0, blocked.stderr


def test_template_plugin_installs_and_shows_up(template_install):
    out = run_suanli("show", "google-tpu-v3", "--json", extra_path=template_install)
    assert out.returncode == 0, out.stderr
    tpu = json.loads(out.stdout)
    assert tpu["bf16_tflops"] == 123 and tpu["plugin"] == "example"
    assert run_suanli("plugins", "check", "--strict", extra_path=template_install).returncode == 0
