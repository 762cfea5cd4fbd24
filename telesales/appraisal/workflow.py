"""The workflow of one appraisal (PRODUCT.md §6.6): one table of allowed moves, who may make
each, and the one function that moves an appraisal, recording an AppraisalEvent and an audit
row in the same transaction.

Who may move (keep it simple):
- the rater (the appraisee's superior on the manager line), HR or an administrator run the
  appraisal: agreed → in_progress → rating, and close it after the interview;
- draft → agreed happens once both the appraisee and the rater have confirmed the targets and
  standards (`process.agreement_confirm`), made by whichever of them confirms last;
- HR or an administrator calibrate and publish;
- the appraisee acknowledges the result interview (published → interviewed) and may appeal
  (interviewed → appealed) within the appeal window, with a reason;
- an appeal is decided (appealed → closed, with a reason) by HR, an administrator or the
  rater's own manager, and never by the appraisee or the rater;
- publication freezes the result as a snapshot (`publication.snapshot_take`); only HR (or an
  administrator) reopens a published appraisal, back to rating, with a reason.
Nobody but the appraisee makes a move on their own appraisal."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.appraisal.models import Appraisal, AppraisalEvent, AppraisalStatus
from telesales.core.audit import audit_record
from telesales.org.access import user_employee, user_role
from telesales.org.models import Role

Status = AppraisalStatus

# Who may make a move.
RATER = "rater"  # the appraisal's rater
HR = "hr"  # HR and administrators
APPRAISEE = "appraisee"  # the person appraised
DECIDER = "decider"  # HR, administrators or the rater's manager; never appraisee nor rater

# The only moves an appraisal makes; anything else is refused.
MOVES: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.AGREED): frozenset({RATER, HR, APPRAISEE}),
    (Status.AGREED, Status.IN_PROGRESS): frozenset({RATER, HR}),
    (Status.IN_PROGRESS, Status.RATING): frozenset({RATER, HR}),
    (Status.RATING, Status.CALIBRATION): frozenset({HR}),
    (Status.RATING, Status.PUBLISHED): frozenset({HR}),
    (Status.CALIBRATION, Status.PUBLISHED): frozenset({HR}),
    (Status.PUBLISHED, Status.INTERVIEWED): frozenset({APPRAISEE}),
    (Status.INTERVIEWED, Status.APPEALED): frozenset({APPRAISEE}),
    (Status.INTERVIEWED, Status.CLOSED): frozenset({RATER, HR}),
    (Status.APPEALED, Status.CLOSED): frozenset({DECIDER}),
    # Reopening a published result (PRODUCT.md §9): HR only, with a reason.
    (Status.PUBLISHED, Status.RATING): frozenset({HR}),
    (Status.INTERVIEWED, Status.RATING): frozenset({HR}),
    (Status.APPEALED, Status.RATING): frozenset({HR}),
    (Status.CLOSED, Status.RATING): frozenset({HR}),
}

# The statuses whose result is frozen in a snapshot.
FROZEN = frozenset({Status.PUBLISHED, Status.INTERVIEWED, Status.APPEALED, Status.CLOSED})

# Moves that need a reason: an appeal says why, its decision says upheld or revised and why,
# a reopening says why.
NEEDS_REASON = frozenset(
    {
        (Status.INTERVIEWED, Status.APPEALED),
        (Status.APPEALED, Status.CLOSED),
        *((frozen, Status.RATING) for frozen in FROZEN),
    }
)

# The appeal window in days after the interview (PRODUCT.md §6.6): the setting below,
# declared by the app at start-up and changed on /settings/.
APPEAL_WINDOW_SETTING = "appraisal.appeal_window_days"
APPEAL_WINDOW_DAYS = 7  # its default


def appeal_window_days() -> int:
    from telesales.core.config import setting_get

    return int(setting_get(APPEAL_WINDOW_SETTING))


def _label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def actor_parts(actor, appraisal: Appraisal) -> set[str]:
    """Which of the table's parts the user plays on this appraisal."""
    role = user_role(actor)
    employee = user_employee(actor)
    if role is None:
        return set()
    if employee is not None and employee.pk == appraisal.employee_id:
        return {APPRAISEE}  # nobody runs their own appraisal
    parts: set[str] = set()
    is_rater = employee is not None and employee.pk == appraisal.rater_id
    if is_rater:
        parts.add(RATER)
    if role in {Role.HR, Role.ADMIN}:
        parts.add(HR)
    if not is_rater:
        rater_manager_id = appraisal.rater.manager_id if appraisal.rater_id else None
        if role in {Role.HR, Role.ADMIN} or (
            employee is not None and rater_manager_id == employee.pk
        ):
            parts.add(DECIDER)
    return parts


