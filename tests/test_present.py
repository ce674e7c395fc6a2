"""What an analyst reads: one number-formatting policy (suanli.present), used by the CLI, widgets and notebooks."""

import json
import re
from pathlib import Path

import pytest

from suanli import present

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (2.39e9, "CNY", "2.39 bn CNY"),
        (9_110_000, "CNY", "9.11 M CNY"),
        (508_744_578, "CNY", "509 M CNY"),
        (4.211547e9, "USD", "4.21 bn USD"),
        (1.2e12, "USD", "1.2 tn USD"),
        (838_125.0, "USD", "838,000 USD"),
        (999_999, "CNY", "1 M CNY"),
        (0.358, "CNY", "0.358 CNY"),
        (None, "CNY", "- CNY"),
        (float("nan"), "USD", "- USD"),
    ],
)
def test_money_names_its_currency_and_never_uses_scientific_notation(value, currency, text):
    assert present.money(value, currency) == text


def test_money_needs_a_currency():
    with pytest.raises(ValueError):
        present.money(1.0, "")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (9000.0, "9,000"),
        (1024.0, "1,024"),
        (1550783.069369, "1,550,000"),
        (5.37032, "5.37"),
        (0.0372, "0.0372"),
        (12, "12"),
        (0, "0"),
        (None, "-"),
        (float("nan"), "-"),
        (True, "yes"),
        (3.2e-7, "3.20e-07"),
        (2.5e16, "2.50e+16"),
    ],
)
def test_numbers_to_significant_figures_counts_whole(value, text):
    assert present.number(value) == text


def test_counts_quantities_and_labels():
    assert present.count(9000.0) == "9,000" and present.count(12.2) == "13" and present.count(None) == "-"
    assert present.quantity(2022, "year") == "2022"  # a year is a label: never "2,022 year"
    assert present.quantity(8.0, "chips") == "8 chips" and present.quantity(10.2, "MW") == "10.2 MW"
    assert present.days(5.37032) == "5.4 days" and present.days(32.61) == "32.6 days" and present.days(1) == "1 day"
    assert present.scaled(300e9) == "300B" and present.scaled(15.6e12) == "15.6T" and present.scaled(70e6) == "70M"
    assert (
        present.percent(0.4321) == "43.2%"
        and present.probability(0.004) == "< 1%"
        and present.probability(0.6) == "60%"
    )


def test_cost_label_names_the_basis():
    assert present.cost_label("capex", None, "CNY") == "cost = capex (fleet bought), in CNY"
    assert (
        present.cost_label("capex", ["hardware (purchase)", "electricity"])
        == "cost = hardware (purchase) + electricity"
    )
    assert "rental" in present.cost_label("rental")


def test_range_text_says_when_the_central_value_is_the_nominal_case():
    inside = present.range_text(30.0, {"p10": 25.0, "p50": 31.0, "p90": 40.0})
    outside = present.range_text(20.0, {"p10": 25.0, "p50": 31.0, "p90": 40.0})
    assert "nominal" not in inside and "nominal case" in outside


def test_table_cells_follow_the_key():
    rows = [
        {"chip": "x", "chips_needed": 9000.0, "cost": 2.39e9, "train_days": 29.64, "feasible": False, "racks": None}
    ]
    cells = present.table_cells(
        rows, ["chip", "chips_needed", "cost", "train_days", "feasible", "racks"], currency="CNY"
    )
    assert cells == [["x", "9,000", "2.39 bn CNY", "29.6", "no", "-"]]
    html = present.html_table(rows, ["chip", "cost"], title="Fleets", currency="CNY")
    assert "<caption" in html and "Fleets" in html and "2.39 bn CNY" in html


