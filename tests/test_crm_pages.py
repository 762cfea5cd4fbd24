"""The customer pages (issue 4): the list and a customer, its outcome and merge forms, the
quick form after a call, the rep's day, tiers and their rules, and the call outcomes table.
Every page and every POST is tried from outside its scope: a 404, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.calls.models import Call
from telesales.core.models import AuditEvent
from telesales.crm.customers.services import (
    customer_create,
    customer_merge,
    customer_update,
    outcome_record,
)
from telesales.crm.models import Customer, Disposition, Outcome, TierRule
from tests.calls_files import give_extensions, import_calls, outbound


@pytest.fixture
def login(login):
    """Log in with English as the user's language: pages are compared in English."""

    def _login(employee, language="en"):
        employee.user.language = language
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


@pytest.fixture
def book(org):
    """R1 owns 甲 and 不打 (do not call), R2 owns 乙 (a referral: tier B), R3 (team T2) owns
    丙; 池 is unowned;
    重 was a duplicate of 甲, merged into it."""
    org.c1 = customer_create(actor=None, phone="13800000001", name="甲", owner=org.r1)
    org.dnc = customer_create(actor=None, phone="13800000002", name="不打", owner=org.r1, dnc=True)
    org.c2 = customer_create(
        actor=None, phone="13800000003", name="乙", owner=org.r2, source="转介绍"
    )
    org.c3 = customer_create(actor=None, phone="13800000004", name="丙", owner=org.r3)
    org.pool = customer_create(actor=None, phone="13800000005", name="池", source="展会")
    org.twin = customer_create(actor=None, phone="13800000006", name="重")
    customer_merge(actor=None, keep=org.c1, merge=org.twin)
    return org


def _names(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {c.name for c in response.context["page"].object_list}


LIST_SCOPE = {
    "r1": {"甲", "不打"},
    "r2": {"乙"},
    "r3": {"丙"},
    "s1": {"甲", "不打", "乙", "池"},  # T1's customers and the pool they allocate from
    "s2": {"丙", "池"},
    "manager": {"甲", "不打", "乙", "丙"},
    "hr": {"甲", "不打", "乙", "丙", "池"},
    "admin": {"甲", "不打", "乙", "丙", "池"},
}


@pytest.mark.parametrize("who", sorted(LIST_SCOPE))
def test_the_list_holds_exactly_the_scope(book, login, who):
    # when
    response = login(getattr(book, who)).get("/customers/")
    # then
    assert _names(response) == LIST_SCOPE[who]


def test_reps_and_staff_cannot_merge_or_create_out_of_role(book, login):
    # given
    count = Customer.objects.count()
    # when: a rep merges two of their own customers; staff create one
    merge = login(book.r1).post(f"/customers/{book.c1.pk}/merge/", {"other": "13800000002"})
    create = login(book.staff).post(
        "/customers/new/", {"phone": "13912345678", "name": "x", "intent_level": "none"}
    )
    # then
    assert (merge.status_code, create.status_code) == (404, 404)
    assert Customer.objects.get(pk=book.dnc.pk).merged_into is None
    assert Customer.objects.count() == count


def test_staff_have_no_customer_pages(book, login):
    # given
    client = login(book.staff)
    # when
    pages = [
        "/customers/",
        "/customers/new/",
        f"/customers/{book.c1.pk}/",
        "/customers/tiers/",
        "/today/",
    ]
    # then
    assert [client.get(p).status_code for p in pages] == [404] * len(pages)


@pytest.mark.parametrize(
    ("who", "outside"),
    [
        ("r1", ["c2", "c3", "pool", "twin"]),
        ("r2", ["c1", "dnc", "c3", "pool"]),
        ("s1", ["c3"]),
        ("s2", ["c1", "c2", "dnc"]),
        ("manager", ["pool", "twin"]),
    ],
)
def test_a_customer_out_of_scope_is_a_404(book, login, who, outside):
    # given
    client = login(getattr(book, who))
    # when
    codes = [client.get(f"/customers/{getattr(book, name).pk}/").status_code for name in outside]
    # then
    assert codes == [404] * len(outside)


def test_numbers_are_masked_for_all_but_the_owner_and_administrators(book, login):
    # when
    def shown(who):
        response = login(getattr(book, who)).get("/customers/")
        return {c.name: c.phone_shown for c in response.context["page"].object_list}

    # then
    assert shown("r1")["甲"] == "13800000001"
    assert shown("admin")["甲"] == "13800000001"
    assert shown("s1")["甲"] == "138****0001"
    assert shown("hr")["甲"] == "138****0001"
    assert shown("manager")["乙"] == "138****0003"
    assert shown("s1")["池"] == "138****0005"
    page = login(book.s1).get(f"/customers/{book.c1.pk}/").content.decode()
    assert "13800000001" not in page
    assert "138****0001" in page
    assert "138****0006" in page  # the merged duplicate's number, on the timeline
    assert "13800000001" in login(book.r1).get(f"/customers/{book.c1.pk}/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tier=B", {"乙"}),
        ("dnc=yes", {"不打"}),
        ("dnc=no", {"甲", "乙", "丙", "池"}),
        ("owner=none", {"池"}),
        ("source=展会", {"池"}),
        ("intent=none", {"甲", "不打", "乙", "丙", "池"}),
        ("text=乙", {"乙"}),
        ("text=138-0000-0004", {"丙"}),
        ("text=0005", {"池"}),
    ],
)
def test_the_list_filters(book, login, query, expected):
    assert _names(login(book.admin).get(f"/customers/?{query}")) == expected


