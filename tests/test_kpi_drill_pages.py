"""The rows pages of the drill-down (issue 7): scope (a rep sees their own rows only, a
supervisor the teams they lead, `lead-<pk>` only when every team led is visible, rows of
people out of scope counted and not listed), the analysis cards' links from the one table,
and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telesales.calls.models import Call
from telesales.feedback.models import SurveyResponse, Ticket
from telesales.kpi.drill import DRILL, KINDS, drill_url
from telesales.org.models import EmployeeEvent, Role
from telesales.org.services import (
    employee_promote,
    employee_transfer,
    team_ensure,
    team_set_supervisor,
)
from telesales.qa.models import Review
from telesales.reports.views import TEAM_KPIS
from telesales.sales.models import Deal
from tests.conftest import _person
from tests.test_kpi_calls import calls  # noqa: F401 (fixture)
from tests.test_kpi_feedback import (  # noqa: F401 (fixtures)
    _complaint,
    _survey,
    complaints,
    history,
    surveys,
)
from tests.test_kpi_people import _target, attainment, leavers, promoted  # noqa: F401
from tests.test_kpi_qa import S87, _review, reviews  # noqa: F401 (fixture)
from tests.test_kpi_sales import deal
from tests.test_kpi_training import _session, sessions  # noqa: F401 (fixture)
from tests.test_kpi_workreports import _write, march  # noqa: F401 (fixture)
from tests.test_qa_support import make_calls

pytestmark = pytest.mark.usefixtures("english")

MARCH = "period=2026-03"
NEW_KINDS = [
    "dialled",
    "surveys",
    "complaints",
    "reviews",
    "sessions",
    "course-results",
    "skills",
    "headcount",
    "promotions",
    "attainment",
    "reports",
]


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Call, SurveyResponse, Ticket, Review, Deal, EmployeeEvent)
    }


# -- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_a_rep_sees_only_their_own_rows(surveys, login, kind):  # noqa: F811
    # given
    client = login(surveys.r1)
    before = _counts()
    # when / then
    assert client.get(f"/analysis/rows/{kind}/?{MARCH}").status_code == 200
    assert client.get(f"/analysis/rows/{kind}/?who=rep-{surveys.r1.pk}&{MARCH}").status_code == 200
    for who in (f"rep-{surveys.r3.pk}", f"team-{surveys.t1.pk}", "all", f"lead-{surveys.s1.pk}"):
        assert client.get(f"/analysis/rows/{kind}/?who={who}&{MARCH}").status_code == 404, who
    assert _counts() == before


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_department_staff_see_no_rows(org, login, kind):
    assert login(org.staff).get(f"/analysis/rows/{kind}/?{MARCH}").status_code == 404


def test_a_supervisor_sees_the_teams_they_lead_and_no_other_supervisors(org, login_en):
    # given
    client = login_en(org.s1)
    before = _counts()
    # when
    own = client.get(f"/analysis/rows/surveys/?who=lead-{org.s1.pk}&{MARCH}")
    # then
    assert own.status_code == 200
    assert own.context["who"].scope.team_ids == (org.t1.pk,)
    assert own.context["who"].scope.code == "supervisor:S1"
    labels = dict(own.context["choices"])
    assert labels[f"lead-{org.s1.pk}"] == f"Teams led by {org.s1}"
    for who in (f"lead-{org.s2.pk}", f"lead-{org.manager.pk}", f"lead-{org.r1.pk}", "lead-x"):
        assert client.get(f"/analysis/rows/surveys/?who={who}&{MARCH}").status_code == 404, who
    assert _counts() == before


def test_lead_is_refused_unless_every_team_led_is_visible(org, login):
    # given S2 joins T1 as a member: S1 now sees S2, but not T2, the team S2 leads
    employee_transfer(actor=None, employee=org.s2, team=org.t1, date=dt.date(2026, 3, 1))
    client = login(org.s1)
    assert client.get(f"/people/{org.s2.pk}/").status_code in (200, 302)
    # when / then
    assert client.get(f"/analysis/rows/surveys/?who=lead-{org.s2.pk}&{MARCH}").status_code == 404
    # the manager above both sees every team S2 leads
    manager = login(org.manager)
    response = manager.get(f"/analysis/rows/surveys/?who=lead-{org.s2.pk}&{MARCH}")
    assert response.status_code == 200
    assert response.context["who"].scope.team_ids == (org.t2.pk,)


def test_a_supervisor_of_two_teams_leads_both(org, login):
    # given S1 also leads T3
    t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    team_set_supervisor(actor=None, team=t3, supervisor=org.s1)
    # when
    response = login(org.hr).get(f"/analysis/?who=lead-{org.s1.pk}&{MARCH}")
    # then
    assert response.status_code == 200
    assert response.context["who"].scope.team_ids == (org.t1.pk, t3.pk)


def test_a_leader_of_no_team_is_a_404(org, login):
    client = login(org.admin)
    assert client.get(f"/analysis/rows/surveys/?who=lead-{org.r1.pk}&{MARCH}").status_code == 404
    assert client.get(f"/analysis/rows/surveys/?who=lead-999999&{MARCH}").status_code == 404


def test_rows_of_people_now_out_of_scope_are_counted_not_listed(surveys, login_en):  # noqa: F811
    # given R3 answered a 5 in T2 on 10 March, then moved to T1: S2 no longer sees R3
    client = login_en(surveys.s2)
    # when
    response = client.get(f"/analysis/rows/surveys/?who=team-{surveys.t2.pk}&{MARCH}")
    # then
    assert list(response.context["page"]) == []
    assert response.context["hidden"] == 1
    assert "1 more row counts in the figures" in response.content.decode()


def test_listed_rows_of_a_list_kind_are_scoped_too(promoted, login):  # noqa: F811
    # given R3 (promoted on 12 March in T2) moves to T1 in April: S2 no longer sees R3
    employee_transfer(actor=None, employee=promoted.r3, team=promoted.t1, date=dt.date(2026, 4, 1))
    # when
    response = login(promoted.s2).get(
        f"/analysis/rows/promotions/?who=team-{promoted.t2.pk}&{MARCH}"
    )
    # then
    assert list(response.context["page"]) == []
    assert response.context["hidden"] == 1


# -- the analysis page takes its links from the one table ----------------------------------------


def test_every_card_links_to_its_rows_from_drill_url(org, login):
    # when
    response = login(org.manager).get(f"/analysis/?who=lead-{org.s1.pk}&{MARCH}")
    # then
    assert response.status_code == 200
    cards = response.context["figures"] + response.context["team_figures"]
    assert {card["code"] for card in response.context["team_figures"]} == set(TEAM_KPIS)
    for card in cards:
        expected = drill_url(card["code"], who=f"lead-{org.s1.pk}", period_code="2026-03")
        assert card["link"] == expected, card["code"]
        assert card["link_text"] == DRILL[card["code"]].text
    page = response.content.decode()
    assert f"/analysis/rows/reviews/?who=lead-{org.s1.pk}" in page


def test_every_kind_opens_for_a_team(org, login):
    client = login(org.admin)
    for kind in KINDS:
        response = client.get(f"/analysis/rows/{kind}/?who=team-{org.t1.pk}&{MARCH}")
        assert response.status_code == 200, kind
        # nothing happened in March but R1 and R2 being there and S1 owing six reports
        # (W09, February, W10 to W13), none written
        expected = {"headcount": 2, "reports": 6}.get(kind, 0)
        assert response.context["page"].paginator.count == expected, kind


# -- query counts do not grow with the rows ------------------------------------------------------


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.context["page"].paginator.count


def _bounded(client, url, add) -> None:
    """The page's queries with the rows there are, then with more rows: the same number."""
    client.get(url)  # warm the settings and caches
    before, rows_before = _queries(client, url)
    assert rows_before > 0
    add()
    after, rows_after = _queries(client, url)
    assert rows_after > rows_before
    assert after == before


