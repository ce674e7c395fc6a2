"""Discovering plugins and gathering what they describe into one catalog.

Plugins are found through the entry-point group ``suanli``. Each entry-point load and each hook
call is isolated: a plugin that fails to import, raises, misspells a hook or returns invalid data is
reported by name, distribution and version with the reason, and everything else loads. Two plugins
that give the same id are reported as a conflict naming both (a bundled plugin always keeps its ids;
otherwise the first keeps it). The catalog keeps its own validated copy of every spec, notices a
plugin that changes suanli's shared state while loading, and is cached between command-line calls
(see :func:`load_catalog`).

    >>> cat = load_catalog()
    >>> cat.accelerator("nvidia-h100-sxm5-80gb").hbm_gb
    80
    >>> cat.frame("accelerators")            # a pandas DataFrame
    >>> cat.compare(["nvidia-h100-sxm5-80gb", "huawei-ascend-910b"])

Set ``SUANLI_PLUGINS_BLOCK=name,...`` to skip plugins by entry-point or distribution name.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import difflib
import hashlib
import html
import importlib.util
import os
import pickle
import sys
import tempfile
import time
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from suanli import hookspecs, plugin_guard
from suanli.datafile import DataIssue, contract_issue
from suanli.errors import InputError, PluginWarning, shown
from suanli.spec import SPEC_TYPES, Accelerator, Source, Spec, SpecError

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
    obj_id: str = ""
    kind: str = ""

    def __str__(self) -> str:
        return f"{self.severity}: {self.plugin.label()}: {self.reason}"


@dataclass(eq=False)
class Catalog:
    """Everything the plugins describe, by kind and id, with where each value came from.

    Two catalogs are the same only if they are the same object (equality and hash by identity), so a
    result computed with one is never served for another; see :class:`CatalogCache`.
    """

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
        if not isinstance(kind, str):
            raise CatalogError(f"kind must be a name such as 'accelerators', got {kind!r}")
        plural = kind if kind in KINDS else next((p for p, s in KINDS.items() if s == kind), None)
        if plural is None:
            raise CatalogError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        return getattr(self, plural)

    def get(self, obj_id: str, kind: str | None = None) -> Spec:
        """The spec with this id (of any kind, or of ``kind``); an unknown id suggests close ones."""
        if kind is not None:
            self.view(kind)  # an unknown kind is named before the id is looked at
        views = [kind] if kind else list(KINDS)
        if not isinstance(obj_id, str):  # None or a number: no id, and not hashable-or-comparable as one
            noun = KINDS.get(kind, kind) if kind else "id"
            raise CatalogError(
                f"give {'an' if noun[0] in 'aeiou' else 'a'} {noun} id (a string from `suanli catalog`), got {shown(obj_id)}"
            )
        for view in views:
            found = self.view(view).get(obj_id)
            if found is not None:
                found.validate()  # checked again on its way out: an in-place edit never reaches a model
                return found
        noun = KINDS.get(kind, kind) if kind else "id"
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
        if not isinstance(spec, Spec):
            raise CatalogError(f"record() takes a spec from the catalog (catalog.get(id)), got {spec!r}")
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
        if vendor is not None and not isinstance(vendor, str):
            raise CatalogError(f"vendor must be a vendor name such as 'nvidia', got {vendor!r}")
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

        if isinstance(ids, str) or not isinstance(ids, (list, tuple)):
            raise CatalogError(f"give a list of ids to compare, got {ids!r}")
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

SLOW_PLUGIN_S = 2.0
"""A plugin whose import and hooks take longer than this (seconds; ``SUANLI_PLUGIN_SLOW_S``) is
reported with a warning: every fresh catalog build waits for it."""


def _slow_threshold_s() -> float:
    try:
        value = float(os.environ.get("SUANLI_PLUGIN_SLOW_S", SLOW_PLUGIN_S))
    except ValueError:
        return SLOW_PLUGIN_S
    return value if value > 0 else SLOW_PLUGIN_S


BUNDLED_PLUGINS = {
    "nvidia": "suanli_nvidia:plugin",
    "amd": "suanli_amd:plugin",
    "google": "suanli_google:plugin",
    "intel": "suanli_intel:plugin",
    "huawei": "suanli_huawei:plugin",
    "cambricon": "suanli_cambricon:plugin",
    "hygon": "suanli_hygon:plugin",
    "biren": "suanli_biren:plugin",
    "moorethreads": "suanli_moorethreads:plugin",
    "iluvatar": "suanli_iluvatar:plugin",
    "enflame": "suanli_enflame:plugin",
    "kunlunxin": "suanli_kunlunxin:plugin",
    "metax": "suanli_metax:plugin",
    "network": "suanli_network:plugin",
    "sites": "suanli_sites:plugin",
}
"""The entry points suanli's own distribution declares (``pyproject.toml``; a test keeps the two equal).
Only these count as bundled: another distribution that calls itself ``suanli`` gains nothing."""


def is_bundled(info: PluginInfo) -> bool:
    """Whether a plugin ships with suanli itself (its numbers are reviewed with the code): suanli's
    distribution and one of the entry points it declares (:data:`BUNDLED_PLUGINS`)."""
    return info.distribution == BUNDLED_DISTRIBUTION and BUNDLED_PLUGINS.get(info.name) == info.value


def entry_points() -> list[metadata.EntryPoint]:
    """The installed plugins' entry points: bundled plugins first, then the rest by name."""

    def order(ep: metadata.EntryPoint) -> tuple[bool, str]:
        dist = getattr(ep, "dist", None)
        return (dist is None or dist.metadata["Name"] != BUNDLED_DISTRIBUTION, ep.name)

    return sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=order)


