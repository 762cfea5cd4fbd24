"""The drill-down from every KPI to its rows (issue 7, PRODUCT.md §5): every code of the
catalogue has rows behind it except the rated KPIs, and the rows page of each kind lists
exactly the rows the KPI counts — its row count equals the KPI's numerator or denominator on
the hand-built examples of each KPI's own tests."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from telesales.core.periods import period_parse
from telesales.kpi import registry
from telesales.kpi.drill import DRILL, FILTERS, KINDS, RATED, drill_url
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.org.scopes import scope_for_employee, scope_for_teams
from tests.test_kpi_calls import calls  # noqa: F401 (fixture)
from tests.test_kpi_feedback import complaints, history, surveys  # noqa: F401 (fixtures)
from tests.test_kpi_people import attainment, leavers, promoted  # noqa: F401 (fixtures)
from tests.test_kpi_qa import reviews  # noqa: F401 (fixture)
from tests.test_kpi_training import sessions  # noqa: F401 (fixture)
from tests.test_kpi_workreports import march  # noqa: F401 (fixture)
from tests.test_reports_pages import funnel  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("english")

MARCH = "2026-03"
JULY = "2026-07"


def _rows(client, code, who, period, **extra):
    """The page behind a KPI's link (with extra filters); its rows, hidden count."""
    url = drill_url(code, who=who, period_code=period)
    for name, value in extra.items():
        url += f"&{name}={value}"
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count, response.context["hidden"]


def _count(client, code, who, period, **extra) -> int:
    count, hidden = _rows(client, code, who, period, **extra)
    assert hidden == 0
    return count


def _kpis(scope, period):
    return kpis_compute(scope, period_parse(period))


# -- the table ---------------------------------------------------------------------------------


def test_every_kpi_of_the_catalogue_except_the_rated_ones_has_rows():
    # given
    registry._load()
    # then: every code (the attainments of kpi/targets included) but the rated ones has a
    # drill-down, and the rated ones have none
    assert set(RATED) == {
        "process_compliance",
        "report_quality",
        "collaboration",
        "superior_evaluation",
    }
    assert set(DEFINITIONS) - set(RATED) - set(DRILL) == set()
    assert set(DRILL) - set(DEFINITIONS) == set()
    assert set(DRILL) & set(RATED) == set()
    assert {"call_volume_attainment", "sales_attainment", "retention_rate"} <= set(DRILL)
    for code, drill in DRILL.items():
        assert drill.kind in KINDS, code
        for name, value in drill.filters:
            assert value in FILTERS[drill.kind][name], code


def test_drill_url_names_the_kind_the_scope_the_period_and_the_filters(db):
    # when
    url = drill_url("connection_rate", who="team-3", period_code="2026-Q3")
    # then
    parts = urlsplit(url)
    assert parts.path == "/analysis/rows/dialled/"
    assert parse_qs(parts.query) == {"who": ["team-3"], "period": ["2026-Q3"], "answered": ["yes"]}
    assert drill_url("csat_rate", who="lead-7", period_code="2026").startswith(
        "/analysis/rows/surveys/?who=lead-7&period=2026"
    )


@pytest.mark.parametrize("code", [*RATED, "no_such_kpi"])
def test_the_rated_kpis_have_no_rows(db, code):
    assert drill_url(code, who="rep-1", period_code="2026-03") is None


def test_an_attainment_has_the_rows_of_its_measure():
    for measure in ("call_volume", "connected_calls", "effective_calls", "intent_customers"):
        assert DRILL[f"{measure}_attainment"].kind == DRILL[measure].kind
        assert DRILL[f"{measure}_attainment"].filters == DRILL[measure].filters
    assert DRILL["sales_attainment"] == DRILL["sales_amount"]
    assert DRILL["deals_won_attainment"] == DRILL["deals_won"]


# -- each kind lists exactly what its KPI counts -----------------------------------------------


def test_dialled_calls_of_a_rep(calls, login):  # noqa: F811
    # given R1 in July: 5 dialled, 3 connected (30, 60, 90 s), 2 effective (≥ 60 s)
    client = login(calls.admin)
    who = f"rep-{calls.r1.pk}"
    values = _kpis(scope_for_employee(calls.r1), JULY)
    assert values["call_volume"].value == 5
    # when / then
    assert _count(client, "call_volume", who, JULY) == 5
    assert _count(client, "connected_calls", who, JULY) == 3
    assert _count(client, "connection_rate", who, JULY) == values["connection_rate"].numerator
    assert _count(client, "effective_calls", who, JULY) == 2
    assert _count(client, "call_volume_attainment", who, JULY) == 5
    response = client.get(drill_url("avg_talk_seconds", who=who, period_code=JULY))
    page = response.context["page"]
    assert sum(c.talk_seconds for c in page) == values["avg_talk_seconds"].numerator == 180
    assert [c.effective for c in page] == [True, True, False]  # 90, 60, 30 s, newest first


