"""The allocation pages (issue 4): the lead pool and allocation preview, reclaim, recycle,
history and reassignment by hand; who may open them, what they show, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.crm.allocation import forms as allocation_forms
from telesales.crm.allocation import services
from telesales.crm.allocation.forms import plan_token
from telesales.crm.models import AllocationItem, AllocationRun, Customer, CustomerEvent, Disposition
from tests.test_crm_allocation import lead, leads, owners

NOBODY = ["r1", "staff", "hr"]
ALLOCATORS = ["s1", "s2", "manager", "admin"]
PAGES = ["/leads/", "/leads/reclaim/", "/leads/recycle/", "/leads/history/"]


@pytest.fixture
def login(login):
    """Pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _stored() -> tuple[int, ...]:
    return (
        AllocationRun.objects.count(),
        AllocationItem.objects.count(),
        CustomerEvent.objects.count(),
        AuditEvent.objects.filter(action__startswith="allocation").count(),
        AuditEvent.objects.filter(action="customer.owner").count(),
    )


def _preview_query(org, reps, method="round_robin", **extra) -> str:
    params = [("method", method), ("which", extra.pop("which", "all"))]
    params += [("reps", rep.pk) for rep in reps]
    params += list(extra.items())
    return "&".join(f"{k}={v}" for k, v in params)


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", NOBODY)
@pytest.mark.parametrize("url", PAGES)
def test_reps_staff_and_hr_get_404_everywhere(org, login, who, url):
    assert login(getattr(org, who)).get(url).status_code == 404


@pytest.mark.parametrize("who", NOBODY)
def test_reps_staff_and_hr_cannot_post_anything(org, login, who):
    # given
    customer = lead("L", owner=org.r1, days_owned=30)
    client = login(getattr(org, who))
    # when
    responses = [
        client.post("/leads/confirm/", {"token": "x"}),
        client.post("/leads/reclaim/", {"token": "x"}),
        client.post("/leads/recycle/", {"token": "x"}),
        client.post(f"/leads/{customer.pk}/reassign/", {"to_owner": org.r2.pk}),
        client.get(f"/leads/preview/?{_preview_query(org, [org.r1])}"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 5
    assert owners() == {"L": "R1"}


@pytest.mark.parametrize("who", ALLOCATORS)
@pytest.mark.parametrize("url", PAGES)
def test_supervisors_managers_and_administrators_open_every_page(org, login, who, url):
    assert login(getattr(org, who)).get(url).status_code == 200


def test_the_menu_lists_allocation_for_allocators_only(org, login):
    assert "/leads/" in login(org.s1).get("/").content.decode()
    assert "/leads/" not in login(org.r1).get("/").content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/leads/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the pool ---------------------------------------------------------------------------------


def test_the_pool_lists_unowned_callable_leads_masked(org, login):
    # given
    shown = Customer.objects.create(phone="+8613812341234", name="open", tier="B")
    Customer.objects.create(phone="+8613900001111", name="dnc", dnc=True)
    Customer.objects.create(phone="+8613700002222", name="merged", merged_into=shown)
    Customer.objects.create(phone="+8613600003333", name="owned", owner=org.r3)
    landline = Customer.objects.create(phone="+862188886666", name="landline", tier="A")
    # when
    response = login(org.s2).get("/leads/")
    # then
    page = response.content.decode()
    listed = list(response.context["page"].object_list)
    assert [c.name for c in listed] == ["landline", "open"]
    assert [c.phone_shown for c in listed] == ["021****6666", "138****1234"]
    assert "13812341234" not in page and "+8613812341234" not in page
    assert landline.phone not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tier=A", ["A-web"]),
        ("source=web", ["A-web", "C-web-old"]),
        ("newer_than_days=5", ["A-web", "B-fair"]),
        ("older_than_days=5", ["C-web-old"]),
        ("tier=C&source=web", ["C-web-old"]),
    ],
)
def test_the_pool_filters(org, login, query, expected):
    # given
    lead("A-web", tier="A", source="web")
    lead("B-fair", tier="B", source="展会")
    old = lead("C-web-old", tier="C", source="web")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    # when
    response = login(org.s1).get(f"/leads/?{query}")
    # then
    assert [c.name for c in response.context["page"].object_list] == expected


