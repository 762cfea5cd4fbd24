"""The calls pages (issue 3): the call list and its export, call statistics of a rep and a
team, the data-quality report, column mappings and the calls import options."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from telesales.calls.models import Call, CallDay, ColumnMapping
from telesales.calls.selectors import phone_mask
from telesales.core.models import AuditEvent, ImportRun
from telesales.org.models import Extension, Role
from telesales.org.services import employee_hire
from tests.calls_files import give_extensions, import_calls, inbound, internal, outbound
from tests.files import csv_bytes
from tests.test_browser import _log_in
from tests.test_browser import browser as browser  # noqa: F401 (Chromium, a fixture)
from tests.test_browser import page as chromium  # noqa: F401 (the browser tab, a fixture)

SEPTEMBER = "date_from=2026-09-01&date_to=2026-09-30"


@pytest.fixture
def login(login):
    """Log in with English as the user's language: pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


@pytest.fixture
def calls(org):
    """September 2026: R1 3 outbound (2 connected, 75 s and 30 s), 1 inbound, 1 internal;
    R2 2 outbound (1 connected, 120 s); R3 1 outbound (90 s); extension 8009, mapped to
    nobody, 2 outbound. R1 also called on 31 August, late in the evening."""
    give_extensions(org)
    import_calls(
        [
            outbound("8001", "13811112222", "2026-08-31 23:30:00", billsec=100),
            outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75),
            outbound("8001", "13900001111", "2026-09-01 10:10:00", disposition="NO ANSWER"),
            outbound("8001", "13812345678", "2026-09-02 09:30:00", billsec=30),
            inbound("13700002222", "8001", "2026-09-03 14:00:00", billsec=50),
            internal("8001", "8002", "2026-09-03 15:00:00", billsec=20),
            outbound("8002", "13600003333", "2026-09-02 11:00:00", billsec=120),
            outbound("8002", "13600004444", "2026-09-02 11:05:00", disposition="BUSY"),
            outbound("8003", "13500005555", "2026-09-04 09:00:00", billsec=90),
            outbound("8009", "13400006666", "2026-09-05 10:00:00", billsec=65),
            outbound("8009", "13400007777", "2026-09-06 10:00:00", disposition="NO ANSWER"),
        ]
    )
    return org


def _listed(response) -> list[Call]:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def _numbers(response) -> dict[str, str]:
    """call id → the customer number as shown."""
    return {c.call_id: c.customer_shown for c in _listed(response)}


# --- phone_mask ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("13812341234", "138****1234"),
        ("02188886666", "021****6666"),
        ("+8613812341234", "+86****1234"),
        ("88886666", "88****66"),
        ("1234567", "1*****7"),
        ("10086", "1***6"),
        ("110", "***"),
        ("", ""),
    ],
)
def test_phone_mask(number, shown):
    assert phone_mask(number) == shown


# --- the call list: scope, masking, filters ------------------------------------------------------

LIST_SCOPE = {
    "r1": 5,  # R1's September calls, inbound and internal included
    "r2": 2,
    "r3": 1,
    "s1": 7,  # R1 and R2
    "s2": 1,
    "manager": 8,  # every attributed call
    "hr": 10,  # and the 2 calls nobody owns
    "admin": 10,
    "staff": 0,
}


@pytest.mark.parametrize("who", sorted(LIST_SCOPE))
def test_the_call_list_holds_exactly_the_scope(calls, login, who):
    # given
    client = login(getattr(calls, who))
    # when
    response = client.get(f"/calls/?{SEPTEMBER}")
    # then
    listed = _listed(response)
    assert len(listed) == LIST_SCOPE[who]
    assert response.context["page"].paginator.count == LIST_SCOPE[who]
    if who not in ("hr", "admin"):
        assert all(c.employee_id is not None for c in listed)


def test_the_list_shows_local_times_newest_first(calls, login):
    # given
    client = login(calls.r1)
    # when
    response = client.get("/calls/?date_from=2026-08-31&date_to=2026-09-01")
    # then: 23:30 in Shanghai on 31 August is 15:30 UTC, and is listed on its local date
    listed = _listed(response)
    assert [c.local_date for c in listed] == [
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 1),
        dt.date(2026, 8, 31),
    ]
    assert listed[-1].started_at == dt.datetime(2026, 8, 31, 15, 30, tzinfo=dt.UTC)
    page = response.content.decode()
    assert "2026-08-31 23:30:00" in page
    assert "2026-09-01 10:10:00" in page


def test_a_supervisor_sees_masked_numbers_and_the_rep_sees_their_own(calls, login):
    # given
    call = Call.objects.get(customer_number="13812341234")
    # when
    supervisor = _numbers(login(calls.s1).get(f"/calls/?{SEPTEMBER}"))
    rep = _numbers(login(calls.r1).get(f"/calls/?{SEPTEMBER}"))
    # then
    assert supervisor[call.call_id] == "138****1234"
    assert rep[call.call_id] == "13812341234"
    assert "13812341234" not in login(calls.s1).get(f"/calls/?{SEPTEMBER}").content.decode()


def test_hr_sees_masked_numbers_and_an_administrator_every_number(calls, login):
    # when
    hr = _numbers(login(calls.hr).get(f"/calls/?{SEPTEMBER}"))
    admin = _numbers(login(calls.admin).get(f"/calls/?{SEPTEMBER}"))
    # then
    stored = dict(Call.objects.values_list("call_id", "customer_number"))
    assert admin == {k: v for k, v in stored.items() if k in admin}
    assert hr == {k: phone_mask(v) for k, v in stored.items() if k in hr}
    assert hr[Call.objects.get(customer_number="13600003333").call_id] == "136****3333"


