"""Discovering plugins and gathering what they describe into one catalog.

Plugins are found through the entry-point group ``suanli``. Each entry-point load and each hook
call is isolated: a plugin that fails to import, raises, misspells a hook or returns invalid data is
reported by name, distribution and version with the reason, and everything else loads. Two plugins
that give the same id are reported as a conflict naming both (the first keeps the id).

    >>> cat = load_catalog()
    >>> cat.accelerator("nvidia-h100-sxm5-80gb").hbm_gb
    80
    >>> cat.frame("accelerators")            # a pandas DataFrame
    >>> cat.compare(["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"])

Set ``SUANLI_PLUGINS_BLOCK=name,...`` to skip plugins by entry-point or distribution name.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from suanli import hookspecs
from suanli.errors import InputError
from suanli.spec import SPEC_TYPES, Accelerator, Spec, SpecError

ENTRY_POINT_GROUP = "suanli"

KINDS = {"accelerators": "accelerator", "links": "link", "stacks": "stack", "sites": "site"}
"""Plural view names -> spec kinds."""

HOOKS = {"accelerator": "suanli_accelerators", "link": "suanli_links", "stack": "suanli_stacks", "site": "suanli_sites"}


class CatalogError(InputError):
    """The catalog cannot answer: an unknown id, an unknown view, a strict check that failed."""


@dataclass(frozen=True)
class PluginInfo:
    """A plugin as discovered: its entry-point name, distribution and version."""

    name: str
    distribution: str = ""
    version: str = ""
    value: str = ""

    def label(self) -> str:
        dist = f" ({self.distribution} {self.version})".rstrip() if self.distribution else ""
        return f"plugin {self.name!r}{dist}"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one plugin. ``severity`` is ``error`` (content dropped) or ``warning``."""

    plugin: PluginInfo
    reason: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.plugin.label()}: {self.reason}"


@dataclass
class Catalog:
    """Everything the plugins describe, by kind and id, with where each value came from."""

    accelerators: dict[str, Accelerator] = field(default_factory=dict)
    links: dict[str, Spec] = field(default_factory=dict)
    stacks: dict[str, Spec] = field(default_factory=dict)
    sites: dict[str, Spec] = field(default_factory=dict)
    frameworks: dict[str, Any] = field(default_factory=dict)  # training-software profiles (suanli.frameworks)
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    # -- lookup -------------------------------------------------------------------------------
    def view(self, kind: str) -> dict[str, Spec]:
        """The specs of one kind, by id. ``kind`` is plural (``accelerators``) or singular."""
        plural = kind if kind in KINDS else next((p for p, s in KINDS.items() if s == kind), None)
        if plural is None:
            raise CatalogError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return getattr(self, plural)

    def get(self, obj_id: str, kind: str | None = None) -> Spec:
        """The spec with this id (of any kind, or of ``kind``); an unknown id suggests close ones."""
        views = [kind] if kind else list(KINDS)
        if not isinstance(obj_id, str):  # None or a number: no id, and not hashable-or-comparable as one
            noun = (KINDS.get(kind, kind) if kind else "id")
            raise CatalogError(f"give {'an' if noun[0] in 'aeiou' else 'a'} {noun} id (a string from `suanli catalog`), got {obj_id!r}")
        for view in views:
            found = self.view(view).get(obj_id)
            if found is not None:
                return found
        noun = (KINDS.get(kind, kind) if kind else "id")
        pool = [i for v in views for i in self.view(v)]
        raise CatalogError(f"unknown {noun} {obj_id!r}{_did_you_mean(obj_id, pool)}")

    def accelerator(self, obj_id: str) -> Accelerator:
        return self.get(obj_id, "accelerators")  # type: ignore[return-value]

    def link(self, obj_id: str) -> Spec:
        return self.get(obj_id, "links")

    def stack(self, obj_id: str) -> Spec:
        return self.get(obj_id, "stacks")

    def site(self, obj_id: str) -> Spec:
        return self.get(obj_id, "sites")

    def __len__(self) -> int:
        return sum(len(self.view(k)) for k in KINDS)

    # -- records and tables -------------------------------------------------------------------
    def record(self, spec: Spec) -> dict[str, Any]:
        """A JSON-ready dict of one spec: its fields, sources, plugin version and derived metrics."""
        out = spec.as_dict()
        info = self.plugins.get(spec.plugin)
        if info is not None:
            out["plugin_version"] = info.version
        if isinstance(spec, Accelerator):
            from suanli.models.export import derived_sources, export_timeline

            out.update(derived_metrics(spec))
            out.setdefault("sources", {}).update(derived_sources(spec))
            out["export_timeline"] = export_timeline(spec)
        return out

    def records(self, kind: str = "accelerators", vendor: str | None = None) -> list[dict[str, Any]]:
        specs = self.view(kind).values()
        if vendor:
            want = vendor.lower()
            specs = [s for s in specs if s.vendor.lower() == want or s.id.startswith(want + "-")]
        return [self.record(s) for s in specs]

    def frame(self, kind: str = "accelerators", vendor: str | None = None):
        """One view as a pandas DataFrame indexed by id (sources left out; see :meth:`provenance`)."""
        import pandas as pd

        rows = []
        for rec in self.records(kind, vendor):
            rows.append({k: v for k, v in rec.items() if not isinstance(v, (dict, list)) or k == "ranges"})
        df = pd.DataFrame(rows)
        return df.set_index("id") if not df.empty else df

    def compare(self, ids: Sequence[str]):
        """Specs side by side (a DataFrame: one column per id, one row per field)."""
        import pandas as pd

        if not ids:
            raise CatalogError("give at least one id to compare")
        specs = [self.get(i) for i in ids]
        kinds = {s.kind for s in specs}
        if len(kinds) > 1:
            raise CatalogError(f"cannot compare different kinds side by side: {', '.join(sorted(kinds))}")
        columns = {}
        for spec in specs:
            rec = self.record(spec)
            columns[spec.id] = {k: v for k, v in rec.items() if not isinstance(v, (dict, list)) and k != "id"}
        return pd.DataFrame(columns)

    def provenance(self, obj_id: str):
        """Where every number of one spec comes from: value, unit, source, confidence, plugin, version."""
        import pandas as pd

        spec = self.get(obj_id)
        info = self.plugins.get(spec.plugin, PluginInfo(spec.plugin))
        rows = []
        for name, value in spec.numbers().items():
            src = spec.sources[name]
            rng = spec.ranges.get(name)
            rows.append(
                {
                    "field": name,
                    "value": value,
                    "range": f"{rng[0]:g}..{rng[1]:g}" if rng else "",
                    "unit": spec.unit_of(name),
                    "confidence": src.confidence,
                    "citation": src.citation,
                    "url": src.url,
                    "date": src.date,
                    "note": src.note,
                    "plugin": info.name,
                    "version": info.version,
                }
            )
        return pd.DataFrame(rows).set_index("field")

    def _repr_html_(self) -> str:
        counts = ", ".join(f"{len(self.view(k))} {k}" for k in KINDS)
        rows = "".join(
            f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(p.distribution)}</td><td>{html.escape(p.version)}</td></tr>"
            for p in self.plugins.values()
        )
        problems = "".join(f"<li>{html.escape(str(p))}</li>" for p in self.problems)
        return (
            f"<div><b>suanli catalog</b>: {counts} from {len(self.plugins)} plugins"
            f"<details><summary>plugins</summary><table><tr><th>plugin</th><th>distribution</th><th>version</th></tr>{rows}</table></details>"
            + (f"<p style='color:#b00'>Problems:</p><ul>{problems}</ul>" if problems else "")
            + "</div>"
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self.view(k))} {k}" for k in KINDS)
        return f"<Catalog {counts}; {len(self.plugins)} plugins; {len(self.problems)} problems>"


