"""End to end in a real browser: JupyterLab runs a notebook and a control moves a result; Voila renders widgets.

Drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run`` with apt) through Python
Playwright; Playwright's own browser download is never used. Servers listen on 127.0.0.1 only, on a
free port, and are killed (their whole process group) in teardown.

What is checked: JupyterLab runs a notebook and a control changes its result; every notebook's
figures render, in JupyterLab and in Voila (the images each page shows are counted against the
figure cells, which the kernel itself records: a startup script notes every cell that makes a
matplotlib figure outside a widget); the Voila dashboards show controls and titled results only
(no code, no printed dicts or test lines).

For speed, one JupyterLab server and one Voila server serve every test of the module (module-scoped
fixtures), the notebooks run on several pages at once (each kernel logs its figures to its own file,
found by the notebook's first cell), and waits are on a signal (a count reached, a log line), not
fixed sleeps. ``benchmarks`` is not involved: pytest's ``--durations`` gives the times.

The screenshots are taken into a temporary folder: tests never modify tracked files. The README's
pictures (docs/img/jupyterlab.png, docs/img/voila.png, docs/img/dashboard-*.png) are refreshed on
purpose with

    pytest -m browser tests/test_browser.py --refresh-screenshots

Without Chromium or Playwright the tests skip locally, but fail when ``CI=true``: CI must not pass
by skipping them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAB_NOTEBOOK = "notebooks/00-catalog.ipynb"
DASHBOARDS = sorted((ROOT / "notebooks" / "dashboards").glob("*.ipynb"))
"""The Voila dashboards (``suanli lab --voila``); the README's Voila badge opens dashboards/substitution."""
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "docs" / "img"
"""Where --refresh-screenshots copies the pictures (the README shows them)."""
SERVER_START_S = 60
KERNEL_RUN_MS = 90_000
VIEWPORT = {"width": 1400, "height": 1000}
LAB_SETTINGS = {
    # Render every cell (JupyterLab 4 otherwise renders off-screen cells lazily, so a widget far down
    # a notebook may not exist yet), and no "get Jupyter news?" toast over the screenshot.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # Never write the executed notebook back into the repository.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
ROOT_FLAG = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
"""CI machines run as root; Jupyter refuses that without the flag."""


FIGURE_LOG_STARTUP = """
# suanli browser tests: record which cells make a matplotlib figure outside a widget (IPython startup file).
import json as _json, os as _os, traceback as _tb
import matplotlib.figure as _mf

_LOG = _os.path.join(_os.environ["SUANLI_FIGURE_LOG"], f"{_os.getpid()}.json")  # one file per kernel
_state = {"cell": 0, "figure_cells": [], "done": 0, "runs": []}
_init = _mf.Figure.__init__

def _counting_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    in_widget = any(f.name == "__init__" and f.filename.replace("\\\\", "/").endswith("suanli/widgets/base.py")
                    for f in _tb.extract_stack())
    if not in_widget and _state["cell"] not in _state["figure_cells"]:
        _state["figure_cells"].append(_state["cell"])

_mf.Figure.__init__ = _counting_init

def _pre(info=None, *_):
    _state["cell"] += 1
    # the start of each cell run: the notebook's first cell names it (a server may run its own code first)
    _state["runs"].append((getattr(info, "raw_cell", "") or "").strip())

def _post(*_):
    _state["done"] += 1
    with open(_LOG + ".tmp", "w") as fh:
        _json.dump(_state, fh)
    _os.replace(_LOG + ".tmp", _LOG)

get_ipython().events.register("pre_run_cell", _pre)
get_ipython().events.register("post_run_cell", _post)
"""
"""Runs in every kernel the servers start (through IPYTHONDIR): writes, after each cell, which cells
made a figure and the start of every cell run, to ``<pid>.json`` in the folder SUANLI_FIGURE_LOG names."""

COUNT_FIGURE_CELLS_JS = """(root) => {
    const areas = new Set();
    for (const img of document.querySelectorAll(root + ' .jp-RenderedImage img')) {
        if (img.closest('.jupyter-widgets')) continue;          // a widget's own picture is not a figure cell
        const area = img.closest('.jp-Cell') || img.closest('.jp-OutputArea');
        if (area && img.naturalWidth > 0) areas.add(area);     // rendered, not a broken image
    }
    return areas.size;
}"""
"""Cells (output areas) that show at least one rendered figure image, widgets' images left out."""


def figure_log_env(tmp: Path) -> tuple[dict[str, str], Path]:
    """An IPYTHONDIR whose startup script logs figure cells, and the folder of per-kernel logs it writes."""
    startup = tmp / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-suanli-figure-log.py").write_text(FIGURE_LOG_STARTUP)
    logs = tmp / "figure-logs"
    logs.mkdir(exist_ok=True)
    return {"IPYTHONDIR": str(tmp / "ipython"), "SUANLI_FIGURE_LOG": str(logs)}, logs


def _code_sources(path: Path) -> list[str]:
    return [
        s
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code" and (s := "".join(c["source"]).strip())
    ]


def code_cells(path: Path) -> int:
    return len(_code_sources(path))


def wait_for_log(logs: Path, path: Path, timeout_s: float = KERNEL_RUN_MS / 1000, since: float = 0.0) -> dict:
    """The figure log of the kernel running ``path`` (its first cell's source names it), once that
    kernel has run every code cell of it. ``since``: ignore logs older than this (a previous run of the notebook)."""
    first, cells = _code_sources(path)[0], code_cells(path)
    deadline = time.monotonic() + timeout_s
    seen: dict = {}
    while time.monotonic() < deadline:
        for log in logs.glob("*.json"):
            try:
                if log.stat().st_mtime < since:
                    continue
                state = json.loads(log.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                continue
            if first in state.get("runs", []):
                seen = state
                if state["done"] - state["runs"].index(first) >= cells:  # every cell of the notebook has run
                    return state
        time.sleep(0.2)
    pytest.fail(
        f"the kernel of {path.name} did not run its {cells} cells within {timeout_s:.0f} s (last log: {seen or 'none'})"
    )


def settle_figures(page, root: str, expected: int, timeout_ms: int = 30_000) -> int:
    """Rendered figure cells once the count stops changing (or reaches ``expected``)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"([n]) => ({COUNT_FIGURE_CELLS_JS})({json.dumps(root)}) >= n",
            arg=[expected],
            timeout=timeout_ms,
            polling=100,
        )
    except PlaywrightTimeout:
        pass  # fewer than expected: the caller's assertion says which
    return page.evaluate(COUNT_FIGURE_CELLS_JS, root)


def figure_misses(page, root: str, path: Path, logs: Path, since: float = 0.0) -> list[str]:
    """Once the kernel has run every cell of ``path``: [] if the page shows a rendered figure for each
    cell that made one, else the one-line miss."""
    state = wait_for_log(logs, path, since=since)
    expected = len(state["figure_cells"])
    shown = settle_figures(page, root, expected)
    if shown == expected:
        return []
    return [
        f"{path.name}: {shown} of {expected} figure cells rendered (figure cells, counting code cells: {state['figure_cells']})"
    ]


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """Where the tests save their pictures: a temporary folder; with --refresh-screenshots they are
    then copied to docs/img (the only way a test run writes there)."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    yield folder
    if request.config.getoption("--refresh-screenshots"):
        import shutil

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copyfile(png, SCREENSHOTS / png.name)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Chromium with apt)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Python Playwright is not installed (pip install -e .[test])")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(
    cmd: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None, any_status: bool = False
) -> Iterator[None]:
    """Run ``cmd`` in its own process group until ``ready_url`` answers 200 (any HTTP status if
    ``any_status``); kill the group afterwards."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SUANLI_PLUGINS_BLOCK", None)
    full_env.pop("MPLBACKEND", None)  # the kernels draw as a reader's do (ipykernel's inline backend)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=full_env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{cmd[2]} exited with {proc.returncode} before serving:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(ready_url, timeout=5) as reply:
                    if reply.status == 200:
                        break
            except urllib.error.HTTPError:
                if any_status:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{cmd[2]} did not answer {ready_url} within {SERVER_START_S} s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def isolated_jupyter_env(tmp: Path) -> dict[str, str]:
    """Config, runtime and lab settings in a temporary folder, so a developer's own setup plays no part."""
    for name in ("config", "runtime", "settings", "workspaces"):
        (tmp / name).mkdir(exist_ok=True)
    for plugin, settings in LAB_SETTINGS.items():
        path = tmp / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    return {
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }


