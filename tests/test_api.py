"""The read-only JSON API: KPIs and appraisal results within the user's scope (PRODUCT.md §2),
through the same functions as the pages and commands; out of scope is refused and nothing is
changed (the API writes nothing)."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Appraisal, AppraisalStatus
from telesales.appraisal.workflow import appraisal_transition
from telesales.sales.services import product_upsert
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def sold(org):
    """R1 won 30,000 on 7 July 2026."""
    product, _ = product_upsert(
        actor=None, code="P1", name="产品", key_product=False, unit_price=None
    )
    deal("D1", org.r1, product, "30000", "9000", "2026-07-07")
    return org


def test_kpis_of_a_rep_as_the_command_prints_them(sold, login_en):
    # when S1 asks for R1's July
    response = login_en(sold.s1).get("/api/kpis/", {"period": "2026-07", "scope": "R1"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["scope"]) == ("2026-07", "R1")
    assert body["kpis"]["sales_amount"]["value"] == 30000
    assert body["kpis"]["deals_won"]["value"] == 1
    # a rate over nothing is null, never 0
    assert body["kpis"]["connection_rate"]["value"] is None
    assert body["kpis"]["sales_amount"]["label"] == "Sales amount"


@pytest.mark.parametrize(
    ("who", "scope"), [("r2", "R1"), ("s2", "R1"), ("s2", "team:T1"), ("staff", "R1")]
)
def test_kpis_out_of_scope_are_refused_as_if_absent(sold, login_en, who, scope):
    # when
    response = login_en(getattr(sold, who)).get("/api/kpis/", {"period": "2026-07", "scope": scope})
    # then
    assert response.status_code == 400
    assert "There is no" in response.json()["detail"]


def test_bad_parameters_are_named(sold, login_en):
    client = login_en(sold.s1)
    assert client.get("/api/kpis/", {"period": "July", "scope": "R1"}).status_code == 400
    response = client.get("/api/appraisals/", {"period": "2026-Q3", "page": "x"})
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "The page must be a whole number.",
    )


def test_an_anonymous_caller_is_refused(sold, client):
    assert client.get("/api/kpis/", {"period": "2026-07", "scope": "R1"}).status_code in (401, 403)
    assert client.get("/api/appraisals/", {"period": "2026-Q3"}).status_code in (401, 403)


def test_basic_authentication_for_scripts(sold, client):
    # given H1's login (the org fixture's password)
    user = sold.hr.user
    user.set_password("s3cret-pass")
    user.save()
    token = base64.b64encode(f"{user.username}:s3cret-pass".encode()).decode()
    # when
    response = client.get(
        "/api/kpis/", {"period": "2026-07", "scope": "team:T1"}, HTTP_AUTHORIZATION=f"Basic {token}"
    )
    # then
    assert (response.status_code, response.json()["kpis"]["sales_amount"]["value"]) == (200, 30000)


@pytest.fixture
def cycle(sold):
    cycle, _ = appraisal_open(actor=sold.hr.user, scheme_code="rep-default", period_code="2026-Q3")
    return cycle


def test_appraisals_are_those_the_user_sees(sold, cycle, login_en):
    # when
    by_rep = login_en(sold.r1).get("/api/appraisals/", {"period": "2026-Q3"}).json()
    by_s1 = login_en(sold.s1).get("/api/appraisals/", {"period": "2026-Q3"}).json()
    by_hr = login_en(sold.hr).get("/api/appraisals/", {"period": "2026-Q3"}).json()
    # then a rep sees their own, S1 T1's reps, HR everyone
    assert [a["employee_no"] for a in by_rep["appraisals"]] == ["R1"]
    assert [a["employee_no"] for a in by_s1["appraisals"]] == ["R1", "R2"]
    assert [a["employee_no"] for a in by_hr["appraisals"]] == ["R1", "R2", "R3"]
    assert by_hr["count"] == 3
    first = by_rep["appraisals"][0]
    assert (first["status"], first["scheme"], first["period"]) == (
        "draft",
        "rep-default",
        "2026-Q3",
    )
    assert {"total", "grade", "categories", "kpis"} <= set(first)


def test_one_appraisal_out_of_scope_is_404_and_a_published_one_is_its_snapshot(
    sold, cycle, login_en
):
    # given R3's appraisal (T2)
    r3 = cycle.appraisals.get(employee=sold.r3)
    # when / then
    assert login_en(sold.r1).get(f"/api/appraisals/{r3.pk}/").status_code == 404
    assert login_en(sold.s1).get(f"/api/appraisals/{r3.pk}/").status_code == 404
    # given R1's appraisal published
    r1 = cycle.appraisals.get(employee=sold.r1)
    now = timezone.now()
    Appraisal.objects.filter(pk=r1.pk).update(appraisee_agreed_at=now, rater_agreed_at=now)
    for status in ("agreed", "in_progress", "rating"):
        r1 = appraisal_transition(actor=sold.s1.user, appraisal=r1, to_status=status)
    appraisal_transition(actor=sold.hr.user, appraisal=r1, to_status=AppraisalStatus.PUBLISHED)
    # when
    body = login_en(sold.r1).get(f"/api/appraisals/{r1.pk}/").json()
    # then
    assert (body["status"], body["snapshot_version"], body["id"]) == ("published", 1, r1.pk)
    assert "scheme_yaml" not in body


def test_the_schema_describes_the_endpoints(sold, login_en):
    response = login_en(sold.hr).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/kpis/" in text and "/api/appraisals/{id}/" in text
