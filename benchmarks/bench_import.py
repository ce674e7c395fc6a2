"""How long `import suanli` and loading the plugin catalog take, each in a fresh interpreter.

Prints the median over several runs. Both should be well under half a second.

    python benchmarks/bench_import.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

IMPORT = "import time; t = time.perf_counter(); import suanli; print(time.perf_counter() - t)"
CATALOG = (
    "import time; t = time.perf_counter(); import suanli; c = suanli.load_catalog(); "
    "print(time.perf_counter() - t, len(c), len(c.problems))"
)


def _run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    imports = [float(_run(IMPORT)[0]) for _ in range(args.runs)]
    loads = [_run(CATALOG) for _ in range(args.runs)]
    seconds = [float(r[0]) for r in loads]
    print(
        f"import suanli:              median {statistics.median(imports) * 1000:7.1f} ms  (min {min(imports) * 1000:.1f}, {args.runs} runs)"
    )
    print(
        f"import + load_catalog():    median {statistics.median(seconds) * 1000:7.1f} ms  (min {min(seconds) * 1000:.1f}; "
        f"{loads[0][1]} objects, {loads[0][2]} problems)"
    )


if __name__ == "__main__":
    main()
