"""Appraisal schemes as YAML files (PRODUCT.md §7 "schemes"): YAML → `spec.Scheme` with every
rule of §6 checked, `spec.Scheme` → YAML that reads back to an equal scheme, and the stored
rows. One file is one scheme; importing a scheme whose code exists replaces its contents."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.appraisal import spec
from telesales.appraisal.models import Category as CategoryModel
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.models import SchemeKpi
from telesales.core.audit import audit_record

# Every KPI code of PRODUCT.md §5, whether or not a function computes it yet.
CATALOGUE_CODES = (
    "sales_amount",
    "sales_attainment",
    "deals_won",
    "avg_order_value",
    "sales_per_head",
    "profit_per_head",
    "key_product_attainment",
    "retention_rate",
    "skill_score_avg",
    "attainment_improved_share",
    "promotions",
    "training_completion_rate",
    "training_effect",
    "call_volume",
    "connected_calls",
    "connection_rate",
    "avg_talk_seconds",
    "effective_calls",
    "effective_call_rate",
    "intent_customers",
    "lead_conversion_rate",
    "csat_rate",
    "complaint_timely_rate",
    "qa_score_avg",
    "qa_pass_rate",
    "crm_completeness",
    "report_timeliness",
    "process_compliance",
    "report_quality",
    "collaboration",
    "superior_evaluation",
)
# The KPIs whose value is the weighted mean of raters' 1–5 ratings (PRODUCT.md §5).
RATED_KPIS = ("process_compliance", "report_quality", "collaboration", "superior_evaluation")
APPLIES_TO = ("rep", "supervisor")
DEFAULT_CODES = ("supervisor-default", "rep-default")
DEFAULTS_PACKAGE = "telesales.appraisal"
DEFAULTS_FOLDER = "fixtures"

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
_DIMENSION = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_GRADE = re.compile(r"^[A-Z][A-Z+\-]{0,4}$")
_PLACES = Decimal("0.0001")
_HUNDRED = Decimal(100)
_TOP_KEYS = ("code", "name", "applies_to", "grades", "categories")
_CATEGORY_KEYS = ("code", "name", "weight", "kpis")
_KPI_KEYS = (
    "kpi",
    "weight",
    "curve",
    "target",
    "cap",
    "floor",
    "on",
    "bands",
    "when_missing",
    "rater_groups",
    "dimensions",
)
_BAND_KEYS = ("min", "score")
_DEFAULT_LINE = spec.KpiLine(kpi="", weight=Decimal(0))


def known_kpi_codes() -> set[str]:
    """The §5 catalogue plus every KPI a provider registers (e.g. call_volume_attainment)."""
    from telesales.kpi import registry

    registry._load()
    return set(CATALOGUE_CODES) | set(registry.DEFINITIONS)


# ---------------------------------------------------------------------------------------------
# YAML → spec


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans only (so `on:` and `no` stay text) and exact decimals for numbers."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = loader.construct_scalar(node).replace("_", "")  # type: ignore[arg-type]
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class _Problems:
    """Collects every broken rule with its place, so one import reports them all."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, place: str | None, message: str) -> None:
        self.messages.append(f"{place}: {message}" if place else message)


def _category_place(index: int, code: Any) -> str:
    if isinstance(code, str) and code:
        return _("category “%(code)s”") % {"code": code}
    return _("category no. %(number)s") % {"number": index + 1}


def _kpi_place(category: str, index: int, code: Any) -> str:
    if isinstance(code, str) and code:
        return _("%(category)s, KPI “%(code)s”") % {"category": category, "code": code}
    return _("%(category)s, KPI no. %(number)s") % {"category": category, "number": index + 1}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return _number_text(value)
    return str(value)


