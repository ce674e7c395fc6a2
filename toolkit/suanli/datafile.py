"""Reading a plugin's numbers from TOML files, with their sources.

A data file declares its sources once and points every number at one::

    [sources.a100-datasheet]
    citation = "NVIDIA A100 Tensor Core GPU datasheet"
    url = "https://www.nvidia.com/..."
    date = "2021-06"
    confidence = "datasheet"

    [[accelerator]]
    id = "nvidia-a100-sxm4-80gb"
    vendor = "NVIDIA"
    name = "A100 SXM4 80GB"
    source = "a100-datasheet"            # the source of every number below ...
    bf16_tflops = 312
    hbm_tbs = 2.039
    price_usd = [10000, 15000, 20000]    # a range: [low, high] or [low, best, high]
    source_of = { price_usd = "nextplatform-2022" }   # ... except these

A software stack's ``op_profile`` entries and a site's ``latency_ms`` name their source the same
way (``source = "..."`` inside the entry, ``source_of.latency_ms``).

A file may say which plugin contract it is written for with a top-level ``contract = "1.0"``
(:data:`suanli.hookspecs.CONTRACT_VERSION`). Each object is checked on its own: a bad object is
reported (a :class:`DataIssue` in the returned lists, which the catalog reports with the plugin and
the object's id) and the good ones load. A field or table this suanli does not know, as a plugin
written for a newer contract may have, is skipped with a warning, never rejected.

:class:`DataPlugin` turns a package holding such files into a suanli plugin in one line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from suanli.hookspecs import CONTRACT_VERSION, hookimpl
from suanli.spec import ID_PATTERN, SPEC_TYPES, Source, Spec, SpecError

_RESERVED = {"source", "source_of"}
_FILE_KEYS = {"sources", "contract"}


@dataclass(frozen=True)
class DataIssue:
    """One problem in a data file that costs at most one object: ``severity`` ``error`` (the object
    ``obj_id`` of ``kind`` was dropped) or ``warning`` (something was skipped, the object loaded).
    Hooks may return these beside their specs; the catalog reports each with the plugin's name."""

    reason: str
    kind: str = ""
    obj_id: str = ""
    severity: str = "error"


def contract_issue(declared: Any, where: str) -> DataIssue | None:
    """A warning when ``declared`` (a plugin's ``contract``) is malformed or newer than this suanli's."""
    if declared is None:
        return None
    text = str(declared)
    parts = text.split(".")
    if (
        not isinstance(declared, (str, int, float))
        or isinstance(declared, bool)
        or not all(p.isdigit() for p in parts)
        or len(parts) > 2
    ):
        return DataIssue(
            f"{where}: contract {declared!r} is not a version like {CONTRACT_VERSION!r}", severity="warning"
        )
    mine = tuple(int(p) for p in CONTRACT_VERSION.split("."))
    theirs = tuple(int(p) for p in parts) + (0,) * (2 - len(parts))
    if theirs[0] > mine[0] or theirs > mine:
        return DataIssue(
            f"{where}: written for plugin contract {text}, this suanli implements {CONTRACT_VERSION}; "
            "what it does not know is skipped (upgrade suanli to load all of it)",
            severity="warning",
        )
    return None


def parse_range(value: Any) -> tuple[float | None, tuple[float, float] | None]:
    """``[low, high]`` -> (mean, (low, high)); ``[low, best, high]`` -> (best, (low, high)); a number -> (it, None)."""
    if isinstance(value, list):
        if len(value) not in (2, 3) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise SpecError(f"a range is [low, high] or [low, best, high] numbers, got {value!r}")
        low, high = value[0], value[-1]
        if low > high:
            raise SpecError(f"the range {value!r} has low > high")
        best = value[1] if len(value) == 3 else (low + high) / 2
        return best, (float(low), float(high))
    return value, None


def _source(key: Any, table: Mapping[str, Source], *, field_name: str) -> Source:
    if isinstance(key, Source):
        return key
    if isinstance(key, str) and key in table and table[key] is None:
        raise SpecError(f"source {key!r} is declared twice with different contents", field_name=field_name)
    if not isinstance(key, str) or key not in table:
        known = ", ".join(sorted(table)) or "none"
        raise SpecError(f"source {key!r} is not declared under [sources] (declared: {known})", field_name=field_name)
    return table[key]


