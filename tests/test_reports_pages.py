"""The analysis pages (issue 4, source §2.4.2): Wilson intervals, the sales and CRM figures
with the rows behind them, the funnel, the comparison of reps, their scope and their
query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from telesales.core.periods import period_parse
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Customer, Disposition, Outcome
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_transfer
from telesales.reports.selectors import funnel_by_owner, funnel_total
from telesales.reports.statistics import wilson_interval
from telesales.sales.services import product_upsert
from tests.calls_files import give_extensions, import_calls, outbound
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

D = Decimal
JULY = "period=2026-07"


@pytest.fixture
def login(login):
    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone.get_default_timezone())


# --- Wilson score intervals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # the textbook cases
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_interval_known_values(successes, trials, low, high):
    interval = wilson_interval(successes, trials)
    assert interval == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_wilson_interval_narrows_with_the_trials_and_stays_in_0_1():
    few, many = wilson_interval(3, 3), wilson_interval(250, 300)
    assert few[1] == 1.0 and few[0] == pytest.approx(0.4385, abs=5e-5)
    assert many[0] > few[0]  # 83 % on 300 calls ranks above 100 % on 3
    assert wilson_interval(1, 2, z=2.576)[0] < wilson_interval(1, 2)[0]  # 99 % is wider


def test_wilson_interval_without_trials_is_not_applicable():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


# --- data ------------------------------------------------------------------------------------------


@pytest.fixture
def funnel(org):
    """Leads of July 2026 (ownership began in July, company-local dates):
    L1 (R1) owned 2 July, contacted 3 July, intent 5 July, won 10 July
    L2 (R1) owned 3 July, contacted 4 July
    L3 (R1) owned 4 July, won 20 July without a recorded contact or intent
    L4 (R1) owned 5 July, an unanswered attempt only (no contact flag)
    L5 (R1) owned 28 June: not a July lead, though contacted in July
    L6 (R2) owned 10 July, intent 12 July
    L7 (R3) owned 10 July, contacted (T2)
    L8 (R1) owned 1 August 00:30 in Shanghai (31 July 16:30 UTC): an August lead
    L9 (R1) never allocated: created 15 July with R1 as owner but no owned_since"""
    product, _ = product_upsert(
        actor=None, code="P1", name="产品", key_product=True, unit_price=None
    )
    contacted = Disposition.objects.get(code="contacted")
    no_answer = Disposition.objects.get(code="no_answer")

    def lead(n, owner, owned, intent_on=None):
        customer = customer_create(
            actor=None,
            phone=f"1380000000{n}",
            name=f"L{n}",
            owner=owner,
            intent_level="medium" if intent_on else None,
            intent_on=dt.date.fromisoformat(intent_on) if intent_on else None,
        )
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=_local(owned) if owned else None,
            created_at=_local(owned or "2026-07-15 09:00:00"),
        )
        return customer

    def outcome(customer, employee, at, disposition=contacted):
        recorded = outcome_record(
            actor=None, customer=customer, disposition=disposition, employee=employee
        )
        Outcome.objects.filter(pk=recorded.pk).update(recorded_at=_local(at))

    leads = {
        1: lead(1, org.r1, "2026-07-02 10:00:00", "2026-07-05"),
        2: lead(2, org.r1, "2026-07-03 10:00:00"),
        3: lead(3, org.r1, "2026-07-04 10:00:00"),
        4: lead(4, org.r1, "2026-07-05 10:00:00"),
        5: lead(5, org.r1, "2026-06-28 10:00:00"),
        6: lead(6, org.r2, "2026-07-10 10:00:00", "2026-07-12"),
        7: lead(7, org.r3, "2026-07-10 10:00:00"),
        8: lead(8, org.r1, "2026-08-01 00:30:00"),
        9: lead(9, org.r1, None),
    }
    outcome(leads[1], org.r1, "2026-07-03 11:00:00")
    outcome(leads[2], org.r1, "2026-07-04 11:00:00")
    outcome(leads[4], org.r1, "2026-07-06 11:00:00", no_answer)
    outcome(leads[5], org.r1, "2026-07-06 11:00:00")
    outcome(leads[7], org.r3, "2026-07-11 11:00:00")
    deal("W1", org.r1, product, "1000", "400", "2026-07-10", customer=leads[1])
    deal("W3", org.r1, product, "500", "100", "2026-07-20", customer=leads[3])
    org.leads = leads
    return org


def _counts(counts) -> tuple:
    return (counts.leads, counts.contacted, counts.intent, counts.won)


def test_the_funnel_of_a_rep(funnel):
    # L1, L2, L3, L4, L9; contacted L1, L2 (and L3, won); intent L1 (and L3); won L1, L3
    by_owner = funnel_by_owner(scope_for_employee(funnel.r1), period_parse("2026-07"))
    assert {k: _counts(v) for k, v in by_owner.items()} == {funnel.r1.pk: (5, 3, 2, 2)}


def test_the_funnel_of_a_team_and_its_reps(funnel):
    by_owner = funnel_by_owner(scope_for_teams([funnel.t1]), period_parse("2026-07"))
    assert {k: _counts(v) for k, v in by_owner.items()} == {
        funnel.r1.pk: (5, 3, 2, 2),
        funnel.r2.pk: (1, 1, 1, 0),
    }
    assert _counts(funnel_total(by_owner)) == (6, 4, 3, 2)
    t2 = funnel_by_owner(scope_for_teams([funnel.t2]), period_parse("2026-07"))
    assert _counts(funnel_total(t2)) == (1, 1, 0, 0)


def test_the_funnel_takes_company_local_dates(funnel):
    august = funnel_by_owner(scope_for_employee(funnel.r1), period_parse("2026-08"))
    assert {k: _counts(v) for k, v in august.items()} == {funnel.r1.pk: (1, 0, 0, 0)}


def test_the_funnel_page_shows_the_steps_and_conversions(funnel, login):
    # when
    response = login(funnel.s1).get(f"/analysis/funnel/?who=team-{funnel.t1.pk}&{JULY}")
    # then
    assert response.status_code == 200
    steps = response.context["steps"]
    assert [(s["code"], s["count"]) for s in steps] == [
        ("leads", 6),
        ("contacted", 4),
        ("intent", 3),
        ("won", 2),
    ]
    assert [s["from_previous_shown"] for s in steps] == ["", "66.7%", "75.0%", "66.7%"]
    assert [s["from_leads_shown"] for s in steps] == ["100.0%", "66.7%", "50.0%", "33.3%"]
    assert [r["employee"].employee_no for r in response.context["reps"]] == ["R1", "R2"]
    page = response.content.decode()
    assert "whose ownership began between 2026-07-01 and 2026-07-31" in page


@pytest.fixture
def comparison(org):
    """July 2026 calls: R1 300 outbound, 250 answered for 60 s (effective); R2 3 outbound,
    all answered for 30 s; R3 (T2) 1 answered."""
    give_extensions(org)
    start = dt.datetime(2026, 7, 1, 9, 0)
    rows = []
    for n in range(300):
        at = (start + dt.timedelta(minutes=n)).isoformat(sep=" ")
        rows.append(outbound("8001", f"139{n:08d}", at, billsec=60 if n < 250 else 0))
    for n in range(3):
        at = (start + dt.timedelta(days=1, minutes=n)).isoformat(sep=" ")
        rows.append(outbound("8002", f"137{n:08d}", at, billsec=30))
    rows.append(outbound("8003", "13600000000", "2026-07-03 09:00:00", billsec=90))
    import_calls(rows)
    return org


def _cells(row) -> dict:
    return {cell["code"]: cell for cell in row["cells"]}


def test_the_comparison_ranks_by_the_lower_bound(comparison, login):
    # when
    response = login(comparison.s1).get(
        f"/analysis/comparison/?who=team-{comparison.t1.pk}&{JULY}&rank=connection_rate"
    )
    # then: R2's 100 % on 3 calls does not outrank R1's 83 % on 300
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["rank"], r["employee"].employee_no) for r in rows] == [(1, "R1"), (2, "R2")]
    r1, r2 = _cells(rows[0]), _cells(rows[1])
    assert (r1["connection_rate"]["successes"], r1["connection_rate"]["trials"]) == (250, 300)
    assert (r1["connection_rate"]["value"], r1["connection_rate"]["low"]) == ("83.3%", "78.7%")
    assert (r2["connection_rate"]["value"], r2["connection_rate"]["low"]) == ("100.0%", "43.8%")
    assert r2["connection_rate"]["high"] == "100.0%"
    # no intent customers: not applicable, and a rep without trials is not ranked
    assert r1["lead_conversion_rate"]["applicable"] is False
    page = response.content.decode()
    assert "250/300" in page and "<svg" in page


def test_ranking_by_another_rate(comparison, login):
    response = login(comparison.admin).get(
        f"/analysis/comparison/?who=team-{comparison.t1.pk}&{JULY}&rank=effective_call_rate"
    )
    rows = response.context["rows"]
    # R1: 250 effective of 250 connected; R2: 0 of 3
    assert [r["employee"].employee_no for r in rows] == ["R1", "R2"]
    assert _cells(rows[1])["effective_call_rate"]["value"] == "0.0%"


def test_reps_without_trials_are_not_ranked(comparison, login):
    response = login(comparison.admin).get(
        f"/analysis/comparison/?who=all&{JULY}&rank=lead_conversion_rate"
    )
    rows = response.context["rows"]
    assert {r["employee"].employee_no for r in rows} == {"R1", "R2", "R3"}
    assert all(r["rank"] is None for r in rows)  # nobody has intent customers


def test_the_comparison_queries_are_bounded(comparison, login, django_assert_max_num_queries):
    client = login(comparison.admin)
    with django_assert_max_num_queries(16):
        assert client.get(f"/analysis/comparison/?who=all&{JULY}").status_code == 200


# --- figures and the rows behind them -------------------------------------------------------------


@pytest.fixture
def figures(funnel):
    """The funnel's data, with a refund of W1 in August."""
    from telesales.sales.models import Product

    product = Product.objects.get(code="P1")
    deal("W1-R", funnel.r1, product, "1000", "400", "2026-08-05", "refunded", funnel.leads[1])
    return funnel


