"""How many examples the property tests draw, and whether the draw is the same on every run.

Two hypothesis profiles (https://hypothesis.readthedocs.io/en/latest/settings.html#settings-profiles):

* ``deterministic`` (the default, what CI runs): the same draw on every run, so a CI result does not
  depend on luck;
* ``explore``: a fresh random draw each run and :data:`EXPLORE_FACTOR` times as many examples, to find
  what the fixed draw never reaches. Run it with ``python -m pytest --hypothesis-profile=explore
  tests/test_*properties.py tests/test_bad_input.py`` (``.ci/explore`` does, round after round). A failure prints the ``@reproduce_failure`` line that replays it.
"""

from __future__ import annotations

from hypothesis import settings

EXPLORE_FACTOR = 12

settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True)


def examples(n: int) -> int:
    """``n`` examples under the deterministic profile, ``EXPLORE_FACTOR * n`` when exploring."""
    return n if settings.default.derandomize else n * EXPLORE_FACTOR
