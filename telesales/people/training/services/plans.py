"""Training plans: the onboarding plan of a new hire (from the active template, made when
they are hired) and recurring plans (weekly or monthly) for a team or the whole company."""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.org.membership import reps_on
from telesales.org.models import Employee, Role, Team
from telesales.org.scopes import scope_for_teams
from telesales.people.training import access
from telesales.people.training.models import (
    Invitation,
    OnboardingTemplate,
    TrainingPlan,
    TrainingSession,
)
from telesales.people.training.services.common import (
    PLAN_FIELDS,
    duration_validate,
    refuse,
    snapshot,
    topic_validate,
    user_of,
)
from telesales.people.training.workdays import nth_workday, workday_on_or_after

ONBOARDING_WINDOW_DAYS = 90  # the default of the setting training.onboarding_window_days
MAX_PLAN_DAYS = 366
Frequency = TrainingPlan.Frequency


def _today() -> dt.date:
    return timezone.localdate()


def onboarding_window_days() -> int:
    from telesales.core.config import setting_get

    try:
        return int(setting_get("training.onboarding_window_days"))
    except KeyError:  # not declared (the app is not ready yet)
        return ONBOARDING_WINDOW_DAYS


# -- onboarding --------------------------------------------------------------------------------


def _onboarding_create(
    *, actor, employee: Employee, template: OnboardingTemplate, start: dt.date
) -> TrainingPlan:
    items = list(template.items.all())
    team = employee.team
    trainer = None
    if team is not None and team.supervisor_id and team.supervisor_id != employee.pk:
        trainer = team.supervisor
    dates = [nth_workday(start, item.workday) for item in items]
    plan = TrainingPlan.objects.create(
        kind=TrainingPlan.Kind.ONBOARDING,
        title=(_("Onboarding of %(name)s") % {"name": employee.name})[:200],
        employee=employee,
        template=template,
        team=None,
        trainer=trainer,
        start_date=min(dates),
        end_date=max(dates),
        created_by=user_of(actor),
    )
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            plan=plan,
            title=item.title,
            topic=item.topic,
            trainer=trainer,
            date=day,
            start_time=item.start_time,
            duration_minutes=item.duration_minutes,
        )
        for item, day in zip(items, dates, strict=True)
    )
    Invitation.objects.bulk_create(Invitation(session=s, employee=employee) for s in sessions)
    audit_record(
        actor=actor,
        action="training.onboarding.assign",
        obj=plan,
        after={**snapshot(plan, PLAN_FIELDS), "sessions": len(sessions)},
    )
    return plan


@transaction.atomic
def onboarding_assign(*, actor, employee: Employee, start: dt.date | None = None) -> TrainingPlan:
    """The onboarding plan of a rep, by hand: the active template's sessions on their
    working days counted from `start` (default: the hire date); one plan per employee."""
    if (
        not access.can_manage_training(actor)
        or not access.trainees_for(actor).filter(pk=employee.pk).exists()
    ):
        raise refuse(_("You may not plan the training of this employee."))
    employee = (
        Employee.objects.select_for_update(of=("self",)).select_related("team").get(pk=employee.pk)
    )
    if employee.role != Role.REP:
        raise ValidationError(_("Onboarding plans are made for reps only."))
    if employee.leave_date is not None:
        raise ValidationError(
            _("%(name)s has left the company; no onboarding plan was made.")
            % {"name": employee.name}
        )
    if TrainingPlan.objects.filter(kind=TrainingPlan.Kind.ONBOARDING, employee=employee).exists():
        raise ValidationError(
            _("%(name)s already has an onboarding plan.") % {"name": employee.name}
        )
    template = OnboardingTemplate.objects.filter(is_active=True).first()
    if template is None or not template.items.exists():
        raise ValidationError(_("There is no active onboarding template with sessions."))
    start = start or employee.hire_date
    if start < employee.hire_date:
        raise ValidationError(_("Onboarding cannot start before the hire date."))
    return _onboarding_create(actor=actor, employee=employee, template=template, start=start)


def is_new_hire(employee: Employee, today: dt.date) -> bool:
    """A rep hired no more than the onboarding window (default 90 days) before today; an
    old hire recorded late is no new hire."""
    return (
        employee.role == Role.REP
        and employee.leave_date is None
        and employee.hire_date >= today - dt.timedelta(days=onboarding_window_days())
    )


@transaction.atomic
def onboarding_on_hire(*, actor, employee: Employee, today: dt.date | None = None) -> None:
    """After a hire (telesales.org.hooks): a new rep gets their onboarding plan, once, and
    is invited to the coming sessions of their team's and the company's recurring plans."""
    today = today or _today()
    if not is_new_hire(employee, today):
        return
    _invite_to_recurring(employee, max(today, employee.hire_date))
    if TrainingPlan.objects.filter(kind=TrainingPlan.Kind.ONBOARDING, employee=employee).exists():
        return
    template = OnboardingTemplate.objects.filter(is_active=True).first()
    if template is None or not template.items.exists():
        return
    _onboarding_create(actor=actor, employee=employee, template=template, start=employee.hire_date)


def _invite_to_recurring(employee: Employee, since: dt.date) -> None:
    ours = Q(plan__team__isnull=True)
    if employee.team_id is not None:
        ours |= Q(plan__team_id=employee.team_id)
    sessions = TrainingSession.objects.filter(
        ours,
        plan__kind=TrainingPlan.Kind.RECURRING,
        status=TrainingSession.Status.PLANNED,
        date__gte=since,
    ).exclude(invitations__employee=employee)
    Invitation.objects.bulk_create(
        Invitation(session_id=pk, employee=employee) for pk in sessions.values_list("pk", flat=True)
    )


