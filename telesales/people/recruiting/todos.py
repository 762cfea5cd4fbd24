"""The start page's recruiting to-dos.

- An interviewer (anyone assigned a round): their rounds without a submitted scorecard whose
  time has come (urgent) or is within seven days, to "My interviews". Rounds of candidates
  already hired, rejected or withdrawn are left out.
- HR and administrators, for the openings they own and those without an owner: candidates
  with an offer still waiting for their answer, and open openings past their wanted-by date
  (urgent).
Each part is one query, whatever the data.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from telesales.core.todos import Todo
from telesales.org.access import scope_for
from telesales.people.recruiting import access
from telesales.people.recruiting.models import (
    FINAL_STAGES,
    Candidate,
    InterviewRound,
    Opening,
    Stage,
)

SOON_DAYS = 7


def recruiting_todos(user, today: dt.date) -> list[Todo]:
    scope = scope_for(user)
    if scope.role is None:
        return []
    todos = _interviewer_todos(scope.employee) if scope.employee is not None else []
    if scope.role in access.MANAGERS:
        todos += _owner_todos(scope.employee, today)
    return todos


def _interviewer_todos(employee) -> list[Todo]:
    now = timezone.now()
    counts = (
        InterviewRound.objects.filter(
            interviewer_id=employee.pk,
            scorecard__isnull=True,
            scheduled_at__lte=now + dt.timedelta(days=SOON_DAYS),
        )
        .exclude(candidate__stage__in=FINAL_STAGES)
        .aggregate(
            due=Count("pk", filter=Q(scheduled_at__lte=now)),
            soon=Count("pk", filter=Q(scheduled_at__gt=now)),
        )
    )
    url = reverse("my-interviews")
    todos = []
    if counts["due"]:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s interview is waiting for your scorecard.",
                    "%(count)s interviews are waiting for your scorecard.",
                    counts["due"],
                )
                % {"count": counts["due"]},
                url,
                urgent=True,
            )
        )
    if counts["soon"]:
        todos.append(
            Todo(
                ngettext(
                    "You have %(count)s interview in the next %(days)s days.",
                    "You have %(count)s interviews in the next %(days)s days.",
                    counts["soon"],
                )
                % {"count": counts["soon"], "days": SOON_DAYS},
                url,
            )
        )
    return todos


def _owner_todos(employee, today: dt.date) -> list[Todo]:
    """What HR has to chase on their openings (all openings for a user without an employee
    record)."""
    mine = Q()
    if employee is not None:
        mine = Q(owner_id=employee.pk) | Q(owner__isnull=True)
    offer = Q(candidates__stage=Stage.OFFER, candidates__decision=Candidate.Decision.PENDING)
    late = Q(status=Opening.Status.OPEN, wanted_by__lt=today)
    counts = (
        Opening.objects.filter(mine)
        .filter(late | offer)
        .aggregate(
            late=Count("pk", filter=late, distinct=True),
            offers=Count("candidates", filter=offer, distinct=True),
        )
    )
    late, offers = counts["late"], counts["offers"]
    todos = []
    if late:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s opening is past its wanted-by date.",
                    "%(count)s openings are past their wanted-by date.",
                    late,
                )
                % {"count": late},
                f"{reverse('opening-list')}?status={Opening.Status.OPEN}",
                urgent=True,
            )
        )
    if offers:
        todos.append(
            Todo(
                ngettext(
                    "%(count)s offer is waiting for the candidate's answer.",
                    "%(count)s offers are waiting for the candidates' answers.",
                    offers,
                )
                % {"count": offers},
                f"{reverse('candidate-list')}?stage={Stage.OFFER}",
            )
        )
    return todos
