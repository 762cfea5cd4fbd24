"""The use of results (PRODUCT.md §6.5, source §3.3): what a published appraisal means for pay,
promotion, training and the position, each rule configurable on /settings/.

- bonus: base bonus × the coefficient of the quarterly grade (S 1.5, A 1.2, B 1.0, C 0.7, D 0),
  rounded half-up to 0.01; none when the employee has no base bonus on record;
- pay grade: the annual grade recommends steps (S +2, A +1, B/C 0, D −1) for HR to approve;
- promotion: an annual grade S or A gives priority for promotion and management training;
- training: every applicable KPI scoring below 60 becomes an action of the personal
  improvement plan, created when the result is published;
- position review: 2 consecutive quarterly grades of D raise a position review to HR.

Only published results count; a provisional one is listed as not yet published. HR's decision
on a pay step, a promotion priority or a position review is a `ResultDecision`: a recompute
updates a proposed decision's recommendation, never an approved or rejected one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.appraisal.models import (
    ActionStatus,
    Appraisal,
    AppraisalStatus,
    CycleKind,
    DecisionStatus,
    ImprovementAction,
    ResultDecision,
    Snapshot,
    SnapshotKind,
)
from telesales.appraisal.scoring import LOWEST_GRADE
from telesales.appraisal.workflow import FROZEN
from telesales.core.audit import audit_record
from telesales.core.periods import PeriodError, period_parse
from telesales.org.models import Employee

CENT = Decimal("0.01")

BONUS_SETTING = "appraisal.bonus_coefficients"
PAY_STEPS_SETTING = "appraisal.pay_steps"
PROMOTION_SETTING = "appraisal.promotion_grades"
TRAINING_THRESHOLD_SETTING = "appraisal.training_threshold"
TRAINING_DUE_SETTING = "appraisal.training_due_days"
POSITION_REVIEW_SETTING = "appraisal.position_review_after"

DEFAULTS = {
    BONUS_SETTING: "S:1.5,A:1.2,B:1.0,C:0.7,D:0",
    PAY_STEPS_SETTING: "S:2,A:1,B:0,C:0,D:-1",
    PROMOTION_SETTING: "S,A",
    TRAINING_THRESHOLD_SETTING: 60,
    TRAINING_DUE_SETTING: 30,
    POSITION_REVIEW_SETTING: 2,
}

# The rules HR decides on (ResultDecision.rule).
PAY = "pay"
PROMOTION = "promotion"
POSITION_REVIEW = "position_review"
DECIDED_RULES = (PAY, PROMOTION, POSITION_REVIEW)
RULE_LABELS = {
    "bonus": gettext_lazy("Bonus"),
    PAY: gettext_lazy("Pay-grade step"),
    PROMOTION: gettext_lazy("Promotion priority"),
    "training": gettext_lazy("Training actions"),
    POSITION_REVIEW: gettext_lazy("Position review"),
}

_GRADE = re.compile(r"^[A-Z][A-Z+\-]{0,4}$")


# --- the settings -------------------------------------------------------------------------


def grade_numbers_parse(text: str, *, whole: bool = False) -> dict[str, Decimal]:
    """“S:1.5,A:1.2,…” as {grade: number}; ValueError naming the first wrong part. `whole`:
    the numbers must be whole (pay steps, which may be negative); otherwise non-negative."""
    pairs: dict[str, Decimal] = {}
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise ValueError(_("Give at least one grade and its number, e.g. “S:1.5”."))
    for part in parts:
        grade, colon, number = part.partition(":")
        grade, number = grade.strip(), number.strip()
        if not colon or not _GRADE.match(grade):
            raise ValueError(
                _("“%(part)s” is not a grade and a number such as “S:1.5”.") % {"part": part}
            )
        if grade in pairs:
            raise ValueError(_("The grade %(grade)s is given twice.") % {"grade": grade})
        try:
            value = Decimal(number)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise ValueError(
                _("“%(part)s” is not a grade and a number such as “S:1.5”.") % {"part": part}
            )
        if whole and value != value.to_integral_value():
            raise ValueError(
                _("The number of steps of grade %(grade)s must be a whole number.")
                % {"grade": grade}
            )
        if not whole and value < 0:
            raise ValueError(
                _("The coefficient of grade %(grade)s must not be negative.") % {"grade": grade}
            )
        pairs[grade] = value.to_integral_value() if whole else value
    return pairs


def grades_parse(text: str) -> list[str]:
    """“S,A” as ["S", "A"]; ValueError for a part that is no grade. Empty: no grade."""
    grades = [part.strip() for part in (text or "").split(",") if part.strip()]
    for grade in grades:
        if not _GRADE.match(grade):
            raise ValueError(_("“%(part)s” is not a grade such as “A”.") % {"part": grade})
    if len(set(grades)) != len(grades):
        raise ValueError(_("A grade is given twice."))
    return grades


def _validator(parse):
    def validate(value):
        try:
            parse(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    return validate


valid_coefficients = _validator(grade_numbers_parse)
valid_steps = _validator(lambda text: grade_numbers_parse(text, whole=True))
valid_grades = _validator(grades_parse)


def _setting(key: str):
    from telesales.core.config import setting_get

    try:
        return setting_get(key)
    except KeyError:  # not declared (an app outside the project's start-up)
        return DEFAULTS[key]


def rules_current() -> dict:
    """The rules as configured now (a stored value that no longer parses counts as the
    default, so that a page never breaks on it)."""

    def parsed(key, parse):
        try:
            return parse(_setting(key))
        except (ValueError, TypeError):
            return parse(DEFAULTS[key])

    return {
        "coefficients": parsed(BONUS_SETTING, grade_numbers_parse),
        "steps": parsed(PAY_STEPS_SETTING, lambda t: grade_numbers_parse(t, whole=True)),
        "promotion": parsed(PROMOTION_SETTING, grades_parse),
        "threshold": Decimal(str(_setting(TRAINING_THRESHOLD_SETTING))),
        "due_days": int(_setting(TRAINING_DUE_SETTING)),
        "review_after": int(_setting(POSITION_REVIEW_SETTING)),
        "text": {key: str(_setting(key)) for key in DEFAULTS},
    }


def settings_declare() -> None:
    """Declare the §6.5 rules as settings (called from the app's ready())."""
    from django import forms

    from telesales.core.config import SettingDefinition, setting_declare

    definitions = [
        (
            BONUS_SETTING,
            gettext_lazy("Bonus coefficient by quarterly grade"),
            lambda: forms.CharField(max_length=200, validators=[valid_coefficients]),
            gettext_lazy(
                "Grade and coefficient pairs separated by commas, e.g. S:1.5,A:1.2: the "
                "quarterly bonus is the base bonus times the coefficient of the grade."
            ),
        ),
        (
            PAY_STEPS_SETTING,
            gettext_lazy("Pay-grade steps by annual grade"),
            lambda: forms.CharField(max_length=200, validators=[valid_steps]),
            gettext_lazy(
                "Grade and whole number of steps, e.g. S:2,A:1,D:-1: recommended to HR, who "
                "approves or rejects each one."
            ),
        ),
        (
            PROMOTION_SETTING,
            gettext_lazy("Annual grades with priority for promotion"),
            lambda: forms.CharField(max_length=100, required=False, validators=[valid_grades]),
            gettext_lazy(
                "Grades separated by commas; these annual grades get priority for promotion "
                "and management training."
            ),
        ),
        (
            TRAINING_THRESHOLD_SETTING,
            gettext_lazy("Training action below this KPI score"),
            lambda: forms.IntegerField(min_value=0, max_value=120),
            gettext_lazy(
                "Publishing a result adds an improvement action for every KPI scoring below "
                "this score."
            ),
        ),
        (
            TRAINING_DUE_SETTING,
            gettext_lazy("Training actions due after (days)"),
            lambda: forms.IntegerField(min_value=1, max_value=365),
            gettext_lazy("An improvement action made at publication is due this many days later."),
        ),
        (
            POSITION_REVIEW_SETTING,
            gettext_lazy("Position review after consecutive D grades"),
            lambda: forms.IntegerField(min_value=1, max_value=8),
            gettext_lazy(
                "This many consecutive quarterly grades of D raise a position review to HR."
            ),
        ),
    ]
    for order, (key, label, field, help_text) in enumerate(definitions, start=72):
        setting_declare(
            SettingDefinition(
                key=key,
                label=label,
                default=DEFAULTS[key],
                field=field,
                help=help_text,
                order=order,
            )
        )


# --- the rules as pure functions ------------------------------------------------------------


def bonus_amount(
    base_bonus: Decimal | None, grade: str | None, coefficients: Mapping[str, Decimal]
) -> Decimal | None:
    """Base bonus × the coefficient of the quarterly grade, half-up to 0.01; None when there
    is no base bonus on record or no coefficient for the grade."""
    if base_bonus is None or grade is None or grade not in coefficients:
        return None
    return (Decimal(base_bonus) * coefficients[grade]).quantize(CENT, rounding=ROUND_HALF_UP)


def pay_step(grade: str | None, steps: Mapping[str, Decimal]) -> int | None:
    """The recommended pay-grade steps of the annual grade (0 for a grade not configured);
    None without a grade."""
    if grade is None:
        return None
    return int(steps.get(grade, 0))


def pay_step_text(step: int | None) -> str:
    """“+2 steps”, “−1 step”, “no change”."""
    if step is None:
        return "—"
    if step == 0:
        return _("no change")
    sign = "+" if step > 0 else "−"
    return ngettext("%(sign)s%(count)s step", "%(sign)s%(count)s steps", abs(step)) % {
        "sign": sign,
        "count": abs(step),
    }


def promotion_priority(grade: str | None, grades: Iterable[str]) -> bool:
    """Whether the annual grade gives priority for promotion and management training."""
    return grade is not None and grade in set(grades)


def kpi_label(code: str) -> str:
    from telesales.kpi import registry

    registry._load()
    definition = registry.DEFINITIONS.get(code)
    return str(definition.label) if definition is not None else code


def training_actions(result: Mapping, threshold: Decimal | int = 60) -> list[dict]:
    """Every KPI of a result with an applicable score below the threshold, as
    {kpi, score, text}: the action text names the KPI and its score. A KPI without a score
    (not applicable, or scored by its `when_missing` rule) makes no action."""
    threshold = Decimal(str(threshold))
    actions = []
    for kpi in result.get("kpis") or []:
        score = kpi.get("score")
        if score is None or not kpi.get("applicable", True):
            continue
        score = Decimal(str(score))
        if score < threshold:
            actions.append(
                {
                    "kpi": kpi["kpi"],
                    "score": score,
                    "text": _(
                        "Training and improvement plan for %(kpi)s: it scored %(score)s, below "
                        "%(threshold)s."
                    )
                    % {
                        "kpi": kpi_label(kpi["kpi"]),
                        "score": f"{score:.2f}",
                        "threshold": threshold,
                    },
                }
            )
    return actions


def position_review(grades_in_order: Sequence[str | None], n: int) -> bool:
    """Whether the last `n` consecutive quarterly grades (oldest first; None for a quarter
    without a published result, which breaks the run) are all the lowest grade, D."""
    if n < 1 or len(grades_in_order) < n:
        return False
    return all(grade == LOWEST_GRADE for grade in grades_in_order[-n:])


# --- training actions at publication ----------------------------------------------------


@transaction.atomic
def training_actions_create(
    *, actor, appraisal: Appraisal, snapshot: Snapshot
) -> list[ImprovementAction]:
    """At publication (§6.5 training): one improvement action, source “rule”, owned by the
    appraisee and due after the configured days, for each KPI of the published result scoring
    below the threshold; a KPI that already has an open rule action on this appraisal gets no
    second one (a republication after a reopening). Audited."""
    if snapshot.kind != SnapshotKind.PUBLISHED:
        return []
    rules = rules_current()
    wanted = training_actions(snapshot.data, rules["threshold"])
    if not wanted:
        return []
    open_kpis = set(
        ImprovementAction.objects.filter(
            appraisal=appraisal, source="rule", status=ActionStatus.OPEN
        ).values_list("kpi", flat=True)
    )
    due_on = timezone.localdate() + dt.timedelta(days=rules["due_days"])
    created = []
    for item in wanted:
        if item["kpi"] in open_kpis:
            continue
        action = ImprovementAction.objects.create(
            appraisal=appraisal,
            kpi=item["kpi"],
            text=item["text"],
            owner_id=appraisal.employee_id,
            due_on=due_on,
            source="rule",
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="appraisal.action.rule",
            obj=action,
            after={
                "appraisal": appraisal.pk,
                "kpi": action.kpi,
                "score": float(item["score"]),
                "due_on": due_on.isoformat(),
            },
        )
        created.append(action)
    return created


# --- the results of a quarter or a year ----------------------------------------------------


def results_period(text) -> tuple[str, object]:
    """The period of the results page: a quarter (“2026-Q3”) or a year (“2026”); ValidationError
    for anything else."""
    try:
        period = period_parse(str(text or ""))
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc
    if period.kind not in ("quarter", "year"):
        raise ValidationError(
            _("The use of results is for a quarter (2026-Q3) or a year (2026), not “%(text)s”.")
            % {"text": text}
        )
    return period.kind, period


def _decisions(period_code: str, employee_ids) -> dict[tuple[int, str], ResultDecision]:
    return {
        (d.employee_id, d.rule): d
        for d in ResultDecision.objects.filter(
            period=period_code, employee_id__in=list(employee_ids)
        ).select_related("decided_by")
    }


def _grades_before(employee_ids, period, count: int) -> dict[tuple[int, str], str]:
    """The published grades of the `count` quarters before `period`, by (employee, quarter)."""
    codes = []
    current = period
    for _i in range(count):
        current = current.previous()
        codes.append(current.code)
    if not codes:
        return {}
    appraisals = Appraisal.objects.filter(
        employee_id__in=list(employee_ids),
        cycle__kind=CycleKind.QUARTER,
        cycle__period__in=codes,
        status__in=FROZEN,
    ).select_related("cycle")
    by_id = {a.pk: a for a in appraisals}
    from telesales.appraisal.annual import _latest_snapshots

    grades: dict[tuple[int, str], str] = {}
    for appraisal_id, item in _latest_snapshots(by_id).items():
        appraisal = by_id[appraisal_id]
        key = (appraisal.employee_id, appraisal.cycle.period)
        # Two published appraisals in one quarter: a D in either counts.
        if grades.get(key) != LOWEST_GRADE:
            grades[key] = item.grade or None
    return grades


def _decision_json(decision: ResultDecision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "status": decision.status,
        "recommendation": decision.recommendation,
        "note": decision.note,
        "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
        "decided_at": decision.decided_at.isoformat() if decision.decided_at else None,
    }


def _quarter_results(period, user, rules) -> dict:
    from telesales.appraisal.access import appraisals_visible
    from telesales.appraisal.annual import quarter_results

    appraisals = list(
        appraisals_visible(user)
        .filter(cycle__kind=CycleKind.QUARTER, cycle__period=period.code)
        .select_related("cycle__scheme", "employee__team")
        .order_by("employee__employee_no", "cycle__scheme__code")
    )
    results = quarter_results(appraisals, published_only=True)
    published = [a for a in appraisals if results[a.pk]["published"]]
    ids = {a.employee_id for a in published}
    run = rules["review_after"]
    before = _grades_before(ids, period, run - 1)
    earlier = []
    current = period
    for _i in range(run - 1):
        current = current.previous()
        earlier.insert(0, current.code)
    decisions = _decisions(period.code, ids)
    rows = []
    for appraisal in published:
        result = results[appraisal.pk]["result"]
        employee = appraisal.employee
        grade = result.get("grade") or None
        coefficient = rules["coefficients"].get(grade) if grade else None
        bonus = bonus_amount(employee.base_bonus, grade, rules["coefficients"])
        if employee.base_bonus is None:
            bonus_note = _("no base bonus on record")
        elif coefficient is None:
            bonus_note = _("no coefficient for grade %(grade)s") % {"grade": grade or "—"}
        else:
            bonus_note = ""
        history = [
            {"period": code, "grade": before.get((employee.pk, code))} for code in earlier
        ] + [{"period": period.code, "grade": grade}]
        review = position_review([item["grade"] for item in history], run)
        rows.append(
            {
                "employee_id": employee.pk,
                "employee_no": employee.employee_no,
                "name": employee.name,
                "team": employee.team.code if employee.team else None,
                "scheme": appraisal.cycle.scheme.code,
                "appraisal_id": appraisal.pk,
                "total": result.get("total"),
                "grade": grade,
                "base_bonus": None if employee.base_bonus is None else float(employee.base_bonus),
                "coefficient": None if coefficient is None else float(coefficient),
                "bonus": None if bonus is None else float(bonus),
                "bonus_note": bonus_note,
                "training": [
                    {
                        "kpi": item["kpi"],
                        "label": kpi_label(item["kpi"]),
                        "score": float(item["score"]),
                        "text": item["text"],
                    }
                    for item in training_actions(result, rules["threshold"])
                ],
                "position_review": review,
                "grades": history,
                "decisions": {
                    POSITION_REVIEW: _decision_json(decisions.get((employee.pk, POSITION_REVIEW)))
                },
            }
        )
    not_published = [
        {
            "employee_no": a.employee.employee_no,
            "name": a.employee.name,
            "scheme": a.cycle.scheme.code,
            "status": a.status,
            "status_label": str(AppraisalStatus(a.status).label),
        }
        for a in appraisals
        if not results[a.pk]["published"]
    ]
    return {"rows": rows, "not_published": not_published}


def _year_results(period, user, rules) -> dict:
    from telesales.appraisal.annual import annual_compute

    annual = annual_compute(year=int(period.code), user=user, published_only=True)
    people = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=[r["employee_id"] for r in annual["appraisals"]])
    }
    decisions = _decisions(period.code, people)
    rows, not_published = [], []
    for item in annual["appraisals"]:
        waiting = [q["period"] for q in item["quarters"] if q["status"] and not q["published"]]
        if item["total"] is None:
            not_published.append(
                {
                    "employee_no": item["employee_no"],
                    "name": item["name"],
                    "scheme": item["scheme"],
                    "status": ", ".join(waiting),
                    "status_label": _("not yet published: %(quarters)s")
                    % {"quarters": ", ".join(waiting)},
                }
            )
            continue
        step = pay_step(item["grade"], rules["steps"])
        employee = people[item["employee_id"]]
        rows.append(
            {
                "employee_id": item["employee_id"],
                "employee_no": item["employee_no"],
                "name": item["name"],
                "team": item["team"],
                "scheme": item["scheme"],
                "total": item["total"],
                "grade": item["grade"],
                "quarters": item["quarters"],
                "unpublished_quarters": waiting,
                "pay_grade": employee.pay_grade,
                "step": step,
                "step_text": pay_step_text(step),
                "promotion": promotion_priority(item["grade"], rules["promotion"]),
                "decisions": {
                    rule: _decision_json(decisions.get((item["employee_id"], rule)))
                    for rule in (PAY, PROMOTION)
                },
            }
        )
    return {"rows": rows, "not_published": not_published, "weights": annual["weights"]}