@pytest.mark.parametrize(
    ("key", "money", "count"),
    [
        ("cost", True, False),
        ("total_cost", True, False),
        ("capex", True, False),
        ("unit_price", True, False),
        ("cost_usd", True, False),
        ("rental_usd_per_hour", True, False),
        ("cost_per_million_tokens", True, False),
        ("equal_cost_chips", False, True),
        ("equal_cost_days", False, False),
        ("chips_needed", False, True),
        ("chips_per_reference_chip", False, False),
        ("racks", False, True),
        ("tp", False, True),
        ("train_days", False, False),
    ],
)
def test_keys_say_what_they_hold(key, money, count):
    assert present.is_money_key(key) is money and present.is_count_key(key) is count


def test_cli_tables_use_the_policy(capsys):
    from suanli.commands.output import print_table

    print_table(
        [{"chip": "a", "chips": 9000.0, "cost": 4.211547e9, "energy_mwh": 1550783.069369}],
        ["chip", "chips", "cost", "energy_mwh"],
        currency="CNY",
    )
    out = capsys.readouterr().out
    assert "9,000" in out and "4.21 bn CNY" in out and "1,550,000" in out
    assert "9000.0" not in out and "e+" not in out


MONEY_SCIENTIFIC = re.compile(r"\d\.?\d*e[+-]?\d+\s*(CNY|USD|yuan)", re.IGNORECASE)


@pytest.mark.parametrize(
    "argv",
    [
        [
            "power",
            "--chip",
            "nvidia-h100-sxm5-80gb",
            "--count",
            "8000",
            "--hours",
            "2160",
            "--site",
            "cn-ningxia-zhongwei",
        ],
        ["compat", "--stack", "hygon-dtk", "--currency", "CNY"],
        [
            "estimate",
            "--model",
            "llama2-70b",
            "--tokens",
            "2e12",
            "--chip",
            "nvidia-a100-sxm4-80gb",
            "--count",
            "2048",
            "--site",
            "cn-gansu-qingyang",
        ],
    ],
)
def test_cli_money_is_never_scientific_and_counts_never_floats(argv, capsys):
    from suanli.cli import main

    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not MONEY_SCIENTIFIC.search(out), MONEY_SCIENTIFIC.search(out)
    assert not re.search(r"\b\d{3,}\.0\b", out), re.search(r"\b\d{3,}\.0\b", out)


def test_compat_shares_check_the_values_shown():
    """Notebook 05: moving one share slider of hygon-dtk attention so that the shown shares add to 1 is
    accepted; the untouched share is taken as shown, not at the top of its range."""
    from suanli.widgets.compat import CompatPanel

    panel = CompatPanel(stack="hygon-dtk")
    translated, fallback = panel.sliders[("attention", "translated")], panel.sliders[("attention", "fallback")]
    translated.value = round(1.0 - fallback.value, 2)
    assert "more than 1" not in panel.summary.value
    assert panel.overrides()["attention"]["fallback"] == fallback.value
    translated.value = round(1.1 - fallback.value, 2)
    assert "more than 1" in panel.summary.value


def _notebook_text(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])


NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_cite_only_files_in_the_repository(path):
    text = _notebook_text(path)
    assert "shared/" not in text, "cite the public source, not a working folder outside the repository"
    local = {p.name for p in ROOT.iterdir()} | {"suanli"}  # a path into this repository starts with one of these
    for ref in re.findall(r"`([\w./-]+/[\w.-]+\.(?:csv|toml|py|md|json|ipynb))`", text):
        if ref.split("/")[0] not in local:
            continue  # a file of another, public repository (named beside it), e.g. AcmeTrace's data/cluster_summary.csv
        assert any((base / ref).exists() for base in (ROOT, ROOT / "toolkit", ROOT / "notebooks")), (
            f"{ref} is not in the repository"
        )


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("n_opt", 7.22e10, "72.2B"),
        ("d_opt", 1.33e12, "1.33T"),
        ("tokens", 3e11, "300B"),
        ("params", 7e9, "7B"),
        ("tokens_per_param", 18.4, "18.4"),
        ("tokens_per_s_per_chip", 1850.0, "1,850"),
    ],
)
def test_parameter_and_token_counts_use_the_fields_suffixes(key, value, shown):
    assert present.format_value(value, key) == shown