def test_dialled_calls_of_a_team_follow_the_roll_ups(calls, login):  # noqa: F811
    # given T1 in July: R1, R2 and E001 (not S1, a supervisor)
    client = login(calls.s1)
    who = f"team-{calls.t1.pk}"
    values = _kpis(scope_for_teams([calls.t1]), JULY)
    # when / then
    for code in ("call_volume", "connected_calls", "effective_calls"):
        assert _count(client, code, who, JULY) == values[code].value, code
    assert (values["call_volume"].value, values["connected_calls"].value) == (11, 5)
    rate = values["effective_call_rate"]
    assert _count(client, "effective_call_rate", who, JULY) == rate.numerator
    assert _count(client, "connected_calls", who, JULY) == rate.denominator
    assert _count(client, "call_volume", who, JULY, answered="no") == 6


def test_intent_customers_and_their_conversion(funnel, login):  # noqa: F811
    client = login(funnel.admin)
    who = f"team-{funnel.t1.pk}"
    values = _kpis(scope_for_teams([funnel.t1]), JULY)
    assert _count(client, "intent_customers", who, JULY) == values["intent_customers"].value == 2
    conversion = values["lead_conversion_rate"]
    assert _count(client, "lead_conversion_rate", who, JULY) == conversion.numerator == 1
    assert _count(client, "intent_customers_attainment", who, JULY) == 2


def test_deals_behind_the_sales_kpis(attainment, login):  # noqa: F811
    client = login(attainment.admin)
    who = f"team-{attainment.t1.pk}"
    values = _kpis(scope_for_teams([attainment.t1]), MARCH)
    # R1, R2, R8 and R9 each won one deal in March
    assert _count(client, "deals_won", who, MARCH) == values["deals_won"].value == 4
    assert _count(client, "sales_attainment", who, MARCH) == 4
    assert _count(client, "deals_won_attainment", who, MARCH) == 4


def test_survey_responses_behind_csat(surveys, login):  # noqa: F811
    # given T1 in March: 4 of 7 responses score 4 or 5
    client = login(surveys.admin)
    who = f"team-{surveys.t1.pk}"
    csat = _kpis(scope_for_teams([surveys.t1]), MARCH)["csat_rate"]
    assert (csat.numerator, csat.denominator) == (4, 7)
    # when / then
    assert _count(client, "csat_rate", who, MARCH) == 4
    assert _count(client, "csat_rate", who, MARCH, satisfied="") == 7
    assert _count(client, "csat_rate", f"rep-{surveys.r1.pk}", MARCH, satisfied="no") == 2


def test_complaints_behind_the_timely_rate(complaints, login):  # noqa: F811
    # given R1's March complaints, as of today (long after March): a, b, g in time; c, d,
    # f not; e (open, due 1 April) now counts as not in time too
    client = login(complaints.admin)
    who = f"rep-{complaints.r1.pk}"
    rate = _kpis(scope_for_employee(complaints.r1), MARCH)["complaint_timely_rate"]
    assert (rate.numerator, rate.denominator) == (3, 7)
    # when / then
    assert _count(client, "complaint_timely_rate", who, MARCH) == 7
    assert _count(client, "complaint_timely_rate", who, MARCH, timely="yes") == 3
    assert _count(client, "complaint_timely_rate", who, MARCH, timely="no") == 4
    response = client.get(drill_url("complaint_timely_rate", who=who, period_code=MARCH))
    states = sorted(t.state for t in response.context["page"])
    assert states == ["late", "late", "overdue", "overdue", "timely", "timely", "timely"]


def test_qa_reviews_behind_the_qa_kpis(reviews, login):  # noqa: F811
    # given T1 in March: 5 reviews, 3 passed (Σ 347)
    client = login(reviews.admin)
    who = f"team-{reviews.t1.pk}"
    values = _kpis(scope_for_teams([reviews.t1]), MARCH)
    # when / then
    assert _count(client, "qa_score_avg", who, MARCH) == values["qa_score_avg"].denominator == 5
    assert _count(client, "qa_pass_rate", who, MARCH) == values["qa_pass_rate"].numerator == 3
    response = client.get(drill_url("qa_score_avg", who=who, period_code=MARCH))
    assert sum(r.score for r in response.context["page"]) == Decimal("347.00")