def known_fields(kind: str) -> set[str]:
    """The fields a data file may give for ``kind`` (besides ``source`` and ``source_of``)."""
    cls = SPEC_TYPES[kind]
    return {
        f for f in cls.__dataclass_fields__ if f not in ("sources", "ranges", "plugin", "op_sources", "latency_source")
    }


def build_spec(
    kind: str,
    raw: Mapping[str, Any],
    source_table: Mapping[str, Source],
    plugin: str = "",
    issues: list[DataIssue] | None = None,
) -> Spec:
    """One spec from one TOML table: ranges split out, sources resolved, then validated.

    Fields this suanli does not know raise :class:`SpecError`, or, when an ``issues`` list is given,
    are skipped with a warning appended to it (so a plugin for a newer contract still loads).
    """
    cls = SPEC_TYPES[kind]
    if not isinstance(raw, Mapping):
        raise SpecError(f"each {kind} is a table of fields, got {type(raw).__name__}", plugin=plugin, kind=kind)
    obj_id = str(raw.get("id", ""))
    try:
        numeric = set(cls.numeric_fields())
        known = known_fields(kind)
        unknown = set(raw) - known - _RESERVED
        if unknown:
            message = (
                f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; {kind} fields are {', '.join(sorted(known))}"
            )
            if issues is None:
                raise SpecError(message)
            issues.append(DataIssue(message + " (skipped)", kind, obj_id, "warning"))
            raw = {k: v for k, v in raw.items() if k not in unknown}
        default = raw.get("source")
        overrides = raw.get("source_of", {}) or {}
        if not isinstance(overrides, Mapping):
            raise SpecError("source_of must be a table of field = source-key", field_name="source_of")
        kwargs: dict[str, Any] = {}
        sources: dict[str, Source] = {}
        ranges: dict[str, tuple[float, float]] = {}
        for name, value in raw.items():
            if name in _RESERVED:
                continue
            if name in numeric:
                central, rng = parse_range(value)
                kwargs[name] = central
                if rng is not None:
                    ranges[name] = rng
                key = overrides.get(name, default)
                if key is None:
                    raise SpecError(
                        "this number has no source; give 'source' for the object or source_of." + name, field_name=name
                    )
                sources[name] = _source(key, source_table, field_name=name)
            else:
                kwargs[name] = value
        if kind == "stack" and "op_profile" in raw:
            profile, op_sources = {}, {}
            if not isinstance(raw["op_profile"], Mapping):
                raise SpecError("op_profile must be a table of operation classes", field_name="op_profile")
            for op, entry in dict(raw["op_profile"]).items():
                if not isinstance(entry, Mapping):
                    raise SpecError(f"op_profile.{op} must be a table", field_name="op_profile")
                entry = dict(entry)
                op_sources[op] = _source(entry.pop("source", default), source_table, field_name=f"op_profile.{op}")
                profile[op] = entry
            kwargs["op_profile"], kwargs["op_sources"] = profile, op_sources
        if kind == "site" and raw.get("latency_ms"):
            kwargs["latency_source"] = _source(
                overrides.get("latency_ms", default), source_table, field_name="latency_ms"
            )
        return cls(**kwargs, sources=sources, ranges=ranges, plugin=plugin)
    except SpecError as err:
        raise err.located(plugin=plugin, kind=kind, obj_id=obj_id) from None
    except (TypeError, ValueError, AttributeError) as err:  # a wrong structure that dataclass construction rejects
        raise SpecError(f"malformed ({err})", plugin=plugin, kind=kind, obj_id=obj_id) from None


def read_sources(doc: Mapping[str, Any], plugin: str = "", issues: list[DataIssue] | None = None) -> dict[str, Source]:
    """The ``[sources]`` table as :class:`Source` objects. A bad entry raises :class:`SpecError`, or,
    when an ``issues`` list is given, is reported there and left out (objects citing it fail alone)."""
    table = {}
    entries = doc.get("sources") or {}
    if not isinstance(entries, Mapping):
        raise SpecError("[sources] must be a table of named sources", plugin=plugin)
    for key, entry in entries.items():
        try:
            if not isinstance(entry, Mapping):
                raise SpecError(
                    f"source {key!r} must be a table (citation, url, date, confidence, note)", plugin=plugin
                )
            try:
                table[key] = Source(**entry)
            except TypeError as err:
                raise SpecError(f"source {key!r}: {err}", plugin=plugin) from None
            except SpecError as err:
                raise SpecError(f"source {key!r}: {err.reason}", plugin=plugin) from None
        except SpecError as err:
            if issues is None:
                raise
            issues.append(DataIssue(err.without_plugin()))
    return table


