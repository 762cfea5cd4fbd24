"""Demo motivation data (`telesales demo`): six months of monthly check-ins for every rep,
held by the supervisor of their team that day, with two or three reps whose morale is
falling; recognitions and rewards granted by the supervisors, a few penalties and one
reversed entry; and a team activity each month per team."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

MONTHS = 6
ACTOR = "demo"
RECOGNITIONS = (
    "本周有效通话数全组第一",
    "主动分享成交话术，帮助新人",
    "耐心处理客户投诉，客户致电表扬",
    "连续三天达成日目标",
    "跟进记录完整及时",
    "帮助同事整理意向客户名单",
)
REWARDS = (
    ("月度销冠奖励", Decimal("500.00"), 20),
    ("重点产品突破奖", Decimal("300.00"), 15),
    ("季度冲刺达标奖", Decimal("200.00"), 10),
)
PENALTIES = (
    ("本月迟到三次", Decimal("50.00"), 5),
    ("未按规定填写跟进记录", Decimal("100.00"), 5),
    ("违规承诺客户赠品", Decimal("200.00"), 10),
)
ACTIVITIES = (
    ("月度团建聚餐", Decimal("120")),
    ("周五下午茶", Decimal("40")),
    ("业绩冲刺PK赛", Decimal("60")),
    ("户外拓展", Decimal("200")),
    ("集体生日会", Decimal("50")),
    ("读书分享会", Decimal("30")),
)
SUMMARIES = (
    "回顾本月进度；下月重点跟进A类客户，每周一起复盘两通录音。",
    "状态不错；继续保持，下月尝试带一名新人。",
    "对新产品话术还不熟；安排周三参加产品培训。",
    "最近接通率偏低；调整拨打时段到上午十点和下午三点。",
)
NOTES_GOOD = ("工作积极，团队氛围融入好。", "有晋升意愿，可考虑培养为组长。", "")
NOTES_LOW = (
    "家里有事，近期情绪低落，需多关注。",
    "对提成方案有意见，提到在看其他机会。",
    "连续两个月未达标，信心不足，考虑安排导师。",
)


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _month_starts(today: dt.date, count: int) -> list[dt.date]:
    from telesales.people.morale.selectors import months_back

    return months_back(today, count)


def _team_supervisors() -> dict[int, object]:
    from telesales.org.models import Team

    return {
        team.pk: team.supervisor
        for team in Team.objects.select_related("supervisor", "supervisor__user")
        if team.supervisor is not None
    }


@transaction.atomic
def demo_morale(context: DemoContext) -> str:
    from telesales.org.models import Employee, Role
    from telesales.people.morale.models import CheckIn, LedgerEntry
    from telesales.people.morale.services.common import team_on

    if LedgerEntry.objects.exists() or CheckIn.objects.exists():
        return ""
    today = context.today
    rng = random.Random(context.seed * 1000 + 78)
    supervisors = _team_supervisors()
    if not supervisors:
        return ""
    months = _month_starts(today, MONTHS)
    reps = list(
        Employee.objects.filter(role=Role.REP)
        .employed_between(months[0], today)
        .select_related("team")
        .order_by("employee_no")
    )
    current = [r for r in reps if r.is_employed_on(today) and r.team_id in supervisors]
    seasoned = [r for r in current if r.hire_date <= months[0]]
    falling = rng.sample(seasoned, min(3, len(seasoned)))
    silent = next((r for r in seasoned if r not in falling), None)
    checkins = _checkins(rng, today, months, reps, supervisors, falling, silent, team_on)
    entries, reversed_one = _ledger(rng, today, months, current, supervisors, falling)
    activities = _activities(rng, today, months, supervisors)
    return _(
        "Morale: %(checkins)s check-ins (%(falling)s reps with falling morale), %(entries)s "
        "ledger entries (%(reversals)s reversed) and %(activities)s team activities."
    ) % {
        "checkins": checkins,
        "falling": len(falling),
        "entries": entries,
        "reversals": reversed_one,
        "activities": activities,
    }


def _checkin_day(rng: random.Random, month: dt.date) -> dt.date:
    return _workday(month.replace(day=rng.randint(8, 20)))


def _checkins(rng, today, months, reps, supervisors, falling, silent, team_on) -> int:
    from telesales.people.morale.services import checkin_record

    made = 0
    for rep in reps:
        days = [_checkin_day(rng, m) for m in months]
        days = [d for d in days if d <= today and rep.is_employed_on(d)]
        if rep == silent:
            days = [d for d in days if d < today - dt.timedelta(days=75)]
        if not days:
            continue
        if rep in falling:
            # Steady, then down over the last three: 4 → 3 → 2, or 3 → 2 → 1.
            top = rng.choice((4, 5))
            tail = [top - 1, top - 2, top - 3] if top == 4 else [4, 3, 2]
            scores = [top] * max(0, len(days) - 3) + tail[-len(days) :]
        else:
            base = rng.choice((3, 4, 4, 5))
            scores = [min(5, max(2, base + rng.choice((-1, 0, 0, 0, 1)))) for _ in days]
        for day, score in zip(days, scores, strict=True):
            team_id = team_on(rep, day)
            holder = supervisors.get(team_id)
            if holder is None or holder.pk == rep.pk:
                continue
            low = score <= 2
            checkin_record(
                actor=ACTOR,
                employee=rep,
                held_by=holder,
                date=day,
                morale=score,
                private_notes=rng.choice(NOTES_LOW if low else NOTES_GOOD),
                shared_summary=rng.choice(SUMMARIES),
                today=today,
            )
            made += 1
    return made


def _ledger(rng, today, months, current, supervisors, falling) -> tuple[int, int]:
    from telesales.people.morale.models import LedgerEntry
    from telesales.people.morale.services import ledger_entry_grant, ledger_entry_reverse

    Kind = LedgerEntry.Kind
    by_team: dict[int, list] = {}
    for rep in current:
        by_team.setdefault(rep.team_id, []).append(rep)
    made = 0
    rewards = []
    for month in months:
        for team_id, members in sorted(by_team.items()):
            supervisor = supervisors[team_id]
            actor = supervisor.user or ACTOR
            for _i in range(rng.randint(2, 4)):
                rep = rng.choice(members)
                day = _workday(month.replace(day=rng.randint(2, 27)))
                if day > today or not rep.is_employed_on(day):
                    continue
                ledger_entry_grant(
                    actor=actor,
                    employee=rep,
                    kind=Kind.RECOGNITION,
                    reason=rng.choice(RECOGNITIONS),
                    date=day,
                    points=rng.choice((5, 10, 10, 20)),
                    today=today,
                )
                made += 1
            rep = rng.choice(members)
            day = _workday(month.replace(day=28))
            if day <= today and rep.is_employed_on(day):
                reason, amount, points = rng.choice(REWARDS)
                rewards.append(
                    ledger_entry_grant(
                        actor=actor,
                        employee=rep,
                        kind=Kind.REWARD,
                        reason=reason,
                        date=day,
                        points=points,
                        amount=amount,
                        today=today,
                    )
                )
                made += 1
    # A few penalties: one recent one for a rep whose morale is falling.
    penalised = ([falling[0]] if falling else []) + rng.sample(current, min(2, len(current)))
    for number, rep in enumerate(penalised):
        back = 20 if number == 0 else rng.randint(30, 150)
        day = _workday(today - dt.timedelta(days=back))
        if not rep.is_employed_on(day):
            continue
        reason, amount, points = PENALTIES[number % len(PENALTIES)]
        supervisor = supervisors[rep.team_id]
        ledger_entry_grant(
            actor=supervisor.user or ACTOR,
            employee=rep,
            kind=Kind.PENALTY,
            reason=reason,
            date=day,
            points=points,
            amount=amount,
            today=today,
        )
        made += 1
    reversed_count = 0
    if rewards:
        mistaken = rewards[len(rewards) // 2]
        supervisor = supervisors[mistaken.employee.team_id]
        ledger_entry_reverse(
            actor=supervisor.user or ACTOR,
            entry=mistaken,
            reason="录入错误：奖励发给了其他同事，冲销本条",
        )
        made += 1
        reversed_count = 1
    return made, reversed_count


def _activities(rng, today, months, supervisors) -> int:
    from telesales.org.models import Employee, Team
    from telesales.people.morale.services import team_activity_record

    made = 0
    teams = Team.objects.filter(pk__in=list(supervisors)).order_by("code")
    for month in months:
        for team in teams:
            day = _workday(month.replace(day=rng.randint(18, 27)))
            if day > today:
                continue
            members = [
                m
                for m in Employee.objects.filter(team=team).employed_on(day).order_by("employee_no")
                if rng.random() < 0.85
            ]
            title, per_head = rng.choice(ACTIVITIES)
            supervisor = supervisors[team.pk]
            team_activity_record(
                actor=supervisor.user or ACTOR,
                team=team,
                title=title,
                date=day,
                cost=per_head * len(members),
                notes="",
                participants=members,
            )
            made += 1
    return made
