"""Demo call monitoring and coaching (`telesales demo`): the review queue of the last eight
weeks for every team, most sampled calls and some rule picks reviewed by the team's
supervisor (a few failed, one or two instant fails), two calibration pairs scored by the
manager, acknowledgements by some reps, and coaching sessions (one of them a joint call with
a key customer) with actions, some done, some overdue."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

ACTOR = "demo"
WEEKS = 8
COMMENTS_GOOD = (
    "开场规范，需求挖掘比较充分，继续保持。",
    "产品介绍清晰，能结合客户场景，约定了下次沟通时间。",
    "语气亲切，异议处理得当。",
)
COMMENTS_WEAK = (
    "需求挖掘不够，过早介绍产品，建议多用开放式问题。",
    "客户提出价格异议时没有回应价值，直接结束了通话。",
    "没有约定下一步，通话结束比较仓促。",
)
COMMENT_INSTANT = "通话中承诺了公司政策以外的折扣，属于违规承诺，请立即纠正。"
SESSION_NOTES = {
    "one_to_one": "一起复盘了本周质检中失分的通话，重点讨论需求挖掘和异议处理的话术。",
    "side_by_side": "旁听了三通外呼，开场白和产品介绍较好，促成环节偏弱。",
    "joint_call": "与专员一起拜访重点客户电话，了解客户续约顾虑，约定下周提供方案。",
}
ACTIONS = (
    "每天练习两遍异议处理话术并录音自查",
    "整理本周意向客户清单并逐一约定回访时间",
    "学习新版产品价格政策并通过小测验",
    "旁听组内优秀通话录音两通并写下要点",
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def demo_qa(context: DemoContext) -> str:
    from telesales.calls.models import Call
    from telesales.org.models import Team
    from telesales.qa.models import QueueItem, Review, Scorecard
    from telesales.qa.services import qa_queue_build, scorecard_latest, week_start_of

    if Review.objects.exists() or not Call.objects.exists():
        return ""
    scorecard = Scorecard.objects.filter(code="default").first()
    teams = list(Team.objects.filter(supervisor__isnull=False).select_related("supervisor"))
    if scorecard is None or not teams:
        return ""
    rng = random.Random(context.seed * 1000 + 70)
    version = scorecard_latest(scorecard)
    checkpoints = list(version.checkpoints.order_by("instant_fail", "order", "id"))
    this_week = week_start_of(context.today)
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(WEEKS, 0, -1)]
    for week in weeks:
        qa_queue_build(actor=ACTOR, week_start=week, teams=teams)

    supervisors = {team.pk: team.supervisor for team in teams}
    skill: dict[int, float] = {}
    items = (
        QueueItem.objects.filter(week_start__in=weeks)
        .select_related("call", "rep")
        .order_by("week_start", "rep__employee_no", "call__started_at", "id")
    )
    reviews: list[Review] = []
    instant_left = 2
    done_weeks: set[tuple] = set()
    now = timezone.now()
    for item in items:
        rep = item.rep
        reviewer = supervisors.get(rep.team_id)
        if reviewer is None or reviewer.pk == rep.pk:
            continue
        # the first sampled call of most reps' weeks, and a few of the rule picks
        week_key = (rep.pk, item.week_start)
        if item.sampled and week_key in done_weeks:
            continue
        if item.sampled:
            done_weeks.add(week_key)
        if rng.random() > (0.75 if item.sampled else 0.05):
            continue
        level = skill.setdefault(rep.pk, rng.uniform(0.76, 0.97))
        instant = instant_left > 0 and len(reviews) in (20, 90)
        instant_left -= int(instant)
        marks = _marks(rng, checkpoints, level, instant)
        weak = level < 0.8 or instant
        comment = (
            COMMENT_INSTANT if instant else rng.choice(COMMENTS_WEAK if weak else COMMENTS_GOOD)
        )
        reviewed_at = min(
            item.call.started_at + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5)),
            now - dt.timedelta(hours=1),
        )
        reviews.append(_review(item.call, version, marks, comment, reviewer, reviewed_at))

    calibrations = _calibrations(reviews, checkpoints, now)
    acknowledged = _acknowledge(rng, reviews, context.today)
    sessions, actions = _coaching(rng, reviews, teams, context.today)
    failed = sum(1 for r in reviews if not r.passed)
    instant = sum(1 for r in reviews if r.instant_failed)
    return _(
        "QA: review queues of %(weeks)s weeks, %(reviews)s reviews (%(failed)s failed, "
        "%(instant)s instant fails, %(acknowledged)s acknowledged), %(calibrations)s "
        "calibration pairs, %(sessions)s coaching sessions with %(actions)s actions."
    ) % {
        "weeks": len(weeks),
        "reviews": len(reviews),
        "failed": failed,
        "instant": instant,
        "acknowledged": acknowledged,
        "calibrations": calibrations,
        "sessions": sessions,
        "actions": actions,
    }


def _marks(rng: random.Random, checkpoints, level: float, instant: bool):
    from telesales.qa.services import Mark

    marks = []
    for checkpoint in checkpoints:
        if checkpoint.instant_fail:
            triggered = instant and checkpoint.order == min(
                c.order for c in checkpoints if c.instant_fail
            )
            marks.append(Mark(checkpoint.pk, triggered=triggered))
            continue
        share = min(1.0, max(0.0, rng.gauss(level, 0.07)))
        marks.append(Mark(checkpoint.pk, awarded=round(checkpoint.points * share)))
    return marks


def _review(call, version, marks, comment, reviewer, at):
    from telesales.qa.services import review_save

    return review_save(
        actor=ACTOR,
        call=call,
        version=version,
        marks=marks,
        comment=comment,
        submit=True,
        reviewer=reviewer,
        at=at,
    )


def _calibrations(reviews, checkpoints, now) -> int:
    """The manager scores two reviewed calls again, a little differently."""
    from telesales.org.models import Employee, Role
    from telesales.qa.services import Mark, review_save

    manager = Employee.objects.filter(role=Role.MANAGER, leave_date__isnull=True).first()
    if manager is None or len(reviews) < 10:
        return 0
    made = 0
    # The manager is a little stricter on some checkpoints and agrees on the others.
    deltas = ((0, -4, 0, -3, 0, 1), (-1, 0, -5, 0, 0, 0))
    for review, delta in zip(
        (reviews[len(reviews) // 3], reviews[2 * len(reviews) // 3]), deltas, strict=True
    ):
        if review.call.employee_id == manager.pk:
            continue
        given = {i.checkpoint_id: i for i in review.items.all()}
        marks = []
        scored = iter(delta)
        for checkpoint in checkpoints:
            item = given[checkpoint.pk]
            if checkpoint.instant_fail:
                marks.append(Mark(checkpoint.pk, triggered=item.triggered))
                continue
            awarded = min(checkpoint.points, max(0, item.awarded + next(scored, 0)))
            marks.append(Mark(checkpoint.pk, awarded=awarded))
        review_save(
            actor=ACTOR,
            call=review.call,
            version=review.version,
            marks=marks,
            comment="校准：整体判断一致，个别项目评分尺度略有差异。",
            submit=True,
            calibrates=review,
            reviewer=manager,
            at=min(review.reviewed_at + dt.timedelta(days=1), now - dt.timedelta(minutes=30)),
        )
        made += 1
    return made


def _acknowledge(rng: random.Random, reviews, today: dt.date) -> int:
    from telesales.qa.services import review_acknowledge

    made = 0
    for review in reviews:
        rep = review.call.employee
        if rep.leave_date is not None and rep.leave_date <= today:
            continue
        if (today - timezone.localtime(review.reviewed_at).date()).days < 3:
            continue
        if rng.random() < 0.5:
            review_acknowledge(
                actor=ACTOR,
                review=review,
                comment=rng.choice(("", "", "收到，会注意改进。", "明白了，谢谢主管。")),
                at=review.reviewed_at + dt.timedelta(hours=rng.randint(2, 30)),
            )
            made += 1
    return made


def _coaching(rng: random.Random, reviews, teams, today: dt.date) -> tuple[int, int]:
    """Per team: a one-to-one on a failed review and a side-by-side session; in the first
    team also a joint call with a key customer. Actions: some done, some overdue."""
    from telesales.crm.models import Customer
    from telesales.qa.models import CoachingSession
    from telesales.qa.services import (
        coaching_action_add,
        coaching_action_transition,
        coaching_session_record,
    )

    sessions = actions = 0
    kinds = CoachingSession.Kind
    for position, team in enumerate(sorted(teams, key=lambda t: t.code)):
        supervisor = team.supervisor
        own = [
            r
            for r in reviews
            if r.call.employee.team_id == team.pk
            and r.call.employee.leave_date is None
            and r.reviewer_id == supervisor.pk
        ]
        if not own:
            continue
        failed = [r for r in own if not r.passed] or own
        plans = [(kinds.ONE_TO_ONE, failed[0]), (kinds.SIDE_BY_SIDE, own[len(own) // 2])]
        if position == 0:
            plans.append((kinds.JOINT_CALL, own[-1]))
        for kind, review in plans:
            rep = review.call.employee
            held_on = min(
                timezone.localtime(review.reviewed_at).date() + dt.timedelta(days=1),
                today,
            )
            customer = None
            if kind == kinds.JOINT_CALL:
                customer = (
                    Customer.objects.filter(owner=rep, merged_into__isnull=True)
                    .order_by("tier", "-updated_at", "pk")
                    .first()
                )
                if customer is None:
                    continue
            session = coaching_session_record(
                actor=ACTOR,
                kind=kind,
                rep=rep,
                held_on=held_on,
                notes=SESSION_NOTES[kind],
                customer=customer,
                reviews=[review] if kind != kinds.JOINT_CALL else [],
                coach=supervisor,
            )
            sessions += 1
            for offset in (7, 14):
                action = coaching_action_add(
                    actor=ACTOR,
                    session=session,
                    description=rng.choice(ACTIONS),
                    owner=rep if offset == 7 else supervisor,
                    due_on=held_on + dt.timedelta(days=offset),
                )
                actions += 1
                due_passed = action.due_on < today
                if due_passed and rng.random() < 0.6:
                    coaching_action_transition(
                        actor=ACTOR,
                        action=action,
                        to_status="done",
                        note="已完成",
                        at=_at(action.due_on, 17, 30),
                    )
    return sessions, actions
