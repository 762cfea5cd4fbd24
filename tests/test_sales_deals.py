"""Deals (issue 4): `telesales import deals` (PRODUCT.md §7 deals, §8), entry and correction
by hand, and the deals pages with their scope, filters, masking and query counts."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute
from telesales.core.models import AuditEvent
from telesales.crm.customers.services import customer_create
from telesales.sales.models import Deal
from telesales.sales.services import product_upsert
from tests.calls_files import give_extensions, import_calls, outbound
from tests.files import csv_bytes, xlsx_bytes
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

D = Decimal
HEADER = [
    "deal_no",
    "employee_no",
    "customer_phone",
    "product_code",
    "amount",
    "gross_profit",
    "closed_on",
    "status",
]


@pytest.fixture
def login(login):
    """Log in with English as the user's language: pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


@pytest.fixture
def shop(org):
    """Products P1 (key) and P2; customers C1 (13800000001, R1's) and C3 (13800000003,
    R3's)."""
    org.p1, _ = product_upsert(
        actor=None, code="P1", name="企业版", key_product=True, unit_price=D("1000")
    )
    org.p2, _ = product_upsert(
        actor=None, code="P2", name="基础版", key_product=False, unit_price=D("300")
    )
    org.c1 = customer_create(actor=None, phone="13800000001", name="甲公司", owner=org.r1)
    org.c3 = customer_create(actor=None, phone="13800000003", name="丙公司", owner=org.r3)
    return org


def _import(tmp_path, data: bytes, *extra, name="deals.csv") -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "deals", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _deals() -> list[tuple]:
    return list(
        Deal.objects.order_by("deal_no").values_list(
            "deal_no",
            "employee__employee_no",
            "customer__phone",
            "product__code",
            "amount",
            "gross_profit",
            "closed_on",
            "status",
        )
    )


GOOD = [
    ["SO1", "R1", "13800000001", "P1", "1000", "400", "2026-07-05", "won"],
    ["SO2", "R1", "138 0000 0001", "P2", "300.50", "90", "2026/07/20", "won"],
    ["SO1-R", "R1", "+86 13800000001", "P1", "1,000.00", "400", "2026-08-03", "refunded"],
    ["SO3", "R3", "", "P2", "300", "60", "2026-07-31", ""],
    ["SO4", "R2", "13912345678", "P2", "￥600", "120", "2026-07-15", "成交"],
]
EXPECTED = [
    ("SO1", "R1", "+8613800000001", "P1", D("1000"), D("400"), dt.date(2026, 7, 5), "won"),
    ("SO1-R", "R1", "+8613800000001", "P1", D("1000"), D("400"), dt.date(2026, 8, 3), "refunded"),
    ("SO2", "R1", "+8613800000001", "P2", D("300.5"), D("90"), dt.date(2026, 7, 20), "won"),
    ("SO3", "R3", None, "P2", D("300"), D("60"), dt.date(2026, 7, 31), "won"),
    ("SO4", "R2", None, "P2", D("600"), D("120"), dt.date(2026, 7, 15), "won"),
]


# --- the import -----------------------------------------------------------------------------


def test_a_good_file_stores_every_deal_and_refund(shop, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 5, "stored": 5, "duplicates": 0, "rejected": [], "updated": 0}
    assert _deals() == EXPECTED
    assert AuditEvent.objects.filter(action="deal.create").count() == 5


def test_deals_without_a_known_customer_are_stored_with_a_note(shop):
    # when
    result, _info = import_execute(
        importer=get_importer("deals"),
        stream=io.BytesIO(csv_bytes(GOOD, HEADER)),
        actor=None,
        dry_run=False,
    )
    # then: SO3 gives no number, SO4's number is no customer's
    assert result.stored == 5
    assert result.notes == [
        "2 deals have no known customer (no customer has their phone number) and are "
        "stored without one: rows 5, 6."
    ]


def test_running_the_same_file_again_stores_nothing(shop, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    audits = AuditEvent.objects.count()
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 5, "stored": 0, "duplicates": 5, "rejected": [], "updated": 0}
    assert _deals() == EXPECTED
    # the import run itself is audited; no deal is
    assert AuditEvent.objects.filter(action__startswith="deal.").count() == 5
    assert AuditEvent.objects.count() == audits + 1


