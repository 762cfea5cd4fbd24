"""Training sessions: the one transition function with its table of moves, attendance,
invitations, and sessions made outside a plan (the training import)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record
from telesales.org.models import Employee
from telesales.people.training import access
from telesales.people.training.models import (
    AssessmentResult,
    Attendance,
    Invitation,
    TrainingSession,
)
from telesales.people.training.services.common import (
    SESSION_FIELDS,
    duration_validate,
    refuse,
    snapshot,
    topic_validate,
)

Status = TrainingSession.Status


@dataclass(frozen=True)
class Move:
    label: Promise


# The only moves a session makes; anything else is refused. A held session stays held: its
# attendance and scores are facts. A cancelled one may be planned again.
MOVES: dict[tuple[str, str], Move] = {
    (Status.PLANNED, Status.HELD): Move(gettext_lazy("Mark held")),
    (Status.PLANNED, Status.CANCELLED): Move(gettext_lazy("Cancel")),
    (Status.CANCELLED, Status.PLANNED): Move(gettext_lazy("Plan again")),
}


def status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def session_moves_for(user, session: TrainingSession) -> list[tuple[str, Move]]:
    """The moves this user may make on this session now: (target status, move)."""
    if not access.session_may_manage(user, session):
        return []
    return [(to, move) for (frm, to), move in MOVES.items() if frm == session.status]


def _check(actor, session: TrainingSession) -> None:
    if not access.is_system(actor) and not (
        access.sessions_visible_to(actor).filter(pk=session.pk).exists()
        and access.session_may_manage(actor, session)
    ):
        raise refuse()


@transaction.atomic
def session_transition(
    *,
    actor,
    session: TrainingSession,
    to_status: str,
    note: str = "",
    today: dt.date | None = None,
) -> TrainingSession:
    """Move a session along one of the allowed moves (MOVES); a session is held on or
    after its date, never before."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=session.pk)
    )
    _check(actor, session)
    if (session.status, to_status) not in MOVES:
        raise ValidationError(
            _("A session that is “%(from)s” cannot become “%(to)s”.")
            % {"from": status_label(session.status), "to": status_label(to_status)}
        )
    today = today or timezone.localdate()
    if to_status == Status.HELD and session.date > today:
        raise ValidationError(
            _("The session is on %(date)s; it cannot be marked held before then.")
            % {"date": session.date.isoformat()}
        )
    before = snapshot(session, SESSION_FIELDS)
    session.status = to_status
    if note.strip():
        session.note = note.strip()[:300]
    session.save(update_fields=["status", "note", "updated_at"])
    audit_record(
        actor=actor,
        action="training.session.transition",
        obj=session,
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_attendance_record(
    *, actor, session: TrainingSession, attendance: dict[int, str]
) -> int:
    """Record who attended a held session (employee id → attended, absent or excused; ""
    clears it); only invitees have attendance, and someone with scores attended. Returns
    how many changed."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=session.pk)
    )
    _check(actor, session)
    if session.status != Status.HELD:
        raise ValidationError(_("Attendance is recorded once the session was held."))
    invitations = {
        i.employee_id: i
        for i in session.invitations.select_related("employee").filter(
            employee_id__in=list(attendance)
        )
    }
    scored = set(
        AssessmentResult.objects.filter(assessment__session=session).values_list(
            "employee_id", flat=True
        )
    )
    before, after, changed = {}, {}, []
    for employee_id, value in attendance.items():
        invitation = invitations.get(employee_id)
        if invitation is None:
            raise ValidationError(_("Only those invited have attendance."))
        if value not in Attendance.values and value != "":
            raise ValidationError(
                _("“%(value)s” is not attended, absent or excused.") % {"value": value}
            )
        if value == invitation.attendance:
            continue
        if employee_id in scored and value != Attendance.ATTENDED:
            raise ValidationError(
                _("%(name)s has scores in this session; remove them first.")
                % {"name": invitation.employee.name}
            )
        before[invitation.employee.employee_no] = invitation.attendance
        invitation.attendance = value
        after[invitation.employee.employee_no] = value
        changed.append(invitation)
    if changed:
        by_value: dict[str, list[int]] = {}
        for invitation in changed:
            by_value.setdefault(invitation.attendance, []).append(invitation.pk)
        for value, pks in by_value.items():  # one update per value, not one per row
            Invitation.objects.filter(pk__in=pks).update(attendance=value)
        audit_record(
            actor=actor,
            action="training.session.attendance",
            obj=session,
            before=before,
            after=after,
        )
    return len(changed)


@transaction.atomic
def session_invite(
    *, actor, session: TrainingSession, employees: list[Employee]
) -> list[Invitation]:
    """Invite people to a session not cancelled; someone already invited stays so."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=session.pk)
    )
    _check(actor, session)
    if session.status == Status.CANCELLED:
        raise ValidationError(_("Nobody is invited to a cancelled session."))
    if not access.is_system(actor):
        allowed = set(
            access.trainees_for(actor)
            .filter(pk__in=[e.pk for e in employees])
            .values_list("pk", flat=True)
        )
        if any(e.pk not in allowed for e in employees):
            raise refuse(_("You may not plan the training of this employee."))
    invited = set(session.invitations.values_list("employee_id", flat=True))
    new = [
        Invitation(session=session, employee=e)
        for e in dict.fromkeys(employees)
        if e.pk not in invited
    ]
    if new:
        Invitation.objects.bulk_create(new)
        audit_record(
            actor=actor,
            action="training.session.invite",
            obj=session,
            after={"invited": [i.employee.employee_no for i in new]},
        )
    return new


@transaction.atomic
def session_create(
    *,
    actor,
    title: str,
    topic: str,
    date: dt.date,
    start_time: dt.time,
    duration_minutes: int,
    invitees: list[Employee],
    trainer: Employee | None = None,
    held: bool = False,
    today: dt.date | None = None,
) -> TrainingSession:
    """A session outside any plan, inviting the people given (those whose training the
    user manages); `held` records one that already took place."""
    if not access.can_manage_training(actor):
        raise refuse()
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A session needs a title."))
    topic_validate(topic)
    duration_validate(duration_minutes)
    if not invitees:
        raise ValidationError(_("A session needs at least one invitee."))
    if not access.is_system(actor):
        allowed = set(
            access.trainees_for(actor)
            .filter(pk__in=[e.pk for e in invitees])
            .values_list("pk", flat=True)
        )
        if any(e.pk not in allowed for e in invitees):
            raise refuse(_("You may not plan the training of this employee."))
    today = today or timezone.localdate()
    if held and date > today:
        raise ValidationError(
            _("The session is on %(date)s; it cannot be marked held before then.")
            % {"date": date.isoformat()}
        )
    session = TrainingSession.objects.create(
        title=title[:200],
        topic=topic,
        trainer=trainer,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        status=Status.HELD if held else Status.PLANNED,
    )
    Invitation.objects.bulk_create(
        Invitation(session=session, employee=e) for e in dict.fromkeys(invitees)
    )
    audit_record(
        actor=actor,
        action="training.session.create",
        obj=session,
        after={
            **snapshot(session, SESSION_FIELDS),
            "invited": [e.employee_no for e in dict.fromkeys(invitees)],
        },
    )
    return session
