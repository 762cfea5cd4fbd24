"""The call-monitoring pages: reviewing a call, the rep's reviews and acknowledgement, the
review queue, scorecards; each page and POST refused (404) out of scope with nothing changed;
the list pages' queries do not grow with their rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telesales.core.config import setting_set
from telesales.core.models import AuditEvent
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Disposition
from telesales.qa.models import QueueItem, Review, ReviewItem, Scorecard, ScorecardVersion
from telesales.qa.services import qa_queue_build, review_save
from tests.test_qa_support import default_version, make_calls, mapped, marks

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(org):
    """R1's calls c1 (reviewed by S1, 87), c2 (S1's draft) and c5 (not reviewed), R2's c3
    (reviewed by S1, 100), R3's c4 (T2, reviewed by S2); the queue of 2026-W10 for T1, T2."""
    mapped(org)
    c1, c2, c3, c4, c5 = make_calls(
        [
            ("R1", "2026-03-02 10:00:00", 120, "13800138000"),
            ("R1", "2026-03-03 10:00:00", 200),
            ("R2", "2026-03-03 11:00:00", 90),
            ("R3", "2026-03-04 10:00:00", 90),
            ("R1", "2026-03-05 10:00:00", 700),
        ]
    )
    customer = customer_create(actor=org.r1.user, phone="13800138000", name="周总", owner=org.r1)
    outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=Disposition.objects.get(code="intent"),
        employee=org.r1,
        call=c1,
        notes="客户想要报价",
    )
    version = default_version()
    good = {"开场白规范": 9, "需求挖掘": 16, "产品介绍准确": 18, "异议处理": 14}
    r1_review = review_save(
        actor=org.s1.user, call=c1, version=version, marks=marks(version, good), submit=True
    )
    draft = review_save(actor=org.s1.user, call=c2, version=version, marks=[])
    r2_review = review_save(
        actor=org.s1.user, call=c3, version=version, marks=marks(version, {}), submit=True
    )
    r3_review = review_save(
        actor=org.s2.user, call=c4, version=version, marks=marks(version, {}), submit=True
    )
    qa_queue_build(actor=org.admin.user, week_start=MONDAY, teams=[org.t1, org.t2])
    return {
        "org": org,
        "calls": (c1, c2, c3, c4, c5),
        "r1_review": r1_review,
        "draft": draft,
        "r2_review": r2_review,
        "r3_review": r3_review,
        "customer": customer,
    }


def _state() -> tuple:
    """Everything the pages could change."""
    return (
        list(
            Review.objects.order_by("pk").values_list(
                "pk", "status", "score", "acknowledged_at", "comment"
            )
        ),
        ReviewItem.objects.count(),
        QueueItem.objects.count(),
        ScorecardVersion.objects.count(),
        list(Scorecard.objects.values_list("code", "is_active")),
        AuditEvent.objects.count(),
    )


def _score_post(version, awarded=None, triggered=(), action="submit") -> dict:
    data = {"action": action, "comment": "好"}
    for checkpoint in version.checkpoints.all():
        if checkpoint.instant_fail:
            data[f"cp_{checkpoint.pk}"] = "yes" if checkpoint.label in triggered else "no"
        else:
            data[f"cp_{checkpoint.pk}"] = str(
                (awarded or {}).get(checkpoint.label, checkpoint.points)
            )
    return data


# -- reviewing ---------------------------------------------------------------------------------


def test_the_review_form_shows_the_call_masked_with_its_outcome(world, login_en):
    # given
    org, c5 = world["org"], world["calls"][4]
    c1 = world["calls"][0]
    client = login_en(org.s1)
    # when
    page = client.get(f"/qa/calls/{c5.pk}/review/")
    calibrate = client.get(f"/qa/reviews/{world['r1_review'].pk}/")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "700 seconds" in text and "Outbound" in text
    assert "The phone system gave no recording link for this call." in text
    assert len(page.context["form"].rows()) == 9
    detail = calibrate.content.decode()
    assert "138****8000" in detail and "13800138000" not in detail
    assert "Intent" in detail or "有意向" in detail
    assert "客户想要报价" in detail
    assert calibrate.context["call"] == c1