def _figure(response, code) -> dict:
    return next(f for f in response.context["figures"] if f["code"] == code)


def test_a_reps_figures_link_to_their_rows(figures, login):
    # given
    client = login(figures.r1)
    # when
    response = client.get(f"/analysis/?{JULY}")
    # then
    assert response.status_code == 200
    assert response.context["who"].code == f"rep-{figures.r1.pk}"
    sales = _figure(response, "sales_amount")
    assert sales["value"] == "1,500.00"
    assert _figure(response, "deals_won")["value"] == "2"
    conversion = _figure(response, "lead_conversion_rate")
    assert (conversion["numerator"], conversion["denominator"]) == ("1", "1")  # L1
    assert _figure(response, "key_product_attainment")["no_target"] is True
    rows = client.get(sales["link"])
    assert sorted(d.deal_no for d in rows.context["page"]) == ["W1", "W3"]
    intent = client.get(_figure(response, "intent_customers")["link"])
    assert [c.name for c in intent.context["page"]] == ["L1"]
    # a refund in August: negative sales, deals won unchanged
    august = client.get("/analysis/?period=2026-08")
    assert _figure(august, "sales_amount")["value"] == "-1,000.00"
    assert _figure(august, "avg_order_value")["value"] == "—"


def test_the_calls_without_a_timely_outcome(comparison, login):
    client = login(comparison.s1)
    response = client.get(f"/analysis/?who=team-{comparison.t1.pk}&{JULY}")
    completeness = _figure(response, "crm_completeness")
    assert (completeness["numerator"], completeness["denominator"]) == ("0", "253")
    rows = client.get(completeness["link"])
    assert rows.context["page"].paginator.count == 253
    assert len(rows.context["page"].object_list) == 50


