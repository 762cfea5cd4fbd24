"""The start page's work-report to-dos: a supervisor's reports overdue or due within three
days, and a manager's reports waiting for a quality rating."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from telesales.core.periods import period_of
from telesales.core.todos import Todo
from telesales.org.access import user_employee, user_role
from telesales.org.models import Role
from telesales.people.workreports import access
from telesales.people.workreports.models import ReportKind, WorkReport
from telesales.people.workreports.schedule import MISSING
from telesales.people.workreports.selectors import my_reports

SOON = dt.timedelta(days=3)


def workreport_todos(user, today: dt.date) -> list[Todo]:
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return _author_todos(user, today)
    if role == Role.MANAGER:
        return _rater_todos(user)
    return []


def _author_todos(user, today: dt.date) -> list[Todo]:
    employee = user_employee(user)
    if employee is None:
        return []
    now = timezone.now()
    items = my_reports(employee, period_of(today, "quarter"), now=now)
    url = reverse("workreport-mine")
    todos = []
    missing = sum(1 for item in items if item.state(now) == MISSING)
    if missing:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s work report is overdue; write it now.",
                    "%(count)s work reports are overdue; write them now.",
                    missing,
                )
                % {"count": missing},
                url,
                urgent=True,
            )
        )
    for item in items:
        if item.submitted_at is None and now <= item.due_at <= now + SOON:
            due = timezone.localtime(item.due_at)
            values = {
                "period": item.period.code,
                "due": date_format(due, "Y-m-d H:i"),
            }
            label = (
                _("Your weekly report for %(period)s is due %(due)s.")
                if item.kind == ReportKind.WEEKLY
                else _("Your monthly report for %(period)s is due %(due)s.")
            )
            todos.append(Todo(label % values, url, urgent=due.date() == today))
    return todos


def _rater_todos(user) -> list[Todo]:
    raters = access.authors_rated_by(user)
    waiting = WorkReport.objects.filter(
        status=WorkReport.Status.SUBMITTED, rating__isnull=True, author_id__in=raters or ()
    ).count()
    if not waiting:
        return []
    return [
        Todo(
            ngettext(
                "%(count)s work report awaits your quality rating.",
                "%(count)s work reports await your quality rating.",
                waiting,
            )
            % {"count": waiting},
            f"{reverse('workreport-inbox')}?status=awaiting_rating",
        )
    ]