def results_compute(*, period: str | None = None, year: int | None = None, user=None) -> dict:
    """The §6.5 results of a quarter (bonus, training actions, position review) or a year (pay
    step, promotion priority) for the people the user may see, from published results only;
    the provisional ones are listed under `not_published`. Each row carries HR's stored
    decisions. Stores nothing."""
    kind, parsed = results_period(period if period is not None else year)
    rules = rules_current()
    body = (_quarter_results if kind == "quarter" else _year_results)(parsed, user, rules)
    return {
        "period": parsed.code,
        "kind": kind,
        "rules": {
            "coefficients": {g: float(v) for g, v in rules["coefficients"].items()},
            "steps": {g: int(v) for g, v in rules["steps"].items()},
            "promotion": rules["promotion"],
            "threshold": float(rules["threshold"]),
            "due_days": rules["due_days"],
            "review_after": rules["review_after"],
        },
        **body,
    }


def recommendations(payload: dict) -> dict[tuple[int, str], dict]:
    """The recommendations HR decides on, by (employee id, rule): a position review raised,
    a pay step other than 0, a promotion priority."""
    found: dict[tuple[int, str], dict] = {}
    for row in payload["rows"]:
        if payload["kind"] == "quarter":
            if row["position_review"]:
                found[(row["employee_id"], POSITION_REVIEW)] = {
                    "grades": [[g["period"], g["grade"]] for g in row["grades"]],
                }
            continue
        if row["step"]:
            found[(row["employee_id"], PAY)] = {
                "grade": row["grade"],
                "total": row["total"],
                "step": row["step"],
                "pay_grade": row["pay_grade"],
            }
        if row["promotion"]:
            found[(row["employee_id"], PROMOTION)] = {"grade": row["grade"], "total": row["total"]}
    return found


