"""Lead allocation (issue 4, source §2.3.2): round robin, capacity and tier-to-skill routing,
reclaim and recycling, reassignment by hand, the audit trail and the customer timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from telesales.core.demo import DemoContext
from telesales.core.models import AuditEvent
from telesales.crm.allocation import selectors, services
from telesales.crm.allocation.demo import demo_allocation
from telesales.crm.allocation.services import (
    AllocationDenied,
    Plan,
    PlanItem,
    RepSkipReason,
    SkipReason,
)
from telesales.crm.models import (
    AllocationItem,
    AllocationRun,
    Customer,
    CustomerEvent,
    Disposition,
    Outcome,
    RepCapacity,
)
from telesales.org.services import employee_hire, employee_leave
from telesales.sales.models import Deal, Product

RR = AllocationRun.Method.ROUND_ROBIN
CAPACITY = AllocationRun.Method.CAPACITY
SKILL = AllocationRun.Method.SKILL


@pytest.fixture
def today():
    return timezone.localdate()


_numbers = iter(range(10_000_000))


def lead(name: str, *, tier: str = "C", owner=None, days_owned: float | None = None, **fields):
    """A customer straight in the table (the customers area's services are separate)."""
    number = next(_numbers)
    owned_since = None
    if owner is not None:
        owned_since = timezone.now() - dt.timedelta(days=days_owned or 0)
    return Customer.objects.create(
        phone=f"+86138{number:08d}",
        name=name,
        tier=tier,
        owner=owner,
        owned_since=owned_since,
        **fields,
    )


def leads(count: int, prefix: str = "L", **fields) -> list[Customer]:
    return [lead(f"{prefix}{n}", **fields) for n in range(1, count + 1)]


def plan_for(actor, customers, reps, method, today, **kwargs) -> Plan:
    return services.allocation_plan(
        actor=actor.user, customers=customers, reps=reps, method=method, today=today, **kwargs
    )


def moves(plan: Plan) -> list[tuple[str, str]]:
    names = dict(Customer.objects.values_list("pk", "name"))
    from telesales.org.models import Employee

    reps = dict(Employee.objects.values_list("pk", "employee_no"))
    return [(names[i.customer_id], reps.get(i.to_owner_id, "pool")) for i in plan.items]


def owners() -> dict[str, str | None]:
    return {
        name: owner
        for name, owner in Customer.objects.values_list("name", "owner__employee_no").order_by(
            "name"
        )
    }


def given_today(rep, count: int, actor=None) -> None:
    """`count` leads given to the rep earlier today by another run."""
    run = AllocationRun.objects.create(kind=AllocationRun.Kind.ALLOCATE, method=CAPACITY)
    for customer in leads(count, prefix=f"earlier-{rep.employee_no}-"):
        Customer.objects.filter(pk=customer.pk).update(owner=rep, owned_since=timezone.now())
        AllocationItem.objects.create(run=run, customer=customer, to_owner=rep)


# --- round robin ------------------------------------------------------------------------------


def test_round_robin_hands_out_in_turn_and_goes_on_where_it_stopped(org, today):
    # given
    first = leads(5)
    # when
    plan = plan_for(org.s1, first, [org.r2, org.r1], RR, today)
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    later = leads(3, prefix="M")
    second = plan_for(org.s1, later, [org.r1, org.r2], RR, today)
    # then: reps in employee order; the next run starts after the last rep served (R1)
    assert moves(plan) == [("L1", "R1"), ("L2", "R2"), ("L3", "R1"), ("L4", "R2"), ("L5", "R1")]
    assert run.count == 5
    assert moves(second) == [("M1", "R2"), ("M2", "R1"), ("M3", "R2")]


def test_round_robin_respects_the_default_daily_cap(org, today):
    # given: no RepCapacity row: 30 new leads a day
    pool = leads(31)
    # when
    plan = plan_for(org.s1, pool, [org.r1], RR, today)
    # then
    assert len(plan.items) == 30
    assert [(s.customer_id, s.reason) for s in plan.skipped] == [
        (pool[-1].pk, SkipReason.NO_CAPACITY)
    ]


# --- capacity ---------------------------------------------------------------------------------


def test_capacity_weights_by_room_left_and_interleaves(org, today):
    # given: R1 has the default 30, R2 a daily cap of 10
    RepCapacity.objects.create(employee=org.r2, daily_cap=10, max_open=300)
    pool = leads(8)
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], CAPACITY, today)
    # then: 8 × 30/40 = 6 and 8 × 10/40 = 2, interleaved
    assert [rep for _lead, rep in moves(plan)] == ["R1", "R1", "R2", "R1", "R1", "R1", "R2", "R1"]


