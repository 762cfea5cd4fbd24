"""The appraisal process (PRODUCT.md §6.6, source §3.4): the target agreement, the feedback
notes of the period, the result interview, the appeal and the improvement plan carried into
the next cycle. Every write here is atomic, made by a named actor and audited; the status of
an appraisal still changes only through `workflow.appraisal_transition`.

Who does what (on top of `workflow.MOVES`):
- the appraisee and the rater each confirm the scheme's targets and standards while the
  appraisal is a draft (HR confirms for the rater when the appraisee has no manager); the
  second confirmation agrees the appraisal;
- the people who run the appraisal (its rater, the supervisors and managers above the
  appraisee, HR and administrators) write feedback notes, shared with the appraisee or not,
  and plan improvement actions; the appraisee writes their own notes, always shared;
- the rater or HR record the result interview once the result is published; the appraisee
  acknowledges it, which makes the appraisal "interviewed";
- the appraisee appeals once, within the appeal window; a decider (never the appraisee nor
  the rater) upholds or revises the result, each decision kept as a new snapshot;
- an improvement action is closed (done or dropped) by its owner, the rater or HR; the open
  ones are copied into the appraisee's next appraisal when it is opened."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.appraisal.access import can_administer, is_appraisee, is_system
from telesales.appraisal.models import (
    ActionStatus,
    Appeal,
    AppealOutcome,
    Appraisal,
    AppraisalEvent,
    AppraisalStatus,
    Cycle,
    FeedbackNote,
    ImprovementAction,
    Interview,
    Snapshot,
    SnapshotKind,
)
from telesales.appraisal.publication import snapshot_current, snapshot_take
from telesales.appraisal.schemes import scheme_load
from telesales.appraisal.workflow import (
    DECIDER,
    MOVES,
    actor_parts,
    appeal_window_days,
    appraisal_moves_for,
    appraisal_transition,
    interviewed_at,
)
from telesales.core.audit import audit_record
from telesales.core.periods import Period, PeriodError, period_parse
from telesales.org.access import scope_for, user_employee
from telesales.org.models import Employee, Role

Status = AppraisalStatus

# Feedback notes are written during the period (PRODUCT.md §6.6 in_progress) and while it is
# rated; never once the result is frozen.
NOTE_STATUSES = frozenset({Status.IN_PROGRESS, Status.RATING})

# The moves made by their own service below, which does more than move the status (the
# agreement, the acknowledged interview, the appeal and its decision); the generic move
# refuses them.
OWN_SERVICE_MOVES = frozenset(
    {
        (Status.DRAFT, Status.AGREED),
        (Status.PUBLISHED, Status.INTERVIEWED),
        (Status.INTERVIEWED, Status.APPEALED),
        (Status.APPEALED, Status.CLOSED),
    }
)

# A revision on appeal may give any grade of the scheme or D (below the lowest grade).
LOWEST_GRADE = "D"
TOTAL_MAX = Decimal(120)
_CENTS = Decimal("0.01")

LINE_ROLES = {Role.SUPERVISOR, Role.MANAGER}


# --- who plays which part --------------------------------------------------------------------


def _employee(user) -> Employee | None:
    return None if is_system(user) else user_employee(user)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def is_rater(user, appraisal: Appraisal) -> bool:
    employee = _employee(user)
    return employee is not None and appraisal.rater_id == employee.pk


def is_hr(user, appraisal: Appraisal) -> bool:
    """HR or an administrator who is not the appraisee (nobody runs their own appraisal)."""
    return not is_appraisee(user, appraisal) and can_administer(user)


def on_the_line(user, appraisal: Appraisal) -> bool:
    """A supervisor or manager above the appraisee on the manager line (or leading their team)."""
    if is_system(user) or is_appraisee(user, appraisal):
        return False
    scope = scope_for(user)
    return scope.role in LINE_ROLES and appraisal.employee_id in scope.employee_ids


def runs(user, appraisal: Appraisal) -> bool:
    """Whether the user runs this appraisal: its rater, the appraisee's line, HR."""
    if is_appraisee(user, appraisal):
        return False
    return is_rater(user, appraisal) or is_hr(user, appraisal) or on_the_line(user, appraisal)


