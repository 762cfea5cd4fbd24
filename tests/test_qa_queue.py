"""The weekly review queue (source §2.1.2 "listen to calls"): per rep and ISO week a seeded
random sample of their answered outbound calls, sized by a setting, the same on every
build, leaving out calls already reviewed; plus the calls picked by outcome and talk time,
each item saying why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from telesales.core.config import setting_set
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Disposition
from telesales.qa.models import QueueItem
from telesales.qa.services import qa_queue_build, review_save, sample_order_key, week_code
from tests.test_qa_support import default_version, make_calls, mapped, marks

pytestmark = pytest.mark.usefixtures("english")

MONDAY = dt.date(2026, 3, 2)  # ISO week 2026-W10


@pytest.fixture
def week(org):
    """R1: 8 answered outbound calls in the week (one of 700 s, one of 10 s), 2 unanswered,
    1 answered the week after; R2: 2 answered; R3 (T2): 3 answered."""
    mapped(org)
    talk = [120, 95, 700, 10, 60, 240, 33, 180]
    specs = [("R1", f"2026-03-0{2 + i % 5} 1{i}:00:00", s) for i, s in enumerate(talk)]
    specs += [("R1", "2026-03-04 15:00:00", 0), ("R1", "2026-03-05 15:00:00", 0)]
    specs += [("R1", "2026-03-09 10:00:00", 300)]
    specs += [("R2", "2026-03-03 10:00:00", 100), ("R2", "2026-03-06 10:00:00", 16)]
    specs += [("R3", f"2026-03-0{3 + i} 10:00:00", 100) for i in range(3)]
    calls = make_calls(specs)
    return {
        "r1": calls[:8],
        "r1_unanswered": calls[8:10],
        "r1_next_week": calls[10],
        "r2": calls[11:13],
        "r3": calls[13:],
    }


def _items(**filters) -> dict[int, tuple]:
    """call id → (sampled, outcome, long, short) of the queue."""
    return {
        i.call_id: (i.sampled, i.outcome_code, i.long_call, i.short_call)
        for i in QueueItem.objects.filter(**filters)
    }


def _sampled(rep) -> set[int]:
    return set(QueueItem.objects.filter(rep=rep, sampled=True).values_list("call_id", flat=True))


def _seeded_order(rep, calls) -> list[int]:
    return [
        c.pk
        for c in sorted(
            calls, key=lambda c: sample_order_key(rep.employee_no, MONDAY, c.system, c.call_id)
        )
    ]


def test_the_sample_takes_the_setting_number_of_answered_outbound_calls_per_rep(org, week):
    # when: the default sample of 3, for T1
    result = qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    # then: R1 3 of their 8 answered calls, R2 both of theirs, nobody of T2
    assert _sampled(org.r1) == set(_seeded_order(org.r1, week["r1"])[:3])
    assert _sampled(org.r2) == {c.pk for c in week["r2"]}
    assert _sampled(org.r3) == set()
    assert not QueueItem.objects.filter(
        call__in=[*week["r1_unanswered"], week["r1_next_week"]]
    ).exists()
    assert set(QueueItem.objects.values_list("week_start", flat=True)) == {MONDAY}
    by_talk = {c.talk_seconds: c.pk for c in week["r1"]}
    expected = len(_sampled(org.r1) | {by_talk[700], by_talk[10]}) + 2  # and the rule picks
    assert (result.week_start, result.added, result.updated) == (MONDAY, expected, 0)
    assert result.items == QueueItem.objects.count() == expected


def test_a_larger_sample_setting_adds_to_the_week_keeping_what_was_picked(org, week):
    # given
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    first = _sampled(org.r1)
    # when
    setting_set(actor=org.admin.user, key="qa.sample_per_rep_week", value=5)
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    # then
    assert _sampled(org.r1) == set(_seeded_order(org.r1, week["r1"])[:5])
    assert first < _sampled(org.r1)


def test_the_sample_is_the_same_on_every_build_and_a_rebuild_adds_nothing(org, week):
    # given
    first = qa_queue_build(actor=org.s1.user, week_start=dt.date(2026, 3, 5), teams=[org.t1])
    picked = _items()
    # when: built again (any day of the week names it), and built afresh after a reset
    again = qa_queue_build(actor=org.manager.user, week_start=MONDAY, teams=[org.t1])
    QueueItem.objects.all().delete()
    afresh = qa_queue_build(actor=org.admin.user, week_start=MONDAY, teams=[org.t1])
    # then
    assert (again.added, again.updated, afresh.added) == (0, 0, first.added)
    assert _items() == picked
    assert week_code(MONDAY) == "2026-W10"


def test_the_order_is_seeded_by_rep_and_iso_week(org, week):
    # given: the documented seed, a SHA-256 of "rep|ISO week|system:call id"
    import hashlib

    call = week["r1"][0]
    expected = hashlib.sha256(f"R1|2026-W10|asterisk:{call.call_id}".encode()).hexdigest()
    # then
    assert sample_order_key("R1", MONDAY, call.system, call.call_id) == expected
    assert sample_order_key("R1", MONDAY + dt.timedelta(weeks=1), call.system, call.call_id) != (
        expected
    )


def test_calls_already_reviewed_are_left_out_of_the_sample(org, week):
    # given: S1 reviewed the first two calls of R1's seeded order before the queue was built
    order = _seeded_order(org.r1, week["r1"])
    version = default_version()
    calls = {c.pk: c for c in week["r1"]}
    for pk in order[:2]:
        review_save(
            actor=org.s1.user,
            call=calls[pk],
            version=version,
            marks=marks(version, {}),
            submit=True,
        )
    # when
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    # then: the next three in the seeded order
    assert _sampled(org.r1) == set(order[2:5])
    assert not QueueItem.objects.filter(call_id__in=order[:2]).exists()


def test_a_call_reviewed_from_the_queue_stays_in_it(org, week):
    # given
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    item = QueueItem.objects.filter(rep=org.r1, sampled=True).select_related("call").first()
    version = default_version()
    review_save(
        actor=org.s1.user, call=item.call, version=version, marks=marks(version, {}), submit=True
    )
    before = _items()
    # when
    again = qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    # then
    assert (again.added, again.updated) == (0, 0)
    assert _items() == before


def test_rule_picks_say_why_outcome_long_and_short_calls(org, week):
    # given: R1 recorded a sale on their 240 s call; 700 s is long, 10 s short (≤ 15 s)
    by_talk = {c.talk_seconds: c for c in week["r1"]}
    sale = by_talk[240]
    customer = customer_create(
        actor=org.r1.user, phone=sale.customer_number, name="周总", owner=org.r1
    )
    outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=Disposition.objects.get(code="sale"),
        employee=org.r1,
        call=sale,
    )
    setting_set(actor=org.admin.user, key="qa.sample_per_rep_week", value=0)
    # when
    qa_queue_build(actor=org.manager.user, week_start=MONDAY, teams=[org.t1, org.t2])
    # then: only rule picks; R2's 16 s call is not short, R3's 100 s calls nothing
    assert _items() == {
        sale.pk: (False, "sale", False, False),
        by_talk[700].pk: (False, "", True, False),
        by_talk[10].pk: (False, "", False, True),
    }


def test_the_outcome_and_talk_time_rules_follow_their_settings(org, week):
    # given: not_interested on R1's 60 s call; long from 200 s, short up to 40 s, 1 per rule
    call = next(c for c in week["r1"] if c.talk_seconds == 60)
    customer = customer_create(actor=org.r1.user, phone=call.customer_number, owner=org.r1)
    outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=Disposition.objects.get(code="not_interested"),
        employee=org.r1,
        call=call,
    )
    for key, value in (
        ("qa.sample_per_rep_week", 0),
        ("qa.long_call_seconds", 200),
        ("qa.short_call_seconds", 40),
        ("qa.rule_picks_per_rep_week", 1),
    ):
        setting_set(actor=org.admin.user, key=key, value=value)
    # when
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    # then: one long (700 or 240 s), one short (10 or 33 s), the outcome pick
    items = QueueItem.objects.filter(rep=org.r1)
    assert items.filter(long_call=True).count() == 1
    assert items.get(long_call=True).call.talk_seconds in {700, 240}
    assert items.filter(short_call=True).count() == 1
    assert items.get(short_call=True).call.talk_seconds in {10, 33}
    assert list(items.exclude(outcome_code="").values_list("call_id", "outcome_code")) == [
        (call.pk, "not_interested")
    ]
    # and an outcome code not in the setting is not a reason
    setting_set(actor=org.admin.user, key="qa.outcome_codes", value="sale")
    QueueItem.objects.all().delete()
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    assert not QueueItem.objects.exclude(outcome_code="").exists()


def test_a_supervisor_cannot_build_another_teams_queue(org, week):
    # when / then
    for user in (org.s2.user, org.r1.user, org.staff.user):
        with pytest.raises(PermissionDenied):
            qa_queue_build(actor=user, week_start=MONDAY, teams=[org.t1])
    assert QueueItem.objects.count() == 0
