"""The target board of a team and a rep's own target page (issue 5): pace, forecast and
sorting on a hand-computed quarter, the daily plan by month, who sees what, and a query
count that does not grow with the number of reps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from telesales.core.config import setting_set
from telesales.crm.customers.services import customer_create
from telesales.org.models import Role
from telesales.org.services import (
    employee_hire,
    employee_transfer,
    team_ensure,
    team_set_supervisor,
)
from telesales.sales.services import DealFacts, deal_upsert, product_upsert
from telesales.targets.board import board_build
from telesales.targets.decomposition import split_compute
from telesales.targets.models import Agreement, Method, Metric
from telesales.targets.services import split_apply, target_set

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"  # 23 + 21 + 22 = 66 working days on the China calendar
ON = dt.date(2026, 7, 15)  # a Wednesday: 11 working days of July are done by its end


def _rep(no, team, supervisor, hire=dt.date(2025, 1, 6), role=Role.REP):
    return employee_hire(
        actor=None,
        employee_no=no,
        name=f"代表{no}",
        role=role,
        team=team,
        manager=supervisor,
        hire_date=hire,
    )


def deal(no, employee, product, amount, closed_on, status="won"):
    """A deal stored through the real write function."""
    stored, _outcome = deal_upsert(
        actor=None,
        deal_no=no,
        facts=DealFacts(
            employee=employee,
            customer=None,
            product=product,
            amount=D(amount),
            gross_profit=D(0),
            closed_on=dt.date.fromisoformat(closed_on),
            status=status,
        ),
    )
    return stored


@pytest.fixture
def product(db):
    stored, _ = product_upsert(
        actor=None, code="P1", name="年费", key_product=False, unit_price=None
    )
    return stored


@pytest.fixture
def team(org, product):
    """T1's quarter target of 132,000 split equally among R1, R2, R4 and R5: 33,000 each,
    500 a working day; R6 joins after the split and has no target. By 15 July (11 working
    days, 5,500 due each):
    R1 5,300 (96.4 %: on track), R2 4,500 (81.8 %: at risk), R4 2,000 (36.4 %: behind,
    3,500 short), R5 1,000 (18.2 %: behind, 4,500 short)."""
    org.r4 = _rep("R4", org.t1, org.s1)
    org.r5 = _rep("R5", org.t1, org.s1)
    parent, _ = target_set(
        actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("132000"), team=org.t1
    )
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    org.r6 = _rep("R6", org.t1, org.s1)
    deal("D1", org.r1, product, "3000", "2026-07-03")
    deal("D2", org.r1, product, "2300", "2026-07-14")
    deal("D3", org.r1, product, "999", "2026-07-20")  # after the date of the board
    deal("D4", org.r2, product, "4500", "2026-07-06")
    deal("D5", org.r4, product, "2000", "2026-07-08")
    deal("D6", org.r5, product, "1000", "2026-07-09")
    deal("D7", org.r3, product, "8000", "2026-07-09")  # T2
    return org


@pytest.fixture
def login(login):
    """Pages in English, numbers with English separators."""

    def _login(employee, language="en"):
        employee.user.language = language
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _board_url(**params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("target-board") + (f"?{query}" if query else "")


def _rows(response):
    return {row["person"].employee_no: row for row in response.context["rows"]}


# -- pace and forecast -------------------------------------------------------------------------


def test_board_pace_of_each_rep_in_the_month(team, login):
    # when S1 opens T1's board for July as of 15 July
    response = login(team.s1).get(_board_url(on="2026-07-15", window="month"))
    # then each rep's month target, actual, expected to date and status are as computed
    assert response.status_code == 200
    rows = _rows(response)
    assert {no: row["cells"]["status"] for no, row in rows.items()} == {
        "R1": "on_track",
        "R2": "at_risk",
        "R4": "behind",
        "R5": "behind",
        "R6": "no_target",
    }
    r1 = rows["R1"]["cells"]
    assert r1["target"] == "11,500.00"  # 23 working days × 500
    assert r1["actual"] == "5,300.00"  # D3 of 20 July is not counted as of 15 July
    assert r1["expected"] == "5,500.00"  # 11 working days × 500
    assert r1["attainment"] == "46.1%"
    assert r1["pace_ratio"] == "96.4%"
    assert r1["gap"] == "-200.00"
    assert rows["R5"]["cells"]["gap"] == "-4,500.00"
    assert rows["R6"]["cells"]["target"] == "—"


def test_board_sorts_the_reps_behind_pace_first(team, login):
    response = login(team.s1).get(_board_url(on="2026-07-15"))
    # behind (the larger gap first), at risk, on track, no target
    order = [row["person"].employee_no for row in response.context["rows"]]
    assert order == ["R5", "R4", "R2", "R1", "R6"]
    content = response.content.decode()
    positions = [content.index(f'data-employee="{no}"') for no in order]
    assert positions == sorted(positions)


def test_board_team_total_uses_the_team_plan_and_its_reps_actuals(team, login):
    response = login(team.s1).get(_board_url(on="2026-07-15", window="month"))
    total = response.context["total"]["cells"]
    # T1's own 132,000 over 66 working days: 2,000 a day; its reps sold 12,800 by 15 July
    assert total["target"] == "46,000.00"
    assert total["expected"] == "22,000.00"
    assert total["actual"] == "12,800.00"
    assert total["status"] == "behind"


def test_board_windows_day_week_month_quarter(team):
    # when the board is built for 15 July
    board = board_build(team=team.t1, metric=Metric.SALES_AMOUNT, on=ON, window="week")
    r1 = next(row for row in board.rows if row.person.employee_no == "R1")
    # then the four windows are the day, Monday 13 to Sunday 19 July, July and Q3
    spans = {key: (w.start, w.end) for key, w in board.windows.items()}
    assert spans == {
        "today": (ON, ON),
        "week": (dt.date(2026, 7, 13), dt.date(2026, 7, 19)),
        "month": (dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
        "quarter": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    }
    week = r1.paces["week"]
    assert (week.target, week.expected, week.actual) == (D("2500"), D("1500"), D("2300"))
    assert week.status == "on_track"
    today = r1.paces["today"]
    assert (today.target, today.expected, today.actual) == (D("500"), D("500"), D("0"))
    assert today.status == "behind"
    quarter = r1.paces["quarter"]
    assert (quarter.target, quarter.expected, quarter.actual) == (
        D("33000"),
        D("5500"),
        D("5300"),
    )
    # R2 sold nothing this week: behind in the week, at risk in the month
    r2 = next(row for row in board.rows if row.person.employee_no == "R2")
    assert r2.paces["week"].status == "behind"
    assert r2.paces["month"].status == "at_risk"


def test_board_forecast_and_its_method(team):
    board = board_build(team=team.t1, metric=Metric.SALES_AMOUNT, on=ON)
    r1 = next(row for row in board.rows if row.person.employee_no == "R1")
    quarter = r1.paces["quarter"]
    # 5,300 over 11 working days, 55 working days left: 5,300 + 5,300 / 11 × 55 = 31,800
    assert (quarter.days_elapsed, quarter.days_left) == (11, 55)
    assert quarter.forecast.quantize(D("0.01")) == D("31800.00")
    assert quarter.method == (
        "actual 5,300 + run rate 481.82 a working day × 55 working days left "
        "+ open opportunities 0 weighted by intent = 31,800"
    )
    month = r1.paces["month"]
    # 12 working days left in July: 5,300 + 481.8181… × 12 = 11,081.82
    assert month.forecast.quantize(D("0.01")) == D("11081.82")


def test_board_forecast_adds_open_opportunities_in_the_month_and_quarter(team, login):
    # given R1 owns a customer at intent level high (weighted 30 %) since 10 July, and R1's
    # average order of the last 90 days is (3,000 + 2,300) / 2 = 2,650
    customer_create(
        actor=None,
        phone="13800000001",
        owner=team.r1,
        intent_level="high",
        intent_on=dt.date(2026, 7, 10),
    )
    board = board_build(team=team.t1, metric=Metric.SALES_AMOUNT, on=ON)
    r1 = next(row for row in board.rows if row.person.employee_no == "R1")
    # then 795 is added to the quarter's forecast (77 days left: all of it), 16/30 of it
    # to July's (16 days left of the 30 an opportunity takes), nothing to the week's
    assert r1.paces["quarter"].pipeline == D("795.00")
    assert r1.paces["quarter"].forecast.quantize(D("0.01")) == D("32595.00")
    assert r1.paces["month"].pipeline == D("424.00")
    assert r1.paces["month"].forecast.quantize(D("0.01")) == D("11505.82")
    assert r1.paces["week"].pipeline == 0
    assert r1.paces["quarter"].method.endswith(
        "+ open opportunities 795 weighted by intent = 32,595"
    )
    # and the page shows the forecast with its method
    response = login(team.s1).get(_board_url(on="2026-07-15", window="quarter"))
    cells = _rows(response)["R1"]["cells"]
    assert cells["forecast"] == "32,595.00"
    assert cells["forecast_attainment"] == "98.8%"
    assert "open opportunities 795 weighted by intent = 32,595" in response.content.decode()


def test_board_statuses_follow_the_configured_thresholds(team):
    # given on track from 97 % (R1's 96.4 % is no longer enough) and at risk from 30 %
    # (R4's 36.4 % is now at risk)
    setting_set(actor=None, key="targets.pace_on_track", value=97)
    setting_set(actor=None, key="targets.pace_at_risk", value=30)
    board = board_build(team=team.t1, metric=Metric.SALES_AMOUNT, on=ON)
    statuses = {row.person.employee_no: row.paces["month"].status for row in board.rows}
    assert statuses == {
        "R1": "at_risk",
        "R2": "at_risk",
        "R4": "at_risk",
        "R5": "behind",
        "R6": "no_target",
    }
    # at risk sorts by the gap too: R4 (3,500 short), R2 (1,000), R1 (200)
    assert [row.person.employee_no for row in board.rows] == ["R5", "R4", "R2", "R1", "R6"]


def test_board_before_the_period_has_nothing_due(team):
    # as of 30 June nothing of Q3 is due yet, and nothing has been sold in it
    board = board_build(
        team=team.t1, metric=Metric.SALES_AMOUNT, on=dt.date(2026, 6, 30), window="quarter"
    )
    # the board of 30 June is the one of Q2, where nobody has a target
    assert {row.paces["quarter"].status for row in board.rows} == {"no_target"}
    # while R1's Q3 seen as of 30 June: nothing due, no run rate to forecast from
    from telesales.targets.board import employee_targets

    result = employee_targets(
        employee=team.r1,
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 9, 30),
        as_of=dt.date(2026, 6, 30),
        metric=None,
    )
    pace = result.metrics[0].pace
    assert pace.status == "not_started"
    assert pace.forecast is None
    assert pace.method == "No working day has passed yet, so there is no run rate to forecast from."


def test_board_shows_the_agreement_status(team, login):
    # split_apply proposed the reps' Q3 agreements
    assert Agreement.objects.filter(employee=team.r1, period=Q3).get().status == "proposed"
    response = login(team.s1).get(_board_url(on="2026-07-15"))
    rows = _rows(response)
    assert rows["R1"]["agreement"].status == "proposed"
    assert rows["R6"]["agreement"] is None
    assert 'data-testid="agreement">Proposed<' in response.content.decode()


def test_a_rep_who_moved_to_another_team_counts_in_the_total_only(team, login):
    # given R2 moves to T2 on 10 July (reporting to S2 from then on)
    employee_transfer(actor=None, employee=team.r2, team=team.t2, date=dt.date(2026, 7, 10))
    # when S1 opens T1's board
    response = login(team.s1).get(_board_url(on="2026-07-15"))
    # then R2 is not listed, but their 4,500 of 6 July (in T1) counts in T1's total
    assert "R2" not in _rows(response)
    assert response.context["board"].hidden == 1
    assert response.context["total"]["cells"]["actual"] == "12,800.00"
    assert "is no longer in your teams" in response.content.decode()
    # while an administrator sees R2's row, marked as no longer in the team
    rows = _rows(login(team.admin).get(_board_url(team=team.t1.pk, on="2026-07-15")))
    assert rows["R2"]["in_team"] is False


def test_board_htmx_request_gets_the_board_partial(team, login):
    response = login(team.s1).get(
        _board_url(on="2026-07-15", window="week"), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="board"')
    assert "<html" not in content


def test_board_refuses_a_bad_date(team, login):
    response = login(team.s1).get(_board_url(on="2026-13-45"))
    assert response.status_code == 200
    assert "board" not in response.context
    assert 'data-testid="board-error"' in response.content.decode()


# -- a rep's own page and the daily plan -------------------------------------------------------


def test_my_targets_shows_each_metric_with_pace_and_forecast(team, login):
    # given R1 also has a call target for July
    target_set(
        actor=None, metric=Metric.CALL_VOLUME, period="2026-07", value=D(2300), employee=team.r1
    )
    # when R1 opens their page for Q3 as of 15 July
    response = login(team.r1).get(reverse("target-mine") + "?period=2026-Q3&on=2026-07-15")
    assert response.status_code == 200
    metrics = {m["code"]: m for m in response.context["metrics"]}
    assert list(metrics) == ["sales_amount", "call_volume"]
    sales = metrics["sales_amount"]
    assert (sales["target"], sales["actual"], sales["expected"]) == (
        "33,000.00",
        "5,300.00",
        "5,500.00",
    )
    assert sales["attainment"] == "16.1%"
    assert sales["status"] == "on_track"
    assert sales["forecast"] == "31,800.00"
    # the call target covers July only: it is paced over July, 100 calls a working day
    calls = metrics["call_volume"]
    assert (calls["target"], calls["expected"], calls["actual"], calls["status"]) == (
        "2,300",
        "1,100",
        "0",
        "behind",
    )
    assert (calls["pace_start"], calls["pace_end"]) == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert "only 07-01 – 07-31 have a target" in response.content.decode()


def test_my_daily_plan_totals_by_month_and_week(team, login):
    response = login(team.r1).get(reverse("target-mine") + "?period=2026-Q3&on=2026-07-15")
    months = response.context["months"]
    # 23, 21 and 22 working days at 500; July's actual is what was sold by 15 July
    assert [(m["start"], m["workdays"], m["planned_value"], m["actual_value"]) for m in months] == [
        (dt.date(2026, 7, 1), 23, D("11500"), D("5300")),
        (dt.date(2026, 8, 1), 21, D("10500"), D("0")),
        (dt.date(2026, 9, 1), 22, D("11000"), D("0")),
    ]
    july_weeks = [(w["week"], w["workdays"], w["planned"]) for w in months[0]["weeks"]]
    assert july_weeks == [
        (27, 3, "1,500.00"),
        (28, 5, "2,500.00"),
        (29, 5, "2,500.00"),
        (30, 5, "2,500.00"),
        (31, 5, "2,500.00"),
    ]
    assert response.context["daily_planned"] == "33,000.00"
    content = response.content.decode()
    assert 'data-testid="month-plan">11,500.00<' in content
    # the day of the page is highlighted, with the plan and actual up to it
    day = next(d for w in months[0]["weeks"] for d in w["days"] if d["day"] == ON)
    assert day["today"] is True
    assert (day["plan_to_date"], day["actual_to_date"], day["difference"]) == (
        "5,500.00",
        "5,300.00",
        "-200.00",
    )
    assert 'data-day="2026-07-15" aria-current="date"' in content
    # the chart has one point a listed day; the actual stops at the page's day
    chart = response.context["chart"]
    assert len(chart["days"]) == 66
    assert chart["series"][0]["values"][-1] == 33000.0
    assert chart["series"][1]["values"][10] == 5300.0
    assert chart["series"][1]["values"][11] is None


def test_a_national_day_week_is_split_into_its_working_days(org, login):
    # given R1's October call target: 18 working days, 100 calls each, Saturday 10 worked
    target_set(
        actor=None, metric=Metric.CALL_VOLUME, period="2026-10", value=D(1800), employee=org.r1
    )
    response = login(org.r1).get(reverse("target-mine") + "?period=2026-10&on=2026-10-12")
    (october,) = response.context["months"]
    assert (october["workdays"], october["planned"]) == (18, "1,800")
    weeks = {w["week"]: (w["workdays"], w["planned"]) for w in october["weeks"]}
    # 1–7 October are off: week 40 (1–4) has nothing to list; 8–9 and Saturday 10
    assert weeks == {41: (3, "300"), 42: (5, "500"), 43: (5, "500"), 44: (5, "500")}


def test_pages_in_chinese(team, login):
    # the user's own language: simplified Chinese, numbers without a thousands separator
    client = login(team.s1, language="zh-hans")
    response = client.get(_board_url(on="2026-07-15"))
    assert response.status_code == 200
    assert _rows(response)["R1"]["cells"]["actual"] == "5300.00"
    page = client.get(reverse("target-employee", args=[team.r1.pk]) + "?on=2026-07-15")
    assert page.status_code == 200
    assert "2026年7月" in page.content.decode()


def test_my_targets_without_an_employee_record(db, client, user_model):
    user = user_model.objects.create_user(
        username="loose", password="x-Long-enough-1", language="en"
    )
    client.force_login(user)
    response = client.get(reverse("target-mine"))
    assert response.status_code == 200
    assert "Your login is not linked to an employee record" in response.content.decode()


def test_my_targets_without_targets(org, login):
    response = login(org.r3).get(reverse("target-mine") + "?period=2026-Q3")
    assert response.status_code == 200
    assert response.context["metrics"] == []
    assert "You have no targets for this period yet." in response.content.decode()


def test_my_targets_refuses_a_bad_period(org, login):
    response = login(org.r1).get(reverse("target-mine") + "?period=2026-W3")
    assert response.status_code == 200
    assert 'data-testid="targets-error"' in response.content.decode()


def test_supervisor_sees_a_reps_page(team, login):
    url = reverse("target-employee", args=[team.r2.pk]) + "?period=2026-Q3&on=2026-07-15"
    response = login(team.s1).get(url)
    assert response.status_code == 200
    sales = response.context["metrics"][0]
    assert (sales["actual"], sales["status"]) == ("4,500.00", "at_risk")


# -- who sees what -----------------------------------------------------------------------------


def test_a_rep_sees_only_their_own_page(team, login):
    client = login(team.r1)
    # another rep's page does not exist for them
    assert client.get(reverse("target-employee", args=[team.r2.pk])).status_code == 404
    # the board and their own employee page lead to their own page
    response = client.get(reverse("target-board"))
    assert response.status_code == 302
    assert response.url == reverse("target-mine")
    own = client.get(reverse("target-employee", args=[team.r1.pk]) + "?period=2026-Q3")
    assert own.status_code == 302
    assert own.url == reverse("target-mine") + "?period=2026-Q3"


def test_a_supervisor_sees_only_their_teams(team, login):
    client = login(team.s2)
    assert client.get(_board_url(team=team.t1.pk)).status_code == 404
    assert client.get(reverse("target-employee", args=[team.r1.pk])).status_code == 404
    # their own board is T2's
    response = client.get(_board_url(on="2026-07-15"))
    assert response.status_code == 200
    assert response.context["team"] == team.t2
    assert [row["person"].employee_no for row in response.context["rows"]] == ["R3"]


def test_the_supervisors_own_team_is_the_default(team, login):
    response = login(team.s1).get(_board_url())
    assert response.context["team"] == team.t1


@pytest.mark.parametrize("who", ["manager", "hr", "admin"])
def test_managers_hr_and_admins_see_every_team_under_them(team, login, who):
    response = login(getattr(team, who)).get(_board_url(team=team.t2.pk, on="2026-07-15"))
    assert response.status_code == 200
    assert response.context["team"] == team.t2


def test_a_manager_does_not_see_a_team_outside_their_line(team, login):
    # given T3, led by a supervisor outside M1's line
    other = _rep("S9", None, None, role=Role.SUPERVISOR)
    t3 = team_ensure(actor=None, code="T3", department=team.sales, name="三组")
    team_set_supervisor(actor=None, team=t3, supervisor=other)
    assert login(team.manager).get(_board_url(team=t3.pk)).status_code == 404


def test_staff_get_nothing(team, login):
    client = login(team.staff)
    assert client.get(reverse("target-board")).status_code == 404
    assert client.get(reverse("target-mine")).status_code == 404
    assert client.get(reverse("target-employee", args=[team.r1.pk])).status_code == 404
    assert client.get(reverse("target-employee", args=[team.staff.pk])).status_code == 404


def test_menu_entries(org, login):
    def menu(employee):
        response = login(employee).get(reverse("home"))
        return {item["key"] for item in response.context["menu"]}

    assert {"target-mine"} <= menu(org.r1)
    assert "target-board" not in menu(org.r1)
    assert "target-board" in menu(org.s1)
    assert "target-mine" not in menu(org.s1)
    assert {"target-board", "target-mine"}.isdisjoint(menu(org.staff))


# -- query count -------------------------------------------------------------------------------


def _team_of(code, size, supervisor, product):
    """A team with `size` reps, each with a Q3 target and a deal."""
    from telesales.org.models import Department

    team_obj = team_ensure(
        actor=None, code=code, department=Department.objects.get(code="sales"), name=code
    )
    team_set_supervisor(actor=None, team=team_obj, supervisor=supervisor)
    for i in range(size):
        rep = _rep(f"{code}R{i}", team_obj, supervisor)
        target_set(
            actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("33000"), employee=rep
        )
        deal(f"{code}D{i}", rep, product, "1000", "2026-07-06")
        customer_create(
            actor=None,
            phone=f"139{ord(code[-1]):04d}{i:04d}",
            owner=rep,
            intent_level="high",
            intent_on=dt.date(2026, 7, 1),
        )
    return team_obj


def test_the_board_query_count_does_not_grow_with_the_reps(
    org, login, product, django_assert_max_num_queries
):
    small = _team_of("QA", 3, org.s1, product)
    large = _team_of("QB", 15, org.s1, product)
    client = login(org.admin)
    client.get(reverse("home"))  # the session and the menu's first reads out of the way
    with CaptureQueriesContext(connection) as three:
        response = client.get(_board_url(team=small.pk, on="2026-07-15"))
    assert len(response.context["rows"]) == 3
    with django_assert_max_num_queries(len(three)):
        response = client.get(_board_url(team=large.pk, on="2026-07-15"))
    assert len(response.context["rows"]) == 15