def derived_metrics(acc: Accelerator) -> dict[str, Any]:
    """Export-control metrics computed from the spec (never typed by hand)."""
    from suanli.models.export import classify_accelerator

    return classify_accelerator(acc)


def _did_you_mean(word: str, pool: Iterable[str]) -> str:
    pool = list(pool)
    close = difflib.get_close_matches(word.lower(), pool, n=3, cutoff=0.5)
    close += [p for p in pool if word.lower() in p and p not in close][: 3 - len(close)]
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "; see `suanli catalog`"


# -- discovery ----------------------------------------------------------------------------------


def _blocked() -> set[str]:
    raw = os.environ.get("SUANLI_PLUGINS_BLOCK", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


BUNDLED_DISTRIBUTION = "suanli"


def _entry_points() -> list[metadata.EntryPoint]:
    """Bundled plugins first, then the rest by name: on an id conflict the earlier one keeps the id,
    so a third-party plugin can never silently replace a bundled, reviewed number."""

    def order(ep: metadata.EntryPoint) -> tuple[bool, str]:
        dist = getattr(ep, "dist", None)
        return (dist is None or dist.metadata["Name"] != BUNDLED_DISTRIBUTION, ep.name)

    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=order)


def _info(ep: metadata.EntryPoint) -> PluginInfo:
    dist = getattr(ep, "dist", None)
    return PluginInfo(
        name=ep.name,
        distribution=dist.metadata["Name"] if dist is not None else "",
        version=dist.version if dist is not None else "",
        value=ep.value,
    )


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _unknown_hooks(plugin: object) -> list[str]:
    """Hook implementations whose names match no hookspec (usually a misspelling)."""
    known = {n for n in dir(hookspecs) if n.startswith("suanli_")}
    names = []
    for attr in dir(plugin):
        if attr.startswith("_"):
            continue
        try:
            value = getattr(plugin, attr)
        except Exception:  # a property that raises is the plugin's business, not a hook
            continue
        if hasattr(value, hookspecs.PROJECT + "_impl") and attr not in known:
            names.append(attr)
    return names