def test_the_list_defaults_to_the_last_seven_days(org, login):
    # given
    give_extensions(org)
    today = timezone.localdate()
    recent = [today - dt.timedelta(days=d) for d in (0, 6)]
    older = [today - dt.timedelta(days=d) for d in (7, 30)]
    import_calls(
        [outbound("8001", f"1380000000{n}", f"{d} 10:00:00") for n, d in enumerate(recent + older)]
    )
    client = login(org.r1)
    # when
    response = client.get("/calls/")
    # then
    assert sorted(c.local_date for c in _listed(response)) == sorted(recent)
    form = response.context["form"]
    assert (form["date_from"].value(), form["date_to"].value()) == (
        (today - dt.timedelta(days=6)).isoformat(),
        today.isoformat(),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("direction=inbound", 1),
        ("direction=internal", 1),
        ("direction=outbound", 8),
        ("answered=yes", 7),
        ("answered=no", 3),
        ("talk_min=60", 4),  # 75, 120, 90, 65
        ("talk_min=30&talk_max=75", 4),  # 75, 30, 50, 65
        ("disposition=busy", 1),
        ("disposition=NO+ANSWER", 2),
        ("extension=8009", 2),
        ("answered=yes&direction=outbound&talk_min=60", 4),
    ],
)
def test_the_list_filters(calls, login, query, expected):
    # given
    client = login(calls.admin)
    # when
    response = client.get(f"/calls/?{SEPTEMBER}&{query}")
    # then
    assert len(_listed(response)) == expected


def test_the_rep_and_team_filters(calls, login):
    # given
    client = login(calls.admin)
    # when
    by_rep = _listed(client.get(f"/calls/?{SEPTEMBER}&rep={calls.r2.pk}"))
    by_t1 = _listed(client.get(f"/calls/?{SEPTEMBER}&team={calls.t1.pk}"))
    by_t2 = _listed(client.get(f"/calls/?{SEPTEMBER}&team={calls.t2.pk}"))
    # then
    assert {c.employee_id for c in by_rep} == {calls.r2.pk}
    assert len(by_rep) == 2
    assert len(by_t1) == 7
    assert {c.employee_id for c in by_t2} == {calls.r3.pk}


def test_the_team_filter_follows_the_team_on_the_call_date(calls, login):
    # given: R2 moves to T2 on 2 September, the day of their calls
    from telesales.org.services import employee_transfer

    employee_transfer(actor=None, employee=calls.r2, team=calls.t2, date=dt.date(2026, 9, 2))
    client = login(calls.admin)
    # when
    t1 = _listed(client.get(f"/calls/?{SEPTEMBER}&team={calls.t1.pk}"))
    t2 = _listed(client.get(f"/calls/?{SEPTEMBER}&team={calls.t2.pk}"))
    # then
    assert {c.employee_id for c in t1} == {calls.r1.pk}
    assert {c.employee_id for c in t2} == {calls.r2.pk, calls.r3.pk}


def test_a_rep_cannot_filter_on_someone_out_of_scope(calls, login):
    # given
    client = login(calls.r1)
    # when
    by_rep = client.get(f"/calls/?{SEPTEMBER}&rep={calls.r3.pk}")
    by_team = client.get(f"/calls/?{SEPTEMBER}&team={calls.t2.pk}")
    # then: a form error, not R3's calls
    for response in (by_rep, by_team):
        assert _listed(response) == []
        assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("talk_min=abc", "Enter a whole number."),
        ("talk_min=-5", "Ensure this value is greater than or equal to 0."),
        ("date_from=2026-13-01", "Enter a valid date."),
        ("date_from=2026-09-10&date_to=2026-09-01", "The end date is before the start date."),
        ("talk_min=90&talk_max=30", "The longest talk time is shorter than the shortest."),
        ("direction=sideways", "Select a valid choice."),
        ("rep=abc", "Select a valid choice."),
    ],
)
def test_bad_filter_input_is_a_form_error(calls, login, query, message):
    # given
    client = login(calls.admin)
    # when
    response = client.get(f"/calls/?{query}")
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert _listed(response) == []
    assert client.get(f"/calls/export.csv?{query}").status_code == 404


def _make_calls(org, count: int) -> None:
    start = dt.datetime(2026, 9, 1, 9, 0)
    import_calls(
        [
            outbound(
                "8001" if n % 2 else "8003",
                f"138{n:08d}",
                (start + dt.timedelta(minutes=5 * n)).isoformat(sep=" "),
                billsec=n % 90,
            )
            for n in range(count)
        ]
    )


@pytest.mark.parametrize("who", ["admin", "s1", "manager"])
def test_the_list_costs_the_same_queries_for_5_and_60_calls(org, login, who):
    # given
    give_extensions(org)
    client = login(getattr(org, who))
    _make_calls(org, 5)
    with CaptureQueriesContext(connection) as few:
        first = client.get(f"/calls/?{SEPTEMBER}")
    _make_calls(org, 60)  # 65 calls in all
    # when
    with CaptureQueriesContext(connection) as many:
        second = client.get(f"/calls/?{SEPTEMBER}")
    # then
    assert len(_listed(first)) < len(_listed(second))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 12


def test_the_list_is_paginated_by_50(org, login):
    # given
    give_extensions(org)
    _make_calls(org, 60)
    client = login(org.admin)
    # when
    first = client.get(f"/calls/?{SEPTEMBER}")
    second = client.get(f"/calls/?{SEPTEMBER}&page=2")
    # then
    assert len(_listed(first)) == 50
    assert len(_listed(second)) == 10
    assert {c.pk for c in _listed(first)}.isdisjoint({c.pk for c in _listed(second)})
    page = first.content.decode()
    assert "Page 1 of 2 (60 calls)" in page
    assert '?date_from=2026-09-01&amp;date_to=2026-09-30&amp;page=2"' in page
    assert second.context["query"] == "date_from=2026-09-01&date_to=2026-09-30"