def plugin_info(ep: metadata.EntryPoint) -> PluginInfo:
    """Name, distribution, version and value of one entry point."""
    dist = getattr(ep, "dist", None)
    return PluginInfo(
        name=ep.name,
        distribution=dist.metadata["Name"] if dist is not None else "",
        version=dist.version if dist is not None else "",
        value=ep.value,
    )


_entry_points, _info = entry_points, plugin_info  # the names suanli.testing and older callers use


def _unknown_hooks(plugin: object) -> list[str]:
    """Hook implementations whose names match no hookspec (usually a misspelling)."""
    known = {n for n in dir(hookspecs) if n.startswith("suanli_")}
    names = []
    for attr in dir(plugin):
        if attr.startswith("_"):
            continue
        try:
            value = getattr(plugin, attr)
        except BaseException:  # noqa: BLE001, S112 - a property that raises (or exits) is the plugin's business
            continue
        if hasattr(value, hookspecs.PROJECT + "_impl") and attr not in known:
            names.append(attr)
    return names


def _clean_source(src: Any) -> Source:
    """A fresh :class:`Source` with the same fields (never a plugin's subclass or a shared object)."""
    if not isinstance(src, Source):
        raise SpecError(f"a source must be a suanli.spec.Source, got {type(src).__name__}")
    return Source(**{f.name: getattr(src, f.name) for f in dataclasses.fields(Source)})


def own_copy(spec: Spec, plugin: str) -> Spec:
    """The catalog's own copy of a spec: rebuilt as exactly its suanli class (a plugin's subclass
    cannot override a check or a method), every nested value copied, and validated again, so that
    whatever the plugin does later to the object it returned changes nothing here."""
    cls = SPEC_TYPES[spec.kind]
    values = {}
    for f in dataclasses.fields(cls):
        value = copy.deepcopy(getattr(spec, f.name))
        if f.name in ("sources", "op_sources"):
            value = {k: _clean_source(v) for k, v in value.items()}
        elif f.name == "latency_source" and value is not None:
            value = _clean_source(value)
        values[f.name] = value
    values["plugin"] = plugin
    return cls(**values)


