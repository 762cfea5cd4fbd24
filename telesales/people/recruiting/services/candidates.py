"""Candidates: adding one to an opening (one phone number, one active application), their
stage with the one transition function and its table of moves, the offer and its decision.
Every move is recorded with who made it, when and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.recruiting import access
from telesales.people.recruiting.models import (
    FINAL_STAGES,
    Candidate,
    Opening,
    Source,
    Stage,
    StageChange,
)
from telesales.people.recruiting.phones import phone_display, phone_normalise
from telesales.people.recruiting.services.common import (
    CANDIDATE_FIELDS,
    actor_label,
    user_of,
)

# -- the state machine ---------------------------------------------------------------------------

MOVE = "move"  # a plain move, from the candidate page
OFFER = "offer"  # through candidate_offer: needs a proposed start date
HIRE = "hire"  # through candidate_hire: needs the new employee


@dataclass(frozen=True)
class Move:
    label: Promise
    via: str = MOVE
    needs_reason: bool = False


_REJECT = Move(gettext_lazy("Reject"), needs_reason=True)
_WITHDRAW = Move(gettext_lazy("Withdrawn by the candidate"))

# The only moves a candidate makes: forward one stage at a time, or out (rejected or
# withdrawn) from any stage that is not final. Hired, rejected and withdrawn are final.
MOVES: dict[tuple[str, str], Move] = {
    (Stage.APPLIED, Stage.SCREENING): Move(gettext_lazy("Start screening")),
    (Stage.SCREENING, Stage.INTERVIEW): Move(gettext_lazy("Invite to interview")),
    (Stage.INTERVIEW, Stage.OFFER): Move(gettext_lazy("Make an offer"), via=OFFER),
    (Stage.OFFER, Stage.HIRED): Move(gettext_lazy("Hire"), via=HIRE),
    **{(stage, Stage.REJECTED): _REJECT for stage in Stage.values if stage not in FINAL_STAGES},
    **{(stage, Stage.WITHDRAWN): _WITHDRAW for stage in Stage.values if stage not in FINAL_STAGES},
}


def _stage_label(value: str) -> str:
    return str(dict(Stage.choices).get(value, value))


def candidate_moves_for(user, candidate: Candidate) -> list[tuple[str, Move]]:
    """The plain moves (not the offer or the hire, which have their own forms) this user may
    make on this candidate now."""
    if not access.candidate_rights(user, candidate).manage:
        return []
    return [
        (to_stage, move)
        for (from_stage, to_stage), move in MOVES.items()
        if from_stage == candidate.stage and move.via == MOVE
    ]


def _check_manage(actor, candidate: Candidate) -> None:
    if (
        not access.can_manage(actor)
        or not access.candidates_in_scope(actor).filter(pk=candidate.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this candidate."))


@transaction.atomic
def candidate_transition(
    *,
    actor,
    candidate: Candidate,
    to_stage: str,
    reason: str = "",
    at: dt.datetime | None = None,
    offer_start_date: dt.date | None = None,
    offer_note: str = "",
    employee: Employee | None = None,
) -> Candidate:
    """Move a candidate along one of the allowed moves (MOVES), recorded with actor, time and
    reason; a rejection needs a reason, an offer a proposed start date, a hire its employee."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    _check_manage(actor, candidate)
    move = MOVES.get((candidate.stage, to_stage))
    if move is None:
        raise ValidationError(
            _("A candidate at “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _stage_label(candidate.stage), "to": _stage_label(to_stage)}
        )
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise ValidationError(_("Give the reason for rejecting the candidate."))
    if move.via == OFFER and offer_start_date is None:
        raise ValidationError(_("An offer needs a proposed start date."))
    if move.via == HIRE and employee is None:
        raise ValidationError(_("A candidate is hired with the hire form, as a new employee."))
    at = at or timezone.now()
    if at < candidate.stage_changed_at:
        raise ValidationError(_("A stage cannot change before the candidate's last move."))
    before = snapshot(candidate, CANDIDATE_FIELDS)
    from_stage = candidate.stage
    candidate.stage = to_stage
    candidate.stage_changed_at = at
    if move.via == OFFER:
        if offer_start_date < timezone.localtime(at).date():
            raise ValidationError(_("The proposed start date cannot be in the past."))
        candidate.offer_start_date = offer_start_date
        candidate.offer_note = (offer_note or "").strip()[:300]
        candidate.offer_made_at = at
        candidate.decision = Candidate.Decision.PENDING
        candidate.decided_at = None
    if move.via == HIRE:
        candidate.employee = employee
    candidate.save()
    StageChange.objects.create(
        candidate=candidate,
        from_stage=from_stage,
        to_stage=to_stage,
        at=at,
        actor=user_of(actor),
        actor_label=actor_label(actor),
        reason=reason,
    )
    after = snapshot(candidate, CANDIDATE_FIELDS)
    if reason:
        before["reason"], after["reason"] = "", reason
    audit_record(
        actor=actor, action="candidate.transition", obj=candidate, before=before, after=after
    )
    return candidate


# -- adding and changing -------------------------------------------------------------------------


def _clean(name: str, phone: str, email: str, source: str) -> tuple[str, str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the candidate's name."))
    if len(name) > 100:
        raise ValidationError(_("A name has at most 100 characters."))
    if source not in Source.values:
        raise ValidationError(_("“%(value)s” is not a source of candidates.") % {"value": source})
    email = (email or "").strip()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not an email address.") % {"value": email}
            ) from None
    return name, phone_normalise(phone), email


def candidate_duplicates_check(
    *, phone: str, opening: Opening, exclude: Candidate | None = None
) -> None:
    """One application per phone number and opening, and one active application at a time:
    a second is refused, naming the candidate who has the number."""
    others = Candidate.objects.filter(phone=phone).select_related("opening", "opening__team")
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    same = others.filter(opening=opening).first()
    if same is not None:
        raise ValidationError(
            _(
                "%(name)s has already applied for this opening with the phone number "
                "%(phone)s (now at “%(stage)s”)."
            )
            % {
                "name": same.name,
                "phone": phone_display(phone),
                "stage": same.get_stage_display(),
            }
        )
    active = others.exclude(stage__in=FINAL_STAGES).first()
    if active is not None:
        raise ValidationError(
            _(
                "%(name)s, with the phone number %(phone)s, is still at “%(stage)s” for the "
                "opening %(opening)s; finish that application first."
            )
            % {
                "name": active.name,
                "phone": phone_display(phone),
                "stage": active.get_stage_display(),
                "opening": str(active.opening),
            }
        )


@transaction.atomic
def candidate_add(
    *,
    actor,
    opening: Opening,
    name: str,
    phone: str,
    source: str,
    email: str = "",
    cv_notes: str = "",
    at: dt.datetime | None = None,
) -> Candidate:
    """A new candidate for an open opening, at the stage "applied" (HR and administrators)."""
    if (
        not access.can_manage(actor)
        or not access.openings_visible_to(actor).filter(pk=opening.pk).exists()
    ):
        raise PermissionDenied(_("You may not add candidates."))
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if opening.status != Opening.Status.OPEN:
        raise ValidationError(
            _("The opening is “%(status)s”; it takes no new candidates.")
            % {"status": opening.get_status_display()}
        )
    name, phone, email = _clean(name, phone, email, source)
    candidate_duplicates_check(phone=phone, opening=opening)
    at = at or timezone.now()
    candidate = Candidate.objects.create(
        opening=opening,
        name=name,
        phone=phone,
        email=email,
        source=source,
        cv_notes=(cv_notes or "").strip(),
        stage=Stage.APPLIED,
        stage_changed_at=at,
        applied_at=at,
        created_by=user_of(actor),
    )
    StageChange.objects.create(
        candidate=candidate,
        to_stage=Stage.APPLIED,
        at=at,
        actor=user_of(actor),
        actor_label=actor_label(actor),
    )
    audit_record(
        actor=actor,
        action="candidate.add",
        obj=candidate,
        after=snapshot(candidate, CANDIDATE_FIELDS),
    )
    return candidate


@transaction.atomic
def candidate_update(
    *,
    actor,
    candidate: Candidate,
    name: str,
    phone: str,
    source: str,
    email: str = "",
    cv_notes: str = "",
) -> Candidate:
    """Correct a candidate's details (HR and administrators); the same phone rules apply."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    _check_manage(actor, candidate)
    name, phone, email = _clean(name, phone, email, source)
    if phone != candidate.phone:
        candidate_duplicates_check(phone=phone, opening=candidate.opening, exclude=candidate)
    before = snapshot(candidate, CANDIDATE_FIELDS)
    candidate.name, candidate.phone, candidate.email = name, phone, email
    candidate.source, candidate.cv_notes = source, (cv_notes or "").strip()
    candidate.save()
    audit_record(
        actor=actor,
        action="candidate.update",
        obj=candidate,
        before=before,
        after=snapshot(candidate, CANDIDATE_FIELDS),
    )
    return candidate


def candidate_earlier_applications(candidate: Candidate):
    """The other, finished applications made with the same phone number (a warning)."""
    return (
        Candidate.objects.filter(phone=candidate.phone)
        .exclude(pk=candidate.pk)
        .select_related("opening", "opening__team")
        .order_by("-applied_at")
    )


# -- the offer and its decision ------------------------------------------------------------------


def candidate_offer(
    *,
    actor,
    candidate: Candidate,
    start_date: dt.date | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Candidate:
    """Offer the position, with a proposed start date; the answer is awaited."""
    return candidate_transition(
        actor=actor,
        candidate=candidate,
        to_stage=Stage.OFFER,
        at=at,
        offer_start_date=start_date,
        offer_note=note,
    )


@transaction.atomic
def candidate_decide(
    *,
    actor,
    candidate: Candidate,
    accepted: bool,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Candidate:
    """Record the candidate's answer to the offer: accepted (they can then be hired) or
    declined (they withdraw, with the reason)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    _check_manage(actor, candidate)
    if candidate.stage != Stage.OFFER:
        raise ValidationError(_("Only a candidate with an offer can accept or decline it."))
    if candidate.decision:
        raise ValidationError(
            _("The candidate has already answered the offer: %(decision)s.")
            % {"decision": candidate.get_decision_display()}
        )
    at = at or timezone.now()
    if at < candidate.stage_changed_at:
        raise ValidationError(_("An offer cannot be answered before it was made."))
    before = snapshot(candidate, CANDIDATE_FIELDS)
    candidate.decision = Candidate.Decision.ACCEPTED if accepted else Candidate.Decision.DECLINED
    candidate.decided_at = at
    candidate.save(update_fields=["decision", "decided_at"])
    audit_record(
        actor=actor,
        action="candidate.decide",
        obj=candidate,
        before=before,
        after=snapshot(candidate, CANDIDATE_FIELDS),
    )
    if not accepted:
        candidate = candidate_transition(
            actor=actor,
            candidate=candidate,
            to_stage=Stage.WITHDRAWN,
            reason=(reason or "").strip() or _("Declined the offer."),
            at=at,
        )
    return candidate
