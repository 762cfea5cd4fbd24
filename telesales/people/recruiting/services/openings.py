"""Openings: proposing one for a team, changing it, and the one transition function of its
status with its table of moves. An opening is filled when its hires reach its headcount,
and open again when the headcount is raised above them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee, Role, Team
from telesales.people.recruiting import access
from telesales.people.recruiting.models import DEFAULT_POSITION, Opening, Stage
from telesales.people.recruiting.services.common import OPENING_FIELDS, employee_of, user_of

Status = Opening.Status

MAX_HEADCOUNT = 100
HIRE_ROLES = (Role.REP, Role.SUPERVISOR)  # the people a sales team takes on


def opening_hires(opening: Opening) -> int:
    return opening.candidates.filter(stage=Stage.HIRED).count()


@dataclass(frozen=True)
class Move:
    label: Promise
    # None: any time; else a rule on (hires, headcount) that must hold.
    when: Callable[[int, int], bool] | None = None


def _reached(hires: int, headcount: int) -> bool:
    return hires >= headcount


def _short(hires: int, headcount: int) -> bool:
    return hires < headcount


# The only moves an opening makes. "Filled" follows the hires: an opening moves there when
# its hires reach the headcount and back to open when the headcount is raised above them.
MOVES: dict[tuple[str, str], Move] = {
    (Status.OPEN, Status.ON_HOLD): Move(gettext_lazy("Put on hold")),
    (Status.ON_HOLD, Status.OPEN): Move(gettext_lazy("Resume"), _short),
    (Status.OPEN, Status.CLOSED): Move(gettext_lazy("Close")),
    (Status.ON_HOLD, Status.CLOSED): Move(gettext_lazy("Close")),
    (Status.CLOSED, Status.OPEN): Move(gettext_lazy("Reopen"), _short),
    (Status.OPEN, Status.FILLED): Move(gettext_lazy("Mark as filled"), _reached),
    (Status.FILLED, Status.OPEN): Move(gettext_lazy("Reopen"), _short),
    (Status.FILLED, Status.CLOSED): Move(gettext_lazy("Close")),
}


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def opening_moves_for(
    user, opening: Opening, *, hires: int | None = None
) -> list[tuple[str, Move]]:
    """The moves this user may make on this opening now: (target status, move)."""
    if not access.can_manage(user):
        return []
    hires = opening_hires(opening) if hires is None else hires
    return [
        (to_status, move)
        for (from_status, to_status), move in MOVES.items()
        if from_status == opening.status
        and (move.when is None or move.when(hires, opening.headcount))
    ]


@transaction.atomic
def opening_transition(*, actor, opening: Opening, to_status: str, reason: str = "") -> Opening:
    """Move an opening along one of the allowed moves (MOVES); HR and administrators only."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if (
        not access.can_manage(actor)
        or not access.openings_visible_to(actor).filter(pk=opening.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this opening."))
    move = MOVES.get((opening.status, to_status))
    if move is None:
        raise ValidationError(
            _("An opening that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _status_label(opening.status), "to": _status_label(to_status)}
        )
    hires = opening_hires(opening)
    if move.when is _reached and not _reached(hires, opening.headcount):
        raise ValidationError(
            _("The opening is not filled: %(hires)s of %(headcount)s hired.")
            % {"hires": hires, "headcount": opening.headcount}
        )
    if move.when is _short and not _short(hires, opening.headcount):
        raise ValidationError(
            _(
                "The opening cannot be open again: all %(headcount)s positions are filled. "
                "Raise the headcount first."
            )
            % {"headcount": opening.headcount}
        )
    before = snapshot(opening, OPENING_FIELDS)
    opening.status = to_status
    opening.save(update_fields=["status"])
    after = snapshot(opening, OPENING_FIELDS)
    if reason.strip():
        after["reason"] = reason.strip()
        before["reason"] = ""
    audit_record(actor=actor, action="opening.transition", obj=opening, before=before, after=after)
    return opening


def opening_fill_check(*, actor, opening: Opening) -> Opening:
    """Filled when the hires reach the headcount; open again when they fall short of it."""
    hires = opening_hires(opening)
    if opening.status == Status.OPEN and _reached(hires, opening.headcount):
        return opening_transition(actor=actor, opening=opening, to_status=Status.FILLED)
    if opening.status == Status.FILLED and _short(hires, opening.headcount):
        return opening_transition(actor=actor, opening=opening, to_status=Status.OPEN)
    return opening


# -- proposing and changing ----------------------------------------------------------------------


def _validate(
    *,
    team: Team,
    position: str,
    role: str,
    headcount,
    opened_on: dt.date,
    wanted_by: dt.date | None,
    owner: Employee | None,
) -> str:
    position = (position or "").strip()
    if not position:
        raise ValidationError(_("An opening needs a position."))
    if len(position) > 100:
        raise ValidationError(_("A position has at most 100 characters."))
    if role not in HIRE_ROLES:
        raise ValidationError(
            _("An opening of a team hires reps or supervisors, not “%(role)s”.")
            % {"role": dict(Role.choices).get(role, role)}
        )
    if not isinstance(headcount, int) or not 1 <= headcount <= MAX_HEADCOUNT:
        raise ValidationError(
            _("The headcount is a whole number from 1 to %(max)s.") % {"max": MAX_HEADCOUNT}
        )
    if wanted_by is not None and wanted_by < opened_on:
        raise ValidationError(_("The wanted-by date cannot be before the opening date."))
    if owner is not None and owner.role not in (Role.HR, Role.ADMIN):
        raise ValidationError(
            _("The owner of an opening is someone of HR; %(name)s is not.") % {"name": owner.name}
        )
    if not team.is_active:
        raise ValidationError(
            _("Team %(team)s is no longer active; it takes no new people.") % {"team": team.code}
        )
    return position


@transaction.atomic
def opening_create(
    *,
    actor,
    team: Team,
    position: str = DEFAULT_POSITION,
    role: str = Role.REP,
    headcount: int = 1,
    opened_on: dt.date | None = None,
    wanted_by: dt.date | None = None,
    hiring_manager: Employee | None = None,
    owner: Employee | None = None,
    notes: str = "",
) -> Opening:
    """A new open position of a team; HR and administrators open one for any team,
    supervisors and managers propose one for the teams in their scope. The hiring manager is
    the team's supervisor unless named; the owner is the HR person who opens it unless
    named."""
    if not access.teams_for_openings(actor).filter(pk=team.pk).exists():
        raise PermissionDenied(_("You may not open a position for this team."))
    opened_on = opened_on or timezone.localdate()
    position = _validate(
        team=team,
        position=position,
        role=role,
        headcount=headcount,
        opened_on=opened_on,
        wanted_by=wanted_by,
        owner=owner,
    )
    if owner is None:
        me = employee_of(actor)
        if me is not None and me.role in (Role.HR, Role.ADMIN):
            owner = me
    opening = Opening.objects.create(
        team=team,
        position=position,
        role=role,
        headcount=headcount,
        opened_on=opened_on,
        wanted_by=wanted_by,
        hiring_manager=hiring_manager or team.supervisor,
        owner=owner,
        notes=(notes or "").strip(),
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor, action="opening.create", obj=opening, after=snapshot(opening, OPENING_FIELDS)
    )
    return opening


EDITABLE = {"position", "role", "headcount", "wanted_by", "hiring_manager", "owner", "notes"}


@transaction.atomic
def opening_update(*, actor, opening: Opening, **changes) -> Opening:
    """Change an opening (HR and administrators); the headcount never drops below the hires
    made, and filled follows the new headcount."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown opening fields: {sorted(unknown)}")
    opening = Opening.objects.select_for_update().select_related("team").get(pk=opening.pk)
    if (
        not access.can_manage(actor)
        or not access.openings_visible_to(actor).filter(pk=opening.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this opening."))
    before = snapshot(opening, OPENING_FIELDS)
    for name, value in changes.items():
        setattr(opening, name, value)
    opening.position = _validate(
        team=opening.team,
        position=opening.position,
        role=opening.role,
        headcount=opening.headcount,
        opened_on=opening.opened_on,
        wanted_by=opening.wanted_by,
        owner=opening.owner,
    )
    opening.notes = (opening.notes or "").strip()
    hires = opening_hires(opening)
    if opening.headcount < hires:
        raise ValidationError(
            _("The headcount cannot be below the %(hires)s people already hired.")
            % {"hires": hires}
        )
    opening.save()
    audit_record(
        actor=actor,
        action="opening.update",
        obj=opening,
        before=before,
        after=snapshot(opening, OPENING_FIELDS),
    )
    return opening_fill_check(actor=actor, opening=opening)