def test_the_export_follows_scope_filters_and_masking(calls, login):
    # given
    client = login(calls.s1)
    # when
    response = client.get(f"/calls/export.csv?{SEPTEMBER}&direction=outbound")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == 5
    assert {r["Employee number"] for r in rows} == {"R1", "R2"}
    assert "138****1234" in {r["Customer number"] for r in rows}
    assert "13812341234" not in text
    first = [r for r in rows if r["Customer number"] == "138****1234"][0]
    assert (first["Time"], first["Answered"], first["Talk time (s)"]) == (
        "2026-09-01 10:00:00",
        "yes",
        "75",
    )


def test_the_rep_exports_their_own_numbers(calls, login):
    response = login(calls.r1).get(f"/calls/export.csv?{SEPTEMBER}")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "13812341234" in text
    assert "13600003333" not in text


def test_the_export_queries_are_bounded(org, login, django_assert_max_num_queries):
    give_extensions(org)
    _make_calls(org, 60)
    client = login(org.s1)
    with django_assert_max_num_queries(10):
        response = client.get(f"/calls/export.csv?{SEPTEMBER}")
        assert len(b"".join(response.streaming_content).decode().splitlines()) == 31


def test_anonymous_users_are_sent_to_login(org, client):
    for url in [
        "/calls/",
        "/calls/export.csv",
        "/calls/stats/",
        f"/calls/stats/rep/{org.r1.pk}/",
        f"/calls/stats/team/{org.t1.pk}/",
        "/calls/quality/",
        "/calls/mappings/",
        "/calls/mappings/new/",
        "/settings/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


# --- call statistics -----------------------------------------------------------------------------


def _kpis(response) -> dict[str, tuple]:
    assert response.status_code == 200
    return {
        row["code"]: (row["kpi"].value, row["kpi"].numerator, row["kpi"].denominator)
        for row in response.context["kpis"]
    }


R1_SEPTEMBER = {
    "call_volume": (3, 3, None),
    "connected_calls": (2, 2, None),
    "connection_rate": (Decimal(2) / Decimal(3), 2, 3),
    "avg_talk_seconds": (Decimal("52.5"), 105, 2),
    "effective_calls": (1, 1, None),
    "effective_call_rate": (Decimal("0.5"), 1, 2),
}
T1_SEPTEMBER = {
    "call_volume": (5, 5, None),
    "connected_calls": (3, 3, None),
    "connection_rate": (Decimal("0.6"), 3, 5),
    "avg_talk_seconds": (Decimal(75), 225, 3),
    "effective_calls": (2, 2, None),
    "effective_call_rate": (Decimal(2) / Decimal(3), 2, 3),
}


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "admin"])
def test_the_rep_page_computes_the_call_kpis(calls, login, who):
    # given
    client = login(getattr(calls, who))
    # when
    response = client.get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09")
    # then
    assert _kpis(response) == R1_SEPTEMBER
    assert response.context["other"] == {
        "in_calls": 1,
        "in_connected": 1,
        "in_talk_seconds": 50,
        "in_effective": 0,
        "internal_calls": 1,
    }


def test_the_rep_page_shows_values_formulas_and_links(calls, login):
    # given
    client = login(calls.s1)
    # when
    page = client.get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09").content.decode()
    # then
    assert '<span data-testid="kpi-call_volume">3</span>' in page
    assert '<span data-testid="kpi-connection_rate">66.7%</span>' in page
    assert '<span data-testid="kpi-avg_talk_seconds">52.5 s</span>' in page
    assert '<span data-testid="kpi-effective_call_rate">50.0%</span>' in page
    assert "= connected calls / call volume" in page
    link = (
        f"/calls/?date_from=2026-09-01&amp;date_to=2026-09-30&amp;direction=outbound"
        f"&amp;rep={calls.r1.pk}&amp;answered=yes"
    )
    assert f'href="{link}" data-testid="fraction-connection_rate">2 / 3</a>' in page
    assert '<div class="value" data-testid="in-calls">1</div>' in page
    assert '<div class="value" data-testid="internal-calls">1</div>' in page


def test_the_kpi_links_list_the_calls_behind_the_numbers(calls, login):
    # given
    client = login(calls.s1)
    rows = {
        r["code"]: r
        for r in client.get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09").context["kpis"]
    }
    # when
    volume = _listed(client.get("/calls/" + rows["call_volume"]["link"]))
    connected = _listed(client.get("/calls/" + rows["connected_calls"]["link"]))
    effective = _listed(client.get("/calls/" + rows["effective_calls"]["link"]))
    # then
    assert (len(volume), len(connected), len(effective)) == (3, 2, 1)


def test_a_kpi_without_a_denominator_is_not_applicable(calls, login):
    # given: R3 had no call in August
    client = login(calls.s2)
    # when
    response = client.get(f"/calls/stats/rep/{calls.r3.pk}/?period=2026-08")
    # then
    kpis = _kpis(response)
    assert kpis["call_volume"] == (0, 0, None)
    assert kpis["connection_rate"] == (None, 0, 0)
    page = response.content.decode()
    assert (
        '<span data-testid="kpi-connection_rate" title="Not applicable: there is nothing to '
        'divide by in this period.">—</span>'
    ) in page