def test_a_corrected_row_updates_the_deal(shop, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    corrected = [row[:] for row in GOOD]
    corrected[0][4:6] = ["1200", "500"]  # SO1's amount and profit corrected
    # when
    code, payload = _import(tmp_path, csv_bytes(corrected, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 5, "stored": 0, "duplicates": 4, "rejected": [], "updated": 1}
    so1 = Deal.objects.get(deal_no="SO1")
    assert (so1.amount, so1.gross_profit) == (D("1200"), D("500"))
    event = AuditEvent.objects.get(action="deal.update")
    assert event.before == {"amount": "1000.00", "gross_profit": "400.00"}
    assert event.after == {"amount": "1200.00", "gross_profit": "500.00"}


BAD = [
    ["B1", "R9", "13800000001", "P1", "100", "10", "2026-07-01", "won"],  # line 2
    ["B2", "R1", "13800000001", "P9", "100", "10", "2026-07-01", "won"],  # line 3
    ["B3", "R1", "12345", "P1", "100", "10", "2026-07-01", "won"],  # line 4
    ["B4", "R1", "", "P1", "-100", "10", "2026-07-01", "won"],  # line 5
    ["B5", "R1", "", "P1", "100", "10", "2026-07-01", "lost"],  # line 6
    ["B6", "R1", "", "P1", "100", "10", "1 July", "won"],  # line 7
    ["B7", "R1", "", "P1", "100", "200", "2026-07-01", "won"],  # line 8
    ["B8", "R1", "", "P1", "100", "10", "2026-07-01", "won"],  # line 9: stored
    ["B8", "R1", "", "P1", "200", "10", "2026-07-01", "won"],  # line 10: twice in the file
    ["", "R1", "", "P1", "100", "10", "2026-07-01", "won"],  # line 11
    ["B9", "R1", "", "P1", "0", "0", "2026-07-01", "won"],  # line 12
    ["B10", "R1", "", "P1", "100", "10", "2999-01-01", "won"],  # line 13
    ["B11", "R1", "", "P1", "1.005", "0", "2026-07-01", "won"],  # line 14
]


def test_bad_rows_are_rejected_with_their_line_and_column(shop, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(BAD, HEADER))
    # then
    assert code == 1
    assert payload["rows"] == 13
    assert payload["stored"] == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [
        (2, "employee_no"),
        (3, "product_code"),
        (4, "customer_phone"),
        (5, "amount"),
        (6, "status"),
        (7, "closed_on"),
        (8, "gross_profit"),
        (10, "deal_no"),
        (11, "deal_no"),
        (12, "amount"),
        (13, "closed_on"),
        (14, "amount"),
    ]
    reasons = {r["row"]: r["reason"] for r in payload["rejected"]}
    assert reasons[2] == "There is no employee R9."
    assert reasons[3] == "There is no product P9; import the products first."
    assert reasons[5] == "Write amounts as positive numbers; a refund has the status refunded."
    assert reasons[10] == "Deal B8 already appears on line 9 of this file."
    assert list(Deal.objects.values_list("deal_no", flat=True)) == ["B8"]


def test_chinese_headers_and_an_excel_file(shop, tmp_path):
    # given
    header = ["订单号", "员工编号", "客户电话", "产品编码", "金额", "毛利", "成交日期", "状态"]
    rows = [["X1", "R1", "13800000001", "P1", "1000", "400", "2026-07-05", "退款"]]
    # when
    code, payload = _import(tmp_path, xlsx_bytes(rows, header), name="deals.xlsx")
    # then
    assert (code, payload["stored"]) == (0, 1)
    assert Deal.objects.get(deal_no="X1").status == Deal.Status.REFUNDED


def test_a_missing_column_refuses_the_file(shop, tmp_path):
    code, payload = _import(tmp_path, csv_bytes(GOOD, ["deal_no", *HEADER[2:]]))
    assert code == 2
    assert "employee_no" in payload["error"]
    assert not Deal.objects.exists()


def test_a_dry_run_stores_nothing(shop, tmp_path):
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER), "--dry-run")
    assert (code, payload["stored"]) == (0, 5)
    assert not Deal.objects.exists()


