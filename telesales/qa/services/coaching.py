"""Coaching sessions (one-to-one, side-by-side listening, joint calls with key customers) and
the actions agreed in them, with the one transition function of an action's status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.qa import access
from telesales.qa.models import CoachingAction, CoachingSession, Review
from telesales.qa.services.common import ACTION_FIELDS, SESSION_FIELDS, employee_of, user_of

Status = CoachingAction.Status

# The only moves of an action: done by its owner (or whoever manages the session), and back
# to open when it turns out not to be done after all.
MOVES: dict[tuple[str, str], str] = {
    (Status.OPEN, Status.DONE): "done",
    (Status.DONE, Status.OPEN): "reopen",
}


def _coach_for(actor, coach: Employee | None) -> Employee:
    if user_of(actor) is not None:
        employee = employee_of(actor)
        if employee is None or not access.is_reviewer(actor):
            raise PermissionDenied(_("You may not record coaching."))
        return employee
    if coach is None:
        raise ValidationError(_("A coaching session needs a coach."))
    return coach


@transaction.atomic
def coaching_session_record(
    *,
    actor,
    kind: str,
    rep: Employee,
    held_on: dt.date,
    notes: str = "",
    customer=None,
    reviews: Iterable[Review] = (),
    coach: Employee | None = None,
) -> CoachingSession:
    """Record a coaching session with a rep in the coach's scope; a joint call names the key
    customer it was held with. Linked reviews must be reviews of the rep's calls."""
    coach = _coach_for(actor, coach)
    if kind not in CoachingSession.Kind.values:
        raise ValidationError(_("“%(value)s” is not a kind of coaching.") % {"value": kind})
    if rep.pk == coach.pk:
        raise ValidationError(_("Nobody coaches themselves."))
    if not access.reviewable_people(actor).filter(pk=rep.pk).exists():
        raise PermissionDenied(_("You may not coach this person."))
    if kind == CoachingSession.Kind.JOINT_CALL and customer is None:
        raise ValidationError(_("A joint call names the key customer it was held with."))
    if (
        kind == CoachingSession.Kind.JOINT_CALL
        and user_of(actor) is not None
        and customer.owner_id != rep.pk
        and not access.reviewable_people(actor).filter(pk=customer.owner_id).exists()
    ):
        raise PermissionDenied(_("You may not record calls with this customer."))
    if held_on > timezone.localdate():
        raise ValidationError(_("A coaching session is recorded once it has been held."))
    reviews = list(reviews)
    if any(r.call.employee_id != rep.pk for r in reviews):
        raise ValidationError(_("Only reviews of this rep's calls can be linked."))
    session = CoachingSession.objects.create(
        kind=kind,
        coach=coach,
        rep=rep,
        held_on=held_on,
        customer=customer if kind == CoachingSession.Kind.JOINT_CALL else None,
        notes=(notes or "").strip(),
        created_by=user_of(actor),
    )
    if reviews:
        session.reviews.set(reviews)
    after = snapshot(session, SESSION_FIELDS)
    after["reviews"] = sorted(r.pk for r in reviews)
    audit_record(actor=actor, action="qa.coaching.record", obj=session, after=after)
    return session


@transaction.atomic
def coaching_action_add(
    *, actor, session: CoachingSession, description: str, owner: Employee, due_on: dt.date
) -> CoachingAction:
    """An action agreed in the session, owned by the rep, the coach or someone in the coach's
    scope."""
    if not access.may_manage_session(actor, session):
        raise PermissionDenied(_("You may not add actions to this session."))
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("Describe the action."))
    allowed = owner.pk in {session.rep_id, session.coach_id} or (
        access.reviewable_people(actor).filter(pk=owner.pk).exists()
    )
    if not allowed:
        raise PermissionDenied(_("You may not give actions to this person."))
    if due_on < session.held_on:
        raise ValidationError(_("An action cannot be due before the session was held."))
    action = CoachingAction.objects.create(
        session=session, description=description[:500], owner=owner, due_on=due_on
    )
    audit_record(
        actor=actor, action="qa.action.add", obj=action, after=snapshot(action, ACTION_FIELDS)
    )
    return action


@transaction.atomic
def coaching_action_transition(
    *, actor, action: CoachingAction, to_status: str, note: str = "", at: dt.datetime | None = None
) -> CoachingAction:
    """Mark an action done (with the time and an optional note) or open again, along MOVES."""
    action = (
        CoachingAction.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=action.pk)
    )
    if not access.may_close_action(actor, action):
        raise PermissionDenied(_("You may not change this action."))
    move = MOVES.get((action.status, to_status))
    if move is None:
        raise ValidationError(
            _("An action that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": Status(action.status).label,
                "to": dict(Status.choices).get(to_status, to_status),
            }
        )
    before = snapshot(action, ACTION_FIELDS)
    action.status = to_status
    if to_status == Status.DONE:
        action.done_at = at or timezone.now()
        action.done_note = (note or "").strip()[:500]
    else:
        action.done_at = None
        action.done_note = (note or "").strip()[:500]
    action.save(update_fields=["status", "done_at", "done_note"])
    audit_record(
        actor=actor,
        action=f"qa.action.{move}",
        obj=action,
        before=before,
        after=snapshot(action, ACTION_FIELDS),
    )
    return action