def test_capacity_counts_todays_leads_and_the_open_load(org, today):
    # given: R1 may take 4 a day and had 1 today: 3 left; R2 may hold 5 open and holds 4: 1 left
    RepCapacity.objects.create(employee=org.r1, daily_cap=4, max_open=300)
    RepCapacity.objects.create(employee=org.r2, daily_cap=10, max_open=5)
    given_today(org.r1, 1)
    leads(4, prefix="held-by-R2-", owner=org.r2, days_owned=20)
    pool = leads(6)
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], CAPACITY, today)
    # then: 4 of the 6 placed, 2 left for lack of room
    assert moves(plan) == [("L1", "R1"), ("L2", "R1"), ("L3", "R2"), ("L4", "R1")]
    assert [s.reason for s in plan.skipped] == [SkipReason.NO_CAPACITY] * 2
    room = selectors.rep_room([org.r1.pk, org.r2.pk], today)
    assert (room[org.r1.pk].remaining, room[org.r2.pk].remaining) == (3, 1)


def test_a_rep_whose_daily_cap_is_reached_gets_nothing(org, today):
    # given
    RepCapacity.objects.create(employee=org.r1, daily_cap=2, max_open=300)
    given_today(org.r1, 2)
    pool = leads(3)
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], CAPACITY, today)
    # then
    assert moves(plan) == [("L1", "R2"), ("L2", "R2"), ("L3", "R2")]


def test_leads_given_on_an_earlier_day_do_not_count_against_todays_cap(org, today):
    # given: two leads given to R1 yesterday
    RepCapacity.objects.create(employee=org.r1, daily_cap=2, max_open=300)
    given_today(org.r1, 2)
    AllocationRun.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    # when
    room = selectors.rep_room([org.r1.pk], today)[org.r1.pk]
    # then
    assert (room.allocated_today, room.open_load, room.remaining) == (0, 2, 2)


def test_the_open_load_leaves_out_customers_who_bought_dnc_and_merged(converters, today):
    # given: R1 owns 1 customer with a won deal, R2 4, 3 of them with a sale as last outcome
    org = converters
    lead("R2 open", owner=org.r2, days_owned=3)
    lead("R2 dnc", owner=org.r2, days_owned=3, dnc=True)
    lead("R2 merged", owner=org.r2, days_owned=3, merged_into=lead("kept"))
    # when
    load = selectors.open_load([org.r1.pk, org.r2.pk])
    # then
    assert load == {org.r1.pk: 0, org.r2.pk: 2}


def test_capacity_quotas_use_largest_remainders():
    # when / then: 5 × (3, 3, 1)/7 = 2.14, 2.14, 0.71 → 2, 2, 1
    assert services.capacity_quotas(5, [1, 2, 3], {1: 3, 2: 3, 3: 1}) == {1: 2, 2: 2, 3: 1}
    assert services.capacity_quotas(9, [1, 2], {1: 3, 2: 4}) == {1: 3, 2: 4}


# --- tier to skill ----------------------------------------------------------------------------


def test_wilson_lower_bound_ranks_one_of_one_below_thirty_of_sixty():
    assert selectors.wilson_lower_bound(1, 1) == pytest.approx(0.2065, abs=1e-4)
    assert selectors.wilson_lower_bound(30, 60) == pytest.approx(0.3773, abs=1e-4)
    assert selectors.wilson_lower_bound(3, 4) > selectors.wilson_lower_bound(1, 1)
    assert selectors.wilson_lower_bound(0, 0) == 0