def _number(
    problems: _Problems, place: str, key: str, value: Any, *, positive: bool = False
) -> Decimal | None:
    """A number with at most 4 decimal places (what the database keeps), ≥ 0 or > 0."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        problems.add(
            place, _("%(key)s must be a number, not “%(value)s”.") % {"key": key, "value": value}
        )
        return None
    number = Decimal(value)
    if abs(number) >= 10**14 or number.quantize(_PLACES) != number:
        problems.add(
            place,
            _("%(key)s must have at most 4 decimal places and 14 digits, not %(value)s.")
            % {"key": key, "value": _text(number)},
        )
        return None
    if positive and number <= 0:
        problems.add(
            place,
            _("%(key)s must be greater than 0, not %(value)s.")
            % {"key": key, "value": _text(number)},
        )
        return None
    if number < 0:
        problems.add(
            place,
            _("%(key)s must not be negative, not %(value)s.")
            % {"key": key, "value": _text(number)},
        )
        return None
    return number


def _unknown_keys(problems: _Problems, place: str | None, data: dict, allowed: tuple) -> None:
    for key in data:
        if key not in allowed:
            problems.add(
                place,
                _("unknown key “%(key)s”; the keys are: %(allowed)s.")
                % {"key": key, "allowed": ", ".join(allowed)},
            )


def _sum_rule(problems: _Problems, place: str | None, what: str, weights: list[Decimal]) -> None:
    total = sum(weights, Decimal(0))
    if weights and total != _HUNDRED:
        problems.add(
            place,
            _("%(what)s must sum to 100; they sum to %(total)s")
            % {"what": what, "total": _number_text(total)},
        )


def _grades(problems: _Problems, value: Any) -> dict[str, Decimal]:
    place = "grades"  # places are the file's own keys
    if value is None:
        return dict(spec.DEFAULT_GRADES)
    if not isinstance(value, dict) or not value:
        problems.add(place, _("grades must be a mapping such as {S: 95, A: 85, B: 75, C: 60}."))
        return {}
    grades: dict[str, Decimal] = {}
    for letter, bound in value.items():
        if not isinstance(letter, str) or not _GRADE.match(letter):
            problems.add(
                place,
                _("“%(grade)s” is not a grade; a grade is a capital letter such as S or A.")
                % {"grade": letter},
            )
            continue
        number = _number(problems, place, letter, bound)
        if number is None:
            continue
        if number > _HUNDRED:
            problems.add(
                place,
                _("grade %(grade)s starts at %(value)s, above 100.")
                % {"grade": letter, "value": _text(number)},
            )
        grades[letter] = number
    bounds = list(grades.values())
    if any(lower >= higher for higher, lower in zip(bounds, bounds[1:], strict=False)):
        problems.add(
            place, _("grades must be listed from the highest to the lowest threshold, each lower.")
        )
    return grades


def _bands(problems: _Problems, place: str, value: Any) -> tuple[spec.Band, ...]:
    if not isinstance(value, list) or not value:
        problems.add(
            place,
            _(
                "curve bands needs a list of bands such as [{min: 1.0, score: 100}, {min: 0.8, score: 80}]."
            ),
        )
        return ()
    bands: list[spec.Band] = []
    for band in value:
        if not isinstance(band, dict) or set(band) != set(_BAND_KEYS):
            problems.add(
                place,
                _(
                    "each band must be a mapping with exactly min and score, such as {min: 1.0, score: 100}."
                ),
            )
            continue
        low = _number(problems, place, "min", band["min"])
        score = _number(problems, place, "score", band["score"])
        if low is not None and score is not None:
            bands.append(spec.Band(min=low, score=score))
    mins = [band.min for band in bands]
    if len(set(mins)) != len(mins):
        problems.add(place, _("two bands have the same min."))
    return tuple(bands)


def _rater_groups(problems: _Problems, place: str, value: Any) -> dict[str, Decimal]:
    if not isinstance(value, dict) or not value:
        problems.add(
            place,
            _("rater_groups must be a mapping such as {superior: 60, peer: 20, subordinate: 20}."),
        )
        return {}
    groups: dict[str, Decimal] = {}
    for group, weight in value.items():
        if group not in spec.RATER_GROUPS:
            problems.add(
                place,
                _("“%(group)s” is not a rater group; the groups are: %(groups)s.")
                % {"group": group, "groups": ", ".join(spec.RATER_GROUPS)},
            )
            continue
        number = _number(problems, place, str(group), weight)
        if number is not None:
            groups[group] = number
    if len(groups) == len(value):
        _sum_rule(problems, place, _("rater group weights"), list(groups.values()))
    return groups


def _dimensions(problems: _Problems, place: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        problems.add(place, _("dimensions must be a list such as [responsibility, leadership]."))
        return ()
    names = []
    for name in value:
        if not isinstance(name, str) or not _DIMENSION.match(name):
            problems.add(
                place,
                _("“%(name)s” is not a dimension name; use lower-case letters, digits and _.")
                % {"name": name},
            )
            continue
        names.append(name)
    if len(set(names)) != len(names):
        problems.add(place, _("a dimension is listed twice."))
    return tuple(names)


def _kpi_line(problems: _Problems, place: str, data: dict, known: set[str]) -> spec.KpiLine | None:
    _unknown_keys(problems, place, data, _KPI_KEYS)
    code = data.get("kpi")
    if not isinstance(code, str) or code not in known:
        problems.add(place, _("“%(code)s” is not a KPI of the catalogue.") % {"code": code})
    weight = _number(problems, place, "weight", data.get("weight"), positive=True)
    curve = data.get("curve", _DEFAULT_LINE.curve)
    if curve not in spec.CURVES:
        problems.add(
            place,
            _("“%(curve)s” is not a curve; the curves are: %(curves)s.")
            % {"curve": curve, "curves": ", ".join(spec.CURVES)},
        )
    elif curve == "rating" and code not in RATED_KPIS:
        problems.add(
            place,
            _("curve rating is only for rated KPIs (%(kpis)s).") % {"kpis": ", ".join(RATED_KPIS)},
        )
    target = None
    if data.get("target") is not None:
        target = _number(problems, place, "target", data["target"], positive=True)
    cap = _number(problems, place, "cap", data.get("cap", _DEFAULT_LINE.cap))
    floor = _number(problems, place, "floor", data.get("floor", _DEFAULT_LINE.floor))
    if cap is not None and floor is not None and cap < floor:
        problems.add(
            place,
            _("cap (%(cap)s) must not be below floor (%(floor)s).")
            % {"cap": _text(cap), "floor": _text(floor)},
        )
    bands: tuple[spec.Band, ...] = ()
    if curve == "bands":
        bands = _bands(problems, place, data.get("bands"))
    elif "bands" in data:
        problems.add(place, _("bands are only used with curve bands."))
    bands_on = data.get("on", _DEFAULT_LINE.bands_on)
    if bands_on not in ("ratio", "actual"):
        problems.add(place, _("on must be ratio or actual, not “%(value)s”.") % {"value": bands_on})
    when_missing = data.get("when_missing", _DEFAULT_LINE.when_missing)
    if when_missing not in spec.WHEN_MISSING:
        problems.add(
            place,
            _("when_missing must be one of %(choices)s, not “%(value)s”.")
            % {"choices": ", ".join(spec.WHEN_MISSING), "value": when_missing},
        )
    rater_groups: dict[str, Decimal] = {}
    dimensions: tuple[str, ...] = ()
    for key in ("rater_groups", "dimensions"):
        if key in data and code not in RATED_KPIS:
            problems.add(
                place,
                _("%(key)s is only for rated KPIs (%(kpis)s).")
                % {"key": key, "kpis": ", ".join(RATED_KPIS)},
            )
    if "rater_groups" in data and code in RATED_KPIS:
        rater_groups = _rater_groups(problems, place, data["rater_groups"])
    if "dimensions" in data and code in RATED_KPIS:
        dimensions = _dimensions(problems, place, data["dimensions"])
    if weight is None or cap is None or floor is None:
        return None
    return spec.KpiLine(
        kpi=str(code),
        weight=weight,
        curve=str(curve),
        target=target,
        cap=cap,
        floor=floor,
        bands=bands,
        bands_on=str(bands_on),
        when_missing=str(when_missing),
        rater_groups=rater_groups,
        dimensions=dimensions,
    )


def _category(
    problems: _Problems, index: int, data: Any, known: set[str], seen_kpis: set[str]
) -> spec.Category | None:
    if not isinstance(data, dict):
        problems.add(
            _category_place(index, None),
            _("a category must be a mapping with code, name, weight and kpis."),
        )
        return None
    place = _category_place(index, data.get("code"))
    _unknown_keys(problems, place, data, _CATEGORY_KEYS)
    code = data.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.add(place, _("code must be lower-case letters, digits, - or _ (at most 50)."))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.add(place, _("name is required (at most 200 characters)."))
    weight = _number(problems, place, "weight", data.get("weight"), positive=True)
    rows = data.get("kpis")
    if not isinstance(rows, list) or not rows:
        problems.add(place, _("kpis must be a list of at least one KPI line."))
        rows = []
    lines: list[spec.KpiLine] = []
    for number, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.add(
                _kpi_place(place, number, None),
                _("a KPI line must be a mapping such as {kpi: sales_attainment, weight: 60}."),
            )
            continue
        kpi_place = _kpi_place(place, number, row.get("kpi"))
        line = _kpi_line(problems, kpi_place, row, known)
        if isinstance(row.get("kpi"), str):
            if row["kpi"] in seen_kpis:
                problems.add(kpi_place, _("the KPI is already in the scheme; list each KPI once."))
            seen_kpis.add(row["kpi"])
        if line is not None:
            lines.append(line)
    if len(lines) == len(rows):  # a sum over some of the lines would mislead
        _sum_rule(problems, place, _("KPI weights"), [line.weight for line in lines])
    if weight is None or not isinstance(code, str) or not isinstance(name, str):
        return None
    return spec.Category(code=code, name=name.strip(), weight=weight, kpis=tuple(lines))


def scheme_parse(text: str) -> spec.Scheme:
    """A scheme file read and checked against every rule of PRODUCT.md §6; a broken file raises
    ValidationError listing each broken rule with its place."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is not None:
            raise ValidationError(
                _("The file is not valid YAML: line %(line)s, column %(column)s: %(problem)s.")
                % {"line": mark.line + 1, "column": mark.column + 1, "problem": problem}
            ) from None
        raise ValidationError(
            _("The file is not valid YAML: %(problem)s.") % {"problem": problem}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(
            _(
                "A scheme file must be a YAML mapping with code, name, applies_to, grades and "
                "categories; this file holds %(kind)s."
            )
            % {"kind": _("nothing") if data is None else type(data).__name__}
        )
    problems = _Problems()
    _unknown_keys(problems, None, data, _TOP_KEYS)
    code = data.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.add("code", _("code must be lower-case letters, digits, - or _ (at most 50)."))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.add("name", _("name is required (at most 200 characters)."))
    applies_to = data.get("applies_to")
    if applies_to not in APPLIES_TO:
        problems.add(
            "applies_to",
            _("applies_to must be rep or supervisor, not “%(value)s”.") % {"value": applies_to},
        )
    grades = _grades(problems, data.get("grades"))
    rows = data.get("categories")
    if not isinstance(rows, list) or not rows:
        problems.add("categories", _("categories must be a list of at least one category."))
        rows = []
    known = known_kpi_codes()
    categories: list[spec.Category] = []
    seen_kpis: set[str] = set()
    for index, row in enumerate(rows):
        category = _category(problems, index, row, known, seen_kpis)
        if category is not None:
            if any(other.code == category.code for other in categories):
                problems.add(
                    _category_place(index, category.code),
                    _("the category code is used twice; each category needs its own code."),
                )
            categories.append(category)
    if len(categories) == len(rows):
        _sum_rule(problems, None, _("category weights"), [c.weight for c in categories])
    if problems.messages:
        raise ValidationError(problems.messages)
    return spec.Scheme(
        code=str(code),
        name=str(name).strip(),
        applies_to=str(applies_to),
        categories=tuple(categories),
        grades=grades,
    )


# ---------------------------------------------------------------------------------------------
# spec → YAML

_PLAIN = re.compile(r"^[A-Za-z_\u3400-\u9fff][\w\-.\u3000-\u9fff\uff00-\uffef]*$")
_NOT_PLAIN = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}