def test_the_owner_filter_offers_only_people_in_scope(book, login):
    # when
    response = login(book.s1).get(f"/customers/?owner={book.r3.pk}")
    # then: a form error, not R3's customers
    assert _names(response) == set()
    assert "Select a valid choice" in response.content.decode()
    assert _names(login(book.s1).get(f"/customers/?owner={book.r2.pk}")) == {"乙"}


def _many(org, start: int, count: int) -> None:
    owners = [org.r1, org.r2, None]
    for n in range(start, start + count):
        customer = customer_create(
            actor=None, phone=f"137{n:08d}", name=f"客户{n}", owner=owners[n % 3]
        )
        if n % 2:
            outcome_record(
                actor=None,
                customer=customer,
                disposition=Disposition.objects.get(code="contacted"),
                employee=org.r1,
            )


@pytest.mark.parametrize("who", ["admin", "s1", "r1"])
def test_the_list_costs_the_same_queries_for_5_and_60_customers(org, login, who):
    # given
    client = login(getattr(org, who))
    _many(org, 0, 5)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/customers/")
    _many(org, 5, 55)
    # when
    with CaptureQueriesContext(connection) as many:
        second = client.get("/customers/")
    # then
    assert len(_names(first)) < len(_names(second))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 14


def test_the_list_is_paginated_by_50(org, login):
    # given
    _many(org, 0, 60)
    client = login(org.admin)
    # when
    first = client.get("/customers/")
    second = client.get("/customers/?page=2")
    # then
    assert len(_names(first)) == 50
    assert len(_names(second)) == 10
    assert first.context["page"].paginator.count == 60


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_pages_render_in_each_language(book, login, language):
    # given
    client = login(book.admin, language)
    # when
    pages = [
        "/customers/",
        "/customers/new/",
        f"/customers/{book.c1.pk}/",
        f"/customers/{book.c1.pk}/edit/",
        "/customers/tiers/",
        "/customers/tiers/rules/",
        "/customers/outcomes/",
        "/customers/outcomes/new/",
        "/today/",
    ]
    # then
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.headers["Content-Language"] == language


def test_the_menu_has_today_and_customers(book, login):
    # when
    rep = {item["key"] for item in login(book.r1).get("/").context["menu"]}
    staff = {item["key"] for item in login(book.staff).get("/").context["menu"]}
    hr = {item["key"] for item in login(book.hr).get("/").context["menu"]}
    # then
    assert {"today", "customers"} <= rep
    assert not {"today", "customers"} & staff
    assert "customers" in hr and "today" not in hr