@pytest.fixture
def converters(org):
    """On A leads: R1 sold 1 of 1 (a won deal), R2 3 of 4 (sale outcomes)."""
    product = Product.objects.create(code="P1", name="产品")
    sold = lead("R1-won", tier="A", owner=org.r1, days_owned=30)
    Deal.objects.create(
        deal_no="D1",
        employee=org.r1,
        customer=sold,
        product=product,
        amount=Decimal("1000"),
        gross_profit=Decimal("300"),
        closed_on=dt.date(2026, 1, 5),
    )
    sale = Disposition.objects.get(code="sale")
    for n in range(4):
        lead(
            f"R2-A{n}",
            tier="A",
            owner=org.r2,
            days_owned=30,
            last_disposition=sale if n < 3 else None,
        )
    return org


def test_conversion_by_tier_counts_owned_and_won_leads(converters):
    # when
    stats = selectors.conversion_by_tier([converters.r1.pk, converters.r2.pk])
    # then
    assert stats == {(converters.r1.pk, "A"): (1, 1), (converters.r2.pk, "A"): (3, 4)}


def test_skill_routing_sends_a_leads_to_the_best_converter_first(converters, today):
    # given
    org = converters
    pool = [lead("D1", tier="D"), lead("A1", tier="A"), lead("A2", tier="A"), lead("D2", tier="D")]
    pool += [lead("A3", tier="A")]
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], SKILL, today)
    # then: equal shares (3 and 2); A leads first, to R2 (3 of 4 beats 1 of 1) while R2 has share
    assert moves(plan) == [
        ("A1", "R2"),
        ("A2", "R2"),
        ("A3", "R1"),
        ("D1", "R1"),
        ("D2", "R1"),
    ]


def test_skill_routing_without_history_spreads_leads(org, today):
    # given
    pool = leads(4, tier="B")
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], SKILL, today)
    # then
    assert moves(plan) == [("L1", "R1"), ("L2", "R2"), ("L3", "R1"), ("L4", "R2")]


# --- who can receive, what can be allocated ---------------------------------------------------


def test_reps_on_leave_who_left_not_yet_hired_or_not_reps_are_skipped(org, today):
    # given
    employee_leave(actor=None, employee=org.r2, date=today, voluntary=True)
    future = employee_hire(
        actor=None,
        employee_no="R9",
        name="新人",
        hire_date=today + dt.timedelta(days=3),
        team=org.t1,
        manager=org.s1,
    )
    pool = leads(3)
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2, future, org.s1], RR, today)
    # then
    assert moves(plan) == [("L1", "R1"), ("L2", "R1"), ("L3", "R1")]
    assert sorted(plan.reps_skipped) == sorted(
        [
            (org.r2.pk, RepSkipReason.NOT_EMPLOYED),
            (future.pk, RepSkipReason.NOT_EMPLOYED),
            (org.s1.pk, RepSkipReason.NOT_REP),
        ]
    )
    assert plan.rep_ids == (org.r1.pk,)


def test_a_rep_leaving_tomorrow_still_takes_leads_today(org, today):
    # given
    employee_leave(actor=None, employee=org.r2, date=today + dt.timedelta(days=1), voluntary=True)
    # when
    plan = plan_for(org.s1, leads(2), [org.r1, org.r2], RR, today)
    # then
    assert moves(plan) == [("L1", "R1"), ("L2", "R2")]


def test_dnc_and_merged_customers_are_never_allocated(org, today):
    # given
    keep = lead("kept")
    dnc = lead("dnc", dnc=True)
    merged = lead("merged", merged_into=keep)
    # when
    plan = plan_for(org.s1, [dnc, merged, keep], [org.r1], RR, today)
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    assert moves(plan) == [("kept", "R1")]
    assert {s.customer_id: s.reason for s in plan.skipped} == {
        dnc.pk: SkipReason.DNC,
        merged.pk: SkipReason.MERGED,
    }
    assert run.count == 1
    assert owners() == {"dnc": None, "kept": "R1", "merged": None}
    assert dnc.pk not in set(selectors.lead_pool().values_list("pk", flat=True))


def test_a_lead_marked_do_not_call_after_the_preview_is_skipped(org, today):
    # given
    customer = lead("soon dnc")
    plan = plan_for(org.s1, [customer], [org.r1], RR, today)
    Customer.objects.filter(pk=customer.pk).update(dnc=True)
    # when
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    assert run.count == 0
    assert [(s.customer_id, s.reason) for s in run.skipped] == [(customer.pk, SkipReason.DNC)]
    assert owners() == {"soon dnc": None}