def _as_items(kind: str, item: Any, info: PluginInfo) -> list[tuple[Spec | DataIssue, Any]]:
    """One returned item as the catalog's own validated spec, plus any issues (skipped fields), each
    beside the plugin's own object it came from (None for dicts and issues). Everything returned is
    built from plain values here, so nothing the plugin defined runs after this call."""
    if isinstance(item, DataIssue):
        return [(_clean_issue(item), None)]
    cls = SPEC_TYPES[kind]
    if isinstance(item, Mapping):
        from suanli.datafile import build_spec

        issues: list[DataIssue] = []
        spec = build_spec(kind, dict(item), {}, info.name, issues)
        return [(spec, None), *((_clean_issue(i), None) for i in issues)]
    if not isinstance(item, cls):
        raise SpecError(f"returned a {type(item).__name__} where a {cls.__name__} (or a dict of its fields) belongs")
    return [(own_copy(item, info.name), item)]


def _clean_issue(issue: DataIssue) -> DataIssue:
    """A plain :class:`DataIssue` with text fields (never a plugin's subclass or odd values)."""
    severity = "warning" if _text(issue.severity) == "warning" else "error"
    return DataIssue(_text(issue.reason) or "(no reason given)", _text(issue.kind), _text(issue.obj_id), severity)


def _text(value: Any) -> str:
    """``value`` as a plain ``str`` (a str subclass loses its methods; anything else becomes '')."""
    return str.__str__(value) if isinstance(value, str) else ""


def _spec_error_text(err: SpecError) -> str:
    """The message of a :class:`SpecError` a plugin raised, without its plugin part, as plain text."""
    if type(err) is SpecError:
        return err.without_plugin()
    return plugin_guard.describe(err)


class _NotAList:
    """What a hook returned when it was not a list: only its type's name is kept."""

    def __init__(self, value: Any):
        self.type_name = _text(getattr(type(value), "__name__", "")) or "value"