def test_the_trend_covers_every_day_of_the_period(calls, login):
    # given
    client = login(calls.r1)
    # when
    response = client.get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09")
    # then
    trend = response.context["trend"]
    assert len(trend["days"]) == 30
    assert trend["days"][:3] == ["2026-09-01", "2026-09-02", "2026-09-03"]
    assert [s["values"][:3] for s in trend["series"]] == [[2, 1, 0], [1, 1, 0], [1, 0, 0]]
    page = response.content.decode()
    assert '<script id="trend-data" type="application/json">' in page
    embedded = page.split('<script id="trend-data" type="application/json">')[1].split("</script>")
    assert json.loads(embedded[0])["days"] == trend["days"]
    nonce = response.context["csp_nonce"]
    assert f'src="/static/plotly/plotly.min.js" nonce="{nonce}"' in page
    assert f'src="/static/calls/charts.js" nonce="{nonce}"' in page
    assert f'<style id="plotly.js-style-global" nonce="{nonce}"></style>' in page
    assert "cdn" not in page.lower()


def test_plotly_is_served_from_the_installed_package(org, client):
    # when
    response = client.get("/static/plotly/plotly.min.js")
    # then
    assert response.status_code == 200
    assert b"plotly.js" in b"".join(response.streaming_content)[:200]
    assert client.get("/static/calls/charts.js").status_code == 200


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "“2026-13” is not a valid date."),
        ("next month", "“next month” is not a period; use 2026, 2026-Q3, 2026-09"),
        ("2026-09-31", "“2026-09-31” is not a valid date."),
        ("2026-09-30..2026-09-01", "The period ends before it starts."),
        ("2000-01-01..2026-09-30", "Choose a period of at most five years."),
    ],
)
def test_a_bad_period_is_a_message_not_an_error(calls, login, period, message):
    # given
    client = login(calls.s1)
    # when
    rep = client.get(f"/calls/stats/rep/{calls.r1.pk}/", {"period": period})
    team = client.get(f"/calls/stats/team/{calls.t1.pk}/", {"period": period})
    # then
    for response in (rep, team):
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="period-error"' in page
        assert escape(message) in page
        assert "kpis" not in response.context


def test_the_period_defaults_to_the_current_month(calls, login):
    response = login(calls.r1).get(f"/calls/stats/rep/{calls.r1.pk}/")
    assert response.context["period"].code == timezone.localdate().strftime("%Y-%m")


def test_the_period_links_go_back_and_forward(calls, login):
    response = login(calls.r1).get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09")
    assert response.context["neighbours"] == {"previous": "2026-08", "next": "2026-10"}
    quarter = login(calls.r1).get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-Q4")
    assert quarter.context["neighbours"] == {"previous": "2026-Q3", "next": "2027-Q1"}


@pytest.mark.parametrize("who", ["s1", "manager", "hr", "admin"])
def test_the_team_page_computes_the_call_kpis_and_compares_reps(calls, login, who):
    # given
    client = login(getattr(calls, who))
    # when
    response = client.get(f"/calls/stats/team/{calls.t1.pk}/?period=2026-09")
    # then
    assert _kpis(response) == T1_SEPTEMBER
    comparison = {
        row["employee"].employee_no: {c["code"]: c["value"] for c in row["cells"]}
        for row in response.context["comparison"]
    }
    assert set(comparison) == {"R1", "R2"}
    assert comparison["R2"]["call_volume"] == "2"
    assert comparison["R2"]["connection_rate"] == "50.0%"
    assert comparison["R1"]["avg_talk_seconds"].startswith("52.5")
    assert response.context["other"]["in_calls"] == 1
    page = response.content.decode()
    assert f'href="/calls/stats/rep/{calls.r1.pk}/?period=2026-09"' in page


def test_a_team_rep_without_calls_is_compared_with_zeros(calls, login):
    # given
    employee_hire(
        actor=None,
        employee_no="R9",
        name="新人",
        role=Role.REP,
        team=calls.t1,
        manager=calls.s1,
        hire_date=dt.date(2026, 9, 15),
    )
    # when
    response = login(calls.s1).get(f"/calls/stats/team/{calls.t1.pk}/?period=2026-09")
    # then
    rows = {row["employee"].employee_no: row for row in response.context["comparison"]}
    assert set(rows) == {"R1", "R2", "R9"}
    cells = {c["code"]: c for c in rows["R9"]["cells"]}
    assert cells["call_volume"]["value"] == "0"
    assert cells["connection_rate"]["applicable"] is False


def test_a_team_counts_reps_by_their_team_on_each_day(calls, login):
    # given: R2 moves to T2 from 2 September, so their calls of the 2nd are T2's
    from telesales.org.services import employee_transfer

    employee_transfer(actor=None, employee=calls.r2, team=calls.t2, date=dt.date(2026, 9, 2))
    client = login(calls.admin)
    # when
    t1 = _kpis(client.get(f"/calls/stats/team/{calls.t1.pk}/?period=2026-09"))
    t2 = client.get(f"/calls/stats/team/{calls.t2.pk}/?period=2026-09")
    # then
    assert t1["call_volume"] == (3, 3, None)
    assert _kpis(t2)["call_volume"] == (3, 3, None)
    assert {r["employee"].employee_no for r in t2.context["comparison"]} == {"R2", "R3"}


@pytest.mark.parametrize(
    ("who", "rep", "status"),
    [
        ("r1", "r1", 200),
        ("r1", "r2", 404),
        ("r2", "r1", 404),
        ("s1", "r2", 200),
        ("s1", "r3", 404),
        ("s2", "r1", 404),
        ("manager", "r3", 200),
        ("staff", "r1", 404),
        ("hr", "r3", 200),
    ],
)
def test_the_rep_page_follows_scope(calls, login, who, rep, status):
    response = login(getattr(calls, who)).get(f"/calls/stats/rep/{getattr(calls, rep).pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [
        ("s1", "t1", 200),
        ("s1", "t2", 404),
        ("s2", "t1", 404),
        ("manager", "t2", 200),
        ("r1", "t1", 404),
        ("staff", "t1", 404),
        ("hr", "t2", 200),
    ],
)
def test_the_team_page_follows_scope(calls, login, who, team, status):
    response = login(getattr(calls, who)).get(f"/calls/stats/team/{getattr(calls, team).pk}/")
    assert response.status_code == status


