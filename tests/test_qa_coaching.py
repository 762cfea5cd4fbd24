"""Coaching (source §2.1.2 "coach"; PRODUCT.md §3 2.1.2 key-customer participation log):
sessions one-to-one, side-by-side and joint calls with a key customer, the actions agreed,
the follow-up list of open and overdue actions, and who may see and change what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.crm.customers.services import customer_create
from telesales.qa import selectors
from telesales.qa.models import CoachingAction, CoachingSession
from telesales.qa.services import (
    coaching_action_add,
    coaching_action_transition,
    coaching_session_record,
    review_save,
)
from tests.test_qa_support import default_version, make_calls, mapped, marks

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()


@pytest.fixture
def coached(org):
    """S1 coached R1 one-to-one 10 days ago on a failed review; actions: R1's due 3 days ago
    (overdue), S1's due in 4 days."""
    mapped(org)
    (call,) = make_calls([("R1", "2026-03-02 10:00:00", 120)])
    version = default_version()
    review = review_save(
        actor=org.s1.user,
        call=call,
        version=version,
        marks=marks(version, {"需求挖掘": 0}),
        submit=True,
    )
    session = coaching_session_record(
        actor=org.s1.user,
        kind=CoachingSession.Kind.ONE_TO_ONE,
        rep=org.r1,
        held_on=TODAY - dt.timedelta(days=10),
        notes="复盘需求挖掘",
        reviews=[review],
    )
    rep_action = coaching_action_add(
        actor=org.s1.user,
        session=session,
        description="每天练习开放式提问",
        owner=org.r1,
        due_on=TODAY - dt.timedelta(days=3),
    )
    coach_action = coaching_action_add(
        actor=org.s1.user,
        session=session,
        description="旁听两通电话",
        owner=org.s1,
        due_on=TODAY + dt.timedelta(days=4),
    )
    return {
        "org": org,
        "review": review,
        "session": session,
        "rep_action": rep_action,
        "coach_action": coach_action,
    }


def _state() -> tuple:
    return (
        list(CoachingSession.objects.order_by("pk").values_list("pk", "notes")),
        list(
            CoachingAction.objects.order_by("pk").values_list(
                "pk", "status", "done_at", "done_note", "owner_id"
            )
        ),
    )


def test_a_session_records_coach_rep_date_notes_and_linked_reviews(coached):
    # given
    org, session = coached["org"], coached["session"]
    # then
    assert (session.kind, session.coach, session.rep, session.notes) == (
        "one_to_one",
        org.s1,
        org.r1,
        "复盘需求挖掘",
    )
    assert list(session.reviews.all()) == [coached["review"]]
    assert AuditEvent.objects.filter(action="qa.coaching.record").count() == 1
    assert AuditEvent.objects.filter(action="qa.action.add").count() == 2


def test_a_joint_call_logs_the_key_customer(org):
    # given
    customer = customer_create(actor=org.r1.user, phone="13800138000", name="周总", owner=org.r1)
    # when
    with pytest.raises(ValidationError, match="names the key customer"):
        coaching_session_record(
            actor=org.s1.user, kind="joint_call", rep=org.r1, held_on=TODAY, notes=""
        )
    session = coaching_session_record(
        actor=org.s1.user,
        kind="joint_call",
        rep=org.r1,
        held_on=TODAY,
        notes="一起沟通续约",
        customer=customer,
    )
    # then
    assert list(
        CoachingSession.objects.filter(kind="joint_call").values_list("customer__name", "rep")
    ) == [("周总", org.r1.pk)]
    assert session.customer == customer


def test_sessions_are_recorded_only_for_people_in_scope(org):
    # given
    before = _state()
    # when / then
    with pytest.raises(PermissionDenied):
        coaching_session_record(actor=org.s2.user, kind="one_to_one", rep=org.r1, held_on=TODAY)
    with pytest.raises(PermissionDenied):
        coaching_session_record(actor=org.r2.user, kind="one_to_one", rep=org.r1, held_on=TODAY)
    with pytest.raises(ValidationError, match="Nobody coaches themselves"):
        coaching_session_record(actor=org.s1.user, kind="one_to_one", rep=org.s1, held_on=TODAY)
    with pytest.raises(ValidationError, match="once it has been held"):
        coaching_session_record(
            actor=org.s1.user,
            kind="one_to_one",
            rep=org.r1,
            held_on=TODAY + dt.timedelta(days=1),
        )
    assert _state() == before


