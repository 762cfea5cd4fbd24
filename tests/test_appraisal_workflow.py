"""The workflow of one appraisal (PRODUCT.md §6.6): every move of the table made by who may
make it, moves outside the table or by the wrong person refused and changing nothing, the
appeal window, an appeal never decided by the appraisee or the rater, and every move kept as
an event and an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Appraisal, AppraisalEvent
from telesales.appraisal.workflow import (
    APPEAL_WINDOW_DAYS,
    MOVES,
    Status,
    appraisal_moves_for,
    appraisal_transition,
)
from telesales.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def appraisal(org) -> Appraisal:
    """R1's Q3 appraisal on the default rep scheme, rated by S1 (whose manager is M1)."""
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="2026-Q3")
    return cycle.appraisals.get(employee=org.r1)


def _at(appraisal: Appraisal, status: str) -> Appraisal:
    """Put the appraisal in a status for a test of the next move (a fixture shortcut); both
    sides have confirmed the targets."""
    now = timezone.now()
    Appraisal.objects.filter(pk=appraisal.pk).update(
        status=status, appraisee_agreed_at=now, rater_agreed_at=now
    )
    appraisal.refresh_from_db()
    return appraisal


def _state(appraisal: Appraisal) -> tuple:
    appraisal.refresh_from_db()
    return (
        appraisal.status,
        appraisal.version,
        AppraisalEvent.objects.count(),
        AuditEvent.objects.filter(action="appraisal.transition").count(),
    )


# The person who may make each move of the table on R1's appraisal, and its reason.
ALLOWED = {
    ("draft", "agreed"): ("s1", ""),
    ("agreed", "in_progress"): ("s1", ""),
    ("in_progress", "rating"): ("hr", ""),
    ("rating", "calibration"): ("hr", ""),
    ("rating", "published"): ("admin", ""),
    ("calibration", "published"): ("hr", ""),
    ("published", "interviewed"): ("r1", ""),
    ("interviewed", "appealed"): ("r1", "目标设定不合理"),
    ("interviewed", "closed"): ("s1", ""),
    ("appealed", "closed"): ("manager", "维持原结果"),
    ("published", "rating"): ("hr", "重新核算"),
    ("interviewed", "rating"): ("admin", "重新核算"),
    ("appealed", "rating"): ("hr", "重新核算"),
    ("closed", "rating"): ("hr", "重新核算"),
}


def test_the_table_is_the_one_of_the_product():
    assert set(MOVES) == set(ALLOWED)


@pytest.mark.parametrize(("move"), list(ALLOWED), ids=lambda m: f"{m[0]}-{m[1]}")
def test_every_move_of_the_table_by_who_may_make_it(org, appraisal, move):
    # given
    from_status, to_status = move
    who, reason = ALLOWED[move]
    actor = getattr(org, who).user
    _at(appraisal, from_status)
    # when
    moved = appraisal_transition(
        actor=actor, appraisal=appraisal, to_status=to_status, reason=reason
    )
    # then
    assert _state(moved) == (to_status, 2, 1, 1)
    event = AppraisalEvent.objects.get()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        from_status,
        to_status,
        actor,
        reason,
    )
    audit = AuditEvent.objects.get(action="appraisal.transition")
    assert (audit.actor, audit.object_id, audit.before, audit.after) == (
        actor,
        str(appraisal.pk),
        {"status": from_status, "version": 1, "reason": None},
        {"status": to_status, "version": 2, "reason": reason},
    )


def test_the_whole_path_through_the_real_moves(org, appraisal):
    # given both sides confirmed the targets
    _at(appraisal, "draft")
    # when
    path = [
        (org.s1, "agreed", ""),
        (org.s1, "in_progress", ""),
        (org.s1, "rating", ""),
        (org.hr, "calibration", ""),
        (org.hr, "published", ""),
        (org.r1, "interviewed", ""),
        (org.r1, "appealed", "复核质检分"),
        (org.hr, "closed", "改判为 B"),
    ]
    for person, status, reason in path:
        appraisal = appraisal_transition(
            actor=person.user, appraisal=appraisal, to_status=status, reason=reason
        )
    # then
    assert (appraisal.status, appraisal.version) == ("closed", 9)
    assert list(appraisal.events.values_list("from_status", "to_status")) == [
        ("draft", "agreed"),
        ("agreed", "in_progress"),
        ("in_progress", "rating"),
        ("rating", "calibration"),
        ("calibration", "published"),
        ("published", "interviewed"),
        ("interviewed", "appealed"),
        ("appealed", "closed"),
    ]
    assert AuditEvent.objects.filter(action="appraisal.transition").count() == 8