def test_an_unknown_rep_or_team_is_404(calls, login):
    client = login(calls.admin)
    assert client.get("/calls/stats/rep/999999/").status_code == 404
    assert client.get("/calls/stats/team/999999/").status_code == 404


def test_the_stats_index_sends_a_rep_to_their_page(calls, login):
    response = login(calls.r1).get("/calls/stats/?period=2026-09")
    assert response.status_code == 302
    assert response["Location"] == f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09"


@pytest.mark.parametrize(
    ("who", "teams", "reps"),
    [
        ("s1", {"T1"}, {"R1", "R2"}),
        ("manager", {"T1", "T2"}, {"R1", "R2", "R3"}),
        ("hr", {"T1", "T2"}, {"R1", "R2", "R3"}),
        ("admin", {"T1", "T2"}, {"R1", "R2", "R3"}),
    ],
)
def test_the_stats_index_lists_visible_teams_and_reps(calls, login, who, teams, reps):
    # when
    response = login(getattr(calls, who)).get("/calls/stats/")
    # then
    assert response.status_code == 200
    listed = response.context["teams"]
    assert {t.code for t in listed} == teams
    assert {r.employee_no for t in listed for r in t.reps} == reps


def test_the_stats_index_is_404_for_staff(calls, login):
    assert login(calls.staff).get("/calls/stats/").status_code == 404


def test_the_stats_pages_queries_are_bounded(calls, login, django_assert_max_num_queries):
    client = login(calls.s1)
    with django_assert_max_num_queries(16):
        assert client.get(f"/calls/stats/team/{calls.t1.pk}/?period=2026-09").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/calls/stats/rep/{calls.r1.pk}/?period=2026-09").status_code == 200


# --- menu --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("r1", {"calls", "call-stats"}),
        ("s1", {"calls", "call-stats"}),
        ("manager", {"calls", "call-stats"}),
        ("hr", {"calls", "call-stats"}),
        ("staff", {"calls"}),
        ("admin", {"calls", "call-stats", "settings"}),
    ],
)
def test_menu_entries(org, login, who, expected):
    response = login(getattr(org, who)).get("/")
    keys = {item["key"] for item in response.context["menu"]}
    assert keys & {"calls", "call-stats", "settings"} == expected


# --- data quality --------------------------------------------------------------------------------


def test_the_quality_page_lists_unmapped_extensions(calls, login):
    # given
    client = login(calls.admin)
    # when
    response = client.get("/calls/quality/")
    # then
    assert response.status_code == 200
    [row] = response.context["unmapped"]
    assert {k: row[k] for k in ("extension", "calls", "first", "last", "outbound", "inbound")} == {
        "extension": "8009",
        "calls": 2,
        "first": dt.date(2026, 9, 5),
        "last": dt.date(2026, 9, 6),
        "outbound": 2,
        "inbound": 0,
    }
    assert row["form"]["valid_from"].value() == dt.date(2026, 9, 5)
    assert response.context["unattributed"] == {"with_extension": 2, "without_extension": 0}
    page = response.content.decode()
    assert 'href="/imports/"' in page
    assert {e.employee_no for e in response.context["reps_without_extension"]} == set()


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_the_quality_page_is_for_administrators(calls, login, who):
    # given
    client = login(getattr(calls, who))
    extensions, audit = Extension.objects.count(), AuditEvent.objects.count()
    # when
    page = client.get("/calls/quality/")
    post = client.post(
        "/calls/quality/map/",
        {"number": "8009", "employee_no": "R3", "valid_from": "2026-09-01"},
    )
    # then
    assert (page.status_code, post.status_code) == (404, 404)
    assert (Extension.objects.count(), AuditEvent.objects.count()) == (extensions, audit)
    assert Call.objects.filter(extension="8009", employee__isnull=True).count() == 2


def test_mapping_an_extension_attributes_its_calls(calls, login):
    # given: a new rep in T2 who used extension 8009
    r4 = employee_hire(
        actor=None,
        employee_no="R4",
        name="张四",
        role=Role.REP,
        team=calls.t2,
        manager=calls.s2,
        hire_date=dt.date(2026, 8, 1),
    )
    client = login(calls.admin)
    # when
    response = client.post(
        "/calls/quality/map/",
        {"number": "8009", "employee_no": "R4", "valid_from": "2026-09-05"},
        follow=True,
    )
    # then: the calls are R4's, with their roll-ups and KPIs
    assert response.status_code == 200
    assert "Extension 8009 belongs to R4 张四 from 2026-09-05; 2 of its calls are now theirs." in (
        response.content.decode()
    )
    assert set(Call.objects.filter(extension="8009").values_list("employee_id", flat=True)) == {
        r4.pk
    }
    days = CallDay.objects.filter(employee=r4).order_by("day")
    assert [(d.day, d.team_id, d.out_calls, d.out_connected) for d in days] == [
        (dt.date(2026, 9, 5), calls.t2.pk, 1, 1),
        (dt.date(2026, 9, 6), calls.t2.pk, 1, 0),
    ]
    assert response.context["unmapped"] == []
    assert Extension.objects.filter(employee=r4, number="8009").count() == 1
    assert AuditEvent.objects.filter(action="extension.assign", actor=calls.admin.user).exists()
    kpis = _kpis(client.get(f"/calls/stats/team/{calls.t2.pk}/?period=2026-09"))
    assert kpis["call_volume"] == (3, 3, None)


