"""The parameter store: every local number of the rules, dated, per region, with its source.

A region's parameters live in `parameters/<county code>.yaml`. Each parameter has a label, a unit
and a list of dated values; each value names its `reference` (document and article) and says
whether it has been `verified` against the county's own published notice. A value is never edited
in place: a new value is a new entry with its own `effective_from`, appended after the file's
entries (`ParameterSet.load(region, extra_entries=[...])` or `ParameterSet.with_entry(...)`). On
any day the value in force is the entry with the latest `effective_from` on or before that day;
of two entries with the same `effective_from`, the one appended later wins (a correction), and
the earlier one stays in the history.

Units decide the Python type: money (`yuan`, `yuan/…`), `ratio` and `percent` are `Decimal`,
counts (`months`, `days`, `working_days`, `years`, `count`, `grade`) are `int`, `date` is
`datetime.date`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from safetynet.core.errors import ValidationFailed

PARAMETER_DIR = Path(__file__).resolve().parent / "parameters"

MONEY_UNITS = {"yuan", "yuan/month", "yuan/year"}
DECIMAL_UNITS = MONEY_UNITS | {"ratio", "percent"}
INT_UNITS = {"months", "days", "working_days", "years", "count", "grade"}
DATE_UNITS = {"date"}
UNITS = DECIMAL_UNITS | INT_UNITS | DATE_UNITS


class ParameterError(ValidationFailed):
    """A parameter file or an entered value that cannot be used (no source, bad unit, unknown name)."""

    default_code = "parameter_invalid"


class _DecimalLoader(yaml.SafeLoader):
    """YAML floats become exact Decimals (`1.3` must not pass through binary floating point)."""


_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))
)


@dataclass(frozen=True)
class ParameterValue:
    """One dated value of one parameter, as loaded or as appended."""

    name: str
    value: Decimal | int | date
    effective_from: date
    reference: str
    verified: bool
    source: str = "file"  # "file" or whatever the appender says (e.g. "officer:123")
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "value": _plain(self.value),
            "effective_from": self.effective_from.isoformat(),
            "reference": self.reference,
            "verified": self.verified,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class ParameterDefinition:
    name: str
    label: str
    unit: str
    values: tuple[ParameterValue, ...]  # in append order, never reordered or edited
    description: str = ""

    def value_on(self, day: date) -> ParameterValue | None:
        best: ParameterValue | None = None
        for entry in self.values:  # later entries win ties: append order is kept
            if entry.effective_from <= day and (best is None or entry.effective_from >= best.effective_from):
                best = entry
        return best


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _coerce(name: str, unit: str, raw, where: str):
    try:
        if unit in DECIMAL_UNITS:
            if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str | float):
                raise TypeError
            value = Decimal(str(raw))
            if not value.is_finite() or value < 0:
                raise ValueError
            if unit in MONEY_UNITS and value != value.quantize(Decimal("0.01")):
                raise ValueError
            return value
        if unit in INT_UNITS:
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                raise TypeError
            return raw
        if isinstance(raw, date):
            return raw
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError, InvalidOperation):
        raise ParameterError(
            f"参数 {name} 的取值 {raw!r} 不符合单位 {unit}（{where}）", code="parameter_bad_value", field=name
        ) from None


def _entry(name: str, unit: str, raw: Mapping, where: str, source: str) -> ParameterValue:
    if not isinstance(raw, Mapping):
        raise ParameterError(f"参数 {name} 的取值条目格式错误（{where}）", field=name)
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise ParameterError(
            f"参数 {name} 的取值缺少依据文件和条款（reference）（{where}）：每个参数值必须注明来源",
            code="parameter_without_reference",
            field=name,
        )
    if "effective_from" not in raw or "value" not in raw:
        raise ParameterError(f"参数 {name} 的取值缺少 effective_from 或 value（{where}）", field=name)
    verified = raw.get("verified")
    if not isinstance(verified, bool):
        raise ParameterError(f"参数 {name} 的取值必须写明 verified: true/false（{where}）", field=name)
    eff = raw["effective_from"]
    if not isinstance(eff, date):
        try:
            eff = date.fromisoformat(str(eff))
        except ValueError:
            raise ParameterError(f"参数 {name} 的生效日期无效（{where}）", field=name) from None
    return ParameterValue(
        name=name,
        value=_coerce(name, unit, raw["value"], where),
        effective_from=eff,
        reference=reference.strip(),
        verified=verified,
        source=str(raw.get("source") or source),
        note=str(raw.get("note", "")),
    )


def county_code(region: str) -> str:
    """The county a region code belongs to: 6-digit county, 9-digit township and 12-digit village codes."""
    if not isinstance(region, str) or not region.isdigit() or len(region) not in (6, 9, 12):
        raise ValidationFailed("行政区划代码应为 6、9 或 12 位数字", code="invalid_region", field="region")
    return region[:6]


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of one county, every dated entry kept."""

    region: str
    region_name: str
    definitions: Mapping[str, ParameterDefinition]
    file_digest: str = ""
    appended: tuple[ParameterValue, ...] = ()  # entries appended after the file, in order

    @classmethod
    def load(cls, region: str, extra_entries: Iterable[Mapping] = (), *, directory: Path | None = None):
        """Load the county's file, then append `extra_entries` in order.

        An extra entry is a mapping `{"name", "value", "effective_from", "reference", "verified",
        "source"?, "note"?}` — what the Django layer stores when an officer enters a new value.
        """
        county = county_code(region)
        path = (directory or PARAMETER_DIR) / f"{county}.yaml"
        if not path.exists():
            raise ValidationFailed(f"没有行政区划 {county} 的参数文件", code="unknown_region", field="region")
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 — a SafeLoader subclass
        if not isinstance(data, Mapping) or not isinstance(data.get("parameters"), Mapping):
            raise ParameterError(f"参数文件 {path.name} 缺少 parameters", code="parameter_file_invalid")
        definitions: dict[str, ParameterDefinition] = {}
        for name, spec in data["parameters"].items():
            where = f"{path.name}:{name}"
            if not isinstance(spec, Mapping):
                raise ParameterError(f"参数 {name} 定义格式错误（{where}）", field=name)
            label, unit = spec.get("label"), spec.get("unit")
            if not label or unit not in UNITS:
                raise ParameterError(f"参数 {name} 缺少标签或单位无效：{unit!r}（{where}）", field=name)
            raw_values = spec.get("values")
            if not isinstance(raw_values, list) or not raw_values:
                raise ParameterError(f"参数 {name} 没有任何取值（{where}）", field=name)
            values = tuple(_entry(name, unit, raw, where, "file") for raw in raw_values)
            definitions[name] = ParameterDefinition(
                name, str(label), unit, values, str(spec.get("description", ""))
            )
        result = cls(
            region=county,
            region_name=str(data.get("region_name", "")),
            definitions=definitions,
            file_digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        for entry in extra_entries:
            result = result.with_entry(entry)
        return result

    def with_entry(self, entry: Mapping) -> ParameterSet:
        """A new set with one more dated value appended (the old set is untouched)."""
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if name not in self.definitions:
            raise ParameterError(f"未知参数：{name!r}", code="parameter_unknown", field="name")
        definition = self.definitions[name]
        value = _entry(name, definition.unit, entry, "appended", "appended")
        new_def = ParameterDefinition(
            name, definition.label, definition.unit, (*definition.values, value), definition.description
        )
        return ParameterSet(
            self.region,
            self.region_name,
            {**self.definitions, name: new_def},
            self.file_digest,
            (*self.appended, value),
        )

    @property
    def version(self) -> str:
        """`<county>/<sha of the file and every appended entry, 12 hex>`: changes with any entry."""
        h = hashlib.sha256(self.file_digest.encode())
        for v in self.appended:
            h.update(json.dumps(v.as_dict(), sort_keys=True, ensure_ascii=False).encode())
        return f"{self.region}/{h.hexdigest()[:12]}"

    def history(self, name: str) -> tuple[ParameterValue, ...]:
        return self.definitions[name].values

    def on(self, day: date) -> ParametersOnDate:
        """The values in force on `day`. A parameter with no value yet on that day is absent."""
        in_force = {}
        for name, definition in self.definitions.items():
            entry = definition.value_on(day)
            if entry is not None:
                in_force[name] = entry
        return ParametersOnDate(self, day, in_force)


@dataclass
class ParametersOnDate:
    """Values in force on one day. Reading a value (`p["name"]`) records it as used."""

    parameter_set: ParameterSet
    day: date
    entries: Mapping[str, ParameterValue]
    used: set[str] = field(default_factory=set)

    def __getitem__(self, name: str):
        try:
            entry = self.entries[name]
        except KeyError:
            raise ParameterError(
                f"参数 {name} 在 {self.day.isoformat()} 没有生效的取值", code="parameter_missing", field=name
            ) from None
        self.used.add(name)
        return entry.value

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def meta(self, name: str) -> ParameterValue:
        return self.entries[name]

    def label(self, name: str) -> str:
        return self.parameter_set.definitions[name].label

    def unit(self, name: str) -> str:
        return self.parameter_set.definitions[name].unit

    def fresh(self) -> ParametersOnDate:
        """The same values with an empty record of use (one per decision)."""
        return ParametersOnDate(self.parameter_set, self.day, self.entries)

    def unverified_names(self, *, used_only: bool = True) -> list[str]:
        names = self.used if used_only else self.entries.keys()
        return sorted(n for n in names if not self.entries[n].verified)

    def values(self) -> dict:
        """`{name: value}` without recording use (for display)."""
        return {name: entry.value for name, entry in sorted(self.entries.items())}

    def digest(self) -> str:
        """sha256 over every value in force (name, value, effective_from, verified), canonical JSON."""
        canonical = [
            [name, _plain(e.value), e.effective_from.isoformat(), e.verified]
            for name, e in sorted(self.entries.items())
        ]
        payload = json.dumps(
            [self.parameter_set.region, canonical], ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def version(self) -> str:
        return self.parameter_set.version
