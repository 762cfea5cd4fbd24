"""The annual summary (PRODUCT.md §6.4, §8 `appraisal annual`): for each person appraised in
the year's quarters, the quarterly totals (the published snapshot, else the provisional live
score), the annual total as the weighted mean of the quarterly totals (weights configurable,
default 25 each; a quarter without an appraisal shares its weight among the others in
proportion to theirs), graded with the scheme's bands, and each KPI's and category's mean
score over the quarters it scored in. Stores nothing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.appraisal.access import appraisals_visible
from telesales.appraisal.models import Appraisal, CycleKind, Snapshot
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.schemes import SchemeNotFound
from telesales.appraisal.scoring import QUARTERS, annual_total, grade_of, round_score
from telesales.appraisal.spec import DEFAULT_GRADES
from telesales.appraisal.workflow import FROZEN

ANNUAL_WEIGHTS_SETTING = "appraisal.annual_weights"
ANNUAL_WEIGHTS_DEFAULT = "25,25,25,25"
HUNDRED = Decimal(100)


def annual_weights_parse(text: str) -> dict[int, Decimal]:
    """“25,25,25,25” as {1: 25, 2: 25, 3: 25, 4: 25}: four non-negative numbers, Q1 to Q4,
    summing to 100; ValueError with a full sentence otherwise."""
    parts = [part.strip() for part in str(text or "").split(",")]
    if len(parts) != 4:
        raise ValueError(
            _("Give four weights, for Q1 to Q4, separated by commas, e.g. “25,25,25,25”.")
        )
    weights: dict[int, Decimal] = {}
    for quarter, part in zip(QUARTERS, parts, strict=True):
        try:
            value = Decimal(part)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            raise ValueError(
                _("The weight of Q%(quarter)s, “%(part)s”, is not a number of 0 or more.")
                % {"quarter": quarter, "part": part}
            )
        weights[quarter] = value
    total = sum(weights.values(), Decimal(0))
    if total != HUNDRED:
        raise ValueError(
            _("The quarter weights must sum to 100, not %(total)s.") % {"total": f"{total:f}"}
        )
    return weights


def valid_annual_weights(value) -> None:
    try:
        annual_weights_parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def annual_weights() -> dict[int, Decimal]:
    """The configured quarter weights (the default when the stored text no longer parses)."""
    from telesales.core.config import setting_get

    try:
        return annual_weights_parse(setting_get(ANNUAL_WEIGHTS_SETTING))
    except (KeyError, ValueError):
        return annual_weights_parse(ANNUAL_WEIGHTS_DEFAULT)


def settings_declare() -> None:
    from django import forms

    from telesales.core.config import SettingDefinition, setting_declare

    setting_declare(
        SettingDefinition(
            key=ANNUAL_WEIGHTS_SETTING,
            label=gettext_lazy("Annual total: weights of Q1 to Q4"),
            default=ANNUAL_WEIGHTS_DEFAULT,
            field=lambda: forms.CharField(max_length=100, validators=[valid_annual_weights]),
            help=gettext_lazy(
                "Four numbers summing to 100, separated by commas. A quarter without an "
                "appraisal shares its weight among the others in proportion to theirs."
            ),
            order=71,
        )
    )


def year_check(year) -> int:
    """The year as a number; ValidationError for anything that is not a year."""
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not 2000 <= value <= 2100:
        raise ValidationError(_("“%(year)s” is not a year such as 2026.") % {"year": year})
    return value


def _latest_snapshots(appraisal_ids) -> dict[int, Snapshot]:
    latest: dict[int, Snapshot] = {}
    for item in Snapshot.objects.filter(appraisal_id__in=list(appraisal_ids)).order_by(
        "appraisal_id", "-version"
    ):
        latest.setdefault(item.appraisal_id, item)
    return latest


def quarter_results(appraisals: list[Appraisal], *, published_only: bool) -> dict[int, dict]:
    """Each appraisal's result by id: the latest snapshot once published (`published` True),
    else the live provisional score, or, with `published_only`, no result (None)."""
    frozen = [a.pk for a in appraisals if a.status in FROZEN]
    snapshots = _latest_snapshots(frozen)
    results: dict[int, dict] = {}
    live = [a for a in appraisals if a.pk not in snapshots]
    for appraisal in appraisals:
        if appraisal.pk in snapshots:
            results[appraisal.pk] = {"result": snapshots[appraisal.pk].data, "published": True}
    if published_only:
        for appraisal in live:
            results[appraisal.pk] = {"result": None, "published": False}
        return results
    if live:
        from telesales.appraisal.publication import result_live
        from telesales.appraisal.ratings import appraisal_ratings
        from telesales.appraisal.schemes import scheme_load

        ratings = appraisal_ratings(a.pk for a in live)
        specs: dict[str, object] = {}
        for appraisal in live:
            code = appraisal.cycle.scheme.code
            if code not in specs:
                specs[code] = scheme_load(code)
            result = result_live(appraisal, ratings.get(appraisal.pk, {}), specs[code])
            results[appraisal.pk] = {"result": result, "published": False}
    return results


def _bands(scheme: SchemeModel) -> dict[str, Decimal]:
    grades = {grade: Decimal(str(value)) for grade, value in (scheme.grades or {}).items()}
    return grades or dict(DEFAULT_GRADES)


def _score(value) -> float | None:
    return None if value is None else float(round_score(Decimal(str(value))))


def _number(value: Decimal) -> float | int:
    value = round_score(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _means(results: list[dict], key: str, code_key: str) -> list[dict]:
    """Each KPI's (category's) mean score over the quarters it scored in, in first-seen
    order; a KPI that scored in no quarter has score None."""
    scores: dict[str, list[Decimal]] = {}
    extra: dict[str, dict] = {}
    for result in results:
        for item in result.get(key) or []:
            code = item[code_key]
            scores.setdefault(code, [])
            if code_key == "kpi":
                extra.setdefault(code, {"category": item.get("category")})
            if item.get("score") is not None:
                scores[code].append(Decimal(str(item["score"])))
    rows = []
    for code, values in scores.items():
        mean = round_score(sum(values, Decimal(0)) / len(values)) if values else None
        rows.append(
            {
                code_key: code,
                **extra.get(code, {}),
                "score": None if mean is None else float(mean),
                "quarters": len(values),
            }
        )
    return rows


def annual_compute(
    *, year: int, user=None, scheme_code: str | None = None, published_only: bool = False
) -> dict:
    """The annual summary of the year (the §8 shape of `appraisal annual --json`) for every
    person with a quarterly appraisal in it that the user may see (everyone without a user),
    of one scheme when given. A quarter's total is its published snapshot's, else the
    provisional live one (`published` false); with `published_only` a provisional quarter
    counts as a quarter without a result. annual total = Σ(weight × quarterly total) /
    Σ weights of the quarters with a total, rounded half-up to 2 places, graded with the
    bands of the scheme of the person's latest quarter."""
    year = year_check(year)
    if scheme_code is not None and not SchemeModel.objects.filter(code=scheme_code).exists():
        raise SchemeNotFound(
            _("There is no appraisal scheme with the code “%(code)s”.") % {"code": scheme_code}
        )
    codes = {f"{year}-Q{quarter}": quarter for quarter in QUARTERS}
    appraisals = (
        appraisals_visible(user)
        .filter(cycle__kind=CycleKind.QUARTER, cycle__period__in=list(codes))
        .select_related("cycle__scheme", "employee__team")
        .order_by("employee__employee_no", "cycle__period", "cycle__scheme__code")
    )
    if scheme_code is not None:
        appraisals = appraisals.filter(cycle__scheme__code=scheme_code)
    appraisals = list(appraisals)
    results = quarter_results(appraisals, published_only=published_only)
    weights = annual_weights()

    people: dict[int, dict[int, Appraisal]] = {}
    for appraisal in appraisals:
        quarter = codes[appraisal.cycle.period]
        chosen = people.setdefault(appraisal.employee_id, {})
        # Two appraisals of one quarter (two schemes): the published one counts.
        if quarter not in chosen or (
            results[appraisal.pk]["published"] and not results[chosen[quarter].pk]["published"]
        ):
            chosen[quarter] = appraisal

    rows = []
    for by_quarter in people.values():
        totals: dict[int, Decimal | None] = {}
        counted_results = []
        for quarter, appraisal in by_quarter.items():
            result = results[appraisal.pk]["result"]
            total = None if result is None else result.get("total")
            totals[quarter] = None if total is None else Decimal(str(total))
            if total is not None:
                counted_results.append(result)
        counted_weight = sum(
            (weights[q] for q, total in totals.items() if total is not None and weights[q] > 0),
            Decimal(0),
        )
        quarters = []
        for quarter in QUARTERS:
            appraisal = by_quarter.get(quarter)
            result = results[appraisal.pk]["result"] if appraisal else None
            total = totals.get(quarter)
            counted = total is not None and weights[quarter] > 0
            quarters.append(
                {
                    "period": f"{year}-Q{quarter}",
                    "total": None if total is None else float(total),
                    "grade": (result or {}).get("grade") if total is not None else None,
                    "status": appraisal.status if appraisal else None,
                    "published": bool(appraisal and results[appraisal.pk]["published"]),
                    "weight": _number(weights[quarter]),
                    "effective_weight": (
                        _number(weights[quarter] * HUNDRED / counted_weight) if counted else 0
                    ),
                }
            )
        latest = by_quarter[max(by_quarter)]
        counted_quarters = [q for q, total in totals.items() if total is not None]
        graded_on = by_quarter[max(counted_quarters)] if counted_quarters else latest
        total = annual_total(totals, weights)
        rows.append(
            {
                "employee_id": latest.employee_id,
                "employee_no": latest.employee.employee_no,
                "name": latest.employee.name,
                "team": latest.employee.team.code if latest.employee.team else None,
                "scheme": graded_on.cycle.scheme.code,
                "quarters": quarters,
                "total": None if total is None else float(total),
                "grade": None if total is None else grade_of(total, _bands(graded_on.cycle.scheme)),
                "kpis": _means(counted_results, "kpis", "kpi"),
                "categories": _means(counted_results, "categories", "code"),
            }
        )
    return {
        "year": year,
        "weights": {f"Q{q}": _number(w) for q, w in weights.items()},
        "appraisals": rows,
    }