def test_a_rep_may_not_import_deals(shop, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(csv_bytes(GOOD, HEADER))
    with pytest.raises(Exception, match="may not import deals"):
        call_command("import", "deals", str(path), "--user", "r1", stdout=io.StringIO())
    assert not Deal.objects.exists()


def test_a_supervisors_import_stores_only_their_reps_deals(shop, tmp_path):
    # given R1's deal SO1 already stored by someone else, and R3's deal of T2
    deal("SO9", shop.r3, shop.p1, "100", "10", "2026-07-01")
    rows = [
        GOOD[0],
        ["SO3", "R3", "", "P2", "300", "60", "2026-07-31", "won"],  # R3 is S2's
        ["SO9", "R1", "", "P2", "300", "60", "2026-07-31", "won"],  # SO9 is R3's deal
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "--user", "s1")
    # then
    assert code == 1
    assert payload["stored"] == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [
        (3, "employee_no"),
        (4, "deal_no"),
    ]
    assert Deal.objects.get(deal_no="SO9").employee == shop.r3
    # a supervisor links only customers owned in their scope
    assert Deal.objects.get(deal_no="SO1").customer == shop.c1


def test_the_import_template_names_the_columns(shop, login):
    response = login(shop.admin).get("/imports/deals/template.csv")
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Deal number,Employee number,Customer phone,Product code")


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def deals(shop):
    """July 2026: R1 SO1 (P1 1000, C1) and its refund SO1-R in August, SO2 (P2 300); R2 SO4
    (P2 600); R3 SO3 (P2 300, C3)."""
    deal("SO1", shop.r1, shop.p1, "1000", "400", "2026-07-05", customer=shop.c1)
    deal("SO1-R", shop.r1, shop.p1, "1000", "400", "2026-08-03", "refunded", customer=shop.c1)
    deal("SO2", shop.r1, shop.p2, "300", "90", "2026-07-20")
    deal("SO4", shop.r2, shop.p2, "600", "120", "2026-07-15")
    deal("SO3", shop.r3, shop.p2, "300", "60", "2026-07-31", customer=shop.c3)
    return shop


def _listed(response) -> list[str]:
    assert response.status_code == 200
    return sorted(d.deal_no for d in response.context["page"].object_list)


LIST_SCOPE = {
    "r1": ["SO1", "SO1-R", "SO2"],
    "r2": ["SO4"],
    "r3": ["SO3"],
    "s1": ["SO1", "SO1-R", "SO2", "SO4"],
    "s2": ["SO3"],
    "manager": ["SO1", "SO1-R", "SO2", "SO3", "SO4"],
    "hr": ["SO1", "SO1-R", "SO2", "SO3", "SO4"],
    "admin": ["SO1", "SO1-R", "SO2", "SO3", "SO4"],
}


@pytest.mark.parametrize("who", sorted(LIST_SCOPE))
def test_the_deal_list_holds_exactly_the_scope(deals, login, who):
    response = login(getattr(deals, who)).get("/deals/")
    assert _listed(response) == LIST_SCOPE[who]


def test_department_staff_have_no_deals_page(deals, login):
    client = login(deals.staff)
    assert client.get("/deals/").status_code == 404
    assert client.get(f"/deals/{Deal.objects.get(deal_no='SO1').pk}/").status_code == 404
    assert client.get("/deals/new/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2026-07-01&date_to=2026-07-31", ["SO1", "SO2", "SO3", "SO4"]),
        ("date_from=2026-08-01", ["SO1-R"]),
        ("status=refunded", ["SO1-R"]),
        ("key_only=on", ["SO1", "SO1-R"]),
        ("deal_no=so1", ["SO1", "SO1-R"]),
    ],
)
def test_the_deal_list_filters(deals, login, query, expected):
    assert _listed(login(deals.admin).get(f"/deals/?{query}")) == expected