def test_a_bad_filter_is_a_form_error(org, login):
    response = login(org.s1).get("/leads/?older_than_days=-1")
    assert response.status_code == 200
    assert response.context["filter_form"].errors
    assert list(response.context["page"].object_list) == []


def test_the_allocation_form_offers_the_available_reps_in_scope(org, login):
    # given
    from telesales.org.services import employee_leave

    employee_leave(actor=None, employee=org.r2, date=timezone.localdate(), voluntary=True)
    # when
    s1 = login(org.s1).get("/leads/")
    admin = login(org.admin).get("/leads/")
    # then
    assert [row["rep"].employee_no for row in s1.context["reps"]] == ["R1"]
    assert [row["rep"].employee_no for row in admin.context["reps"]] == ["R1", "R3"]
    assert all(row["checked"] for row in s1.context["reps"])


def test_the_pool_page_runs_a_bounded_number_of_queries(org, login):
    # given
    client = login(org.s1)
    leads(2)
    client.get("/leads/")
    with CaptureQueriesContext(connection) as few:
        client.get("/leads/")
    leads(40, prefix="M", source="web")
    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get("/leads/")
    # then
    assert len(response.context["page"].object_list) == 42
    assert len(many) == len(few)


# --- preview and confirm ----------------------------------------------------------------------


def test_the_preview_shows_who_gets_what_and_stores_nothing(org, login):
    # given
    pool = leads(3)
    client = login(org.s1)
    before = _stored()
    # when
    response = client.get(f"/leads/preview/?{_preview_query(org, [org.r1, org.r2])}")
    # then
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["customer"].name, r["to"].employee_no) for r in rows] == [
        ("L1", "R1"),
        ("L2", "R2"),
        ("L3", "R1"),
    ]
    assert [(r["rep"].employee_no, r["given"]) for r in response.context["by_rep"]] == [
        ("R1", 2),
        ("R2", 1),
    ]
    assert _stored() == before
    assert owners() == dict.fromkeys(["L1", "L2", "L3"])
    assert pool[0].phone not in response.content.decode()


def test_the_preview_takes_the_first_n_filtered_leads(org, login):
    # given
    leads(3, tier="B")
    leads(2, prefix="A", tier="A")
    # when
    response = login(org.s1).get(
        f"/leads/preview/?{_preview_query(org, [org.r1], which='first', count=3, tier='B')}"
    )
    # then
    assert [r["customer"].name for r in response.context["rows"]] == ["L1", "L2", "L3"]


def test_the_preview_with_no_rep_chosen_is_a_form_error(org, login, english):
    # given
    leads(2)
    # when
    response = login(org.s1).get("/leads/preview/?method=round_robin&which=all")
    # then
    assert response.status_code == 400
    assert "Choose at least one rep." in response.content.decode()


def test_a_preview_naming_a_rep_out_of_scope_is_a_404(org, login):
    # given
    leads(2)
    # when
    response = login(org.s1).get(f"/leads/preview/?{_preview_query(org, [org.r1, org.r3])}")
    bad = login(org.s1).get("/leads/preview/?method=round_robin&which=all&reps=x")
    # then
    assert (response.status_code, bad.status_code) == (404, 404)


def test_confirming_the_preview_allocates_exactly_it(org, login, english):
    # given
    leads(3)
    client = login(org.s1)
    preview = client.get(f"/leads/preview/?{_preview_query(org, [org.r1, org.r2])}")
    token = preview.context["token"]
    leads(2, prefix="M")  # new leads arriving after the preview are not part of it
    # when
    response = client.post("/leads/confirm/", {"token": token}, follow=True)
    # then
    run = AllocationRun.objects.get()
    assert response.redirect_chain[-1][0] == f"/leads/history/{run.pk}/"
    assert owners() == {"L1": "R1", "L2": "R2", "L3": "R1", "M1": None, "M2": None}
    assert "3 leads allocated." in response.content.decode()


def test_confirming_twice_skips_and_reports_the_taken_leads(org, login, english):
    # given
    leads(2)
    client = login(org.s1)
    token = client.get(f"/leads/preview/?{_preview_query(org, [org.r1])}").context["token"]
    client.post("/leads/confirm/", {"token": token})
    # when
    response = client.post("/leads/confirm/", {"token": token}, follow=True)
    # then
    page = response.content.decode()
    assert "0 leads allocated." in page
    assert "2 leads were skipped (Taken or changed by someone else meanwhile: 2)." in page
    assert AllocationItem.objects.count() == 2


