"""Training-software profiles (Megatron-LM, NeMo, DeepSpeed, ...): the features that move step time.

A :class:`FrameworkProfile` says what a training stack does inside one optimizer step: which
FlashAttention generation it runs (or none), how much of the tensor-, data- and pipeline-parallel
communication it hides behind compute, whether its elementwise kernels are fused, which ZeRO stages
and parallel dimensions it offers. Each value carries the evidence behind it (a :class:`suanli.spec.Source`).

These are NOT the CUDA-compatibility "stacks" of :mod:`suanli.models.compat` (CUDA, CANN, ROCm ...):
a framework runs on top of such a stack. The bundled profiles live in ``suanli/data/frameworks.toml``;
plugins add more through the ``suanli_frameworks`` hook (see :mod:`suanli.hookspecs`).

    >>> from suanli.frameworks import bundled_profiles
    >>> bundled_profiles()["megatron-lm"].flash_attention
    0
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any

from suanli.errors import InputError
from suanli.spec import Source, SpecError

DEFAULT_FRAMEWORK = "default"
"""The profile used when none is named: a current production stack (see its entry in frameworks.toml)."""

FEATURES = (
    "flash_attention",
    "tp_overlap",
    "dp_overlap",
    "pp_overlap",
    "fused_kernels",
    "zero_stages",
    "tensor_parallel",
    "pipeline_parallel",
    "interleaved_pipeline",
    "sequence_parallel",
    "context_parallel",
    "fp8",
    "kernel_efficiency",
)
"""The fields of a profile that change the step-time model; each needs a source in ``evidence``."""


@dataclass(frozen=True)
class FrameworkProfile:
    """What one training stack does that moves step time, each value with its evidence.

    ``flash_attention``: 0 (unfused attention: scores materialised, softmax memory-bound), or the
    FlashAttention generation 1, 2, 3. ``tp_overlap``, ``dp_overlap``, ``pp_overlap``: share of that
    communication hidden behind compute (``dp_overlap`` is the share of the last micro-batch's backward
    usable to hide the gradient reduction). ``fused_kernels``: layernorm/bias/activation/dropout fused.
    ``zero_stages``: the ZeRO / FSDP stages the stack offers (1 = distributed optimizer). The parallel
    flags say which dimensions the layout search may use. ``kernel_efficiency``: share of the chip's
    sustained GEMM rate the stack reaches over a whole layer (kernel gaps, launch, un-modelled small
    ops); ``flexible_interleave``: the interleaved pipeline schedule runs any number of micro-batches of at least
    the stage count (Llama Team 2024, arXiv:2407.21783, Sec 3.3.2), not only multiples of it (Megatron-LM's rule);
    ``None`` takes the calibrated :data:`suanli.models.defaults.STACK_EFFICIENCY`.
    """

    id: str
    name: str
    url: str
    flash_attention: int
    tp_overlap: float
    dp_overlap: float
    pp_overlap: float
    fused_kernels: bool
    zero_stages: tuple[int, ...]
    tensor_parallel: bool = True
    pipeline_parallel: bool = True
    interleaved_pipeline: bool = True
    sequence_parallel: bool = True
    context_parallel: bool = False
    fp8: bool = False
    kernel_efficiency: float | None = None
    flexible_interleave: bool = False
    evidence: dict[str, Source] = field(default_factory=dict)
    notes: str = ""
    plugin: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise SpecError("a framework profile needs an id", kind="framework")
        where = {"kind": "framework", "obj_id": self.id}
        if self.flash_attention not in (0, 1, 2, 3):
            raise SpecError(
                f"flash_attention must be 0 (none) or a FlashAttention generation 1-3, got {self.flash_attention!r}",
                field_name="flash_attention",
                **where,
            )
        for name in ("tp_overlap", "dp_overlap", "pp_overlap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise SpecError(f"must be a share from 0 to 1, got {value!r}", field_name=name, **where)
        if not self.zero_stages or any(z not in (0, 1, 2, 3) for z in self.zero_stages):
            raise SpecError(
                f"must list ZeRO stages from 0 to 3, got {self.zero_stages!r}", field_name="zero_stages", **where
            )
        k = self.kernel_efficiency
        if k is not None and (isinstance(k, bool) or not isinstance(k, (int, float)) or not 0.0 < k <= 1.0):
            raise SpecError(
                f"must be a share above 0 and at most 1, got {k!r}", field_name="kernel_efficiency", **where
            )
        missing = [f for f in FEATURES if f not in self.evidence and not (f == "kernel_efficiency" and k is None)]
        if self.flexible_interleave and "flexible_interleave" not in self.evidence:
            missing.append("flexible_interleave")
        if missing:
            raise SpecError(
                f"every feature needs a source in 'evidence'; missing: {', '.join(missing)}",
                field_name="evidence",
                **where,
            )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the features, then ``evidence`` as feature -> source dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("evidence",)}
        out["zero_stages"] = list(self.zero_stages)
        out["evidence"] = {k: v.as_dict() for k, v in self.evidence.items()}
        return out


def profile_from_dict(
    raw: Mapping[str, Any], sources: Mapping[str, Source] | None = None, plugin: str = ""
) -> FrameworkProfile:
    """A profile from a TOML/dict row; ``evidence`` maps feature -> a source key of ``sources`` or a source dict."""
    raw = dict(raw)
    pid = str(raw.get("id", ""))
    table = sources or {}
    evidence = {}
    for feat, ref in dict(raw.pop("evidence", {}) or {}).items():
        if isinstance(ref, Source):
            evidence[feat] = ref
        elif isinstance(ref, str) and ref in table:
            evidence[feat] = table[ref]
        elif isinstance(ref, Mapping):
            evidence[feat] = Source(**ref)
        else:
            raise SpecError(
                f"evidence for {feat!r} names an unknown source {ref!r}",
                kind="framework",
                obj_id=pid,
                field_name="evidence",
                plugin=plugin,
            )
    raw["zero_stages"] = tuple(int(z) for z in raw.get("zero_stages", (0,)))
    known = {f.name for f in fields(FrameworkProfile)}
    extra = sorted(set(raw) - known)
    if extra:
        raise SpecError(f"unknown field(s) {', '.join(extra)}", kind="framework", obj_id=pid, plugin=plugin)
    try:
        return FrameworkProfile(**raw, evidence=evidence, plugin=plugin)
    except TypeError as err:
        raise SpecError(f"invalid framework profile: {err}", kind="framework", obj_id=pid, plugin=plugin) from None


def read_document(doc: Mapping[str, Any], plugin: str = "") -> list[FrameworkProfile]:
    """The profiles of one parsed TOML document (``[sources.KEY]`` tables and ``[[framework]]`` rows)."""
    sources = {k: Source(**v) for k, v in (doc.get("sources") or {}).items()}
    return [profile_from_dict(row, sources, plugin) for row in doc.get("framework", [])]


@functools.lru_cache(maxsize=1)
def bundled_profiles() -> dict[str, FrameworkProfile]:
    """The profiles shipped with suanli (``suanli/data/frameworks.toml``), by id."""
    with resources.files("suanli.data").joinpath("frameworks.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    return {p.id: p for p in read_document(doc, plugin="suanli")}


def collect(
    pm, infos: Mapping[str, Any], problems: list, problem_type, plugin_info_type
) -> dict[str, FrameworkProfile]:
    """The bundled profiles plus those plugins give through ``suanli_frameworks``, each plugin isolated.

    A plugin that raises or returns bad rows is reported in ``problems`` by name; an id already taken
    (a bundled profile or an earlier plugin) is a conflict and the first keeps it.
    """
    out = dict(bundled_profiles())
    hook = getattr(pm.hook, "suanli_frameworks", None)
    for impl in hook.get_hookimpls() if hook is not None else []:
        info = infos.get(impl.plugin_name, plugin_info_type(impl.plugin_name))
        try:
            items = impl.function()
            if items is None:
                continue
            if not isinstance(items, (list, tuple)):
                raise SpecError(f"suanli_frameworks() returned a {type(items).__name__}, not a list")
            for item in items:
                prof = item if isinstance(item, FrameworkProfile) else profile_from_dict(item, plugin=info.name)
                if prof.id in out:
                    problems.append(
                        problem_type(
                            info,
                            f"conflict: framework {prof.id!r} is already given by "
                            f"{out[prof.id].plugin or 'suanli'!r}, which keeps it",
                        )
                    )
                    continue
                out[prof.id] = prof
        except SpecError as err:
            problems.append(problem_type(info, f"invalid data from suanli_frameworks(): {err.without_plugin()}"))
        except Exception as err:  # noqa: BLE001 - a stranger's plugin must not take the catalog down
            problems.append(problem_type(info, f"suanli_frameworks() raised {type(err).__name__}: {err}"))
    return out


def resolve(framework: str | FrameworkProfile | None, catalog=None) -> FrameworkProfile:
    """The profile for a name (the catalog's, else the bundled ones), a profile as given, or the default."""
    if isinstance(framework, FrameworkProfile):
        return framework
    name = DEFAULT_FRAMEWORK if framework is None else framework
    pool = dict(getattr(catalog, "frameworks", None) or bundled_profiles())
    if not isinstance(name, str) or name not in pool:
        close = difflib.get_close_matches(str(name), pool, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"unknown framework {name!r}{hint} (known: {', '.join(sorted(pool))})")
    return pool[name]