def test_the_rows_queries_are_bounded(comparison, login, django_assert_max_num_queries):
    client = login(comparison.s1)
    with django_assert_max_num_queries(16):
        response = client.get(f"/analysis/rows/calls/?who=team-{comparison.t1.pk}&{JULY}")
    assert response.status_code == 200


def test_rows_of_people_now_out_of_scope_are_counted_not_listed(figures, login):
    # given R1 moves to T2 on 1 August: T1's July figures still count R1's deals
    employee_transfer(actor=None, employee=figures.r1, team=figures.t2, date=dt.date(2026, 8, 1))
    client = login(figures.s1)
    # when
    response = client.get(f"/analysis/rows/deals/?who=team-{figures.t1.pk}&{JULY}")
    # then
    assert list(response.context["page"]) == []
    assert response.context["hidden"] == 2


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/analysis/", "/analysis/funnel/", "/analysis/rows/deals/"])
def test_a_rep_sees_only_their_own_numbers(funnel, login, page):
    client = login(funnel.r1)
    assert client.get(f"{page}?{JULY}").status_code == 200
    assert client.get(f"{page}?who=rep-{funnel.r1.pk}&{JULY}").status_code == 200
    assert client.get(f"{page}?who=rep-{funnel.r2.pk}&{JULY}").status_code == 404
    assert client.get(f"{page}?who=team-{funnel.t1.pk}&{JULY}").status_code == 404
    assert client.get(f"{page}?who=all&{JULY}").status_code == 404


def test_the_rep_comparison_is_not_for_reps(comparison, login):
    client = login(comparison.r1)
    assert client.get(f"/analysis/comparison/?{JULY}").status_code == 404
    assert client.get(f"/analysis/comparison/?who=team-{comparison.t1.pk}").status_code == 404