def test_a_token_made_for_someone_else_or_tampered_is_a_404(org, login):
    # given
    leads(2)
    token = login(org.s1).get(f"/leads/preview/?{_preview_query(org, [org.r1])}").context["token"]
    # when
    other = login(org.manager).post("/leads/confirm/", {"token": token})
    tampered = login(org.s1).post("/leads/confirm/", {"token": token[:-2] + "xx"})
    missing = login(org.s1).post("/leads/confirm/", {})
    # then
    assert [other.status_code, tampered.status_code, missing.status_code] == [404] * 3
    assert _stored() == (0, 0, 0, 0, 0)


def test_a_plan_giving_leads_out_of_scope_is_a_404_and_changes_nothing(org, login):
    # given: a plan naming R3, signed for S1 (as if S1's scope had shrunk since the preview)
    pool = leads(1)
    plan = services.Plan(
        kind=AllocationRun.Kind.ALLOCATE,
        method="round_robin",
        today=timezone.localdate(),
        items=(services.PlanItem(pool[0].pk, None, org.r3.pk),),
    )
    # when
    response = login(org.s1).post("/leads/confirm/", {"token": plan_token(plan, org.s1.user)})
    # then
    assert response.status_code == 404
    assert owners() == {"L1": None}
    assert _stored() == (0, 0, 0, 0, 0)


def test_a_reclaim_plan_cannot_be_confirmed_as_an_allocation(org, login):
    # given
    lead("L", owner=org.r1, days_owned=30)
    plan = services.reclaim_plan(actor=org.s1.user, days=7, today=timezone.localdate())
    # when
    response = login(org.s1).post("/leads/confirm/", {"token": plan_token(plan, org.s1.user)})
    # then
    assert response.status_code == 404
    assert owners() == {"L": "R1"}


def test_an_old_preview_is_refused_with_a_message(org, login, english, monkeypatch):
    # given
    leads(1)
    client = login(org.s1)
    token = client.get(f"/leads/preview/?{_preview_query(org, [org.r1])}").context["token"]

    monkeypatch.setattr(allocation_forms, "PLAN_MAX_AGE", -1)  # every token is too old
    # when
    response = client.post("/leads/confirm/", {"token": token}, follow=True)
    # then
    assert "This preview is too old to confirm." in response.content.decode()
    assert owners() == {"L1": None}


def test_the_preview_runs_a_bounded_number_of_queries(org, login):
    # given
    client = login(org.s1)
    query = _preview_query(org, [org.r1, org.r2], method="skill")
    leads(2)
    client.get(f"/leads/preview/?{query}")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/leads/preview/?{query}")
    leads(25, prefix="M")
    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/leads/preview/?{query}")
    # then
    assert len(response.context["rows"]) == 27
    assert len(many) == len(few)


# --- reclaim ----------------------------------------------------------------------------------


@pytest.fixture
def idle(org):
    return {
        "R1 idle": lead("R1 idle", owner=org.r1, days_owned=10),
        "R1 new": lead("R1 new", owner=org.r1, days_owned=2),
        "R3 idle": lead("R3 idle", owner=org.r3, days_owned=10),
    }


def test_the_reclaim_page_previews_then_reclaims(org, login, idle, english):
    # given
    client = login(org.s1)
    before = _stored()
    # when
    preview = client.get("/leads/reclaim/?days=7")
    stored_by_preview = _stored()
    response = client.post("/leads/reclaim/", {"token": preview.context["token"]}, follow=True)
    # then
    assert [r["customer"].name for r in preview.context["rows"]] == ["R1 idle"]
    assert (
        "138" in preview.content.decode() and idle["R1 idle"].phone not in preview.content.decode()
    )
    assert stored_by_preview == before
    assert "1 lead reclaimed to the pool." in response.content.decode()
    assert owners() == {"R1 idle": None, "R1 new": "R1", "R3 idle": "R3"}
    assert AllocationRun.objects.get().kind == "reclaim"


def test_the_reclaim_page_without_days_only_shows_the_form(org, login, idle):
    response = login(org.s1).get("/leads/reclaim/")
    assert response.status_code == 200
    assert "plan" not in response.context