def agreement_side(user, appraisal: Appraisal) -> str | None:
    """Which side of the target agreement the user confirms: "appraisee", "rater" or None.
    HR confirms for the rater when the appraisal has none."""
    if is_appraisee(user, appraisal):
        return "appraisee"
    if is_rater(user, appraisal):
        return "rater"
    if appraisal.rater_id is None and is_hr(user, appraisal):
        return "rater"
    return None


def can_confirm(user, appraisal: Appraisal) -> bool:
    side = agreement_side(user, appraisal)
    if appraisal.status != Status.DRAFT or side is None:
        return False
    return getattr(appraisal, f"{side}_agreed_at") is None


def can_note(user, appraisal: Appraisal) -> bool:
    if appraisal.status not in NOTE_STATUSES:
        return False
    return is_appraisee(user, appraisal) or runs(user, appraisal)


def can_record_interview(user, appraisal: Appraisal) -> bool:
    if appraisal.status != Status.PUBLISHED or is_appraisee(user, appraisal):
        return False
    return is_rater(user, appraisal) or is_hr(user, appraisal)


def can_update_action(user, action: ImprovementAction) -> bool:
    if action.status != ActionStatus.OPEN:
        return False
    employee = _employee(user)
    if employee is not None and employee.pk == action.owner_id:
        return True
    return is_rater(user, action.appraisal) or is_hr(user, action.appraisal)


def generic_moves_for(user, appraisal: Appraisal) -> list[str]:
    """The moves the user may make now with the plain move form (reason when needed)."""
    return [
        to_status
        for to_status in appraisal_moves_for(user, appraisal)
        if (appraisal.status, to_status) not in OWN_SERVICE_MOVES
    ]


def appeal_deadline(appraisal: Appraisal) -> dt.datetime | None:
    """Until when the appraisee may appeal: the acknowledged interview plus the window."""
    since = interviewed_at(appraisal)
    if since is None:
        return None
    return since + dt.timedelta(days=appeal_window_days())


def _locked(appraisal: Appraisal) -> Appraisal:
    return (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("rater", "cycle__scheme")
        .get(pk=appraisal.pk)
    )


