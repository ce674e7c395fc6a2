"""The power panels: numbers come from the report, errors show in place, redraws are cheap HTML."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from suanli.widgets import power as W


@pytest.fixture(scope="module")
def catalog():
    import suanli

    cat = suanli.load_catalog()
    if "nvidia-h100-sxm5-80gb" not in cat.accelerators or "cn-gansu-qingyang" not in cat.sites:
        pytest.skip("catalog data not installed")
    return cat


def test_panel_shows_the_report_and_its_waterfall(catalog):
    panel = W.PowerPanel(catalog)
    report = panel.compute()
    assert f"{report['facility_power_kw']:,.0f} kW" in panel.plot.value
    assert "IT power" in panel.result.value


def test_panel_shows_bad_input_in_place(catalog):
    panel = W.PowerPanel(catalog)
    panel.hours.value = -1
    assert "hours must not be negative" in panel.result.value and panel.plot.value == ""
    panel.hours.value = 10
    panel.site.value = panel.site.options[0]  # custom PUE and price
    panel.pue.value = 0.7
    assert "pue must be at least 1" in panel.result.value
    panel.pue.value = 1.2
    assert "kW" in panel.plot.value


def test_in_place_turns_user_errors_into_a_message():
    from suanli.errors import InputError

    def bad():
        raise InputError("count must be positive")

    message = W.in_place(bad)
    assert repr(message) == "count must be positive" and "count must be positive" in message._repr_html_()
    assert W.in_place(lambda: 42) == 42


def test_figures_draw(catalog):
    import matplotlib

    matplotlib.use("Agg")
    from suanli.scenarios.power import site_records

    fig = W.sites_figure(site_records(catalog.sites.values(), "USD"), centre="shanghai", currency="USD")
    assert fig.axes[0].get_xlabel() == "electricity price (USD/kWh)"
    waterfall = {
        "accelerators_kw": 1.0,
        "host_overhead_kw": 0.5,
        "network_storage_kw": 0.2,
        "facility_overhead_kw": 0.3,
        "it_power_kw": 1.7,
        "facility_power_kw": 2.0,
    }
    assert len(W.waterfall_figure(waterfall).axes[0].patches) == 5
