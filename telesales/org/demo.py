"""The demo company of `telesales demo` (PRODUCT.md §8): 星辰科技, its people and a year of history.

The build is planned first as plain data (`demo_plan`, deterministic for a seed and a date),
then carried out through the organisation and sales services, in date order, as HR would
have recorded it: hires, extensions, transfers, promotions and leavers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.org.models import Department, Employee, EmployeeEvent, Role, Team
from telesales.org.services import (
    company_default,
    department_ensure,
    employee_hire,
    employee_leave,
    employee_login_create,
    employee_promote,
    employee_transfer,
    employee_update,
    extension_assign,
    team_ensure,
    team_set_supervisor,
)
from telesales.sales.models import Product
from telesales.sales.services import product_upsert

DEMO_PASSWORD = "demo1234"
DEMO_SEED = 2026
COMPANY_NAME = "星辰科技"
EMAIL_DOMAIN = "xingchen.example"
FIRST_EXTENSION = 8001

DEPARTMENTS = (
    ("sales", "销售部", Department.Kind.SALES),
    ("marketing", "市场部", Department.Kind.MARKETING),
    ("product", "产品部", Department.Kind.PRODUCT),
    ("customer_service", "客服部", Department.Kind.CUSTOMER_SERVICE),
    ("hr", "人力资源部", Department.Kind.HR),
    ("it", "信息技术部", Department.Kind.IT),
)
TEAMS = (("T1", "电销一组"), ("T2", "电销二组"), ("T3", "电销三组"))

# code, name, key product, unit price
PRODUCTS = (
    ("P001", "星辰CRM 标准版（年费）", False, Decimal("4800.00")),
    ("P002", "星辰CRM 专业版（年费）", True, Decimal("12800.00")),
    ("P003", "星辰云呼叫中心（坐席/年）", True, Decimal("3600.00")),
    ("P004", "智能外呼机器人（年费）", True, Decimal("9800.00")),
    ("P005", "企业云盘（100人/年）", False, Decimal("1980.00")),
    ("P006", "经营数据分析套件", False, Decimal("6800.00")),
    ("P007", "短信营销包（10万条）", False, Decimal("3500.00")),
    ("P008", "实施服务（人天）", False, Decimal("1500.00")),
    ("P009", "销售技能培训包", False, Decimal("2800.00")),
    ("P010", "IP 话机", False, Decimal("680.00")),
)

# The usernames of the demo, in the order the logins table lists them.
DEMO_USERNAMES = ("admin", "hr", "manager", "sup1", "sup2", "sup3", "rep1", "staff")

# Common surnames, the most frequent first and listed more than once to weigh them.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
)
GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建志文博毅晨昊然哲"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕婷雪琳晶颖倩慧佳欣怡萍红梅琴璐瑶楠蕾丹月莉菲悦妍馨"

REASONS_VOLUNTARY = ("个人发展", "家庭原因", "薪资待遇", "回老家发展", "继续深造")
REASONS_INVOLUNTARY = ("业绩未达标", "违反公司制度")
REASON_PROBATION = "试用期未通过"

REP_POSITION = "电销专员"
SENIOR_POSITION = "高级电销专员"


class DemoError(Exception):
    """The demo cannot be built in this database."""


@dataclass
class DemoPerson:
    """One employee of the plan, with the dated facts of their history."""

    no: str
    name: str
    role: str
    hire: dt.date
    department: str
    team: str | None = None  # the team they were hired into
    manager: str | None = None  # employee_no
    position: str = ""
    pay_grade: str = ""
    base_bonus: Decimal | None = None
    username: str = ""
    final_team: str | None = None  # the team they are in at the end of the plan
    transfer_on: dt.date | None = None
    promote_on: dt.date | None = None
    leave_on: dt.date | None = None
    voluntary: bool | None = None
    reason: str = ""

    @property
    def email(self) -> str:
        return f"{self.no.lower()}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str  # "" when it is no longer the demo password
    role: str
    name: str
    team: str  # team code, "" for people outside the sales teams
    employee_no: str


@dataclass(frozen=True)
class DemoSummary:
    company: str
    today: dt.date
    seed: int
    employees: int
    reps_on_today: dict[str, int]  # team code → reps employed on `today`
    leavers: int
    transfers: int
    promotions: int
    products: int
    logins: tuple[DemoLogin, ...] = field(default=())


# --- planning: plain data, no database ------------------------------------------------------


def _is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # outside the calendar's years: Monday to Friday
        return day.weekday() < 5


def _workday(day: dt.date) -> dt.date:
    """The working day on or before `day` (hires and leaves happen on working days)."""
    while not _is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _ago(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return _workday(today - dt.timedelta(days=rng.randint(low, high)))


class _Names:
    """Realistic Chinese names, never the same twice in the company."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            given = GIVEN_MALE if self.rng.random() < 0.5 else GIVEN_FEMALE
            length = 2 if self.rng.random() < 0.7 else 1
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(given) for _i in range(length)
            )
            if name not in self.used:
                self.used.add(name)
                return name