def _check_administrator(actor) -> None:
    from django.core.exceptions import PermissionDenied

    from telesales.appraisal.access import can_administer

    if not can_administer(actor):
        raise PermissionDenied(_("Only HR and administrators decide on the use of results."))


@transaction.atomic
def result_decisions_sync(*, actor, period_code: str) -> tuple[int, int]:
    """Store every current recommendation of the period as a proposed decision: a new one is
    created, a proposed one whose recommendation changed is updated, an approved or rejected
    one is never touched. Returns (created, updated). Audited."""
    _check_administrator(actor)
    payload = results_compute(period=period_code, user=actor)
    found = recommendations(payload)
    existing = _decisions(payload["period"], {employee for employee, _rule in found})
    created = updated = 0
    for (employee_id, rule), recommendation in found.items():
        decision = existing.get((employee_id, rule))
        if decision is None:
            decision = ResultDecision.objects.create(
                employee_id=employee_id,
                period=payload["period"],
                rule=rule,
                recommendation=recommendation,
            )
            audit_record(
                actor=actor,
                action="appraisal.decision.propose",
                obj=decision,
                after={"rule": rule, "period": payload["period"], "recommendation": recommendation},
            )
            created += 1
        elif (
            decision.status == DecisionStatus.PROPOSED and decision.recommendation != recommendation
        ):
            before = decision.recommendation
            decision.recommendation = recommendation
            decision.save(update_fields=["recommendation"])
            audit_record(
                actor=actor,
                action="appraisal.decision.propose",
                obj=decision,
                before={"recommendation": before},
                after={"recommendation": recommendation},
            )
            updated += 1
    return created, updated