def test_the_team_filter_follows_the_team_on_the_deal_date(deals, login):
    # given R2 moves to T2 on 1 August and closes SO5 there
    from telesales.org.services import employee_transfer

    employee_transfer(actor=None, employee=deals.r2, team=deals.t2, date=dt.date(2026, 8, 1))
    deal("SO5", deals.r2, deals.p2, "100", "10", "2026-08-10")
    client = login(deals.admin)
    # then
    assert _listed(client.get(f"/deals/?team={deals.t1.pk}")) == ["SO1", "SO1-R", "SO2", "SO4"]
    assert _listed(client.get(f"/deals/?team={deals.t2.pk}")) == ["SO3", "SO5"]


def test_the_totals_net_refunds(deals, login):
    response = login(deals.r1).get("/deals/")
    totals = response.context["totals"]
    assert (totals["won_count"], totals["refunded_count"]) == (2, 1)
    assert totals["net_amount"] == D("300")
    assert totals["net_profit"] == D("90")


def test_a_filter_for_someone_out_of_scope_is_an_error_not_their_deals(deals, login):
    response = login(deals.s1).get(f"/deals/?rep={deals.r3.pk}")
    assert response.status_code == 200
    assert "rep" in response.context["form"].errors
    assert _listed(response) == []


def test_numbers_are_masked_except_for_the_owner(deals, login):
    so1 = Deal.objects.get(deal_no="SO1")
    rep_page = login(deals.r1).get(f"/deals/{so1.pk}/").content.decode()
    supervisor_page = login(deals.s1).get(f"/deals/{so1.pk}/").content.decode()
    assert "13800000001" in rep_page
    assert "138****0001" in supervisor_page and "13800000001" not in supervisor_page
    listed = login(deals.s1).get("/deals/").content.decode()
    assert "138****0001" in listed and "13800000001" not in listed


@pytest.mark.parametrize("who", ["r2", "r3", "s2"])
def test_a_deal_out_of_scope_is_a_404(deals, login, who):
    so1 = Deal.objects.get(deal_no="SO1")
    client = login(getattr(deals, who))
    assert client.get(f"/deals/{so1.pk}/").status_code == 404
    assert client.get(f"/deals/{so1.pk}/edit/").status_code == 404


def _make_deals(org, count, start=0):
    for n in range(start, start + count):
        deal(
            f"Q{n:03d}",
            org.r1 if n % 2 else org.r2,
            org.p1 if n % 3 else org.p2,
            "100",
            "10",
            "2026-07-10",
            customer=org.c1 if n % 2 else None,
        )


@pytest.mark.parametrize("who", ["admin", "s1", "r1"])
def test_the_list_costs_the_same_queries_for_5_and_60_deals(shop, login, who):
    # given
    client = login(getattr(shop, who))
    _make_deals(shop, 5)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/deals/")
    _make_deals(shop, 60, start=5)
    # when
    with CaptureQueriesContext(connection) as many:
        second = client.get("/deals/")
    # then
    assert len(_listed(first)) < len(_listed(second))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 14


def test_the_list_is_paginated_by_50(shop, login):
    _make_deals(shop, 60)
    client = login(shop.admin)
    assert len(_listed(client.get("/deals/"))) == 50
    assert len(_listed(client.get("/deals/?page=2"))) == 10
    assert "Page 1 of 2 (60 deals)" in client.get("/deals/").content.decode()


# --- entering and correcting deals ------------------------------------------------------------


def _form(org, **changes) -> dict:
    data = {
        "deal_no": "N1",
        "employee": org.r1.pk,
        "status": "won",
        "product": org.p1.pk,
        "amount": "1500",
        "gross_profit": "600",
        "closed_on": "2026-07-10",
        "customer_phone": "138-0000-0001",
    }
    data.update(changes)
    return data


def test_a_rep_enters_their_own_deal(shop, login):
    # given
    client = login(shop.r1)
    form = client.get("/deals/new/").context["form"]
    assert list(form.fields["employee"].queryset) == [shop.r1]
    # when
    response = client.post("/deals/new/", _form(shop))
    # then
    stored = Deal.objects.get(deal_no="N1")
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{stored.pk}/"
    assert (stored.employee, stored.customer, stored.amount) == (shop.r1, shop.c1, D("1500"))
    assert AuditEvent.objects.filter(action="deal.create", object_id=str(stored.pk)).exists()


