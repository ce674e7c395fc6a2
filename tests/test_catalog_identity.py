"""Catalog identity: a result is explained with the catalog that produced it, and caches computed from a
catalog belong to that catalog object (weakly held, bounded), never to an ``id()`` that Python reuses."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import pytest

from suanli.catalog import Catalog, CatalogCache, load_catalog

H100 = "nvidia-h100-sxm5-80gb"


@pytest.fixture(scope="module")
def custom():
    """The installed catalog with the H100's BF16 peak changed to a number no datasheet gives."""
    cat = load_catalog()
    acc = dataclasses.replace(cat.accelerator(H100), bf16_tflops=777.7)
    return dataclasses.replace(cat, accelerators={**cat.accelerators, H100: acc})


def _peak_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("peak_tflops ="))


def test_explain_shows_the_numbers_of_the_catalog_the_estimate_used(custom):
    from suanli.scenarios.training import estimate

    mine = estimate("llama2-7b", tokens=1e11, chip=H100, count=64, catalog=custom)
    usual = estimate("llama2-7b", tokens=1e11, chip=H100, count=64)
    assert mine.catalog is custom and usual.catalog is load_catalog()
    assert "777.7 TFLOP/s" in _peak_line(str(mine.explain()))
    assert "989.4 TFLOP/s" in _peak_line(str(usual.explain()))
    assert mine.train_days > usual.train_days  # a lower peak is slower: the custom numbers made the result


def test_explain_of_a_spec_outside_any_catalog_uses_that_spec():
    from suanli.scenarios.training import estimate

    acc = dataclasses.replace(load_catalog().accelerator(H100), id="test-h100-custom", bf16_tflops=555.5)
    est = estimate("llama2-7b", tokens=1e11, chip=acc, count=64)
    assert est.accelerator is acc
    assert "555.5 TFLOP/s" in _peak_line(str(est.explain()))


def test_catalogs_are_equal_only_to_themselves(custom):
    cat = load_catalog()
    twin = dataclasses.replace(cat)
    assert twin is not cat and twin != cat and hash(twin) != hash(cat)
    assert cat == cat


def test_catalog_cache_is_bounded_and_does_not_keep_a_catalog_alive():
    cache = CatalogCache(maxsize=3)
    cat = Catalog()
    for i in range(5):
        cache.put(cat, i, i * 10)
    assert cache.values(cat) == [20, 30, 40]  # the two least recently used were dropped
    assert cache.get(cat, 0) is None and cache.get(cat, 4) == 40
    other = Catalog()
    assert cache.get(other, 4) is None  # another catalog never sees these values
    ref = weakref.ref(cat)
    del cat
    gc.collect()
    assert ref() is None and cache.catalogs() == 0


def test_substitution_caches_follow_the_catalog_object(custom):
    from suanli.scenarios.substitution import make_goal, point
    from suanli.scenarios.substitution.sizing import _POINTS

    goal = make_goal("llama2-7b", tokens=1e11)
    fast = point(H100, goal, 64, catalog=load_catalog())["seconds_per_token"]
    slow = point(H100, goal, 64, catalog=custom)["seconds_per_token"]
    assert slow > fast
    throwaway = dataclasses.replace(custom)
    assert point(H100, goal, 64, catalog=throwaway)["seconds_per_token"] == pytest.approx(slow)
    ref = weakref.ref(throwaway)
    del throwaway
    gc.collect()
    assert ref() is None, "a cache kept a catalog alive"
    assert all(len(_POINTS.values(c)) <= _POINTS.maxsize for c in (custom, load_catalog()))


def test_chip_evidence_cache_follows_the_catalog_object():
    from suanli.chip_evidence import derive

    base = load_catalog()
    throwaway = dataclasses.replace(base)
    assert derive("huawei-ascend-910b", catalog=throwaway).central == derive("huawei-ascend-910b", catalog=base).central
    ref = weakref.ref(throwaway)
    del throwaway
    gc.collect()
    assert ref() is None, "the chip-evidence cache kept a catalog alive"
