"""Demo development records (`telesales demo`): individual development plans for about half
the reps of each team, with goals at various progress (a few overdue) and the history of that
progress; senior reps mentoring new hires; a couple of rotations; and a successor bench of a
few nominees with varied readiness, one team having no one ready now. Everything is made
through the services, by the team's supervisor where they have a login."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

ACTOR = "demo"
NEW_HIRE_DAYS = 200  # hired within this many days: a new hire, who gets a mentor
SENIOR_DAYS = 365  # at least this long in service: a senior rep, who may mentor or be nominated

PLAN_TITLES = {
    "new": ("新人成长计划", "试用期转正能力提升计划"),
    "core": ("异议处理能力提升计划", "大客户开发能力提升计划", "个人业绩突破计划"),
    "bench": ("储备组长培养计划",),
}
FOCUS = {
    "new": "熟悉产品与话术，尽快独立上线通话。",
    "core": "提升需求挖掘与异议处理，稳定达成月度目标。",
    "bench": "带教新人、协助主管开晨会，培养团队管理能力。",
}
GOALS = {
    "new": (
        ("通过产品知识考试", "产品知识考试成绩 ≥ 85 分"),
        ("熟练掌握标准话术", "连续 3 通质检录音评分 ≥ 80 分"),
        ("独立完成首单", "独立成交至少 1 单"),
        ("规范填写跟进记录", "CRM 记录完整率 ≥ 95%"),
    ),
    "core": (
        ("提升异议处理能力", "质检“异议处理”项平均分 ≥ 85 分"),
        ("提高有效通话率", "有效沟通率连续 2 个月 ≥ 35%"),
        ("开发重点产品客户", "重点产品成交 ≥ 5 单"),
        ("分享一次成功案例", "在周会上完成 1 次案例分享"),
        ("完成谈判技巧培训", "参加培训并通过课后测评"),
    ),
    "bench": (
        ("带教一名新人", "所带新人 3 个月内转正"),
        ("主持晨会", "每月主持晨会不少于 4 次"),
        ("完成管理基础培训", "通过《基层管理者》课程考核"),
        ("协助完成团队周报", "每周按时提交团队数据周报"),
    ),
}
NOTES = ("本周有进展", "已与主管复盘", "按计划推进", "遇到困难，需要支持", "完成阶段目标")
MENTOR_PURPOSES = ("带教产品知识与话术，陪同首月外呼。", "帮助新人熟悉 CRM 与跟进流程。")


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 18), 0)))


@transaction.atomic
def demo_development(context: DemoContext) -> str:
    from telesales.org.models import Employee, Role, Team
    from telesales.people.development.models import (
        DevelopmentGoal,
        DevelopmentPlan,
        Mentorship,
        Nomination,
        Rotation,
    )

    if DevelopmentPlan.objects.exists() or Nomination.objects.exists():
        return ""
    today = context.today
    rng = random.Random(context.seed * 1000 + 74)
    teams = list(Team.objects.filter(is_active=True, supervisor__isnull=False).order_by("code"))
    if not teams:
        return ""
    employed = Employee.objects.employed_on(today).select_related("user")
    roster = {
        team.pk: list(
            employed.filter(role=Role.REP, team=team).order_by("hire_date", "employee_no")
        )
        for team in teams
    }
    supervisors = {
        team.pk: Employee.objects.select_related("user").get(pk=team.supervisor_id)
        for team in teams
    }

    nominees = _bench(rng, today, teams, roster, supervisors)
    plans = 0
    for team in teams:
        reps = roster[team.pk]
        actor = _actor(supervisors[team.pk])
        chosen = [r for r in reps if r.pk in nominees]
        others = [r for r in reps if r.pk not in nominees]
        rng.shuffle(others)
        chosen += others[: max(0, (len(reps) + 1) // 2 - len(chosen))]
        for index, rep in enumerate(sorted(chosen, key=lambda r: r.employee_no)):
            kind = (
                "bench"
                if rep.pk in nominees
                else "new"
                if (today - rep.hire_date).days <= NEW_HIRE_DAYS
                else "core"
            )
            _plan(rng, today, actor, rep, kind, draft=index == len(chosen) - 1 and team == teams[0])
            plans += 1
        _mentors(rng, today, actor, reps)
    _rotations(rng, today, teams, roster, supervisors)

    overdue = DevelopmentGoal.objects.filter(
        plan__status=DevelopmentPlan.Status.ACTIVE,
        progress__lt=100,
        due_on__lt=today,
    ).exclude(status=DevelopmentGoal.Status.DROPPED)
    return _(
        "Development: %(plans)s development plans with %(goals)s goals (%(overdue)s overdue), "
        "%(mentorships)s mentorships, %(rotations)s rotations and %(nominees)s nominees on the "
        "successor bench."
    ) % {
        "plans": plans,
        "goals": DevelopmentGoal.objects.count(),
        "overdue": overdue.count(),
        "mentorships": Mentorship.objects.count(),
        "rotations": Rotation.objects.count(),
        "nominees": Nomination.objects.count(),
    }


def _actor(supervisor):
    return supervisor.user if supervisor.user_id else ACTOR


def _progress_actor(rep, supervisor_actor):
    return rep.user if rep.user_id else supervisor_actor


def _plan(rng, today, actor, rep, kind, *, draft: bool) -> None:
    from telesales.people.development.services import (
        goal_add,
        goal_progress_update,
        plan_comment_add,
        plan_create,
        plan_transition,
    )

    start = max(rep.hire_date, today - dt.timedelta(days=rng.randint(45, 120)))
    end = start + dt.timedelta(days=180 if kind != "bench" else 365)
    plan = plan_create(
        actor=actor,
        employee=rep,
        title=rng.choice(PLAN_TITLES[kind]),
        start=start,
        end=end,
        summary=FOCUS[kind],
    )
    bank = list(GOALS[kind])
    rng.shuffle(bank)
    goals = []
    count = rng.randint(2, 4)
    for index, (title, measure) in enumerate(bank[:count]):
        # The first goal falls due before today (some are then overdue); the others later.
        if index == 0:
            due = start + dt.timedelta(days=max(1, min(40, (today - start).days - 5)))
        else:
            due = start + dt.timedelta(
                days=rng.randint((today - start).days + 10, (end - start).days)
            )
        goals.append(goal_add(actor=actor, plan=plan, title=title, measure=measure, due_on=due))
    if draft:
        return
    plan_transition(actor=actor, plan=plan, to_status="active")
    mover = _progress_actor(rep, actor)
    elapsed = (today - start).days
    for index, goal in enumerate(goals):
        # A rep's pace: most goals move steadily, the first (due already) mostly reaches 100 %.
        final = (
            100
            if index == 0 and rng.random() < 0.65
            else rng.choice((0, 20, 30, 40, 50, 60, 70, 80))
        )
        steps = sorted(rng.sample(range(10, final + 1, 10), min(3, final // 10))) if final else []
        if final and final not in steps:
            steps[-1] = final
        days = sorted(rng.sample(range(1, max(2, elapsed)), min(len(steps), max(1, elapsed - 1))))
        for value, offset in zip(steps, days, strict=False):
            goal_progress_update(
                actor=mover,
                goal=goal,
                progress=value,
                note=rng.choice(NOTES) if rng.random() < 0.6 else "",
                at=_at(start + dt.timedelta(days=offset), rng),
            )
    if rng.random() < 0.5:
        plan_comment_add(
            actor=actor,
            plan=plan,
            body="本月进展不错，继续保持；下月重点关注目标的按期完成。",
            at=_at(today - dt.timedelta(days=rng.randint(1, 20)), rng),
        )


def _mentors(rng, today, actor, reps) -> None:
    from telesales.people.development.services import mentorship_end, mentorship_start

    seniors = [r for r in reps if (today - r.hire_date).days >= SENIOR_DAYS]
    new_hires = [r for r in reps if (today - r.hire_date).days <= NEW_HIRE_DAYS]
    if not seniors:
        return
    for index, mentee in enumerate(new_hires[:3]):
        mentor = seniors[index % len(seniors)]
        mentorship = mentorship_start(
            actor=actor,
            mentor=mentor,
            mentee=mentee,
            start=mentee.hire_date,
            purpose=rng.choice(MENTOR_PURPOSES),
        )
        if index == 0 and (today - mentee.hire_date).days > 120:
            # A mentorship that has run its course: the mentee works on their own now.
            mentorship_end(
                actor=actor,
                mentorship=mentorship,
                end=mentee.hire_date + dt.timedelta(days=90),
                note="新人已转正，带教结束。",
            )


def _rotations(rng, today, teams, roster, supervisors) -> None:
    from telesales.org.models import Department
    from telesales.people.development.services import rotation_record

    service = Department.objects.filter(kind=Department.Kind.CUSTOMER_SERVICE).first()
    first, last = teams[0], teams[-1]
    seniors = [r for r in roster[first.pk] if (today - r.hire_date).days >= SENIOR_DAYS]
    if seniors and service is not None:
        start = today - dt.timedelta(days=rng.randint(60, 120))
        rotation_record(
            actor=_actor(supervisors[first.pk]),
            employee=seniors[1 if len(seniors) > 1 else 0],  # the team's second nominee
            to_department=service,
            to_position="客服专员（跟岗）",
            start=start,
            end=start + dt.timedelta(days=14),
            purpose="了解售后服务流程与常见投诉，提升客户沟通的全局视角。",
            outcome="熟悉了投诉处理流程，回组后分享了 3 个典型案例。",
        )
    seniors = [r for r in roster[last.pk] if (today - r.hire_date).days >= SENIOR_DAYS]
    if seniors and len(teams) > 1:
        start = today - dt.timedelta(days=rng.randint(10, 30))
        rotation_record(
            actor=_actor(supervisors[last.pk]),
            employee=seniors[0],
            to_team=first,
            to_position="质检助理",
            start=start,
            end=start + dt.timedelta(days=30),
            purpose="在一组协助质检抽听，学习评分标准与辅导方法。",
        )


def _bench(rng, today, teams, roster, supervisors) -> set[int]:
    """4–6 nominees for team lead across the teams; the last team has no one ready now."""
    from telesales.people.development.services import nomination_create, nomination_reassess

    # The readiness of each team's nominees, oldest hand first; the last team has none ready.
    plans = {0: ("ready_now", "1_year"), 1: ("ready_now", "2_years")}
    nominees: set[int] = set()
    for index, team in enumerate(teams):
        seniors = [r for r in roster[team.pk] if (today - r.hire_date).days >= SENIOR_DAYS]
        last = index == len(teams) - 1
        readiness = ("2_years",) if last else plans.get(index, ("1_year",))
        supervisor = supervisors[team.pk]
        actor = _actor(supervisor)
        for rep, ready in zip(seniors, readiness, strict=False):
            first = "1_year" if ready == "ready_now" else ready
            nomination = nomination_create(
                actor=actor,
                employee=rep,
                readiness=first,
                assessed_on=today - dt.timedelta(days=rng.randint(120, 200)),
                strengths="业绩稳定，善于沟通，乐于帮助同事。",
                gaps="缺少带团队经验，数据分析能力有待提高。",
                assessed_by=supervisor,
            )
            if ready != first or rng.random() < 0.5:
                nomination_reassess(
                    actor=actor,
                    nomination=nomination,
                    readiness=ready,
                    assessed_on=today - dt.timedelta(days=rng.randint(5, 40)),
                    strengths="业绩稳定，带教新人效果好，能独立主持晨会。",
                    gaps="跨部门协调经验不足。" if ready != "ready_now" else "",
                    assessed_by=supervisor,
                )
            nominees.add(rep.pk)
    return nominees
