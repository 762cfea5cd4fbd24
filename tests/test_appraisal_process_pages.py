"""The appraisal process panel and its posts (PRODUCT.md §6.6): what each person sees and may
do on the scorecard, every post back to the scorecard, refusals shown as messages, and every
post by someone who may not see the appraisal a 404 that changes nothing. Also the start
page's to-dos and the panel's bounded query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from telesales.appraisal import process
from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import (
    Appeal,
    Appraisal,
    AppraisalEvent,
    FeedbackNote,
    ImprovementAction,
    Interview,
    Snapshot,
)
from telesales.appraisal.views.process import process_context, process_todos
from telesales.appraisal.workflow import Status, appraisal_transition
from telesales.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()


@pytest.fixture
def appraisal(org) -> Appraisal:
    """R1's Q3 appraisal on the default rep scheme, rated by S1 (whose manager is M1)."""
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q3")
    return cycle.appraisals.get(employee=org.r1)


def _at(appraisal: Appraisal, status: str) -> Appraisal:
    Appraisal.objects.filter(pk=appraisal.pk).update(status=status)
    appraisal.refresh_from_db()
    return appraisal


def _published(org, appraisal: Appraisal) -> Appraisal:
    process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    process.agreement_confirm(actor=org.s1.user, appraisal=appraisal)
    for who, status in [(org.s1, "in_progress"), (org.s1, "rating"), (org.hr, "published")]:
        appraisal = appraisal_transition(actor=who.user, appraisal=appraisal, to_status=status)
    return appraisal


def _interviewed(org, appraisal: Appraisal) -> Appraisal:
    appraisal = _published(org, appraisal)
    process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="谈话")
    return process.interview_acknowledge(actor=org.r1.user, appraisal=appraisal)


def _state(appraisal: Appraisal) -> tuple:
    appraisal.refresh_from_db()
    return (
        appraisal.status,
        appraisal.version,
        appraisal.appraisee_agreed_at,
        appraisal.rater_agreed_at,
        AppraisalEvent.objects.count(),
        FeedbackNote.objects.count(),
        list(Interview.objects.values_list("notes", "acknowledged_at")),
        list(Appeal.objects.values_list("outcome", flat=True)),
        Snapshot.objects.count(),
        list(ImprovementAction.objects.order_by("pk").values_list("text", "status")),
        AuditEvent.objects.count(),
    )


def _detail(appraisal) -> str:
    return f"/appraisal/{appraisal.pk}/"


