"""Calibration of a cycle (PRODUCT.md §6.4, §6.6 calibration): the grade distribution of the
appraisals someone calibrates, checked against the forced-distribution guide (a setting,
reported and never applied), and the adjustments HR or a manager make to a grade, each with
its reason, audited and kept for ever.

Who calibrates: HR and administrators every appraisal, a manager the appraisals of the people
in their scope; nobody their own appraisal. Adjustments only while the appraisal is being rated
or in calibration: publication freezes the latest one into the snapshot."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.appraisal import access
from telesales.appraisal.models import Adjustment, Appraisal, AppraisalStatus, Cycle
from telesales.appraisal.scoring import LOWEST_GRADE
from telesales.core.audit import audit_record
from telesales.org import access as org_access
from telesales.org.models import Role

FORCED_DISTRIBUTION_SETTING = "appraisal.forced_distribution"
FORCED_DISTRIBUTION_DEFAULT = "S:10,S+A:30"

# The statuses in which a grade may still be adjusted.
ADJUSTABLE = frozenset({AppraisalStatus.RATING, AppraisalStatus.CALIBRATION})

# The statuses before rating: nothing to calibrate yet.
BEFORE_RATING = frozenset(
    {AppraisalStatus.DRAFT, AppraisalStatus.AGREED, AppraisalStatus.IN_PROGRESS}
)

HUNDRED = Decimal(100)
TOTAL_MAX = Decimal(120)
_GRADE = re.compile(r"^[A-Za-z0-9]{1,5}$")


# --- the forced-distribution guide ----------------------------------------------------------


@dataclass(frozen=True)
class GuideRule:
    """At most `limit` per cent of the appraisals graded one of `grades` (e.g. S+A ≤ 30 %)."""

    grades: tuple[str, ...]
    limit: Decimal

    @property
    def label(self) -> str:
        return "+".join(self.grades)


def forced_distribution_parse(text: str) -> list[GuideRule]:
    """The guide written as "S:10,S+A:30": rules separated by commas, each the grades joined by
    "+", a colon and the highest share in per cent (0–100). Empty text: no guide. A broken rule
    is refused with a message naming it."""
    rules: list[GuideRule] = []
    seen: set[tuple[str, ...]] = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        grades_text, colon, limit_text = part.partition(":")
        grades = tuple(g.strip() for g in grades_text.split("+"))
        if not colon or not all(_GRADE.match(g) for g in grades):
            raise ValidationError(
                _(
                    "“%(rule)s” is not a rule of the guide: write the grades joined by “+”, a "
                    "colon and the highest share in per cent, e.g. S+A:30."
                )
                % {"rule": part}
            )
        try:
            limit = Decimal(limit_text.strip().rstrip("%").strip())
        except InvalidOperation:
            limit = None
        if limit is None or not limit.is_finite() or not Decimal(0) <= limit <= HUNDRED:
            raise ValidationError(
                _("In “%(rule)s” the share must be a number of per cent from 0 to 100.")
                % {"rule": part}
            )
        if len(set(grades)) != len(grades) or tuple(sorted(grades)) in seen:
            raise ValidationError(
                _("“%(rule)s” names a grade twice or repeats another rule.") % {"rule": part}
            )
        seen.add(tuple(sorted(grades)))
        rules.append(GuideRule(grades, limit))
    return rules


def forced_distribution_validate(text: str) -> None:
    forced_distribution_parse(text)


def forced_distribution_guide() -> list[GuideRule]:
    """The guide as set on /settings/ (an invalid stored text counts as no guide)."""
    from telesales.core.config import setting_get

    try:
        return forced_distribution_parse(setting_get(FORCED_DISTRIBUTION_SETTING) or "")
    except ValidationError:
        return []


# --- who calibrates what --------------------------------------------------------------------


def scheme_grades(cycle: Cycle) -> list[str]:
    """The grades of the cycle's scheme, highest first, and the lowest grade below them."""
    # Sorted by threshold: a JSON column need not keep the keys' order (PostgreSQL's does not).
    thresholds = {k: Decimal(str(v)) for k, v in (cycle.scheme.grades or {}).items()}
    grades = sorted(thresholds, key=lambda grade: thresholds[grade], reverse=True)
    return grades if LOWEST_GRADE in grades else [*grades, LOWEST_GRADE]


def can_adjust(user, appraisal: Appraisal) -> bool:
    """HR and administrators, or a manager whose scope has the appraisee; never the appraisee."""
    if access.is_system(user):
        return True
    if access.is_appraisee(user, appraisal):
        return False
    scope = org_access.scope_for(user)
    if scope.company_wide:
        return True
    return scope.role == Role.MANAGER and appraisal.employee_id in scope.employee_ids


def calibration_appraisals(user, cycle: Cycle) -> QuerySet[Appraisal]:
    """The cycle's appraisals the user calibrates: every one for HR and administrators, those
    of the people in a manager's scope; none for anyone else, and never their own."""
    qs = Appraisal.objects.filter(cycle=cycle)
    if access.is_system(user):
        return qs
    if not access.can_calibrate(user):
        return qs.none()
    scope = org_access.scope_for(user)
    if scope.employee is not None:
        qs = qs.exclude(employee_id=scope.employee.pk)
    if scope.company_wide:
        return qs
    return qs.filter(employee_id__in=scope.employee_ids)