@pytest.mark.parametrize(
    ("from_status", "to_status", "who", "error", "message"),
    [
        (
            "draft",
            "published",
            "hr",
            ValidationError,
            "An appraisal that is “Draft” cannot be moved to “Published”.",
        ),
        (
            "published",
            "rating",
            "s1",
            PermissionDenied,
            "You may not move this appraisal from “Published” to “Being rated”.",
        ),
        (
            "published",
            "calibration",
            "admin",
            ValidationError,
            "An appraisal that is “Published” cannot be moved to “In calibration”.",
        ),
        (
            "closed",
            "appealed",
            "r1",
            ValidationError,
            "An appraisal that is “Closed” cannot be moved to “Appealed”.",
        ),
        (
            "draft",
            "nonsense",
            "hr",
            ValidationError,
            "An appraisal that is “Draft” cannot be moved to “nonsense”.",
        ),
        (
            "draft",
            "agreed",
            "staff",
            PermissionDenied,
            "You may not move this appraisal from “Draft” to “Targets agreed”.",
        ),
        (
            "draft",
            "agreed",
            "s2",
            PermissionDenied,
            "You may not move this appraisal from “Draft” to “Targets agreed”.",
        ),
        (
            "rating",
            "published",
            "s1",
            PermissionDenied,
            "You may not move this appraisal from “Being rated” to “Published”.",
        ),
        (
            "rating",
            "calibration",
            "manager",
            PermissionDenied,
            "You may not move this appraisal from “Being rated” to “In calibration”.",
        ),
        (
            "published",
            "interviewed",
            "s1",
            PermissionDenied,
            "You may not move this appraisal from “Published” to “Interviewed”.",
        ),
        (
            "interviewed",
            "appealed",
            "r2",
            PermissionDenied,
            "You may not move this appraisal from “Interviewed” to “Appealed”.",
        ),
        (
            "interviewed",
            "closed",
            "r1",
            PermissionDenied,
            "You may not move this appraisal from “Interviewed” to “Closed”.",
        ),
        (
            "appealed",
            "closed",
            "staff",
            PermissionDenied,
            "You may not move this appraisal from “Appealed” to “Closed”.",
        ),
    ],
)
def test_a_move_outside_the_table_or_by_the_wrong_person_is_refused_and_changes_nothing(
    org, appraisal, from_status, to_status, who, error, message
):
    # given
    _at(appraisal, from_status)
    before = _state(appraisal)
    # when
    with pytest.raises(error) as raised:
        appraisal_transition(
            actor=getattr(org, who).user, appraisal=appraisal, to_status=to_status, reason="x"
        )
    # then
    text = " ".join(raised.value.messages) if error is ValidationError else str(raised.value)
    assert text == message
    assert _state(appraisal) == before == (from_status, 1, 0, 0)


@pytest.mark.parametrize("who", ["s1", "r1"])
def test_an_appeal_is_never_decided_by_the_rater_or_the_appraisee(org, appraisal, who):
    # given
    _at(appraisal, Status.APPEALED)
    # when
    with pytest.raises(PermissionDenied) as raised:
        appraisal_transition(
            actor=getattr(org, who).user,
            appraisal=appraisal,
            to_status=Status.CLOSED,
            reason="维持",
        )
    # then
    assert str(raised.value) == "You may not move this appraisal from “Appealed” to “Closed”."
    assert _state(appraisal) == ("appealed", 1, 0, 0)


def test_an_hr_rater_may_not_decide_the_appeal_against_their_own_rating(org):
    # given S1's appraisal, rated by M1; an HR rater is simulated by rating it with H1
    cycle, _ = appraisal_open(
        actor=org.hr.user, scheme_code="supervisor-default", period_code="2026-Q3"
    )
    appraisal = cycle.appraisals.get(employee=org.s1)
    Appraisal.objects.filter(pk=appraisal.pk).update(rater=org.hr)
    _at(appraisal, Status.APPEALED)
    # when / then
    with pytest.raises(PermissionDenied):
        appraisal_transition(
            actor=org.hr.user, appraisal=appraisal, to_status=Status.CLOSED, reason="维持"
        )
    assert _state(appraisal) == ("appealed", 1, 0, 0)
    # and an administrator, neither appraisee nor rater, may
    appraisal_transition(
        actor=org.admin.user, appraisal=appraisal, to_status=Status.CLOSED, reason="维持"
    )
    assert _state(appraisal) == ("closed", 2, 1, 1)


