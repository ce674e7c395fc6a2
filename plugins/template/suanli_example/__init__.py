"""An example suanli vendor plugin: it describes Google's Cloud TPU v3.

Each hook returns specs built from ``chips.toml``, where every number names its source. The
hooks are plain functions marked with ``suanli.hookimpl``; implement only the ones you need.
(Bundled plugins say the same in one line: ``plugin = suanli.datafile.DataPlugin(__name__)``.)
"""

from functools import cache
from importlib.resources import files

from suanli import hookimpl
from suanli.datafile import load_paths

suanli_contract = "1.0"  # the suanli plugin contract this plugin is written for


@cache
def _specs():
    return load_paths([files(__name__) / "chips.toml"], plugin="example")


@hookimpl
def suanli_accelerators():
    """Our accelerators (suanli.spec.Accelerator), one per SKU."""
    return _specs()["accelerator"]


@hookimpl
def suanli_links():
    """Our interconnects (suanli.spec.Link); none in this example."""
    return _specs()["link"]
