"""``suanli scaling``: JSON contract, the three budget forms, one-sentence errors."""

from __future__ import annotations

import json

import pytest

from suanli.cli import main
from suanli.models import scaling as s

KEYS = {"law", "compute_flops", "pf_days", "n_opt", "d_opt", "tokens_per_param", "loss", "law_source"}


def run(capsys, *argv):
    code = main(["scaling", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("law", ["chinchilla", "besiroglu", "kaplan"])
def test_compute_form_json(capsys, law):
    code, out, _ = run(capsys, "--compute", "5.76e23", "--law", law, "--json")
    assert code == 0
    data = json.loads(out)
    assert KEYS <= set(data) and data["law"] == law
    assert data["compute_flops"] == 5.76e23
    assert 6 * data["n_opt"] * data["d_opt"] == pytest.approx(5.76e23)
    assert data["n_opt"] == pytest.approx(s.compute_optimal(5.76e23, law).params)


def test_compute_form_table(capsys):
    code, out, _ = run(capsys, "--compute", "1e24")
    assert code == 0
    for key in ("n_opt", "d_opt", "loss", "compute_flops"):
        assert key in out


def test_chip_form_uses_catalog_peak(capsys):
    code, out, _ = run(
        capsys, "--chip", "nvidia-h100-sxm5-80gb", "--count", "1024", "--days", "30", "--mfu", "0.4", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["peak_flops_per_s"] == pytest.approx(989.4e12)
    assert data["compute_flops"] == pytest.approx(1024 * 989.4e12 * 0.4 * 30 * 86400)
    assert {"chip", "count", "days", "mfu"} <= set(data)


def test_chip_form_default_mfu_is_documented(capsys):
    code, out, _ = run(capsys, "--chip", "nvidia-h100-sxm5-80gb", "--count", "8", "--days", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["mfu"] == s.DEFAULT_MFU and "Chowdhery" in data["mfu_source"]


def test_target_loss_form(capsys):
    code, out, _ = run(capsys, "--target-loss", "2.0", "--json")
    data = json.loads(out)
    assert code == 0 and data["loss"] == pytest.approx(2.0) and data["target_loss"] == 2.0


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (("--compute", "0"), "compute"),
        (("--compute=-5e20",), "compute"),
        (("--compute", "1e23", "--law", "gpt4"), "unknown scaling law"),
        (("--chip", "nvidia-h100-sxm5-80gb", "--count", "8", "--days", "0"), "days"),
        (("--chip", "nvidia-h100-sxm5-80gb", "--count", "8"), "--days"),
        (("--chip", "nvidia-h100", "--count", "8", "--days", "2"), "did you mean"),
        (("--target-loss", "1.5"), "irreducible"),
        ((), "exactly one"),
    ],
)
def test_bad_input_is_one_sentence(capsys, argv, phrase):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert phrase in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
