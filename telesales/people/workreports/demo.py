"""Demo work reports (`telesales demo`): the weekly and monthly reports of every demo
supervisor falling due in the last three months — most submitted on time, some late, one or
two never written, one returned by the manager and submitted again — most of them rated by
the supervisor's manager; and this week's report as a draft."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

DEMO_DAYS = 91
RATINGS = ((5, 20), (4, 45), (3, 25), (2, 10))
PROBLEMS = (
    "新人话术不熟练，开场白后挂断率偏高。",
    "部分A类客户跟进不及时，超过48小时未回访。",
    "周三外呼系统故障，半天无法拨出，通话量受影响。",
    "线索质量下降，空号和无效号码占比上升到约15%。",
    "重点产品讲解不到位，客户对价格的异议处理不足。",
    "两名组员请假，人均通话量下降。",
)
ACTIONS = (
    "组织两次话术演练，逐一听录音并辅导。",
    "每日晨会通报跟进超时的客户，责任到人。",
    "与市场部沟通线索来源，暂停低质量渠道。",
    "安排老员工一对一带教新人，每天复盘。",
    "针对价格异议整理了五条应答要点，全组学习。",
)
PLANS = (
    "重点跟进高意向客户{leads}个，争取成交{deals}单；继续新人带教。",
    "把接通率提高到{rate}%以上；每天抽听每人两通录音。",
    "完成重点产品的专项培训，争取重点产品成交{deals}单。",
)
SUPPORT = (
    "",
    "",
    "希望市场部提供更多行业客户线索。",
    "需要信息技术部协助排查外呼系统掉线问题。",
    "希望增加一次产品部的新功能讲解。",
)
RETURN_REASON = "问题分析不够深入，请补充未达成目标的具体原因和数据对比。"
COMMENTS = {
    5: "分析透彻，措施具体，计划可执行。",
    4: "内容完整，建议补充与上期的数据对比。",
    3: "基本完整，原因分析偏笼统。",
    2: "数据不完整，计划缺少量化目标。",
}


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _sections(rng: random.Random, kind: str) -> dict[str, str]:
    scale = 1 if kind == "weekly" else 4
    calls = rng.randint(1800, 2600) * scale
    rate = rng.randint(32, 45)
    amount = rng.randint(8, 20) * 10000 * scale
    when = "本周" if kind == "weekly" else "本月"
    return {
        "summary": (
            f"{when}团队外呼{calls}通，接通率{rate}%，新增意向客户{rng.randint(12, 30) * scale}个，"
            f"成交{rng.randint(6, 15) * scale}单，销售额{amount}元，"
            f"完成目标的{rng.randint(82, 112)}%。"
        ),
        "problems": "\n".join(rng.sample(PROBLEMS, 2)),
        "actions": "\n".join(rng.sample(ACTIONS, 2)),
        "plan": rng.choice(PLANS).format(
            leads=rng.randint(10, 25), deals=rng.randint(5, 12), rate=rate + 2
        ),
        "support": rng.choice(SUPPORT),
    }


def _office_hours(rng: random.Random, due: dt.datetime, days: int) -> dt.datetime:
    """A moment between 08:30 and 21:30 local, `days` days from the due date."""
    day = timezone.localtime(due).date() + dt.timedelta(days=days)
    minute = rng.randint(8 * 60 + 30, 21 * 60 + 30)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


@transaction.atomic
def demo_workreports(context: DemoContext) -> str:
    from telesales.people.workreports.models import WorkReport
    from telesales.people.workreports.schedule import owes, period_containing, reports_due
    from telesales.people.workreports.services import report_rate, report_save, report_transition

    if WorkReport.objects.exists():
        return ""
    rng = random.Random(context.seed * 1000 + 80)
    today = context.today
    cutoff = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    items = reports_due(
        first=today - dt.timedelta(days=DEMO_DAYS), last=today - dt.timedelta(days=1)
    )
    items = [item for item in items if item.due_at < cutoff and item.author is not None]
    if not items:
        return ""
    missing = set(rng.sample(range(len(items)), min(2, max(1, len(items) // 20))))
    weekly_on_time = [
        n for n in range(len(items) // 2) if n not in missing and items[n].kind == "weekly"
    ]
    returned = rng.choice(weekly_on_time) if weekly_on_time else None
    stored = late = rated = resubmitted = 0
    for index, item in enumerate(items):
        if index in missing:
            continue
        author = item.author
        writer = author.user or "demo"
        manager = author.manager
        rater = manager.user if manager is not None and manager.user is not None else None
        is_late = index != returned and rng.random() < 0.12
        if is_late:
            submitted = _office_hours(rng, item.due_at, rng.randint(0, 3))
            if submitted <= item.due_at:
                submitted = item.due_at + dt.timedelta(minutes=rng.randint(30, 300))
            late += 1
        else:
            submitted = _office_hours(rng, item.due_at, -rng.randint(0, 2))
            if submitted >= item.due_at:
                submitted = item.due_at - dt.timedelta(minutes=rng.randint(20, 90))
        submitted = min(submitted, cutoff - dt.timedelta(hours=1))
        report = report_save(
            actor=writer,
            author=author,
            kind=item.kind,
            period_start=item.period.start,
            sections=_sections(rng, item.kind),
            submit=True,
            at=submitted,
        )
        stored += 1
        if index == returned and rater is not None:
            back = _office_hours(rng, submitted, 1)
            report = report_transition(
                actor=rater, report=report, to_status="returned", reason=RETURN_REASON, at=back
            )
            revised = dict(_sections(rng, item.kind))
            revised["problems"] += "\n与上周相比接通率下降3个百分点，主要原因是新人占比提高。"
            revised_at = _office_hours(rng, back, 1)
            report = report_save(
                actor=writer,
                author=author,
                kind=item.kind,
                period_start=item.period.start,
                sections=revised,
                at=revised_at,
            )
            submitted = revised_at + dt.timedelta(minutes=rng.randint(5, 40))
            report = report_transition(
                actor=writer, report=report, to_status="submitted", at=submitted
            )
            resubmitted += 1
        rated_at = _office_hours(rng, submitted, rng.randint(1, 3))
        if rater is not None and rated_at < cutoff and rng.random() < 0.88:
            rating = _pick(rng, RATINGS)
            report_rate(
                actor=rater, report=report, rating=rating, comment=COMMENTS[rating], at=rated_at
            )
            rated += 1
    drafts = 0
    for author in sorted({item.author for item in items}, key=lambda a: a.employee_no)[:1]:
        period = period_containing("weekly", today)
        if owes(author, period):
            sections = _sections(rng, "weekly")
            report_save(
                actor=author.user or "demo",
                author=author,
                kind="weekly",
                period_start=period.start,
                sections={"summary": sections["summary"]},
                at=cutoff,
            )
            drafts += 1
    supervisors = len({item.author_id for item in items})
    return _(
        "Work reports: %(stored)s reports of %(supervisors)s supervisors (%(late)s late, "
        "%(missing)s missing, %(returned)s returned and submitted again), %(rated)s rated by "
        "their manager, %(drafts)s draft."
    ) % {
        "stored": stored,
        "supervisors": supervisors,
        "late": late,
        "missing": len(missing),
        "returned": resubmitted,
        "rated": rated,
        "drafts": drafts,
    }