def test_owned_leads_are_skipped_unless_the_plan_reassigns_them(org, today):
    # given
    mine = lead("R1's", owner=org.r1, days_owned=3)
    theirs = lead("R3's", owner=org.r3, days_owned=3)
    # when
    plain = plan_for(org.s1, [mine, theirs], [org.r2], RR, today)
    moving = plan_for(org.s1, [mine, theirs], [org.r2], RR, today, reassign=True)
    run = services.allocation_execute(actor=org.s1.user, plan=moving)
    # then
    assert plain.items == ()
    assert {s.reason for s in plain.skipped} == {SkipReason.OWNED}
    assert moving.items == (PlanItem(mine.pk, org.r1.pk, org.r2.pk),)
    assert moving.skipped[0].reason == SkipReason.OWNER_OUT_OF_SCOPE
    assert run.count == 1
    assert owners() == {"R1's": "R2", "R3's": "R3"}


def test_a_reassignment_never_gives_a_lead_to_its_own_owner(org, today):
    # given
    pool = [lead("R1's", owner=org.r1, days_owned=3), lead("R2's", owner=org.r2, days_owned=3)]
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], RR, today, reassign=True)
    # then
    assert moves(plan) == [("R1's", "R2"), ("R2's", "R1")]


def test_reps_out_of_scope_are_refused_and_nothing_is_stored(org, today):
    # given
    pool = leads(2)
    # when / then
    with pytest.raises(AllocationDenied):
        plan_for(org.s1, pool, [org.r1, org.r3], RR, today)
    with pytest.raises(AllocationDenied):
        plan_for(org.r1, pool, [org.r1], RR, today)
    forged = Plan(
        kind=AllocationRun.Kind.ALLOCATE,
        method=RR,
        today=today,
        items=(PlanItem(pool[0].pk, None, org.r3.pk),),
    )
    with pytest.raises(AllocationDenied):
        services.allocation_execute(actor=org.s1.user, plan=forged)
    assert AllocationRun.objects.count() == 0
    assert owners() == {"L1": None, "L2": None}


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_administrators_allocate_across_teams(org, today, who):
    # when
    plan = plan_for(getattr(org, who), leads(3), [org.r1, org.r3], RR, today)
    # then
    assert moves(plan) == [("L1", "R1"), ("L2", "R3"), ("L3", "R1")]


def test_a_plan_with_no_available_rep_places_nothing(org, today):
    # given
    employee_leave(actor=None, employee=org.r1, date=today, voluntary=True)
    # when
    plan = plan_for(org.s1, leads(2), [org.r1], CAPACITY, today)
    # then
    assert plan.items == ()
    assert [s.reason for s in plan.skipped] == [SkipReason.NO_CAPACITY] * 2


# --- preview, audit and timeline --------------------------------------------------------------


def _stored() -> tuple[int, ...]:
    return (
        AllocationRun.objects.count(),
        AllocationItem.objects.count(),
        CustomerEvent.objects.count(),
        AuditEvent.objects.count(),
        Customer.objects.filter(owner__isnull=False).count(),
    )


@pytest.mark.parametrize("method", [RR, CAPACITY, SKILL])
def test_a_plan_stores_nothing(org, today, method):
    # given
    pool = leads(4)
    before = _stored()
    # when
    plan = plan_for(org.s1, pool, [org.r1, org.r2], method, today)
    # then
    assert len(plan.items) == 4
    assert _stored() == before


def test_execution_writes_items_audit_rows_and_the_timeline(org, today):
    # given
    pool = leads(2)
    plan = plan_for(org.s1, pool, [org.r1, org.r2], RR, today)
    # when
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    run.refresh_from_db()
    assert (run.kind, run.method, run.count, run.created_by) == ("allocate", RR, 2, org.s1.user)
    assert run.params["reps"] == [org.r1.pk, org.r2.pk]
    assert list(run.items.order_by("id").values_list("customer_id", "from_owner", "to_owner")) == [
        (pool[0].pk, None, org.r1.pk),
        (pool[1].pk, None, org.r2.pk),
    ]
    first = Customer.objects.get(pk=pool[0].pk)
    assert first.owner == org.r1 and first.owned_since is not None
    audit = AuditEvent.objects.get(action="customer.owner", object_id=str(pool[0].pk))
    assert audit.actor == org.s1.user
    assert audit.before == {"owner_id": None, "owned_since": None}
    assert audit.after["owner_id"] == org.r1.pk
    assert AuditEvent.objects.filter(action="allocation.allocate", object_id=str(run.pk)).count()
    event = CustomerEvent.objects.get(customer=first)
    assert (event.kind, event.actor, event.detail) == (
        CustomerEvent.Kind.OWNER,
        org.s1.user,
        {"from": None, "to": org.r1.pk, "run": run.pk, "kind": "allocate", "method": RR},
    )
    assert event.text == "— → R1 张一"