def test_dialled_calls_queries_are_bounded(calls, login):  # noqa: F811
    client = login(calls.s1)
    url = drill_url("call_volume", who=f"team-{calls.t1.pk}", period_code="2026-07")
    _bounded(
        client,
        url,
        lambda: make_calls([("R1", f"2026-07-2{n} 10:00:00", 70) for n in range(5)]),
    )


def test_survey_queries_are_bounded(surveys, login):  # noqa: F811
    client = login(surveys.s1)
    url = drill_url("csat_rate", who=f"team-{surveys.t1.pk}", period_code="2026-03") + "&satisfied="

    def add():
        for day in range(2, 8):
            _survey(surveys.r1, f"2026-03-0{day}", 5)

    _bounded(client, url, add)


def test_complaint_queries_are_bounded(complaints, login):  # noqa: F811
    client = login(complaints.s1)
    url = drill_url("complaint_timely_rate", who=f"team-{complaints.t1.pk}", period_code="2026-03")

    def add():
        for day in range(2, 6):
            _complaint(complaints, complaints.r1, f"2026-03-0{day}T09:00")

    _bounded(client, url, add)


def test_review_queries_are_bounded(reviews, login):  # noqa: F811
    client = login(reviews.s1)
    url = drill_url("qa_score_avg", who=f"team-{reviews.t1.pk}", period_code="2026-03")

    def add():
        made = make_calls([("R1", f"2026-03-0{n} 11:00:00", 100) for n in range(2, 6)])
        for call in made:
            _review(reviews.admin.user, call, S87, "2026-03-15 09:00")

    _bounded(client, url, add)


