"""What plugins describe: accelerators, links, software stacks and sites.

Every spec is a frozen dataclass whose numeric fields carry their unit in the name
(``bf16_tflops``, ``hbm_gb``, ``tdp_w``) and whose every number has a :class:`Source`.
Specs validate themselves on construction: a missing field, a wrong type or a value outside
its physical range raises :class:`SpecError`, naming the plugin, the object and the field, so
that a vendor sees at once which line of its data file is wrong.

Numbers may be known only as a range. A range is written ``[low, high]`` (the central value is
their mean) or ``[low, best, high]``; the central value goes into the field and the range into
``ranges``, where the uncertainty model finds it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from suanli.errors import SuanliError
from suanli.hookspecs import CONTRACT_VERSION

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9.+-]*")
"""What an id may be (the JSON Schema of the data files says the same)."""

CONFIDENCE_LEVELS = ("datasheet", "paper", "measured", "press", "estimate")
"""How firm a number is, firmest first. ``estimate`` must say how it was made."""


class SpecError(SuanliError, ValueError):
    """A plugin's data is invalid. The message names the plugin, the object and the field."""

    def __init__(self, reason: str, *, plugin: str = "", kind: str = "", obj_id: str = "", field_name: str = ""):
        self.reason = reason
        self.plugin = plugin
        self.kind = kind
        self.obj_id = obj_id
        self.field_name = field_name
        super().__init__(self._message())

    def _message(self, with_plugin: bool = True) -> str:
        where = []
        if self.plugin and with_plugin:
            where.append(f"plugin {self.plugin!r}")
        if self.kind or self.obj_id:
            where.append(f"{self.kind or 'object'} {self.obj_id!r}" if self.obj_id else self.kind)
        if self.field_name:
            where.append(f"field {self.field_name!r}")
        return (", ".join(where) + ": " if where else "") + self.reason

    def without_plugin(self) -> str:
        """The message without the plugin's name (for reports that already name it)."""
        return self._message(with_plugin=False)

    def located(self, **where: str) -> SpecError:
        """The same error with missing location parts filled in (the catalog knows the plugin)."""
        now = {"plugin": self.plugin, "kind": self.kind, "obj_id": self.obj_id, "field_name": self.field_name}
        for key, value in where.items():
            if not now.get(key):
                now[key] = value
        return SpecError(self.reason, **now)


@dataclass(frozen=True)
class Source:
    """Where a number comes from and how sure it is.

    ``confidence`` is one of :data:`CONFIDENCE_LEVELS`. An ``estimate`` says in ``note`` how it
    was made.
    """

    citation: str
    url: str = ""
    date: str = ""
    confidence: str = "datasheet"
    note: str = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, plain(getattr(self, f.name)))
        if not isinstance(self.citation, str) or not self.citation.strip():
            raise SpecError("a source needs a non-empty citation")
        if self.confidence not in CONFIDENCE_LEVELS:
            raise SpecError(f"confidence {self.confidence!r} is not one of {', '.join(CONFIDENCE_LEVELS)}")
        if self.confidence == "estimate" and not self.note.strip():
            raise SpecError(f"the estimate {self.citation!r} must say how it was made (a 'note')")

    def as_dict(self) -> dict[str, str]:
        """citation, url, date and confidence always (url and date may be empty); note when there is one."""
        out = {"citation": self.citation, "url": self.url, "date": self.date, "confidence": self.confidence}
        if self.note:
            out["note"] = self.note
        return out


