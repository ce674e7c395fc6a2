"""``suanli lab``: open the notebooks in JupyterLab, or the dashboards in Voila.

JupyterLab starts with suanli's settings overrides (``suanli/data/lab/overrides.json``): no
"get Jupyter news?" toast and no update check, so the first thing a reader sees is the notebook.
``--voila`` serves the dashboards (``notebooks/dashboards/``: one per main question, controls and
results only, no code); ``--dashboard NAME`` opens one of them directly.
"""

from __future__ import annotations

NAME = "lab"
HELP = "Open the notebooks in JupyterLab (--voila: the dashboards in Voila)."

DASHBOARDS = "dashboards"
"""The folder of dashboard notebooks inside the notebook folder."""

DASHBOARD = "substitution"
"""The dashboard the README's Voila badge opens."""

LAB_FLAGS = ("--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
"""No announcements feed and no update check (the news toast's settings are in the overrides file)."""


def add_arguments(parser) -> None:
    parser.add_argument("--notebooks", default="notebooks", help="the notebook folder (default: ./notebooks)")
    parser.add_argument(
        "--voila",
        action="store_true",
        help=f"serve the dashboards ({DASHBOARDS}/ in the notebook folder) with Voila instead",
    )
    parser.add_argument(
        "--dashboard", metavar="NAME", help="with --voila, open one dashboard, e.g. substitution, training-time, compat"
    )
    parser.add_argument("--port", type=int, help="port to listen on (default: Jupyter's)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--dry-run", action="store_true", help="print the command instead of running it")


def settings_dir() -> str:
    """The folder holding suanli's JupyterLab settings overrides (``overrides.json``)."""
    from importlib import resources

    return str(resources.files("suanli.data").joinpath("lab"))


def dashboards(folder) -> list[str]:
    """The dashboard names in ``folder``/dashboards (file stems), sorted."""
    from pathlib import Path

    return sorted(p.stem for p in (Path(folder) / DASHBOARDS).glob("*.ipynb"))


def command(args, is_root: bool) -> list[str]:
    """The Jupyter command line for these arguments (as root, Jupyter needs --allow-root to start)."""
    import sys
    from pathlib import Path

    from suanli.errors import InputError

    folder = Path(args.notebooks)
    try:
        is_folder = folder.is_dir()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte in it
        is_folder = False
    if not is_folder:
        raise InputError(
            f"no notebook folder at {str(folder.absolute())[:200]!r}; run this from the suanli repository or give "
            "--notebooks"
        )
    name = getattr(args, "dashboard", None)
    if name and not args.voila:
        raise InputError("--dashboard goes with --voila (it names the Voila dashboard to open)")
    if args.voila:
        target = folder / DASHBOARDS
        if name:
            known = dashboards(folder)
            stem = name.removesuffix(".ipynb")
            if stem not in known:
                raise InputError(f"no dashboard {name!r}; dashboards: {', '.join(known) or 'none'}")
            target = target / f"{stem}.ipynb"
        cmd = [sys.executable, "-m", "voila", str(target)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            str(folder),
            f"--LabApp.app_settings_dir={settings_dir()}",
            *LAB_FLAGS,
        ]
    if args.port is not None:
        if not 0 < args.port < 65536:
            raise InputError(f"--port must be 1..65535, got {args.port}")
        cmd.append(f"--port={args.port}")
    if args.no_browser:
        cmd.append("--no-browser")
    if is_root and not args.voila:
        cmd.append("--allow-root")
    return cmd


def require_app(module: str) -> None:
    """A one-sentence error when JupyterLab or Voila is not installed (they come with the ``lab`` extra)."""
    from importlib.util import find_spec

    from suanli.errors import InputError

    if find_spec(module) is None:
        raise InputError(
            f'{module} is not installed; install the lab extra: pip install -e ".[lab]" (or pip install "suanli[lab]")'
        )


def run(args) -> int:
    import os
    import shlex

    cmd = command(args, is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    require_app(cmd[2])
    os.execv(cmd[0], cmd)
    return 0  # pragma: no cover - execv does not return