def _as_list(value: Any) -> list | _NotAList | None:
    """A hook's return value as a plain list (iterated here, inside the guard: a list subclass that
    raises while being read is the plugin's error), None for None, else a :class:`_NotAList`."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        return _NotAList(value)
    return list(value)


def _item_id(item: Any) -> str:
    raw = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", "")
    return _text(raw)


MAX_PROBLEMS_PER_HOOK = 50
"""Problems listed for one hook call; the rest are counted in one more problem (a plugin returning
thousands of bad rows must not bury the others' reports, nor slow the build)."""


class _Loader:
    """One catalog build: plugins loaded in turn, each guarded, timed and checked for side effects."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.seen = set(problems)
        self.muted: dict[str, int] | None = None
        self.interrupts = plugin_guard.Interrupts()
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.cat = Catalog()
        self.owner: dict[tuple[str, str], PluginInfo] = {}
        self.accepted: dict[str, dict[str, Spec]] = {view: {} for view in KINDS}  # what _accept let in, by view
        self.cat_kind = {kind: view for view, kind in KINDS.items()}
        plugin_guard.preload()
        self.state = plugin_guard.SharedState()
        self.process = plugin_guard.ProcessState()
        from suanli.frameworks import bundled_profiles

        self.state.watch("the bundled framework profiles", bundled_profiles())

    def report(self, info: PluginInfo, reason: str, severity: str = "error", obj_id: str = "", kind: str = "") -> None:
        problem = Problem(info, reason, severity, obj_id, kind)
        if problem in self.seen:
            return
        self.seen.add(problem)
        if self.muted is not None:  # past the cap for one hook: counted, not listed
            self.muted[severity] = self.muted.get(severity, 0) + 1
            return
        self.problems.append(problem)

    def load(self, info: PluginInfo, load: Callable[[], object]) -> None:
        started = time.perf_counter()
        obj, err = plugin_guard.call(load, self.interrupts)
        if err is None:
            self._register_and_collect(info, obj)
        else:
            self.report(info, f"failed to load {info.value or 'its entry point'}: {plugin_guard.describe(err)}")
        self._after(info, time.perf_counter() - started)

    def _register_and_collect(self, info: PluginInfo, obj: object) -> None:
        bad = _unknown_hooks(obj)
        if bad:
            known = sorted(n for n in dir(hookspecs) if n.startswith("suanli_"))
            for name in bad:
                hint = difflib.get_close_matches(name, known, n=1)
                self.report(
                    info, f"implements unknown hook {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                )
            return
        try:
            self.pm.register(obj, name=info.name)
            self.pm.check_pending()
        except BaseException as err:
            if self.interrupts.users(err):
                raise
            self.report(info, f"could not be registered: {plugin_guard.describe(err)}")
            if self.pm.is_registered(obj):
                self.pm.unregister(obj)
            return
        self.cat.plugins[info.name] = info
        issue = _contract_of(obj, info)
        if issue is not None:
            self.report(info, issue.reason, issue.severity)
        for kind, hook_name in HOOKS.items():
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin_name == info.name:  # our order (bundled first), never pluggy's tryfirst/trylast
                    self._collect(info, kind, hook_name, impl)
        frameworks = getattr(self.pm.hook, "suanli_frameworks", None)
        for impl in frameworks.get_hookimpls() if frameworks is not None else []:
            if impl.plugin_name == info.name:  # called now, guarded and timed with its plugin; replayed by collect()
                returned = plugin_guard.call(lambda impl=impl: _plain_profiles(impl.function()), self.interrupts)
                impl.function = _replay(*returned)

    def _collect(self, info: PluginInfo, kind: str, hook_name: str, impl) -> None:
        if impl.hookwrapper or getattr(impl, "wrapper", False):
            self.report(info, f"{hook_name}() is a hook wrapper; plugins return data, they do not wrap other plugins")
            return
        items, err = plugin_guard.call(lambda: _as_list(impl.function()), self.interrupts)
        if isinstance(err, SpecError):
            self.report(
                info, f"invalid data from {hook_name}(): {_spec_error_text(err)}", obj_id=_text(err.obj_id), kind=kind
            )
            return
        if err is not None:
            self.report(info, f"{hook_name}() raised {plugin_guard.describe(err)}")
            return
        if items is None:
            return
        if isinstance(items, _NotAList):
            self.report(info, f"{hook_name}() returned a {items.type_name}, not a list")
            return
        target = self.cat.view(kind)
        listed = len(self.problems)
        for item in items:
            if self.muted is None and len(self.problems) - listed >= MAX_PROBLEMS_PER_HOOK:
                self.muted = {}
            built, err = plugin_guard.call(lambda item=item: _as_items(kind, item, info), self.interrupts)
            if err is not None:
                obj_id, _ = plugin_guard.call(lambda item=item: _item_id(item), self.interrupts)
                obj_id = obj_id or ""
                if isinstance(err, SpecError) and type(err) is SpecError:  # suanli's own check, not a plugin's subclass
                    err = err.located(kind=kind, obj_id=obj_id)
                    self.report(info, "invalid data: " + err.without_plugin(), obj_id=err.obj_id, kind=kind)
                else:  # an object that breaks (or exits) on inspection
                    self.report(
                        info, f"invalid data: {kind} {obj_id!r}: {plugin_guard.describe(err)}", obj_id=obj_id, kind=kind
                    )
                continue
            for piece, original in built:
                if isinstance(piece, DataIssue):
                    prefix = "invalid data: " if piece.severity == "error" else ""
                    where = f"{piece.kind or kind} {piece.obj_id!r}: " if piece.obj_id else ""
                    where = "" if piece.reason.startswith(where.rstrip(": ")) else where  # already located
                    where_kind = piece.kind or (kind if piece.obj_id else "")  # a whole file's issue: reported once
                    self.report(info, prefix + where + piece.reason, piece.severity, piece.obj_id, where_kind)
                else:
                    if original is not None:  # the plugin's own object: an edit of it later is noticed
                        self.state.watch(f"{kind} {piece.id!r} as returned by {info.name!r}", original)
                    self._accept(info, kind, piece, target)
        muted, self.muted = self.muted, None
        if muted:
            self.report(
                info,
                f"{hook_name}() had {sum(muted.values()):,} more problems ({muted.get('error', 0):,} errors) not "
                f"listed (the first {MAX_PROBLEMS_PER_HOOK} are)",
                "error" if muted.get("error") else "warning",
            )

    def _accept(self, info: PluginInfo, kind: str, spec: Spec, target: dict[str, Spec]) -> None:
        first = self.owner.get((kind, spec.id))
        if first == info:
            self.report(info, f"{kind} {spec.id!r} is returned twice; the first is kept", obj_id=spec.id, kind=kind)
            return
        if first is not None:  # bundled plugins load first (build_catalog's order), so they keep their ids
            self.report(
                info,
                f"conflict: {kind} {spec.id!r} is given by both plugin {first.name!r} and plugin "
                f"{info.name!r}; {first.name!r} keeps it",
                obj_id=spec.id,
                kind=kind,
            )
            return
        self.owner[(kind, spec.id)] = info
        target[spec.id] = spec
        self.accepted[self.cat_kind[kind]][spec.id] = spec
        self.state.watch(f"{kind} {spec.id!r}", spec)

    def _after(self, info: PluginInfo, seconds: float) -> None:
        in_suanli, in_process, in_catalog = self.state.changes(), self.process.changes(), self._catalog_changes()
        self.process.restore()  # always: a change too small to report is put back as well
        self.process.take()  # modules the plugin imported are watched from now on
        changed = in_suanli + in_process + in_catalog
        if changed:
            failed = self.state.restore(in_suanli) if in_suanli else []
            shown = ", ".join(changed[:6]) + (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
            self.report(
                info,
                f"changed suanli's shared state while loading: {shown}; "
                + ("undone" if not failed else f"could not undo {', '.join(failed)}")
                + " (plugins may only return data)",
                "warning" if not failed else "error",
            )
        if seconds > _slow_threshold_s():
            self.report(
                info,
                f"took {seconds:.1f} s to load (more than {_slow_threshold_s():g} s); every fresh "
                "catalog build waits for it",
                "warning",
            )

    def _catalog_changes(self) -> list[str]:
        """Entries of the catalog being built that were added, replaced or removed other than through
        :meth:`_accept` (a plugin that found the catalog object and edited it); put back as accepted."""
        changed = []
        for kind in KINDS:
            view = self.cat.view(kind)
            accepted = self.accepted[kind]
            for obj_id in sorted(set(view) | set(accepted)):
                if view.get(obj_id) is not accepted.get(obj_id):
                    changed.append(f"the catalog's {KINDS[kind]} {obj_id!r}")
            if changed:
                view.clear()
                view.update(accepted)
        return changed

    def finish(self) -> Catalog:
        from suanli.frameworks import collect

        cat = self.cat
        cat.frameworks = collect(self.pm, cat.plugins, self.problems, Problem, PluginInfo)
        for kind in KINDS:  # a spec edited in place by a later plugin fails here and is dropped
            view = cat.view(kind)
            for obj_id, spec in list(view.items()):
                try:
                    spec.validate()
                except SpecError as err:
                    info = cat.plugins.get(spec.plugin, PluginInfo(spec.plugin))
                    self.report(
                        info, f"invalid data after loading: {err.without_plugin()}", obj_id=obj_id, kind=spec.kind
                    )
                    del view[obj_id]
        self.problems.extend(p for p in cross_reference_problems(cat) if p not in self.problems)
        cat.problems = self.problems
        return cat


def _plain_profiles(value: Any) -> list[dict[str, Any]] | None:
    """What a ``suanli_frameworks`` hook returned, as plain dicts of plain values (read here, inside
    the guard, so that nothing the plugin defined runs later in :func:`suanli.frameworks.collect`)."""
    from suanli.frameworks import FrameworkProfile

    items = _as_list(value)
    if items is None:
        return None
    if isinstance(items, _NotAList):
        raise SpecError(f"suanli_frameworks() returned a {items.type_name}, not a list")
    out = []
    for item in items:
        if isinstance(item, FrameworkProfile):
            row = {f.name: getattr(item, f.name) for f in dataclasses.fields(FrameworkProfile) if f.name != "plugin"}
        elif isinstance(item, Mapping):
            row = dict(item)
        else:
            raise SpecError(
                f"returned a {type(item).__name__} where a FrameworkProfile (or a dict of its fields) belongs"
            )
        row = {_text(k) or repr(k): _plain_value(v) for k, v in row.items()}
        if isinstance(row.get("evidence"), Mapping):
            row["evidence"] = {
                _text(k): _clean_source(v) if isinstance(v, Source) else _plain_value(v)
                for k, v in dict(row["evidence"]).items()
            }
        out.append(row)
    return out


def _plain_value(value: Any) -> Any:
    """A copy of ``value`` made of built-in types only (dicts, lists and tuples of str, float, int, bool)."""
    from suanli.spec import plain

    if isinstance(value, Mapping):
        return {plain(k): _plain_value(v) for k, v in dict(value).items()}
    if isinstance(value, (list, tuple)):
        items = [_plain_value(v) for v in list(value)]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, Source):
        return _clean_source(value)
    return copy.deepcopy(plain(value))


def _replay(value: Any, err: BaseException | None) -> Callable[[], Any]:
    """A hook function that returns what the plugin's hook returned, or raises what it raised (an
    exit or the plugin's own interrupt as an ordinary error, so that the caller reports it)."""

    def replay():
        if err is None:
            return value
        if isinstance(err, Exception):
            raise err
        raise RuntimeError(plugin_guard.describe(err))

    return replay


def _contract_of(obj: object, info: PluginInfo) -> DataIssue | None:
    """The plugin's own ``suanli_contract`` attribute, checked against this suanli's contract."""
    try:
        declared = getattr(obj, "suanli_contract", None)
    except Exception:  # noqa: BLE001
        return None
    return contract_issue(declared, "the plugin")


def build_catalog(
    plugins: Iterable[tuple[PluginInfo, Callable[[], object]]],
    problems: list[Problem] | None = None,
) -> Catalog:
    """Register plugins and gather their specs, isolating each plugin's failures.

    ``plugins`` yields (info, load) pairs; ``load()`` returns the plugin object (an entry point's
    ``load``, or ``lambda: module``), so that an import error is caught and reported by name.
    Plugins load one at a time in the order given, bundled plugins first: each plugin's hooks are
    called in that order whatever ``tryfirst``/``trylast`` they carry, so a bundled id always stays
    with the bundled plugin and the newcomer is the one reported. Any exception a plugin raises,
    ``SystemExit`` and its own ``KeyboardInterrupt`` included, is reported (a real Ctrl-C still
    stops the program; see :mod:`suanli.plugin_guard`). Each plugin's load is timed, and a plugin
    that changes suanli's shared state (a model constant, a class, another plugin's spec) is named
    and the change undone.
    """
    global _BUILDING
    pairs = list(plugins)
    order = sorted(range(len(pairs)), key=lambda i: (not is_bundled(pairs[i][0]), i))
    if _BUILDING:
        raise CatalogError("a plugin asked for the catalog while the catalog was loading; plugins only return data")
    _BUILDING = True
    try:
        loader = _Loader(list(problems or []))
        with loader.interrupts:
            for i in order:
                loader.load(*pairs[i])
            return loader.finish()
    finally:
        _BUILDING = False


_BUILDING = False


def cross_reference_problems(cat: Catalog) -> list[Problem]:
    """Warnings for ids an accelerator names that no plugin describes (links, stacks)."""
    found = []
    for acc in cat.accelerators.values():
        info = cat.plugins.get(acc.plugin, PluginInfo(acc.plugin))
        for attr, view in (("scaleup_link", cat.links), ("scaleout_link", cat.links), ("stack", cat.stacks)):
            ref = getattr(acc, attr)
            if ref and ref not in view:
                found.append(
                    Problem(
                        info,
                        f"accelerator {acc.id!r} names {attr} {ref!r}, which no plugin describes",
                        "warning",
                        acc.id,
                        "accelerator",
                    )
                )
    return found


def discover(block: Iterable[str] | None = None) -> Catalog:
    """Load every installed plugin of the entry-point group ``suanli`` into a new Catalog."""
    blocked = set(block) if block is not None else _blocked()
    pairs = []
    for ep in entry_points():
        info = plugin_info(ep)
        if info.name in blocked or info.distribution in blocked:
            continue
        pairs.append((info, ep.load))
    return build_catalog(pairs)


# -- caches that belong to a catalog ------------------------------------------------------------


class CatalogCache:
    """Values computed from a catalog, kept as long as that catalog object lives and no longer.

    One table per catalog, weakly keyed by the catalog itself (never by ``id()``, which Python reuses
    once an object is gone), with at most ``maxsize`` entries each (least recently used dropped first).
    Nothing here keeps a catalog alive::

        _CURVES = CatalogCache(maxsize=512)
        curve = _CURVES.get(cat, key)
        if curve is None:
            curve = _CURVES.put(cat, key, build(cat, key))
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = int(maxsize)
        self._tables: weakref.WeakKeyDictionary[Catalog, OrderedDict] = weakref.WeakKeyDictionary()

    def get(self, catalog: Catalog, key: Any, default: Any = None) -> Any:
        """The value stored for ``key`` under ``catalog`` (``default`` when none)."""
        table = self._tables.get(catalog)
        if table is None or key not in table:
            return default
        table.move_to_end(key)
        return table[key]

    def put(self, catalog: Catalog, key: Any, value: Any) -> Any:
        """Store ``value`` for ``key`` under ``catalog`` and return it."""
        table = self._tables.setdefault(catalog, OrderedDict())
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.maxsize:
            table.popitem(last=False)
        return value

    def values(self, catalog: Catalog | None = None) -> list[Any]:
        """Every stored value (of one catalog, or of all live ones)."""
        tables = [self._tables.get(catalog) or {}] if catalog is not None else list(self._tables.values())
        return [v for table in tables for v in table.values()]

    def catalogs(self) -> int:
        """How many live catalogs have a table here."""
        return len(self._tables)

    def clear(self) -> None:
        self._tables.clear()


# -- the catalog between calls ------------------------------------------------------------------

CACHE_FORMAT = 1
"""Bumped when the cached file's layout changes."""

CACHE_KEEP = 16
"""Cached catalogs kept (newest first); older ones are deleted when a new one is written."""

_CACHE: dict[str, Catalog] = {}
__unguarded__ = ("_CACHE", "_BUILDING", "_WARNED")


def cache_dir() -> Path | None:
    """Where built catalogs are kept between command-line calls: ``SUANLI_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/suanli`` or ``~/.cache/suanli``; None when ``SUANLI_CACHE=0``."""
    if os.environ.get("SUANLI_CACHE", "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    if os.environ.get("SUANLI_CACHE_DIR"):
        return Path(os.environ["SUANLI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "suanli"


def _tree_stamp(path: Path) -> tuple[int, int]:
    """(number of files, newest mtime in ns) under ``path``: an edited editable install changes it."""
    count, newest = 0, 0
    if path.is_file():
        return 1, path.stat().st_mtime_ns
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        for name in files:
            try:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime_ns)
            except OSError:
                continue
            count += 1
    return count, newest


def _module_path(value: str) -> Path | None:
    top = value.split(":")[0].split(".")[0].strip()
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if found is None or not found.origin or found.origin in ("built-in", "frozen"):
        return None
    origin = Path(found.origin)
    return origin.parent if origin.name == "__init__.py" else origin


def cache_key(blocked: Iterable[str]) -> str:
    """A digest of everything the catalog is built from: suanli's version and code, the contract,
    every installed plugin (entry point, distribution, version, location) and the files of its
    package (their count and newest mtime, so that an edit of an editable install shows)."""
    import suanli

    parts: list[Any] = [
        CACHE_FORMAT,
        suanli.__version__,
        hookspecs.CONTRACT_VERSION,
        sorted(blocked),
        sys.version,
        _tree_stamp(Path(suanli.__file__).parent),
    ]
    for ep in entry_points():
        info = plugin_info(ep)
        dist = getattr(ep, "dist", None)
        where = str(getattr(dist, "_path", "")) if dist is not None else ""
        path = _module_path(ep.value)
        parts.append(
            (
                info.name,
                info.value,
                info.distribution,
                info.version,
                where,
                str(path),
                _tree_stamp(path) if path else None,
            )
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _read_cached(path: Path) -> Catalog | None:
    try:
        with open(path, "rb") as handle:
            fmt, cat = pickle.load(handle)
    except Exception:  # noqa: BLE001 - unreadable, truncated, from another version: rebuild
        return None
    if fmt != CACHE_FORMAT or not isinstance(cat, Catalog):
        return None
    try:
        for view in KINDS:
            for spec in cat.view(view).values():
                spec.validate()
    except Exception:  # noqa: BLE001 - a cache file that does not hold valid specs is not used
        return None
    return cat


def _write_cached(path: Path, cat: Catalog) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump((CACHE_FORMAT, cat), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except Exception:  # noqa: BLE001 - a read-only home or a full disk: work without the cache
        with contextlib.suppress(Exception):
            os.unlink(handle.name)
        return
    with contextlib.suppress(OSError):  # keep the newest few: each suanli or plugin change makes a new key
        old = sorted(path.parent.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[CACHE_KEEP:]
        for stale in old:
            stale.unlink()


def load_catalog(refresh: bool = False) -> Catalog:
    """The catalog of installed plugins.

    Loaded once per process (``refresh=True`` rebuilds it), and kept between processes in
    :func:`cache_dir` under a key of the installed plugin distributions, their versions and files
    (:func:`cache_key`), so that a command does not import every plugin again; a missing or
    unreadable cache file is simply rebuilt. When plugins had problems, a :class:`PluginWarning`
    says so once per build (the command line prints one line instead).
    """
    if not isinstance(refresh, bool):
        raise CatalogError(f"refresh must be True or False, got {shown(refresh)}")
    blocked = _blocked()
    key = ",".join(sorted(blocked))
    if refresh or key not in _CACHE:
        where = cache_dir()
        path = where / f"catalog-{cache_key(blocked)}.pickle" if where is not None else None
        cat = _read_cached(path) if (path is not None and not refresh) else None
        if cat is None:
            cat = discover(blocked)
            if path is not None:
                _write_cached(path, cat)
        _CACHE[key] = cat
        if cat.problems:
            warnings.warn(problem_summary(cat), PluginWarning, stacklevel=_outside_suanli())
    return _CACHE[key]


def _outside_suanli() -> int:
    """The ``stacklevel`` that points a warning issued by the caller at the first frame outside suanli
    (the user's own line in a notebook or script, not suanli's internals)."""
    frame, level = sys._getframe(2), 2  # the caller's caller is level 2 of warnings.warn in the caller
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "suanli":
        frame, level = frame.f_back, level + 1
    return level


def loaded_catalog() -> Catalog | None:
    """The catalog this process has loaded, if any (the command line reports its problems)."""
    return _CACHE.get(",".join(sorted(_blocked())))


def problem_summary(cat: Catalog) -> str:
    """One sentence: how many plugin problems, from which plugins, and where to read them."""
    errors = sum(p.severity == "error" for p in cat.problems)
    names = list(dict.fromkeys(p.plugin.name for p in cat.problems))
    shown = ", ".join(repr(n) for n in names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return (
        f"{len(cat.problems)} plugin problem{'s' if len(cat.problems) != 1 else ''} ({errors} error"
        f"{'s' if errors != 1 else ''}) in {shown}; run `suanli plugins check` for details"
    )