def test_allocation_keeps_attempts(org, today):
    # given: attempts count across owners so that recycling stops at the maximum
    customer = lead("tried", attempts=4)
    plan = plan_for(org.s1, [customer], [org.r1], RR, today)
    # when
    services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    assert Customer.objects.get(pk=customer.pk).attempts == 4


# --- two supervisors at once, interleaved (SQLite and PostgreSQL) ----------------------------


def test_the_second_of_two_allocations_of_the_same_leads_skips_them(org, today):
    # given: S1 and the manager preview the same leads
    pool = leads(3)
    by_s1 = plan_for(org.s1, pool, [org.r1, org.r2], RR, today)
    by_manager = plan_for(org.manager, pool, [org.r3], RR, today)
    # when
    first = services.allocation_execute(actor=org.s1.user, plan=by_s1)
    second = services.allocation_execute(actor=org.manager.user, plan=by_manager)
    # then
    assert (first.count, second.count) == (3, 0)
    assert [s.reason for s in second.skipped] == [SkipReason.TAKEN] * 3
    assert second.params["skipped"] == [[c.pk, "taken"] for c in pool]
    assert AllocationItem.objects.count() == 3
    assert owners() == {"L1": "R1", "L2": "R2", "L3": "R1"}
    assert CustomerEvent.objects.count() == 3


def test_an_owner_changed_between_reading_and_writing_is_not_overwritten(org, today, monkeypatch):
    # given: another writer takes L2 after this run has read the rows (SQLite cannot lock
    # rows; the conditional UPDATE is what protects the lead)
    pool = leads(3)
    plan = plan_for(org.s1, pool, [org.r1, org.r2], RR, today)
    read = services._lock_customers

    def read_then_someone_writes(ids):
        rows = read(ids)
        Customer.objects.filter(pk=pool[1].pk).update(owner=org.r3)
        return rows

    monkeypatch.setattr(services, "_lock_customers", read_then_someone_writes)
    # when
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    assert run.count == 2
    assert [(s.customer_id, s.reason) for s in run.skipped] == [(pool[1].pk, SkipReason.TAKEN)]
    assert owners() == {"L1": "R1", "L2": "R3", "L3": "R1"}
    assert not AllocationItem.objects.filter(customer=pool[1]).exists()
    assert not CustomerEvent.objects.filter(customer=pool[1]).exists()
    assert not AuditEvent.objects.filter(action="customer.owner", object_id=str(pool[1].pk))


def test_room_used_meanwhile_by_another_allocation_is_not_counted_twice(org, today):
    # given: R1 can take 3 today; two previews each give R1 3 different leads
    RepCapacity.objects.create(employee=org.r1, daily_cap=3, max_open=300)
    first_plan = plan_for(org.s1, leads(3, prefix="A"), [org.r1], CAPACITY, today)
    second_plan = plan_for(org.manager, leads(3, prefix="B"), [org.r1], CAPACITY, today)
    # when
    services.allocation_execute(actor=org.s1.user, plan=first_plan)
    second = services.allocation_execute(actor=org.manager.user, plan=second_plan)
    # then
    assert second.count == 0
    assert [s.reason for s in second.skipped] == [SkipReason.CAP_REACHED] * 3
    assert Customer.objects.filter(owner=org.r1).count() == 3


def test_a_rep_who_left_after_the_preview_gets_nothing(org, today):
    # given
    plan = plan_for(org.s1, leads(2), [org.r1, org.r2], RR, today)
    employee_leave(actor=None, employee=org.r2, date=today, voluntary=False)
    # when
    run = services.allocation_execute(actor=org.s1.user, plan=plan)
    # then
    assert run.count == 1
    assert [s.reason for s in run.skipped] == [SkipReason.REP_UNAVAILABLE]