def test_table_formats_columns_by_key_and_says_what_it_left_out():
    rows = [
        {"chip": "a", "chips": 9000.0, "cost": 2.39e9, "mfu": 0.4123, "tokens": 3e11, "note": None},
        {"chip": "b", "chips": 12.0, "cost": float("nan"), "mfu": 0.5, "tokens": 1.5e12, "note": ""},
    ]
    t = present.table(rows, title="Fleets", currency="CNY", formats={"mfu": "percent"})
    assert t.frame.to_dict("list") == {
        "chip": ["a", "b"],
        "chips": ["9,000", "12"],
        "cost": ["2.39 bn CNY", "-"],
        "mfu": ["41.2%", "50%"],
        "tokens": ["300B", "1.5T"],
    }
    assert t.notes == ["no values: note"]
    text, html = repr(t), t._repr_html_()
    assert text.startswith("Fleets\n") and "9000.0" not in text and "e+" not in text
    assert "<caption" in html and "Fleets" in html and "2.39 bn CNY" in html


def test_table_keeps_an_index_formats_rows_by_their_key_and_refuses_unknown_columns():
    import pandas as pd

    df = pd.DataFrame({"output": ["train_days", "total_cost"], "p10": [20.123, 9.1e6], "p90": [30.0, 1.2e7]})
    t = present.table(df, title="Spread", index="output", by_row="output", currency="USD")
    assert (
        t.frame.loc["total_cost"].tolist() == ["9.1 M USD", "12 M USD"] and t.frame.loc["train_days", "p10"] == "20.1"
    )
    counts = present.table(pd.DataFrame({"days": [1.5]}, index=pd.Index([16384], name="GPUs")), title="t")
    assert counts.frame.index.tolist() == ["16,384"]
    with pytest.raises(ValueError, match="does not have"):
        present.table(df, title="t", formats={"p50": "percent"})
    with pytest.raises(ValueError, match="currency"):
        present.table(df, title="t", formats={"p10": "money"})
    with pytest.raises(ValueError, match="unknown column format"):
        present.table(df, title="t", formats={"p10": "percentage"})


@pytest.mark.parametrize(("value", "text"), [(64e3, "64 kB"), (4e9, "4 GB"), (512, "512 B"), (None, "-")])
def test_sizes_in_bytes_take_si_suffixes(value, text):
    assert present.size_bytes(value) == text


def test_signed_percent_and_scientific():
    assert present.signed_percent(-0.123) == "-12%" and present.signed_percent(0.031) == "+3.1%"
    assert present.signed_percent(0.0) == "+0%" and present.signed_percent(None) == "-"
    assert present.scientific(5.76e23) == "5.76e23" and present.scientific(3.14e-7, 2) == "3.1e-7"


# What a notebook must not do by hand: format numbers in scientific notation (``:.2e``), print tables with
# a float_format, show money through a bare float format (``${x:,.0f}``, ``{x:,.0f} CNY``), or end a cell
# on a raw DataFrame of floats (``df.round(3)``, ``pd.DataFrame(...)``): each goes through suanli.present.
HAND_FORMATS = {
    "scientific format spec": re.compile(r"\{[^{}]*:[^{}]*\d*[eE]\}"),
    "float_format": re.compile(r"float_format\s*="),
    "money through a float format": re.compile(r"\$\{[^{}]*:[^{}]*f\}|\{[^{}]*:[^{}]*f\}\s*(CNY|USD|yuan)\b"),
}


