"""The start page's training to-dos.

- Anyone invited to training: their planned sessions today (urgent) and in the next seven
  days, to the "My training" page.
- Whoever manages sessions (a supervisor those of their teams or whose invitees are all in
  their scope, a manager the same for the subtree, HR and administrators all of them, as
  access.session_may_manage decides): the sessions whose date has passed and that are still
  planned, to mark held or cancelled (urgent); and the held sessions whose assessment was
  started but has no score yet.
One query, whatever the data.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils.translation import ngettext

from telesales.core.todos import Todo
from telesales.org.access import scope_for
from telesales.people.training import access
from telesales.people.training.models import (
    AssessmentResult,
    Invitation,
    TrainingSession,
)

SOON_DAYS = 7
Status = TrainingSession.Status


def training_todos(user, today: dt.date) -> list[Todo]:
    """Both parts in one query."""
    invited = _invited_q(user)
    managed = _managed_q(user)
    where: list[Q] = []
    counts: dict = {"today": 0, "soon": 0, "planned": 0, "unscored": 0}
    aggregates: dict = {}
    if invited is not None:
        window = invited & Q(
            status=Status.PLANNED,
            date__gte=today,
            date__lte=today + dt.timedelta(days=SOON_DAYS),
        )
        where.append(window)
        aggregates["today"] = Count("pk", filter=window & Q(date=today))
        aggregates["soon"] = Count("pk", filter=window & Q(date__gt=today))
    if managed is not None:
        past_planned = managed & Q(status=Status.PLANNED, date__lt=today)
        unscored = (
            managed
            & Q(status=Status.HELD, assessment__isnull=False)
            & ~Exists(AssessmentResult.objects.filter(assessment__session_id=OuterRef("pk")))
        )
        where.append(past_planned | unscored)
        aggregates["planned"] = Count("pk", filter=past_planned)
        aggregates["planned_from"] = Min("date", filter=past_planned)
        aggregates["unscored"] = Count("pk", filter=unscored)
        aggregates["unscored_from"] = Min("date", filter=unscored)
    if not where:
        return []
    counts.update(TrainingSession.objects.filter(reduce(or_, where)).aggregate(**aggregates))
    return _trainee_todos(counts) + _organiser_todos(counts, today)


def _invited_q(user) -> Q | None:
    """The sessions the user is invited to (None: nobody's invitations)."""
    if not access.can_see_own_training(user):
        return None
    own = scope_for(user).employee
    return Q(pk__in=Invitation.objects.filter(employee_id=own.pk).values("session_id"))


def _managed_q(user) -> Q | None:
    """The sessions the user manages, as a filter: access.session_may_manage for every row
    at once (None: none)."""
    if not access.can_manage_training(user):
        return None
    if access.company_wide(user):
        return Q()
    scope = scope_for(user)
    if scope.role not in access.LINE_ROLES:
        return None
    invitations = Invitation.objects.filter(session_id=OuterRef("pk"))
    outside = invitations.exclude(employee_id__in=scope.employee_ids)
    return Q(plan__team_id__in=scope.team_ids) | (
        Q(plan__team__isnull=True) & Exists(invitations) & ~Exists(outside)
    )


def _trainee_todos(counts: dict) -> list[Todo]:
    url = reverse("training-mine")
    todos = []
    if counts["today"]:
        todos.append(
            Todo(
                ngettext(
                    "You have %(count)s training session today.",
                    "You have %(count)s training sessions today.",
                    counts["today"],
                )
                % {"count": counts["today"]},
                url,
                urgent=True,
            )
        )
    if counts["soon"]:
        todos.append(
            Todo(
                ngettext(
                    "You have %(count)s training session in the next %(days)s days.",
                    "You have %(count)s training sessions in the next %(days)s days.",
                    counts["soon"],
                )
                % {"count": counts["soon"], "days": SOON_DAYS},
                url,
            )
        )
    return todos


def _sessions_url(**query) -> str:
    return f"{reverse('training-sessions')}?{urlencode(query)}"


def _organiser_todos(counts: dict, today: dt.date) -> list[Todo]:
    yesterday = today - dt.timedelta(days=1)
    todos = []
    if counts["planned"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s past training session is still planned; mark it held or cancelled.",
                    "%(count)s past training sessions are still planned; mark them held or "
                    "cancelled.",
                    counts["planned"],
                )
                % {"count": counts["planned"]},
                _sessions_url(
                    status=Status.PLANNED,
                    period=f"{counts['planned_from'].isoformat()}..{yesterday.isoformat()}",
                ),
                urgent=True,
            )
        )
    if counts["unscored"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s held training session has an assessment without scores; enter them.",
                    "%(count)s held training sessions have an assessment without scores; "
                    "enter them.",
                    counts["unscored"],
                )
                % {"count": counts["unscored"]},
                _sessions_url(
                    status=Status.HELD,
                    period=f"{counts['unscored_from'].isoformat()}..{today.isoformat()}",
                ),
            )
        )
    return todos
