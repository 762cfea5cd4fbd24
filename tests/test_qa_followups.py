"""Follow-up record checks (source §2.1.2 "check customers' follow-up records"): the
checklist's result and pass/fail at the setting's edge, the seeded weekly sample, the
per-rep overview on a hand-built example, bad inputs that store nothing, the pages with the
rep's acknowledgement, scope (404 and nothing changed) on every page and POST, query counts
that do not grow with rows, the menu entry and the demo step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.config import setting_set
from telesales.core.demo import DemoContext
from telesales.core.models import AuditEvent
from telesales.core.navigation import menu_for
from telesales.crm.customers.services import customer_create, customer_merge, outcome_record
from telesales.crm.models import Disposition, Outcome
from telesales.qa.followup_views import followups_register
from telesales.qa.followups.demo import demo_followups
from telesales.qa.followups.records import customer_records, followup_hints
from telesales.qa.followups.rules import PASS_SHARE, Verdict, followup_verdict, week_start_of
from telesales.qa.followups.selectors import (
    customers_for_check,
    followup_overview,
    followup_sample,
    rep_customers,
)
from telesales.qa.followups.services import (
    ItemMarks,
    followup_check_acknowledge,
    followup_check_create,
    followup_check_discard,
    followup_check_update,
)
from telesales.qa.models import FOLLOWUP_POINTS, FollowUpCheck, FollowUpCheckItem
from tests.test_qa_support import make_calls, mapped

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()
MONDAY = week_start_of(TODAY)
ALL_MET = dict.fromkeys(FOLLOWUP_POINTS, "met")


@pytest.fixture(autouse=True)
def _registered():
    """The menu entry and settings wiring registers at start-up."""
    followups_register()


def _marks(customer, *values, note="") -> ItemMarks:
    """Marks of one customer's record, in checklist order."""
    return ItemMarks(customer.pk, dict(zip(FOLLOWUP_POINTS, values, strict=True)), note)


def _state() -> tuple:
    """Everything the follow-up pages could change."""
    return (
        list(
            FollowUpCheck.objects.order_by("pk").values_list(
                "pk", "status", "result", "passed", "comment", "acknowledged_at"
            )
        ),
        list(FollowUpCheckItem.objects.order_by("pk").values_list("pk", *FOLLOWUP_POINTS, "note")),
        AuditEvent.objects.filter(action__startswith="qa.followup").count(),
    )