def _displayed_raw_frame(source: str) -> bool:
    """Whether a code cell ends on an expression that shows an unformatted DataFrame."""
    import ast

    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    node = body[-1].value
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("round", "head", "T"):
        return True
    return isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "DataFrame"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_format_numbers_through_present(path):
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for what, pattern in HAND_FORMATS.items():
            assert not pattern.search(source), (
                f"code cell {i}: {what} ({pattern.search(source).group(0)}); use suanli.present"
            )
        assert not _displayed_raw_frame(source), f"code cell {i} shows a raw DataFrame; show it with present.table(...)"


FLOAT_COUNT = re.compile(r"(?<![\d.])\d{1,3}(,\d{3})+\.0\b|(?<![\d.,])\d{4,}\.0\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebook_outputs_read_as_numbers(path):
    """The checked outputs kept in the repository: no money in scientific notation, no float counts, no NaN."""
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("text") or "".join(out.get("data", {}).get("text/plain", ""))
            text = "".join(text) if isinstance(text, list) else text
            assert not MONEY_SCIENTIFIC.search(text), MONEY_SCIENTIFIC.search(text).group(0)
            assert not FLOAT_COUNT.search(text), FLOAT_COUNT.search(text).group(0)
            assert not re.search(r"\bNaN\b", text), "a NaN in a stored output: say why the value is missing"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("300B", 300e9),
        ("2T", 2e12),
        ("1.5 t", 1.5e12),
        ("70M", 70e6),
        ("5k", 5e3),
        ("3e11", 3e11),
        ("1,000,000", 1e6),
        (" 300b ", 300e9),
    ],
)
def test_counts_are_typed_the_way_they_are_shown(text, value):
    assert present.parse_scaled(text) == pytest.approx(value)
    assert present.parse_scaled(present.scaled(value)) == pytest.approx(value, rel=5e-3)


@pytest.mark.parametrize("text", ["lots", "", "3x", "B", "inf"])
def test_bad_count_text_is_a_sentence(text):
    with pytest.raises(ValueError, match="number"):
        present.parse_scaled(text)


def _log_sliders(widget):
    import ipywidgets as W

    from suanli.widgets.base import find_controls

    return [c for c in find_controls(widget) if isinstance(c, W.FloatLogSlider)]


def test_widget_inputs_read_as_the_field_writes_them():
    """No widget input shows 3.00e+11: log sliders carry a present-formatted readout, the compat panel's
    token count is typed as 2T, and bad text is a message in place."""
    import ipywidgets as W

    from suanli.widgets.compat import CompatPanel
    from suanli.widgets.interconnect import CollectivePanel, CrossSitePanel
    from suanli.widgets.scaling import ScalingPanel

    for panel in (ScalingPanel(), CollectivePanel(), CrossSitePanel()):
        sliders = _log_sliders(panel.widget)
        assert sliders
        for s in sliders:
            if s.readout:  # its own readout, in a fixed-point format (a count of chips: ",.0f")
                assert s.readout_format[-1] not in "eEgG", (s.description, s.readout_format)
                continue
            shown = [c.value for c in _labels_beside(panel.widget, s)]
            assert shown and "e+" not in shown[0], (s.description, shown)
    scaling = ScalingPanel()
    scaling.inference_tokens.value = 3e12
    assert "3T" in [c.value for c in _labels_beside(scaling.widget, scaling.inference_tokens)]

    compat = CompatPanel(stack="hygon-dtk")
    assert isinstance(compat.tokens, W.Text) and compat.tokens.value == "1T"
    compat.model.value = "llama2-70b"
    compat.tokens.value = "2T"
    assert "not a number" not in compat.summary.value
    compat.tokens.value = "lots"
    assert "tokens: &#x27;lots&#x27; is not a number" in compat.summary.value


def _labels_beside(widget, control):
    import ipywidgets as W

    stack = [widget]
    while stack:
        w = stack.pop()
        children = list(getattr(w, "children", ()))
        if control in children:
            return [c for c in children if isinstance(c, W.Label)]
        stack.extend(children)
    return []