def demo_plan(*, today: dt.date, seed: int = DEMO_SEED) -> list[DemoPerson]:
    """Everyone of the demo company and their history up to `today`, from `seed` alone."""
    rng = random.Random(seed)
    name = _Names(rng)
    days = dt.timedelta
    people: list[DemoPerson] = []

    manager = DemoPerson(
        no="M001",
        name=name(),
        role=Role.MANAGER,
        hire=_ago(today, rng, 1300, 1400),
        department="sales",
        position="销售经理",
        pay_grade="M3",
        base_bonus=Decimal("15000.00"),
        username="manager",
    )
    people.append(manager)
    supervisors = {}
    for index, (code, _team_name) in enumerate(TEAMS, start=1):
        supervisors[code] = DemoPerson(
            no=f"S{index:03d}",
            name=name(),
            role=Role.SUPERVISOR,
            hire=_ago(today, rng, 1050, 1250),
            department="sales",
            team=code,
            final_team=code,
            manager=manager.no,
            position="电销主管",
            pay_grade="M1",
            base_bonus=Decimal("8000.00"),
            username=f"sup{index}",
        )
    people.extend(supervisors.values())

    # Reps: who is still there today (9–11 a team, of whom 3–5 joined in the last year),
    # then the leavers of the last year.
    reps: list[DemoPerson] = []

    def rep(team: str, hire: dt.date) -> DemoPerson:
        person = DemoPerson(
            no="",
            name=name(),
            role=Role.REP,
            hire=hire,
            department="sales",
            team=team,
            final_team=team,
            position=REP_POSITION,
            pay_grade="P2" if hire <= today - days(365) else "P1",
            base_bonus=Decimal("3000.00"),
        )
        reps.append(person)
        return person

    for code, _team_name in TEAMS:
        current = rng.randint(9, 11)
        recent = rng.randint(3, 5)
        for _i in range(current - recent):
            rep(code, _ago(today, rng, 400, 1000))
        for _i in range(recent):
            rep(code, _ago(today, rng, 10, 330))
    current_reps = list(reps)

    team_codes = [code for code, _team_name in TEAMS]
    offset = rng.randrange(len(team_codes))
    for index in range(rng.randint(6, 10)):
        team = team_codes[(offset + index) % len(team_codes)]
        story = rng.choice(("probation", "veteran", "veteran", "first_year"))
        if story == "probation":
            person = rep(team, _ago(today, rng, 90, 350))
            person.leave_on = _workday(person.hire + days(rng.randint(20, 80)))
            person.voluntary = rng.random() < 0.3
            person.reason = "个人发展" if person.voluntary else REASON_PROBATION
        else:
            if story == "veteran":
                person = rep(team, _ago(today, rng, 400, 1000))
                person.leave_on = _ago(today, rng, 7, 350)
            else:
                person = rep(team, _ago(today, rng, 200, 350))
                person.leave_on = _workday(
                    person.hire + days(rng.randint(100, (today - person.hire).days - 7))
                )
            person.voluntary = rng.random() < 0.7
            person.reason = rng.choice(
                REASONS_VOLUNTARY if person.voluntary else REASONS_INVOLUNTARY
            )

    # Employee numbers follow the order of hiring.
    for number, person in enumerate(sorted(reps, key=lambda p: p.hire), start=1):
        person.no = f"E{number:03d}"

    # Transfers: a rep who is in a team today came from another one.
    movable = [p for p in current_reps if p.hire <= today - days(60)]
    for person in rng.sample(movable, rng.randint(2, 3)):
        person.team = rng.choice([c for c in team_codes if c != person.final_team])
        start = max(person.hire + days(30), today - days(330))
        person.transfer_on = _workday(start + days(rng.randint(0, (today - start).days - 14)))

    # Promotions: two reps of more than a year's service become senior reps.
    seniors = [p for p in current_reps if p.hire <= today - days(400) and not p.transfer_on]
    for person in rng.sample(seniors, 2):
        start = max(person.hire + days(365), today - days(330))
        person.promote_on = _workday(start + days(rng.randint(0, (today - start).days - 20)))

    for person in reps:
        person.manager = supervisors[person.team].no
    first_of_t1 = min(
        (p for p in current_reps if p.final_team == TEAMS[0][0] and not p.transfer_on),
        key=lambda p: p.no,
    )
    first_of_t1.username = "rep1"
    people.extend(sorted(reps, key=lambda p: p.no))

    # The other departments: a head and their staff.
    def other(no, department, position, role=Role.STAFF, head=None, username=""):
        person = DemoPerson(
            no=no,
            name=name(),
            role=role,
            hire=_ago(today, rng, 1100, 1400) if head is None else _ago(today, rng, 60, 1000),
            department=department,
            manager=head.no if head else None,
            position=position,
            pay_grade="M2" if head is None else "P2",
            username=username,
        )
        people.append(person)
        return person

    hr_head = other("H001", "hr", "人力资源经理", Role.HR, username="hr")
    other("H002", "hr", "招聘专员", Role.HR, head=hr_head)
    marketing = other("K001", "marketing", "市场经理")
    other("K002", "marketing", "市场专员", head=marketing)
    product = other("D001", "product", "产品经理")
    other("D002", "product", "产品运营", head=product)
    service = other("C001", "customer_service", "客服主管", username="staff")
    other("C002", "customer_service", "客服专员", head=service)
    other("C003", "customer_service", "客服专员", head=service)
    other("A001", "it", "系统管理员", Role.ADMIN, username="admin")
    return people