def appraisal_moves_for(actor, appraisal: Appraisal) -> list[str]:
    """The statuses this user may move the appraisal to now."""
    parts = actor_parts(actor, appraisal)
    return [
        to_status
        for (from_status, to_status), allowed in MOVES.items()
        if from_status == appraisal.status and parts & allowed
    ]


def interviewed_at(appraisal: Appraisal) -> dt.datetime | None:
    """When the result interview was acknowledged (the latest move to interviewed)."""
    return (
        AppraisalEvent.objects.filter(appraisal=appraisal, to_status=Status.INTERVIEWED)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )


@transaction.atomic
def appraisal_transition(
    *, actor, appraisal: Appraisal, to_status: str, reason: str = ""
) -> Appraisal:
    """Move the appraisal along one move of MOVES, made by someone that move allows; an appeal
    only within the appeal window (a setting) after the interview. Anything else is refused with a
    message naming both statuses and changes nothing. Each move adds one to the version and
    is kept as an AppraisalEvent and an audit row."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("rater")
        .get(pk=appraisal.pk)
    )
    from_status = appraisal.status
    names = {"from": _label(from_status), "to": _label(to_status)}
    allowed = MOVES.get((from_status, to_status))
    if allowed is None:
        raise ValidationError(
            _("An appraisal that is “%(from)s” cannot be moved to “%(to)s”.") % names
        )
    if not actor_parts(actor, appraisal) & allowed:
        raise PermissionDenied(
            _("You may not move this appraisal from “%(from)s” to “%(to)s”.") % names
        )
    reason = (reason or "").strip()
    if (from_status, to_status) in NEEDS_REASON and not reason:
        raise ValidationError(
            _("Give a reason to move the appraisal from “%(from)s” to “%(to)s”.") % names
        )
    if (from_status, to_status) == (Status.DRAFT, Status.AGREED) and not (
        appraisal.appraisee_agreed_at and appraisal.rater_agreed_at
    ):
        raise ValidationError(
            _(
                "Both the appraisee and the rater must confirm the targets and standards "
                "before the appraisal is “%(to)s”."
            )
            % names
        )
    now = timezone.now()
    if to_status == Status.APPEALED:
        since = interviewed_at(appraisal)
        window = appeal_window_days()
        if since is not None and now > since + dt.timedelta(days=window):
            raise ValidationError(
                _(
                    "The appeal window of %(days)s days after the interview has passed; the "
                    "appraisal stays “%(from)s” and cannot be moved to “%(to)s”."
                )
                % {**names, "days": window}
            )
    before = {"status": from_status, "version": appraisal.version}
    appraisal.status = to_status
    appraisal.version += 1
    appraisal.updated = now
    appraisal.save(update_fields=["status", "version", "updated"])
    AppraisalEvent.objects.create(
        appraisal=appraisal,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now,
        reason=reason,
    )
    if to_status == Status.PUBLISHED:
        from telesales.appraisal.publication import snapshot_take

        snapshot_take(actor=actor, appraisal=appraisal, reason=reason)
    audit_record(
        actor=actor,
        action="appraisal.transition",
        obj=appraisal,
        before=before,
        after={"status": to_status, "version": appraisal.version, "reason": reason},
    )
    return appraisal