def test_a_supervisor_scores_and_submits_a_call_in_the_page(world, login_en):
    # given
    org, c5 = world["org"], world["calls"][4]
    version = default_version()
    client = login_en(org.s1)
    # when: 10 + 20 + 20 + 10 + 15 + 15 = 90
    response = client.post(f"/qa/calls/{c5.pk}/review/", _score_post(version, {"异议处理": 10}))
    # then
    review = Review.objects.get(call=c5)
    assert response.status_code == 302
    assert response["Location"] == f"/qa/reviews/{review.pk}/"
    assert (review.reviewer, review.score, review.passed, review.comment) == (
        org.s1,
        Decimal("90.00"),
        True,
        "好",
    )
    detail = client.get(response["Location"]).content.decode()
    assert "90.00" in detail and "Passed" in detail


def test_an_instant_fail_in_the_page_fails_the_review(world, login_en):
    # given
    org, c5 = world["org"], world["calls"][4]
    client = login_en(org.s1)
    # when
    client.post(
        f"/qa/calls/{c5.pk}/review/", _score_post(default_version(), triggered={"泄露客户信息"})
    )
    # then
    review = Review.objects.get(call=c5)
    assert (review.score, review.instant_failed, review.passed) == (Decimal("0.00"), True, False)


def test_a_draft_is_saved_and_continued(world, login_en):
    # given
    org, c2 = world["org"], world["calls"][1]
    version = default_version()
    client = login_en(org.s1)
    data = _score_post(version, action="save")
    data[f"cp_{version.checkpoints.get(label='需求挖掘').pk}"] = ""
    # when
    saved = client.post(f"/qa/calls/{c2.pk}/review/", data)
    refused = client.post(f"/qa/calls/{c2.pk}/review/", {**data, "action": "submit"})
    # then
    assert saved.status_code == 302
    assert Review.objects.get(call=c2).status == "draft"
    assert refused.status_code == 400
    assert (
        "Score every checkpoint before submitting; missing: 需求挖掘." in refused.content.decode()
    )
    done = client.post(f"/qa/calls/{c2.pk}/review/", _score_post(version))
    assert done.status_code == 302
    assert Review.objects.get(call=c2).status == "submitted"


def test_a_rep_sees_only_their_own_submitted_reviews(world, login):
    # given
    org = world["org"]
    # when
    mine = login(org.r1).get("/qa/reviews/")
    # then: not the draft of c2, not R2's
    assert mine.status_code == 200
    assert [r.pk for r in mine.context["page"]] == [world["r1_review"].pk]
    client = login(org.r1)
    assert client.get(f"/qa/reviews/{world['r1_review'].pk}/").status_code == 200
    for other in (world["r2_review"], world["r3_review"], world["draft"]):
        assert client.get(f"/qa/reviews/{other.pk}/").status_code == 404
    assert client.get(f"/qa/calls/{world['calls'][0].pk}/review/").status_code == 404


def test_the_rep_acknowledges_in_the_page(world, login_en):
    # given
    org, review = world["org"], world["r1_review"]
    client = login_en(org.r1)
    # when
    response = client.post(f"/qa/reviews/{review.pk}/acknowledge/", {"comment": "收到"})
    # then
    review.refresh_from_db()
    assert response.status_code == 302
    assert review.acknowledgement == "收到" and review.acknowledged_at is not None
    page = client.get(f"/qa/reviews/{review.pk}/").content.decode()
    assert "Acknowledged by the rep on" in page