def test_mapping_from_a_later_date_leaves_earlier_calls_unmapped(calls, login):
    # given
    r4 = employee_hire(
        actor=None, employee_no="R4", name="张四", team=calls.t2, hire_date=dt.date(2026, 8, 1)
    )
    # when
    login(calls.admin).post(
        "/calls/quality/map/", {"number": "8009", "employee_no": "R4", "valid_from": "2026-09-06"}
    )
    # then
    assert dict(Call.objects.filter(extension="8009").values_list("local_date", "employee")) == {
        dt.date(2026, 9, 5): None,
        dt.date(2026, 9, 6): r4.pk,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"employee_no": "X404", "valid_from": "2026-09-05"}, "There is no employee with"),
        ({"employee_no": "R3", "valid_from": "not a date"}, "Enter a valid date."),
        (
            {"employee_no": "R3", "valid_from": "2026-09-05", "valid_to": "2026-09-01"},
            "The end date must be after the start date.",
        ),
        ({"employee_no": "R1", "valid_from": "2026-09-05"}, None),  # below
    ],
)
def test_a_bad_mapping_is_refused_with_a_message(calls, login, data, message):
    # given: for the last case, 8009 is R2's on 6 September, so R1 cannot have it from the 5th
    from telesales.org.services import extension_assign

    if message is None:
        extension_assign(
            actor=None,
            employee=calls.r2,
            number="8009",
            valid_from=dt.date(2026, 9, 6),
            valid_to=dt.date(2026, 9, 7),
        )
        message = "Extension 8009 already belongs to R2"
    client = login(calls.admin)
    extensions = Extension.objects.count()
    # when
    response = client.post("/calls/quality/map/", {"number": "8009", **data})
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Extension.objects.count() == extensions


def test_a_refused_mapping_of_an_unlisted_extension_is_shown(calls, login):
    # given: 8003 is R3's, and is not among the unmapped extensions
    client = login(calls.admin)
    # when
    response = client.post(
        "/calls/quality/map/", {"number": "8003", "employee_no": "R1", "valid_from": "2026-09-01"}
    )
    # then
    assert response.status_code == 400
    page = response.content.decode()
    assert "Extension 8003 was not mapped: Extension 8003 already belongs to R3" in page
    assert not Extension.objects.filter(number="8003", employee=calls.r1).exists()


def test_mapping_a_bounded_extension_keeps_the_current_one(calls, login):
    # given
    client = login(calls.admin)
    # when: R3 also used 8009 from 5 to 7 September
    client.post(
        "/calls/quality/map/",
        {
            "number": "8009",
            "employee_no": "R3",
            "valid_from": "2026-09-05",
            "valid_to": "2026-09-07",
        },
    )
    # then: R3's own extension 8003 is still theirs after 7 September
    assert Extension.objects.get(employee=calls.r3, number="8003").valid_to is None


def test_the_quality_page_lists_call_imports_with_duplicates_and_rejections(
    org, login, django_capture_on_commit_callbacks
):
    # given: one import, and the same file again with a bad row
    give_extensions(org)
    rows = [outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75)]
    client = login(org.admin)
    first = _upload_calls(client, rows, django_capture_on_commit_callbacks)
    _confirm(client, first, django_capture_on_commit_callbacks)
    bad = outbound("8001", "13812349999", "2026-09-01 11:00:00")
    bad[9] = "yesterday"
    second = _upload_calls(client, [*rows, bad], django_capture_on_commit_callbacks)
    _confirm(client, second, django_capture_on_commit_callbacks)
    # when
    response = client.get("/calls/quality/")
    # then
    runs = {run.pk: run for run in response.context["runs"]}
    assert set(runs) == {first.pk, second.pk}
    assert (runs[second.pk].duplicates, len(runs[second.pk].rejected)) == (1, 1)
    page = response.content.decode()
    assert f'href="/imports/run/{second.pk}/"' in page
    assert f'href="/imports/run/{second.pk}/rejected.csv"' in page
    assert "yesterday" in page


# --- column mappings ------------------------------------------------------------------------------

MAPPING_POST = {
    "action": "save",
    "name": "呼叫中心导出",
    "system": "callcenter",
    "date_order": "dmy",
    "col_call_id": "话单ID",
    "col_start": "开始时间",
    "col_billsec": "通话时长",
    "col_disposition": "状态",
    "col_src": "主叫",
    "col_dst": "被叫",
    "col_extension": "工号",
}