# --- reclaim ----------------------------------------------------------------------------------


@pytest.fixture
def owned(org):
    """R1's leads in various states; one of R3's (out of S1's scope)."""
    now = timezone.now()
    sale = Disposition.objects.get(code="sale")
    contacted = Disposition.objects.get(code="contacted")
    rows = {
        "idle": lead("idle", owner=org.r1, days_owned=10),
        "new": lead("new", owner=org.r1, days_owned=3),
        "called": lead("called", owner=org.r1, days_owned=10),
        "old contact": lead(
            "old contact", owner=org.r1, days_owned=20, last_contact_at=now - dt.timedelta(days=8)
        ),
        "recent contact": lead(
            "recent contact",
            owner=org.r1,
            days_owned=20,
            last_contact_at=now - dt.timedelta(days=2),
        ),
        "bought": lead("bought", owner=org.r1, days_owned=20, last_disposition=sale),
        "follow-up": lead(
            "follow-up",
            owner=org.r1,
            days_owned=20,
            last_disposition=contacted,
            next_follow_up=timezone.localdate() + dt.timedelta(days=1),
        ),
        "dnc": lead("dnc", owner=org.r1, days_owned=20, dnc=True),
        "R3's": lead("R3's", owner=org.r3, days_owned=20),
    }
    Outcome.objects.create(
        customer=rows["called"],
        employee=org.r1,
        disposition=contacted,
        recorded_at=now - dt.timedelta(days=2),
    )
    return rows


def _names(plan: Plan) -> list[str]:
    names = dict(Customer.objects.values_list("pk", "name"))
    return [names[i.customer_id] for i in plan.items]


def test_reclaim_plans_leads_untouched_for_n_days(org, owned, today):
    # when
    plan = services.reclaim_plan(actor=org.s1.user, days=7, today=today)
    admin = services.reclaim_plan(actor=org.admin.user, days=7, today=today)
    # then
    assert sorted(_names(plan)) == ["idle", "old contact"]
    assert all(i.to_owner_id is None and i.from_owner_id == org.r1.pk for i in plan.items)
    assert sorted(_names(admin)) == ["R3's", "idle", "old contact"]


def test_reclaim_with_a_shorter_period_takes_more(org, owned, today):
    # when
    plan = services.reclaim_plan(actor=org.s1.user, days=3, today=today)
    # then
    assert sorted(_names(plan)) == ["idle", "new", "old contact"]


def test_reclaim_by_rep_and_team(org, owned, today):
    # when
    by_team = services.reclaim_plan(actor=org.admin.user, days=7, today=today, team=org.t2)
    by_rep = services.reclaim_plan(actor=org.admin.user, days=7, today=today, rep=org.r1)
    # then
    assert _names(by_team) == ["R3's"]
    assert sorted(_names(by_rep)) == ["idle", "old contact"]


def test_reclaim_clears_the_owner_and_records_it(org, owned, today):
    # given
    plan = services.reclaim_plan(actor=org.s1.user, days=7, today=today)
    before = _stored()
    # when
    run = services.reclaim_execute(actor=org.s1.user, plan=plan)
    # then
    assert (run.kind, run.method, run.count, run.params["days"]) == ("reclaim", "", 2, 7)
    idle = Customer.objects.get(pk=owned["idle"].pk)
    assert (idle.owner, idle.owned_since) == (None, None)
    assert idle.pk in set(selectors.lead_pool().values_list("pk", flat=True))
    assert _stored()[:4] == (before[0] + 1, before[1] + 2, before[2] + 2, before[3] + 3)
    assert CustomerEvent.objects.get(customer=idle).detail["to"] is None


def test_a_lead_worked_after_the_reclaim_preview_is_kept(org, owned, today):
    # given
    plan = services.reclaim_plan(actor=org.s1.user, days=7, today=today)
    Outcome.objects.create(
        customer=owned["idle"],
        employee=org.r1,
        disposition=Disposition.objects.get(code="no_answer"),
    )
    # when
    run = services.reclaim_execute(actor=org.s1.user, plan=plan)
    # then
    assert run.count == 1
    assert [(s.customer_id, s.reason) for s in run.skipped] == [
        (owned["idle"].pk, SkipReason.CHANGED)
    ]
    assert Customer.objects.get(pk=owned["idle"].pk).owner == org.r1


