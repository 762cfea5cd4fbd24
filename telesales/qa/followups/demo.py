"""The demo step of the follow-up record checks."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext
from telesales.org.models import Employee, Role, Team
from telesales.qa.followups.records import customer_records, followup_hints
from telesales.qa.followups.rules import MET, NOT_APPLICABLE, NOT_MET, followup_verdict, pass_share
from telesales.qa.followups.selectors import followup_sample
from telesales.qa.followups.services import (
    ItemMarks,
    followup_check_acknowledge,
    followup_check_create,
)
from telesales.qa.models import FOLLOWUP_POINTS, FollowUpCheck

DEMO_NOTES = {
    "outcome_recorded": "最近一次通话后没有记录通话结果。",
    "notes_meaningful": "跟进记录只写了“已联系”，没有客户需求和异议的内容。",
    "next_step_set": "沟通后没有约定下一步和跟进日期。",
    "follow_up_on_time": "约定的跟进日期已过，未见回访记录。",
    "profile_current": "客户已表达意向，但意向等级没有更新。",
}
DEMO_COMMENTS = {
    True: ("跟进记录完整及时，继续保持。", "记录清楚，下一步安排明确。"),
    False: (
        "多位客户的跟进已逾期，请本周内补齐回访并更新记录。",
        "跟进记录内容过于简单，请写清客户需求、异议和下一步。",
    ),
}


@transaction.atomic
def demo_followups(context: DemoContext) -> str:
    """About two submitted checks per current rep in the last four weeks, by the team's
    supervisor, on the week's sample of the rep's customers: most records kept well, some
    checks failed, most acknowledged by the rep."""
    from telesales.crm.models import Customer

    if FollowUpCheck.objects.exists() or not Customer.objects.filter(owner__isnull=False).exists():
        return ""
    rng = random.Random(context.seed * 1000 + 71)
    today = context.today
    teams = list(
        Team.objects.filter(supervisor__isnull=False).select_related("supervisor").order_by("code")
    )
    checks: list[FollowUpCheck] = []
    acknowledged = 0
    now = timezone.now()
    share = pass_share()
    for team in teams:
        reps = Employee.objects.filter(team=team, role=Role.REP).employed_on(today)
        for rep in reps.order_by("employee_no"):
            if rep.pk == team.supervisor_id:
                continue
            care = rng.uniform(0.8, 1.0)  # how well this rep keeps records
            for weeks_ago in (3, 1):
                day = today - dt.timedelta(days=7 * weeks_ago + rng.randint(0, 3))
                at = min(
                    timezone.make_aware(dt.datetime.combine(day, dt.time(16, rng.randint(0, 59)))),
                    now - dt.timedelta(hours=2),
                )
                customers = followup_sample(rep, week_start=day)
                if not customers:
                    continue
                records = customer_records([c.pk for c in customers], until=at)
                marks = [
                    _demo_marks(rng, customer, records[customer.pk].outcomes, day, care)
                    for customer in customers
                ]
                verdict = followup_verdict(
                    [mark for item in marks for mark in item.marks.values()], share
                )
                if verdict.passed is None:
                    continue
                check = followup_check_create(
                    actor="demo",
                    rep=rep,
                    customers=customers,
                    marks=marks,
                    comment=rng.choice(DEMO_COMMENTS[verdict.passed]),
                    submit=True,
                    checker=team.supervisor,
                    at=at,
                )
                checks.append(check)
                ack_at = at + dt.timedelta(hours=rng.randint(2, 40))
                if ack_at < now and rng.random() < 0.8:
                    followup_check_acknowledge(
                        actor="demo",
                        check=check,
                        comment=rng.choice(("", "", "收到，会及时补齐跟进记录。")),
                        at=ack_at,
                    )
                    acknowledged += 1
    if not checks:
        return ""
    failed = sum(1 for check in checks if not check.passed)
    return _(
        "Follow-up record checks: %(checks)s checks of %(reps)s reps (%(failed)s failed, "
        "%(acknowledged)s acknowledged)."
    ) % {
        "checks": len(checks),
        "reps": len({check.rep_id for check in checks}),
        "failed": failed,
        "acknowledged": acknowledged,
    }


def _demo_marks(rng: random.Random, customer, outcomes, day: dt.date, care: float) -> ItemMarks:
    """The record's hints where the data decides, the checker's judgement elsewhere: a
    careful rep's records mostly meet the points."""
    hints = followup_hints(customer, outcomes, day)
    marks: dict[str, str] = {}
    for point in FOLLOWUP_POINTS:
        hint = hints.get(point)
        if hint is not None and (hint == NOT_APPLICABLE or rng.random() < 0.8):
            marks[point] = hint
        else:
            marks[point] = MET if rng.random() < care else NOT_MET
    weak = [point for point, mark in marks.items() if mark == NOT_MET]
    return ItemMarks(customer.pk, marks, DEMO_NOTES[weak[0]] if weak else "")