def test_only_reviews_of_the_reps_calls_are_linked(coached):
    # given
    org = coached["org"]
    # when / then
    with pytest.raises(ValidationError, match="Only reviews of this rep's calls"):
        coaching_session_record(
            actor=org.s1.user,
            kind="one_to_one",
            rep=org.r2,
            held_on=TODAY,
            reviews=[coached["review"]],
        )


def test_actions_go_to_the_rep_the_coach_or_someone_in_scope(coached):
    # given
    org, session = coached["org"], coached["session"]
    # when / then
    with pytest.raises(PermissionDenied):
        coaching_action_add(
            actor=org.s1.user, session=session, description="x", owner=org.r3, due_on=TODAY
        )
    with pytest.raises(PermissionDenied):
        coaching_action_add(
            actor=org.s2.user, session=session, description="x", owner=org.r1, due_on=TODAY
        )
    with pytest.raises(ValidationError, match="due before the session"):
        coaching_action_add(
            actor=org.s1.user,
            session=session,
            description="x",
            owner=org.r1,
            due_on=session.held_on - dt.timedelta(days=1),
        )
    assert session.actions.count() == 2


def test_the_owner_marks_an_action_done_and_may_open_it_again(coached):
    # given
    org, action = coached["org"], coached["rep_action"]
    at = timezone.now()
    # when
    coaching_action_transition(
        actor=org.r1.user, action=action, to_status="done", note="已坚持一周", at=at
    )
    # then
    action.refresh_from_db()
    assert (action.status, action.done_at, action.done_note) == ("done", at, "已坚持一周")
    with pytest.raises(ValidationError, match="cannot become"):
        coaching_action_transition(actor=org.r1.user, action=action, to_status="done")
    coaching_action_transition(actor=org.s1.user, action=action, to_status="open")
    action.refresh_from_db()
    assert (action.status, action.done_at) == ("open", None)
    assert AuditEvent.objects.filter(action__in=["qa.action.done", "qa.action.reopen"]).count() == 2


def test_others_cannot_close_an_action(coached):
    # given
    org = coached["org"]
    before = _state()
    # when / then: R1 does not own the coach's action; R2 and S2 are out of scope
    for user, action in (
        (org.r1.user, coached["coach_action"]),
        (org.r2.user, coached["rep_action"]),
        (org.s2.user, coached["rep_action"]),
    ):
        with pytest.raises(PermissionDenied):
            coaching_action_transition(actor=user, action=action, to_status="done")
    assert _state() == before


def test_the_follow_up_list_holds_open_and_overdue_actions_in_scope(coached):
    # given
    org = coached["org"]
    rep_action, coach_action = coached["rep_action"], coached["coach_action"]

    def ids(user, state):
        return [a.pk for a in selectors.action_list(user, state=state, today=TODAY)]

    # then
    assert ids(org.s1.user, "open") == [rep_action.pk, coach_action.pk]
    assert ids(org.s1.user, "overdue") == [rep_action.pk]
    assert ids(org.manager.user, "open") == [rep_action.pk, coach_action.pk]
    assert ids(org.r1.user, "open") == [rep_action.pk, coach_action.pk]  # their session's
    assert ids(org.r2.user, "open") == ids(org.s2.user, "open") == []
    assert selectors.action_counts(org.s1.user, today=TODAY) == {"open": 2, "overdue": 1, "done": 0}


# -- pages -------------------------------------------------------------------------------------


