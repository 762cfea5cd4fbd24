"""Team activities: recording one with its participants and cost, and correcting it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee, Team
from telesales.people.morale import access
from telesales.people.morale.models import TeamActivity
from telesales.people.morale.services.common import (
    amount_check,
    date_check,
    text_required,
    user_of,
)

ACTIVITY_FIELDS = ["team_id", "title", "date", "cost", "notes"]


def _clean(
    *, actor, team: Team, title: str, date: dt.date, cost, participants: Iterable[Employee]
) -> tuple[str, dt.date, Decimal, list[Employee]]:
    if not access.can_keep_activity(actor, team):
        raise PermissionDenied(_("You may not keep the activities of this team."))
    title = text_required(title, label=_("The title"), max_length=200)
    date = date_check(date)
    cost = amount_check(cost, label=_("The cost")) or Decimal("0.00")
    people = list(participants)
    absent = sorted(p.name for p in people if not p.is_employed_on(date))
    if absent:
        raise ValidationError(
            _("Not employed on %(date)s: %(names)s.")
            % {"date": date.isoformat(), "names": ", ".join(absent)},
            code="participants",
        )
    return title, date, cost, people


def _after(activity: TeamActivity) -> dict:
    after = snapshot(activity, ACTIVITY_FIELDS)
    after["participants"] = sorted(activity.participants.values_list("pk", flat=True))
    return after


@transaction.atomic
def team_activity_record(
    *,
    actor,
    team: Team,
    title: str,
    date: dt.date,
    cost: Decimal | None = None,
    notes: str = "",
    participants: Iterable[Employee] = (),
) -> TeamActivity:
    """Record an activity a team held (not in the future), with the people who took part,
    each employed that day, and its cost in CNY."""
    title, date, cost, people = _clean(
        actor=actor, team=team, title=title, date=date, cost=cost, participants=participants
    )
    activity = TeamActivity.objects.create(
        team=team,
        title=title,
        date=date,
        cost=cost,
        notes=(notes or "").strip(),
        created_by=user_of(actor),
    )
    activity.participants.set(people)
    audit_record(actor=actor, action="morale.activity_record", obj=activity, after=_after(activity))
    return activity


@transaction.atomic
def team_activity_update(
    *,
    actor,
    activity: TeamActivity,
    title: str,
    date: dt.date,
    cost: Decimal | None,
    notes: str = "",
    participants: Iterable[Employee] = (),
) -> TeamActivity:
    """Correct an activity's record, under the same rules as recording it."""
    activity = TeamActivity.objects.select_for_update().get(pk=activity.pk)
    before = _after(activity)
    title, date, cost, people = _clean(
        actor=actor,
        team=activity.team,
        title=title,
        date=date,
        cost=cost,
        participants=participants,
    )
    activity.title, activity.date, activity.cost = title, date, cost
    activity.notes = (notes or "").strip()
    activity.save()
    activity.participants.set(people)
    audit_record(
        actor=actor,
        action="morale.activity_update",
        obj=activity,
        before=before,
        after=_after(activity),
    )
    return activity