def test_an_administrator_creates_edits_and_deletes_a_mapping(org, login):
    # given
    client = login(org.admin)
    # when: created
    response = client.post("/calls/mappings/new/", MAPPING_POST)
    # then
    assert response.status_code == 302
    mapping = ColumnMapping.objects.get()
    assert (mapping.name, mapping.system, mapping.date_order, mapping.created_by) == (
        "呼叫中心导出",
        "callcenter",
        "dmy",
        org.admin.user,
    )
    assert mapping.columns == {
        "call_id": "话单ID",
        "start": "开始时间",
        "billsec": "通话时长",
        "disposition": "状态",
        "src": "主叫",
        "dst": "被叫",
        "extension": "工号",
    }
    assert "呼叫中心导出" in client.get("/calls/mappings/").content.decode()
    # when: edited
    edit = client.get(f"/calls/mappings/{mapping.pk}/")
    assert edit.context["form"]["col_src"].value() == "主叫"
    client.post(
        f"/calls/mappings/{mapping.pk}/", {**MAPPING_POST, "col_billsec": "", "date_order": "auto"}
    )
    # then
    mapping.refresh_from_db()
    assert "billsec" not in mapping.columns
    assert mapping.date_order == "auto"
    # when: deleted
    client.post(f"/calls/mappings/{mapping.pk}/delete/")
    # then
    assert not ColumnMapping.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="calls.columnmapping")
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [
        ("column_mapping.create", org.admin.user.pk),
        ("column_mapping.update", org.admin.user.pk),
        ("column_mapping.delete", org.admin.user.pk),
    ]
    update = AuditEvent.objects.get(action="column_mapping.update")
    assert update.before["date_order"] == "dmy"
    assert update.after["date_order"] == "auto"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"col_start": ""}, "This field is required."),
        ({"col_dst": "主叫"}, "The column “主叫” is already given for"),
        ({"name": "generic"}, "is the name of a built-in layout"),
        ({"name": "existing"}, "There is already a column mapping named “existing”."),
    ],
)
def test_a_bad_mapping_is_refused(org, login, change, message):
    # given
    from telesales.calls.services import column_mapping_create

    column_mapping_create(
        actor=None,
        name="existing",
        system="generic",
        date_order="auto",
        columns={"start": "a", "src": "b", "dst": "c"},
    )
    client = login(org.admin)
    # when
    response = client.post("/calls/mappings/new/", {**MAPPING_POST, **change})
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ColumnMapping.objects.count() == 1


def test_a_sample_file_fills_in_the_headers(org, login):
    # given
    client = login(org.admin)
    sample = csv_bytes(
        [["A-1", "2026-09-01 10:00:00", "8001", "13812341234", "75", "已接通"]],
        header=["话单ID", "开始时间", "主叫号码", "被叫号码", "通话时长", "呼叫结果"],
    )
    # when
    response = client.post(
        "/calls/mappings/new/",
        {
            "action": "sample",
            "name": "样例",
            "sample": SimpleUploadedFile("sample.csv", sample),
        },
    )
    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert {f: form[f"col_{f}"].value() for f in ("call_id", "start", "src", "dst")} == {
        "call_id": "话单ID",
        "start": "开始时间",
        "src": "主叫号码",
        "dst": "被叫号码",
    }
    assert form["name"].value() == "样例"
    assert response.context["sample"]["columns"][4] == ("通话时长", "75")
    assert '<option value="呼叫结果">' in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_an_unreadable_sample_is_a_form_error(org, login):
    from tests.files import NOT_READABLE, PNG

    response = login(org.admin).post(
        "/calls/mappings/new/",
        {"action": "sample", "sample": SimpleUploadedFile("x.csv", PNG)},
    )
    assert response.status_code == 200
    assert NOT_READABLE in response.content.decode()


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_mappings_are_for_administrators(org, login, who):
    # given
    from telesales.calls.services import column_mapping_create

    mapping = column_mapping_create(
        actor=None,
        name="existing",
        system="generic",
        date_order="auto",
        columns={"start": "a", "src": "b", "dst": "c"},
    )
    client = login(getattr(org, who))
    audit = AuditEvent.objects.count()
    # when
    responses = [
        client.get("/calls/mappings/"),
        client.get("/calls/mappings/new/"),
        client.post("/calls/mappings/new/", MAPPING_POST),
        client.get(f"/calls/mappings/{mapping.pk}/"),
        client.post(f"/calls/mappings/{mapping.pk}/", MAPPING_POST),
        client.post(f"/calls/mappings/{mapping.pk}/delete/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 6
    assert list(ColumnMapping.objects.values_list("name", flat=True)) == ["existing"]
    assert AuditEvent.objects.count() == audit


# --- the calls import options ---------------------------------------------------------------------


def _upload_calls(client, rows, capture, options=None, name="Master.csv") -> ImportRun:
    from tests.calls_files import master_csv

    data = {"file": SimpleUploadedFile(name, master_csv(rows))}
    data.update({f"options-{k}": v for k, v in (options or {}).items()})
    with capture(execute=True):
        response = client.post("/imports/calls/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.order_by("-id").first()


def _confirm(client, run, capture):
    with capture(execute=True):
        client.post(f"/imports/run/{run.pk}/confirm/", {"action": "confirm"})
    run.refresh_from_db()
    return run


def test_the_calls_upload_page_shows_the_options(org, login):
    # given
    from telesales.calls.services import column_mapping_create

    column_mapping_create(
        actor=None,
        name="呼叫中心导出",
        system="generic",
        date_order="auto",
        columns={"start": "a", "src": "b", "dst": "c"},
    )
    client = login(org.admin)
    # when
    page = client.get("/imports/calls/").content.decode()
    other = client.get("/imports/employees/").content.decode()
    # then
    assert 'data-testid="import-options"' in page
    assert 'name="options-format"' in page
    assert '<option value="asterisk-csv">' in page
    assert '<option value="呼叫中心导出">呼叫中心导出</option>' in page
    assert 'name="options-tz"' in page
    assert 'href="/calls/mappings/"' in page
    assert 'data-testid="import-options"' not in other


def test_the_options_become_the_runs_options(org, login, django_capture_on_commit_callbacks):
    # given
    give_extensions(org)
    client = login(org.admin)
    rows = [outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75)]
    # when: a file written in Tokyo time, and a phone-system name
    run = _upload_calls(
        client,
        rows,
        django_capture_on_commit_callbacks,
        {"format": "asterisk-csv", "tz": "Asia/Tokyo", "date_order": "auto", "system": "pbx2"},
    )
    _confirm(client, run, django_capture_on_commit_callbacks)
    # then
    assert run.options == {"format": "asterisk-csv", "tz": "Asia/Tokyo", "system": "pbx2"}
    assert run.status == "done"
    call = Call.objects.get()
    assert (call.system, call.started_at) == ("pbx2", dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC))


def test_no_options_leave_the_importer_its_defaults(org, login, django_capture_on_commit_callbacks):
    # given
    give_extensions(org)
    client = login(org.admin)
    rows = [outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75)]
    # when
    run = _upload_calls(client, rows, django_capture_on_commit_callbacks, {"format": "auto"})
    # then
    assert run.options == {}
    assert run.status == "preview"
    assert "Asterisk" in run.detected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tz": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone"),
        ({"format": "nokia"}, "Select a valid choice."),
        ({"mapping": "nothing"}, "Select a valid choice."),
        ({"date_order": "ydm"}, "Select a valid choice."),
    ],
)
def test_bad_options_are_form_errors_and_nothing_is_created(
    org, login, django_capture_on_commit_callbacks, options, message
):
    # given
    client = login(org.admin)
    data = {"file": SimpleUploadedFile("Master.csv", b"a,b\n")}
    data.update({f"options-{k}": v for k, v in options.items()})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/calls/", data)
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_mapping_with_a_headerless_layout_is_refused(org, login):
    # given
    from telesales.calls.services import column_mapping_create

    column_mapping_create(
        actor=None,
        name="m",
        system="generic",
        date_order="auto",
        columns={"start": "a", "src": "b", "dst": "c"},
    )
    # when
    response = login(org.admin).post(
        "/imports/calls/",
        {
            "file": SimpleUploadedFile("x.csv", b"a,b,c\n"),
            "options-format": "asterisk-csv",
            "options-mapping": "m",
        },
    )
    # then
    assert response.status_code == 200
    assert "A saved column mapping reads a generic export" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_generic_export_imports_through_a_saved_mapping(
    org, login, django_capture_on_commit_callbacks
):
    # given: a mapping made on the page, and an export with its own column names
    give_extensions(org)
    client = login(org.admin)
    client.post("/calls/mappings/new/", MAPPING_POST)
    export = csv_bytes(
        [
            ["C-1", "02/09/2026 10:00:00", "8001", "13812341234", "75", "ANSWERED", "8001"],
            ["C-2", "03/09/2026 11:00:00", "8002", "13812349999", "0", "NO ANSWER", "8002"],
        ],
        header=["话单ID", "开始时间", "主叫", "被叫", "通话时长", "状态", "工号"],
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/imports/calls/",
            {
                "file": SimpleUploadedFile("export.csv", export),
                "options-mapping": "呼叫中心导出",
            },
        )
    run = _confirm(client, ImportRun.objects.get(), django_capture_on_commit_callbacks)
    # then: dates read day first, as the mapping says
    assert (run.status, run.stored, run.rejected) == ("done", 2, [])
    assert run.options == {"mapping": "呼叫中心导出"}
    stored = dict(Call.objects.values_list("call_id", "local_date"))
    assert stored == {"C-1": dt.date(2026, 9, 2), "C-2": dt.date(2026, 9, 3)}
    assert set(Call.objects.values_list("system", flat=True)) == {"callcenter"}
    assert _kpis(client.get(f"/calls/stats/rep/{org.r1.pk}/?period=2026-09"))["call_volume"] == (
        1,
        1,
        None,
    )


