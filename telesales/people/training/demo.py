"""Demo training (`telesales demo`): for each demo team a weekly selling-skills session and a
monthly product update over the last four months and the coming four weeks, a monthly
company-wide industry briefing, a quarterly skill assessment, and the onboarding plans of the
recent hires. Past sessions are mostly held (a few cancelled, the last few days' not yet
recorded) with attendance; product updates and some skills sessions carry a course
assessment with scores before and after."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext
from telesales.core.periods import period_of

ACTOR = "demo"
PAST_DAYS = 120
FUTURE_DAYS = 28
CANCEL_REASONS = ("与客户活动冲突", "讲师出差", "系统升级停训", "节前冲刺暂停")


def _attendance(rng: random.Random) -> str:
    roll = rng.random()
    return "attended" if roll < 0.88 else ("absent" if roll < 0.95 else "excused")


def _score(value: float) -> Decimal:
    return Decimal(max(0, min(100, round(value))))


@transaction.atomic
def demo_training(context: DemoContext) -> str:
    from telesales.org.models import Department, Employee, Role, Team
    from telesales.people.training.models import TrainingPlan, TrainingSession
    from telesales.people.training.services import (
        ScoreEntry,
        onboarding_assign_recent,
        recurring_plan_create,
        session_attendance_record,
        session_create,
        session_scores_record,
        session_transition,
    )
    from telesales.people.training.services.plans import invitees_on
    from telesales.people.training.workdays import is_workday

    if TrainingPlan.objects.filter(kind=TrainingPlan.Kind.RECURRING).exists():
        return ""
    teams = list(
        Team.objects.filter(code__in=["T1", "T2", "T3"])
        .select_related("supervisor")
        .order_by("code")
    )
    if not teams:
        return ""
    rng = random.Random(context.seed * 1000 + 72)
    today = context.today
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    product = (
        Employee.objects.filter(department__kind=Department.Kind.PRODUCT, leave_date__isnull=True)
        .order_by("employee_no")
        .first()
    )
    manager = Employee.objects.filter(role=Role.MANAGER).order_by("employee_no").first()

    assessed: set[int] = set()  # sessions with a course assessment
    for index, team in enumerate(teams):
        weekly = recurring_plan_create(
            actor=ACTOR,
            title=f"{team.name}·每周销售技巧训练",
            topic="selling_skills",
            team=team,
            frequency="weekly",
            weekday=1 + index,
            start_time=dt.time(16, 30),
            duration_minutes=60,
            start_date=start,
            end_date=end,
            trainer=team.supervisor,
        )
        assessed.update(
            weekly.sessions.order_by("date").values_list("pk", flat=True)[::4]
        )  # every fourth skills session ends with a short test
        monthly = recurring_plan_create(
            actor=ACTOR,
            title=f"{team.name}·月度产品更新",
            topic="product_updates",
            team=team,
            frequency="monthly",
            day_of_month=8 + 4 * index,
            start_time=dt.time(10, 0),
            duration_minutes=90,
            start_date=start,
            end_date=end,
            trainer=product or team.supervisor,
        )
        assessed.update(monthly.sessions.values_list("pk", flat=True))
    recurring_plan_create(
        actor=ACTOR,
        title="行业资讯分享会",
        topic="industry_news",
        team=None,
        frequency="monthly",
        day_of_month=25,
        start_time=dt.time(15, 0),
        duration_minutes=60,
        start_date=start,
        end_date=end,
        trainer=manager,
    )
    onboarding = onboarding_assign_recent(actor=ACTOR, today=today)

    # Quarterly skill assessments: on the last working day of each quarter in the window.
    skill_sessions = []
    quarter = period_of(start, "quarter")
    while quarter.end < today:
        day = quarter.end
        while not is_workday(day):
            day -= dt.timedelta(days=1)
        if day >= start:
            for team in teams:
                reps = list(Employee.objects.filter(pk__in=invitees_on(team, day)))
                if reps:
                    skill_sessions.append(
                        session_create(
                            actor=ACTOR,
                            title=f"{team.name}·{quarter.code} 季度技能考核",
                            topic="selling_skills",
                            date=day,
                            start_time=dt.time(14, 0),
                            duration_minutes=120,
                            invitees=reps,
                            trainer=team.supervisor,
                            held=True,
                            today=today,
                        )
                    )
        quarter = period_of(quarter.end + dt.timedelta(days=1), "quarter")

    # The history of every session up to yesterday.
    skill = {s.pk for s in skill_sessions}
    held = cancelled = 0
    past = (
        TrainingSession.objects.filter(date__lt=today)
        .select_related("plan")
        .order_by("date", "start_time", "pk")
    )
    ability: dict[int, float] = {}
    for session in past:
        recent = (today - session.date).days <= 3
        if session.status == TrainingSession.Status.PLANNED:
            onboarding_session = session.plan is not None and session.plan.kind == "onboarding"
            if recent and not onboarding_session and rng.random() < 0.5:
                continue  # not recorded yet
            if not onboarding_session and rng.random() < 0.1:
                session_transition(
                    actor=ACTOR,
                    session=session,
                    to_status="cancelled",
                    note=rng.choice(CANCEL_REASONS),
                    today=today,
                )
                cancelled += 1
                continue
            session = session_transition(
                actor=ACTOR, session=session, to_status="held", today=today
            )
        held += 1
        invitees = list(session.invitations.values_list("employee_id", flat=True))
        if session.pk in skill:
            attendance = {pk: ("attended" if rng.random() < 0.95 else "excused") for pk in invitees}
        else:
            attendance = {pk: _attendance(rng) for pk in invitees}
        session_attendance_record(actor=ACTOR, session=session, attendance=attendance)
        attended = [pk for pk, value in attendance.items() if value == "attended"]
        for pk in attended:
            ability.setdefault(pk, rng.gauss(72, 9))
        if session.pk in skill:
            session_scores_record(
                actor=ACTOR,
                session=session,
                kind="skill",
                pass_mark=Decimal(60),
                scores=[ScoreEntry(pk, None, _score(rng.gauss(ability[pk], 6))) for pk in attended],
            )
        elif session.pk in assessed and attended:
            entries = []
            for pk in attended:
                pre = ability[pk] - rng.uniform(8, 22)
                entries.append(ScoreEntry(pk, _score(pre), _score(pre + rng.uniform(4, 24))))
            session_scores_record(
                actor=ACTOR, session=session, kind="course", pass_mark=Decimal(60), scores=entries
            )
    del onboarding  # made here or, for hires of the real today, when they were hired
    return _(
        "Training: %(plans)s plans (%(onboarding)s onboarding plans of new hires), "
        "%(sessions)s sessions: %(held)s held, %(cancelled)s cancelled."
    ) % {
        "plans": TrainingPlan.objects.count(),
        "onboarding": TrainingPlan.objects.filter(kind=TrainingPlan.Kind.ONBOARDING).count(),
        "sessions": TrainingSession.objects.count(),
        "held": held,
        "cancelled": cancelled,
    }