# --- creating and editing ------------------------------------------------------------------------


def test_a_rep_creates_a_customer_of_their_own(book, login):
    # when
    response = login(book.r1).post(
        "/customers/new/",
        {"phone": "139-1234-5678", "name": "新", "intent_level": "none", "owner": book.r2.pk},
    )
    # then: the owner field is not theirs to set
    customer = Customer.objects.get(name="新")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/customers/{customer.pk}/"
    assert (customer.phone, customer.owner) == ("+8613912345678", book.r1)


def test_a_supervisor_gives_a_new_customer_to_a_rep_in_their_team(book, login):
    # given
    client = login(book.s1)
    # when
    client.post(
        "/customers/new/",
        {"phone": "13912345678", "name": "新", "intent_level": "medium", "owner": book.r2.pk},
    )
    refused = client.post(
        "/customers/new/",
        {"phone": "13912345679", "name": "外", "intent_level": "none", "owner": book.r3.pk},
    )
    # then
    customer = Customer.objects.get(name="新")
    assert (customer.owner, customer.intent_on) == (book.r2, timezone.localdate())
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Customer.objects.filter(name="外").exists()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12345", "“12345” is not a valid phone number"),
        ("+86 138 0000 0001", "A customer with the number +8613800000001 already exists."),
    ],
)
def test_a_bad_number_is_a_form_error(book, login, phone, message):
    # given
    count = Customer.objects.count()
    # when
    response = login(book.admin).post(
        "/customers/new/", {"phone": phone, "name": "x", "intent_level": "none"}
    )
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Customer.objects.count() == count