def onboarding_assign_recent(*, actor, today: dt.date) -> list[TrainingPlan]:
    """Onboarding plans for every new hire of the window before `today` without one (the
    demo, whose hires are made before training exists)."""
    since = today - dt.timedelta(days=onboarding_window_days())
    plans = []
    for employee in (
        Employee.objects.filter(role=Role.REP, hire_date__gte=since, hire_date__lte=today)
        .exclude(onboarding_plans__kind=TrainingPlan.Kind.ONBOARDING)
        .select_related("team__supervisor")
        .order_by("hire_date", "employee_no")
    ):
        onboarding_on_hire(actor=actor, employee=employee, today=today)
        plan = TrainingPlan.objects.filter(employee=employee).first()
        if plan is not None:
            plans.append(plan)
    return plans


# -- recurring plans ---------------------------------------------------------------------------


def occurrences(
    *,
    frequency: str,
    start: dt.date,
    end: dt.date,
    weekday: int | None = None,
    day_of_month: int | None = None,
) -> list[dt.date]:
    """The dates of a recurrence from `start` to `end`: each week's weekday, or each month's
    day (the month's last day when it is shorter); a date that is no working day moves to
    the next working day, and is left out when that is past `end`."""
    days: list[dt.date] = []
    if frequency == Frequency.WEEKLY:
        day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
        while day <= end:
            days.append(day)
            day += dt.timedelta(days=7)
    else:
        year, month = start.year, start.month
        while dt.date(year, month, 1) <= end:
            last = calendar.monthrange(year, month)[1]
            day = dt.date(year, month, min(day_of_month, last))
            if start <= day <= end:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    moved = []
    for day in days:
        working = workday_on_or_after(day)
        if working <= end and (not moved or working > moved[-1]):
            moved.append(working)
    return moved


def invitees_on(team: Team | None, day: dt.date) -> list[int]:
    """The reps of the team (or of the company) employed on that day."""
    if team is not None:
        return list(reps_on(scope_for_teams([team]), day).values_list("pk", flat=True))
    return list(
        Employee.objects.filter(role=Role.REP).employed_on(day).values_list("pk", flat=True)
    )


def _recurrence_validate(
    *, title, topic, frequency, weekday, day_of_month, start_date, end_date, duration_minutes
) -> None:
    if not (title or "").strip():
        raise ValidationError(_("A plan needs a title."))
    topic_validate(topic)
    if frequency == Frequency.WEEKLY:
        if weekday is None or not 0 <= weekday <= 6:
            raise ValidationError(_("A weekly plan needs a weekday."))
    elif frequency == Frequency.MONTHLY:
        if day_of_month is None or not 1 <= day_of_month <= 31:
            raise ValidationError(_("A monthly plan needs a day of the month from 1 to 31."))
    else:
        raise ValidationError(_("A plan recurs weekly or monthly."))
    if end_date < start_date:
        raise ValidationError(_("The plan ends before it starts."))
    if (end_date - start_date).days >= MAX_PLAN_DAYS:
        raise ValidationError(
            _("A plan covers at most %(days)s days; make another one for the time after.")
            % {"days": MAX_PLAN_DAYS}
        )
    duration_validate(duration_minutes)


@transaction.atomic
def recurring_plan_create(
    *,
    actor,
    title: str,
    topic: str,
    team: Team | None,
    frequency: str,
    start_time: dt.time,
    duration_minutes: int,
    start_date: dt.date,
    end_date: dt.date,
    weekday: int | None = None,
    day_of_month: int | None = None,
    trainer: Employee | None = None,
) -> TrainingPlan:
    """A recurring plan with its sessions, each inviting the team's reps (or, without a
    team, all reps) employed on its date. Supervisors and managers plan for their teams;
    HR and administrators also for the whole company."""
    if not access.can_manage_training(actor):
        raise refuse()
    if team is None and not access.company_wide(actor):
        raise refuse(_("Only HR and administrators plan training for the whole company."))
    if team is not None and not access.teams_for(actor).filter(pk=team.pk).exists():
        raise refuse(_("You may not plan the training of this team."))
    _recurrence_validate(
        title=title,
        topic=topic,
        frequency=frequency,
        weekday=weekday,
        day_of_month=day_of_month,
        start_date=start_date,
        end_date=end_date,
        duration_minutes=duration_minutes,
    )
    dates = occurrences(
        frequency=frequency,
        start=start_date,
        end=end_date,
        weekday=weekday,
        day_of_month=day_of_month,
    )
    if not dates:
        raise ValidationError(_("No session of this recurrence falls between the two dates."))
    plan = TrainingPlan.objects.create(
        kind=TrainingPlan.Kind.RECURRING,
        title=title.strip()[:200],
        topic=topic,
        team=team,
        trainer=trainer,
        frequency=frequency,
        weekday=weekday if frequency == Frequency.WEEKLY else None,
        day_of_month=day_of_month if frequency == Frequency.MONTHLY else None,
        start_time=start_time,
        duration_minutes=duration_minutes,
        start_date=start_date,
        end_date=end_date,
        created_by=user_of(actor),
    )
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            plan=plan,
            title=plan.title,
            topic=topic,
            trainer=trainer,
            date=day,
            start_time=start_time,
            duration_minutes=duration_minutes,
        )
        for day in dates
    )
    Invitation.objects.bulk_create(
        Invitation(session=session, employee_id=pk)
        for session in sessions
        for pk in invitees_on(team, session.date)
    )
    audit_record(
        actor=actor,
        action="training.plan.create",
        obj=plan,
        after={**snapshot(plan, PLAN_FIELDS), "sessions": len(sessions)},
    )
    return plan