# --- building: through the services, in date order -----------------------------------------

_LEAVE, _TRANSFER, _PROMOTE, _HIRE = range(4)  # same-day order: a freed extension is reused


@transaction.atomic
def demo_build(*, today: dt.date, seed: int = DEMO_SEED) -> DemoSummary:
    """Build the demo company as of `today`; refused when the database already has people."""
    if Employee.objects.exists():
        raise DemoError(_("The database already has employees; the demo was not built."))
    taken = sorted(
        get_user_model()
        .objects.filter(username__in=DEMO_USERNAMES)
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoError(
            _("The demo logins %(usernames)s are taken; the demo was not built.")
            % {"usernames": ", ".join(taken)}
        )
    people = demo_plan(today=today, seed=seed)

    company = company_default()
    company.name = COMPANY_NAME
    company.save(update_fields=["name", "updated_at"])
    departments = {
        code: department_ensure(actor=None, company=company, code=code, name=name, kind=kind)
        for code, name, kind in DEPARTMENTS
    }
    teams = {
        code: team_ensure(actor=None, code=code, department=departments["sales"], name=name)
        for code, name in TEAMS
    }

    events = []
    for index, person in enumerate(people):
        events.append((person.hire, _HIRE, index, person))
        if person.transfer_on:
            events.append((person.transfer_on, _TRANSFER, index, person))
        if person.promote_on:
            events.append((person.promote_on, _PROMOTE, index, person))
        if person.leave_on:
            events.append((person.leave_on, _LEAVE, index, person))
    events.sort(key=lambda event: event[:3])

    supervisor_of = {p.team: p.no for p in people if p.role == Role.SUPERVISOR}
    employees: dict[str, Employee] = {}
    free_extensions: list[str] = []  # numbers given back by leavers, reused first
    extension_of: dict[str, str] = {}
    next_extension = FIRST_EXTENSION
    for day, kind, _index, person in events:
        if kind == _HIRE:
            employee = employee_hire(
                actor=None,
                company=company,
                employee_no=person.no,
                name=person.name,
                hire_date=day,
                role=person.role,
                team=teams[person.team] if person.team else None,
                department=departments[person.department],
                manager=employees[person.manager] if person.manager else None,
                position=person.position,
                pay_grade=person.pay_grade,
                base_bonus=person.base_bonus,
                email=person.email,
            )
            if person.role == Role.SUPERVISOR:
                team_set_supervisor(actor=None, team=teams[person.team], supervisor=employee)
            if person.role == Role.REP:
                if free_extensions:
                    number = free_extensions.pop(0)
                else:
                    number, next_extension = str(next_extension), next_extension + 1
                extension_assign(actor=None, employee=employee, number=number, valid_from=day)
                extension_of[person.no] = number
        elif kind == _TRANSFER:
            employee = employee_transfer(
                actor=None,
                employee=employees[person.no],
                team=teams[person.final_team],
                date=day,
            )
            # The new team's supervisor becomes the rep's manager.
            employee = employee_update(
                actor=None,
                employee=employee,
                effective=day,
                manager=employees[supervisor_of[person.final_team]],
            )
        elif kind == _PROMOTE:
            employee = employee_promote(
                actor=None,
                employee=employees[person.no],
                date=day,
                position=SENIOR_POSITION,
                pay_grade="P3",
            )
        else:
            employee = employee_leave(
                actor=None,
                employee=employees[person.no],
                date=day,
                voluntary=person.voluntary,
                reason=person.reason,
            )
            if person.no in extension_of:
                free_extensions.append(extension_of.pop(person.no))
        employees[person.no] = employee

    for person in people:
        if person.username:
            employee_login_create(
                actor=None,
                employee=employees[person.no],
                username=person.username,
                password=DEMO_PASSWORD,
            )

    for code, name, key_product, unit_price in PRODUCTS:
        product_upsert(
            actor=None, code=code, name=name, key_product=key_product, unit_price=unit_price
        )

    return demo_summary(today=today, seed=seed, check_passwords=False)


# --- reading back ---------------------------------------------------------------------------


def demo_logins(*, check_passwords: bool = True) -> list[DemoLogin]:
    """The demo's logins found in the database, in table order.

    With `check_passwords`, a login whose password is no longer the demo one shows none.
    """
    users = {
        user.username: user
        for user in get_user_model()
        .objects.filter(username__in=DEMO_USERNAMES, employee__isnull=False)
        .select_related("employee", "employee__team")
    }
    logins = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        employee = user.employee
        password = DEMO_PASSWORD
        if check_passwords and not user.check_password(DEMO_PASSWORD):
            password = ""
        logins.append(
            DemoLogin(
                username=username,
                password=password,
                role=employee.role,
                name=employee.name,
                team=employee.team.code if employee.team else "",
                employee_no=employee.employee_no,
            )
        )
    return logins


def demo_summary(
    *, today: dt.date, seed: int = DEMO_SEED, check_passwords: bool = True
) -> DemoSummary:
    """What the database holds of the demo, as of `today`."""
    reps_today = Employee.objects.employed_on(today).filter(role=Role.REP)
    year_ago = today - dt.timedelta(days=365)
    events = EmployeeEvent.objects.filter(date__gt=year_ago, date__lte=today)
    company = company_default()
    return DemoSummary(
        company=company.name,
        today=today,
        seed=seed,
        employees=Employee.objects.count(),
        reps_on_today={
            team.code: reps_today.filter(team=team).count()
            for team in Team.objects.filter(code__in=[code for code, _name in TEAMS])
        },
        leavers=events.filter(kind=EmployeeEvent.Kind.LEAVE).count(),
        transfers=events.filter(kind=EmployeeEvent.Kind.TRANSFER).count(),
        promotions=events.filter(kind=EmployeeEvent.Kind.PROMOTION).count(),
        products=Product.objects.count(),
        logins=tuple(demo_logins(check_passwords=check_passwords)),
    )
