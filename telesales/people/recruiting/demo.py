"""Demo recruiting (`telesales demo`): three openings of the demo teams — one filled by a rep
hired a week ago through the hire form (so the training app, when present, gives them their
onboarding plan), one open with candidates at every stage, one on hold — twelve candidates
with their interview rounds and scorecards, all made through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

ACTOR = "demo"
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟强磊军勇杰涛明超刚芳娜敏静丽艳娟霞婷雪琳晶颖倩慧佳欣怡萍浩宇轩然博"
NOTES = (
    "两年电话销售经验，熟悉教育行业客户。",
    "应届毕业生，市场营销专业，沟通意愿强。",
    "曾任保险电销专员一年半，业绩中上。",
    "客服转岗，熟悉呼叫中心系统，普通话标准。",
    "房产中介背景，有陌拜经验，期望底薪较高。",
    "做过两年SaaS售前支持，懂产品。",
)
# Scores of a scorecard by recommendation: the range each criterion is drawn from.
SCORE_RANGE = {"strong_yes": (4, 5), "yes": (3, 5), "no": (2, 3), "strong_no": (1, 2)}


def _at(today: dt.date, offset: int, hour: int, minute: int = 0) -> dt.datetime:
    day = today + dt.timedelta(days=offset)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _workday_back(day: dt.date) -> dt.date:
    try:
        import chinese_calendar

        while not chinese_calendar.is_workday(day):
            day -= dt.timedelta(days=1)
    except (ImportError, NotImplementedError):
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
    return day


class _People:
    """Deterministic candidate names and mobile numbers, never the same twice."""

    def __init__(self, rng: random.Random, taken_names: set[str]) -> None:
        self.rng = rng
        self.names = set(taken_names)
        self.phones: set[str] = set()

    def name(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _i in range(self.rng.choice((1, 2, 2)))
            )
            if name not in self.names:
                self.names.add(name)
                return name

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


@transaction.atomic
def demo_recruiting(context: DemoContext) -> str:
    from telesales.org.models import Employee, Role, Team
    from telesales.people.recruiting import services
    from telesales.people.recruiting.models import Candidate, InterviewRound, Opening
    from telesales.people.recruiting.selectors import next_employee_no

    if Opening.objects.exists():
        return ""
    today = context.today
    teams = {t.code: t for t in Team.objects.filter(code__in=("T1", "T2", "T3"))}
    if len(teams) < 3 or any(t.supervisor_id is None for t in teams.values()):
        return ""
    employed = Employee.objects.employed_on(today - dt.timedelta(days=90)).filter(
        leave_date__isnull=True
    )
    hr = list(employed.filter(role=Role.HR).order_by("employee_no"))
    managers = list(employed.filter(role=Role.MANAGER).order_by("employee_no"))
    if not hr:
        return ""
    recruiter = hr[-1]  # the recruiting specialist when there is one, else the HR head
    senior = managers[0] if managers else teams["T1"].supervisor
    role_player = (
        employed.filter(role=Role.REP, team=teams["T1"], user__username="rep1").first()
        or employed.filter(role=Role.REP, team=teams["T1"]).order_by("employee_no").first()
        or teams["T1"].supervisor
    )
    rng = random.Random(context.seed * 1000 + 76)
    people = _People(rng, set(Employee.objects.values_list("name", flat=True)))

    def candidate(opening, offset, source="job_board"):
        name = people.name()
        return services.candidate_add(
            actor=ACTOR,
            opening=opening,
            name=name,
            phone=people.phone(),
            source=source,
            cv_notes=rng.choice(NOTES),
            at=_at(today, offset, 9, rng.randint(0, 59)),
        )

    def move(person, to_stage, offset, reason="", hour=11):
        return services.candidate_transition(
            actor=ACTOR,
            candidate=person,
            to_stage=to_stage,
            reason=reason,
            at=_at(today, offset, hour, rng.randint(0, 59)),
        )

    def interview(person, kind, interviewer, offset, recommendation=None, hour=14):
        held = services.round_schedule(
            actor=ACTOR,
            candidate=person,
            kind=kind,
            interviewer=interviewer,
            scheduled_at=_at(today, offset, hour, 30),
        )
        if recommendation is not None:
            low, high = SCORE_RANGE[recommendation]
            services.scorecard_submit(
                actor=ACTOR,
                interview=held,
                ratings={c: rng.randint(low, high) for c in _criteria()},
                recommendation=recommendation,
                notes="",
                at=held.scheduled_at + dt.timedelta(hours=1),
            )
        return held

    # A: team T2, one rep, filled a week ago.
    filled = services.opening_create(
        actor=ACTOR,
        team=teams["T2"],
        headcount=1,
        opened_on=today - dt.timedelta(days=70),
        wanted_by=today - dt.timedelta(days=7),
        owner=recruiter,
        notes="补充离职人员空缺。",
    )
    out = candidate(filled, -62)
    move(out, "screening", -58)
    move(out, "interview", -56)
    interview(out, "onsite", teams["T2"].supervisor, -53, "no")
    move(out, "rejected", -52, "角色扮演中无法推进成交，销售意识不足。", hour=17)
    gone = candidate(filled, -59, "agency")
    move(gone, "screening", -57, hour=15)
    move(gone, "withdrawn", -55, "已接受其他公司的录用。")
    early = candidate(filled, -50)
    move(early, "rejected", -49, "期望薪资远高于岗位范围。")
    hire = candidate(filled, -60, "referral")
    move(hire, "screening", -57)
    interview(hire, "phone_screen", recruiter, -56, "yes", hour=10)
    move(hire, "interview", -55)
    interview(hire, "onsite", teams["T2"].supervisor, -52, "strong_yes")
    interview(hire, "role_play", teams["T2"].supervisor, -50, "yes")
    interview(hire, "final", senior, -47, "strong_yes")
    start = _workday_back(today - dt.timedelta(days=7))
    services.candidate_offer(
        actor=ACTOR,
        candidate=hire,
        start_date=start,
        note="底薪4500元＋提成，试用期3个月",
        at=_at(today, -45, 16),
    )
    services.candidate_decide(actor=ACTOR, candidate=hire, accepted=True, at=_at(today, -43, 10))
    employee_no = next_employee_no("E")
    from telesales.org.demo import EMAIL_DOMAIN

    employee = services.candidate_hire(
        actor=ACTOR,
        candidate=hire,
        employee_no=employee_no,
        hire_date=start,
        email=f"{employee_no.lower()}@{EMAIL_DOMAIN}",
        pay_grade="P1",
        at=timezone.make_aware(dt.datetime.combine(start, dt.time(9, 0))),
    )
    # B: team T1, two reps, open, with candidates at every stage.
    growing = services.opening_create(
        actor=ACTOR,
        team=teams["T1"],
        headcount=2,
        opened_on=today - dt.timedelta(days=30),
        wanted_by=today + dt.timedelta(days=30),
        owner=recruiter,
        notes="业务扩张，新增两名电销专员。",
    )
    candidate(growing, -3)
    candidate(growing, -1, "referral")
    screened = candidate(growing, -10, "campus")
    move(screened, "screening", -8)
    interview(screened, "phone_screen", recruiter, 1, hour=10)
    second = candidate(growing, -20)
    move(second, "screening", -18)
    interview(second, "phone_screen", recruiter, -17, "yes", hour=10)
    move(second, "interview", -15)
    interview(second, "onsite", teams["T1"].supervisor, -12, "yes")
    interview(second, "role_play", role_player, 2, hour=15)
    third = candidate(growing, -16, "job_board")
    move(third, "screening", -15)
    interview(third, "phone_screen", recruiter, -14, "yes", hour=10)
    move(third, "interview", -13)
    interview(third, "onsite", teams["T1"].supervisor, -2)
    offered = candidate(growing, -25, "referral")
    move(offered, "screening", -24)
    interview(offered, "phone_screen", recruiter, -23, "strong_yes", hour=10)
    move(offered, "interview", -22)
    interview(offered, "onsite", teams["T1"].supervisor, -20, "yes")
    interview(offered, "role_play", role_player, -19, "strong_yes")
    interview(offered, "final", senior, -17, "yes")
    services.candidate_offer(
        actor=ACTOR,
        candidate=offered,
        start_date=today + dt.timedelta(days=7),
        note="底薪4500元＋提成，试用期3个月",
        at=_at(today, -14, 16),
    )

    # C: team T3, on hold.
    held = services.opening_create(
        actor=ACTOR,
        team=teams["T3"],
        headcount=1,
        opened_on=today - dt.timedelta(days=45),
        owner=recruiter,
    )
    waiting = candidate(held, -40, "job_board")
    move(waiting, "screening", -38)
    interview(waiting, "phone_screen", recruiter, -37, "yes", hour=10)
    weak = candidate(held, -42, "other")
    move(weak, "screening", -41)
    interview(weak, "phone_screen", recruiter, -40, "strong_no", hour=15)
    move(weak, "rejected", -39, "抗压能力不足，对外呼量有顾虑。")
    services.opening_transition(
        actor=ACTOR, opening=held, to_status="on_hold", reason="团队预算调整，暂缓招聘。"
    )

    filled.refresh_from_db()
    return _(
        "Recruiting: %(openings)s openings (%(filled)s filled), %(candidates)s candidates, "
        "%(rounds)s interview rounds; %(name)s was hired as %(number)s."
    ) % {
        "openings": Opening.objects.count(),
        "filled": Opening.objects.filter(status=Opening.Status.FILLED).count(),
        "candidates": Candidate.objects.count(),
        "rounds": InterviewRound.objects.count(),
        "name": employee.name,
        "number": employee.employee_no,
    }


def _criteria() -> list[str]:
    from telesales.people.recruiting.models import Criterion

    return list(Criterion.values)