def load_documents(
    docs: Iterable[tuple[str, Mapping[str, Any]]], plugin: str = ""
) -> dict[str, list[Spec | DataIssue]]:
    """Specs by kind from parsed TOML documents; sources declared in any of them are shared.

    Each object is built on its own: the lists hold the good specs and, for each bad object or
    skipped field, a :class:`DataIssue` (problems with a whole file go into every list; the
    catalog reports each once).
    """
    docs = list(docs)
    table: dict[str, Source | None] = {}  # None: declared twice with different contents
    file_issues: list[DataIssue] = []
    for where, doc in docs:
        found: list[DataIssue] = []
        declared = read_sources(doc, plugin, found)
        file_issues += [DataIssue(f"{where}: {i.reason}", severity=i.severity) for i in found]
        for key, src in declared.items():
            if key in table and table[key] != src:
                file_issues.append(
                    DataIssue(
                        f"{where}: source {key!r} is declared twice with different contents; "
                        "objects citing it are dropped"
                    )
                )
                table[key] = None
                continue
            table.setdefault(key, src)
        issue = contract_issue(doc.get("contract"), where)
        if issue is not None:
            file_issues.append(issue)
    out: dict[str, list[Spec | DataIssue]] = {kind: [] for kind in SPEC_TYPES}
    for where, doc in docs:
        unknown = set(doc) - set(SPEC_TYPES) - _FILE_KEYS
        if unknown:
            file_issues.append(
                DataIssue(
                    f"{where}: unknown table(s) {', '.join(sorted(unknown))} skipped; "
                    f"use {', '.join(SPEC_TYPES)} or sources",
                    severity="warning",
                )
            )
        for kind in SPEC_TYPES:
            rows = doc.get(kind, [])
            if not isinstance(rows, list):
                file_issues.append(DataIssue(f"{where}: {kind} must be an array of tables ([[{kind}]])", kind))
                continue
            for raw in rows:
                issues: list[DataIssue] = []
                try:
                    spec = build_spec(kind, raw, table, plugin, issues)
                except SpecError as err:
                    out[kind].append(DataIssue(err.without_plugin(), kind, err.obj_id))
                else:
                    out[kind].append(spec)
                out[kind].extend(issues)
    for kind in SPEC_TYPES:
        out[kind] = file_issues + out[kind]
    return out


def load_paths(paths: Iterable[Any], plugin: str = "") -> dict[str, list[Spec | DataIssue]]:
    """Specs by kind from TOML files (paths, or ``importlib.resources`` traversables).

    Each file is read on its own: one that cannot be read or is not valid TOML is reported (a
    :class:`DataIssue` in every list) and the other files load."""
    docs, unreadable = [], []
    for path in paths:
        path = Path(path) if isinstance(path, str) else path
        try:
            docs.append((path.name, tomllib.loads(path.read_text(encoding="utf-8"))))
        except tomllib.TOMLDecodeError as err:
            unreadable.append(DataIssue(f"{path.name} is not valid TOML: {err}; its objects are left out"))
        except (OSError, UnicodeDecodeError) as err:
            unreadable.append(
                DataIssue(f"{path.name} cannot be read ({type(err).__name__}: {err}); its objects are left out")
            )
    out = load_documents(docs, plugin)
    for kind in out:
        out[kind] = unreadable + out[kind]
    return out


class DataPlugin:
    """A suanli plugin whose numbers live in the ``*.toml`` files of a package.

    A bundled plugin's ``__init__.py`` is ``plugin = DataPlugin(__name__)`` and its entry point
    names ``package:plugin``. Files are read on the first hook call, not at import.
    """

    def __init__(self, package: str):
        self.package = package
        self._specs: dict[str, list[Spec | DataIssue]] | None = None

    def specs(self) -> dict[str, list[Spec | DataIssue]]:
        if self._specs is None:
            files = [e for e in resources.files(self.package).iterdir() if e.name.endswith(".toml")]
            self._specs = load_paths(sorted(files, key=lambda e: e.name), self.package)
        return self._specs

    @hookimpl
    def suanli_accelerators(self):
        return self.specs()["accelerator"]

    @hookimpl
    def suanli_links(self):
        return self.specs()["link"]

    @hookimpl
    def suanli_stacks(self):
        return self.specs()["stack"]

    @hookimpl
    def suanli_sites(self):
        return self.specs()["site"]


