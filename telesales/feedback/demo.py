"""Demo tickets and satisfaction surveys (`telesales demo`): 120 days of feedback and
complaints about the demo reps and, when the crm step made them, their customers, routed to
the product, marketing and customer-service departments; most resolved in time, some late,
some still open; and survey responses scoring mostly 4 or 5."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

DEMO_DAYS = 120
ACTOR = "demo"
ROUTES = {  # kind → (department kind, weight)
    "complaint": (("customer_service", 70), ("product", 20), ("marketing", 10)),
    "feedback": (("product", 50), ("marketing", 30), ("customer_service", 20)),
}
PRIORITIES = (("normal", 50), ("high", 25), ("low", 15), ("urgent", 10))
TITLES = {
    "complaint": (
        "客户投诉回访电话过于频繁",
        "发票迟迟未开具",
        "演示账号无法登录",
        "续费价格与报价不一致",
        "实施上线延期",
        "坐席通话质量差、经常掉线",
        "客户反映销售承诺的功能没有",
        "退款进度缓慢",
    ),
    "feedback": (
        "希望增加批量导入客户的功能",
        "建议报表支持按周导出",
        "客户询问是否有行业版方案",
        "希望提供更多培训视频",
        "活动优惠规则不清楚",
        "建议手机端支持外呼记录",
        "客户希望开通试用延期",
    ),
}


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def demo_feedback(context: DemoContext) -> str:
    from telesales.crm.models import Customer
    from telesales.feedback.models import SurveyResponse, Ticket
    from telesales.org.models import Department, Employee, Role

    if SurveyResponse.objects.filter(response_no__startswith="DEMO-").exists():
        return ""
    rng = random.Random(context.seed * 1000 + 50)
    departments = {d.kind: d for d in Department.objects.all()}
    if not all(kind in departments for route in ROUTES.values() for kind, _w in route):
        return ""
    reps = list(Employee.objects.filter(role=Role.REP).order_by("employee_no"))
    if not reps:
        return ""
    customers: dict[int, list] = defaultdict(list)
    for customer in Customer.objects.filter(owner__in=reps, merged_into__isnull=True).order_by(
        "pk"
    )[:5000]:
        customers[customer.owner_id].append(customer)
    days = [
        context.today - dt.timedelta(days=offset)
        for offset in range(DEMO_DAYS, -1, -1)
        if _is_workday(context.today - dt.timedelta(days=offset))
    ]
    tickets = _tickets(rng, context.today, days, reps, customers, departments)
    responses = _surveys(rng, days, reps, customers)
    counts = {
        status: Ticket.objects.filter(status=status).count() for status in Ticket.Status.values
    }
    return _(
        "Feedback: %(tickets)s tickets (%(open)s open or in progress, %(resolved)s resolved, "
        "%(closed)s closed, %(late)s resolved late) and %(surveys)s survey responses."
    ) % {
        "tickets": tickets["count"],
        "open": counts["open"] + counts["in_progress"],
        "resolved": counts["resolved"],
        "closed": counts["closed"],
        "late": tickets["late"],
        "surveys": responses,
    }


def _tickets(rng, today, days, reps, customers, departments) -> dict[str, int]:
    from telesales.feedback.services import ticket_open

    made = late = 0
    for day in days:
        employed = [r for r in reps if r.is_employed_on(day)]
        if not employed:
            continue
        kinds = ["complaint"] * rng.choice((0, 1, 1, 2)) + ["feedback"] * rng.choice((0, 1, 1))
        for kind in kinds:
            rep = rng.choice(employed)
            own = customers.get(rep.pk)
            customer = rng.choice(own) if own and rng.random() < 0.85 else None
            opened = _at(day, rng.randint(9, 17), rng.randint(0, 59))
            ticket = ticket_open(
                actor=ACTOR,
                kind=kind,
                priority=_pick(rng, PRIORITIES),
                title=rng.choice(TITLES[kind]),
                body="",
                department=departments[_pick(rng, ROUTES[kind])],
                customer=customer,
                employee=rep,
                opened_at=opened,
            )
            made += 1
            late += _work(rng, ticket, today)
    return {"count": made, "late": late}


def _work(rng: random.Random, ticket, today: dt.date) -> int:
    """Carry a ticket through its life as of today; 1 when it was resolved late."""
    from telesales.feedback.services import ticket_transition

    sla = dt.timedelta(hours=ticket.sla_hours)
    now = _at(today, 18, 0)
    roll = rng.random()
    if roll < 0.08:  # still waiting, perhaps long past due
        if rng.random() < 0.5:
            start = ticket.opened_at + sla * rng.uniform(0.05, 0.3)
            if start < now:
                ticket_transition(
                    actor=ACTOR, ticket=ticket, to_status="in_progress", comment="", at=start
                )
        return 0
    was_late = roll > 0.86
    resolved = ticket.opened_at + sla * (
        rng.uniform(1.1, 2.5) if was_late else rng.uniform(0.15, 0.9)
    )
    if resolved >= now:
        start = ticket.opened_at + (resolved - ticket.opened_at) / 3
        ticket_transition(actor=ACTOR, ticket=ticket, to_status="in_progress", at=start)
        return 0
    if rng.random() < 0.6:
        start = ticket.opened_at + (resolved - ticket.opened_at) / 3
        ticket_transition(actor=ACTOR, ticket=ticket, to_status="in_progress", at=start)
    ticket_transition(
        actor=ACTOR,
        ticket=ticket,
        to_status="resolved",
        comment=rng.choice(
            ("已与客户电话沟通，问题解决。", "已处理并回访客户。", "已转交并跟进完成。")
        ),
        at=resolved,
    )
    closed = resolved + dt.timedelta(hours=rng.randint(4, 72))
    if closed < now and rng.random() < 0.8:
        ticket_transition(actor=ACTOR, ticket=ticket, to_status="closed", at=closed)
    return int(was_late)


def _surveys(rng, days, reps, customers) -> int:
    from telesales.feedback.services import Survey, survey_responses_store

    # Some reps satisfy their customers more than others.
    bias = {rep.pk: rng.uniform(-0.15, 0.1) for rep in reps}
    rows = []
    for day in days:
        for rep in reps:
            if not rep.is_employed_on(day) or rng.random() >= 0.25:
                continue
            satisfied = 0.78 + bias[rep.pk]
            if rng.random() < satisfied:
                score = 5 if rng.random() < 0.55 else 4
            else:
                score = _pick(rng, ((3, 60), (2, 25), (1, 15)))
            own = customers.get(rep.pk)
            rows.append(
                Survey(
                    response_no=f"DEMO-{day:%Y%m%d}-{len(rows) + 1:05d}",
                    customer=rng.choice(own) if own else None,
                    employee=rep,
                    score=score,
                    responded_on=day,
                    comment="",
                )
            )
    return len(survey_responses_store(actor=ACTOR, responses=rows))
