"""The start page's morale to-do: for a supervisor or manager, the people on their line
(reps and supervisors employed today, as the check-ins page lists them) who have had no
check-in for thirty days or more — their latest check-in is thirty or more days old, or they
have none and were hired thirty or more days ago. One query, whatever the data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from telesales.core.todos import Todo
from telesales.org.models import Role
from telesales.people.morale import access
from telesales.people.morale.models import CheckIn

DAYS = 30
CHECKIN_ROLES = (Role.REP, Role.SUPERVISOR)  # those the check-ins page lists


def morale_todos(user, today: dt.date) -> list[Todo]:
    if not access.can_hold_checkins(user):
        return []
    since = today - dt.timedelta(days=DAYS)
    recent = CheckIn.objects.filter(employee_id=OuterRef("pk"), date__gt=since)
    waiting = (
        access.checkin_people_for(user)
        .filter(role__in=CHECKIN_ROLES, hire_date__lte=since)
        .exclude(Exists(recent))
        .count()
    )
    if not waiting:
        return []
    return [
        Todo(
            ngettext(
                "%(count)s person has had no check-in for %(days)s days or more.",
                "%(count)s people have had no check-in for %(days)s days or more.",
                waiting,
            )
            % {"count": waiting, "days": DAYS},
            reverse("morale-checkins"),
        )
    ]