def test_training_rows_behind_the_training_kpis(sessions, login):  # noqa: F811
    client = login(sessions.admin)
    who = f"team-{sessions.t1.pk}"
    values = _kpis(scope_for_teams([sessions.t1]), MARCH)
    completion = values["training_completion_rate"]
    # when / then
    assert _count(client, "training_completion_rate", who, MARCH) == completion.denominator
    assert _count(client, "training_completion_rate", who, MARCH, held="yes") == (
        completion.numerator
    )
    effect = values["training_effect"]
    response = client.get(drill_url("training_effect", who=who, period_code=MARCH))
    page = response.context["page"]
    assert page.paginator.count == effect.denominator
    assert sum(r.change for r in page) == effect.numerator
    skill = values["skill_score_avg"]
    response = client.get(drill_url("skill_score_avg", who=who, period_code=MARCH))
    assert response.context["page"].paginator.count == skill.denominator
    assert sum(r.score for r in response.context["page"]) == skill.numerator


def test_the_headcount_and_the_leavers_behind_retention(leavers, login):  # noqa: F811
    # given T1 in March: 5 reps on the 1st, 4 on the 31st, R5 left: (4.5 − 1) / 4.5
    client = login(leavers.admin)
    who = f"team-{leavers.t1.pk}"
    retention = _kpis(scope_for_teams([leavers.t1]), MARCH)["retention_rate"]
    # when
    first = _count(client, "retention_rate", who, MARCH, on="first")
    last = _count(client, "retention_rate", who, MARCH, on="last")
    left = _count(client, "retention_rate", who, MARCH, left="yes")
    everyone = _count(client, "retention_rate", who, MARCH)
    # then
    assert (first, last, left, everyone) == (5, 4, 1, 6)
    assert Decimal(first + last) / 2 == retention.denominator
    assert retention.denominator - left == retention.numerator


def test_the_promotion_events(promoted, login):  # noqa: F811
    client = login(promoted.admin)
    who = f"team-{promoted.t1.pk}"
    value = _kpis(scope_for_teams([promoted.t1]), MARCH)["promotions"]
    response = client.get(drill_url("promotions", who=who, period_code=MARCH))
    people = [e.person.employee_no for e in response.context["page"]]
    assert value.value == len(people) == 2
    assert people == ["R2", "R1"]  # newest first


def test_the_reps_with_their_two_attainments(attainment, login):  # noqa: F811
    client = login(attainment.admin)
    who = f"team-{attainment.t1.pk}"
    share = _kpis(scope_for_teams([attainment.t1]), MARCH)["attainment_improved_share"]
    response = client.get(drill_url("attainment_improved_share", who=who, period_code=MARCH))
    rows = list(response.context["page"])
    assert [r.employee.employee_no for r in rows] == ["R1", "R2"]
    assert [(r.before_shown, r.after_shown, r.improved) for r in rows] == [
        ("50.0%", "80.0%", True),
        ("60.0%", "30.0%", False),
    ]
    assert len(rows) == share.denominator
    improved = _count(client, "attainment_improved_share", who, MARCH, improved="yes")
    assert improved == share.numerator == 1


def test_the_reports_due_with_their_on_time_state(march, login):  # noqa: F811
    # given S1's March reports, all due by now: W09, W12, W13 on time of 6
    client = login(march.admin)
    who = f"rep-{march.s1.pk}"
    rate = _kpis(scope_for_employee(march.s1), MARCH)["report_timeliness"]
    assert (rate.numerator, rate.denominator) == (3, 6)
    # when / then
    assert _count(client, "report_timeliness", who, MARCH) == 6
    assert _count(client, "report_timeliness", who, MARCH, on_time="yes") == 3
    team = _kpis(scope_for_teams([march.t2]), MARCH)["report_timeliness"]
    assert _count(client, "report_timeliness", f"team-{march.t2.pk}", MARCH) == team.denominator


def test_a_rep_owes_no_reports_and_their_page_is_empty(march, login):  # noqa: F811
    client = login(march.r1)
    assert _count(client, "report_timeliness", f"rep-{march.r1.pk}", MARCH) == 0


def test_the_page_shows_the_columns_and_masked_numbers(calls, login_en):  # noqa: F811
    # given S1 sees R1's calls, not as the owner: numbers are masked
    client = login_en(calls.s1)
    url = drill_url("call_volume", who=f"rep-{calls.r1.pk}", period_code=JULY)
    # when
    page = client.get(url).content.decode()
    # then
    assert "Dialled calls" in page
    assert "138****8000" in page and "13800138000" not in page
    assert "Connected, not effective" in page
    assert "at least 60 s of talk" in page


def test_a_period_is_required_to_be_valid(org, login):
    response = login(org.admin).get("/analysis/rows/surveys/?period=2026-13")
    assert response.status_code == 200
    assert "page" not in response.context


def test_dates_outside_the_period_are_left_out(surveys, login):  # noqa: F811
    client = login(surveys.admin)
    who = f"rep-{surveys.r1.pk}"
    assert _count(client, "csat_rate", who, "2026-02", satisfied="") == 1
    assert _count(client, "csat_rate", who, "2026-05", satisfied="") == 0