def test_reclaim_for_a_team_or_rep_out_of_scope_is_a_404(org, login, idle):
    # when
    client = login(org.s1)
    by_team = client.get(f"/leads/reclaim/?days=7&team={org.t2.pk}")
    by_rep = client.get(f"/leads/reclaim/?days=7&rep={org.r3.pk}")
    # then
    assert (by_team.status_code, by_rep.status_code) == (404, 404)


def test_a_reclaim_token_of_another_supervisor_is_a_404(org, login, idle):
    # given
    token = login(org.s2).get("/leads/reclaim/?days=7").context["token"]
    # when
    response = login(org.s1).post("/leads/reclaim/", {"token": token})
    # then
    assert response.status_code == 404
    assert owners()["R3 idle"] == "R3"


def test_reclaim_rejects_a_bad_number_of_days(org, login, idle):
    response = login(org.s1).get("/leads/reclaim/?days=0")
    assert response.status_code == 400
    assert "plan" not in response.context


# --- recycle ----------------------------------------------------------------------------------


@pytest.fixture
def due(org):
    no_answer = Disposition.objects.get(code="no_answer")
    past = timezone.now() - dt.timedelta(days=3)
    return {
        name: lead(
            name,
            owner=owner,
            days_owned=10,
            last_disposition=no_answer,
            last_contact_at=past,
            attempts=1,
        )
        for name, owner in (("R1 due", org.r1), ("R2 due", org.r2), ("R3 due", org.r3))
    }


def test_the_recycle_page_previews_then_returns_leads_to_the_pool(org, login, due, english):
    # given
    client = login(org.s1)
    # when
    preview = client.get("/leads/recycle/?action=pool")
    response = client.post("/leads/recycle/", {"token": preview.context["token"]}, follow=True)
    # then
    assert sorted(r["customer"].name for r in preview.context["rows"]) == ["R1 due", "R2 due"]
    assert "2 leads recycled." in response.content.decode()
    assert owners() == {"R1 due": None, "R2 due": None, "R3 due": "R3"}
    assert Customer.objects.get(name="R1 due").attempts == 1


def test_the_recycle_page_can_give_leads_to_other_reps(org, login, due):
    # given
    client = login(org.s1)
    # when
    preview = client.get(f"/leads/recycle/?action=reassign&reps={org.r1.pk}&reps={org.r2.pk}")
    client.post("/leads/recycle/", {"token": preview.context["token"]})
    # then
    assert owners() == {"R1 due": "R2", "R2 due": "R1", "R3 due": "R3"}
    assert AllocationRun.objects.get().method == "round_robin"


def test_recycling_to_reps_needs_reps(org, login, due, english):
    response = login(org.s1).get("/leads/recycle/?action=reassign")
    assert response.status_code == 400
    assert "Choose the reps who take the recycled leads." in response.content.decode()


def test_recycling_to_a_rep_out_of_scope_is_a_404(org, login, due):
    response = login(org.s1).get(f"/leads/recycle/?action=reassign&reps={org.r3.pk}")
    assert response.status_code == 404


# --- history ----------------------------------------------------------------------------------


def _allocate(org, actor, reps, count=2, prefix="L"):
    plan = services.allocation_plan(
        actor=actor.user,
        customers=leads(count, prefix=prefix),
        reps=reps,
        method="round_robin",
        today=timezone.localdate(),
    )
    return services.allocation_execute(actor=actor.user, plan=plan)


def test_the_history_is_scoped(org, login):
    # given
    t1 = _allocate(org, org.s1, [org.r1, org.r2], prefix="A")
    t2 = _allocate(org, org.s2, [org.r3], prefix="B")
    both = _allocate(org, org.admin, [org.r1, org.r3], prefix="C")
    # when
    listed = {
        who: [run.pk for run in login(getattr(org, who)).get("/leads/history/").context["runs"]]
        for who in ("s1", "s2", "manager", "admin")
    }
    # then
    assert listed == {
        "s1": [both.pk, t1.pk],
        "s2": [both.pk, t2.pk],
        "manager": [both.pk, t2.pk, t1.pk],
        "admin": [both.pk, t2.pk, t1.pk],
    }


def test_a_run_shows_only_the_moves_in_scope(org, login):
    # given
    run = _allocate(org, org.admin, [org.r1, org.r3], count=4)
    # when
    s1 = login(org.s1).get(f"/leads/history/{run.pk}/")
    listed = login(org.s1).get("/leads/history/").context["runs"][0]
    # then
    assert {i.to_owner.employee_no for i in s1.context["run"].visible_items} == {"R1"}
    assert (listed.visible_count, listed.count) == (2, 4)
    assert [(m["to"].employee_no, m["count"]) for m in listed.moves] == [("R1", 2)]
    assert s1.context["skipped"] == []


