"""Writing, submitting, returning and rating work reports: the one transition function and
its table of moves, the rating rules, bad input refused with nothing stored, and the audit
log."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.core.periods import period_parse
from telesales.people.workreports.models import WorkReport, WorkReportEvent
from telesales.people.workreports.selectors import QualityRating, quality_ratings, report_due
from telesales.people.workreports.services import (
    MOVES,
    report_moves_for,
    report_rate,
    report_save,
    report_transition,
)

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
S = WorkReport.Status
W10 = dt.date(2026, 3, 2)  # Monday of 2026-W10, due Monday 9 March 10:00
FULL = {
    "summary": "外呼2000通，成交8单。",
    "problems": "新人话术不熟。",
    "actions": "话术演练两次。",
    "plan": "下周成交10单。",
    "support": "",
}


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _state() -> tuple:
    rows = list(
        WorkReport.objects.order_by("pk").values_list(
            "status", "summary", "problems", "rating", "rating_comment", "first_submitted_at"
        )
    )
    return rows, WorkReportEvent.objects.count(), AuditEvent.objects.count()


def _submitted(org, *, at="2026-03-08T20:00", start=W10, author=None) -> WorkReport:
    author = author or org.s1
    return report_save(
        actor=author.user,
        author=author,
        kind="weekly",
        period_start=start,
        sections=FULL,
        submit=True,
        at=_at(at),
    )


# --- saving -----------------------------------------------------------------------------------


def test_the_first_save_stores_a_draft_and_later_saves_update_it(org):
    # when
    first = report_save(
        actor=org.s1.user,
        author=org.s1,
        kind="weekly",
        period_start=W10,
        sections={"summary": "  初稿  "},
        at=_at("2026-03-06T18:00"),
    )
    second = report_save(
        actor=org.s1.user,
        author=org.s1,
        kind="weekly",
        period_start=W10,
        sections={"problems": "原因"},
        at=_at("2026-03-07T18:00"),
    )
    # then
    assert first.pk == second.pk
    report = WorkReport.objects.get()
    assert (report.status, report.summary, report.problems, report.period_end) == (
        S.DRAFT,
        "初稿",
        "原因",
        dt.date(2026, 3, 8),
    )
    assert report.first_submitted_at is None
    assert list(
        AuditEvent.objects.filter(object_type="workreports.workreport")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["workreport.create", "workreport.update"]


@pytest.mark.parametrize(
    ("kind", "start", "message"),
    [
        ("weekly", dt.date(2026, 3, 3), "A weekly report starts on a Monday"),
        ("monthly", dt.date(2026, 3, 2), "A weekly report starts on a Monday"),
        ("daily", W10, "“daily” is not a kind of report."),
        ("weekly", dt.date(2026, 3, 16), "This period has not started yet"),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_stored(org, kind, start, message):
    # given
    before = _state()
    # when
    with pytest.raises(ValidationError) as error:
        report_save(
            actor=org.s1.user,
            author=org.s1,
            kind=kind,
            period_start=start,
            sections=FULL,
            at=_at("2026-03-10T09:00"),
        )
    # then
    assert error.value.messages[0].startswith(message)
    assert _state() == before


def test_nobody_writes_a_report_they_do_not_owe_or_for_someone_else(org):
    # given
    before = _state()
    # when / then: a rep owes none; S2 cannot write S1's; the manager cannot either
    with pytest.raises(ValidationError) as error:
        report_save(
            actor=org.r1.user,
            author=org.r1,
            kind="weekly",
            period_start=W10,
            sections=FULL,
            at=_at("2026-03-08T09:00"),
        )
    assert error.value.messages == [
        "张一 owes no report for 2026-W10: they did not lead a team at the end of it."
    ]
    for actor in (org.s2.user, org.manager.user, org.hr.user):
        with pytest.raises(PermissionDenied):
            report_save(actor=actor, author=org.s1, kind="weekly", period_start=W10, sections=FULL)
    assert _state() == before


def test_submitting_with_empty_required_sections_stores_nothing(org):
    # given
    before = _state()
    # when
    with pytest.raises(ValidationError) as error:
        report_save(
            actor=org.s1.user,
            author=org.s1,
            kind="weekly",
            period_start=W10,
            sections={**FULL, "problems": "  ", "plan": ""},
            submit=True,
            at=_at("2026-03-08T20:00"),
        )
    # then: the draft is not kept either; "support needed" may stay empty
    assert error.value.messages == [
        "Fill in these sections before submitting: Problems and causes, Plan for the next period."
    ]
    assert _state() == before


def test_a_submitted_report_cannot_be_edited(org):
    # given
    _submitted(org)
    before = _state()
    # when
    with pytest.raises(ValidationError) as error:
        report_save(
            actor=org.s1.user,
            author=org.s1,
            kind="weekly",
            period_start=W10,
            sections={"summary": "改过的"},
            at=_at("2026-03-09T09:00"),
        )
    # then
    assert error.value.messages[0].startswith("This report has been submitted")
    assert _state() == before


# --- the moves --------------------------------------------------------------------------------


def test_the_table_of_moves():
    assert set(MOVES) == {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
    }


def test_submit_return_and_submit_again_keeps_the_first_submission(org):
    # given: submitted on time, returned by the manager after the due time
    report = _submitted(org, at="2026-03-08T20:00")
    report = report_transition(
        actor=org.manager.user,
        report=report,
        to_status=S.RETURNED,
        reason="请补充原因分析",
        at=_at("2026-03-10T09:00"),
    )
    # when: revised and submitted again after the due time
    report_save(
        actor=org.s1.user,
        author=org.s1,
        kind="weekly",
        period_start=W10,
        sections={"problems": "新人话术不熟，接通后30秒内挂断占40%。"},
        at=_at("2026-03-10T15:00"),
    )
    report = report_transition(
        actor=org.s1.user, report=report, to_status=S.SUBMITTED, at=_at("2026-03-10T16:00")
    )
    # then
    report.refresh_from_db()
    assert report.status == S.SUBMITTED
    assert report.first_submitted_at == _at("2026-03-08T20:00")
    assert report.submitted_at == _at("2026-03-10T16:00")
    assert report.return_reason == "请补充原因分析"
    assert report_due(report).on_time is True
    assert list(report.events.values_list("kind", "note")) == [
        ("submitted", ""),
        ("returned", "请补充原因分析"),
        ("submitted", ""),
    ]


@pytest.mark.parametrize(
    ("setup", "actor", "to", "expected"),
    [
        # the author cannot return their own report; the manager cannot submit it
        ("submitted", "s1", S.RETURNED, PermissionDenied),
        ("draft", "manager", S.SUBMITTED, PermissionDenied),
        # S2 and reps never touch S1's report
        ("submitted", "s2", S.RETURNED, PermissionDenied),
        ("submitted", "r1", S.RETURNED, PermissionDenied),
        ("submitted", "staff", S.RETURNED, PermissionDenied),
        # moves outside the table
        ("draft", "s1", S.RETURNED, ValidationError),
        ("submitted", "s1", S.SUBMITTED, ValidationError),
        ("submitted", "manager", S.DRAFT, ValidationError),
        ("returned", "manager", S.RETURNED, ValidationError),
    ],
)
def test_refused_moves_change_nothing(org, setup, actor, to, expected):
    # given
    if setup == "draft":
        report = report_save(
            actor=org.s1.user,
            author=org.s1,
            kind="weekly",
            period_start=W10,
            sections=FULL,
            at=_at("2026-03-08T20:00"),
        )
    else:
        report = _submitted(org)
    if setup == "returned":
        report = report_transition(
            actor=org.hr.user, report=report, to_status=S.RETURNED, reason="请修改"
        )
    before = _state()
    # when / then
    with pytest.raises(expected):
        report_transition(
            actor=getattr(org, actor).user, report=report, to_status=to, reason="理由"
        )
    assert _state() == before


def test_a_return_needs_a_reason(org):
    # given
    report = _submitted(org)
    before = _state()
    # when
    with pytest.raises(ValidationError) as error:
        report_transition(actor=org.manager.user, report=report, to_status=S.RETURNED, reason=" ")
    # then
    assert error.value.messages == ["Say why the report is returned, so its author can revise it."]
    assert _state() == before


def test_the_moves_offered_to_each_user(org):
    # given
    report = _submitted(org)
    # then
    assert [to for to, _m in report_moves_for(org.manager.user, report)] == [S.RETURNED]
    assert [to for to, _m in report_moves_for(org.hr.user, report)] == [S.RETURNED]
    assert report_moves_for(org.s1.user, report) == []
    assert report_moves_for(org.s2.user, report) == []


# --- rating -----------------------------------------------------------------------------------


def test_the_manager_rates_and_a_rerating_keeps_the_earlier_one_in_the_audit_log(org):
    # given
    report = _submitted(org)
    # when
    report_rate(
        actor=org.manager.user,
        report=report,
        rating=3,
        comment="原因分析偏笼统",
        at=_at("2026-03-10T10:00"),
    )
    report = report_rate(
        actor=org.manager.user,
        report=report,
        rating=4,
        comment="补充后完整",
        at=_at("2026-03-11T10:00"),
    )
    # then
    report.refresh_from_db()
    assert (report.rating, report.rating_comment, report.rater, report.rated_at) == (
        4,
        "补充后完整",
        org.manager,
        _at("2026-03-11T10:00"),
    )
    audit = list(
        AuditEvent.objects.filter(action="workreport.rate")
        .order_by("pk")
        .values_list("before", "after")
    )
    assert [(before["rating"], after["rating"]) for before, after in audit] == [(None, 3), (3, 4)]
    assert list(report.events.filter(kind="rated").values_list("rating", flat=True)) == [3, 4]
    assert quality_ratings(author_ids=[org.s1.pk], period=period_parse("2026-03")) == [
        QualityRating(
            org.s1.pk, org.manager.pk, 4, "补充后完整", _at("2026-03-11T10:00"), report.pk
        )
    ]


def test_hr_and_administrators_may_rate_too(org):
    report = _submitted(org)
    assert report_rate(actor=org.hr.user, report=report, rating=5).rater == org.hr
    assert report_rate(actor=org.admin.user, report=report, rating=2).rater == org.admin


@pytest.mark.parametrize("rating", [0, 6, -1, 3.5, "4", True, None])
def test_a_rating_outside_1_to_5_is_refused(org, rating):
    # given
    report = _submitted(org)
    before = _state()
    # when
    with pytest.raises(ValidationError) as error:
        report_rate(actor=org.manager.user, report=report, rating=rating)
    # then
    assert error.value.messages == ["A quality rating is a whole number from 1 to 5."]
    assert _state() == before


@pytest.mark.parametrize("who", ["s1", "s2", "r1", "staff"])
def test_only_the_superior_hr_or_admin_rates(org, who):
    # given
    report = _submitted(org)
    before = _state()
    # when / then
    with pytest.raises(PermissionDenied):
        report_rate(actor=getattr(org, who).user, report=report, rating=4)
    assert _state() == before


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_only_a_submitted_report_is_rated(org, status):
    # given
    if status == "draft":
        report = report_save(
            actor=org.s1.user, author=org.s1, kind="weekly", period_start=W10, sections=FULL
        )
        rater = org.hr.user  # the manager does not even see a draft
    else:
        report = report_transition(
            actor=org.manager.user, report=_submitted(org), to_status=S.RETURNED, reason="改"
        )
        rater = org.manager.user
    before = _state()
    # when / then
    with pytest.raises((ValidationError, PermissionDenied)) as error:
        report_rate(actor=rater, report=report, rating=4)
    if status == "returned":
        assert error.value.messages == ["Only a submitted report can be rated."]
    assert _state() == before


def test_a_draft_is_the_authors_alone(org):
    # given
    from telesales.people.workreports.access import reports_visible_to

    report_save(actor=org.s1.user, author=org.s1, kind="weekly", period_start=W10, sections=FULL)
    # then
    assert reports_visible_to(org.s1.user).count() == 1
    for who in ("manager", "hr", "admin", "s2", "r1", "staff"):
        assert reports_visible_to(getattr(org, who).user).count() == 0, who