def test_hr_only_reads(book, login):
    # given
    client = login(book.hr)
    # when
    responses = [
        client.get("/customers/new/"),
        client.post("/customers/new/", {"phone": "13912345678", "intent_level": "none"}),
        client.get(f"/customers/{book.c1.pk}/edit/"),
        client.post(f"/customers/{book.c1.pk}/edit/", {"phone": "13800000001", "name": "改"}),
        client.post(f"/customers/{book.c1.pk}/outcome/", {"disposition": 1}),
        client.post(f"/customers/{book.c1.pk}/merge/", {"other": "13800000003"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 6
    assert Customer.objects.get(pk=book.c1.pk).name == "甲"
    assert not Customer.objects.filter(phone="+8613912345678").exists()


def test_editing_a_customer(book, login):
    # given
    client = login(book.s1)
    # when: a supervisor sees the number masked and cannot change it
    page = client.get(f"/customers/{book.c1.pk}/edit/")
    response = client.post(
        f"/customers/{book.c1.pk}/edit/",
        {
            "phone": "13999999999",
            "name": "甲改",
            "company_size": "250",
            "tier": "A",
            "intent_level": "low",
            "owner": book.r2.pk,
        },
    )
    # then
    assert "phone" not in page.context["form"].fields
    assert "138****0001" in page.content.decode()
    assert "13800000001" not in page.content.decode()
    assert response.status_code == 302
    customer = Customer.objects.get(pk=book.c1.pk)
    assert (customer.phone, customer.name, customer.company_size) == ("+8613800000001", "甲改", 250)
    assert (customer.tier, customer.tier_fixed, customer.owner) == ("A", True, book.r2)
    assert customer.events.filter(kind="owner").exists()


@pytest.mark.parametrize(
    ("who", "target"),
    [("r1", "c2"), ("r2", "c1"), ("s2", "c1"), ("manager", "pool"), ("s1", "c3")],
)
def test_no_edit_outcome_or_merge_out_of_scope(book, login, who, target):
    # given
    client = login(getattr(book, who))
    customer = getattr(book, target)
    before = (Customer.objects.get(pk=customer.pk).name, Outcome.objects.count())
    audit = AuditEvent.objects.count()
    # when
    contacted = Disposition.objects.get(code="contacted").pk
    responses = [
        client.get(f"/customers/{customer.pk}/edit/"),
        client.post(
            f"/customers/{customer.pk}/edit/",
            {"phone": "13800000009", "name": "改", "intent_level": "none"},
        ),
        client.post(f"/customers/{customer.pk}/outcome/", {"disposition": contacted}),
        client.post(f"/customers/{customer.pk}/merge/", {"other": "13800000001"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert (Customer.objects.get(pk=customer.pk).name, Outcome.objects.count()) == before
    assert AuditEvent.objects.count() == audit


# --- a customer's page: timeline, outcome, merge ----------------------------------------------------


def test_the_customer_page_shows_the_timeline_and_why_the_tier(book, login):
    # given
    outcome_record(
        actor=book.r1.user,
        customer=book.c1,
        disposition=Disposition.objects.get(code="intent"),
        employee=book.r1,
        notes="要报价",
    )
    # when
    response = login(book.r1).get(f"/customers/{book.c1.pk}/")
    # then
    assert response.status_code == 200
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds.count("outcome") == 1  # the outcome once, not also as its event
    assert {"created", "merged", "intent", "tier"} <= set(kinds)
    page = response.content.decode()
    assert "要报价" in page
    assert "Why tier B" in page
    assert "intent level ≥ medium — this customer: medium" in page
    assert 'data-testid="outcome-form"' in page
    assert 'data-testid="merge-form"' not in page  # reps do not merge


def test_a_rep_records_an_outcome_on_the_page(book, login):
    # given
    client = login(book.r1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    callback = Disposition.objects.get(code="callback")
    # when
    response = client.post(
        f"/customers/{book.c1.pk}/outcome/",
        {"disposition": callback.pk, "notes": "明天", "next_follow_up": tomorrow.isoformat()},
    )
    past = client.post(
        f"/customers/{book.c1.pk}/outcome/",
        {"disposition": callback.pk, "next_follow_up": "2020-01-01"},
    )
    # then
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.employee, outcome.disposition, outcome.notes) == (book.r1, callback, "明天")
    assert Customer.objects.get(pk=book.c1.pk).next_follow_up == tomorrow
    assert past.status_code == 400
    assert "The next follow-up cannot be in the past." in past.content.decode()
    assert Outcome.objects.count() == 1


def test_a_supervisor_merges_a_duplicate_on_the_page(book, login):
    # given
    client = login(book.s1)
    extra = customer_create(actor=None, phone="13800000007", name="另一个", owner=book.r2)
    # when
    response = client.post(f"/customers/{book.c1.pk}/merge/", {"other": "138-0000-0007"})
    # then
    assert response.status_code == 302
    extra.refresh_from_db()
    assert extra.merged_into_id == book.c1.pk
    # the merged customer's page leads to the kept one
    assert client.get(f"/customers/{extra.pk}/").headers["Location"] == f"/customers/{book.c1.pk}/"


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ("13800000004", "None of your customers other than this one has that number."),  # T2's
        ("13800000001", "None of your customers other than this one has that number."),  # itself
        ("1234", "has too few digits"),
    ],
)
def test_a_merge_that_cannot_be_is_a_form_error(book, login, other, message):
    # when
    response = login(book.s1).post(f"/customers/{book.c1.pk}/merge/", {"other": other})
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Customer.objects.filter(merged_into__isnull=False).count() == 1


# --- an outcome from a call ----------------------------------------------------------------------------


@pytest.fixture
def calls(book):
    give_extensions(book)
    import_calls(
        [
            outbound("8001", "13800000001", "2026-09-01 10:00:00", billsec=75),  # R1 → 甲
            outbound("8001", "13911112222", "2026-09-01 10:10:00", billsec=40),  # R1 → new
            outbound("8001", "13800000003", "2026-09-01 10:20:00", billsec=40),  # R1 → R2's 乙
            outbound("8002", "13800000003", "2026-09-01 11:00:00", billsec=50),  # R2 → 乙
        ]
    )
    return {c.customer_number + ":" + c.extension: c for c in Call.objects.all()}


def test_the_quick_form_after_a_call(book, login, calls):
    # given
    client = login(book.r1)
    known = calls["13800000001:8001"]
    new = calls["13911112222:8001"]
    intent = Disposition.objects.get(code="intent")
    # when
    page = client.get(f"/customers/outcome/?call={known.pk}")
    first = client.post(f"/customers/outcome/?call={known.pk}", {"disposition": intent.pk})
    second = client.post(f"/customers/outcome/?call={new.pk}", {"disposition": intent.pk})
    # then
    assert page.status_code == 200
    assert page.context["customer"] == book.c1
    assert first.headers["Location"] == f"/customers/{book.c1.pk}/"
    created = Customer.objects.get(phone="+8613911112222")
    assert second.headers["Location"] == f"/customers/{created.pk}/"
    assert created.owner == book.r1
    assert list(Outcome.objects.order_by("id").values_list("customer", "call")) == [
        (book.c1.pk, known.pk),
        (created.pk, new.pk),
    ]
    assert Customer.objects.get(pk=book.c1.pk).intent_on == dt.date(2026, 9, 1)


def test_the_quick_form_is_only_for_the_rep_who_called(book, login, calls):
    # given
    r1_call = calls["13800000001:8001"]
    to_r2s_customer = calls["13800000003:8001"]
    intent = Disposition.objects.get(code="intent").pk
    # when
    responses = [
        login(book.r2).get(f"/customers/outcome/?call={r1_call.pk}"),
        login(book.r2).post(f"/customers/outcome/?call={r1_call.pk}", {"disposition": intent}),
        login(book.s1).get(f"/customers/outcome/?call={r1_call.pk}"),
        login(book.r1).get(f"/customers/outcome/?call={to_r2s_customer.pk}"),
        login(book.r1).post(
            f"/customers/outcome/?call={to_r2s_customer.pk}", {"disposition": intent}
        ),
        login(book.r1).get("/customers/outcome/?call=abc"),
        login(book.r1).get("/customers/outcome/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 7
    assert not Outcome.objects.exists()


# --- the rep's day --------------------------------------------------------------------------------------


@pytest.fixture
def day(book):
    """R1's day: 甲 overdue (tier D), 逾B overdue (tier B, due earlier), 今 due today,
    回 a callback without a date, 新 a lead given an hour ago, 旧 a lead given 5 days ago,
    后 a follow-up next week, 不打 do not call with a follow-up date (and a callback)."""
    today = timezone.localdate()
    r1 = book.r1

    def make(phone, name, **fields):
        customer = customer_create(actor=None, phone=phone, name=name, owner=r1)
        fields.setdefault("owned_since", timezone.now() - dt.timedelta(days=10))
        Customer.objects.filter(pk=customer.pk).update(**fields)
        return customer

    Customer.objects.filter(pk=book.c1.pk).update(next_follow_up=today - dt.timedelta(days=1))
    make("13700000001", "逾B", next_follow_up=today - dt.timedelta(days=3), tier="B")
    make("13700000002", "今", next_follow_up=today, tier="C")
    callback = Disposition.objects.get(code="callback")
    make("13700000003", "回", last_disposition=callback, tier="A")
    make("13700000004", "新", owned_since=timezone.now() - dt.timedelta(hours=1))
    make("13700000005", "旧", owned_since=timezone.now() - dt.timedelta(days=5))
    make("13700000006", "后", next_follow_up=today + dt.timedelta(days=7))
    Customer.objects.filter(pk=book.dnc.pk).update(
        next_follow_up=today - dt.timedelta(days=1), last_disposition=callback
    )
    # R2's follow-up, for the supervisor's view
    Customer.objects.filter(pk=book.c2.pk).update(next_follow_up=today)
    return book


def _today(response) -> list[str]:
    assert response.status_code == 200
    return [c.name for c in response.context["page"].object_list]


def test_the_reps_day_in_priority_order(day, login):
    # when
    listed = _today(login(day.r1).get("/today/"))
    # then: overdue first (B before D), then by tier, never do-not-call
    assert listed == ["逾B", "甲", "回", "今", "新"]
    page = login(day.r1).get("/today/").content.decode()
    assert "Overdue since" in page
    assert "Callback" in page
    assert "New lead" in page


def test_a_new_lead_that_was_called_leaves_the_day(day, login):
    # given
    new = Customer.objects.get(name="新")
    outcome_record(
        actor=None,
        customer=new,
        disposition=Disposition.objects.get(code="no_answer"),
        employee=day.r1,
    )
    # then
    assert "新" not in _today(login(day.r1).get("/today/"))


def test_do_not_call_customers_are_never_listed_for_calling(day, login):
    # when
    names = set()
    for who in ("r1", "s1", "manager", "admin"):
        names |= set(_today(login(getattr(day, who)).get("/today/")))
    # then
    assert "不打" not in names


def test_a_supervisor_sees_the_day_of_their_reps(day, login):
    # given
    client = login(day.s1)
    # when
    everyone = _today(client.get("/today/"))
    r2 = _today(client.get(f"/today/?rep={day.r2.pk}"))
    r3 = client.get(f"/today/?rep={day.r3.pk}")
    # then
    assert set(everyone) == {"逾B", "甲", "回", "今", "新", "乙"}
    assert r2 == ["乙"]
    assert _today(r3) == []
    assert "Select a valid choice" in r3.content.decode()
    assert _today(login(day.s2).get("/today/")) == ["丙"]  # R3's new lead


def test_hr_and_staff_have_no_day(day, login):
    assert login(day.hr).get("/today/").status_code == 404
    assert login(day.staff).get("/today/").status_code == 404


# --- tiers and their rules ----------------------------------------------------------------------------


def test_the_tier_page_counts_and_explains_within_scope(book, login):
    # when
    response = login(book.s1).get("/customers/tiers/")
    # then: 乙 came by referral; nothing else has facts
    assert response.status_code == 200
    assert dict(response.context["counts"]) == {"A": 0, "B": 1, "C": 0, "D": 3}
    rows = {c.name: c for c in response.context["page"].object_list}
    assert set(rows) == {"甲", "不打", "乙", "池"}
    assert rows["池"].reason == ["No rule applies, so the tier is D."]
    # when: a supervisor adds a rule for trade-fair leads
    login(book.s1).post(
        "/customers/tiers/rules/",
        {
            "name": "展会线索",
            "tier": "B",
            "is_active": "on",
            "c-TOTAL_FORMS": "2",
            "c-INITIAL_FORMS": "0",
            "c-0-field": "source",
            "c-0-op": "in",
            "c-0-value": "展会, 官网",
            "c-1-field": "",
        },
    )
    response = login(book.s1).get("/customers/tiers/?tier=B")
    # then
    rows = {c.name: c for c in response.context["page"].object_list}
    assert set(rows) == {"乙", "池"}
    assert rows["池"].rule_name == "展会线索"
    assert rows["池"].reason == ["source ∈ 展会, 官网 — this customer: 展会"]
    assert "138****0005" in response.content.decode()


def _rule_post(name="新规则", tier="A", field="company_size", op=">=", value="100", **extra):
    data = {
        "name": name,
        "tier": tier,
        "is_active": "on",
        "c-TOTAL_FORMS": "1",
        "c-INITIAL_FORMS": "0",
        "c-0-field": field,
        "c-0-op": op,
        "c-0-value": value,
    }
    data.update(extra)
    return data


def test_an_administrator_edits_deletes_and_reorders_rules(book, login):
    # given
    client = login(book.admin)
    rule = TierRule.objects.get(name="转介绍")
    first = TierRule.objects.order_by("order", "id").first()
    # when
    edit = client.get(f"/customers/tiers/rules/{rule.pk}/")
    client.post(
        f"/customers/tiers/rules/{rule.pk}/",
        _rule_post(name="转介绍", tier="C", field="source", op="==", value="转介绍"),
    )
    client.post(f"/customers/tiers/rules/{rule.pk}/move/", {"to": "up"})
    client.post(f"/customers/tiers/rules/{first.pk}/delete/")
    # then
    assert edit.context["conditions"].initial == [
        {"field": "source", "op": "in", "value": "referral, 转介绍"}
    ]
    rule.refresh_from_db()
    assert (rule.tier, rule.conditions) == (
        "C",
        [{"field": "source", "op": "==", "value": "转介绍"}],
    )
    assert not TierRule.objects.filter(pk=first.pk).exists()
    names = list(TierRule.objects.order_by("order").values_list("name", flat=True))
    assert names.index("转介绍") == 2  # moved above 规模较大且近30天有接触; the first deleted
    actions = set(
        AuditEvent.objects.filter(object_type="crm.tierrule").values_list("action", flat=True)
    )
    assert actions == {"tier_rule.update", "tier_rule.delete"}


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (_rule_post(value="many"), "company size is compared with a whole number, not “many”."),
        (_rule_post(field="intent_level", value="hot"), "“hot” is not an intent level"),
        (_rule_post(field="source", op=">="), "source can be compared with == in, not “&gt;=”."),
        (_rule_post(name=""), "This field is required."),
        (_rule_post(tier="E"), "Select a valid choice."),
    ],
)
def test_a_bad_rule_is_a_form_error(book, login, post, message):
    # given
    count = TierRule.objects.count()
    # when
    response = login(book.admin).post("/customers/tiers/rules/", post)
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert TierRule.objects.count() == count


@pytest.mark.parametrize("who", ["r1", "manager", "hr", "staff"])
def test_only_administrators_and_supervisors_edit_the_rules(book, login, who):
    # given
    client = login(getattr(book, who))
    rule = TierRule.objects.first()
    before = list(TierRule.objects.values_list("pk", "order", "tier", "name"))
    # when
    responses = [
        client.get("/customers/tiers/rules/"),
        client.post("/customers/tiers/rules/", _rule_post()),
        client.get(f"/customers/tiers/rules/{rule.pk}/"),
        client.post(f"/customers/tiers/rules/{rule.pk}/", _rule_post()),
        client.post(f"/customers/tiers/rules/{rule.pk}/move/", {"to": "down"}),
        client.post(f"/customers/tiers/rules/{rule.pk}/delete/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 6
    assert list(TierRule.objects.values_list("pk", "order", "tier", "name")) == before
    assert not AuditEvent.objects.filter(object_type="crm.tierrule").exists()


# --- the call outcomes table ---------------------------------------------------------------------------


def test_an_administrator_edits_the_call_outcomes(book, login):
    # given
    client = login(book.admin)
    busy = Disposition.objects.get(code="busy")
    # when
    listing = client.get("/customers/outcomes/")
    client.post(
        f"/customers/outcomes/{busy.pk}/",
        {
            "code": "changed",
            "label": "占线/忙",
            "recycle_after_days": "2",
            "max_attempts": "4",
            "order": "20",
            "is_active": "on",
        },
    )
    client.post(
        "/customers/outcomes/new/",
        {
            "code": "voicemail",
            "label": "语音信箱",
            "recycle_after_days": "1",
            "order": "25",
            "is_active": "on",
        },
    )
    refused = client.post(
        "/customers/outcomes/new/",
        {"code": "odd", "label": "怪", "sale": "on", "contact": "on", "order": "1"},
    )
    # then
    assert listing.status_code == 200
    assert "未接通" in listing.content.decode()
    busy.refresh_from_db()
    assert (busy.code, busy.label, busy.recycle_after_days, busy.max_attempts) == (
        "busy",
        "占线/忙",
        2,
        4,
    )
    assert Disposition.objects.filter(code="voicemail", label="语音信箱").exists()
    assert refused.status_code == 200
    assert "must also have the intent flag" in refused.content.decode()
    assert not Disposition.objects.filter(code="odd").exists()


@pytest.mark.parametrize("who", ["r1", "s1", "manager", "hr", "staff"])
def test_only_administrators_edit_the_call_outcomes(book, login, who):
    # given
    client = login(getattr(book, who))
    busy = Disposition.objects.get(code="busy")
    # when
    responses = [
        client.get("/customers/outcomes/"),
        client.get("/customers/outcomes/new/"),
        client.post("/customers/outcomes/new/", {"code": "x", "label": "x", "order": "1"}),
        client.get(f"/customers/outcomes/{busy.pk}/"),
        client.post(f"/customers/outcomes/{busy.pk}/", {"label": "x", "order": "1"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 5
    busy.refresh_from_db()
    assert busy.label == "占线"
    assert not Disposition.objects.filter(code="x").exists()


def test_the_admin_shows_customers_read_only(book, login):
    # given
    client = login(book.admin)
    # when
    listing = client.get("/admin/crm/customer/")
    detail = client.get(f"/admin/crm/customer/{book.c1.pk}/change/")
    delete = client.post(f"/admin/crm/customer/{book.c1.pk}/delete/", {"post": "yes"})
    # then
    assert (listing.status_code, detail.status_code, delete.status_code) == (200, 200, 403)
    assert Customer.objects.filter(pk=book.c1.pk).exists()


def test_timeline_events_of_other_areas_are_shown_once(book, login):
    # given: a deal noted on the timeline without a deal row, and a ticket with its event
    from telesales.crm.customers.services import customer_event_add
    from telesales.feedback.models import Ticket

    customer_event_add(actor=None, customer=book.c1, kind="deal", text="D-1 成交")
    ticket = Ticket.objects.create(
        number="T-1",
        kind="complaint",
        title="太慢",
        customer=book.c1,
        department=book.staff.department,
        sla_hours=24,
        due_at=timezone.now() + dt.timedelta(hours=24),
    )
    customer_event_add(actor=None, customer=book.c1, kind="ticket", text="T-1", ticket=ticket.pk)
    customer_update(actor=book.s1.user, customer=book.c1, name="甲公司")
    # when
    timeline = login(book.r1).get(f"/customers/{book.c1.pk}/").context["timeline"]
    # then
    texts = [(e.kind, e.text) for e in timeline]
    assert ("deal", "D-1 成交") in texts
    assert ("updated", "name") in texts
    assert [t for k, t in texts if k == "ticket"] == ["T-1 · 太慢 · Open"]


# --- the intent settings ---------------------------------------------------------------------------------


def _settings_post(client, **values):
    from telesales.core.config import setting_definitions, setting_get

    data = {}
    for definition in setting_definitions():
        value = setting_get(definition.key)
        data[definition.key.replace(".", "__")] = (
            ", ".join(value) if isinstance(value, list) else value
        )
    data.update(values)
    return client.post("/settings/", data)


def test_the_intent_levels_and_threshold_are_settings(book, login):
    # given
    from telesales.core.config import setting_get

    client = login(book.admin)
    # when
    page = client.get("/settings/").content.decode()
    saved = _settings_post(
        client, crm__intent_levels="none, low, medium, high, hot", crm__intent_threshold="high"
    )
    # then
    assert 'name="crm__intent_levels" value="none, low, medium, high"' in page
    assert saved.status_code == 302
    assert setting_get("crm.intent_levels") == ["none", "low", "medium", "high", "hot"]
    assert setting_get("crm.intent_threshold") == "high"
    assert AuditEvent.objects.filter(action="setting.change").count() == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"crm__intent_levels": "only"}, "Give at least two intent levels, lowest first."),
        ({"crm__intent_levels": "low, low, high"}, "Each intent level may appear only once."),
        ({"crm__intent_levels": "low, very high"}, "“very high” is not a level code"),
        ({"crm__intent_threshold": "hot"}, "“hot” is not one of the intent levels"),
    ],
)
def test_bad_intent_settings_are_form_errors(book, login, values, message):
    # given
    from telesales.core.config import setting_get

    # when
    response = _settings_post(login(book.admin), **values)
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert setting_get("crm.intent_levels") == ["none", "low", "medium", "high"]