def _as_spec(kind: str, item: Any, info: PluginInfo) -> Spec:
    cls = SPEC_TYPES[kind]
    if isinstance(item, Mapping):
        from suanli.datafile import build_spec

        return build_spec(kind, item, {}, info.name)
    if not isinstance(item, cls):
        raise SpecError(f"returned a {type(item).__name__} where a {cls.__name__} (or a dict of its fields) belongs")
    if item.plugin != info.name:
        item = dataclasses.replace(item, plugin=info.name)
    return item


def build_catalog(
    plugins: Iterable[tuple[PluginInfo, Callable[[], object]]],
    problems: list[Problem] | None = None,
) -> Catalog:
    """Register plugins and gather their specs, isolating each plugin's failures.

    ``plugins`` yields (info, load) pairs; ``load()`` returns the plugin object (an entry point's
    ``load``, or ``lambda: module``), so that an import error is caught and reported by name.
    """
    problems = list(problems or [])
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    for info, load in plugins:
        try:
            obj = load()
        except Exception as err:  # anything a stranger's import can raise
            problems.append(Problem(info, f"failed to load {info.value or 'its entry point'}: {_short(err)}"))
            continue
        bad = _unknown_hooks(obj)
        if bad:
            known = sorted(n for n in dir(hookspecs) if n.startswith("suanli_"))
            for name in bad:
                hint = difflib.get_close_matches(name, known, n=1)
                problems.append(Problem(info, f"implements unknown hook {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")))
            continue
        try:
            pm.register(obj, name=info.name)
        except Exception as err:
            problems.append(Problem(info, f"could not be registered: {_short(err)}"))
            continue
        infos[info.name] = info
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:  # a case _unknown_hooks missed: drop that plugin
        name = pm.get_name(err.plugin) or "?"
        problems.append(Problem(infos.pop(name, PluginInfo(name)), _short(err)))
        pm.unregister(err.plugin)

    cat = Catalog(plugins=infos)
    owner: dict[tuple[str, str], str] = {}
    for kind, hook_name in HOOKS.items():
        target = cat.view(kind)
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            info = infos.get(impl.plugin_name, PluginInfo(impl.plugin_name))
            try:
                items = impl.function()
            except SpecError as err:
                problems.append(Problem(info, f"invalid data from {hook_name}(): {err.without_plugin()}"))
                continue
            except Exception as err:
                problems.append(Problem(info, f"{hook_name}() raised {_short(err)}"))
                continue
            if items is None:
                continue
            if not isinstance(items, (list, tuple)):
                problems.append(Problem(info, f"{hook_name}() returned a {type(items).__name__}, not a list"))
                continue
            for item in items:
                try:
                    spec = _as_spec(kind, item, info)
                except SpecError as err:
                    problems.append(Problem(info, "invalid data: " + err.located(kind=kind).without_plugin()))
                    continue
                first = owner.get((kind, spec.id))
                if first is not None:
                    problems.append(
                        Problem(info, f"conflict: {kind} {spec.id!r} is given by both plugin {first!r} and plugin {info.name!r}; {first!r} keeps it")
                    )
                    continue
                owner[(kind, spec.id)] = info.name
                target[spec.id] = spec
    from suanli.frameworks import collect

    cat.frameworks = collect(pm, infos, problems, Problem, PluginInfo)
    problems.extend(cross_reference_problems(cat))
    cat.problems = problems
    return cat


def cross_reference_problems(cat: Catalog) -> list[Problem]:
    """Warnings for ids an accelerator names that no plugin describes (links, stacks)."""
    found = []
    for acc in cat.accelerators.values():
        info = cat.plugins.get(acc.plugin, PluginInfo(acc.plugin))
        for attr, view in (("scaleup_link", cat.links), ("scaleout_link", cat.links), ("stack", cat.stacks)):
            ref = getattr(acc, attr)
            if ref and ref not in view:
                found.append(Problem(info, f"accelerator {acc.id!r} names {attr} {ref!r}, which no plugin describes", "warning"))
    return found


def discover(block: Iterable[str] | None = None) -> Catalog:
    """Load every installed plugin of the entry-point group ``suanli`` into a new Catalog."""
    blocked = set(block) if block is not None else _blocked()
    pairs = []
    for ep in _entry_points():
        info = _info(ep)
        if info.name in blocked or info.distribution in blocked:
            continue
        pairs.append((info, ep.load))
    return build_catalog(pairs)


_CACHE: dict[str, Catalog] = {}


def load_catalog(refresh: bool = False) -> Catalog:
    """The catalog of installed plugins, loaded once per process (``refresh=True`` reloads)."""
    key = os.environ.get("SUANLI_PLUGINS_BLOCK", "")
    if refresh or key not in _CACHE:
        _CACHE[key] = discover()
    return _CACHE[key]