def json_schema() -> dict[str, Any]:
    """The data-file format as JSON Schema (draft 2020-12), generated from the spec dataclasses.

    Published as ``docs/plugin-schema.json`` (a test keeps it equal to this); editors that read JSON
    Schema for TOML (taplo, Even Better TOML) check a plugin's files with it. Unknown fields are
    allowed by the schema because suanli skips them with a warning (a newer contract's fields).
    """
    import dataclasses

    from suanli.spec import CONFIDENCE_LEVELS, OP_CLASSES, SoftwareStack

    source = {
        "type": "object",
        "required": ["citation"],
        "properties": {
            "citation": {
                "type": "string",
                "minLength": 1,
                "description": "who says so: a datasheet, paper, press report",
            },
            "url": {"type": "string"},
            "date": {"type": "string", "description": "when it was published, e.g. 2023-11"},
            "confidence": {"enum": list(CONFIDENCE_LEVELS), "default": "datasheet"},
            "note": {"type": "string", "description": "required for an estimate: how it was made"},
        },
        "additionalProperties": False,
    }
    kinds = {}
    for kind, cls in SPEC_TYPES.items():
        props: dict[str, Any] = {
            "id": {
                "type": "string",
                "pattern": f"^{ID_PATTERN.pattern}$",
                "description": "lowercase words joined by '-'",
            },
            "vendor": {"type": "string", "minLength": 1},
            "name": {"type": "string", "minLength": 1},
            "notes": {"type": "string"},
            "source": {"type": "string", "description": "key of the [sources] entry every number of this object cites"},
            "source_of": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "field = source key, for the numbers with another source",
            },
        }
        required = ["id", "vendor", "name"]
        for f in dataclasses.fields(cls):
            meta = f.metadata
            if "unit" in meta:
                number = {
                    "type": "integer" if meta["integer"] else "number",
                    "minimum": meta["lo"],
                    "maximum": meta["hi"],
                }
                description = f"[{meta['unit']}]" + (f" {meta['hint']}" if meta.get("hint") else "")
                props[f.name] = {
                    "description": description,
                    "oneOf": [
                        number,
                        {
                            "type": "array",
                            "items": number,
                            "minItems": 2,
                            "maxItems": 3,
                            "description": "[low, high] or [low, best, high]",
                        },
                    ],
                }
            elif meta.get("text"):
                props[f.name] = {"enum": list(meta["choices"])} if meta.get("choices") else {"type": "string"}
            else:
                continue
            if meta.get("required"):
                required.append(f.name)
        if cls is SoftwareStack:
            entry = {
                "type": "object",
                "properties": {
                    k: {
                        "oneOf": [
                            {"type": "number"},
                            {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3},
                        ]
                    }
                    for k in SoftwareStack.OP_ENTRY_KEYS
                }
                | {"source": {"type": "string"}},
                "additionalProperties": False,
            }
            props["op_profile"] = {
                "type": "object",
                "properties": dict.fromkeys(OP_CLASSES, entry),
                "additionalProperties": False,
            }
        if kind == "site":
            props["latency_ms"] = {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1000},
                "description": "round-trip latency to each demand centre [ms]",
            }
        kinds[kind] = {
            "type": "array",
            "items": {
                "type": "object",
                "required": required,
                "properties": props,
                "description": (cls.__doc__ or "").strip().splitlines()[0],
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"suanli plugin data file (plugin contract {CONTRACT_VERSION})",
        "description": "A TOML file of a suanli plugin: [sources.KEY] tables and [[accelerator]], [[link]], [[stack]], "
        "[[site]] arrays. Generated from suanli.spec by suanli.datafile.json_schema(); do not edit.",
        "type": "object",
        "properties": {
            "contract": {
                "type": "string",
                "pattern": r"^\d+(\.\d+)?$",
                "description": "the plugin contract this file is written for",
            },
            "sources": {"type": "object", "additionalProperties": source},
            **kinds,
        },
    }
