"""The scoring engine of PRODUCT.md §5 (rated KPIs) and §6 (curves, scheme total,
not-applicable KPIs, grades, annual total): pure functions on Decimal, no database.

Rounding (§6): every stored score is rounded half-up to 2 places at each level (KPI,
category, total), each level computed from the rounded level below. KPI values, rated
values and (redistributed) weights are never rounded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from telesales.appraisal.spec import DEFAULT_GRADES, Category, KpiLine, Scheme

CENT = Decimal("0.01")
ONE = Decimal(1)
HUNDRED = Decimal(100)
LOWEST_GRADE = "D"
QUARTERS = (1, 2, 3, 4)


def round_score(value: Decimal) -> Decimal:
    """A stored score: half-up to 2 places (84.125 → 84.13)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- §6.1 curves -------------------------------------------------------------------------


def curve_score(line: KpiLine, actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """A KPI's score on its line's curve (§6.1), rounded half-up to 2 places; None when the
    actual is not applicable, or when a ratio is needed and the target is 0 (no ratio exists).
    A target of None means 1 (a KPI that is already an attainment)."""
    if actual is None:
        return None
    target = ONE if target is None else target
    if line.curve == "linear":
        if target == 0:
            return None
        ratio = actual / target
        score = Decimal(0) if ratio < line.floor else min(line.cap, HUNDRED * ratio)
    elif line.curve == "linear_lower":
        if actual == 0:
            score = line.cap
        else:
            inverse = target / actual
            score = Decimal(0) if inverse < line.floor else min(line.cap, HUNDRED * inverse)
    elif line.curve == "bands":
        if line.bands_on == "actual":
            value = actual
        elif target == 0:
            return None
        else:
            value = actual / target
        reached = [band for band in line.bands if band.min <= value]
        score = max(reached, key=lambda band: band.min).score if reached else Decimal(0)
    elif line.curve == "rating":
        score = 20 * actual
    elif line.curve == "identity":
        score = max(Decimal(0), min(line.cap, actual))
    else:
        raise ValueError(f"Unknown score curve {line.curve!r}.")
    return round_score(score)


# --- §5 rated KPIs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """One 1–5 rating: a rater of a group on a KPI, or on one dimension of it (else "")."""

    group: str
    rater_id: object
    dimension: str
    score: Decimal


def rated_value(
    ratings: Iterable[Rating], rater_groups: Mapping[str, Decimal] | None = None
) -> Decimal | None:
    """A rated KPI's value (§5): a rater's rating is the mean of their (dimension) ratings, a
    group's value the mean over its raters, and the KPI value the mean of the group values
    weighted by `rater_groups` (empty: superior only). Ratings of groups not configured (or
    weighted 0) are kept by the caller but not counted; a configured group without any rating
    shares its weight among the groups that have ratings in proportion to their weights (as in
    §6.3), i.e. the value is Σ(weight × group mean) / Σ weights of the rated groups. None when
    no counted group has a rating. Not rounded."""
    weights = dict(rater_groups) if rater_groups else {"superior": ONE}
    by_rater: dict[tuple[str, object], list[Decimal]] = defaultdict(list)
    for rating in ratings:
        if weights.get(rating.group, 0) > 0:
            by_rater[(rating.group, rating.rater_id)].append(Decimal(rating.score))
    by_group: dict[str, list[Decimal]] = defaultdict(list)
    for (group, _rater), scores in by_rater.items():
        by_group[group].append(sum(scores, Decimal(0)) / len(scores))
    if not by_group:
        return None
    weighted = sum(
        (weights[group] * sum(means, Decimal(0)) / len(means) for group, means in by_group.items()),
        Decimal(0),
    )
    return weighted / sum((weights[group] for group in by_group), Decimal(0))


# --- §6.2/§6.3 scheme total ---------------------------------------------------------------


@dataclass(frozen=True)
class KpiInput:
    """A KPI's value for one appraisee and period (a rated KPI gives its rated value as
    `actual`); `target` from the targets of §7, used when the scheme line gives none."""

    actual: Decimal | None
    target: Decimal | None = None


@dataclass(frozen=True)
class KpiResult:
    """One scored KPI line. `applicable`: the value exists and scored. `counted`: it takes
    part in its category's score (applicable, or scored by `when_missing` zero/full).
    `effective_weight`: its weight inside the category after redistribution (0 when not
    counted; not rounded)."""

    category: str
    kpi: str
    actual: Decimal | None
    target: Decimal | None
    score: Decimal | None
    applicable: bool
    counted: bool
    weight: Decimal
    effective_weight: Decimal


@dataclass(frozen=True)
class CategoryResult:
    """One category: its score (None when no KPI counted) and its weight in the total after
    category redistribution (0 when not counted; not rounded)."""

    code: str
    name: str
    weight: Decimal
    effective_weight: Decimal
    score: Decimal | None


@dataclass(frozen=True)
class Redistribution:
    """A statement for the scorecard (§6.3). `level` "kpi" or "category"; `source` the KPI or
    category code that had no value; `rule` its `when_missing` ("redistribute": `weight` went
    to `shares` (receiver code, exact share); "zero"/"full": it scored `score` and kept its
    weight, `shares` empty)."""

    level: str
    category: str
    source: str
    rule: str
    weight: Decimal
    shares: tuple[tuple[str, Decimal], ...] = ()
    score: Decimal | None = None


@dataclass(frozen=True)
class SchemeResult:
    kpis: tuple[KpiResult, ...]
    categories: tuple[CategoryResult, ...]
    total: Decimal | None
    grade: str | None
    redistributions: tuple[Redistribution, ...]


def _shares(
    weight: Decimal, receivers: list[tuple[str, Decimal]]
) -> tuple[tuple[str, Decimal], ...]:
    """`weight` split among receivers in exact proportion to their own weights."""
    pool = sum((w for _code, w in receivers), Decimal(0))
    return tuple((code, weight * w / pool) for code, w in receivers)


def _weighted_mean(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    # One division over the counted weights: equal to the §6.2 formula with the
    # redistributed weights, but exact where a redistributed weight (e.g. 100/3) is not.
    return sum((w * s for w, s in pairs), Decimal(0)) / sum((w for w, _s in pairs), Decimal(0))


def scheme_score(scheme: Scheme, values: Mapping[str, KpiInput]) -> SchemeResult:
    """A scheme's scores (§6.2, §6.3): category score = Σ(w × KPI score) / Σ w over the
    counted KPIs, total = Σ(category weight × category score) / 100 after redistribution,
    each rounded half-up to 2 places from the rounded level below. A KPI without a value (no
    entry in `values`, actual None, or a ratio to a 0 target) follows its `when_missing`:
    `redistribute` shares its weight among the category's counted KPIs in exact proportion
    to their weights; `zero`/`full` scores it 0/100 and it keeps its weight (it then counts
    like an applicable KPI, so it also receives a share of redistributed weight). A category
    with no counted KPI shares its weight among the other categories the same way. The line's
    own target wins over the input's; None means 1. No counted KPI anywhere: total None."""
    kpi_results: list[KpiResult] = []
    categories: list[tuple[Category, Decimal | None, list[KpiResult]]] = []
    statements: list[Redistribution] = []
    for category in scheme.categories:
        scored: list[tuple[KpiLine, KpiInput, Decimal | None, Decimal | None, bool]] = []
        for line in category.kpis:
            given = values.get(line.kpi, KpiInput(None))
            target = line.target if line.target is not None else given.target
            score = curve_score(line, given.actual, target)
            applicable = score is not None
            if not applicable and line.when_missing in ("zero", "full"):
                score = Decimal("0.00") if line.when_missing == "zero" else Decimal("100.00")
                statements.append(
                    Redistribution(
                        level="kpi",
                        category=category.code,
                        source=line.kpi,
                        rule=line.when_missing,
                        weight=line.weight,
                        score=score,
                    )
                )
            scored.append((line, given, target, score, applicable))
        counted = [
            (line.kpi, line.weight) for line, _g, _t, score, _a in scored if score is not None
        ]
        counted_weight = sum((w for _code, w in counted), Decimal(0))
        all_weight = sum((line.weight for line in category.kpis), Decimal(0))
        rows: list[KpiResult] = []
        for line, given, target, score, applicable in scored:
            if score is None and counted:
                statements.append(
                    Redistribution(
                        level="kpi",
                        category=category.code,
                        source=line.kpi,
                        rule="redistribute",
                        weight=line.weight,
                        shares=_shares(line.weight, counted),
                    )
                )
            rows.append(
                KpiResult(
                    category=category.code,
                    kpi=line.kpi,
                    actual=given.actual,
                    target=target,
                    score=score,
                    applicable=applicable,
                    counted=score is not None,
                    weight=line.weight,
                    effective_weight=(
                        line.weight * all_weight / counted_weight
                        if score is not None
                        else Decimal(0)
                    ),
                )
            )
        pairs = [(row.weight, row.score) for row in rows if row.score is not None]
        category_score = round_score(_weighted_mean(pairs)) if pairs else None
        categories.append((category, category_score, rows))
        kpi_results.extend(rows)

    counted_categories = [(c.code, c.weight) for c, score, _r in categories if score is not None]
    counted_weight = sum((w for _code, w in counted_categories), Decimal(0))
    all_weight = sum((c.weight for c in scheme.categories), Decimal(0))
    category_results: list[CategoryResult] = []
    for category, score, _rows in categories:
        if score is None and counted_categories:
            statements.append(
                Redistribution(
                    level="category",
                    category=category.code,
                    source=category.code,
                    rule="redistribute",
                    weight=category.weight,
                    shares=_shares(category.weight, counted_categories),
                )
            )
        category_results.append(
            CategoryResult(
                code=category.code,
                name=category.name,
                weight=category.weight,
                effective_weight=(
                    category.weight * all_weight / counted_weight
                    if score is not None
                    else Decimal(0)
                ),
                score=score,
            )
        )
    pairs = [(c.weight, c.score) for c in category_results if c.score is not None]
    total = round_score(_weighted_mean(pairs)) if pairs else None
    return SchemeResult(
        kpis=tuple(kpi_results),
        categories=tuple(category_results),
        total=total,
        grade=grade_of(total, scheme.grades) if total is not None else None,
        redistributions=tuple(statements),
    )


# --- §6.4 grades and the annual total ------------------------------------------------------


def grade_of(total: Decimal, grades: Mapping[str, Decimal] | None = None) -> str:
    """The grade of the rounded total (§6.4): the band with the highest threshold ≤ total
    (default S ≥ 95, A ≥ 85, B ≥ 75, C ≥ 60), else D."""
    rounded = round_score(total)
    bands = sorted((grades or DEFAULT_GRADES).items(), key=lambda item: item[1], reverse=True)
    for grade, threshold in bands:
        if rounded >= Decimal(threshold):
            return grade
    return LOWEST_GRADE


def annual_total(
    quarters: Mapping[int, Decimal | None], weights: Mapping[int, Decimal] | None = None
) -> Decimal | None:
    """The annual total (§6.4): the mean of the year's quarterly totals weighted by `weights`
    (default equal); a quarter without an appraisal (absent or None) shares its weight among
    the others in proportion to theirs; a quarter weighted 0 or not in `weights` does not
    count. Rounded half-up to 2 places; None when no quarter counts."""
    weights = dict(weights) if weights is not None else dict.fromkeys(QUARTERS, ONE)
    pairs = [
        (Decimal(weights.get(quarter, 0)), total)
        for quarter, total in quarters.items()
        if total is not None and weights.get(quarter, 0) > 0
    ]
    return round_score(_weighted_mean(pairs)) if pairs else None