# --- recycle ----------------------------------------------------------------------------------


@pytest.fixture
def recycling(org):
    """Leads by last outcome: no answer (1 day, at most 6), contacted (7 days, at most 3)."""
    now = timezone.now()
    by_code = {d.code: d for d in Disposition.objects.all()}
    # Outcomes that never recycle, given a delay to show the flag wins.
    Disposition.objects.filter(code__in=["sale", "dnc", "wrong_number"]).update(
        recycle_after_days=1
    )

    def make(name, code, days_ago, attempts, owner=org.r1):
        return lead(
            name,
            owner=owner,
            days_owned=30,
            last_disposition=by_code[code] if code else None,
            last_contact_at=now - dt.timedelta(days=days_ago),
            attempts=attempts,
        )

    return {
        "no answer": make("no answer", "no_answer", 2, 2),
        "no answer, 6 tries": make("no answer, 6 tries", "no_answer", 2, 6),
        "no answer, today": make("no answer, today", "no_answer", 0.5, 1),
        "contacted 3 days ago": make("contacted 3 days ago", "contacted", 3, 1),
        "contacted 8 days ago": make("contacted 8 days ago", "contacted", 8, 2),
        "contacted, 3 tries": make("contacted, 3 tries", "contacted", 8, 3),
        "wrong number": make("wrong number", "wrong_number", 5, 1),
        "sold": make("sold", "sale", 5, 1),
        "refused": make("refused", "dnc", 5, 1),
        "callback": make("callback", "callback", 5, 1),
        "no outcome": make("no outcome", None, 5, 0),
        "R2's no answer": make("R2's no answer", "no_answer", 3, 1, owner=org.r2),
        "R3's no answer": make("R3's no answer", "no_answer", 3, 1, owner=org.r3),
    }


def test_recycle_plans_leads_by_outcome_delay_and_attempts(org, recycling, today):
    # when
    plan = services.recycle_plan(actor=org.s1.user, today=today)
    # then
    assert sorted(_names(plan)) == ["R2's no answer", "contacted 8 days ago", "no answer"]
    assert all(i.to_owner_id is None for i in plan.items)


def test_recycle_returns_leads_to_the_pool_keeping_attempts(org, recycling, today):
    # given
    plan = services.recycle_plan(actor=org.s1.user, today=today, rep=org.r1)
    # when
    run = services.recycle_execute(actor=org.s1.user, plan=plan)
    # then
    assert (run.kind, run.method, run.count) == ("recycle", "", 2)
    recycled = Customer.objects.get(pk=recycling["contacted 8 days ago"].pk)
    assert (recycled.owner, recycled.attempts) == (None, 2)
    assert AuditEvent.objects.filter(action="allocation.recycle").count() == 1
    assert AuditEvent.objects.filter(action="customer.owner").count() == 2


def test_recycle_can_give_leads_round_robin_to_other_reps(org, recycling, today):
    # given
    plan = services.recycle_plan(actor=org.s1.user, today=today, reassign_to=[org.r1, org.r2])
    # when
    run = services.recycle_execute(actor=org.s1.user, plan=plan)
    # then: R1's leads to R2, R2's to R1, attempts kept
    assert (run.kind, run.method, run.count) == ("recycle", RR, 3)
    assert {k: v for k, v in owners().items() if k in _names(plan)} == {
        "R2's no answer": "R1",
        "contacted 8 days ago": "R2",
        "no answer": "R2",
    }
    assert Customer.objects.get(name="no answer").attempts == 2


def test_a_lead_given_by_recycling_gets_the_full_delay_again(org, recycling, today):
    # given
    plan = services.recycle_plan(actor=org.s1.user, today=today, reassign_to=[org.r1, org.r2])
    services.recycle_execute(actor=org.s1.user, plan=plan)
    # when
    again = services.recycle_plan(actor=org.s1.user, today=today)
    # then
    assert again.items == ()


# --- by hand ----------------------------------------------------------------------------------