def _number_text(value: Decimal) -> str:
    """40, 0.8, 150000: no exponent and no needless zeros."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _scalar(value: Any) -> str:
    if isinstance(value, Decimal):
        return _number_text(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _NOT_PLAIN:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _descending(grades: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """Grades from the highest threshold down, whatever order a JSON column kept them in."""
    return sorted(grades.items(), key=lambda item: item[1], reverse=True)


def _flow(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"


def _kpi_flow(line: spec.KpiLine) -> str:
    pairs = [("kpi", _scalar(line.kpi)), ("weight", _scalar(line.weight))]
    pairs.append(("curve", _scalar(line.curve)))
    if line.target is not None:
        pairs.append(("target", _scalar(line.target)))
    if line.cap != _DEFAULT_LINE.cap:
        pairs.append(("cap", _scalar(line.cap)))
    if line.floor != _DEFAULT_LINE.floor:
        pairs.append(("floor", _scalar(line.floor)))
    if line.bands_on != _DEFAULT_LINE.bands_on:
        pairs.append(("on", _scalar(line.bands_on)))
    if line.bands:
        bands = ", ".join(
            _flow([("min", _scalar(band.min)), ("score", _scalar(band.score))])
            for band in line.bands
        )
        pairs.append(("bands", f"[{bands}]"))
    if line.when_missing != _DEFAULT_LINE.when_missing:
        pairs.append(("when_missing", _scalar(line.when_missing)))
    if line.rater_groups:
        pairs.append(
            (
                "rater_groups",
                _flow(
                    [
                        (group, _scalar(line.rater_groups[group]))
                        for group in spec.RATER_GROUPS
                        if group in line.rater_groups
                    ]
                ),
            )
        )
    if line.dimensions:
        pairs.append(("dimensions", "[" + ", ".join(map(_scalar, line.dimensions)) + "]"))
    return _flow(pairs)


def scheme_dump(scheme: spec.Scheme) -> str:
    """The scheme in the file format of PRODUCT.md §7; scheme_parse reads it back equal."""
    lines = [
        f"code: {_scalar(scheme.code)}",
        f"name: {_scalar(scheme.name)}",
        f"applies_to: {_scalar(scheme.applies_to)}",
        "grades: " + _flow([(_scalar(k), _scalar(v)) for k, v in _descending(scheme.grades)]),
        "categories:",
    ]
    for category in scheme.categories:
        head = (
            f"  - {{code: {_scalar(category.code)}, name: {_scalar(category.name)}, "
            f"weight: {_scalar(category.weight)}, kpis: ["
        )
        kpis = [f"      {_kpi_flow(line)}" for line in category.kpis]
        lines.append(head)
        lines.append(",\n".join(kpis) + "]}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# rows ↔ spec


@dataclass(frozen=True)
class _Models:
    scheme: Any
    category: Any
    kpi: Any


_CURRENT = _Models(SchemeModel, CategoryModel, SchemeKpi)


def _decimal_map(values: dict[str, Decimal]) -> dict[str, str]:
    return {key: _number_text(value) for key, value in values.items()}


def scheme_store(scheme: spec.Scheme, *, models: _Models = _CURRENT) -> tuple[Any, bool]:
    """Write the scheme's rows, replacing the categories and KPIs of an existing scheme of the
    same code and keeping its row (one version higher). Used by scheme_import and by the data
    migration that ships the defaults (with its historical models); call it inside a
    transaction. Returns the row and whether it was created."""
    row = models.scheme.objects.select_for_update().filter(code=scheme.code).first()
    created = row is None
    if created:
        row = models.scheme(code=scheme.code)
    else:
        row.version += 1
        models.category.objects.filter(scheme=row).delete()
    row.name = scheme.name
    row.applies_to = scheme.applies_to
    row.grades = _decimal_map(scheme.grades)
    row.save()
    for order, category in enumerate(scheme.categories):
        category_row = models.category.objects.create(
            scheme=row, code=category.code, name=category.name, weight=category.weight, order=order
        )
        models.kpi.objects.bulk_create(
            models.kpi(
                category=category_row,
                kpi=line.kpi,
                weight=line.weight,
                curve=line.curve,
                target=line.target,
                cap=line.cap,
                floor=line.floor,
                bands=[
                    {"min": _number_text(band.min), "score": _number_text(band.score)}
                    for band in line.bands
                ],
                bands_on=line.bands_on,
                when_missing=line.when_missing,
                rater_groups=_decimal_map(line.rater_groups),
                dimensions=list(line.dimensions),
                order=number,
            )
            for number, line in enumerate(category.kpis)
        )
    return row, created


def _normal(value: Decimal | None) -> Decimal | None:
    """A stored DecimalField (40.0000) as the number it is (40)."""
    return None if value is None else Decimal(_number_text(value))


def scheme_spec(row: SchemeModel) -> spec.Scheme:
    """The stored scheme as plain values for the scoring engine."""
    categories = []
    for category in row.categories.order_by("order").prefetch_related("kpis"):
        lines = tuple(
            spec.KpiLine(
                kpi=line.kpi,
                weight=_normal(line.weight),
                curve=line.curve,
                target=_normal(line.target),
                cap=_normal(line.cap),
                floor=_normal(line.floor),
                bands=tuple(
                    spec.Band(min=Decimal(band["min"]), score=Decimal(band["score"]))
                    for band in line.bands
                ),
                bands_on=line.bands_on,
                when_missing=line.when_missing,
                rater_groups={k: Decimal(v) for k, v in line.rater_groups.items()},
                dimensions=tuple(line.dimensions),
            )
            for line in sorted(category.kpis.all(), key=lambda kpi: kpi.order)
        )
        categories.append(
            spec.Category(
                code=category.code,
                name=category.name,
                weight=_normal(category.weight),
                kpis=lines,
            )
        )
    return spec.Scheme(
        code=row.code,
        name=row.name,
        applies_to=row.applies_to,
        categories=tuple(categories),
        grades=dict(_descending({k: Decimal(v) for k, v in row.grades.items()})),
    )


class SchemeNotFound(Exception):
    """No stored scheme has that code; the message is a full, translated sentence."""


def scheme_load(code: str) -> spec.Scheme:
    """The stored scheme of that code; SchemeNotFound when there is none."""
    row = SchemeModel.objects.filter(code=code).first()
    if row is None:
        raise SchemeNotFound(
            _("There is no appraisal scheme with the code “%(code)s”.") % {"code": code}
        )
    return scheme_spec(row)


def scheme_export(code: str) -> str:
    """The stored scheme as a YAML file that scheme_import takes back unchanged."""
    return scheme_dump(scheme_load(code))


@transaction.atomic
def scheme_import(*, actor, text: str) -> SchemeModel:
    """Store a scheme file: a new code creates the scheme, a known code replaces its categories
    and KPIs (same row, version + 1). A file that breaks any rule raises ValidationError and
    changes nothing; a file equal to the stored scheme changes nothing either. The audit row
    keeps the YAML before and after."""
    scheme = scheme_parse(text)
    existing = SchemeModel.objects.select_for_update().filter(code=scheme.code).first()
    current = scheme_spec(existing) if existing else None
    if existing is not None and current == scheme:  # the same file again stores nothing new
        existing.created, existing.changed = False, False  # type: ignore[attr-defined]
        return existing
    before = scheme_dump(current) if current else None
    row, created = scheme_store(scheme)
    audit_record(
        actor=actor,
        action="scheme.import",
        obj=row,
        before=None if created else {"yaml": before, "version": row.version - 1},
        after={"yaml": scheme_dump(scheme), "version": row.version},
    )
    row.created, row.changed = created, True  # type: ignore[attr-defined] — for the caller
    return row


def default_scheme_text(code: str) -> str:
    """The YAML of a shipped default scheme (package data)."""
    folder = resources.files(DEFAULTS_PACKAGE).joinpath(DEFAULTS_FOLDER)
    return folder.joinpath(f"{code}.yaml").read_text(encoding="utf-8")