def test_a_rep_cannot_enter_a_deal_for_someone_else(shop, login):
    response = login(shop.r1).post("/deals/new/", _form(shop, employee=shop.r2.pk))
    assert response.status_code == 400
    assert "employee" in response.context["form"].errors
    assert not Deal.objects.exists()


def test_a_supervisor_enters_deals_for_their_reps_only(shop, login):
    client = login(shop.s1)
    form = client.get("/deals/new/").context["form"]
    assert list(form.fields["employee"].queryset) == [shop.r1, shop.r2]
    assert client.post("/deals/new/", _form(shop, employee=shop.r2.pk)).status_code == 302
    response = client.post("/deals/new/", _form(shop, deal_no="N2", employee=shop.r3.pk))
    assert response.status_code == 400
    assert list(Deal.objects.values_list("deal_no", flat=True)) == ["N1"]


def test_hr_sees_deals_but_does_not_enter_them(shop, login):
    client = login(shop.hr)
    assert client.get("/deals/").status_code == 200
    assert client.get("/deals/new/").status_code == 404
    assert client.post("/deals/new/", _form(shop)).status_code == 404
    assert not Deal.objects.exists()


def test_a_refund_is_entered_with_a_positive_amount(shop, login):
    client = login(shop.r1)
    client.post("/deals/new/", _form(shop, deal_no="N1-R", status="refunded"))
    assert Deal.objects.get(deal_no="N1-R").status == Deal.Status.REFUNDED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"gross_profit": "2000"}, "gross_profit"),
        ({"closed_on": "2999-01-01"}, "closed_on"),
        ({"customer_phone": "12345"}, "customer_phone"),
        ({"deal_no": ""}, "deal_no"),
    ],
)
def test_the_deal_form_refuses_bad_values(shop, login, changes, field):
    response = login(shop.r1).post("/deals/new/", _form(shop, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Deal.objects.exists()


def test_a_deal_number_is_used_once(deals, login):
    response = login(deals.r1).post("/deals/new/", _form(deals, deal_no="SO1"))
    assert response.status_code == 400
    assert response.context["form"].errors["deal_no"] == ["Deal SO1 already exists."]
    assert Deal.objects.get(deal_no="SO1").amount == D("1000")


def test_an_unknown_customer_number_is_stored_without_a_customer_and_said(shop, login):
    client = login(shop.r1)
    response = client.post("/deals/new/", _form(shop, customer_phone="13912345678"), follow=True)
    assert Deal.objects.get(deal_no="N1").customer is None
    assert "so the deal is not linked to a customer" in response.content.decode()


def test_a_rep_does_not_link_another_reps_customer(shop, login):
    login(shop.r1).post("/deals/new/", _form(shop, customer_phone="13800000003"))
    assert Deal.objects.get(deal_no="N1").customer is None


def test_a_supervisor_corrects_a_deal_and_it_is_audited(deals, login):
    # given
    so2 = Deal.objects.get(deal_no="SO2")
    client = login(deals.s1)
    # when
    response = client.post(
        f"/deals/{so2.pk}/edit/",
        _form(
            deals,
            deal_no="IGNORED",
            product=deals.p2.pk,
            amount="350",
            gross_profit="90",
            closed_on="2026-07-20",
            customer_phone="",
        ),
    )
    # then
    so2.refresh_from_db()
    assert response.status_code == 302
    assert (so2.deal_no, so2.amount) == ("SO2", D("350"))
    event = AuditEvent.objects.get(action="deal.update", object_id=str(so2.pk))
    assert event.before == {"amount": "300.00"}
    history = client.get(f"/deals/{so2.pk}/").context["history"]
    assert [(h["event"].action, h["fields"]) for h in history] == [
        ("deal.update", ["amount"]),
        ("deal.create", []),
    ]


def test_correcting_a_deal_keeps_its_customer_when_the_number_is_left_empty(deals, login):
    so1 = Deal.objects.get(deal_no="SO1")
    login(deals.s1).post(
        f"/deals/{so1.pk}/edit/",
        _form(
            deals,
            product=deals.p1.pk,
            amount="1000",
            gross_profit="300",
            closed_on="2026-07-05",
            customer_phone="",
        ),
    )
    so1.refresh_from_db()
    assert (so1.customer, so1.gross_profit) == (deals.c1, D("300"))


def test_an_out_of_scope_correction_changes_nothing(deals, login):
    so3 = Deal.objects.get(deal_no="SO3")
    response = login(deals.s1).post(f"/deals/{so3.pk}/edit/", _form(deals, amount="1"))
    assert response.status_code == 404
    so3.refresh_from_db()
    assert so3.amount == D("300")
    assert not AuditEvent.objects.filter(action="deal.update").exists()


# --- menu ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("r1", True),
        ("s1", True),
        ("manager", True),
        ("hr", True),
        ("staff", False),
        ("admin", True),
    ],
)
def test_the_deals_menu_entry(org, login, who, expected):
    keys = {item["key"] for item in login(getattr(org, who)).get("/").context["menu"]}
    assert ("deals" in keys) is expected