class FrozenMap(dict):
    """A read-only dict: the mappings inside a spec (sources, ranges, profiles) cannot be edited in
    place, so a spec handed out stays what was validated. Pickles and copies as a FrozenMap."""

    def _read_only(self, *args, **kwargs):
        raise TypeError("a spec's mappings are read-only; build a new spec with dataclasses.replace")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenMap, (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        import copy

        return FrozenMap({key: copy.deepcopy(value, memo) for key, value in self.items()})


def plain(value: Any) -> Any:
    """``value`` with a subclass of ``str``, ``float`` or ``int`` (or a tuple of them) turned into the
    built-in type itself, so that a plugin's number or id cannot bring its own arithmetic, hashing or
    comparison into the models (a float subclass whose ``*`` returns 1e30, say). Booleans stay booleans."""
    kind = type(value)
    if kind in (str, float, int, bool) or value is None:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__index__(value)
    if isinstance(value, tuple):
        return tuple(plain(v) for v in tuple.__iter__(value))
    return value


def _frozen(value: Any) -> Any:
    """Mappings (at any depth) as :class:`FrozenMap`, lists as they are (a range stays a list)."""
    if isinstance(value, Mapping):
        return FrozenMap({key: _frozen(item) for key, item in value.items()})
    return value


def num(unit: str, lo: float, hi: float, *, required: bool = False, integer: bool = False, hint: str = ""):
    """A numeric spec field: its unit, its physically plausible range, and whether it is required.

    The range is generous (it exists to catch a number typed in the wrong unit, a sparsity figure
    or a sign error, not to judge a chip).
    """
    meta = {"unit": unit, "lo": lo, "hi": hi, "required": required, "integer": integer, "hint": hint}
    return field(default=None, metadata=meta)


def text(*, required: bool = False, choices: tuple[str, ...] = ()):
    return field(
        default=None if not required else "", metadata={"text": True, "required": required, "choices": choices}
    )


@dataclass(frozen=True)
class Spec:
    """Base of every spec: an id, a vendor, a name, per-field sources and ranges.

    Subclasses declare numeric fields with :func:`num` and text fields with :func:`text`.
    """

    kind: ClassVar[str] = "spec"
    contract: ClassVar[str] = CONTRACT_VERSION
    """The plugin-contract version whose fields this class has (see :mod:`suanli.hookspecs`)."""

    id: str = ""
    vendor: str = ""
    name: str = ""
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    plugin: str = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # nested mappings read-only: the spec cannot change after this check
            value = plain(getattr(self, f.name))
            if f.name == "ranges" and isinstance(value, Mapping):  # (low, high) pairs of built-in floats
                value = {plain(k): plain(tuple(v)) if isinstance(v, (list, tuple)) else v for k, v in value.items()}
            if isinstance(value, Mapping) and not isinstance(value, FrozenMap):
                value = _frozen(value)
            object.__setattr__(self, f.name, value)
        self.validate()

    def validate(self) -> None:
        """Check every field again (raise :class:`SpecError`). The catalog calls it on every spec it is
        given and on every spec it hands out, so a spec edited after construction never reaches a model."""
        try:
            self._validate()
        except SpecError as err:
            raise err.located(plugin=self.plugin, kind=self.kind, obj_id=self.id) from None
        except Exception as err:  # noqa: BLE001 - a field edited into something the checks cannot even compare
            raise SpecError(
                f"invalid content ({type(err).__name__}: {err})",
                plugin=self.plugin,
                kind=self.kind,
                obj_id=str(self.id),
            ) from None

    # -- introspection ------------------------------------------------------------------------
    @classmethod
    def numeric_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if "unit" in f.metadata)

    @classmethod
    def text_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("text"))

    @classmethod
    def unit_of(cls, name: str) -> str:
        return cls.__dataclass_fields__[name].metadata.get("unit", "")

    def numbers(self) -> dict[str, float]:
        """The numeric fields that are set, by name."""
        return {n: getattr(self, n) for n in self.numeric_fields() if getattr(self, n) is not None}

    def source_of(self, name: str) -> Source:
        return self.sources[name]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view: id, vendor, name, text and numeric fields, ranges and sources."""
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "vendor": self.vendor, "name": self.name}
        for n in self.text_fields():
            if getattr(self, n) not in (None, ""):
                out[n] = getattr(self, n)
        out.update(self.numbers())
        out.update(self.extra_dict())
        if self.notes:
            out["notes"] = self.notes
        if self.ranges:
            out["ranges"] = {k: list(v) for k, v in self.ranges.items()}
        out["sources"] = {k: self.sources[k].as_dict() for k in self.numbers()}
        out["plugin"] = self.plugin
        return out

    def extra_dict(self) -> dict[str, Any]:
        """Subclasses add structured fields (mappings) to :meth:`as_dict` here."""
        return {}

    # -- validation ---------------------------------------------------------------------------
    def _validate(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise SpecError("every object needs an 'id'", field_name="id")
        if not ID_PATTERN.fullmatch(self.id):  # ASCII only: no look-alike of another plugin's id
            raise SpecError(
                "ids are lowercase ASCII words joined by '-' (letters, digits, '.', '+'), like 'nvidia-h100-sxm5-80gb'",
                field_name="id",
            )
        for req in ("vendor", "name"):
            if not isinstance(getattr(self, req), str) or not getattr(self, req).strip():
                raise SpecError(f"the {req} is missing", field_name=req)
        for f in dataclasses.fields(self):
            meta = f.metadata
            value = getattr(self, f.name)
            if meta.get("text"):
                self._check_text(f.name, value, meta)
            elif "unit" in meta:
                self._check_number(f.name, value, meta)
        for name, rng in self.ranges.items():
            if name not in self.numbers():
                raise SpecError("a range is given for a field that has no value", field_name=name)
            low, high = rng
            if not low <= getattr(self, name) <= high:
                raise SpecError(
                    f"the range {low}..{high} does not contain the value {getattr(self, name)}", field_name=name
                )
        for name in self.numbers():
            src = self.sources.get(name)
            if not isinstance(src, Source):
                raise SpecError(
                    "this number has no source; give a 'source' for the object or the field", field_name=name
                )
        self.validate_more()

    def validate_more(self) -> None:
        """Subclasses add cross-field checks here (raise :class:`SpecError`)."""

    def _check_text(self, name: str, value: Any, meta: Mapping[str, Any]) -> None:
        if value in (None, ""):
            if meta.get("required"):
                raise SpecError("this field is required", field_name=name)
            return
        if not isinstance(value, str):
            raise SpecError(f"expected text, got {type(value).__name__} {value!r}", field_name=name)
        choices = meta.get("choices") or ()
        if choices and value not in choices:
            raise SpecError(f"{value!r} is not one of {', '.join(choices)}", field_name=name)

    def _check_number(self, name: str, value: Any, meta: Mapping[str, Any]) -> None:
        unit = meta["unit"]
        if value is None:
            if meta.get("required"):
                raise SpecError(f"this field is required (in {unit})", field_name=name)
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"expected a number in {unit}, got {type(value).__name__} {value!r}", field_name=name)
        if not math.isfinite(value):
            raise SpecError(f"{value} is not a finite number", field_name=name)
        if meta.get("integer") and value != int(value):
            raise SpecError(f"expected a whole number, got {value}", field_name=name)
        lo, hi = meta["lo"], meta["hi"]
        if not lo <= value <= hi:
            hint = f" ({meta['hint']})" if meta.get("hint") else ""
            raise SpecError(
                f"{value:g} {unit} is outside the physically plausible range {lo:g}..{hi:g} {unit}{hint}",
                field_name=name,
            )


PRECISIONS = ("fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4")
"""Numeric formats with a dense peak field ``<precision>_tflops`` (``int8_tops`` for int8)."""

BITS = {"fp64": 64, "fp32": 32, "tf32": 32, "bf16": 16, "fp16": 16, "fp8": 8, "int8": 8, "fp4": 4}
"""Bit length of each format, as the export rules count it (TF32 counts as 32)."""

_PEAK_HINT = "dense peak, never the sparsity figure; in TFLOP/s, not GFLOP/s"


@dataclass(frozen=True)
class Accelerator(Spec):
    """One accelerator SKU (a GPU, NPU or TPU chip or package as sold).

    Peaks are dense (never the 2:4 sparsity figure). ``scaleup_gbs`` is the chip's total scale-up
    bandwidth in one direction (NVLink 4 on H100: 900 GB/s bidirectional = 450 per direction).
    ``scaleup_domain`` is the largest group of chips that talk over the scale-up link (8 in an HGX
    node, 72 in NVL72, 384 in CloudMatrix). ``scaleout_gbps`` is the scale-out NIC bandwidth per
    chip in one direction (400 for one ConnectX-7 per GPU). ``price_basis`` says what a price
    covers: the chip or card alone (``chip``, the default), an 8-GPU baseboard share (``module``),
    or a whole server or rack divided by its chips (``system``), so that cost models add the rest
    of the server only where the price leaves it out.
    """

    kind: ClassVar[str] = "accelerator"

    family: str = text()
    form_factor: str = text(choices=("sxm", "oam", "pcie", "chip", "module", "superchip", "card"))
    process_node: str = text()
    memory_type: str = text()
    scaleup_link: str = text()
    scaleout_link: str = text()
    stack: str = text()
    price_date: str = text()
    price_basis: str = text(choices=("chip", "module", "system"))

    release_year: int | None = num("year", 2010, 2030, integer=True)
    fp64_tflops: float | None = num("TFLOP/s", 0.01, 20_000, hint=_PEAK_HINT)
    fp32_tflops: float | None = num("TFLOP/s", 0.01, 20_000, hint=_PEAK_HINT)
    tf32_tflops: float | None = num("TFLOP/s", 0.01, 20_000, hint=_PEAK_HINT)
    bf16_tflops: float | None = num("TFLOP/s", 0.1, 20_000, hint=_PEAK_HINT)
    fp16_tflops: float | None = num("TFLOP/s", 0.1, 20_000, hint=_PEAK_HINT)
    fp8_tflops: float | None = num("TFLOP/s", 0.1, 40_000, hint=_PEAK_HINT)
    int8_tops: float | None = num("TOP/s", 0.1, 40_000, hint=_PEAK_HINT)
    fp4_tflops: float | None = num("TFLOP/s", 0.1, 80_000, hint=_PEAK_HINT)
    hbm_gb: float | None = num("GB", 1, 2_000, required=True)
    hbm_tbs: float | None = num("TB/s", 0.05, 50, required=True, hint="in TB/s, not GB/s")
    scaleup_gbs: float | None = num("GB/s", 1, 20_000, hint="per chip, one direction, in GB/s")
    scaleup_domain: int | None = num("chips", 1, 1_000_000, integer=True)
    scaleout_gbps: float | None = num("Gbit/s", 1, 10_000, hint="per chip, one direction, in Gbit/s")
    tdp_w: float | None = num("W", 10, 5_000, required=True)
    server_power_w: float | None = num("W", 100, 200_000, hint="one server or node, all-in, rated")
    chips_per_server: int | None = num("chips", 1, 128, integer=True)
    price_usd: float | None = num("USD", 100, 2_000_000)
    price_cny: float | None = num("CNY", 500, 20_000_000)
    rental_usd_per_hour: float | None = num("USD/h", 0.05, 200, hint="per accelerator-hour")
    rental_cny_per_hour: float | None = num("CNY/h", 0.3, 1_500, hint="per accelerator-hour")
    die_area_mm2: float | None = num("mm^2", 10, 10_000)
    transistors_b: float | None = num("billion", 0.1, 1_000)
    matmul_efficiency: float | None = num("fraction", 0.05, 1.0, hint="sustained large-GEMM throughput / dense peak")
    supply_units_per_year: float | None = num("units/year", 1, 1e8)

    def validate_more(self) -> None:
        if self.bf16_tflops is None and self.fp16_tflops is None:
            raise SpecError(
                "give a dense bf16_tflops or fp16_tflops peak: models train in one of them", field_name="bf16_tflops"
            )
        # A sparsity figure typed as dense shows up as fp16/bf16 far above twice tf32 or equal to fp8.
        if self.fp8_tflops and self.bf16_tflops and self.fp8_tflops < self.bf16_tflops * 0.99:
            raise SpecError(
                f"fp8 ({self.fp8_tflops:g}) is below bf16 ({self.bf16_tflops:g}); one of them is not a dense peak",
                field_name="fp8_tflops",
            )

    def peak_tflops(self, precision: str) -> float | None:
        """The dense peak of ``precision`` in TFLOP/s (TOP/s for int8), or None if not supported.

        bf16 falls back to fp16 where only fp16 is published (and the reverse): a request for bf16
        means 16-bit mixed-precision training, which a chip without bf16 (V100) runs in fp16, and on
        every chip in the catalog that lists both the two rates are equal.
        """
        return getattr(self, self.peak_field(precision))

    def peak_field(self, precision: str) -> str:
        """The field that holds the dense peak of ``precision`` (with the bf16/fp16 fallback above)."""
        if precision not in BITS:
            raise SpecError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
        name = "int8_tops" if precision == "int8" else f"{precision}_tflops"
        if getattr(self, name) is None and precision in ("bf16", "fp16"):
            return "fp16_tflops" if precision == "bf16" else "bf16_tflops"
        return name

    def peak_flops(self, precision: str = "bf16") -> float:
        """The dense peak in FLOP/s; raises a clear error if the chip lacks that precision."""
        value = self.peak_tflops(precision)
        if value is None:
            have = [p for p in PRECISIONS if self.peak_tflops(p) is not None]
            raise SpecError(f"{self.id} has no published dense {precision} peak; it has {', '.join(have)}")
        return value * 1e12


@dataclass(frozen=True)
class Link(Spec):
    """An interconnect: scale-up (NVLink, HCCS, xGMI), PCIe, scale-out (InfiniBand, RoCE) or cross-site.

    ``bandwidth_gbs`` is per chip (or per port for a NIC), in one direction. ``latency_us`` is the
    alpha of the alpha-beta model; ``efficiency`` the fraction of ``bandwidth_gbs`` that large
    collectives reach (bus bandwidth / link bandwidth).
    """

    kind: ClassVar[str] = "link"

    link_kind: str = text(required=True, choices=("scale-up", "pcie", "scale-out", "cross-site"))
    bandwidth_gbs: float | None = num("GB/s", 0.01, 20_000, required=True, hint="one direction, GB/s")
    latency_us: float | None = num("us", 0.01, 1_000_000, required=True)
    efficiency: float | None = num("fraction", 0.05, 1.0)
    max_domain: int | None = num("chips", 1, 1_000_000, integer=True)
    release_year: int | None = num("year", 1990, 2030, integer=True)


OP_CLASSES = (
    "gemm",
    "attention",
    "elementwise",
    "moe_routing",
    "collectives",
    "optimizer",
    "host_overhead",
    "custom_kernels",
)
"""Operation classes a training step is split into, for the compatibility-layer model."""

PATHS = ("native", "translated", "fallback", "unsupported")
"""How an operation class runs on a software stack."""


@dataclass(frozen=True)
class SoftwareStack(Spec):
    """A software stack a chip runs training code with (CUDA, ROCm/HIP, CANN, MUSA, ...).

    ``op_profile`` maps an operation class (:data:`OP_CLASSES`) to how it runs: the share of its
    time on each path (:data:`PATHS`, summing to 1) and the relative speed of the translated and
    fallback paths against native (``translated_efficiency``, ``fallback_efficiency``). Each entry
    may give ``[low, high]`` ranges; ``op_sources`` names the source of each entry.
    """

    kind: ClassVar[str] = "stack"

    stack_kind: str = text(required=True, choices=("native", "translation", "port"))
    framework: str = text()
    collective_library: str = text()
    cuda_source_compatible: str = text(choices=("yes", "partial", "no"))
    framework_efficiency: float | None = num(
        "fraction", 0.05, 1.0, hint="step-time efficiency of the framework against CUDA on equal silicon"
    )
    collective_efficiency: float | None = num(
        "fraction", 0.05, 1.0, hint="collective library bus bandwidth against NCCL on equal links"
    )
    maturity: float | None = num("0..1", 0.0, 1.0)
    op_profile: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    op_sources: Mapping[str, Source] = field(default_factory=dict)

    OP_ENTRY_KEYS: ClassVar[tuple[str, ...]] = (
        *PATHS,
        "translated_efficiency",
        "fallback_efficiency",
        "port_engineer_months",
    )
    """Keys an ``op_profile`` entry may have. Each value is a number, ``[low, high]`` or ``[low, best, high]``.
    A share left out is 0, except ``native``, which is then the remainder. ``port_engineer_months``
    is the effort to bring the class's non-native time to the native path for a typical
    LLM-training codebase."""

    def validate_more(self) -> None:
        def bounds(op: str, key: str, value: Any) -> tuple[float, float, float]:
            """(low, central, high) of a number or a range, checked for order."""
            vals = value if isinstance(value, list) else [value]
            if len(vals) not in (1, 2, 3) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in vals
            ):
                raise SpecError(
                    f"op_profile.{op}.{key} must be a number or [low, high] or [low, best, high], got {value!r}",
                    field_name="op_profile",
                )
            if sorted(vals) != list(vals):
                raise SpecError(
                    f"op_profile.{op}.{key}: the range {value!r} is not in increasing order", field_name="op_profile"
                )
            central = vals[1] if len(vals) == 3 else sum(vals) / len(vals)
            return float(vals[0]), float(central), float(vals[-1])

        for op, entry in self.op_profile.items():
            if op not in OP_CLASSES:
                raise SpecError(
                    f"unknown operation class {op!r}; use one of {', '.join(OP_CLASSES)}", field_name="op_profile"
                )
            if op not in self.op_sources:
                raise SpecError(f"the entry for {op!r} has no source", field_name="op_profile")
            if not isinstance(entry, Mapping):
                raise SpecError(
                    f"op_profile.{op} must be a table of {', '.join(self.OP_ENTRY_KEYS)}", field_name="op_profile"
                )
            unknown = set(entry) - set(self.OP_ENTRY_KEYS)
            if unknown:
                raise SpecError(
                    f"op_profile.{op} has unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(self.OP_ENTRY_KEYS)}",
                    field_name="op_profile",
                )
            b = {key: bounds(op, key, value) for key, value in entry.items()}
            for key in PATHS:
                if key in b and not (0.0 <= b[key][0] and b[key][2] <= 1.0):
                    raise SpecError(
                        f"op_profile.{op}.{key} is a share of time and must lie in 0..1", field_name="op_profile"
                    )
            for key in ("translated_efficiency", "fallback_efficiency"):
                if key in b and not (0.0 < b[key][0] and b[key][2] <= 1.0):
                    raise SpecError(
                        f"op_profile.{op}.{key} is speed relative to the native path and must lie in (0, 1]",
                        field_name="op_profile",
                    )
            if "port_engineer_months" in b and b["port_engineer_months"][0] < 0:
                raise SpecError(f"op_profile.{op}.port_engineer_months cannot be negative", field_name="op_profile")
            others = [b[k] for k in PATHS[1:] if k in b]
            low_sum, central_sum, high_sum = (sum(v[i] for v in others) for i in range(3))
            if "native" in b:
                low_sum, central_sum, high_sum = (
                    low_sum + b["native"][0],
                    central_sum + b["native"][1],
                    high_sum + b["native"][2],
                )
                if abs(central_sum - 1.0) > 0.01 or low_sum > 1.0 + 1e-9 or high_sum < 1.0 - 1e-9:
                    raise SpecError(
                        f"op_profile.{op}: the shares native+translated+fallback+unsupported must sum to 1 (central sum {central_sum:.3g})",
                        field_name="op_profile",
                    )
            elif high_sum > 1.0 + 1e-9:
                raise SpecError(
                    f"op_profile.{op}: translated+fallback+unsupported can reach {high_sum:.3g} > 1, leaving no room for native",
                    field_name="op_profile",
                )
            for share, eff in (("translated", "translated_efficiency"), ("fallback", "fallback_efficiency")):
                if share in b and b[share][2] > 0 and eff not in b:
                    raise SpecError(f"op_profile.{op} has a {share} share but no {eff}", field_name="op_profile")

    def extra_dict(self) -> dict[str, Any]:
        if not self.op_profile:
            return {}
        return {
            "op_profile": {k: dict(v) for k, v in self.op_profile.items()},
            "op_sources": {k: v.as_dict() for k, v in self.op_sources.items()},
        }


@dataclass(frozen=True)
class Site(Spec):
    """A place to put a cluster: a region, a hub of China's East-Data-West-Compute plan, a data centre.

    Electricity is given in the currency it was published in (``electricity_cny_kwh`` or
    ``electricity_usd_kwh``); many of these are known only as ranges. ``latency_ms`` maps a demand
    centre (``beijing``, ``shanghai``, ``guangzhou``, ...) to round-trip network latency.
    """

    kind: ClassVar[str] = "site"

    country: str = text(required=True)
    region: str = text()
    hub: str = text()
    electricity_cny_kwh: float | None = num("CNY/kWh", 0.01, 5.0)
    electricity_usd_kwh: float | None = num("USD/kWh", 0.001, 1.0)
    pue_typical: float | None = num("ratio", 1.0, 3.5, required=True, hint="PUE is >= 1")
    pue_target: float | None = num("ratio", 1.0, 3.5, hint="PUE is >= 1")
    grid_gco2_kwh: float | None = num("gCO2/kWh", 0.0, 1_500)
    latency_ms: Mapping[str, float] = field(default_factory=dict)
    latency_source: Source | None = None

    def validate_more(self) -> None:
        if self.electricity_cny_kwh is None and self.electricity_usd_kwh is None:
            raise SpecError("give electricity_cny_kwh or electricity_usd_kwh", field_name="electricity_cny_kwh")
        for centre, ms in self.latency_ms.items():
            if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms <= 1_000:
                raise SpecError(f"latency to {centre!r} must be 0..1000 ms, got {ms!r}", field_name="latency_ms")
        if self.latency_ms and not isinstance(self.latency_source, Source):
            raise SpecError("latencies need a source", field_name="latency_ms")

    def extra_dict(self) -> dict[str, Any]:
        if not self.latency_ms:
            return {}
        return {"latency_ms": dict(self.latency_ms), "latency_source": self.latency_source.as_dict()}


SPEC_TYPES: dict[str, type[Spec]] = {"accelerator": Accelerator, "link": Link, "stack": SoftwareStack, "site": Site}
"""The spec kinds, by the name they have in data files (``[[accelerator]]``, ``[[link]]`` ...)."""
