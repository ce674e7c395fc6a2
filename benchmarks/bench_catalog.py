"""Cost of loading the plugin catalog: a guarded build, a cached load, and a whole CLI call (prints figures; not a test).

    python benchmarks/bench_catalog.py

A build imports every plugin, fingerprints suanli's shared state around each one (the guard that
names a plugin changing a constant) and validates every spec; the cache (keyed on the installed
distributions, their versions and files) lets a command skip all of that.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def _best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    from suanli import catalog

    cat = catalog.discover()
    print(f"catalog: {len(cat)} objects from {len(cat.plugins)} plugins, {len(cat.problems)} problems")
    best, median = _best_of(5, catalog.discover)
    print(f"guarded build (discover):          best {best * 1e3:7.1f} ms   median {median * 1e3:7.1f} ms")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["SUANLI_CACHE_DIR"] = cache

        def cached():
            catalog._CACHE.clear()
            catalog.load_catalog()

        cached()  # writes the cache file
        best, median = _best_of(5, cached)
        print(f"cached load (load_catalog):        best {best * 1e3:7.1f} ms   median {median * 1e3:7.1f} ms")
        for label, env in (
            ("CLI `show`, cache on ", {"SUANLI_CACHE_DIR": cache}),
            ("CLI `show`, cache off", {"SUANLI_CACHE": "0"}),
        ):

            def call(env=env):
                subprocess.run(
                    [sys.executable, "-m", "suanli", "show", "nvidia-h100-sxm5-80gb"],
                    check=True,
                    capture_output=True,
                    env=dict(os.environ, **env),
                )

            best, median = _best_of(3, call)
            print(f"{label}:             best {best * 1e3:7.1f} ms   median {median * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
