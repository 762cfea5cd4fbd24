"""The start page's call-monitoring to-dos.

- A rep: their submitted reviews not yet acknowledged, and the coaching actions they own that
  are overdue (urgent) or due within seven days (urgent when one is due today).
- A supervisor or manager: the calls of this ISO week's review queue in their scope that
  nobody has reviewed or started to review, the open coaching actions past their due date
  that they own or that belong to the sessions they see (urgent), and their own draft
  reviews, to finish or discard.
Each part is one query, whatever the data (a rep two, a supervisor or manager three).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from telesales.core.todos import Todo
from telesales.org.access import scope_for
from telesales.org.models import Role
from telesales.qa import access, selectors
from telesales.qa.models import CoachingAction, FollowUpCheck, Review
from telesales.qa.services import week_start_of

SOON_DAYS = 7
LINE_ROLES = {Role.SUPERVISOR, Role.MANAGER}


def _url(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def qa_todos(user, today: dt.date) -> list[Todo]:
    scope = scope_for(user)
    if scope.employee is None:
        return []
    if scope.role == Role.REP:
        return _rep_todos(user, today)
    if scope.role in LINE_ROLES and access.is_reviewer(user):
        return _reviewer_todos(user, today)
    return []


def _rep_todos(user, today: dt.date) -> list[Todo]:
    todos = []
    waiting = (
        access.reviews_visible_to(user)
        .filter(
            status=Review.Status.SUBMITTED,
            kind=Review.Kind.REGULAR,
            acknowledged_at__isnull=True,
        )
        .count()
    )
    if waiting:
        todos.append(
            Todo(
                ngettext(
                    "Acknowledge %(count)s QA review.",
                    "Acknowledge %(count)s QA reviews.",
                    waiting,
                )
                % {"count": waiting},
                _url("qa-review-list", verdict=selectors.UNACKNOWLEDGED),
            )
        )
    unread_checks = FollowUpCheck.objects.filter(
        rep=scope_for(user).employee,
        status=FollowUpCheck.Status.SUBMITTED,
        acknowledged_at__isnull=True,
    ).count()
    if unread_checks:
        todos.append(
            Todo(
                ngettext(
                    "Read and acknowledge %(count)s check of your follow-up records.",
                    "Read and acknowledge %(count)s checks of your follow-up records.",
                    unread_checks,
                )
                % {"count": unread_checks},
                reverse("qa-followup-list"),
            )
        )
    return todos + _own_action_todos(user, today)


def _own_action_todos(user, today: dt.date) -> list[Todo]:
    """The rep's own open actions: overdue, and due from today to seven days ahead."""
    own = scope_for(user).employee
    counts = (
        access.actions_visible_to(user)
        .filter(
            owner_id=own.pk,
            status=CoachingAction.Status.OPEN,
            due_on__lte=today + dt.timedelta(days=SOON_DAYS),
        )
        .aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            today=Count("pk", filter=Q(due_on=today)),
            soon=Count("pk", filter=Q(due_on__gte=today)),
        )
    )
    todos = []
    if counts["overdue"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s of your coaching actions is overdue.",
                    "%(count)s of your coaching actions are overdue.",
                    counts["overdue"],
                )
                % {"count": counts["overdue"]},
                _url("qa-action-list", state=selectors.OVERDUE, mine="on"),
                urgent=True,
            )
        )
    if counts["soon"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s of your coaching actions is due within %(days)s days.",
                    "%(count)s of your coaching actions are due within %(days)s days.",
                    counts["soon"],
                )
                % {"count": counts["soon"], "days": SOON_DAYS},
                _url("qa-action-list", state=selectors.OPEN, mine="on"),
                urgent=bool(counts["today"]),
            )
        )
    return todos


def _reviewer_todos(user, today: dt.date) -> list[Todo]:
    todos = []
    own = scope_for(user).employee
    week = week_start_of(today)
    waiting = selectors.queue_list(
        user, selectors.QueueFilter(week_start=week, status=selectors.TO_REVIEW)
    ).count()
    if waiting:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s call is waiting for review this week.",
                    "%(count)s calls are waiting for review this week.",
                    waiting,
                )
                % {"count": waiting},
                _url("qa-queue", week=week.isoformat(), status=selectors.TO_REVIEW),
            )
        )
    overdue = (
        access.actions_visible_to(user)
        .filter(status=CoachingAction.Status.OPEN, due_on__lt=today)
        .count()
    )
    if overdue:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s coaching action is overdue.",
                    "%(count)s coaching actions are overdue.",
                    overdue,
                )
                % {"count": overdue},
                _url("qa-action-list", state=selectors.OVERDUE),
                urgent=True,
            )
        )
    drafts = Review.objects.filter(
        reviewer_id=own.pk, status=Review.Status.DRAFT, kind=Review.Kind.REGULAR
    ).count()
    if drafts:
        todos.append(
            Todo(
                ngettext(
                    "Finish or discard your %(count)s draft QA review.",
                    "Finish or discard your %(count)s draft QA reviews.",
                    drafts,
                )
                % {"count": drafts},
                _url("qa-review-list", verdict=selectors.DRAFT),
            )
        )
    return todos