# --- results and the distribution -----------------------------------------------------------


def appraisal_results(appraisals: Iterable[Appraisal]) -> dict[int, dict]:
    """Each appraisal's result now (the snapshot once published, else the live provisional
    score with its latest adjustment), ratings fetched in bulk and each scheme loaded once.
    The appraisals need cycle__scheme and employee selected."""
    from telesales.appraisal.publication import appraisal_result
    from telesales.appraisal.ratings import appraisal_ratings
    from telesales.appraisal.schemes import scheme_load

    appraisals = list(appraisals)
    ratings = appraisal_ratings(a.pk for a in appraisals)
    schemes: dict[str, object] = {}
    results: dict[int, dict] = {}
    for appraisal in appraisals:
        code = appraisal.cycle.scheme.code
        if code not in schemes:
            schemes[code] = scheme_load(code)
        results[appraisal.pk] = appraisal_result(
            appraisal, ratings.get(appraisal.pk, {}), schemes[code]
        )
    return results


def _share(count: int, total: int) -> Decimal | None:
    """count / total in per cent, not rounded; not applicable (None) when nobody is graded."""
    return None if total == 0 else Decimal(count) * HUNDRED / Decimal(total)


def grade_distribution(results: Iterable[dict], grades: list[str], guide: list[GuideRule]) -> dict:
    """How many appraisals have each grade (the adjusted grade where there is an adjustment)
    and their share of the graded ones, and each rule of the guide met (share ≤ limit) or
    exceeded. Appraisals without a grade yet are counted apart; shares over nobody are not
    applicable (None), and so is a rule then."""
    results = list(results)
    counts = dict.fromkeys(grades, 0)
    ungraded = 0
    adjusted = 0
    for result in results:
        grade = result.get("grade")
        if result.get("adjustment"):
            adjusted += 1
        if not grade:
            ungraded += 1
            continue
        counts[grade] = counts.get(grade, 0) + 1
    graded = sum(counts.values())
    rows = [
        {"grade": grade, "count": count, "share": _share(count, graded)}
        for grade, count in counts.items()
    ]
    rules = []
    for rule in guide:
        count = sum(counts.get(grade, 0) for grade in rule.grades)
        share = _share(count, graded)
        rules.append(
            {
                "label": rule.label,
                "grades": rule.grades,
                "limit": rule.limit,
                "count": count,
                "share": share,
                "met": None if share is None else share <= rule.limit,
            }
        )
    return {
        "appraisals": len(results),
        "graded": graded,
        "ungraded": ungraded,
        "adjusted": adjusted,
        "grades": rows,
        "rules": rules,
    }


# --- adjustments ----------------------------------------------------------------------------


def _total_value(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        total = Decimal(str(value).strip())
    except InvalidOperation:
        total = None
    if (
        total is None
        or not total.is_finite()
        or not Decimal(0) <= total <= TOTAL_MAX
        or total.as_tuple().exponent < -2
    ):
        raise ValidationError(
            _("The new total must be a number from 0 to 120 with at most 2 decimal places.")
        )
    return total


@transaction.atomic
def adjustment_add(
    *, actor, appraisal: Appraisal, to_grade: str, to_total=None, reason: str
) -> Adjustment:
    """Change an appraisal's grade (and total, when given) at calibration, with a reason: by HR,
    an administrator or a manager whose scope has the appraisee, only while the appraisal is
    being rated or in calibration, to one of the scheme's grades (or the lowest); the total
    from 0 to 120 with 2 decimals. The grade and total before are the live result's. Audited;
    anything else is refused and stores nothing."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("cycle__scheme", "employee")
        .get(pk=appraisal.pk)
    )
    if not can_adjust(actor, appraisal):
        raise PermissionDenied(_("You may not calibrate this appraisal."))
    if appraisal.status not in ADJUSTABLE:
        raise ValidationError(
            _(
                "Only an appraisal that is being rated or in calibration can be adjusted; this "
                "one is “%(status)s”."
            )
            % {"status": appraisal.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the adjustment."))
    grade = (to_grade or "").strip()
    grades = scheme_grades(appraisal.cycle)
    if grade not in grades:
        raise ValidationError(
            _("“%(grade)s” is not a grade of this scheme; choose one of %(grades)s.")
            % {"grade": grade, "grades": ", ".join(grades)}
        )
    total = _total_value(to_total)
    from telesales.appraisal.publication import result_live

    live = result_live(appraisal)
    from_total = None if live["total"] is None else Decimal(str(live["total"]))
    adjustment = Adjustment.objects.create(
        appraisal=appraisal,
        from_total=from_total,
        from_grade=live["grade"] or "",
        to_total=total,
        to_grade=grade,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="appraisal.adjust",
        obj=appraisal,
        before={"grade": adjustment.from_grade, "total": live["total"]},
        after={
            "grade": grade,
            "total": None if total is None else str(total),
            "reason": reason,
        },
    )
    return adjustment