# --- in a browser: the chart under the Content-Security-Policy ------------------------------------


@pytest.mark.browser
def test_the_trend_chart_draws_under_the_csp_at_phone_width(calls, live_server, request):
    # given: headless Chromium at phone width (tests/test_browser.py)
    chrome = request.getfixturevalue("chromium")
    console: list[str] = []
    chrome.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    _log_in(chrome, live_server, "s1")
    # when
    chrome.goto(f"{live_server.url}/calls/stats/team/{calls.t1.pk}/?period=2026-09")
    chrome.wait_for_selector("#trend-chart .main-svg")
    # then: plotly drew three lines and nothing was refused or failed
    assert chrome.locator("#trend-chart .scatterlayer .trace").count() == 3
    assert chrome.errors == []
    assert [m for m in console if "Content Security Policy" in m or "CSP" in m] == []
    width = chrome.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1


def test_the_admin_shows_calls_read_only(calls, login):
    # given
    client = login(calls.admin)
    call = Call.objects.filter(employee=calls.r1).first()
    # when
    listing = client.get("/admin/calls/call/")
    detail = client.get(f"/admin/calls/call/{call.pk}/change/")
    days = client.get("/admin/calls/callday/")
    post = client.post(f"/admin/calls/call/{call.pk}/delete/", {"post": "yes"})
    # then
    assert (listing.status_code, detail.status_code, days.status_code) == (200, 200, 200)
    assert post.status_code == 403
    assert Call.objects.filter(pk=call.pk).exists()


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_only_administrators_import_calls(org, login, django_capture_on_commit_callbacks, who):
    # given
    from tests.calls_files import master_csv

    client = login(getattr(org, who))
    data = master_csv([outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75)])
    # when
    page = client.get("/imports/calls/")
    with django_capture_on_commit_callbacks(execute=True):
        post = client.post(
            "/imports/calls/",
            {"file": SimpleUploadedFile("Master.csv", data), "options-tz": "Asia/Tokyo"},
        )
    # then
    assert (page.status_code, post.status_code) == (404, 404)
    assert (ImportRun.objects.count(), Call.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_only_the_most_specific_menu_entry_is_current(client, org):
    # given
    client.force_login(org.s1.user)
    # when
    response = client.get(f"/calls/stats/team/{org.t1.pk}/")
    # then
    current = [item["key"] for item in response.context["menu"] if item["active"]]
    assert response.status_code == 200
    assert current == ["call-stats"]