@pytest.mark.parametrize(
    "page", ["/analysis/", "/analysis/funnel/", "/analysis/comparison/", "/analysis/rows/calls/"]
)
def test_a_supervisor_sees_their_teams_only(funnel, login, page):
    client = login(funnel.s1)
    assert client.get(f"{page}?who=team-{funnel.t1.pk}&{JULY}").status_code == 200
    assert client.get(f"{page}?who=team-{funnel.t2.pk}&{JULY}").status_code == 404
    if page != "/analysis/comparison/":
        assert client.get(f"{page}?who=rep-{funnel.r2.pk}&{JULY}").status_code == 200
        assert client.get(f"{page}?who=rep-{funnel.r3.pk}&{JULY}").status_code == 404
    assert client.get(f"{page}?who=nonsense&{JULY}").status_code == 404


def test_a_supervisor_defaults_to_their_team(funnel, login):
    response = login(funnel.s1).get(f"/analysis/funnel/?{JULY}")
    assert response.context["who"].code == f"team-{funnel.t1.pk}"
    assert [code for code, _label in response.context["choices"]] == [
        f"team-{funnel.t1.pk}",
        f"rep-{funnel.r1.pk}",
        f"rep-{funnel.r2.pk}",
    ]


@pytest.mark.parametrize("who", ["manager", "hr", "admin"])
def test_wider_roles_see_every_team(funnel, login, who):
    response = login(getattr(funnel, who)).get(f"/analysis/funnel/?{JULY}")
    assert response.status_code == 200
    assert response.context["who"].code == "all"
    assert [(s["code"], s["count"]) for s in response.context["steps"]] == [
        ("leads", 7),
        ("contacted", 5),
        ("intent", 3),
        ("won", 2),
    ]


@pytest.mark.parametrize(
    "page", ["/analysis/", "/analysis/funnel/", "/analysis/comparison/", "/analysis/rows/deals/"]
)
def test_department_staff_have_no_analysis(org, login, page):
    assert login(org.staff).get(page).status_code == 404


def test_an_unknown_row_kind_is_a_404(org, login):
    assert login(org.admin).get("/analysis/rows/tickets/").status_code == 404


def test_a_bad_period_is_explained(org, login):
    response = login(org.admin).get("/analysis/?period=2026-13")
    assert response.status_code == 200
    assert "figures" not in response.context
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("r1", {"analysis", "funnel"}),
        ("s1", {"analysis", "funnel", "rep-comparison"}),
        ("manager", {"analysis", "funnel", "rep-comparison"}),
        ("hr", {"analysis", "funnel", "rep-comparison"}),
        ("staff", set()),
        ("admin", {"analysis", "funnel", "rep-comparison"}),
    ],
)
def test_the_analysis_menu_entries(org, login, who, expected):
    keys = {item["key"] for item in login(getattr(org, who)).get("/").context["menu"]}
    assert keys & {"analysis", "funnel", "rep-comparison"} == expected


def test_the_pages_render_under_the_content_security_policy(comparison, login):
    # the interval bars are SVG attributes: no inline style for the policy to refuse
    page = login(comparison.admin).get(f"/analysis/comparison/?who=all&{JULY}").content.decode()
    assert 'style="' not in page
    funnel_page = login(comparison.admin).get(f"/analysis/funnel/?{JULY}").content.decode()
    assert 'style="' not in funnel_page


@pytest.mark.django_db
def test_the_analysis_page_shows_the_quality_and_team_figures_of_the_scope(org, login_en):
    # given: two reviews of R1's calls in March 2026, 87 and an instant fail (0)
    import datetime as dt
    import zoneinfo

    from telesales.qa.services import review_save
    from tests.test_qa_support import default_version, make_calls, mapped, marks

    mapped(org)
    first, second = make_calls(
        [("R1", "2026-03-02 10:00:00", 95), ("R1", "2026-03-03 10:00:00", 80)]
    )
    version = default_version()
    at = dt.datetime(2026, 3, 4, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    for call, triggered in ((first, ()), (second, ("违规承诺/虚假宣传",))):
        awarded = {"开场白规范": 9, "需求挖掘": 16, "产品介绍准确": 18, "异议处理": 14}
        review_save(
            actor=org.s1.user,
            call=call,
            version=version,
            marks=marks(version, awarded, triggered),
            submit=True,
            at=at,
        )
    # when
    html = login_en(org.s1).get(f"/analysis/?who=rep-{org.r1.pk}&period=2026-03").content.decode()
    april = login_en(org.s1).get(f"/analysis/?who=rep-{org.r1.pk}&period=2026-04").content.decode()
    # then: (87 + 0) / 2 = 43.50, 1 passed of 2; nothing reviewed in April
    assert 'data-testid="kpi-qa_score_avg">43.50<' in html
    assert 'data-testid="kpi-qa_pass_rate">50.0%<' in html
    assert 'data-testid="kpi-qa_score_avg" title=' in april
