"""The demo's appraisal (`telesales demo`, PRODUCT.md §8 "a finished quarter's appraisal"): the
last finished quarter run to the end for every rep and supervisor — targets confirmed by both
sides, 360 ratings (superiors, peers, other departments), one calibration adjustment,
publication, result interviews acknowledged, one appeal upheld by HR, improvement actions —
and the current quarter's rep cycle open and in progress."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import (
    Adjustment,
    Appeal,
    AppealOutcome,
    Appraisal,
    AppraisalStatus,
    ImprovementAction,
    Interview,
    Rating,
    RatingRequest,
)
from telesales.appraisal.publication import result_live, snapshot_current, snapshot_take
from telesales.appraisal.schemes import RATED_KPIS, scheme_load
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.demo import DemoContext
from telesales.core.periods import period_of
from telesales.org.models import Employee, Role

Status = AppraisalStatus

INTERVIEW_NOTES = (
    "回顾了本季度业绩和通话数据，肯定了客户跟进的及时性；下季度重点提升重点产品成交。",
    "达成率略低于目标，主要是新客户转化不足；约定每周复盘两次录音。",
    "团队稳定，培训完成率高；需加强数据报告的分析深度。",
)
ACTIONS = (
    "每周抽听本人两通录音并写出改进点",
    "参加异议处理专项培训",
    "每天下班前补齐当天通话结果记录",
)
APPEAL_REASON = "八月有两周在支援新人带教，通话量目标未相应调整，请复核通话活动类得分。"
APPEAL_DECISION = "核对排班与目标记录：带教期间的目标已按七成下调，得分计算无误，维持原结果。"
ADJUSTMENT_REASON = "校准会：该员工承接了离职同事的全部存量客户，业绩基数偏高，经讨论上调一级。"


def _previous_quarter(today: dt.date) -> str:
    current = period_of(today, "quarter")
    return period_of(current.start - dt.timedelta(days=1), "quarter").code


def _score(rng: random.Random, mean: float) -> Decimal:
    value = min(5.0, max(1.0, rng.gauss(mean, 0.6)))
    return Decimal(str(round(value * 2) / 2))  # half points, as raters give them


def _rate(rng, appraisal, scheme, people, hr_user) -> int:
    """Ratings of every rated KPI of the scheme by the groups its lines count."""
    employee = appraisal.employee
    quality = 3.2 + rng.random() * 1.4  # how this person comes across to raters
    staff = people["staff"]
    if employee.role == Role.SUPERVISOR:
        peers = [p for p in people["supervisors"] if p.pk != employee.pk]
    else:
        peers = [p for p in people["reps"] if p.team_id == employee.team_id and p.pk != employee.pk]
    raters = {"superior": [appraisal.rater] if appraisal.rater else []}
    raters["peer"] = peers[:4]
    raters["department"] = staff[:3]
    raters["subordinate"] = [
        p for p in people["reps"] if p.team_id and p.team.supervisor_id == employee.pk
    ][:4]
    raters["self"] = [employee]
    rows, requests = [], {}
    at = timezone.now()
    for category in scheme.categories:
        for line in category.kpis:
            if line.kpi not in RATED_KPIS:
                continue
            groups = line.rater_groups or {"superior": 1}
            for group in groups:
                for rater in raters.get(group, []):
                    requests[(rater.pk, group)] = rater
                    for dimension in line.dimensions or ("",):
                        rows.append(
                            Rating(
                                appraisal=appraisal,
                                rater=rater,
                                group=group,
                                kpi=line.kpi,
                                dimension=dimension,
                                score=_score(rng, quality),
                                comment=""
                                if dimension
                                else rng.choice(
                                    ("", "", "沟通主动，配合度高。", "执行到位，偶有拖延。")
                                ),
                                source="inbox",
                                at=at,
                            )
                        )
    Rating.objects.bulk_create(rows)
    RatingRequest.objects.bulk_create(
        RatingRequest(
            appraisal=appraisal,
            rater=rater,
            group=group,
            requested_by=hr_user,
            submitted_at=at,
        )
        for (rater_id, group), rater in requests.items()
    )
    return len(rows)


@transaction.atomic
def demo_appraisal(ctx: DemoContext) -> str:
    rng = random.Random(ctx.seed + 7)
    hr = Employee.objects.filter(role=Role.HR, user__isnull=False).select_related("user").first()
    if hr is None:
        return "no HR login: skipped"
    hr_user = hr.user
    people = {
        "reps": list(
            Employee.objects.filter(role=Role.REP, leave_date__isnull=True).select_related("team")
        ),
        "supervisors": list(Employee.objects.filter(role=Role.SUPERVISOR)),
        "staff": list(Employee.objects.filter(role=Role.STAFF)),
    }
    quarter = _previous_quarter(ctx.today)
    start = timezone.now()
    appraisals: list[Appraisal] = []
    ratings = 0
    for code in ("rep-default", "supervisor-default"):
        cycle, _created = appraisal_open(actor=hr_user, scheme_code=code, period_code=quarter)
        scheme = scheme_load(code)
        for appraisal in cycle.appraisals.select_related(
            "employee__team", "rater__user", "employee__user"
        ):
            Appraisal.objects.filter(pk=appraisal.pk).update(
                appraisee_agreed_at=start, rater_agreed_at=start
            )
            appraisal.refresh_from_db()
            runner = appraisal.rater.user if appraisal.rater and appraisal.rater.user else hr_user
            for status in (Status.AGREED, Status.IN_PROGRESS, Status.RATING):
                appraisal = appraisal_transition(
                    actor=runner, appraisal=appraisal, to_status=status
                )
            ratings += _rate(rng, appraisal, scheme, people, hr_user)
            appraisals.append(appraisal)
    # calibration: one rep moved up a grade, with the reason
    reps = [a for a in appraisals if a.employee.role == Role.REP]
    adjusted = reps[len(reps) // 2] if reps else None
    if adjusted is not None:
        appraisal_transition(actor=hr_user, appraisal=adjusted, to_status=Status.CALIBRATION)
        live = result_live(adjusted)
        grades = ["S", "A", "B", "C", "D"]
        up = grades[max(0, grades.index(live["grade"]) - 1)]
        Adjustment.objects.create(
            appraisal=adjusted,
            from_total=Decimal(str(live["total"])),
            from_grade=live["grade"],
            to_grade=up,
            reason=ADJUSTMENT_REASON,
            actor=hr_user,
        )
    published = []
    for appraisal in appraisals:
        appraisal.refresh_from_db()
        published.append(
            appraisal_transition(actor=hr_user, appraisal=appraisal, to_status=Status.PUBLISHED)
        )
    # result interviews, acknowledged; the lowest total appeals, HR upholds
    end = period_of(ctx.today, "quarter").start
    with_login = [a for a in published if a.employee.user_id and a.employee.role == Role.REP]
    appellant = min(with_login, key=lambda a: a.employee.employee_no) if with_login else None
    interviews = appeals = actions = 0
    for index, appraisal in enumerate(published):
        rater_user = appraisal.rater.user if appraisal.rater and appraisal.rater.user else hr_user
        appraisee_user = appraisal.employee.user
        if index % 11 == 5 and appraisal != appellant:
            continue  # a few interviews still to be held
        Interview.objects.create(
            appraisal=appraisal,
            held_on=end + dt.timedelta(days=5 + index % 10),
            notes=INTERVIEW_NOTES[index % len(INTERVIEW_NOTES)],
            recorded_by=rater_user,
            acknowledged_at=timezone.now() if appraisee_user else None,
        )
        interviews += 1
        if appraisee_user is None:
            continue  # held, but the appraisee has no login to acknowledge it with
        appraisal = appraisal_transition(
            actor=appraisee_user, appraisal=appraisal, to_status=Status.INTERVIEWED
        )
        if appraisal == appellant:
            before = snapshot_current(appraisal)
            appraisal = appraisal_transition(
                actor=appraisee_user,
                appraisal=appraisal,
                to_status=Status.APPEALED,
                reason=APPEAL_REASON,
            )
            after = snapshot_take(
                actor=hr_user,
                appraisal=appraisal,
                kind="appeal_upheld",
                reason=APPEAL_DECISION,
                data=dict(before.data),
            )
            Appeal.objects.create(
                appraisal=appraisal,
                reason=APPEAL_REASON,
                filed_by=appraisee_user,
                outcome=AppealOutcome.UPHELD,
                decision_reason=APPEAL_DECISION,
                decided_by=hr_user,
                decided_at=timezone.now(),
                snapshot_before=before,
                snapshot_after=after,
            )
            appraisal_transition(
                actor=hr_user, appraisal=appraisal, to_status=Status.CLOSED, reason=APPEAL_DECISION
            )
            appeals += 1
            continue
        if index % 3 == 0:
            ImprovementAction.objects.create(
                appraisal=appraisal,
                text=ACTIONS[index % len(ACTIONS)],
                owner=appraisal.employee,
                due_on=end + dt.timedelta(days=45),
                created_by=rater_user,
            )
            actions += 1
            appraisal_transition(actor=rater_user, appraisal=appraisal, to_status=Status.CLOSED)
    # the current quarter: the rep cycle open, most targets confirmed and in progress
    current = period_of(ctx.today, "quarter").code
    cycle, opened = appraisal_open(actor=hr_user, scheme_code="rep-default", period_code=current)
    in_progress = 0
    for index, appraisal in enumerate(cycle.appraisals.select_related("rater__user")):
        if index % 7 == 3:
            Appraisal.objects.filter(pk=appraisal.pk).update(rater_agreed_at=timezone.now())
            continue  # the rep has not confirmed yet
        Appraisal.objects.filter(pk=appraisal.pk).update(
            appraisee_agreed_at=timezone.now(), rater_agreed_at=timezone.now()
        )
        appraisal.refresh_from_db()
        runner = appraisal.rater.user if appraisal.rater and appraisal.rater.user else hr_user
        for status in (Status.AGREED, Status.IN_PROGRESS):
            appraisal = appraisal_transition(actor=runner, appraisal=appraisal, to_status=status)
        in_progress += 1
    return _(
        "Appraisal: %(quarter)s finished for %(published)s people (%(ratings)s ratings, "
        "%(adjusted)s calibration adjustment, %(interviews)s result interviews, %(appeals)s "
        "appeal upheld, %(actions)s improvement actions); %(current)s opened for %(opened)s "
        "reps, %(in_progress)s of them in progress."
    ) % {
        "quarter": quarter,
        "published": len(published),
        "ratings": ratings,
        "adjusted": 1 if adjusted is not None else 0,
        "interviews": interviews,
        "appeals": appeals,
        "actions": actions,
        "current": current,
        "opened": opened,
        "in_progress": in_progress,
    }
