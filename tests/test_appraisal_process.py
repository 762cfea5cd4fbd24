"""The appraisal process services (PRODUCT.md §6.6, source §3.4): the target agreement of both
sides, feedback notes and who reads them, the result interview and its acknowledgement, the
appeal and its decision (every version kept), the improvement plan and its carry-over into the
next cycle. Every refusal names its reason and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
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
    """Put the appraisal in a status for a test of the next step (a fixture shortcut)."""
    Appraisal.objects.filter(pk=appraisal.pk).update(status=status)
    appraisal.refresh_from_db()
    return appraisal


def _published(org, appraisal: Appraisal) -> Appraisal:
    """Through the real moves up to a published result (snapshot version 1)."""
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
        appraisal.appraisee_agreed_at is not None,
        appraisal.rater_agreed_at is not None,
        AppraisalEvent.objects.filter(appraisal=appraisal).count(),
        FeedbackNote.objects.count(),
        Interview.objects.count(),
        Appeal.objects.count(),
        Snapshot.objects.count(),
        ImprovementAction.objects.filter(source="manual").count(),
        AuditEvent.objects.count(),
    )


def _message(raised) -> str:
    value = raised.value
    return " ".join(value.messages) if isinstance(value, ValidationError) else str(value)


# --- the target agreement ----------------------------------------------------------------------


def test_the_second_confirmation_agrees_the_appraisal(org, appraisal):
    # when the appraisee confirms first
    appraisal = process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    # then it stays a draft
    assert (appraisal.status, appraisal.rater_agreed_at) == ("draft", None)
    assert appraisal.appraisee_agreed_at is not None
    # when the rater confirms too
    appraisal = process.agreement_confirm(actor=org.s1.user, appraisal=appraisal)
    # then it is agreed, by one event made by the rater
    assert (appraisal.status, appraisal.version) == ("agreed", 2)
    assert appraisal.rater_agreed_at is not None
    event = AppraisalEvent.objects.get(appraisal=appraisal)
    assert (event.from_status, event.to_status, event.actor) == ("draft", "agreed", org.s1.user)
    assert AuditEvent.objects.filter(action="appraisal.agree").count() == 2


def test_the_rater_may_confirm_first(org, appraisal):
    # when
    process.agreement_confirm(actor=org.s1.user, appraisal=appraisal)
    appraisal = process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    # then
    assert appraisal.status == "agreed"
    assert AppraisalEvent.objects.get(appraisal=appraisal).actor == org.r1.user


@pytest.mark.parametrize("who", ["r2", "manager", "hr", "staff", "s2"])
def test_only_the_appraisee_and_the_rater_confirm(org, appraisal, who):
    # given
    before = _state(appraisal)
    # when
    with pytest.raises(PermissionDenied) as raised:
        process.agreement_confirm(actor=getattr(org, who).user, appraisal=appraisal)
    # then
    assert _message(raised) == "Only the appraisee and the rater confirm the targets and standards."
    assert _state(appraisal) == before


def test_hr_confirms_for_the_rater_when_there_is_none(org, appraisal):
    # given
    Appraisal.objects.filter(pk=appraisal.pk).update(rater=None)
    appraisal.refresh_from_db()
    # when
    process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    appraisal = process.agreement_confirm(actor=org.hr.user, appraisal=appraisal)
    # then
    assert appraisal.status == "agreed"


def test_confirming_twice_or_outside_the_draft_is_refused(org, appraisal):
    # given
    process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    before = _state(appraisal)
    # when / then: twice
    with pytest.raises(ValidationError) as raised:
        process.agreement_confirm(actor=org.r1.user, appraisal=appraisal)
    assert _message(raised).startswith("You confirmed the targets and standards already, on ")
    assert _state(appraisal) == before
    # when / then: outside the draft
    _at(appraisal, Status.IN_PROGRESS)
    before = _state(appraisal)
    with pytest.raises(ValidationError) as raised:
        process.agreement_confirm(actor=org.s1.user, appraisal=appraisal)
    assert _message(raised) == (
        "Targets and standards are confirmed while the appraisal is a draft; it is "
        "“In progress” now."
    )
    assert _state(appraisal) == before


# --- the generic move --------------------------------------------------------------------------


def test_the_generic_move_makes_the_plain_moves(org, appraisal):
    # given
    _at(appraisal, Status.AGREED)
    # when
    moved = process.appraisal_move(actor=org.s1.user, appraisal=appraisal, to_status="in_progress")
    # then
    assert (moved.status, moved.version) == ("in_progress", 2)


@pytest.mark.parametrize(
    ("from_status", "to_status", "who"),
    [
        ("draft", "agreed", "s1"),
        ("published", "interviewed", "r1"),
        ("interviewed", "appealed", "r1"),
        ("appealed", "closed", "hr"),
    ],
)
def test_the_generic_move_refuses_the_moves_of_their_own_service(
    org, appraisal, from_status, to_status, who
):
    # given
    _at(appraisal, from_status)
    before = _state(appraisal)
    # when
    with pytest.raises(ValidationError) as raised:
        process.appraisal_move(
            actor=getattr(org, who).user, appraisal=appraisal, to_status=to_status, reason="x"
        )
    # then
    assert _message(raised).endswith("is made with its own form on the page.")
    assert _state(appraisal) == before


def test_the_moves_offered_leave_out_those_of_their_own_service(org, appraisal):
    _at(appraisal, Status.INTERVIEWED)
    assert process.generic_moves_for(org.s1.user, appraisal) == ["closed"]
    assert process.generic_moves_for(org.r1.user, appraisal) == []
    assert process.generic_moves_for(org.hr.user, appraisal) == ["closed", "rating"]


# --- feedback notes ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["s1", "manager", "hr"])
def test_the_rater_the_line_and_hr_write_notes_shared_or_not(org, appraisal, who):
    # given
    _at(appraisal, Status.IN_PROGRESS)
    # when
    note = process.note_add(
        actor=getattr(org, who).user, appraisal=appraisal, text=" 跟进及时 ", shared=False
    )
    # then
    assert (note.text, note.shared, note.author) == ("跟进及时", False, getattr(org, who).user)
    assert AuditEvent.objects.filter(action="appraisal.note_add").count() == 1


def test_the_appraisees_own_notes_are_always_shared(org, appraisal):
    # given
    _at(appraisal, Status.RATING)
    # when
    note = process.note_add(
        actor=org.r1.user, appraisal=appraisal, text="本月完成培训", shared=False
    )
    # then
    assert note.shared is True


def test_the_appraisee_reads_only_the_shared_notes(org, appraisal):
    # given
    _at(appraisal, Status.IN_PROGRESS)
    process.note_add(actor=org.s1.user, appraisal=appraisal, text="公开", shared=True)
    process.note_add(actor=org.s1.user, appraisal=appraisal, text="内部", shared=False)
    process.note_add(actor=org.r1.user, appraisal=appraisal, text="自述")
    # then
    assert [n.text for n in process.notes_visible(org.r1.user, appraisal)] == ["自述", "公开"]
    assert [n.text for n in process.notes_visible(org.s1.user, appraisal)] == [
        "自述",
        "内部",
        "公开",
    ]
    assert len(process.notes_visible(org.hr.user, appraisal)) == 3


@pytest.mark.parametrize(
    ("status", "who", "text", "error", "message"),
    [
        (
            "in_progress",
            "r2",
            "x",
            PermissionDenied,
            "You may not write feedback notes on this appraisal.",
        ),
        (
            "in_progress",
            "s2",
            "x",
            PermissionDenied,
            "You may not write feedback notes on this appraisal.",
        ),
        (
            "in_progress",
            "staff",
            "x",
            PermissionDenied,
            "You may not write feedback notes on this appraisal.",
        ),
        ("in_progress", "s1", "  ", ValidationError, "Write the note first."),
        (
            "published",
            "s1",
            "x",
            ValidationError,
            "Feedback notes are written while the appraisal is in progress or being rated; "
            "it is “Published” now.",
        ),
        (
            "draft",
            "r1",
            "x",
            ValidationError,
            "Feedback notes are written while the appraisal is in progress or being rated; "
            "it is “Draft” now.",
        ),
    ],
)
def test_a_note_by_the_wrong_person_empty_or_out_of_time_is_refused(
    org, appraisal, status, who, text, error, message
):
    # given
    _at(appraisal, status)
    before = _state(appraisal)
    # when
    with pytest.raises(error) as raised:
        process.note_add(actor=getattr(org, who).user, appraisal=appraisal, text=text)
    # then
    assert _message(raised) == message
    assert _state(appraisal) == before


# --- the result interview ----------------------------------------------------------------------


def test_the_interview_recorded_then_acknowledged_makes_the_appraisal_interviewed(org, appraisal):
    # given
    appraisal = _published(org, appraisal)
    # when
    interview = process.interview_record(
        actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes=" 结果沟通 "
    )
    # then
    assert (interview.held_on, interview.notes, interview.recorded_by) == (
        TODAY,
        "结果沟通",
        org.s1.user,
    )
    # when
    appraisal = process.interview_acknowledge(
        actor=org.r1.user, appraisal=appraisal, comment="认可"
    )
    # then
    interview.refresh_from_db()
    assert interview.acknowledged_at is not None
    assert interview.appraisee_comment == "认可"
    assert appraisal.status == "interviewed"
    assert AuditEvent.objects.filter(action__startswith="appraisal.interview_").count() == 2


def test_hr_records_the_interview_and_may_record_it_again(org, appraisal):
    # given
    appraisal = _published(org, appraisal)
    process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="一")
    # when
    process.interview_record(actor=org.hr.user, appraisal=appraisal, held_on=TODAY, notes="二")
    # then
    assert list(Interview.objects.values_list("notes", "recorded_by")) == [("二", org.hr.user.pk)]


@pytest.mark.parametrize(
    ("who", "held_on", "notes", "error", "message"),
    [
        ("r1", TODAY, "x", PermissionDenied, "Only the rater or HR record the result interview."),
        (
            "manager",
            TODAY,
            "x",
            PermissionDenied,
            "Only the rater or HR record the result interview.",
        ),
        ("s1", TODAY, " ", ValidationError, "Write what was said in the interview."),
        ("s1", None, "x", ValidationError, "Give the day the interview was held."),
        (
            "s1",
            TODAY + dt.timedelta(days=1),
            "x",
            ValidationError,
            f"The interview cannot have been held in the future ({TODAY + dt.timedelta(days=1)}).",
        ),
        (
            "s1",
            TODAY - dt.timedelta(days=1),
            "x",
            ValidationError,
            f"The interview was held on {TODAY - dt.timedelta(days=1)}, before the result was "
            f"published on {TODAY}.",
        ),
    ],
)
def test_a_wrong_interview_record_is_refused(org, appraisal, who, held_on, notes, error, message):
    # given
    appraisal = _published(org, appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(error) as raised:
        process.interview_record(
            actor=getattr(org, who).user, appraisal=appraisal, held_on=held_on, notes=notes
        )
    # then
    assert _message(raised) == message
    assert _state(appraisal) == before


def test_the_interview_is_recorded_only_once_published(org, appraisal):
    # given
    _at(appraisal, Status.RATING)
    # when
    with pytest.raises(ValidationError) as raised:
        process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="x")
    # then
    assert _message(raised) == (
        "The result interview is recorded once the result is published; the appraisal is "
        "“Being rated” now."
    )
    assert Interview.objects.count() == 0


def test_acknowledging_needs_a_recorded_interview_and_the_appraisee(org, appraisal):
    # given
    appraisal = _published(org, appraisal)
    before = _state(appraisal)
    # when / then: nothing recorded
    with pytest.raises(ValidationError) as raised:
        process.interview_acknowledge(actor=org.r1.user, appraisal=appraisal)
    assert _message(raised) == (
        "The result interview has not been recorded yet; acknowledge it once it has."
    )
    assert _state(appraisal) == before
    # when / then: somebody else
    process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="x")
    before = _state(appraisal)
    for who in (org.s1, org.hr):
        with pytest.raises(PermissionDenied):
            process.interview_acknowledge(actor=who.user, appraisal=appraisal)
    assert _state(appraisal) == before


# --- the appeal --------------------------------------------------------------------------------


def test_an_appeal_keeps_the_result_appealed_and_moves_the_appraisal(org, appraisal):
    # given
    appraisal = _interviewed(org, appraisal)
    # when
    appeal = process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason=" 质检分有误 ")
    # then
    appraisal.refresh_from_db()
    assert appraisal.status == "appealed"
    assert (appeal.reason, appeal.filed_by, appeal.outcome) == ("质检分有误", org.r1.user, "")
    assert appeal.snapshot_before == Snapshot.objects.get(appraisal=appraisal, version=1)


@pytest.mark.parametrize(("days", "allowed"), [(6, True), (8, False)])
def test_an_appeal_after_the_window_is_refused(org, appraisal, days, allowed):
    # given the interview acknowledged `days` days ago
    appraisal = _interviewed(org, appraisal)
    event = AppraisalEvent.objects.get(appraisal=appraisal, to_status="interviewed")
    AppraisalEvent.objects.filter(pk=event.pk).update(at=event.at - dt.timedelta(days=days))
    before = _state(appraisal)
    # when
    if allowed:
        process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="复核")
        assert Appeal.objects.count() == 1
        return
    with pytest.raises(ValidationError) as raised:
        process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="复核")
    # then
    assert _message(raised) == (
        "The appeal window of 7 days after the interview has passed; the appraisal stays "
        "“Interviewed” and cannot be moved to “Appealed”."
    )
    assert _state(appraisal) == before


@pytest.mark.parametrize(
    ("who", "reason", "error", "message"),
    [
        ("s1", "x", PermissionDenied, "Only the appraisee may appeal their result."),
        ("hr", "x", PermissionDenied, "Only the appraisee may appeal their result."),
        (
            "r1",
            " ",
            ValidationError,
            "Give a reason to move the appraisal from “Interviewed” to “Appealed”.",
        ),
    ],
)
def test_an_appeal_by_another_or_without_grounds_is_refused(
    org, appraisal, who, reason, error, message
):
    # given
    appraisal = _interviewed(org, appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(error) as raised:
        process.appeal_file(actor=getattr(org, who).user, appraisal=appraisal, reason=reason)
    # then
    assert _message(raised) == message
    assert _state(appraisal) == before


def test_an_appeal_in_the_wrong_status_is_refused(org, appraisal):
    # given
    appraisal = _published(org, appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(ValidationError) as raised:
        process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="复核")
    # then
    assert _message(raised) == "An appraisal that is “Published” cannot be moved to “Appealed”."
    assert _state(appraisal) == before


def _appealed(org, appraisal) -> Appeal:
    appraisal = _interviewed(org, appraisal)
    return process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="质检分有误")


def test_a_revised_appeal_keeps_every_version(org, appraisal):
    # given
    appeal = _appealed(org, appraisal)
    first = Snapshot.objects.get(appraisal=appraisal, version=1)
    first_data = dict(first.data)
    # when
    appeal = process.appeal_decide(
        actor=org.manager.user,
        appeal=appeal,
        outcome="revised",
        reason="复核后改判",
        to_grade="a",
        to_total="86.5",
    )
    # then
    appraisal.refresh_from_db()
    assert appraisal.status == "closed"
    versions = list(
        Snapshot.objects.filter(appraisal=appraisal)
        .order_by("version")
        .values_list("version", "kind", "grade", "total")
    )
    assert versions[0] == (1, "published", first.grade, first.total)
    assert versions[1] == (2, "appeal_revised", "A", Decimal("86.50"))
    first.refresh_from_db()
    assert first.data == first_data
    second = Snapshot.objects.get(appraisal=appraisal, version=2)
    assert (second.data["grade"], second.data["total"]) == ("A", 86.5)
    assert second.data["kpis"] == first_data["kpis"]
    entry = second.data["appeal"]
    assert (entry["outcome"], entry["grounds"], entry["reason"]) == (
        "revised",
        "质检分有误",
        "复核后改判",
    )
    assert (entry["from_grade"], entry["from_total"]) == (first_data["grade"], first_data["total"])
    assert (entry["to_grade"], entry["to_total"], entry["snapshot_before"]) == ("A", 86.5, 1)
    assert (appeal.outcome, appeal.decided_by, appeal.decision_reason) == (
        "revised",
        org.manager.user,
        "复核后改判",
    )
    assert (appeal.snapshot_before.version, appeal.snapshot_after.version) == (1, 2)
    assert AuditEvent.objects.filter(action="appraisal.appeal_decide").count() == 1


def test_a_revision_without_a_total_keeps_the_total(org, appraisal):
    # given
    appeal = _appealed(org, appraisal)
    first = Snapshot.objects.get(appraisal=appraisal, version=1)
    # when
    process.appeal_decide(
        actor=org.hr.user, appeal=appeal, outcome="revised", reason="改判", to_grade="D"
    )
    # then
    second = Snapshot.objects.get(appraisal=appraisal, version=2)
    assert (second.grade, second.total) == ("D", first.total)


def test_an_upheld_appeal_is_a_new_version_with_the_same_result(org, appraisal):
    # given
    appeal = _appealed(org, appraisal)
    first = Snapshot.objects.get(appraisal=appraisal, version=1)
    # when
    appeal = process.appeal_decide(
        actor=org.admin.user, appeal=appeal, outcome="upheld", reason="维持原结果"
    )
    # then
    second = appeal.snapshot_after
    assert (second.version, second.kind, second.grade, second.total) == (
        2,
        "appeal_upheld",
        first.grade,
        first.total,
    )
    assert {k: v for k, v in second.data.items() if k != "appeal"} == first.data
    assert second.data["appeal"]["outcome"] == "upheld"


@pytest.mark.parametrize(("who"), ["s1", "r1", "staff", "s2"])
def test_an_appeal_decided_by_the_rater_the_appraisee_or_others_is_refused(org, appraisal, who):
    # given
    appeal = _appealed(org, appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(PermissionDenied) as raised:
        process.appeal_decide(
            actor=getattr(org, who).user, appeal=appeal, outcome="upheld", reason="维持"
        )
    # then
    assert _message(raised) == (
        "Only HR or the rater's manager decide an appeal, never the appraisee or the rater."
    )
    assert _state(appraisal) == before


@pytest.mark.parametrize(
    ("outcome", "reason", "grade", "total", "message"),
    [
        ("maybe", "x", None, None, "Decide the appeal: upheld or revised."),
        (
            "upheld",
            " ",
            None,
            None,
            "Give a reason to move the appraisal from “Appealed” to “Closed”.",
        ),
        ("revised", "x", None, None, "A revised result needs its new grade."),
        (
            "revised",
            "x",
            "E",
            None,
            "“E” is not a grade of this scheme; give one of S, A, B, C, D.",
        ),
        ("revised", "x", "A", "120.01", "The total is a number from 0 to 120."),
        ("revised", "x", "A", "-1", "The total is a number from 0 to 120."),
        ("revised", "x", "A", "85.123", "The total has at most 2 decimals."),
        ("revised", "x", "A", "abc", "The total “abc” is not a number."),
        (
            "upheld",
            "x",
            "A",
            None,
            "An upheld appeal keeps the result; leave the new grade and total empty.",
        ),
    ],
)
def test_a_wrong_decision_is_refused_and_changes_nothing(
    org, appraisal, outcome, reason, grade, total, message
):
    # given
    appeal = _appealed(org, appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(ValidationError) as raised:
        process.appeal_decide(
            actor=org.hr.user,
            appeal=appeal,
            outcome=outcome,
            reason=reason,
            to_grade=grade,
            to_total=total,
        )
    # then
    assert _message(raised) == message
    assert _state(appraisal) == before
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.snapshot_after) == ("", None)


def test_a_second_appeal_on_the_same_appraisal_is_refused(org, appraisal):
    # given the first appeal decided, then HR reopened, republished, and R1 interviewed again
    appeal = _appealed(org, appraisal)
    process.appeal_decide(actor=org.hr.user, appeal=appeal, outcome="upheld", reason="维持")
    appraisal = appraisal_transition(
        actor=org.hr.user, appraisal=appraisal, to_status="rating", reason="数据更正"
    )
    appraisal = appraisal_transition(actor=org.hr.user, appraisal=appraisal, to_status="published")
    process.interview_record(actor=org.s1.user, appraisal=appraisal, held_on=TODAY, notes="再谈")
    appraisal = process.interview_acknowledge(actor=org.r1.user, appraisal=appraisal)
    before = _state(appraisal)
    # when
    with pytest.raises(ValidationError) as raised:
        process.appeal_file(actor=org.r1.user, appraisal=appraisal, reason="再次申诉")
    # then
    assert _message(raised) == "This result has been appealed already; a result is appealed once."
    assert _state(appraisal) == before


# --- the improvement plan ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["s1", "manager", "hr"])
def test_the_rater_the_line_and_hr_plan_actions(org, appraisal, who):
    # when
    action = process.action_add(
        actor=getattr(org, who).user,
        appraisal=appraisal,
        text=" 每周复盘通话录音 ",
        owner=org.r1,
        due_on=TODAY + dt.timedelta(days=14),
        kpi="call_volume_attainment",
    )
    # then
    assert (action.text, action.owner, action.status, action.kpi, action.source) == (
        "每周复盘通话录音",
        org.r1,
        "open",
        "call_volume_attainment",
        "manual",
    )
    assert AuditEvent.objects.filter(action="appraisal.action_add").count() == 1


@pytest.mark.parametrize(
    ("who", "text", "owner", "days", "kpi", "error", "message"),
    [
        (
            "r1",
            "x",
            "r1",
            1,
            "",
            PermissionDenied,
            "Only the rater, their line and HR plan improvement actions.",
        ),
        (
            "s2",
            "x",
            "r1",
            1,
            "",
            PermissionDenied,
            "Only the rater, their line and HR plan improvement actions.",
        ),
        ("s1", " ", "r1", 1, "", ValidationError, "Say what is to be done."),
        ("s1", "x", None, 1, "", ValidationError, "Name who owns the action."),
        ("s1", "x", "r1", None, "", ValidationError, "Give the day the action is due."),
        (
            "s1",
            "x",
            "r1",
            -1,
            "",
            ValidationError,
            f"The due date {TODAY - dt.timedelta(days=1)} is in the past.",
        ),
        (
            "s1",
            "x",
            "r1",
            1,
            "team_attainment",
            ValidationError,
            "“team_attainment” is not a KPI of this appraisal's scheme.",
        ),
    ],
)
def test_a_wrong_action_is_refused(org, appraisal, who, text, owner, days, kpi, error, message):
    # given
    before = _state(appraisal)
    # when
    with pytest.raises(error) as raised:
        process.action_add(
            actor=getattr(org, who).user,
            appraisal=appraisal,
            text=text,
            owner=getattr(org, owner) if owner else None,
            due_on=None if days is None else TODAY + dt.timedelta(days=days),
            kpi=kpi,
        )
    # then
    assert _message(raised) == message
    assert _state(appraisal) == before


def _action(org, appraisal, *, owner=None, text="复盘录音") -> ImprovementAction:
    return process.action_add(
        actor=org.s1.user,
        appraisal=appraisal,
        text=text,
        owner=owner or org.r1,
        due_on=TODAY + dt.timedelta(days=7),
    )


@pytest.mark.parametrize(("who", "status"), [("r1", "done"), ("s1", "dropped"), ("hr", "done")])
def test_the_owner_the_rater_or_hr_close_an_action(org, appraisal, who, status):
    # given
    action = _action(org, appraisal)
    # when
    action = process.action_update(actor=getattr(org, who).user, action=action, status=status)
    # then
    assert action.status == status
    assert (action.done_at is not None) == (status == "done")
    assert AuditEvent.objects.filter(action="appraisal.action_update").count() == 1


def test_closing_an_action_wrongly_is_refused(org, appraisal):
    # given
    action = _action(org, appraisal)
    # when / then: not owner, rater nor HR
    for who in (org.r2, org.manager, org.staff):
        with pytest.raises(PermissionDenied):
            process.action_update(actor=who.user, action=action, status="done")
    # when / then: a status that is no closing
    with pytest.raises(ValidationError) as raised:
        process.action_update(actor=org.s1.user, action=action, status="open")
    assert _message(raised) == "An improvement action is closed as done or dropped."
    # when / then: closed already
    process.action_update(actor=org.s1.user, action=action, status="dropped")
    with pytest.raises(ValidationError) as raised:
        process.action_update(actor=org.s1.user, action=action, status="done")
    assert _message(raised) == "This action is “Dropped” already; only an open action changes."
    action.refresh_from_db()
    assert action.status == "dropped"


def test_open_actions_are_carried_into_the_next_cycle_once(org, appraisal):
    # given Q3 actions: two open, one done
    first = _action(org, appraisal, text="复盘录音")
    second = _action(org, appraisal, owner=org.s1, text="每周陪访")
    done = _action(org, appraisal, text="完成培训")
    process.action_update(actor=org.s1.user, action=done, status="done")
    # when Q4 is opened
    cycle, created = appraisal_open(
        actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4"
    )
    # then R1's Q4 appraisal has copies of the open two, marked carried from the Q3 ones
    q4 = cycle.appraisals.get(employee=org.r1)
    carried = list(q4.actions.order_by("pk").values_list("text", "owner", "status", "carried_from"))
    assert carried == [
        ("复盘录音", org.r1.pk, "open", first.pk),
        ("每周陪访", org.s1.pk, "open", second.pk),
    ]
    # the old ones stay as they were
    assert list(appraisal.actions.order_by("pk").values_list("status", flat=True)) == [
        "open",
        "open",
        "done",
    ]
    assert cycle.appraisals.get(employee=org.r2).actions.count() == 0
    audit = AuditEvent.objects.get(action="appraisal.actions_carry")
    assert audit.after == {"carried": [[first.pk, q4.pk], [second.pk, q4.pk]]}
    # when opened again
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    # then nothing more is carried
    assert ImprovementAction.objects.filter(carried_from__isnull=False).count() == 2
    # when the Q4 appraisal is deleted (its copies with it) and the cycle opened again
    Appraisal.objects.filter(pk=q4.pk).delete()
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    # then the open Q3 actions are carried into the new Q4 appraisal
    assert ImprovementAction.objects.filter(carried_from__isnull=False).count() == 2


def test_opening_again_carries_nothing_twice(org, appraisal):
    # given
    _action(org, appraisal)
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    # when opened again, and a monthly cycle after Q3 opened too
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-10")
    # then the Q3 action was carried once
    assert ImprovementAction.objects.filter(carried_from__isnull=False).count() == 1


def test_carry_takes_the_latest_earlier_appraisal_only(org, appraisal):
    # given an open action in Q2 and another in Q3 (the latest before Q4)
    cycle_q2, _ = appraisal_open(
        actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q2"
    )
    q2 = cycle_q2.appraisals.get(employee=org.r1)
    process.action_add(actor=org.s1.user, appraisal=q2, text="Q2", owner=org.r1, due_on=TODAY)
    q3_action = _action(org, appraisal, text="Q3")
    # when
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q4")
    # then
    q4 = cycle.appraisals.get(employee=org.r1)
    assert list(q4.actions.values_list("text", "carried_from")) == [("Q3", q3_action.pk)]


def test_a_cycle_that_does_not_end_before_carries_nothing(org, appraisal):
    # given a Q3 action, and the year 2026 opened (it does not start after Q3)
    _action(org, appraisal)
    # when
    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026")
    # then
    assert ImprovementAction.objects.filter(carried_from__isnull=False).count() == 0