def _messages(response) -> list[str]:
    """The messages waiting after this response (those of earlier posts of the same session,
    never shown, come first)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- what the panel shows ----------------------------------------------------------------------


def test_the_draft_shows_the_targets_and_the_confirmation_to_both_sides(org, appraisal, login_en):
    # when
    page = login_en(org.r1).get(_detail(appraisal)).content.decode()
    # then
    assert 'data-testid="agreement-lines"' in page
    assert '<tr data-kpi="connection_rate">' in page
    assert '<td data-label="Target" class="number">0.4</td>' in page
    assert "I confirm these targets and standards" in page
    # and the manager, who is no side of the agreement, sees the targets but no button
    page = login_en(org.manager).get(_detail(appraisal)).content.decode()
    assert 'data-testid="agreement-lines"' in page
    assert "I confirm these targets and standards" not in page


def test_confirming_on_the_page_by_both_agrees_the_appraisal(org, appraisal, login_en):
    # when
    first = login_en(org.r1).post(f"/appraisal/{appraisal.pk}/agree/")
    second = login_en(org.s1).post(f"/appraisal/{appraisal.pk}/agree/", follow=True)
    # then
    assert (first.status_code, first["Location"]) == (302, _detail(appraisal))
    assert _state(appraisal)[0:2] == ("agreed", 2)
    assert "You confirmed the targets and standards." in second.content.decode()
    page = second.content.decode()
    assert 'data-testid="agreed-appraisee">not yet' not in page
    assert "I confirm these targets and standards" not in page


def test_the_moves_the_viewer_may_make_are_buttons_with_a_reason_where_needed(
    org, appraisal, login_en
):
    # given
    _at(appraisal, Status.INTERVIEWED)
    # when
    hr_page = login_en(org.hr).get(_detail(appraisal)).content.decode()
    rater_page = login_en(org.s1).get(_detail(appraisal)).content.decode()
    appraisee_page = login_en(org.r1).get(_detail(appraisal)).content.decode()
    # then
    assert 'data-testid="move-closed"' in hr_page
    assert 'data-testid="move-rating"' in hr_page
    assert "Reason (required)" in hr_page
    assert 'data-testid="move-closed"' in rater_page
    assert 'data-testid="move-rating"' not in rater_page
    assert 'data-testid="process-moves"' not in appraisee_page


def test_a_move_on_the_page(org, appraisal, login_en):
    # given
    _at(appraisal, Status.AGREED)
    # when
    response = login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/move/", {"to_status": "in_progress"}
    )
    # then
    assert (response.status_code, response["Location"]) == (302, _detail(appraisal))
    assert _state(appraisal)[0] == "in_progress"
    assert _messages(response) == ["The appraisal is now “In progress”."]


def test_a_refused_move_is_a_message_and_changes_nothing(org, appraisal, login_en):
    # given HR reopens without a reason, and the rater tries to publish
    _at(appraisal, Status.PUBLISHED)
    before = _state(appraisal)
    # when
    reopen = login_en(org.hr).post(f"/appraisal/{appraisal.pk}/move/", {"to_status": "rating"})
    publish = login_en(org.s1).post(f"/appraisal/{appraisal.pk}/move/", {"to_status": "closed"})
    # then
    assert _messages(reopen) == [
        "Give a reason to move the appraisal from “Published” to “Being rated”."
    ]
    assert publish.status_code == 302
    assert _messages(publish)[-1:] == [
        "An appraisal that is “Published” cannot be moved to “Closed”."
    ]
    assert _state(appraisal) == before


def test_the_appraisee_sees_only_the_shared_notes(org, appraisal, login_en):
    # given
    _at(appraisal, Status.IN_PROGRESS)
    process.note_add(actor=org.s1.user, appraisal=appraisal, text="公开的反馈", shared=True)
    process.note_add(actor=org.s1.user, appraisal=appraisal, text="内部记录", shared=False)
    # when
    mine = login_en(org.r1).get(_detail(appraisal)).content.decode()
    rater = login_en(org.s1).get(_detail(appraisal)).content.decode()
    # then
    assert "公开的反馈" in mine
    assert "内部记录" not in mine
    assert "内部记录" in rater
    assert "not shown to the appraisee" in rater
    assert 'name="shared"' in rater and 'type="hidden" name="shared"' not in rater
    assert 'type="hidden" name="shared"' in mine


def test_notes_written_on_the_page(org, appraisal, login_en):
    # given
    _at(appraisal, Status.IN_PROGRESS)
    # when the rater writes one not shared, and the appraisee one of their own
    login_en(org.s1).post(f"/appraisal/{appraisal.pk}/notes/", {"text": "需加强跟进"})
    login_en(org.r1).post(f"/appraisal/{appraisal.pk}/notes/", {"text": "已参加培训"})
    # then
    assert list(FeedbackNote.objects.order_by("pk").values_list("text", "shared")) == [
        ("需加强跟进", False),
        ("已参加培训", True),
    ]


def test_the_interview_recorded_and_acknowledged_on_the_page(org, appraisal, login_en):
    # given
    appraisal = _published(org, appraisal)
    assert "I acknowledge" not in login_en(org.r1).get(_detail(appraisal)).content.decode()
    # when
    login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/interview/",
        {"held_on": TODAY.isoformat(), "notes": "沟通结果与改进"},
    )
    page = login_en(org.r1).get(_detail(appraisal)).content.decode()
    response = login_en(org.r1).post(
        f"/appraisal/{appraisal.pk}/interview/acknowledge/", {"comment": "认可"}
    )
    # then
    assert "I acknowledge the result interview" in page
    assert "沟通结果与改进" in page
    assert _messages(response) == ["You acknowledged the result interview."]
    assert _state(appraisal)[0] == "interviewed"
    assert Interview.objects.get().appraisee_comment == "认可"


def test_an_interview_day_that_is_no_date_is_a_message(org, appraisal, login_en):
    # given
    appraisal = _published(org, appraisal)
    before = _state(appraisal)
    # when
    response = login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/interview/", {"held_on": "昨天", "notes": "x"}
    )
    # then
    assert _messages(response) == ["Held on: Enter a valid date."]
    assert _state(appraisal) == before


def test_an_appeal_filed_and_decided_on_the_page(org, appraisal, login_en):
    # given
    appraisal = _interviewed(org, appraisal)
    page = login_en(org.r1).get(_detail(appraisal)).content.decode()
    assert 'data-testid="appeal-form"' in page
    assert "You may appeal until" in page
    # when
    login_en(org.r1).post(f"/appraisal/{appraisal.pk}/appeal/", {"reason": "质检分有误"})
    rater_page = login_en(org.s1).get(_detail(appraisal)).content.decode()
    manager_page = login_en(org.manager).get(_detail(appraisal)).content.decode()
    response = login_en(org.manager).post(
        f"/appraisal/{appraisal.pk}/appeal/decide/",
        {"outcome": "revised", "reason": "复核后改判", "to_grade": "B", "to_total": "76"},
    )
    # then
    assert 'data-testid="decide-form"' not in rater_page
    assert 'data-testid="decide-form"' in manager_page
    assert _messages(response) == ["The appeal is decided and the appraisal is closed."]
    assert _state(appraisal)[0] == "closed"
    assert list(Snapshot.objects.order_by("version").values_list("version", "kind")) == [
        (1, "published"),
        (2, "appeal_revised"),
    ]
    page = login_en(org.r1).get(_detail(appraisal)).content.decode()
    assert 'data-testid="appeal-outcome">Revised' in page
    assert "version 2: grade B" in page


def test_an_appeal_decided_by_the_rater_on_the_page_is_refused(org, appraisal, login_en):
    # given
    appraisal = _interviewed(org, appraisal)
    process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="复核")
    before = _state(appraisal)
    # when
    response = login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/appeal/decide/", {"outcome": "upheld", "reason": "维持"}
    )
    # then
    assert _messages(response) == [
        "Only HR or the rater's manager decide an appeal, never the appraisee or the rater."
    ]
    assert _state(appraisal) == before


def test_actions_planned_closed_and_carried_on_the_page(org, appraisal, login_en):
    # given
    due = TODAY + dt.timedelta(days=10)
    # when
    login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/actions/",
        {"text": "每周复盘录音", "owner": org.r1.pk, "due_on": due.isoformat(), "kpi": ""},
    )
    login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/actions/",
        {"text": "参加话术培训", "owner": org.r1.pk, "due_on": due.isoformat(), "kpi": "csat_rate"},
    )
    done = ImprovementAction.objects.get(text="参加话术培训")
    response = login_en(org.r1).post(
        f"/appraisal/{appraisal.pk}/action/{done.pk}/", {"status": "done"}
    )
    # then
    assert _messages(response)[-1:] == ["The action is marked “Done”."]
    assert list(ImprovementAction.objects.order_by("pk").values_list("text", "status", "kpi")) == [
        ("每周复盘录音", "open", ""),
        ("参加话术培训", "done", "csat_rate"),
    ]
    # when the next quarter is opened
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    q4 = cycle.appraisals.get(employee=org.r1)
    page = login_en(org.r1).get(_detail(q4)).content.decode()
    # then
    assert "每周复盘录音" in page
    assert "carried from 2026-Q3" in page
    assert "参加话术培训" not in page


def test_an_owner_outside_the_users_reach_is_refused(org, appraisal, login_en):
    # given
    before = _state(appraisal)
    # when S1 gives R3 (team T2) an action
    response = login_en(org.s1).post(
        f"/appraisal/{appraisal.pk}/actions/",
        {"text": "x", "owner": org.r3.pk, "due_on": TODAY.isoformat()},
    )
    # then
    assert _messages(response) == [
        "Owner: Select a valid choice. That choice is not one of the available choices."
    ]
    assert _state(appraisal) == before


# --- scope: every post by someone who cannot see the appraisal -------------------------------


def _posts(appraisal, action_pk) -> list[tuple[str, dict]]:
    return [
        ("move/", {"to_status": "rating", "reason": "x"}),
        ("agree/", {}),
        ("notes/", {"text": "x"}),
        ("interview/", {"held_on": TODAY.isoformat(), "notes": "x"}),
        ("interview/acknowledge/", {"comment": "x"}),
        ("appeal/", {"reason": "x"}),
        ("appeal/decide/", {"outcome": "upheld", "reason": "x"}),
        ("actions/", {"text": "x", "owner": appraisal.employee_id, "due_on": TODAY.isoformat()}),
        (f"action/{action_pk}/", {"status": "done"}),
    ]


@pytest.mark.parametrize("who", ["r2", "r3", "s2", "staff"])
@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.IN_PROGRESS, Status.PUBLISHED, Status.APPEALED]
)
def test_every_post_out_of_scope_is_a_404_and_changes_nothing(org, appraisal, login, who, status):
    # given
    action = process.action_add(
        actor=org.s1.user, appraisal=appraisal, text="a", owner=org.r1, due_on=TODAY
    )
    _at(appraisal, status)
    before = _state(appraisal)
    client = login(getattr(org, who))
    # when
    codes = [
        client.post(f"/appraisal/{appraisal.pk}/{url}", data).status_code
        for url, data in _posts(appraisal, action.pk)
    ]
    # then
    assert codes == [404] * 9
    assert _state(appraisal) == before


def test_an_action_of_another_appraisal_is_a_404(org, appraisal, login):
    # given an action on R2's appraisal, posted under R1's
    other = appraisal.cycle.appraisals.get(employee=org.r2)
    action = process.action_add(
        actor=org.s1.user, appraisal=other, text="a", owner=org.r2, due_on=TODAY
    )
    # when
    response = login(org.s1).post(
        f"/appraisal/{appraisal.pk}/action/{action.pk}/", {"status": "done"}
    )
    # then
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_posts_need_a_login_and_post(org, appraisal, client, login):
    # when
    anonymous = client.post(f"/appraisal/{appraisal.pk}/agree/")
    get = login(org.r1).get(f"/appraisal/{appraisal.pk}/agree/")
    # then
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert get.status_code == 405
    assert appraisal.events.count() == 0


# --- to-dos ------------------------------------------------------------------------------------


def test_todos_for_the_appraisee_and_the_rater(org, appraisal):
    # given
    detail = _detail(appraisal)
    # then in draft
    assert [(t.label, t.url) for t in process_todos(org.r1.user, TODAY)] == [
        ("Confirm the targets and standards of your appraisal", detail)
    ]
    assert [(t.label, t.url) for t in process_todos(org.s1.user, TODAY)] == [
        ("Confirm the targets of 2 appraisals you rate", "/appraisal/")
    ]
    assert process_todos(org.manager.user, TODAY) == []
    # when the result is published and the interview not yet recorded
    _published(org, appraisal)
    assert process_todos(org.r1.user, TODAY) == []
    assert [(t.label, t.url) for t in process_todos(org.s1.user, TODAY)] == [
        (
            "Confirm the targets of 1 appraisal you rate",
            _detail(appraisal.cycle.appraisals.get(employee=org.r2)),
        ),
        ("Record the result interview of 1 appraisal", detail),
    ]
    # when it is recorded
    process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="x")
    assert [t.label for t in process_todos(org.r1.user, TODAY)] == [
        "Acknowledge your result interview"
    ]
    assert [t.label for t in process_todos(org.s1.user, TODAY)] == [
        "Confirm the targets of 1 appraisal you rate"
    ]


def test_the_todos_cost_one_query_whatever_the_data(org, appraisal, django_assert_num_queries):
    # given
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    user = org.s1.user
    user.employee  # noqa: B018 (the login's employee, loaded with the request in real use)
    # then
    with django_assert_num_queries(1):
        process_todos(user, TODAY)


# --- the panel's query count -------------------------------------------------------------------


def _render(user, appraisal) -> str:
    request = RequestFactory().get(_detail(appraisal))
    request.user = user
    context = {"appraisal": appraisal, **process_context(request, appraisal)}
    return render_to_string("appraisal/_process.html", context, request=request)


def _fill(org, appraisal, count: int) -> None:
    for n in range(count):
        FeedbackNote.objects.create(appraisal=appraisal, author=org.s1.user, text=f"n{n}")
        ImprovementAction.objects.create(
            appraisal=appraisal, text=f"a{n}", owner=org.r1, due_on=TODAY
        )


def test_the_panel_queries_do_not_grow_with_notes_and_actions(
    org, appraisal, django_assert_max_num_queries
):
    # given
    _at(appraisal, Status.IN_PROGRESS)
    _fill(org, appraisal, 1)
    user = org.s1.user
    user.employee  # noqa: B018
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _render(user, Appraisal.objects.get(pk=appraisal.pk))
    _fill(org, appraisal, 20)
    # then
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _render(user, Appraisal.objects.get(pk=appraisal.pk))
    assert page.count('data-testid="note"') == 21
    assert page.count('data-testid="action"') == 21
