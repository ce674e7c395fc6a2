"""The vendor contract: the hooks a suanli plugin may implement.

A plugin is a module or object registered under the entry-point group ``suanli``. It implements
any of the hooks below with the :data:`hookimpl` marker::

    from suanli import hookimpl
    from suanli.spec import Accelerator, Source

    @hookimpl
    def suanli_accelerators():
        return [Accelerator(id="acme-x1", vendor="Acme", name="X1", ...)]

Every hook is called once per plugin when a :class:`suanli.catalog.Catalog` loads, with no
arguments. Each plugin's call is isolated: if it raises, or returns something that is not a list
of the right spec, that plugin is reported by name and the others load. Hooks may return dicts in
place of specs; the catalog builds and validates them.

Plugins never import ``suanli.models``: they describe hardware, they do not compute with it, and
they never change suanli's state (module constants, other plugins' specs): the catalog notices,
undoes the change and names the plugin.

**Contract version.** This is plugin contract **1.0** (:data:`CONTRACT_VERSION`): the hooks below, the spec fields of
:mod:`suanli.spec` and the TOML format of :mod:`suanli.datafile` (published as JSON Schema in
``docs/plugin-schema.json``). A plugin says which version it targets with a module or object
attribute ``suanli_contract = "1.0"`` (a TOML file: a top-level ``contract = "1.0"``). A minor
version adds optional fields or hooks; a major version may remove or rename them. suanli loads a
plugin written for a newer contract: fields and tables it does not know are skipped with a
warning (``suanli plugins check --strict`` fails on it), never rejected.
"""

from __future__ import annotations

import pluggy

PROJECT = "suanli"

CONTRACT_VERSION = "1.0"
"""The plugin contract this suanli implements: ``MAJOR.MINOR``."""

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""The marker a plugin puts on its hook implementations."""


@hookspec
def suanli_accelerators():
    """Accelerators this plugin describes.

    Receives: nothing.
    Returns: a list of :class:`suanli.spec.Accelerator` (or dicts of its fields), one per SKU,
    each number with a :class:`suanli.spec.Source`.
    Called: once per plugin, when the catalog loads.
    Contract: since 1.0.
    """


@hookspec
def suanli_links():
    """Interconnect links this plugin describes (scale-up, PCIe, scale-out, cross-site).

    Receives: nothing.
    Returns: a list of :class:`suanli.spec.Link` (or dicts); accelerators refer to them by id in
    ``scaleup_link`` and ``scaleout_link``.
    Called: once per plugin, when the catalog loads.
    Contract: since 1.0.
    """


@hookspec
def suanli_stacks():
    """Software stacks this plugin describes (CUDA, ROCm/HIP, CANN, MUSA, ...).

    Receives: nothing.
    Returns: a list of :class:`suanli.spec.SoftwareStack` (or dicts); accelerators refer to them
    by id in ``stack``.
    Called: once per plugin, when the catalog loads.
    Contract: since 1.0.
    """


@hookspec
def suanli_sites():
    """Sites this plugin describes: regions, East-Data-West-Compute hubs, data centres.

    Receives: nothing.
    Returns: a list of :class:`suanli.spec.Site` (or dicts), with electricity price, PUE, grid
    carbon intensity and latency to demand centres, each sourced.
    Called: once per plugin, when the catalog loads.
    Contract: since 1.0.
    """


@hookspec
def suanli_frameworks():
    """Training-software profiles this plugin describes (Megatron-LM forks, in-house trainers, ...).

    Receives: nothing.
    Returns: a list of :class:`suanli.frameworks.FrameworkProfile` (or dicts of its fields, with
    ``evidence`` mapping each feature of :data:`suanli.frameworks.FEATURES` to a
    :class:`suanli.spec.Source` or a dict of one): the FlashAttention generation, the shares of
    TP/DP/PP communication hidden, fused kernels, the ZeRO stages and parallel dimensions offered.
    ``suanli estimate --framework ID`` uses it. These are not the CUDA-compatibility stacks of
    :func:`suanli_stacks`: a framework runs on top of one.
    Called: once per plugin, when the catalog loads; an id already given by the bundled profiles
    (``suanli/data/frameworks.toml``) or an earlier plugin is a conflict, and the first keeps it.
    Contract: since 1.0.
    """