@pytest.mark.parametrize("code", ["training_completion_rate", "training_effect", "skill_score_avg"])
def test_training_queries_are_bounded(sessions, login, code):  # noqa: F811
    client = login(sessions.s1)
    url = drill_url(code, who=f"team-{sessions.t1.pk}", period_code="2026-03")
    org = sessions
    kind = {"training_effect": "course", "skill_score_avg": "skill"}.get(code, "course")
    pre = None if kind == "skill" else Decimal(50)

    def add():
        for day in ("2026-03-20", "2026-03-21"):
            _session(
                day,
                [org.r1, org.r3],
                kind=kind,
                scores=[(org.r1, pre, Decimal(60)), (org.r3, pre, Decimal(70))],
            )

    _bounded(client, url, add)


def test_headcount_queries_are_bounded(leavers, login):  # noqa: F811
    client = login(leavers.admin)
    url = drill_url("retention_rate", who=f"team-{leavers.t1.pk}", period_code="2026-03")

    def add():
        for n in range(3):
            _person(f"RX{n}", f"新{n}", Role.REP, team=leavers.t1, manager=leavers.s1)

    _bounded(client, url, add)


def test_promotion_queries_are_bounded(promoted, login):  # noqa: F811
    client = login(promoted.admin)
    url = drill_url("promotions", who=f"team-{promoted.t1.pk}", period_code="2026-03")

    def add():
        # more promotions on a day that already has one (the KPI reads one day at a time)
        for n in range(3):
            rep = _person(f"RP{n}", f"升{n}", Role.REP, team=promoted.t1, manager=promoted.s1)
            employee_promote(actor=None, employee=rep, date=dt.date(2026, 3, 5), position="高级")

    _bounded(client, url, add)


def test_attainment_queries_are_bounded(attainment, login):  # noqa: F811
    client = login(attainment.admin)
    url = drill_url(
        "attainment_improved_share", who=f"team-{attainment.t1.pk}", period_code="2026-03"
    )

    def add():
        for n in range(3):
            rep = _person(f"RA{n}", f"达{n}", Role.REP, team=attainment.t1, manager=attainment.s1)
            _target(rep, "2026-02", 10000)
            _target(rep, "2026-03", 10000)

    _bounded(client, url, add)


def test_report_queries_are_bounded(march, login):  # noqa: F811
    client = login(march.admin)
    url = drill_url("report_timeliness", who=f"team-{march.t1.pk}", period_code="2026-Q1")

    def add():
        # S1 writes the January reports that were missing (more stored rows, the same list)
        # and a new supervisor of a new team owes reports too
        _write(march.s1, "weekly", "2026-01-05", "2026-01-11T09:00")
        _write(march.s1, "weekly", "2026-01-12", "2026-01-18T09:00")

    before, rows = _queries(client, url)
    add()
    after, rows_after = _queries(client, url)
    assert rows_after == rows and after == before


def test_deal_queries_are_bounded(org, login):
    client = login(org.s1)
    product = _product()
    deal("DQ1", org.r1, product, "10", "1", "2026-03-03")
    url = drill_url("deals_won", who=f"team-{org.t1.pk}", period_code="2026-03")

    def add():
        for n in range(2, 5):
            deal(f"DQ{n}", org.r2, product, "10", "1", "2026-03-04")

    _bounded(client, url, add)


def _product():
    from telesales.sales.services import product_upsert

    product, _ = product_upsert(
        actor=None, code="PQ", name="产品", key_product=False, unit_price=None
    )
    return product