@transaction.atomic
def result_decide(
    *, actor, employee: Employee, period_code: str, rule: str, approve: bool, note: str = ""
) -> ResultDecision:
    """HR approves or rejects one current recommendation (a rejection says why); a decision
    once made is not made again. The recommendation decided on is stored with it. Audited."""
    _check_administrator(actor)
    note = (note or "").strip()
    if rule not in DECIDED_RULES:
        raise ValidationError(_("“%(rule)s” is not a rule HR decides on.") % {"rule": rule})
    if not approve and not note:
        raise ValidationError(_("Give a note saying why the recommendation is rejected."))
    payload = results_compute(period=period_code, user=actor)
    recommendation = recommendations(payload).get((employee.pk, rule))
    if recommendation is None:
        raise ValidationError(
            _("There is no %(rule)s recommendation for %(no)s in %(period)s.")
            % {"rule": RULE_LABELS[rule], "no": employee.employee_no, "period": payload["period"]}
        )
    decision, _created = ResultDecision.objects.select_for_update().get_or_create(
        employee=employee,
        period=payload["period"],
        rule=rule,
        defaults={"recommendation": recommendation},
    )
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationError(
            _("This recommendation was already decided: %(status)s.")
            % {"status": decision.get_status_display()}
        )
    before = {"status": decision.status, "recommendation": decision.recommendation}
    decision.recommendation = recommendation
    decision.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    decision.note = note
    decision.decided_by = actor if getattr(actor, "pk", None) else None
    decision.decided_at = timezone.now()
    decision.save()
    audit_record(
        actor=actor,
        action="appraisal.decision",
        obj=decision,
        before=before,
        after={
            "status": decision.status,
            "recommendation": recommendation,
            "note": note,
        },
    )
    return decision