def test_a_run_out_of_scope_is_a_404(org, login):
    # given
    run = _allocate(org, org.s2, [org.r3])
    # when / then
    assert login(org.s1).get(f"/leads/history/{run.pk}/").status_code == 404
    assert login(org.r3).get(f"/leads/history/{run.pk}/").status_code == 404
    assert login(org.s2).get(f"/leads/history/{run.pk}/").status_code == 200


def test_the_history_filters_by_kind(org, login):
    # given
    _allocate(org, org.s1, [org.r1])
    lead("idle", owner=org.r1, days_owned=10)
    services.reclaim_execute(
        actor=org.s1.user,
        plan=services.reclaim_plan(actor=org.s1.user, days=7, today=timezone.localdate()),
    )
    # when
    runs = login(org.s1).get("/leads/history/?kind=reclaim").context["runs"]
    # then
    assert [run.kind for run in runs] == ["reclaim"]


def test_history_pages_run_a_bounded_number_of_queries(org, login):
    # given
    client = login(org.s1)
    first = _allocate(org, org.s1, [org.r1, org.r2], count=2, prefix="A")
    client.get("/leads/history/")
    with CaptureQueriesContext(connection) as few_runs:
        client.get("/leads/history/")
    with CaptureQueriesContext(connection) as few_items:
        client.get(f"/leads/history/{first.pk}/")
    for n in range(5):
        _allocate(org, org.s1, [org.r1, org.r2], count=6, prefix=f"B{n}-")
    big = _allocate(org, org.s1, [org.r1, org.r2], count=20, prefix="C")
    # when
    with CaptureQueriesContext(connection) as many_runs:
        client.get("/leads/history/")
    with CaptureQueriesContext(connection) as many_items:
        response = client.get(f"/leads/history/{big.pk}/")
    # then
    assert len(response.context["run"].visible_items) == 20
    assert len(many_runs) == len(few_runs)
    assert len(many_items) == len(few_items)


# --- reassignment by hand ---------------------------------------------------------------------


def test_a_supervisor_reassigns_a_lead_by_hand(org, login, english):
    # given
    customer = lead("L", owner=org.r1, days_owned=5)
    client = login(org.s1)
    # when
    page = client.get(f"/leads/{customer.pk}/reassign/")
    response = client.post(
        f"/leads/{customer.pk}/reassign/", {"to_owner": org.r2.pk, "note": "R1 休假"}, follow=True
    )
    # then
    assert page.status_code == 200
    assert customer.phone not in page.content.decode()
    assert "1 lead reassigned." in response.content.decode()
    assert owners() == {"L": "R2"}
    assert AllocationRun.objects.get().params["note"] == "R1 休假"


def test_a_lead_from_the_pool_can_be_assigned_by_hand(org, login):
    # given
    customer = lead("L")
    # when
    login(org.s1).post(f"/leads/{customer.pk}/reassign/", {"to_owner": org.r1.pk})
    # then
    assert owners() == {"L": "R1"}


def test_reassignment_out_of_scope_is_a_404_and_changes_nothing(org, login):
    # given
    theirs = lead("R3's", owner=org.r3, days_owned=5)
    mine = lead("R1's", owner=org.r1, days_owned=5)
    client = login(org.s1)
    # when
    responses = [
        client.get(f"/leads/{theirs.pk}/reassign/"),
        client.post(f"/leads/{theirs.pk}/reassign/", {"to_owner": org.r1.pk}),
        client.post(f"/leads/{mine.pk}/reassign/", {"to_owner": org.r3.pk}),
        client.get("/leads/999999/reassign/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert owners() == {"R1's": "R1", "R3's": "R3"}
    assert _stored() == (0, 0, 0, 0, 0)


def test_reassigning_a_dnc_customer_is_a_form_error(org, login, english):
    # given
    customer = lead("dnc", dnc=True)
    # when
    response = login(org.s1).post(f"/leads/{customer.pk}/reassign/", {"to_owner": org.r1.pk})
    # then
    assert response.status_code == 400
    assert "Do-not-call customers are never allocated." in response.content.decode()
    assert owners() == {"dnc": None}