# --- demo ---------------------------------------------------------------------------------------


def _demo(today=dt.date(2026, 9, 30)) -> str:
    from telesales.core.demo import DemoContext
    from telesales.sales.demo import demo_deals

    return demo_deals(DemoContext(today=today, seed=7))


def test_the_demo_sells_to_the_customers_whose_outcome_was_a_sale(shop):
    # given three sales recorded on 10 September and one customer merely contacted
    from telesales.crm.customers.services import outcome_record
    from telesales.crm.models import Disposition, Outcome

    sale = Disposition.objects.get(code="sale")
    contacted = Disposition.objects.get(code="contacted")
    buyers = [customer_create(actor=None, phone=f"1370000000{n}", owner=shop.r1) for n in range(3)]
    for customer in buyers:
        outcome = outcome_record(actor=None, customer=customer, disposition=sale, employee=shop.r1)
        Outcome.objects.filter(pk=outcome.pk).update(
            recorded_at=dt.datetime(2026, 9, 10, 3, 0, tzinfo=dt.UTC)
        )
    outcome_record(actor=None, customer=shop.c1, disposition=contacted, employee=shop.r1)
    # when
    summary = _demo()
    # then
    won = Deal.objects.filter(status=Deal.Status.WON)
    assert sorted(won.values_list("customer_id", flat=True)) == sorted(c.pk for c in buyers)
    assert all(d.closed_on >= dt.date(2026, 9, 10) and d.employee == shop.r1 for d in won)
    for d in won.select_related("product"):
        assert d.amount % d.product.unit_price == 0 and 0 < d.gross_profit < d.amount
    for refund in Deal.objects.filter(status=Deal.Status.REFUNDED):
        original = Deal.objects.get(deal_no=refund.deal_no.removesuffix("-R"))
        assert refund.closed_on > original.closed_on and refund.amount == original.amount
    assert summary.startswith("Entered 3 deals")
    # and running it again stores nothing new
    _demo()
    assert Deal.objects.filter(status=Deal.Status.WON).count() == 3


def test_without_sale_outcomes_the_demo_sells_after_long_calls(shop):
    # given 30 customers reached in long calls on 1 September, none with a sale outcome
    give_extensions(shop)
    numbers = [f"1360000{n:04d}" for n in range(30)]
    for number in numbers:
        customer_create(actor=None, phone=number, owner=shop.r1)
    import_calls(
        [outbound("8001", number, "2026-09-01 10:00:00", billsec=300) for number in numbers]
    )
    # when
    _demo()
    # then
    won = Deal.objects.filter(status=Deal.Status.WON).select_related("customer")
    assert 0 < won.count() < 30
    assert all(d.customer.phone[3:] in numbers for d in won)
    assert all(d.closed_on >= dt.date(2026, 9, 1) for d in won)


def test_without_customers_the_demo_has_no_deals(org):
    product_upsert(actor=None, code="P1", name="产品", key_product=True, unit_price=D("100"))
    assert _demo() == ""
    assert not Deal.objects.exists()