def test_a_supervisor_reassigns_a_lead_of_their_team(org, today):
    # given
    customer = lead("moved", owner=org.r1, days_owned=5)
    # when
    run = services.lead_reassign(
        actor=org.s1.user, customer=customer, to_owner=org.r2, today=today, note="休假"
    )
    # then
    assert (run.kind, run.count, run.params["note"]) == ("manual", 1, "休假")
    assert owners() == {"moved": "R2"}
    assert list(run.items.values_list("from_owner", "to_owner")) == [(org.r1.pk, org.r2.pk)]
    assert CustomerEvent.objects.get(customer=customer).text == "R1 张一 → R2 张二"
    assert AuditEvent.objects.get(action="customer.owner").after["owner_id"] == org.r2.pk


def test_a_lead_can_be_sent_back_to_the_pool_by_hand(org, today):
    # given
    customer = lead("back", owner=org.r1, days_owned=5)
    # when
    services.lead_reassign(actor=org.s1.user, customer=customer, to_owner=None, today=today)
    # then
    assert owners() == {"back": None}


def test_reassignment_out_of_scope_is_refused(org, today):
    # given
    theirs = lead("R3's", owner=org.r3, days_owned=5)
    mine = lead("R1's", owner=org.r1, days_owned=5)
    # when / then
    with pytest.raises(AllocationDenied):
        services.lead_reassign(actor=org.s1.user, customer=theirs, to_owner=org.r1, today=today)
    with pytest.raises(AllocationDenied):
        services.lead_reassign(actor=org.s1.user, customer=mine, to_owner=org.r3, today=today)
    with pytest.raises(AllocationDenied):
        services.lead_reassign(actor=org.r1.user, customer=mine, to_owner=org.r2, today=today)
    assert owners() == {"R1's": "R1", "R3's": "R3"}
    assert AllocationRun.objects.count() == 0


def test_reassignment_refuses_dnc_same_owner_and_leavers(org, english, today):
    # given
    dnc = lead("dnc", dnc=True)
    mine = lead("R1's", owner=org.r1, days_owned=5)
    employee_leave(actor=None, employee=org.r2, date=today, voluntary=True)
    # when / then
    with pytest.raises(ValidationError, match="never allocated"):
        services.lead_reassign(actor=org.s1.user, customer=dnc, to_owner=org.r1, today=today)
    with pytest.raises(ValidationError, match="already has this owner"):
        services.lead_reassign(actor=org.s1.user, customer=mine, to_owner=org.r1, today=today)
    with pytest.raises(ValidationError, match="has left"):
        services.lead_reassign(actor=org.s1.user, customer=mine, to_owner=org.r2, today=today)
    assert AllocationRun.objects.count() == 0


def test_a_reassignment_beaten_by_another_change_stores_nothing(org, english, today):
    # given: the customer object is stale; someone else moved the lead meanwhile
    customer = lead("raced", owner=org.r1, days_owned=5)
    Customer.objects.filter(pk=customer.pk).update(owner=org.r2)
    # when / then
    with pytest.raises(ValidationError, match="meanwhile"):
        services.lead_reassign(actor=org.s1.user, customer=customer, to_owner=None, today=today)
    assert AllocationRun.objects.count() == 0
    assert owners() == {"raced": "R2"}


# --- the demo step ----------------------------------------------------------------------------


def test_the_demo_step_does_nothing_without_a_pool(org, today):
    assert demo_allocation(DemoContext(today=today, seed=1)) == ""
    assert AllocationRun.objects.count() == 0


def test_the_demo_step_allocates_part_of_the_pool_and_reclaims_once(org, english, today):
    # given
    leads(20)
    # when
    summary = demo_allocation(DemoContext(today=today, seed=1))
    # then: 12 of 20 to two teams (6 each, by round robin and by capacity); half of T1's
    # back-dated leads reclaimed
    runs = list(AllocationRun.objects.order_by("id").values_list("kind", "method", "count"))
    assert runs == [("allocate", RR, 6), ("allocate", CAPACITY, 6), ("reclaim", "", 3)]
    assert Customer.objects.filter(owner__isnull=True).count() == 8 + 3
    assert RepCapacity.objects.count() == 3  # R1, R2, R3
    assert summary == "Allocated 12 of 20 pool leads to 2 teams; reclaimed 3 untouched leads."