def _moment(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _status_error(message: str, appraisal: Appraisal, **names) -> ValidationError:
    return ValidationError(message % {"status": _label(appraisal.status), **names})


# --- 1. the target agreement ------------------------------------------------------------------


@transaction.atomic
def agreement_confirm(*, actor, appraisal: Appraisal) -> Appraisal:
    """The appraisee or the rater confirms the scheme's targets and standards while the
    appraisal is a draft; whoever confirms second also moves it to agreed."""
    appraisal = _locked(appraisal)
    side = agreement_side(actor, appraisal)
    if side is None:
        raise PermissionDenied(
            _("Only the appraisee and the rater confirm the targets and standards.")
        )
    if appraisal.status != Status.DRAFT:
        raise _status_error(
            _(
                "Targets and standards are confirmed while the appraisal is a draft; it is "
                "“%(status)s” now."
            ),
            appraisal,
        )
    field = f"{side}_agreed_at"
    confirmed = getattr(appraisal, field)
    if confirmed is not None:
        raise ValidationError(
            _("You confirmed the targets and standards already, on %(at)s.")
            % {"at": _moment(confirmed)}
        )
    now = timezone.now()
    setattr(appraisal, field, now)
    appraisal.save(update_fields=[field])
    audit_record(
        actor=actor,
        action="appraisal.agree",
        obj=appraisal,
        before={field: None},
        after={field: now.isoformat()},
    )
    if appraisal.appraisee_agreed_at and appraisal.rater_agreed_at:
        appraisal = appraisal_transition(actor=actor, appraisal=appraisal, to_status=Status.AGREED)
    return appraisal


# --- 2. the generic move ----------------------------------------------------------------------


@transaction.atomic
def appraisal_move(*, actor, appraisal: Appraisal, to_status: str, reason: str = "") -> Appraisal:
    """A move of the workflow table other than those made by their own service (agreement,
    acknowledgement, appeal, decision), which are refused here so that none is skipped."""
    if (appraisal.status, to_status) in OWN_SERVICE_MOVES:
        raise ValidationError(
            _("The move from “%(from)s” to “%(to)s” is made with its own form on the page.")
            % {"from": _label(appraisal.status), "to": _label(to_status)}
        )
    return appraisal_transition(
        actor=actor, appraisal=appraisal, to_status=to_status, reason=reason
    )


# --- 3. feedback notes ------------------------------------------------------------------------


@transaction.atomic
def note_add(*, actor, appraisal: Appraisal, text: str, shared: bool = True) -> FeedbackNote:
    """A feedback note during the period (in progress or being rated) by whoever runs the
    appraisal, shown to the appraisee or not; the appraisee's own notes are always shown."""
    appraisal = _locked(appraisal)
    own = is_appraisee(actor, appraisal)
    if not (own or runs(actor, appraisal)):
        raise PermissionDenied(_("You may not write feedback notes on this appraisal."))
    if appraisal.status not in NOTE_STATUSES:
        raise _status_error(
            _(
                "Feedback notes are written while the appraisal is in progress or being "
                "rated; it is “%(status)s” now."
            ),
            appraisal,
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note first."))
    note = FeedbackNote.objects.create(
        appraisal=appraisal,
        author=_user(actor),
        text=text,
        shared=True if own else bool(shared),
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="appraisal.note_add",
        obj=note,
        after={"appraisal": appraisal.pk, "shared": note.shared},
    )
    return note


def notes_visible(user, appraisal: Appraisal) -> list[FeedbackNote]:
    """The notes the user may read: the shared ones for the appraisee, all for the others."""
    notes = appraisal.notes.select_related("author__employee").order_by("-at", "-pk")
    if is_appraisee(user, appraisal):
        notes = notes.filter(shared=True)
    return list(notes)


# --- 4. the result interview ------------------------------------------------------------------


def _published_on(appraisal: Appraisal) -> dt.date | None:
    at = (
        AppraisalEvent.objects.filter(appraisal=appraisal, to_status=Status.PUBLISHED)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return None if at is None else timezone.localdate(at)


@transaction.atomic
def interview_record(
    *, actor, appraisal: Appraisal, held_on: dt.date | None, notes: str
) -> Interview:
    """The rater or HR record the result interview once the result is published; recording it
    again (before it is acknowledged, or after a republication) replaces it and asks for a new
    acknowledgement."""
    appraisal = _locked(appraisal)
    if is_appraisee(actor, appraisal) or not (
        is_rater(actor, appraisal) or is_hr(actor, appraisal)
    ):
        raise PermissionDenied(_("Only the rater or HR record the result interview."))
    if appraisal.status != Status.PUBLISHED:
        raise _status_error(
            _(
                "The result interview is recorded once the result is published; the appraisal "
                "is “%(status)s” now."
            ),
            appraisal,
        )
    notes = (notes or "").strip()
    if held_on is None:
        raise ValidationError(_("Give the day the interview was held."))
    if held_on > timezone.localdate():
        raise ValidationError(
            _("The interview cannot have been held in the future (%(day)s).")
            % {"day": held_on.isoformat()}
        )
    published = _published_on(appraisal)
    if published is not None and held_on < published:
        raise ValidationError(
            _(
                "The interview was held on %(day)s, before the result was published on %(published)s."
            )
            % {"day": held_on.isoformat(), "published": published.isoformat()}
        )
    if not notes:
        raise ValidationError(_("Write what was said in the interview."))
    interview = Interview.objects.select_for_update().filter(appraisal=appraisal).first()
    fields = ["held_on", "notes", "recorded_by_id", "acknowledged_at", "appraisee_comment"]
    before = None
    if interview is None:
        interview = Interview(appraisal=appraisal)
    else:
        before = {name: getattr(interview, name) for name in fields}
    interview.held_on = held_on
    interview.notes = notes
    interview.recorded_by = _user(actor)
    interview.recorded_at = timezone.now()
    interview.acknowledged_at = None
    interview.appraisee_comment = ""
    interview.save()
    audit_record(
        actor=actor,
        action="appraisal.interview_record",
        obj=interview,
        before=None if before is None else _plain(before),
        after=_plain({name: getattr(interview, name) for name in fields}),
    )
    return interview


def _plain(values: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
        for key, value in values.items()
    }


@transaction.atomic
def interview_acknowledge(*, actor, appraisal: Appraisal, comment: str = "") -> Appraisal:
    """The appraisee acknowledges the recorded result interview, with a comment if they wish;
    the appraisal becomes interviewed, which opens the appeal window."""
    appraisal = _locked(appraisal)
    if not is_appraisee(actor, appraisal):
        raise PermissionDenied(_("Only the appraisee acknowledges the result interview."))
    if appraisal.status != Status.PUBLISHED:
        raise _status_error(
            _(
                "The result interview is acknowledged once the result is published; the "
                "appraisal is “%(status)s” now."
            ),
            appraisal,
        )
    interview = Interview.objects.select_for_update().filter(appraisal=appraisal).first()
    if interview is None or interview.acknowledged_at is not None:
        raise ValidationError(
            _("The result interview has not been recorded yet; acknowledge it once it has.")
        )
    interview.acknowledged_at = timezone.now()
    interview.appraisee_comment = (comment or "").strip()
    interview.save(update_fields=["acknowledged_at", "appraisee_comment"])
    audit_record(
        actor=actor,
        action="appraisal.interview_acknowledge",
        obj=interview,
        after={
            "acknowledged_at": interview.acknowledged_at.isoformat(),
            "appraisee_comment": interview.appraisee_comment,
        },
    )
    return appraisal_transition(actor=actor, appraisal=appraisal, to_status=Status.INTERVIEWED)


# --- 5. the appeal ----------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, actor, appraisal: Appraisal, reason: str) -> Appeal:
    """The appraisee appeals the interviewed result once, with their grounds, within the appeal
    window; the result appealed is the current snapshot."""
    appraisal = _locked(appraisal)
    if not is_appraisee(actor, appraisal):
        raise PermissionDenied(_("Only the appraisee may appeal their result."))
    if appraisal.appeals.exists():
        raise ValidationError(
            _("This result has been appealed already; a result is appealed once.")
        )
    appraisal = appraisal_transition(
        actor=actor, appraisal=appraisal, to_status=Status.APPEALED, reason=reason
    )
    snapshot = snapshot_current(appraisal)
    if snapshot is None:
        raise ValidationError(_("There is no published result to appeal."))
    appeal = Appeal.objects.create(
        appraisal=appraisal,
        reason=reason.strip(),
        filed_by=_user(actor),
        filed_at=timezone.now(),
        snapshot_before=snapshot,
    )
    audit_record(
        actor=actor,
        action="appraisal.appeal_file",
        obj=appeal,
        after={"appraisal": appraisal.pk, "reason": appeal.reason, "snapshot": snapshot.version},
    )
    return appeal


def _grade(appraisal: Appraisal, to_grade) -> str:
    grade = (to_grade or "").strip().upper()
    if not grade:
        raise ValidationError(_("A revised result needs its new grade."))
    grades = [*scheme_load(appraisal.cycle.scheme.code).grades, LOWEST_GRADE]
    if grade not in grades:
        raise ValidationError(
            _("“%(grade)s” is not a grade of this scheme; give one of %(grades)s.")
            % {"grade": grade, "grades": ", ".join(grades)}
        )
    return grade


def _total(to_total) -> Decimal | None:
    if to_total is None or (isinstance(to_total, str) and not to_total.strip()):
        return None
    try:
        total = Decimal(str(to_total).strip())
    except InvalidOperation:
        raise ValidationError(
            _("The total “%(total)s” is not a number.") % {"total": to_total}
        ) from None
    if not total.is_finite() or not Decimal(0) <= total <= TOTAL_MAX:
        raise ValidationError(_("The total is a number from 0 to %(max)s.") % {"max": TOTAL_MAX})
    if total != total.quantize(_CENTS):
        raise ValidationError(_("The total has at most 2 decimals."))
    return total.quantize(_CENTS)


@transaction.atomic
def appeal_decide(
    *,
    actor,
    appeal: Appeal,
    outcome: str,
    reason: str,
    to_grade: str | None = None,
    to_total=None,
) -> Appeal:
    """A decider (HR, an administrator or the rater's manager; never the appraisee nor the
    rater) upholds or revises the appealed result with a reason; revised needs the new grade
    (and may give the total). Either way the decision is a new snapshot, the earlier ones kept,
    and the appraisal is closed."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    appraisal = _locked(appeal.appraisal)
    if appeal.outcome:
        raise ValidationError(_("This appeal has been decided already."))
    if not actor_parts(actor, appraisal) & MOVES[(Status.APPEALED, Status.CLOSED)]:
        raise PermissionDenied(
            _("Only HR or the rater's manager decide an appeal, never the appraisee or the rater.")
        )
    if outcome not in AppealOutcome.values:
        raise ValidationError(_("Decide the appeal: upheld or revised."))
    appraisal = appraisal_transition(
        actor=actor, appraisal=appraisal, to_status=Status.CLOSED, reason=reason
    )
    before: Snapshot | None = appeal.snapshot_before or snapshot_current(appraisal)
    data = dict(before.data) if before is not None else {}
    entry = {
        "outcome": outcome,
        "grounds": appeal.reason,
        "reason": reason.strip(),
        "from_grade": data.get("grade"),
        "from_total": data.get("total"),
        "to_grade": data.get("grade"),
        "to_total": data.get("total"),
        "snapshot_before": None if before is None else before.version,
        "decided_at": timezone.now().isoformat(),
    }
    if outcome == AppealOutcome.REVISED:
        grade = _grade(appraisal, to_grade)
        total = _total(to_total)
        data["grade"] = grade
        entry["to_grade"] = grade
        if total is not None:
            data["total"] = float(total)
            entry["to_total"] = float(total)
        kind = SnapshotKind.APPEAL_REVISED
    else:
        if (to_grade or "").strip() or _total(to_total) is not None:
            raise ValidationError(
                _("An upheld appeal keeps the result; leave the new grade and total empty.")
            )
        kind = SnapshotKind.APPEAL_UPHELD
    data["appeal"] = entry
    after = snapshot_take(
        actor=actor, appraisal=appraisal, kind=kind, reason=reason.strip(), data=data
    )
    appeal.outcome = outcome
    appeal.decision_reason = reason.strip()
    appeal.decided_by = _user(actor)
    appeal.decided_at = timezone.now()
    appeal.snapshot_before = before
    appeal.snapshot_after = after
    appeal.save()
    audit_record(
        actor=actor,
        action="appraisal.appeal_decide",
        obj=appeal,
        after={
            "outcome": outcome,
            "reason": appeal.decision_reason,
            "grade": after.grade,
            "total": entry["to_total"],
            "snapshot": after.version,
        },
    )
    return appeal


def can_decide(user, appraisal: Appraisal) -> bool:
    return appraisal.status == Status.APPEALED and bool(actor_parts(user, appraisal) & {DECIDER})


# --- 6. the improvement plan ------------------------------------------------------------------


def scheme_kpis(appraisal: Appraisal) -> list[str]:
    scheme = scheme_load(appraisal.cycle.scheme.code)
    return [line.kpi for category in scheme.categories for line in category.kpis]


@transaction.atomic
def action_add(
    *,
    actor,
    appraisal: Appraisal,
    text: str,
    owner: Employee | None,
    due_on: dt.date | None,
    kpi: str = "",
) -> ImprovementAction:
    """An action of the appraisee's improvement plan, with its owner (someone employed) and due
    date (today or later), planned by the rater, the appraisee's line or HR; it may name one
    KPI of the scheme."""
    appraisal = _locked(appraisal)
    if not runs(actor, appraisal):
        raise PermissionDenied(_("Only the rater, their line and HR plan improvement actions."))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Say what is to be done."))
    if owner is None:
        raise ValidationError(_("Name who owns the action."))
    today = timezone.localdate()
    if owner.leave_date is not None and owner.leave_date <= today:
        raise ValidationError(
            _("%(name)s has left and cannot own an action.") % {"name": owner.name}
        )
    if due_on is None:
        raise ValidationError(_("Give the day the action is due."))
    if due_on < today:
        raise ValidationError(
            _("The due date %(day)s is in the past.") % {"day": due_on.isoformat()}
        )
    kpi = (kpi or "").strip()
    if kpi and kpi not in scheme_kpis(appraisal):
        raise ValidationError(
            _("“%(kpi)s” is not a KPI of this appraisal's scheme.") % {"kpi": kpi}
        )
    action = ImprovementAction.objects.create(
        appraisal=appraisal,
        kpi=kpi,
        text=text,
        owner=owner,
        due_on=due_on,
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="appraisal.action_add",
        obj=action,
        after={
            "appraisal": appraisal.pk,
            "text": text,
            "owner": owner.pk,
            "due_on": due_on.isoformat(),
            "kpi": kpi,
        },
    )
    return action


@transaction.atomic
def action_update(*, actor, action: ImprovementAction, status: str) -> ImprovementAction:
    """An open action is done or dropped by its owner, the rater or HR."""
    action = (
        ImprovementAction.objects.select_for_update(of=("self",))
        .select_related("appraisal__rater")
        .get(pk=action.pk)
    )
    employee = _employee(actor)
    own = employee is not None and employee.pk == action.owner_id
    if not (own or is_rater(actor, action.appraisal) or is_hr(actor, action.appraisal)):
        raise PermissionDenied(_("Only the owner, the rater or HR close an improvement action."))
    if status not in {ActionStatus.DONE, ActionStatus.DROPPED}:
        raise ValidationError(_("An improvement action is closed as done or dropped."))
    if action.status != ActionStatus.OPEN:
        raise ValidationError(
            _("This action is “%(status)s” already; only an open action changes.")
            % {"status": ActionStatus(action.status).label}
        )
    before = {"status": action.status, "done_at": None}
    action.status = status
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    audit_record(
        actor=actor,
        action="appraisal.action_update",
        obj=action,
        before=before,
        after={
            "status": status,
            "done_at": None if action.done_at is None else action.done_at.isoformat(),
        },
    )
    return action


def actions_carry(
    *, actor, cycle: Cycle, appraisals: list[Appraisal], period: Period
) -> list[ImprovementAction]:
    """Copy into each new appraisal the open improvement actions of the appraisee's latest
    earlier appraisal (of a cycle whose period ends before this one starts), marked carried
    from it; the earlier actions stay as they are, and an action is carried only once.
    Called by `cycles.appraisal_open` in its transaction."""
    new_by_employee = {a.employee_id: a for a in appraisals}
    if not new_by_employee:
        return []
    latest: dict[int, tuple[dt.date, int]] = {}  # employee → (period end, appraisal id)
    earlier = (
        Appraisal.objects.filter(employee_id__in=new_by_employee)
        .exclude(cycle=cycle)
        .values_list("pk", "employee_id", "cycle__period")
    )
    for pk, employee_id, code in earlier:
        try:
            end = period_parse(code).end
        except PeriodError:
            continue
        if end >= period.start:
            continue
        if employee_id not in latest or (end, pk) > latest[employee_id]:
            latest[employee_id] = (end, pk)
    target_by_source = {
        pk: new_by_employee[employee_id] for employee_id, (_end, pk) in latest.items()
    }
    if not target_by_source:
        return []
    open_actions = ImprovementAction.objects.filter(
        appraisal_id__in=target_by_source,
        status=ActionStatus.OPEN,
        carried_to__isnull=True,
    ).order_by("appraisal_id", "due_on", "pk")
    copies = ImprovementAction.objects.bulk_create(
        ImprovementAction(
            appraisal=target_by_source[action.appraisal_id],
            kpi=action.kpi,
            text=action.text,
            owner_id=action.owner_id,
            due_on=action.due_on,
            source=action.source,
            carried_from=action,
            created_by=_user(actor),
            created_at=timezone.now(),
        )
        for action in open_actions
    )
    if copies:
        audit_record(
            actor=actor,
            action="appraisal.actions_carry",
            obj=cycle,
            after={"carried": [[c.carried_from_id, c.appraisal_id] for c in copies]},
        )
    return copies
