"""The start page's development to-dos.

- Everyone with a development plan: the goals of their active plan not yet achieved (nor
  dropped) that are overdue (urgent) or due within fourteen days (urgent when one is due
  today), to "My development".
- A supervisor or manager: the overdue open goals of the active plans of the people whose
  development they manage (urgent), to the team development page.
One query, whatever the data.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from telesales.core.todos import Todo
from telesales.org.access import scope_for
from telesales.people.development import access
from telesales.people.development.models import DevelopmentGoal, DevelopmentPlan

SOON_DAYS = 14
OPEN_GOALS = (DevelopmentGoal.Status.NOT_STARTED, DevelopmentGoal.Status.IN_PROGRESS)


def _open_goals():
    return DevelopmentGoal.objects.filter(
        plan__status=DevelopmentPlan.Status.ACTIVE, status__in=OPEN_GOALS
    )


def development_todos(user, today: dt.date) -> list[Todo]:
    """Both parts in one query."""
    scope = scope_for(user)
    if scope.role is None or scope.employee is None:
        return []
    own = Q(plan__employee_id=scope.employee.pk)
    mine = own & Q(due_on__lte=today + dt.timedelta(days=SOON_DAYS))
    aggregates = {
        "overdue": Count("pk", filter=own & Q(due_on__lt=today)),
        "today": Count("pk", filter=own & Q(due_on=today)),
        "soon": Count("pk", filter=mine & Q(due_on__gte=today)),
    }
    where = mine
    line = scope.role in access.LINE
    if line:
        theirs = Q(
            plan__employee__in=access.manageable_employees(user).values("pk"), due_on__lt=today
        )
        aggregates["line"] = Count("pk", filter=theirs)
        where = mine | theirs
    counts = _open_goals().filter(where).aggregate(**aggregates)
    todos = _own_todos(counts)
    if line and counts["line"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s development goal of the people you manage is overdue.",
                    "%(count)s development goals of the people you manage are overdue.",
                    counts["line"],
                )
                % {"count": counts["line"]},
                reverse("development-team"),
                urgent=True,
            )
        )
    return todos


def _own_todos(counts: dict) -> list[Todo]:
    url = reverse("development-mine")
    todos = []
    if counts["overdue"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s of your development goals is overdue.",
                    "%(count)s of your development goals are overdue.",
                    counts["overdue"],
                )
                % {"count": counts["overdue"]},
                url,
                urgent=True,
            )
        )
    if counts["soon"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s of your development goals is due within %(days)s days.",
                    "%(count)s of your development goals are due within %(days)s days.",
                    counts["soon"],
                )
                % {"count": counts["soon"], "days": SOON_DAYS},
                url,
                urgent=bool(counts["today"]),
            )
        )
    return todos