def wait_for_idle_kernel(page, steady_ms: int = 1500, timeout_ms: int = 60_000) -> None:
    """Wait until the notebook's kernel has been idle for ``steady_ms`` (it passes idle -> connecting -> idle)."""
    page.wait_for_function(
        """([steady]) => {
            const el = document.querySelector('.jp-Notebook-ExecutionIndicator');
            const idle = el && el.getAttribute('data-status') === 'idle';
            const now = Date.now();
            if (!idle) { window.__idleSince = undefined; return false; }
            window.__idleSince = window.__idleSince || now;
            return now - window.__idleSince >= steady;
        }""",
        arg=[steady_ms],
        timeout=timeout_ms,
        polling=250,
    )


def run_all_cells(page, attempts: int = 2) -> None:
    """Run > Run All Cells, as a reader does; retried once if no cell started (a click before the kernel was ready)."""
    started = page.locator(".jp-CodeCell .jp-InputPrompt").filter(has_text=re.compile(r"\[(\*|\d+)\]"))
    for attempt in range(attempts):
        wait_for_idle_kernel(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            started.first.wait_for(timeout=10_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def lab_command(port: int, token: str, tmp_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--FileCheckpoints.checkpoint_dir={tmp_path / 'checkpoints'}",
        *ROOT_FLAG,
    ]


PARALLEL_PAGES = 2
"""Notebooks run at once (one per core of a 2-core CI machine), each on its own page and kernel: while one
kernel computes, the other page's rendering and server round trips proceed."""


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """One JupyterLab server for the module: (base URL, token, folder of figure logs)."""
    tmp = tmp_path_factory.mktemp("lab")
    port, token = free_port(), secrets.token_hex(16)
    env, logs = figure_log_env(tmp)
    base = f"http://127.0.0.1:{port}"
    with server(
        lab_command(port, token, tmp),
        f"{base}/api/status?token={token}",
        tmp / "lab.log",
        {**isolated_jupyter_env(tmp), **env},
    ):
        yield base, token, logs


@pytest.fixture(scope="module")
def voila(browser, tmp_path_factory):
    """One Voila server for the module, over notebooks/ (dashboards under dashboards/): (base URL, figure logs)."""
    tmp = tmp_path_factory.mktemp("voila")
    port = free_port()
    env, logs = figure_log_env(tmp)
    base = f"http://127.0.0.1:{port}"
    # Voila runs a notebook when its page is fetched, so readiness is any answer from a cheap URL.
    with server(
        voila_command("notebooks", port),
        f"{base}/voila/static/",
        tmp / "voila.log",
        {**isolated_jupyter_env(tmp), **env},
        any_status=True,
    ):
        yield base, logs


def painted(page) -> None:
    """Wait until the browser has laid out and painted the last change (two animation frames): the
    signal a screenshot needs after a scroll, instead of a fixed sleep."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def in_batches(items: list, size: int = PARALLEL_PAGES) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def test_jupyterlab_runs_the_notebook_and_a_control_changes_the_result(browser, lab, screenshots):
    base, token, _ = lab
    stored = (ROOT / LAB_NOTEBOOK).read_bytes()
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(30_000)
    page.goto(f"{base}/lab/workspaces/control/tree/{LAB_NOTEBOOK}?token={token}&reset")
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
    run_all_cells(page)

    summary = page.locator(".widget-html", has_text="accelerators match").first
    summary.wait_for(timeout=KERNEL_RUN_MS)
    page.locator(".widget-slider").first.wait_for()
    before = summary.inner_text()

    # Move the memory slider: type into its readout, as a precise user does, and commit with Enter.
    slider = page.locator(".widget-slider", has_text="memory at least").first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("96")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([el, old]) => el.innerText !== old", arg=[summary.element_handle(), before], timeout=30_000
    )
    after = summary.inner_text()
    assert after != before and "accelerators match" in after, (before, after)
    page.locator(".jp-OutputArea-output .widget-image").first.wait_for()
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").first.click()  # fold the file browser
    slider.evaluate("el => el.scrollIntoView({block: 'start'})")
    painted(page)
    page.screenshot(path=str(screenshots / "jupyterlab.png"))
    page.close()
    assert (ROOT / LAB_NOTEBOOK).read_bytes() == stored, "the browser session saved the notebook"


def voila_command(target: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        target,
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
    ]


def _error_outputs(page):
    return page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
    )


DASHBOARD_CONTROLS = ".widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-select-multiple"


def check_dashboard(page, path: Path, screenshots: Path) -> None:
    """A rendered dashboard page: controls and titled results only (no code, printed text or errors)."""
    controls = page.locator(DASHBOARD_CONTROLS)
    controls.first.wait_for(timeout=KERNEL_RUN_MS)
    page.wait_for_load_state("networkidle", timeout=KERNEL_RUN_MS)
    page.locator(".widget-html table").first.wait_for(timeout=KERNEL_RUN_MS)
    assert _error_outputs(page).count() == 0, _error_outputs(page).first.inner_text()
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .CodeMirror, .cm-editor")
    assert code.count() == 0, f"{path.name} shows code"
    printed = page.locator("[data-mime-type='application/vnd.jupyter.stdout'], [data-mime-type='text/plain']")
    assert printed.count() == 0, f"{path.name} prints text: {printed.first.inner_text()[:200]}"
    text = page.inner_text("body")
    leak = re.search(r"NBVAL|\{'|Traceback|\bNone\b|\bnan\b|from suanli|Panel\(", text)
    assert leak is None, (
        f"{path.name} shows {leak.group(0)!r}: ...{text[max(0, leak.start() - 80) : leak.end() + 80]}..."
    )
    untitled = page.evaluate(
        "() => [...document.querySelectorAll('.widget-html table')].filter("
        "t => !t.querySelector('caption') && !t.closest('table table')).length"
    )
    assert untitled == 0, f"{path.name}: {untitled} table(s) without a title"
    controls.first.evaluate("el => el.scrollIntoView({block: 'start'})")
    painted(page)
    page.screenshot(path=str(screenshots / f"dashboard-{path.stem}.png"))
    if path.stem == "substitution":
        page.screenshot(path=str(screenshots / "voila.png"))


def test_voila_serves_dashboards_with_controls_and_titled_results_only(browser, voila, screenshots):
    """`suanli lab --voila` serves notebooks/dashboards: each page shows controls and results, no code,
    no printed text (dict prints, test lines), no errors; every table has a title. The substitution
    dashboard's picture is also the README's Voila picture. The pages load at once and are checked in turn."""
    assert DASHBOARDS, "notebooks/dashboards holds no dashboard"
    base, _ = voila
    for batch in in_batches(DASHBOARDS):
        pages = []
        for path in batch:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            page.goto(f"{base}/voila/render/dashboards/{path.name}", wait_until="commit", timeout=KERNEL_RUN_MS)
            pages.append((page, path))
        for page, path in pages:
            check_dashboard(page, path, screenshots)
            page.close()


FIGURE_NOTEBOOKS = [p for p in NOTEBOOKS if re.search(r"_figure\(|plt\.|subplots\(", p.read_text())]
"""Notebooks that draw matplotlib figures (the others show widgets and tables only)."""


def test_every_notebook_figure_renders_in_voila(browser, voila):
    """Voila runs each notebook; the page shows one rendered image per cell that made a figure."""
    base, logs = voila
    since = time.time() - 1
    misses = []
    for batch in in_batches(FIGURE_NOTEBOOKS):
        pages = []
        for path in batch:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            page.goto(f"{base}/voila/render/{path.name}", wait_until="commit", timeout=KERNEL_RUN_MS)
            pages.append((page, path))
        for page, path in pages:
            page.wait_for_load_state("load", timeout=KERNEL_RUN_MS)
            misses += figure_misses(page, "body", path, logs, since)
            page.close()
    assert not misses, "\n".join(misses)


def test_every_notebook_figure_renders_in_jupyterlab(browser, lab):
    """Run All in JupyterLab, several notebooks at once: one rendered image per cell that made a figure."""
    base, token, logs = lab
    since = time.time() - 1
    stored = {p: p.read_bytes() for p in FIGURE_NOTEBOOKS}
    misses = []
    for batch in in_batches(FIGURE_NOTEBOOKS):
        pages = []
        for path in batch:  # a workspace per page: tabs sharing one would take turns saving its layout
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            page.goto(f"{base}/lab/workspaces/{path.stem}/tree/notebooks/{path.name}?token={token}&reset")
            page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for()
            run_all_cells(page)
            pages.append((page, path))
        for page, path in pages:
            misses += figure_misses(page, ".jp-NotebookPanel:not(.lm-mod-hidden)", path, logs, since)
            page.close()
    assert not misses, "\n".join(misses)
    assert all(p.read_bytes() == b for p, b in stored.items()), "the browser session saved a notebook"
