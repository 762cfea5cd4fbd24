"""`telesales demo`: the demo company 星辰科技 and its year of history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from telesales.org.demo import DEMO_PASSWORD, DemoError, demo_build, demo_plan
from telesales.org.models import Company, Department, Employee, EmployeeEvent, Extension, Team
from telesales.sales.models import Product

TODAY = dt.date(2026, 6, 30)
YEAR_AGO = TODAY - dt.timedelta(days=365)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.LANGUAGE_CODE = "en"  # the messages below are compared in English
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return demo_build(today=TODAY)


def _reps_on(day, team_code):
    return Employee.objects.employed_on(day).filter(role="rep", team__code=team_code)


@pytest.mark.django_db
def test_demo_company_and_departments(demo):
    # when
    departments = list(Department.objects.values_list("code", "name", "kind").order_by("code"))
    # then
    assert list(Company.objects.values_list("name", flat=True)) == ["星辰科技"]
    assert demo.company == "星辰科技"
    assert departments == [
        ("customer_service", "客服部", "customer_service"),
        ("hr", "人力资源部", "hr"),
        ("it", "信息技术部", "it"),
        ("marketing", "市场部", "marketing"),
        ("product", "产品部", "product"),
        ("sales", "销售部", "sales"),
    ]


@pytest.mark.django_db
def test_demo_teams_have_8_to_12_reps_today_led_by_a_supervisor(demo):
    # when
    counts = {code: _reps_on(TODAY, code).count() for code in ("T1", "T2", "T3")}
    teams = Team.objects.select_related("supervisor__manager", "department").order_by("code")
    # then
    assert all(8 <= n <= 12 for n in counts.values()), counts
    assert demo.reps_on_today == counts
    assert [
        (
            t.code,
            t.name,
            t.department.code,
            t.supervisor.employee_no,
            t.supervisor.role,
            t.supervisor.team_id == t.pk,
            t.supervisor.manager.employee_no,
        )
        for t in teams
    ] == [
        ("T1", "电销一组", "sales", "S001", "supervisor", True, "M001"),
        ("T2", "电销二组", "sales", "S002", "supervisor", True, "M001"),
        ("T3", "电销三组", "sales", "S003", "supervisor", True, "M001"),
    ]
    assert Employee.objects.get(employee_no="M001").role == "manager"


@pytest.mark.django_db
def test_demo_reps_report_to_their_team_supervisor(demo):
    # when
    reps = Employee.objects.employed_on(TODAY).filter(role="rep").select_related("team")
    # then
    assert reps.count() == sum(demo.reps_on_today.values())
    assert [r.employee_no for r in reps if r.manager_id != r.team.supervisor_id] == []


@pytest.mark.django_db
def test_demo_hires_spread_over_the_last_year_and_before(demo):
    # when
    reps = Employee.objects.filter(role="rep")
    # then
    assert reps.filter(hire_date__gt=YEAR_AGO).count() >= 9
    assert (
        reps.filter(
            hire_date__lte=YEAR_AGO, hire_date__gte=TODAY - dt.timedelta(days=3 * 366)
        ).count()
        >= 12
    )
    assert reps.filter(hire_date__gt=TODAY).count() == 0


@pytest.mark.django_db
def test_demo_has_6_to_10_leavers_in_the_last_year_with_reasons(demo):
    # when
    leaves = EmployeeEvent.objects.filter(kind="leave").select_related("employee")
    # then
    assert 6 <= leaves.count() <= 10
    assert demo.leavers == leaves.count()
    for event in leaves:
        assert YEAR_AGO < event.date < TODAY
        assert event.employee.leave_date == event.date
        assert event.voluntary in (True, False)
        assert event.reason in {
            "个人发展",
            "家庭原因",
            "薪资待遇",
            "回老家发展",
            "继续深造",
            "业绩未达标",
            "违反公司制度",
            "试用期未通过",
        }
        assert not event.employee.is_employed_on(TODAY)
        assert event.from_team is not None


@pytest.mark.django_db
def test_demo_leavers_give_back_their_extension(demo):
    # when
    leavers = Employee.objects.filter(leave_date__isnull=False)
    # then
    assert [e.employee_no for e in leavers if e.extensions.get().valid_to != e.leave_date] == []


@pytest.mark.django_db
def test_demo_every_rep_today_has_an_extension_of_their_own(demo):
    # when
    extensions = Extension.objects.filter(valid_from__lte=TODAY, employee__role="rep").exclude(
        valid_to__lte=TODAY
    )
    numbers = list(extensions.values_list("number", flat=True))
    # then
    assert len(numbers) == sum(demo.reps_on_today.values())
    assert len(set(numbers)) == len(numbers)
    assert Extension.objects.get(employee__employee_no="E001").number == "8001"
    assert all(8001 <= int(n) < 8100 for n in numbers)


@pytest.mark.django_db
def test_demo_transfers_move_reps_to_another_team_and_supervisor(demo):
    # when
    transfers = EmployeeEvent.objects.filter(kind="transfer").select_related(
        "employee__team", "from_team", "to_team"
    )
    # then
    assert 2 <= transfers.count() <= 3
    assert demo.transfers == transfers.count()
    for event in transfers:
        rep = event.employee
        assert YEAR_AGO < event.date < TODAY
        assert event.from_team != event.to_team
        assert rep.team == event.to_team
        assert rep.manager_id == event.to_team.supervisor_id
        assert [(a.team_id, a.start, a.end) for a in rep.team_assignments.all()] == [
            (event.from_team.pk, rep.hire_date, event.date),
            (event.to_team.pk, event.date, None),
        ]


@pytest.mark.django_db
def test_demo_promotes_two_reps_to_senior(demo):
    # when
    promotions = EmployeeEvent.objects.filter(kind="promotion").select_related("employee")
    # then
    assert [(p.from_value, p.to_value) for p in promotions] == [
        ("电销专员", "高级电销专员"),
        ("电销专员", "高级电销专员"),
    ]
    assert [(p.employee.position, p.employee.pay_grade) for p in promotions] == [
        ("高级电销专员", "P3"),
        ("高级电销专员", "P3"),
    ]
    assert all(YEAR_AGO < p.date < TODAY for p in promotions)


@pytest.mark.django_db
def test_demo_products_with_three_key_products(demo):
    # when
    products = Product.objects.order_by("code")
    # then
    assert [p.code for p in products] == [f"P{n:03d}" for n in range(1, 11)]
    assert [p.code for p in products if p.key_product] == ["P002", "P003", "P004"]
    assert all(isinstance(p.unit_price, Decimal) and p.unit_price > 0 for p in products)
    assert demo.products == 10


@pytest.mark.django_db
def test_demo_logins_authenticate_with_the_demo_password(demo):
    # when
    users = {
        username: authenticate(request=None, username=username, password="demo1234")
        for username in ("admin", "hr", "manager", "sup1", "sup2", "sup3", "rep1", "staff")
    }
    # then
    assert {u: (user.employee.employee_no, user.employee.role) for u, user in users.items()} == {
        "admin": ("A001", "admin"),
        "hr": ("H001", "hr"),
        "manager": ("M001", "manager"),
        "sup1": ("S001", "supervisor"),
        "sup2": ("S002", "supervisor"),
        "sup3": ("S003", "supervisor"),
        "rep1": ("E001", "rep"),
        "staff": ("C001", "staff"),
    }
    assert [u for u, user in users.items() if user.is_superuser] == ["admin"]
    assert [(login.username, login.role, login.team) for login in demo.logins] == [
        ("admin", "admin", ""),
        ("hr", "hr", ""),
        ("manager", "manager", ""),
        ("sup1", "supervisor", "T1"),
        ("sup2", "supervisor", "T2"),
        ("sup3", "supervisor", "T3"),
        ("rep1", "rep", "T1"),
        ("staff", "staff", ""),
    ]


@pytest.mark.django_db
def test_demo_rep1_is_the_first_current_rep_of_t1(demo):
    # when
    rep1 = get_user_model().objects.get(username="rep1").employee
    # then
    assert rep1 == _reps_on(TODAY, "T1").order_by("employee_no").first()
    assert rep1.team.code == "T1"


def test_demo_plan_is_the_same_for_the_same_seed_and_day():
    # when
    first = demo_plan(today=TODAY, seed=7)
    second = demo_plan(today=TODAY, seed=7)
    other = demo_plan(today=TODAY, seed=8)
    # then
    assert first == second
    assert first != other


def test_demo_plan_hires_on_weekdays_beyond_the_holiday_calendar():
    # given a day after the years the Chinese holiday calendar knows
    today = dt.date(2031, 3, 3)
    # when
    people = demo_plan(today=today)
    # then
    assert [p.no for p in people if p.hire.weekday() >= 5] == []
    assert all(p.hire < today for p in people)
    assert all(p.leave_on is None or p.hire < p.leave_on < today for p in people)


@pytest.mark.django_db
def test_demo_refuses_a_taken_login_and_builds_nothing(db):
    # given
    get_user_model().objects.create_user(username="admin", password="x")
    # when
    with pytest.raises(DemoError, match="admin"):
        demo_build(today=TODAY)
    # then
    assert Employee.objects.count() == 0
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_demo_command_builds_and_prints_the_logins(db):
    # given
    out = StringIO()
    # when
    call_command("demo", today="2026-06-30", calls_per_day=4, stdout=out, stderr=StringIO())
    # then
    text = out.getvalue()
    assert "星辰科技" in text
    rows = [line.split() for line in text.splitlines() if line.startswith(("admin ", "rep1 "))]
    assert [row[:3] for row in rows] == [
        ["admin", DEMO_PASSWORD, "admin"],
        ["rep1", DEMO_PASSWORD, "rep"],
    ]
    assert Employee.objects.filter(role="rep").exists()


@pytest.mark.django_db
def test_demo_command_if_empty_does_nothing_when_there_are_employees(org):
    # given
    counts = (Employee.objects.count(), Team.objects.count(), Product.objects.count())
    out = StringIO()
    # when
    call_command("demo", "--if-empty", today="2026-06-30", stdout=out)
    # then
    assert (Employee.objects.count(), Team.objects.count(), Product.objects.count()) == counts
    assert out.getvalue() == "The database already has employees; the demo was not built.\n"


@pytest.mark.django_db
def test_demo_command_if_empty_builds_on_an_empty_database(db):
    # when
    call_command(
        "demo", "--if-empty", "--today", "2026-06-30", "--calls-per-day", "0", stdout=StringIO()
    )
    # then
    assert Team.objects.filter(code__in=["T1", "T2", "T3"]).count() == 3


@pytest.mark.django_db
def test_demo_command_refuses_when_there_are_employees(org):
    # given
    count = Employee.objects.count()
    # when
    with pytest.raises(CommandError, match="already has employees"):
        call_command("demo", today="2026-06-30", stdout=StringIO())
    # then
    assert Employee.objects.count() == count


@pytest.mark.django_db
def test_demo_command_logins_builds_nothing(db):
    # given
    out = StringIO()
    # when
    call_command("demo", "--logins", stdout=out)
    # then
    assert Employee.objects.count() == 0
    assert "No demo logins found" in out.getvalue()


@pytest.mark.django_db
def test_demo_command_logins_lists_the_demo_logins(demo):
    # given
    user = get_user_model().objects.get(username="staff")
    user.set_password("changed-it-2026")
    user.save()
    out = StringIO()
    # when
    call_command("demo", "--logins", stdout=out)
    # then
    rows = [line.split()[:3] for line in out.getvalue().splitlines()[3:]]
    assert rows == [
        ["admin", "demo1234", "admin"],
        ["hr", "demo1234", "hr"],
        ["manager", "demo1234", "manager"],
        ["sup1", "demo1234", "supervisor"],
        ["sup2", "demo1234", "supervisor"],
        ["sup3", "demo1234", "supervisor"],
        ["rep1", "demo1234", "rep"],
        ["staff", "(changed)", "staff"],
    ]


@pytest.mark.django_db
def test_demo_command_rejects_a_bad_date(db):
    # when / then
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("demo", today="30/06/2026", stdout=StringIO())


@pytest.mark.django_db
def test_demo_calls_come_through_the_importer_as_an_asterisk_master_csv(db):
    # when
    call_command("demo", today="2026-06-30", calls_per_day=6, stdout=StringIO(), stderr=StringIO())
    # then
    from django.db.models import Count, Max, Min

    from telesales.calls.models import Call, CallDay
    from telesales.core.models import ImportRun

    run = ImportRun.objects.get(kind="calls")
    assert (run.source, run.status, run.rejected) == ("demo", "done", [])
    assert run.detected.startswith("Asterisk cdr_csv (21 columns)")
    assert run.rows > run.stored > 0  # some calls have a second leg, merged
    assert run.stored == Call.objects.count()
    span = Call.objects.aggregate(first=Min("local_date"), last=Max("local_date"))
    assert span["last"] < dt.date(2026, 6, 30) <= span["first"] + dt.timedelta(days=125)
    assert not Call.objects.filter(local_date__in=[dt.date(2026, 5, 1), dt.date(2026, 5, 2)])
    outbound = Call.objects.filter(direction="outbound")
    share = outbound.filter(answered=True).count() / outbound.count()
    assert 0.25 < share < 0.45
    assert Call.objects.filter(employee__isnull=True).count() == 0
    per_day = CallDay.objects.values("day").annotate(n=Count("id"))
    assert per_day and all(row["n"] >= 20 for row in per_day)