@pytest.mark.parametrize(
    ("move", "who"), [(("interviewed", "appealed"), "r1"), (("appealed", "closed"), "hr")]
)
def test_an_appeal_and_its_decision_need_a_reason(org, appraisal, move, who):
    # given
    _at(appraisal, move[0])
    # when
    with pytest.raises(ValidationError) as raised:
        appraisal_transition(
            actor=getattr(org, who).user, appraisal=appraisal, to_status=move[1], reason="  "
        )
    # then
    labels = {"interviewed": "Interviewed", "appealed": "Appealed", "closed": "Closed"}
    assert raised.value.messages == [
        f"Give a reason to move the appraisal from “{labels[move[0]]}” to “{labels[move[1]]}”."
    ]
    assert _state(appraisal) == (move[0], 1, 0, 0)


@pytest.mark.parametrize(("days", "allowed"), [(APPEAL_WINDOW_DAYS - 1, True), (8, False)])
def test_the_appeal_window_is_seven_days_after_the_interview(org, appraisal, days, allowed):
    # given R1 acknowledged the interview `days` days ago
    _at(appraisal, Status.PUBLISHED)
    appraisal_transition(actor=org.r1.user, appraisal=appraisal, to_status=Status.INTERVIEWED)
    event = AppraisalEvent.objects.get()
    AppraisalEvent.objects.filter(pk=event.pk).update(
        at=event.at - dt.timedelta(days=days, minutes=1)
    )
    before = _state(appraisal)
    # when
    if allowed:
        appraisal_transition(
            actor=org.r1.user, appraisal=appraisal, to_status=Status.APPEALED, reason="复核"
        )
        # then
        assert _state(appraisal) == ("appealed", 3, 2, 2)
        return
    with pytest.raises(ValidationError) as raised:
        appraisal_transition(
            actor=org.r1.user, appraisal=appraisal, to_status=Status.APPEALED, reason="复核"
        )
    # then
    assert raised.value.messages == [
        "The appeal window of 7 days after the interview has passed; the appraisal stays "
        "“Interviewed” and cannot be moved to “Appealed”."
    ]
    assert _state(appraisal) == before == ("interviewed", 2, 1, 1)


def test_the_moves_a_person_may_make_now(org, appraisal):
    # given
    _at(appraisal, Status.RATING)
    # then
    assert appraisal_moves_for(org.hr.user, appraisal) == ["calibration", "published"]
    assert appraisal_moves_for(org.s1.user, appraisal) == []
    _at(appraisal, Status.INTERVIEWED)
    assert appraisal_moves_for(org.r1.user, appraisal) == ["appealed"]
    assert appraisal_moves_for(org.s1.user, appraisal) == ["closed"]
    assert appraisal_moves_for(org.r2.user, appraisal) == []


def test_the_appeal_window_follows_its_setting(org, appraisal):
    # given the window set to 3 days, and R1 acknowledged the interview 4 days ago
    from telesales.appraisal.workflow import APPEAL_WINDOW_SETTING
    from telesales.core.config import setting_set

    setting_set(actor=org.hr.user, key=APPEAL_WINDOW_SETTING, value=3)
    _at(appraisal, Status.PUBLISHED)
    appraisal_transition(actor=org.r1.user, appraisal=appraisal, to_status=Status.INTERVIEWED)
    event = AppraisalEvent.objects.get()
    AppraisalEvent.objects.filter(pk=event.pk).update(at=event.at - dt.timedelta(days=4))
    before = _state(appraisal)
    # when
    with pytest.raises(ValidationError) as raised:
        appraisal_transition(
            actor=org.r1.user, appraisal=appraisal, to_status=Status.APPEALED, reason="复核"
        )
    # then: refused naming the 3 days, nothing changed
    assert "3 days" in raised.value.messages[0]
    assert _state(appraisal) == before


def test_targets_are_agreed_only_once_both_sides_confirmed(org, appraisal):
    # given only the rater confirmed
    Appraisal.objects.filter(pk=appraisal.pk).update(rater_agreed_at=timezone.now())
    before = _state(appraisal)
    # when / then
    with pytest.raises(ValidationError) as raised:
        appraisal_transition(actor=org.s1.user, appraisal=appraisal, to_status=Status.AGREED)
    assert raised.value.messages == [
        "Both the appraisee and the rater must confirm the targets and standards before the "
        "appraisal is “Targets agreed”."
    ]
    assert _state(appraisal) == before


@pytest.mark.parametrize("frozen", ["published", "interviewed", "appealed", "closed"])
def test_reopening_a_frozen_result_needs_hr_and_a_reason(org, appraisal, frozen):
    # given
    _at(appraisal, frozen)
    before = _state(appraisal)
    # when the rater tries, or HR without a reason
    with pytest.raises(PermissionDenied):
        appraisal_transition(
            actor=org.s1.user, appraisal=appraisal, to_status=Status.RATING, reason="重算"
        )
    with pytest.raises(ValidationError):
        appraisal_transition(actor=org.hr.user, appraisal=appraisal, to_status=Status.RATING)
    # then nothing changed
    assert _state(appraisal) == before
