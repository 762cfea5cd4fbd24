"""The annual summary (PRODUCT.md §6.4, §8 `appraisal annual`): the quarterly totals (published
snapshot, else provisional), the weighted annual total with a missing quarter's weight shared,
the grade with the scheme's bands, each KPI's mean over the quarters it scored in, the weights
setting, the viewer's scope, the page and the command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from telesales.appraisal.annual import (
    ANNUAL_WEIGHTS_SETTING,
    annual_compute,
    annual_weights_parse,
    valid_annual_weights,
)
from telesales.core.config import setting_set
from telesales.core.models import Setting
from tests.test_appraisal_results_helpers import appraisal_of, kpi, publish

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def year(org):
    """R1: Q1 80 (B), Q2 90 (A), no Q3, Q4 70 (C), all published; R3 only has Q1 85 (A)."""
    publish(
        org,
        org.r1,
        "2026-Q1",
        80,
        "B",
        kpis=[kpi("sales_attainment", 70), kpi("qa_score_avg", 50, category="efficiency")],
    )
    publish(
        org,
        org.r1,
        "2026-Q2",
        90,
        "A",
        kpis=[kpi("sales_attainment", 91.5), kpi("qa_score_avg", None, applicable=False)],
    )
    publish(org, org.r1, "2026-Q4", 70, "C", kpis=[kpi("sales_attainment", 60.25)])
    publish(org, org.r3, "2026-Q1", 85, "A")
    return org


def _row(payload, no):
    return next(row for row in payload["appraisals"] if row["employee_no"] == no)


def test_annual_total_with_a_missing_quarter_shares_its_weight(year):
    # when
    payload = annual_compute(year=2026)
    # then: (25×80 + 25×90 + 25×70) / 75 = (80+90+70)/3 = 80.00 → B (75 ≤ 80 < 85)
    r1 = _row(payload, "R1")
    assert (r1["total"], r1["grade"], r1["scheme"]) == (80.0, "B", "rep-default")
    assert [(q["period"], q["total"], q["grade"], q["published"]) for q in r1["quarters"]] == [
        ("2026-Q1", 80.0, "B", True),
        ("2026-Q2", 90.0, "A", True),
        ("2026-Q3", None, None, False),
        ("2026-Q4", 70.0, "C", True),
    ]
    # each counted quarter's weight after sharing: 25 × 100 / 75 = 33.33
    assert [(q["weight"], q["effective_weight"]) for q in r1["quarters"]] == [
        (25, 33.33),
        (25, 33.33),
        (25, 0),
        (25, 33.33),
    ]
    # R3 has only Q1: the year is Q1's 85 → A
    assert (_row(payload, "R3")["total"], _row(payload, "R3")["grade"]) == (85.0, "A")


def test_annual_total_with_configured_weights(year):
    # given weights 10,20,30,40 and Q3 missing
    setting_set(actor=year.hr.user, key=ANNUAL_WEIGHTS_SETTING, value="10,20,30,40")
    # when
    r1 = _row(annual_compute(year=2026), "R1")
    # then: (10×80 + 20×90 + 40×70) / 70 = 5400 / 70 = 77.142… → 77.14 → B
    assert (r1["total"], r1["grade"]) == (77.14, "B")
    assert [q["effective_weight"] for q in r1["quarters"]] == [14.29, 28.57, 0, 57.14]


def test_kpi_and_category_means_over_the_quarters_they_scored_in(year):
    # when
    r1 = _row(annual_compute(year=2026), "R1")
    # then: sales_attainment (70 + 91.5 + 60.25) / 3 = 73.9166… → 73.92;
    # qa_score_avg scored only in Q1 (not applicable in Q2, absent in Q4): 50.00 over 1
    assert r1["kpis"] == [
        {"kpi": "sales_attainment", "category": "results", "score": 73.92, "quarters": 3},
        {"kpi": "qa_score_avg", "category": "efficiency", "score": 50.0, "quarters": 1},
    ]
    # the category results: (80 + 90 + 70) / 3 = 80.00
    assert r1["categories"] == [{"code": "results", "score": 80.0, "quarters": 3}]


def test_a_quarter_not_yet_published_counts_provisionally(org):
    # given R2's Q1 appraisal is open, not published
    appraisal_of(org, org.r2, "2026-Q1")
    # when
    r2 = _row(annual_compute(year=2026), "R2")
    published_only = _row(annual_compute(year=2026, published_only=True), "R2")
    # then
    assert (r2["quarters"][0]["status"], r2["quarters"][0]["published"]) == ("draft", False)
    assert published_only["quarters"][0]["total"] is None
    assert published_only["total"] is None


def test_scope_a_supervisor_sees_their_team_and_a_rep_their_own_year(year):
    assert [
        r["employee_no"] for r in annual_compute(year=2026, user=year.s1.user)["appraisals"]
    ] == [
        "R1",
        "R2",
    ]
    assert [
        r["employee_no"] for r in annual_compute(year=2026, user=year.r1.user)["appraisals"]
    ] == ["R1"]
    assert annual_compute(year=2026, user=year.staff.user)["appraisals"] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25,25,25", "Give four weights, for Q1 to Q4, separated by commas, e.g. “25,25,25,25”."),
        ("25,25,25,x", "The weight of Q4, “x”, is not a number of 0 or more."),
        ("50,50,-10,10", "The weight of Q3, “-10”, is not a number of 0 or more."),
        ("25,25,25,20", "The quarter weights must sum to 100, not 95."),
    ],
)
def test_weights_setting_refuses_bad_text_and_stores_nothing(org, text, message):
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        annual_weights_parse(text)
    with pytest.raises(ValidationError) as error:
        valid_annual_weights(text)
    assert error.value.messages == [message]
    assert Setting.objects.filter(key=ANNUAL_WEIGHTS_SETTING).count() == 0


def test_weights_setting_on_the_settings_page_refuses_a_bad_sum(org, login_en):
    # when
    client = login_en(org.admin)
    form = client.get("/settings/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data[ANNUAL_WEIGHTS_SETTING.replace(".", "__")] = "30,30,30,30"
    response = client.post("/settings/", data)
    # then
    assert response.status_code == 200
    assert "The quarter weights must sum to 100, not 120." in response.content.decode()
    assert Setting.objects.filter(key=ANNUAL_WEIGHTS_SETTING).count() == 0


def test_annual_refuses_a_bad_year_or_scheme(org):
    from telesales.appraisal.schemes import SchemeNotFound

    with pytest.raises(ValidationError) as error:
        annual_compute(year="20x6")
    assert error.value.messages == ["“20x6” is not a year such as 2026."]
    with pytest.raises(SchemeNotFound, match="There is no appraisal scheme with the code “nope”"):
        annual_compute(year=2026, scheme_code="nope")


# --- the page ---------------------------------------------------------------------------


def test_annual_page_shows_the_viewers_scope(year, login_en):
    # when
    supervisor = login_en(year.s1).get("/appraisal/annual/?year=2026")
    rep = login_en(year.r3).get("/appraisal/annual/?year=2026")
    # then
    assert supervisor.status_code == 200
    # R2's appraisals are open but unpublished: a provisional row
    assert [r["employee_no"] for r in supervisor.context["payload"]["appraisals"]] == ["R1", "R2"]
    text = supervisor.content.decode()
    assert "80.00" in text and "Annual summary" in text
    assert [r["employee_no"] for r in rep.context["payload"]["appraisals"]] == ["R3"]


def test_annual_page_with_a_bad_year_says_so(org, login_en):
    response = login_en(org.hr).get("/appraisal/annual/?year=abc")
    assert response.status_code == 200
    assert "“abc” is not a year such as 2026." in response.content.decode()


def test_annual_page_queries_do_not_grow_with_people(org, login, django_assert_max_num_queries):
    # given one published quarter for R1 (and nobody else appraised)
    from telesales.appraisal.models import Appraisal

    publish(org, org.r1, "2026-Q1", 80, "B")
    Appraisal.objects.exclude(employee=org.r1).delete()
    client = login(org.hr)
    client.get("/appraisal/annual/?year=2026")  # warm caches
    with django_assert_max_num_queries(20) as small:
        client.get("/appraisal/annual/?year=2026&scheme=")
    # when two more people are published
    publish(org, org.r2, "2026-Q1", 70, "C")
    publish(org, org.r3, "2026-Q1", 60, "C")
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/appraisal/annual/?year=2026")
    assert len(response.context["payload"]["appraisals"]) == 3


# --- the command --------------------------------------------------------------------------


def _run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("appraisal", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_annual_json(year):
    # when
    code, out, err = _run("annual", "--year", "2026", "--json")
    # then
    payload = json.loads(out)
    assert (code, err) == (0, "")
    assert payload["year"] == 2026
    assert payload["weights"] == {"Q1": 25, "Q2": 25, "Q3": 25, "Q4": 25}
    r1 = _row(payload, "R1")
    assert "employee_id" not in r1
    assert (r1["total"], r1["grade"], r1["quarters"][2]["total"]) == (80.0, "B", None)


def test_command_annual_as_a_user_and_its_table(year):
    # when
    code, out, _err = _run("annual", "--year", "2026", "--user", year.r3.user.username)
    # then
    assert code == 0
    assert (
        out == "R3 张三 · rep-default · 2026: Q1 85.00  Q2 —  Q3 —  Q4 — → total 85.00, grade A\n"
    )


def test_command_annual_refuses_an_unknown_user_scheme_or_year(org):
    assert _run("annual", "--year", "2026", "--user", "nobody") == (
        1,
        "",
        "There is no user nobody.\n",
    )
    assert _run("annual", "--year", "2026", "--scheme", "nope", "--json") == (
        1,
        json.dumps(
            {"error": "There is no appraisal scheme with the code “nope”."}, ensure_ascii=False
        )
        + "\n",
        "There is no appraisal scheme with the code “nope”.\n",
    )
    assert _run("annual", "--year", "26x")[0] == 1