@pytest.mark.parametrize("who", ["s2", "r2", "staff"])
def test_others_cannot_open_score_or_change_t1_reviews_and_nothing_changes(world, login, who):
    # given
    org = world["org"]
    client = login(getattr(org, who))
    c1, c2, _c3, _c4, c5 = world["calls"]
    review, draft = world["r1_review"], world["draft"]
    version = default_version()
    before = _state()
    # when / then: every page and POST about T1's calls is a 404
    for url in (
        f"/qa/calls/{c5.pk}/review/",
        f"/qa/calls/{c2.pk}/review/",
        f"/qa/reviews/{review.pk}/",
        f"/qa/reviews/{review.pk}/calibrate/",
        f"/qa/reviews/{draft.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/qa/calls/{c5.pk}/review/", _score_post(version)),
        (f"/qa/calls/{c2.pk}/review/", _score_post(version)),
        (f"/qa/reviews/{review.pk}/calibrate/", _score_post(version)),
        (f"/qa/reviews/{review.pk}/acknowledge/", {"comment": "x"}),
        (f"/qa/reviews/{draft.pk}/discard/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert client.get(f"/qa/calls/find/?call_id={c5.call_id}").status_code in (302, 404)
    assert _state() == before
    assert not Review.objects.filter(call=c5).exists()


def test_a_rep_cannot_acknowledge_another_reps_review(world, login):
    # given
    org = world["org"]
    before = _state()
    # when
    response = login(org.r2).post(f"/qa/reviews/{world['r1_review'].pk}/acknowledge/", {})
    # then
    assert response.status_code == 404
    assert _state() == before


def test_the_reviewer_discards_their_draft(world, login):
    # given
    org, draft = world["org"], world["draft"]
    # when
    response = login(org.s1).post(f"/qa/reviews/{draft.pk}/discard/")
    # then
    assert response.status_code == 302
    assert not Review.objects.filter(pk=draft.pk).exists()


def test_a_call_is_found_by_its_phone_system_id(world, login):
    # given
    org, c5 = world["org"], world["calls"][4]
    # when
    found = login(org.s1).get(f"/qa/calls/find/?call_id={c5.call_id}")
    elsewhere = login(org.s2).get(f"/qa/calls/find/?call_id={c5.call_id}")
    # then
    assert found["Location"] == f"/qa/calls/{c5.pk}/review/"
    assert elsewhere["Location"] == "/qa/queue/"


# -- the queue ---------------------------------------------------------------------------------


def test_the_queue_shows_a_supervisor_their_teams_items_with_reasons(world, login_en):
    # given
    org = world["org"]
    client = login_en(org.s1)
    # when
    page = client.get("/qa/queue/?status=")
    to_review = client.get("/qa/queue/")
    long_calls = client.get("/qa/queue/?status=&reason=long")
    # then
    shown = {item.call_id for item in page.context["page"]}
    t1 = set(QueueItem.objects.filter(rep__team=org.t1).values_list("call_id", flat=True))
    assert shown == t1 and shown
    assert {i.rep_id for i in to_review.context["page"]} <= {org.r1.pk, org.r2.pk}
    assert all(not i.submitted for i in to_review.context["page"])
    assert [i.call_id for i in long_calls.context["page"]] == [world["calls"][4].pk]
    assert "Long call" in long_calls.content.decode()


def test_the_queue_of_a_manager_holds_the_subtree_and_staff_see_none(world, login):
    # given
    org = world["org"]
    # when
    manager = login(org.manager).get("/qa/queue/?status=")
    # then
    assert {i.call_id for i in manager.context["page"]} == set(
        QueueItem.objects.values_list("call_id", flat=True)
    )
    for who in (org.r1, org.staff):
        assert login(who).get("/qa/queue/").status_code == 404


def test_the_build_button_builds_the_week_of_the_users_teams(world, login_en):
    # given
    org = world["org"]
    QueueItem.objects.all().delete()
    client = login_en(org.s1)
    # when
    response = client.post("/qa/queue/build/", {"week": "2026-03-04"})
    # then
    assert response.status_code == 302
    assert set(QueueItem.objects.values_list("rep__team__code", flat=True)) == {"T1"}
    message = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert message[0].startswith("Review queue of 2026-W10: ")


def test_building_another_teams_queue_is_refused_and_changes_nothing(world, login):
    # given
    org = world["org"]
    QueueItem.objects.all().delete()
    before = _state()
    # when
    s2 = login(org.s2).post("/qa/queue/build/", {"week": "2026-03-04", "team": org.t1.pk})
    rep = login(org.r1).post("/qa/queue/build/", {"week": "2026-03-04"})
    # then
    assert s2.status_code == 302  # the team is no choice of theirs: the form is refused
    assert rep.status_code == 404
    assert _state() == before


# -- scorecards --------------------------------------------------------------------------------


def test_a_manager_edits_a_used_scorecard_into_a_new_version_in_the_page(world, login_en):
    # given
    org = world["org"]
    scorecard = Scorecard.objects.get(code="default")
    client = login_en(org.manager)
    form = client.get(f"/qa/scorecards/{scorecard.pk}/edit/")
    rows = form.context["formset"].initial
    data = {
        "name": "电销通话质检标准 v2",
        "passing_score": "85",
        "cp-TOTAL_FORMS": str(len(rows) + 1),
        "cp-INITIAL_FORMS": str(len(rows)),
        "cp-MIN_NUM_FORMS": "0",
        "cp-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key == "instant_fail":
                if value:
                    data[f"cp-{i}-{key}"] = "on"
            elif value is not None:
                data[f"cp-{i}-{key}"] = str(value)
    n = len(rows)
    data.update({f"cp-{n}-label": "合规提示", f"cp-{n}-points": "5", f"cp-{n}-order": "70"})
    # when
    response = client.post(f"/qa/scorecards/{scorecard.pk}/edit/", data)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = list(scorecard.versions.order_by("number").values_list("number", "passing_score"))
    assert versions == [(1, Decimal(80)), (2, Decimal(85))]
    assert scorecard.versions.get(number=2).checkpoints.count() == 10
    assert world["r1_review"].version.number == 1
    page = client.get(response["Location"]).content.decode()
    assert "Version 1 is used by reviews, so the change was saved as version 2." in page


def test_supervisors_use_scorecards_but_cannot_edit_them(world, login):
    # given
    org = world["org"]
    scorecard = Scorecard.objects.get(code="default")
    client = login(org.s1)
    before = _state()
    # when / then
    assert client.get("/qa/scorecards/").status_code == 200
    assert client.get(f"/qa/scorecards/{scorecard.pk}/").status_code == 200
    assert client.get(f"/qa/scorecards/{scorecard.pk}/edit/").status_code == 404
    assert client.get("/qa/scorecards/new/").status_code == 404
    assert client.post(f"/qa/scorecards/{scorecard.pk}/edit/", {"name": "x"}).status_code == 404
    assert client.post(f"/qa/scorecards/{scorecard.pk}/active/", {"active": "0"}).status_code == 404
    assert login(org.r1).get("/qa/scorecards/").status_code == 404
    assert _state() == before


# -- query counts ------------------------------------------------------------------------------


def _more_reviews(org, count: int) -> None:
    version = default_version()
    specs = [
        ("R1", f"2026-03-{10 + i % 5:02d} {8 + i % 9:02d}:{i % 60:02d}:00", 60 + i)
        for i in range(count)
    ]
    for call in make_calls(specs):
        review_save(
            actor=org.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_review_list_queries_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    # given
    org = world["org"]
    client = login(org.s1)
    few = _queries(client, "/qa/reviews/")
    _more_reviews(org, 12)
    # when / then
    with django_assert_max_num_queries(few):
        client.get("/qa/reviews/")
    rep = login(org.r1)
    with django_assert_max_num_queries(few):
        rep.get("/qa/reviews/")


def test_the_queue_queries_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    # given
    org = world["org"]
    client = login(org.s1)
    few = _queries(client, "/qa/queue/?status=")
    specs = [
        ("R1", f"2026-03-{2 + i % 5:02d} {9 + i % 8:02d}:{i:02d}:00", 30 + i) for i in range(15)
    ]
    specs += [
        ("R2", f"2026-03-{2 + i % 5:02d} {9 + i % 8:02d}:{i:02d}:30", 30 + i) for i in range(15)
    ]
    make_calls(specs)
    setting_set(actor=org.admin.user, key="qa.sample_per_rep_week", value=10)
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    assert QueueItem.objects.filter(rep__team=org.t1).count() > 8
    # when / then
    with django_assert_max_num_queries(few):
        client.get("/qa/queue/?status=")