@pytest.fixture
def book(org):
    """R1 owns a (intent, overdue), b (contacted, next step set), c (untouched lead),
    d (do not call); R2 owns e; R3 (team T2) owns f."""
    intent = Disposition.objects.get(code="intent")
    contacted = Disposition.objects.get(code="contacted")
    a = customer_create(
        actor=org.r1.user,
        phone="13800138001",
        name="周总",
        owner=org.r1,
        next_follow_up=TODAY - dt.timedelta(days=2),
    )
    outcome_record(
        actor=org.r1.user, customer=a, disposition=intent, employee=org.r1, notes="想要报价"
    )
    b = customer_create(actor=org.r1.user, phone="13800138002", name="吴总", owner=org.r1)
    outcome_record(
        actor=org.r1.user,
        customer=b,
        disposition=contacted,
        employee=org.r1,
        notes="下周再联系",
        next_follow_up=TODAY + dt.timedelta(days=3),
    )
    c = customer_create(actor=org.r1.user, phone="13800138003", name="郑总", owner=org.r1)
    d = customer_create(actor=org.r1.user, phone="13800138004", name="王总", owner=org.r1, dnc=True)
    e = customer_create(actor=org.r2.user, phone="13800138005", name="冯总", owner=org.r2)
    f = customer_create(actor=org.r3.user, phone="13800138006", name="陈总", owner=org.r3)
    for customer in (a, b, c, d, e, f):
        customer.refresh_from_db()
    return {"org": org, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def _submit(org, customers, marks, *, actor=None, rep=None, comment="好"):
    return followup_check_create(
        actor=(actor or org.s1).user,
        rep=rep or org.r1,
        customers=customers,
        marks=marks,
        comment=comment,
        submit=True,
    )


# -- the verdict -------------------------------------------------------------------------------


def test_4_of_5_points_met_is_80_percent_and_passes_at_80():
    # when
    verdict = followup_verdict(["met", "met", "met", "met", "not_met"], 80)
    # then
    assert verdict == Verdict(4, 5, Decimal("80.00"), True)


def test_3_of_4_applicable_points_met_is_75_percent_and_fails_at_80():
    # when
    verdict = followup_verdict(["met", "na", "met", "not_met", "met"], 80)
    # then
    assert verdict == Verdict(3, 4, Decimal("75.00"), False)


def test_the_result_is_rounded_half_up_but_the_pass_is_compared_exactly():
    # when
    two_of_three = followup_verdict(["met", "met", "not_met"], 67)
    # then: 66.666… → 66.67 shown, below 67 % so failed
    assert two_of_three == Verdict(2, 3, Decimal("66.67"), False)
    assert followup_verdict(["met", "met", "not_met"], 66).passed is True


def test_a_check_with_no_applicable_point_has_no_result():
    # when / then
    assert followup_verdict(["na", "na", ""], 80) == Verdict(0, 0, None, None)


def test_a_submitted_check_stores_marks_result_verdict_and_the_record(book):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    # when: a 4 of 5 (one not met), b 3 of 4 applicable → 7 of 9 = 77.78 %
    check = _submit(
        org,
        [a, b],
        [
            _marks(a, "met", "met", "met", "not_met", "met", note="逾期未回访"),
            _marks(b, "met", "not_met", "met", "na", "met"),
        ],
    )
    # then
    check.refresh_from_db()
    assert (check.status, check.met, check.applicable, check.result, check.passed) == (
        "submitted",
        7,
        9,
        Decimal("77.78"),
        False,
    )
    assert (check.checker, check.rep, check.pass_share, check.checked_on) == (
        org.s1,
        org.r1,
        80,
        TODAY,
    )
    items = list(check.items.order_by("pk"))
    assert [(i.customer, i.follow_up_on_time, i.note) for i in items] == [
        (a, "not_met", "逾期未回访"),
        (b, "na", ""),
    ]
    assert items[0].record == {
        "name": "周总",
        "company": "",
        "tier": a.tier,
        "intent_level": "medium",
        "next_follow_up": None,
        "last_contact_at": timezone.localtime(a.last_contact_at).strftime("%Y-%m-%d %H:%M"),
        "last_outcome": "有意向",
        "attempts": 1,
        "dnc": False,
    }
    assert AuditEvent.objects.filter(action="qa.followup.submit").count() == 1


def test_the_pass_share_setting_decides_and_is_kept_with_the_check(book):
    # given
    org, a = book["org"], book["a"]
    setting_set(actor=org.admin.user, key=PASS_SHARE, value=75)
    # when: 3 of 4 applicable
    check = _submit(org, [a], [_marks(a, "met", "na", "met", "not_met", "met")])
    # then
    assert (check.result, check.passed, check.pass_share) == (Decimal("75.00"), True, 75)


# -- bad inputs --------------------------------------------------------------------------------


def test_no_customer_chosen_is_refused_and_stores_nothing(book):
    # given
    org = book["org"]
    before = _state()
    # when / then
    with pytest.raises(ValidationError, match="Choose at least one customer to check."):
        _submit(org, [], [])
    assert _state() == before


def test_a_customer_of_another_rep_is_refused_and_stores_nothing(book):
    # given
    org, a, e = book["org"], book["a"], book["e"]
    before = _state()
    # when / then
    with pytest.raises(ValidationError, match="Only customers of 张一 can be checked"):
        _submit(org, [a, e], [_marks(a, *["met"] * 5), _marks(e, *["met"] * 5)])
    assert _state() == before


def test_a_merged_duplicate_cannot_be_checked(book):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    customer_merge(actor=org.s1.user, keep=a, merge=b)
    # when / then
    with pytest.raises(ValidationError, match="Only customers of 张一"):
        customers_for_check(org.r1, [b.pk])


def test_a_mark_outside_the_choices_is_refused_and_stores_nothing(book):
    # given
    org, a = book["org"], book["a"]
    before = _state()
    # when / then
    with pytest.raises(ValidationError, match="“yes” is not a mark"):
        _submit(org, [a], [_marks(a, "met", "yes", "met", "met", "met")])
    assert _state() == before


def test_submitting_needs_every_point_marked_and_one_applicable(book):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    before = _state()
    # when / then
    with pytest.raises(ValidationError, match="4 points are not marked yet"):
        _submit(
            org,
            [a, b],
            [_marks(a, "met", "met", "", "met", "met"), _marks(b, *[""] * 3, "na", "na")],
        )
    with pytest.raises(ValidationError, match="Every point is marked not applicable"):
        _submit(org, [a], [_marks(a, *["na"] * 5)])
    assert _state() == before


def test_nobody_outside_the_scope_checks_a_rep(book):
    # given
    org, a, f = book["org"], book["a"], book["f"]
    before = _state()
    # when / then
    with pytest.raises(PermissionDenied):
        _submit(org, [a], [_marks(a, *["met"] * 5)], actor=org.s2)
    with pytest.raises(PermissionDenied):
        _submit(org, [f], [_marks(f, *["met"] * 5)], actor=org.r1, rep=org.r3)
    assert _state() == before


# -- the sample --------------------------------------------------------------------------------


def test_the_sample_is_deterministic_and_only_the_reps_own_callable_customers(book):
    # given: R1 also gets seven more leads, untouched
    org = book["org"]
    for n in range(7):
        customer_create(actor=org.r1.user, phone=f"1390013{n:04d}", name=f"新{n}", owner=org.r1)
    # when
    first = followup_sample(org.r1, week_start=MONDAY, size=5)
    again = followup_sample(org.r1, week_start=MONDAY + dt.timedelta(days=4), size=5)
    everything = followup_sample(org.r1, week_start=MONDAY, size=50)
    # then
    assert [c.pk for c in first] == [c.pk for c in again]
    assert len(first) == 5
    assert {c.pk for c in everything} == {
        book["a"].pk,
        book["b"].pk,
        book["c"].pk,
        *(c.pk for c in everything if c.name.startswith("新")),
    }
    assert len(everything) == 10  # d (do not call), e, f are never offered
    # the customers with a follow-up record come first
    assert {c.pk for c in first[:2]} == {book["a"].pk, book["b"].pk}


def test_the_sample_differs_by_week_and_by_rep_seed(book):
    # given
    org = book["org"]
    for n in range(30):
        customer_create(actor=org.r1.user, phone=f"1390014{n:04d}", owner=org.r1)
    weeks = [MONDAY - dt.timedelta(weeks=n) for n in range(4)]
    # when
    samples = {tuple(c.pk for c in followup_sample(org.r1, week_start=w, size=5)) for w in weeks}
    # then
    assert len(samples) > 1


def test_sampled_customers_are_marked_in_the_check(book):
    # given: R1 has a, b (worked), c and six more untouched leads; the sample takes 5
    org = book["org"]
    for n in range(6):
        customer_create(actor=org.r1.user, phone=f"1390015{n:04d}", owner=org.r1)
    sample = followup_sample(org.r1, week_start=TODAY)
    picked = rep_customers(org.r1).exclude(pk__in=[c.pk for c in sample]).first()
    chosen = [*sample, picked]
    # when
    check = _submit(org, chosen, [_marks(x, *["met"] * 5) for x in chosen])
    # then
    flags = dict(check.items.values_list("customer_id", "sampled"))
    assert len(sample) == 5
    assert flags == {**{x.pk: True for x in sample}, picked.pk: False}


# -- the suggestions ---------------------------------------------------------------------------


def test_the_record_suggests_the_points_the_data_decides(book):
    # given
    a, b, c, d = book["a"], book["b"], book["c"], book["d"]
    records = customer_records([a.pk, b.pk, c.pk, d.pk])
    # when
    hints = {
        name: followup_hints(x, records[x.pk].outcomes, TODAY)
        for name, x in {"a": a, "b": b, "c": c, "d": d}.items()
    }
    # then
    assert hints["a"] == {"next_step_set": "not_met"}  # an intent contact without a next date
    assert hints["b"] == {"next_step_set": "met"}
    assert hints["c"] == {
        "outcome_recorded": "na",
        "notes_meaningful": "na",
        "next_step_set": "na",
        "follow_up_on_time": "na",
    }
    assert hints["d"]["next_step_set"] == "na" and hints["d"]["follow_up_on_time"] == "na"


def test_the_on_time_suggestion_follows_the_planned_dates(book):
    # given: outcomes as they would stand (unsaved: the pure rule reads them only)
    b = book["b"]
    b.next_follow_up = None

    def outcome(recorded_on: dt.date, planned: dt.date | None) -> Outcome:
        at = timezone.make_aware(dt.datetime.combine(recorded_on, dt.time(10)))
        return Outcome(recorded_at=at, next_follow_up=planned)

    d = TODAY - dt.timedelta(days=10)
    # when
    passed_unfollowed = followup_hints(b, [outcome(d, TODAY - dt.timedelta(days=1))], TODAY)
    on_the_day = followup_hints(b, [outcome(d, None), outcome(d - dt.timedelta(days=5), d)], TODAY)
    late = followup_hints(
        b, [outcome(d + dt.timedelta(days=1), None), outcome(d - dt.timedelta(days=5), d)], TODAY
    )
    # then
    assert passed_unfollowed["follow_up_on_time"] == "not_met"
    assert on_the_day["follow_up_on_time"] == "met"
    assert late["follow_up_on_time"] == "not_met"


# -- the overview ------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def calls(book):
    """R1's answered outbound calls: c1 50 h ago (outcome recorded now, too late), c2 30 h
    ago (no outcome), c3 72 h ago (outcome within an hour), c4 2 h ago (no outcome yet, its
    24 h still running), c5 9 days ago (outside the window), c6 30 h ago unanswered; R2's
    c7 30 h ago (no outcome)."""
    org = book["org"]
    mapped(org)
    now = timezone.now()
    specs = [
        ("R1", _local(now - dt.timedelta(hours=50)), 90, "13800138001"),
        ("R1", _local(now - dt.timedelta(hours=30)), 60),
        ("R1", _local(now - dt.timedelta(hours=72)), 120, "13800138002"),
        ("R1", _local(now - dt.timedelta(hours=2)), 45),
        ("R1", _local(now - dt.timedelta(days=9)), 45),
        ("R1", _local(now - dt.timedelta(hours=30)), 0),
        ("R2", _local(now - dt.timedelta(hours=30)), 30),
    ]
    made = make_calls(specs)
    contacted = Disposition.objects.get(code="contacted")
    outcome_record(
        actor=org.r1.user, customer=book["a"], disposition=contacted, employee=org.r1, call=made[0]
    )
    timely = outcome_record(
        actor=org.r1.user, customer=book["b"], disposition=contacted, employee=org.r1, call=made[2]
    )
    # outcome_record stamps the present; this outcome was recorded an hour after its call
    Outcome.objects.filter(pk=timely.pk).update(
        recorded_at=made[2].started_at + dt.timedelta(hours=1)
    )
    return {**book, "calls": made, "now": now}


def test_the_overview_counts_per_rep_on_a_hand_built_example(calls):
    # given
    org, now = calls["org"], calls["now"]
    intent = Disposition.objects.get(code="intent")
    # b also becomes an intent customer, and has its next step set: not counted
    outcome_record(
        actor=org.r1.user,
        customer=calls["b"],
        disposition=intent,
        employee=org.r1,
        next_follow_up=TODAY + dt.timedelta(days=1),
    )
    # e (R2's) was won: intent at the top, no next date, yet served rather than chased
    outcome_record(
        actor=org.r2.user,
        customer=calls["e"],
        disposition=Disposition.objects.get(code="sale"),
        employee=org.r2,
    )
    check = _submit(org, [calls["b"]], [_marks(calls["b"], *["met"] * 5)])
    # when
    rows = {row.rep: row for row in followup_overview(org.s1.user, today=TODAY, now=now)}
    # then
    assert set(rows) == {org.r1, org.r2}
    r1 = rows[org.r1]
    # a, b, c, d owned; no overdue (a's outcome cleared its date), a is intent with no date
    assert (r1.owned, r1.overdue, r1.intent_open) == (4, 0, 1)
    # c1, c2, c3 answered in the window (c4 today, c5 too old, c6 unanswered); c1 and c2
    # have no outcome within 24 h
    assert (r1.answered, r1.missing) == (3, 2)
    assert (r1.last_checked_on, r1.last_passed, r1.last_check_id) == (TODAY, True, check.pk)
    r2 = rows[org.r2]
    assert (r2.owned, r2.overdue, r2.intent_open, r2.answered, r2.missing) == (1, 0, 0, 1, 1)
    assert r2.last_checked_on is None


def test_the_overview_counts_overdue_follow_ups_but_not_do_not_call_or_merged(book):
    # given
    org = book["org"]
    yesterday = TODAY - dt.timedelta(days=1)
    customer_create(actor=org.r2.user, phone="13900139001", owner=org.r2, next_follow_up=yesterday)
    customer_create(actor=org.r2.user, phone="13900139002", owner=org.r2, next_follow_up=TODAY)
    keep = customer_create(
        actor=org.r2.user, phone="13900139003", owner=org.r2, next_follow_up=yesterday
    )
    gone = customer_create(
        actor=org.r2.user, phone="13900139004", owner=org.r2, next_follow_up=yesterday
    )
    customer_merge(actor=org.s1.user, keep=keep, merge=gone)
    # when
    rows = {row.rep: row for row in followup_overview(org.manager.user)}
    # then: e, the three kept (gone is merged); overdue: 139001 and the kept one
    assert (rows[org.r2].owned, rows[org.r2].overdue) == (4, 2)
    assert set(rows) == {org.r1, org.r2, org.r3}


def test_the_overview_queries_do_not_grow_with_reps_and_customers(
    calls, login, django_assert_max_num_queries
):
    # given
    org = calls["org"]
    client = login(org.hr)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/qa/followups/").status_code == 200
    for n in range(12):
        customer_create(
            actor=org.r3.user,
            phone=f"1370013{n:04d}",
            owner=org.r3 if n % 2 else org.r2,
            next_follow_up=TODAY - dt.timedelta(days=n),
        )
    _submit(org, [calls["f"]], [_marks(calls["f"], *["met"] * 5)], actor=org.s2, rep=org.r3)
    # when / then
    with django_assert_max_num_queries(len(few)):
        client.get("/qa/followups/")


# -- the pages ---------------------------------------------------------------------------------


def _post(customers, marks: dict, *, action="submit", rep=None, comment="记录完整") -> dict:
    """The checklist form's POST: rep and customers as hidden fields, a mark per point."""
    data = {"action": action, "comment": comment, "customer": [c.pk for c in customers]}
    if rep is not None:
        data["rep"] = rep.pk
    for customer in customers:
        for point, value in zip(FOLLOWUP_POINTS, marks[customer.pk], strict=True):
            data[f"{point}_{customer.pk}"] = value
        data[f"note_{customer.pk}"] = ""
    return data


def test_a_supervisor_checks_a_rep_in_the_pages_and_the_rep_acknowledges(book, login_en):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    client = login_en(org.s1)
    # when: choose the rep, then the customers, then fill the checklist
    chooser = client.get(f"/qa/followups/new/?rep={org.r1.pk}")
    checklist = client.get(
        f"/qa/followups/new/checklist/?rep={org.r1.pk}&customer={a.pk}&customer={b.pk}"
    )
    posted = client.post(
        "/qa/followups/new/checklist/",
        _post([a, b], {a.pk: ["met"] * 5, b.pk: ["met"] * 4 + ["not_met"]}, rep=org.r1),
    )
    # then
    check = FollowUpCheck.objects.get()
    assert chooser.status_code == 200 and checklist.status_code == 200
    text = checklist.content.decode()
    assert "138****8001" in text and "13800138001" not in text
    assert "想要报价" in text  # the latest outcome's notes, read only
    assert "Outcome recorded for the last contact" in text
    assert {c.pk for c in (r["customer"] for r in chooser.context["sample"])} <= {
        a.pk,
        b.pk,
        book["c"].pk,
    }
    assert posted.status_code == 302 and posted["Location"] == f"/qa/followups/{check.pk}/"
    assert (check.result, check.passed, check.comment) == (Decimal("90.00"), True, "记录完整")
    # when: the rep reads and acknowledges it
    rep = login_en(org.r1)
    page = rep.get(f"/qa/followups/{check.pk}/")
    acknowledged = rep.post(f"/qa/followups/{check.pk}/acknowledge/", {"comment": "收到"})
    # then
    check.refresh_from_db()
    assert page.status_code == 200 and page.context["may_acknowledge"] is True
    assert "13800138001" in page.content.decode()  # the owner sees their own numbers
    assert acknowledged.status_code == 302
    assert check.acknowledged_at is not None and check.acknowledgement == "收到"
    again = rep.post(f"/qa/followups/{check.pk}/acknowledge/", {"comment": "再次"})
    assert again.status_code == 404


def test_the_page_refuses_a_mark_outside_the_choices_and_stores_nothing(book, login_en):
    # given
    org, a = book["org"], book["a"]
    client = login_en(org.s1)
    before = _state()
    # when
    response = client.post(
        "/qa/followups/new/checklist/",
        _post([a], {a.pk: ["met", "perfect", "met", "met", "met"]}, rep=org.r1),
    )
    # then
    assert response.status_code == 400
    assert "Select a valid choice. perfect is not one of the available choices." in (
        response.content.decode()
    )
    assert _state() == before


def test_the_page_refuses_no_customer_or_another_reps_customer_and_stores_nothing(book, login_en):
    # given
    org, a, e = book["org"], book["a"], book["e"]
    client = login_en(org.s1)
    before = _state()
    # when
    empty = client.get(f"/qa/followups/new/checklist/?rep={org.r1.pk}", follow=True)
    other = client.post(
        "/qa/followups/new/checklist/",
        _post([a, e], {a.pk: ["met"] * 5, e.pk: ["met"] * 5}, rep=org.r1),
        follow=True,
    )
    # then
    assert "Choose at least one customer to check." in empty.content.decode()
    assert "Only customers of 张一 can be checked in a check of their records." in (
        other.content.decode()
    )
    assert other.redirect_chain == [(f"/qa/followups/new/?rep={org.r1.pk}", 302)]
    assert _state() == before


def test_a_draft_is_saved_finished_later_and_can_be_thrown_away(book, login_en):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    client = login_en(org.s1)
    # when: save a draft with some marks, then submit it from its page
    saved = client.post(
        "/qa/followups/new/checklist/",
        _post([a], {a.pk: ["met", "", "", "", ""]}, rep=org.r1, action="save"),
    )
    draft = FollowUpCheck.objects.get()
    page = client.get(f"/qa/followups/{draft.pk}/edit/")
    incomplete = client.post(
        f"/qa/followups/{draft.pk}/edit/", _post([a], {a.pk: ["met", "", "", "", ""]})
    )
    done = client.post(
        f"/qa/followups/{draft.pk}/edit/",
        _post([a], {a.pk: ["met", "met", "not_met", "na", "met"]}),
    )
    # then
    draft.refresh_from_db()
    assert saved["Location"] == f"/qa/followups/{draft.pk}/edit/"
    assert page.status_code == 200
    assert page.context["form"]["outcome_recorded_" + str(a.pk)].value() == "met"
    assert incomplete.status_code == 400 and "4 points are not marked yet" in (
        incomplete.content.decode()
    )
    assert done.status_code == 302
    assert (draft.status, draft.result, draft.passed) == ("submitted", Decimal("75.00"), False)
    # and a new draft is thrown away
    other = followup_check_create(actor=org.s1.user, rep=org.r1, customers=[b])
    client.post(f"/qa/followups/{other.pk}/discard/")
    assert list(FollowUpCheck.objects.values_list("pk", flat=True)) == [draft.pk]


def test_the_list_filters_and_shows_each_rep_only_their_own(book, login_en):
    # given
    org, a, e, f = book["org"], book["a"], book["e"], book["f"]
    passed = _submit(org, [a], [_marks(a, *["met"] * 5)])
    failed = _submit(org, [e], [_marks(e, "met", "not_met", "not_met", "met", "met")], rep=org.r2)
    other = _submit(org, [f], [_marks(f, *["met"] * 5)], actor=org.s2, rep=org.r3)
    # when
    s1 = login_en(org.s1)
    everything = s1.get("/qa/followups/checks/")
    only_failed = s1.get("/qa/followups/checks/?result=failed")
    by_rep = s1.get(f"/qa/followups/checks/?rep={org.r1.pk}")
    rep = login_en(org.r2).get("/qa/followups/checks/")
    manager = login_en(org.manager).get("/qa/followups/checks/")
    # then
    assert [c.pk for c in everything.context["page"]] == [failed.pk, passed.pk]
    assert [c.pk for c in only_failed.context["page"]] == [failed.pk]
    assert [c.pk for c in by_rep.context["page"]] == [passed.pk]
    assert [c.pk for c in rep.context["page"]] == [failed.pk]
    assert {c.pk for c in manager.context["page"]} == {passed.pk, failed.pk, other.pk}
    assert everything.context["counts"] == {"count": 2, "passed": 1, "open": 2}


def test_the_list_queries_do_not_grow_with_rows(book, login, django_assert_max_num_queries):
    # given
    org, a, e = book["org"], book["a"], book["e"]
    _submit(org, [a], [_marks(a, *["met"] * 5)])
    _submit(org, [e], [_marks(e, *["met"] * 5)], rep=org.r2)

    def count(employee) -> int:
        with CaptureQueriesContext(connection) as queries:
            login(employee).get("/qa/followups/checks/")
        return len(queries)

    few = {employee: count(employee) for employee in (org.s1, org.r2)}
    for n in range(12):
        customer = customer_create(actor=org.r2.user, phone=f"1360013{n:04d}", owner=org.r2)
        _submit(org, [customer], [_marks(customer, *["met"] * 5)], rep=org.r2)
    # when / then
    for employee, queries in few.items():
        with django_assert_max_num_queries(queries):
            login(employee).get("/qa/followups/checks/")


def test_the_check_pages_queries_do_not_grow_with_customers(
    book, login, django_assert_max_num_queries
):
    # given
    org, a, b = book["org"], book["a"], book["b"]
    small = _submit(org, [a], [_marks(a, *["met"] * 5)])
    more = [a, b]
    for n in range(6):
        customer = customer_create(actor=org.r1.user, phone=f"1350013{n:04d}", owner=org.r1)
        more.append(customer)
    large = _submit(org, more, [_marks(c, *["met"] * 5) for c in more])
    client = login(org.s1)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/qa/followups/{small.pk}/")
    query = "&".join(f"customer={c.pk}" for c in more)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/qa/followups/new/checklist/?rep={org.r1.pk}&customer={a.pk}")
    # when / then
    with django_assert_max_num_queries(len(few)):
        client.get(f"/qa/followups/{large.pk}/")
    with django_assert_max_num_queries(len(one)):
        client.get(f"/qa/followups/new/checklist/?rep={org.r1.pk}&{query}")


# -- scope -------------------------------------------------------------------------------------


@pytest.fixture
def checked(book):
    """S1's submitted check of R1 and S1's draft check of R2."""
    org, a, e = book["org"], book["a"], book["e"]
    submitted = _submit(org, [a], [_marks(a, *["met"] * 5)])
    draft = followup_check_create(actor=org.s1.user, rep=org.r2, customers=[e])
    return {**book, "submitted": submitted, "draft": draft}


def test_who_opens_the_overview(checked, login):
    # given
    org = checked["org"]
    # when
    rep = login(org.r1).get("/qa/followups/")
    staff = login(org.staff).get("/qa/followups/")
    s2 = login(org.s2).get("/qa/followups/")
    hr = login(org.hr).get("/qa/followups/")
    # then
    assert rep.status_code == 302 and rep["Location"] == "/qa/followups/checks/"
    assert staff.status_code == 404
    assert [row.rep for row in s2.context["rows"]] == [org.r3]
    assert {row.rep for row in hr.context["rows"]} == {org.r1, org.r2, org.r3}


def test_pages_out_of_scope_are_404_and_change_nothing(checked, login):
    # given
    org, a, f = checked["org"], checked["a"], checked["f"]
    submitted, draft = checked["submitted"], checked["draft"]
    before = _state()
    checklist = _post([a], {a.pk: ["met"] * 5}, rep=org.r1)
    refused = [
        (org.s2, "get", f"/qa/followups/new/?rep={org.r1.pk}", None),
        (org.s2, "get", f"/qa/followups/new/checklist/?rep={org.r1.pk}&customer={a.pk}", None),
        (org.s2, "post", "/qa/followups/new/checklist/", checklist),
        (org.s1, "get", f"/qa/followups/new/checklist/?rep={org.r3.pk}&customer={f.pk}", None),
        (org.r1, "get", f"/qa/followups/new/?rep={org.r1.pk}", None),
        (org.r1, "post", "/qa/followups/new/checklist/", checklist),
        (org.staff, "get", "/qa/followups/checks/", None),
        (org.staff, "get", "/qa/followups/new/", None),
        (org.s2, "get", f"/qa/followups/{submitted.pk}/", None),
        (org.r2, "get", f"/qa/followups/{submitted.pk}/", None),
        (org.staff, "get", f"/qa/followups/{submitted.pk}/", None),
        (org.r2, "post", f"/qa/followups/{submitted.pk}/acknowledge/", {"comment": "x"}),
        (org.s1, "post", f"/qa/followups/{submitted.pk}/acknowledge/", {"comment": "x"}),
        (org.manager, "post", f"/qa/followups/{submitted.pk}/acknowledge/", {"comment": "x"}),
        (org.r2, "get", f"/qa/followups/{draft.pk}/", None),
        (org.manager, "get", f"/qa/followups/{draft.pk}/edit/", None),
        (
            org.s2,
            "post",
            f"/qa/followups/{draft.pk}/edit/",
            _post([checked["e"]], {checked["e"].pk: ["met"] * 5}),
        ),
        (org.manager, "post", f"/qa/followups/{draft.pk}/discard/", None),
        (org.r2, "post", f"/qa/followups/{draft.pk}/discard/", None),
        (org.s1, "post", f"/qa/followups/{submitted.pk}/discard/", None),
    ]
    # when
    codes = [
        (user.employee_no, method, url, getattr(login(user), method)(url, data or {}).status_code)
        for user, method, url, data in refused
    ]
    # then
    assert [code for *_rest, code in codes] == [404] * len(refused), codes
    assert _state() == before


def test_the_services_refuse_out_of_scope_acknowledgement_and_draft_changes(checked):
    # given
    org, submitted, draft = checked["org"], checked["submitted"], checked["draft"]
    before = _state()
    # when / then
    with pytest.raises(PermissionDenied):
        followup_check_acknowledge(actor=org.r2.user, check=submitted)
    with pytest.raises(PermissionDenied):
        followup_check_update(actor=org.s2.user, check=draft, marks=[], submit=False)
    with pytest.raises(PermissionDenied):
        followup_check_discard(actor=org.manager.user, check=draft)
    with pytest.raises(PermissionDenied):  # a submitted check is final, even for its checker
        followup_check_update(actor=org.s1.user, check=submitted, marks=[], submit=True)
    assert _state() == before


# -- menu and demo -----------------------------------------------------------------------------


def test_the_menu_entry_shows_to_reviewers_and_reps_only(org):
    # when
    def keys(employee):
        return {entry["key"] for entry in menu_for(employee.user)}

    # then
    assert "qa-followups" in keys(org.s1)
    assert "qa-followups" in keys(org.r1)
    assert "qa-followups" in keys(org.hr)
    assert "qa-followups" not in keys(org.staff)


def test_the_demo_checks_each_rep_about_twice_and_most_are_acknowledged(book):
    # given: more customers with records for R1, R2 and R3
    org = book["org"]
    contacted = Disposition.objects.get(code="contacted")
    for n, rep in enumerate([org.r1, org.r2, org.r3] * 4):
        customer = customer_create(actor=rep.user, phone=f"1330013{n:04d}", owner=rep)
        outcome_record(
            actor=rep.user, customer=customer, disposition=contacted, employee=rep, notes="沟通"
        )
    # when
    summary = demo_followups(DemoContext(today=TODAY, seed=7))
    again = demo_followups(DemoContext(today=TODAY, seed=7))
    # then
    checks = list(FollowUpCheck.objects.select_related("rep", "checker"))
    assert len(checks) == 6
    assert {(c.rep, c.checker) for c in checks} == {
        (org.r1, org.s1),
        (org.r2, org.s1),
        (org.r3, org.s2),
    }
    assert all(c.status == "submitted" and c.result is not None for c in checks)
    assert all(TODAY - dt.timedelta(days=28) <= c.checked_on < TODAY for c in checks)
    acknowledged = sum(1 for c in checks if c.acknowledged_at is not None)
    failed = sum(1 for c in checks if not c.passed)
    assert summary == (
        f"Follow-up record checks: 6 checks of 3 reps ({failed} failed, "
        f"{acknowledged} acknowledged)."
    )
    assert again == ""
    assert FollowUpCheckItem.objects.filter(sampled=False).count() == 0


# -- the rep's to-do -----------------------------------------------------------------------------


def test_the_rep_is_asked_on_the_start_page_to_acknowledge_a_check_until_they_do(book, login_en):
    # given: a submitted check of R1's records
    org = book["org"]
    check = _submit(org, [book["a"]], [ItemMarks(book["a"].pk, ALL_MET, "")])
    sentence = "Read and acknowledge 1 check of your follow-up records."
    # when / then: R1 is asked, R2 is not
    assert sentence in login_en(org.r1).get("/").content.decode()
    assert sentence not in login_en(org.r2).get("/").content.decode()
    # when: R1 acknowledges it
    from telesales.qa.followups.services import followup_check_acknowledge

    followup_check_acknowledge(actor=org.r1.user, check=check)
    # then
    assert sentence not in login_en(org.r1).get("/").content.decode()