def test_a_joint_call_is_recorded_in_the_page(org, login_en):
    # given
    customer_create(actor=org.r1.user, phone="13800138000", name="周总", owner=org.r1)
    client = login_en(org.s1)
    data = {
        "kind": "joint_call",
        "rep": org.r1.pk,
        "held_on": TODAY.isoformat(),
        "customer_phone": "138 0013 8000",
        "notes": "陪同沟通",
    }
    # when
    missing = client.post("/qa/coaching/new/", {**data, "customer_phone": ""})
    unknown = client.post("/qa/coaching/new/", {**data, "customer_phone": "13900139000"})
    done = client.post("/qa/coaching/new/", data)
    # then
    assert missing.status_code == unknown.status_code == 400
    assert "No customer of this rep or of your team has this phone number." in (
        unknown.content.decode()
    )
    session = CoachingSession.objects.get()
    assert done["Location"] == f"/qa/coaching/{session.pk}/"
    assert (session.kind, session.customer.name, session.coach) == ("joint_call", "周总", org.s1)
    page = client.get(done["Location"]).content.decode()
    assert "138****8000" in page


def test_actions_are_added_and_marked_done_in_the_pages(coached, login):
    # given
    org, session = coached["org"], coached["session"]
    coach = login(org.s1)
    # when
    added = coach.post(
        f"/qa/coaching/{session.pk}/actions/",
        {"description": "整理意向客户清单", "owner": org.r1.pk, "due_on": TODAY.isoformat()},
    )
    rep = login(org.r1)
    done = rep.post(
        f"/qa/actions/{coached['rep_action'].pk}/move/",
        {"to_status": "done", "note": "完成", "next": "/qa/actions/"},
    )
    # then
    assert added.status_code == 302
    assert session.actions.count() == 3
    assert done["Location"] == "/qa/actions/"
    assert CoachingAction.objects.get(pk=coached["rep_action"].pk).status == "done"
    listing = rep.get("/qa/actions/?state=all")
    assert {a.pk for a in listing.context["page"]} == set(
        session.actions.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("who", ["s2", "r2", "staff"])
def test_others_cannot_open_or_change_a_session_and_nothing_changes(coached, login, who):
    # given
    org, session = coached["org"], coached["session"]
    client = login(getattr(org, who))
    before = _state()
    # when / then
    assert client.get(f"/qa/coaching/{session.pk}/").status_code == 404
    assert (
        client.post(
            f"/qa/coaching/{session.pk}/actions/",
            {"description": "x", "owner": org.r1.pk, "due_on": TODAY.isoformat()},
        ).status_code
        == 404
    )
    for action in (coached["rep_action"], coached["coach_action"]):
        response = client.post(f"/qa/actions/{action.pk}/move/", {"to_status": "done"})
        assert response.status_code == 404
    listing = client.get("/qa/coaching/")
    assert listing.status_code == (404 if who == "staff" else 200)
    if who != "staff":
        assert list(listing.context["page"]) == []
    assert _state() == before


def test_the_rep_sees_their_session_but_not_the_coach_only_controls(coached, login):
    # given
    org, session = coached["org"], coached["session"]
    client = login(org.r1)
    before = _state()
    # when
    page = client.get(f"/qa/coaching/{session.pk}/")
    add = client.post(
        f"/qa/coaching/{session.pk}/actions/",
        {"description": "x", "owner": org.r1.pk, "due_on": TODAY.isoformat()},
    )
    coach_action = client.post(
        f"/qa/actions/{coached['coach_action'].pk}/move/", {"to_status": "done"}
    )
    # then
    assert page.status_code == 200
    assert page.context["action_form"] is None
    assert (add.status_code, coach_action.status_code) == (404, 404)
    assert client.get("/qa/coaching/new/").status_code == 404
    assert _state() == before


def test_the_follow_up_page_queries_do_not_grow_with_rows(
    coached, login, django_assert_max_num_queries
):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org, session = coached["org"], coached["session"]
    client = login(org.s1)
    with CaptureQueriesContext(connection) as few:
        client.get("/qa/actions/?state=all")
    for i in range(15):
        coaching_action_add(
            actor=org.s1.user,
            session=session,
            description=f"行动 {i}",
            owner=org.r2 if i % 2 else org.r1,
            due_on=TODAY,
        )
    # when / then
    with django_assert_max_num_queries(len(few)):
        client.get("/qa/actions/?state=all")
    with django_assert_max_num_queries(len(few)):
        client.get("/qa/coaching/")
