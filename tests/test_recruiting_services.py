"""Recruiting (issue 6, source §2.2.1): openings and their status, candidates and the one
transition function of their stage, phone numbers, interview rounds and scorecards, the offer
and the hire that makes a candidate an employee, and who may do what (PRODUCT.md §2)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.org import hooks
from telesales.org.models import Employee, EmployeeEvent, Role, TeamAssignment
from telesales.org.services import employee_hire
from telesales.people.recruiting import services
from telesales.people.recruiting.models import (
    Candidate,
    Criterion,
    InterviewRound,
    Opening,
    Rating,
    Scorecard,
    Stage,
    StageChange,
)
from telesales.people.recruiting.phones import phone_mask, phone_normalise
from telesales.people.recruiting.selectors import criterion_means, opening_funnel

pytestmark = pytest.mark.usefixtures("english")

_numbers = itertools.count(1)


def phone() -> str:
    """A fresh, valid mobile number."""
    return f"1390013{next(_numbers):04d}"


def opening_for(org, *, team=None, headcount=1, actor=None, **kwargs) -> Opening:
    return services.opening_create(
        actor=actor or org.hr.user, team=team or org.t1, headcount=headcount, **kwargs
    )


def add(org, opening, *, name="陈候选", number=None, source="job_board", **kwargs) -> Candidate:
    return services.candidate_add(
        actor=org.hr.user,
        opening=opening,
        name=name,
        phone=phone() if number is None else number,
        source=source,
        **kwargs,
    )


def interview(org, candidate, *, interviewer=None, hours_ago=2, kind="onsite") -> InterviewRound:
    return services.round_schedule(
        actor=org.hr.user,
        candidate=candidate,
        kind=kind,
        interviewer=interviewer or org.s1,
        scheduled_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def ratings(value=4, **override) -> dict[str, int]:
    return {**{c: value for c in Criterion.values}, **override}


def score(actor, round_, *, values=None, recommendation="yes") -> Scorecard:
    return services.scorecard_submit(
        actor=actor,
        interview=round_,
        ratings=values or ratings(),
        recommendation=recommendation,
        notes="表达清楚",
    )


def advance(org, candidate, stage: str) -> Candidate:
    """Take a new candidate to `stage` through the services, as HR would."""
    user = org.hr.user
    roads = {
        Stage.APPLIED: [],
        Stage.SCREENING: [Stage.SCREENING],
        Stage.INTERVIEW: [Stage.SCREENING, Stage.INTERVIEW],
        Stage.OFFER: [Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER],
        Stage.HIRED: [Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED],
        Stage.REJECTED: [Stage.REJECTED],
        Stage.WITHDRAWN: [Stage.WITHDRAWN],
    }
    for step in roads[stage]:
        if step == Stage.OFFER:
            candidate = services.candidate_offer(
                actor=user, candidate=candidate, start_date=timezone.localdate()
            )
        elif step == Stage.HIRED:
            services.candidate_decide(actor=user, candidate=candidate, accepted=True)
            services.candidate_hire(
                actor=user,
                candidate=candidate,
                employee_no=f"N{candidate.pk:03d}",
                hire_date=timezone.localdate(),
            )
            candidate.refresh_from_db()
        else:
            candidate = services.candidate_transition(
                actor=user, candidate=candidate, to_stage=step, reason="理由"
            )
    return candidate


def counts() -> tuple[int, ...]:
    return (
        Opening.objects.count(),
        Candidate.objects.count(),
        StageChange.objects.count(),
        InterviewRound.objects.count(),
        Scorecard.objects.count(),
        Rating.objects.count(),
        Employee.objects.count(),
        EmployeeEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def states() -> list[tuple]:
    return list(
        Candidate.objects.order_by("pk").values_list("stage", "decision", "employee_id", "phone")
    ) + list(Opening.objects.order_by("pk").values_list("status", "headcount", "owner_id"))


# -- openings ----------------------------------------------------------------------------------


def test_an_opening_defaults_to_a_rep_of_the_team_under_its_supervisor_owned_by_hr(org):
    # when
    opening = opening_for(org)
    # then
    assert (
        opening.team,
        opening.position,
        opening.role,
        opening.headcount,
        opening.status,
        opening.opened_on,
        opening.hiring_manager,
        opening.owner,
    ) == (org.t1, "电销专员", Role.REP, 1, "open", timezone.localdate(), org.s1, org.hr)
    audit = AuditEvent.objects.get(action="opening.create")
    assert (audit.actor, audit.object_id, audit.after["team_id"]) == (
        org.hr.user,
        str(opening.pk),
        org.t1.pk,
    )


def test_a_supervisor_proposes_an_opening_for_their_own_team_only(org):
    # when
    own = opening_for(org, actor=org.s1.user, headcount=2)
    before = counts()
    # then
    assert (own.team, own.owner, own.created_by) == (org.t1, None, org.s1.user)
    with pytest.raises(PermissionDenied):
        opening_for(org, actor=org.s1.user, team=org.t2)
    assert counts() == before


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_cannot_open_positions(org, who):
    # given
    before = counts()
    # when / then
    with pytest.raises(PermissionDenied):
        opening_for(org, actor=getattr(org, who).user)
    assert counts() == before


def test_a_manager_proposes_for_the_teams_below_them(org):
    # when
    opening = opening_for(org, actor=org.manager.user, team=org.t2)
    # then
    assert opening.team == org.t2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"headcount": 0}, "The headcount is a whole number from 1 to 100."),
        ({"headcount": 101}, "The headcount is a whole number from 1 to 100."),
        ({"position": "  "}, "An opening needs a position."),
        ({"role": "hr"}, "An opening of a team hires reps or supervisors, not “HR”."),
        (
            {"opened_on": dt.date(2026, 5, 1), "wanted_by": dt.date(2026, 4, 30)},
            "The wanted-by date cannot be before the opening date.",
        ),
    ],
)
def test_bad_openings_are_refused_with_a_message_and_nothing_stored(org, changes, message):
    # given
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        opening_for(org, **changes)
    # then
    assert error.value.messages == [message]
    assert counts() == before


def test_the_owner_of_an_opening_must_be_of_hr(org):
    # when / then
    with pytest.raises(ValidationError) as error:
        opening_for(org, owner=org.s2)
    assert error.value.messages == ["The owner of an opening is someone of HR; 赵主管 is not."]
    assert Opening.objects.count() == 0


def _opening_at(org, status: str) -> Opening:
    """An opening of headcount 1 at `status`, reached through the services."""
    opening = opening_for(org)
    if status == "on_hold":
        services.opening_transition(actor=org.hr.user, opening=opening, to_status="on_hold")
    elif status == "closed":
        services.opening_transition(actor=org.hr.user, opening=opening, to_status="closed")
    elif status == "filled":
        advance(org, add(org, opening), Stage.HIRED)
    opening.refresh_from_db()
    assert opening.status == status
    return opening


OPENING_MOVES_ALLOWED = {
    ("open", "on_hold"),
    ("open", "closed"),
    ("on_hold", "open"),
    ("on_hold", "closed"),
    ("closed", "open"),
    ("filled", "closed"),
}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (a, b)
        for a in ("open", "on_hold", "filled", "closed")
        for b in ("open", "on_hold", "filled", "closed")
        if a != b
    ],
)
def test_every_opening_move_is_allowed_or_refused_by_the_table(org, start, end):
    # given: an opening of headcount 1 (a filled one has its one hire)
    opening = _opening_at(org, start)
    before = AuditEvent.objects.filter(action="opening.transition").count()
    # when / then
    if (start, end) in OPENING_MOVES_ALLOWED:
        services.opening_transition(actor=org.hr.user, opening=opening, to_status=end)
        opening.refresh_from_db()
        assert opening.status == end
        assert AuditEvent.objects.filter(action="opening.transition").count() == before + 1
    else:
        with pytest.raises(ValidationError):
            services.opening_transition(actor=org.hr.user, opening=opening, to_status=end)
        opening.refresh_from_db()
        assert opening.status == start
        assert AuditEvent.objects.filter(action="opening.transition").count() == before


def test_filled_is_refused_until_the_headcount_is_reached(org):
    # given
    opening = opening_for(org, headcount=2)
    # when
    with pytest.raises(ValidationError) as error:
        services.opening_transition(actor=org.hr.user, opening=opening, to_status="filled")
    # then
    assert error.value.messages == ["The opening is not filled: 0 of 2 hired."]


def test_a_filled_opening_reopens_when_its_headcount_is_raised_and_never_drops_below_hires(org):
    # given
    opening = _opening_at(org, "filled")
    # when
    services.opening_update(actor=org.hr.user, opening=opening, headcount=2)
    # then
    opening.refresh_from_db()
    assert (opening.status, opening.headcount) == ("open", 2)
    with pytest.raises(ValidationError) as error:
        services.opening_update(actor=org.hr.user, opening=opening, headcount=0)
    assert error.value.messages == ["The headcount is a whole number from 1 to 100."]
    # and lowering it to the hires fills it again
    services.opening_update(actor=org.hr.user, opening=opening, headcount=1)
    opening.refresh_from_db()
    assert (opening.status, opening.headcount) == ("filled", 1)


@pytest.mark.parametrize("who", ["s1", "manager", "r1"])
def test_only_hr_and_administrators_change_an_opening(org, who):
    # given
    opening = opening_for(org)
    before = (counts(), states())
    # when / then
    with pytest.raises(PermissionDenied):
        services.opening_transition(
            actor=getattr(org, who).user, opening=opening, to_status="closed"
        )
    with pytest.raises(PermissionDenied):
        services.opening_update(actor=getattr(org, who).user, opening=opening, headcount=3)
    assert (counts(), states()) == before


# -- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("0086 13800138000", "+8613800138000"),
        ("010-12345678", "+861012345678"),
        ("+852 6123 4567", "+85261234567"),
    ],
)
def test_phone_numbers_are_stored_in_one_form(text, e164):
    assert phone_normalise(text) == e164


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the candidate's phone number."),
        ("138", "“138” has too few digits for a phone number."),
        ("138001380001234567", "“138001380001234567” has too many digits for a phone number."),
        ("手机号", "“手机号” is not a phone number."),
        (
            "12000138000",
            "“12000138000” is not a valid phone number: write a mobile number with its 11 "
            "digits, or a landline with its area code, for example 010-12345678.",
        ),
    ],
)
def test_a_bad_phone_number_is_refused_naming_the_problem(org, text, message):
    # given
    opening = opening_for(org)
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        add(org, opening, number=text)
    # then
    assert error.value.messages == [message]
    assert counts() == before


def test_phones_are_masked_as_138_stars_1234():
    assert phone_mask("+8613812341234") == "138****1234"
    assert phone_mask("+861012345678") == "010****5678"


# -- candidates: adding and duplicates ---------------------------------------------------------


def test_a_new_candidate_is_applied_with_their_first_move_recorded(org):
    # given
    opening = opening_for(org)
    # when
    candidate = add(org, opening, number="138 0013 8000", email="chen@example.com")
    # then
    assert (candidate.stage, candidate.phone, candidate.email, candidate.source) == (
        "applied",
        "+8613800138000",
        "chen@example.com",
        "job_board",
    )
    move = StageChange.objects.get(candidate=candidate)
    assert (move.from_stage, move.to_stage, move.actor, move.reason) == (
        "",
        "applied",
        org.hr.user,
        "",
    )
    assert AuditEvent.objects.filter(action="candidate.add", object_id=str(candidate.pk)).exists()


def test_the_same_phone_twice_for_an_opening_is_refused_naming_the_candidate(org):
    # given
    opening = opening_for(org)
    add(org, opening, name="陈一", number="13800138000")
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        add(org, opening, name="陈二", number="+86 138 0013 8000")
    # then
    assert error.value.messages == [
        "陈一 has already applied for this opening with the phone number 13800138000 "
        "(now at “Applied”)."
    ]
    assert counts() == before


def test_an_active_candidate_elsewhere_is_refused_naming_them(org):
    # given
    first = opening_for(org)
    second = opening_for(org, team=org.t2)
    add(org, first, name="陈一", number="13800138000")
    # when
    with pytest.raises(ValidationError) as error:
        add(org, second, name="陈一", number="13800138000")
    # then
    assert error.value.messages == [
        "陈一, with the phone number 13800138000, is still at “Applied” for the opening "
        "T1 电销专员 ×1; finish that application first."
    ]
    assert Candidate.objects.count() == 1


def test_a_finished_application_elsewhere_does_not_stop_a_new_one_but_is_listed(org):
    # given
    first = opening_for(org)
    second = opening_for(org, team=org.t2)
    old = advance(org, add(org, first, name="陈一", number="13800138000"), Stage.REJECTED)
    # when
    new = add(org, second, name="陈一", number="13800138000")
    # then
    assert list(services.candidate_earlier_applications(new)) == [old]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Enter the candidate's name."),
        ({"source": "newspaper"}, "“newspaper” is not a source of candidates."),
        ({"email": "not-an-email"}, "“not-an-email” is not an email address."),
    ],
)
def test_bad_candidates_are_refused_with_a_message_and_nothing_stored(org, changes, message):
    # given
    opening = opening_for(org)
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        add(org, opening, **changes)
    # then
    assert error.value.messages == [message]
    assert counts() == before


def test_an_opening_on_hold_takes_no_candidates(org):
    # given
    opening = _opening_at(org, "on_hold")
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        add(org, opening)
    # then
    assert error.value.messages == ["The opening is “On hold”; it takes no new candidates."]
    assert counts() == before


@pytest.mark.parametrize("who", ["s1", "manager", "r1", "staff"])
def test_only_hr_and_administrators_add_candidates(org, who):
    # given
    opening = opening_for(org)
    before = counts()
    # when / then
    with pytest.raises(PermissionDenied):
        services.candidate_add(
            actor=getattr(org, who).user,
            opening=opening,
            name="陈一",
            phone="13800138000",
            source="referral",
        )
    assert counts() == before


def test_editing_a_candidate_keeps_the_phone_rules(org):
    # given
    opening = opening_for(org)
    add(org, opening, name="陈一", number="13800138000")
    other = add(org, opening, name="陈二", number="13900139000")
    # when
    with pytest.raises(ValidationError):
        services.candidate_update(
            actor=org.hr.user,
            candidate=other,
            name="陈二",
            phone="13800138000",
            source="referral",
        )
    services.candidate_update(
        actor=org.hr.user, candidate=other, name="陈二二", phone="139 0013 9000", source="campus"
    )
    # then
    other.refresh_from_db()
    assert (other.name, other.phone, other.source) == ("陈二二", "+8613900139000", "campus")


# -- candidates: the stage machine -------------------------------------------------------------

STAGE_MOVES_ALLOWED = {
    ("applied", "screening"),
    ("screening", "interview"),
    ("interview", "offer"),
    ("applied", "rejected"),
    ("screening", "rejected"),
    ("interview", "rejected"),
    ("offer", "rejected"),
    ("applied", "withdrawn"),
    ("screening", "withdrawn"),
    ("interview", "withdrawn"),
    ("offer", "withdrawn"),
}


@pytest.mark.parametrize(
    ("start", "end"),
    [(a, b) for a in Stage.values for b in Stage.values if a != b],
)
def test_every_stage_move_is_allowed_or_refused_by_the_table(org, start, end):
    # given
    opening = opening_for(org, headcount=3)
    candidate = advance(org, add(org, opening), start)
    moves = StageChange.objects.count()
    # when / then
    if (start, end) in STAGE_MOVES_ALLOWED:
        services.candidate_transition(
            actor=org.hr.user,
            candidate=candidate,
            to_stage=end,
            reason="面试表现",
            offer_start_date=timezone.localdate() + dt.timedelta(days=7),
        )
        candidate.refresh_from_db()
        assert candidate.stage == end
        move = StageChange.objects.order_by("-id").first()
        assert (move.from_stage, move.to_stage, move.actor, move.reason) == (
            start,
            end,
            org.hr.user,
            "面试表现",
        )
        assert move.at <= timezone.now()
    else:
        with pytest.raises(ValidationError):
            services.candidate_transition(
                actor=org.hr.user,
                candidate=candidate,
                to_stage=end,
                reason="面试表现",
                offer_start_date=timezone.localdate() + dt.timedelta(days=7),
            )
        candidate.refresh_from_db()
        assert candidate.stage == start
        assert StageChange.objects.count() == moves


def test_a_final_stage_is_left_no_more(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.REJECTED)
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_transition(actor=org.hr.user, candidate=candidate, to_stage="applied")
    # then
    assert error.value.messages == ["A candidate at “Rejected” cannot be moved to “Applied”."]


def test_a_rejection_needs_a_reason(org):
    # given
    candidate = add(org, opening_for(org))
    moves = StageChange.objects.count()
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_transition(
            actor=org.hr.user, candidate=candidate, to_stage="rejected", reason="  "
        )
    # then
    assert error.value.messages == ["Give the reason for rejecting the candidate."]
    candidate.refresh_from_db()
    assert (candidate.stage, StageChange.objects.count()) == ("applied", moves)


def test_a_withdrawal_needs_no_reason(org):
    # given
    candidate = add(org, opening_for(org))
    # when
    services.candidate_transition(actor=org.hr.user, candidate=candidate, to_stage="withdrawn")
    # then
    candidate.refresh_from_db()
    assert candidate.stage == "withdrawn"


def test_hired_is_reached_only_through_the_hire(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.OFFER)
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_transition(actor=org.hr.user, candidate=candidate, to_stage="hired")
    # then
    assert error.value.messages == ["A candidate is hired with the hire form, as a new employee."]


def test_an_offer_needs_a_start_date_not_in_the_past(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    # when / then
    with pytest.raises(ValidationError) as error:
        services.candidate_offer(actor=org.hr.user, candidate=candidate, start_date=None)
    assert error.value.messages == ["An offer needs a proposed start date."]
    with pytest.raises(ValidationError) as error:
        services.candidate_offer(
            actor=org.hr.user,
            candidate=candidate,
            start_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert error.value.messages == ["The proposed start date cannot be in the past."]
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.offer_start_date) == ("interview", None)


def test_an_offer_records_its_start_date_and_waits_for_the_answer(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    start = timezone.localdate() + dt.timedelta(days=10)
    # when
    services.candidate_offer(
        actor=org.hr.user, candidate=candidate, start_date=start, note="底薪4500"
    )
    # then
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.offer_start_date, candidate.offer_note) == (
        "offer",
        start,
        "底薪4500",
    )
    assert candidate.decision == ""


def test_a_declined_offer_withdraws_the_candidate_with_the_reason(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.OFFER)
    # when
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=False)
    # then
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.decision) == ("withdrawn", "declined")
    assert StageChange.objects.filter(candidate=candidate).last().reason == "Declined the offer."
    with pytest.raises(ValidationError):
        services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)


def test_an_offer_is_answered_once(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=False)
    # then
    assert error.value.messages == ["The candidate has already answered the offer: Accepted."]


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "r1"])
def test_only_hr_and_administrators_move_candidates(org, who):
    # given
    candidate = add(org, opening_for(org))
    before = (counts(), states())
    # when / then
    with pytest.raises(PermissionDenied):
        services.candidate_transition(
            actor=getattr(org, who).user, candidate=candidate, to_stage="screening"
        )
    assert (counts(), states()) == before


def test_an_administrator_runs_the_pipeline_too(org):
    # given
    candidate = add(org, opening_for(org))
    # when
    services.candidate_transition(actor=org.admin.user, candidate=candidate, to_stage="screening")
    # then
    candidate.refresh_from_db()
    assert candidate.stage == "screening"


# -- interview rounds and scorecards -----------------------------------------------------------


def test_rounds_are_numbered_per_candidate(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.SCREENING)
    # when
    first = interview(org, candidate, interviewer=org.hr, kind="phone_screen")
    second = interview(org, candidate, interviewer=org.s1)
    # then
    assert [(r.number, r.kind, r.interviewer) for r in (first, second)] == [
        (1, "phone_screen", org.hr),
        (2, "onsite", org.s1),
    ]


def test_rounds_are_held_while_screening_or_interviewing_only(org):
    # given
    candidate = add(org, opening_for(org))
    # when
    with pytest.raises(ValidationError) as error:
        interview(org, candidate)
    # then
    assert error.value.messages == [
        "A candidate at “Applied” is not interviewed; move them to screening or interview first."
    ]
    assert InterviewRound.objects.count() == 0


def test_a_leaver_cannot_interview(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.SCREENING)
    gone = employee_hire(
        actor=None,
        employee_no="X1",
        name="离职者",
        role=Role.REP,
        team=org.t1,
        hire_date=dt.date(2025, 1, 6),
        leave_date=dt.date(2025, 6, 30),
    )
    # when
    with pytest.raises(ValidationError) as error:
        interview(org, candidate, interviewer=gone)
    # then
    day = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).date().isoformat()
    assert error.value.messages == [f"离职者 is not employed on {day} and cannot interview."]


@pytest.mark.parametrize("who", ["s1", "manager", "r1"])
def test_only_hr_and_administrators_schedule_rounds(org, who):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.SCREENING)
    before = counts()
    # when / then
    with pytest.raises(PermissionDenied):
        services.round_schedule(
            actor=getattr(org, who).user,
            candidate=candidate,
            kind="onsite",
            interviewer=org.s1,
            scheduled_at=timezone.now(),
        )
    assert counts() == before


def test_the_assigned_interviewer_fills_the_scorecard(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.r2)
    # when
    card = score(org.r2.user, held, values=ratings(4, communication=5), recommendation="yes")
    # then
    assert (card.round, card.recommendation, card.notes, card.submitted_by) == (
        held,
        "yes",
        "表达清楚",
        org.r2.user,
    )
    assert dict(card.ratings.values_list("criterion", "score")) == {
        "communication": 5,
        "resilience": 4,
        "sales_sense": 4,
        "learning": 4,
        "motivation": 4,
    }
    assert AuditEvent.objects.filter(action="interview.scorecard").count() == 1


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "r1", "staff"])
def test_nobody_else_fills_a_rounds_scorecard(org, who):
    # given: R2 holds the round
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.r2)
    before = counts()
    # when / then
    with pytest.raises(PermissionDenied):
        score(getattr(org, who).user, held)
    assert counts() == before


def test_hr_may_fill_a_scorecard_for_the_interviewer(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.s1)
    # when
    card = score(org.hr.user, held)
    # then
    assert card.submitted_by == org.hr.user


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (ratings(4, learning=0), "“Learning ability” is rated from 1 to 5, not 0."),
        (ratings(4, learning=6), "“Learning ability” is rated from 1 to 5, not 6."),
        (ratings(4, learning="x"), "“Learning ability” is rated from 1 to 5, not x."),
        (ratings(4, learning=3.5), "“Learning ability” is rated from 1 to 5, not 3.5."),
        (
            {c: 3 for c in Criterion.values if c != "motivation"},
            "Rate “Stability and motivation” from 1 to 5.",
        ),
        (ratings(4, charm=5), "“charm” is not a criterion of the scorecard."),
    ],
)
def test_scores_are_1_to_5_for_every_criterion(org, values, message):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.s1)
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        score(org.s1.user, held, values=values)
    # then
    assert error.value.messages == [message]
    assert counts() == before


def test_a_scorecard_needs_a_recommendation(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.s1)
    # when
    with pytest.raises(ValidationError) as error:
        score(org.s1.user, held, recommendation="maybe")
    # then
    assert error.value.messages == ["Choose a recommendation."]
    assert Scorecard.objects.count() == 0


def test_a_submitted_scorecard_is_not_changed(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.s1)
    score(org.s1.user, held, values=ratings(4), recommendation="yes")
    before = counts()
    # when
    with pytest.raises(ValidationError) as error:
        score(org.s1.user, held, values=ratings(1), recommendation="strong_no")
    # then
    assert error.value.messages == [
        "The scorecard of round 1 was submitted already; it is not changed."
    ]
    assert counts() == before
    assert set(Rating.objects.values_list("score", flat=True)) == {4}


def test_a_scorecard_is_filled_after_the_interview(org):
    # given
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    held = interview(org, candidate, interviewer=org.s1, hours_ago=-24)
    # when
    with pytest.raises(ValidationError) as error:
        score(org.s1.user, held)
    # then
    assert error.value.messages == ["The scorecard is filled after the interview, not before it."]
    assert Scorecard.objects.count() == 0


def test_the_mean_per_criterion_is_over_the_submitted_scorecards(org):
    # given: two rounds scored, a third not yet
    candidate = advance(org, add(org, opening_for(org)), Stage.INTERVIEW)
    one = interview(org, candidate, interviewer=org.s1)
    two = interview(org, candidate, interviewer=org.manager)
    interview(org, candidate, interviewer=org.r1)
    score(org.s1.user, one, values=ratings(4, communication=5, resilience=2))
    score(org.manager.user, two, values=ratings(3, communication=4, resilience=3))
    # when
    means = {row["criterion"]: (row["mean"], row["n"]) for row in criterion_means(candidate)}
    # then: (5+4)/2, (2+3)/2, (4+3)/2 …
    assert means == {
        "communication": (4.5, 2),
        "resilience": (2.5, 2),
        "sales_sense": (3.5, 2),
        "learning": (3.5, 2),
        "motivation": (3.5, 2),
    }


def test_the_mean_of_a_candidate_without_scorecards_is_not_applicable(org):
    # given
    candidate = add(org, opening_for(org))
    # when
    means = [row["mean"] for row in criterion_means(candidate)]
    # then
    assert means == [None] * 5


# -- the hire ----------------------------------------------------------------------------------


def test_an_accepted_candidate_becomes_an_employee_of_the_team(org, monkeypatch):
    # given: a callback registered for the test only
    monkeypatch.setattr(hooks, "_AFTER_HIRE", dict(hooks._AFTER_HIRE))
    heard = []
    hooks.after_hire_register("test", lambda *, actor, employee: heard.append((actor, employee)))
    opening = opening_for(org, headcount=2, position="电销专员")
    first = advance(org, add(org, opening, name="陈一", email="chen@example.com"), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=first, accepted=True)
    # when
    employee = services.candidate_hire(
        actor=org.hr.user, candidate=first, employee_no="E100", hire_date=dt.date(2026, 7, 1)
    )
    # then: the employee
    assert (
        employee.employee_no,
        employee.name,
        employee.team,
        employee.department,
        employee.role,
        employee.manager,
        employee.position,
        employee.email,
        employee.hire_date,
    ) == (
        "E100",
        "陈一",
        org.t1,
        org.sales,
        Role.REP,
        org.s1,
        "电销专员",
        "chen@example.com",
        dt.date(2026, 7, 1),
    )
    event = EmployeeEvent.objects.get(employee=employee)
    assert (event.kind, event.date, event.to_team) == ("hire", dt.date(2026, 7, 1), org.t1)
    assignment = TeamAssignment.objects.get(employee=employee)
    assert (assignment.team, assignment.start, assignment.end) == (
        org.t1,
        dt.date(2026, 7, 1),
        None,
    )
    # the candidate, linked
    first.refresh_from_db()
    assert (first.stage, first.employee) == ("hired", employee)
    assert StageChange.objects.filter(candidate=first).last().to_stage == "hired"
    assert AuditEvent.objects.filter(action="candidate.hire", object_id=str(first.pk)).exists()
    # the after-hire callbacks ran, once
    assert heard == [(org.hr.user, employee)]
    # the opening: one of two hired, still open
    opening.refresh_from_db()
    assert opening.status == "open"


def test_the_opening_is_filled_when_its_headcount_is_hired(org):
    # given
    opening = opening_for(org, headcount=2)
    advance(org, add(org, opening), Stage.HIRED)
    second = advance(org, add(org, opening), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=second, accepted=True)
    # when
    services.candidate_hire(
        actor=org.hr.user, candidate=second, employee_no="E200", hire_date=timezone.localdate()
    )
    # then
    opening.refresh_from_db()
    assert (opening.status, services.opening_hires(opening)) == ("filled", 2)
    funnel = {row["stage"]: row["reached"] for row in opening_funnel(opening)}
    assert funnel == {"applied": 2, "screening": 2, "interview": 2, "offer": 2, "hired": 2}


def test_the_funnel_counts_who_reached_each_stage(org):
    # given: 4 applied, 3 screened (1 rejected there), 2 interviewed, 1 offered
    opening = opening_for(org, headcount=2)
    advance(org, add(org, opening), Stage.APPLIED)
    rejected = advance(org, add(org, opening), Stage.SCREENING)
    services.candidate_transition(
        actor=org.hr.user, candidate=rejected, to_stage="rejected", reason="不合适"
    )
    advance(org, add(org, opening), Stage.INTERVIEW)
    advance(org, add(org, opening), Stage.OFFER)
    # when
    rows = opening_funnel(opening)
    # then
    assert [(r["stage"], r["reached"], r["of_previous"]) for r in rows] == [
        ("applied", 4, None),
        ("screening", 3, Decimal(3) / Decimal(4)),
        ("interview", 2, Decimal(2) / Decimal(3)),
        ("offer", 1, Decimal(1) / Decimal(2)),
        ("hired", 0, Decimal(0)),
    ]


def test_an_empty_funnel_has_no_shares(org):
    rows = opening_funnel(opening_for(org))
    assert [(r["reached"], r["of_previous"], r["of_first"]) for r in rows] == [(0, None, None)] * 5


def test_the_team_supervisor_is_the_new_hires_manager_even_with_another_hiring_manager(org):
    # given
    opening = opening_for(org, team=org.t2, hiring_manager=org.manager)
    candidate = advance(org, add(org, opening), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)
    # when
    employee = services.candidate_hire(
        actor=org.hr.user, candidate=candidate, employee_no="E300", hire_date=timezone.localdate()
    )
    # then
    assert (employee.team, employee.manager) == (org.t2, org.s2)


def _accepted(org, **kwargs) -> Candidate:
    candidate = advance(org, add(org, opening_for(org, **kwargs)), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)
    return candidate


def test_a_taken_employee_number_is_refused_naming_its_holder_and_nothing_is_stored(org):
    # given
    candidate = _accepted(org)
    before = (counts(), states())
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(
            actor=org.hr.user, candidate=candidate, employee_no="R1", hire_date=timezone.localdate()
        )
    # then
    assert error.value.messages == ["The employee number R1 is already taken by 张一."]
    assert (counts(), states()) == before


@pytest.mark.parametrize(
    ("employee_no", "hire_date", "message"),
    [
        ("  ", dt.date(2026, 7, 1), "Enter the new employee's number."),
        ("E1", None, "Enter the hire date."),
        ("E" * 41, dt.date(2026, 7, 1), "An employee number has at most 40 characters."),
    ],
)
def test_bad_hire_inputs_are_refused_and_nothing_is_stored(org, employee_no, hire_date, message):
    # given
    candidate = _accepted(org)
    before = (counts(), states())
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(
            actor=org.hr.user, candidate=candidate, employee_no=employee_no, hire_date=hire_date
        )
    # then
    assert error.value.messages == [message]
    assert (counts(), states()) == before


def test_a_failing_after_hire_callback_stores_nothing(org, monkeypatch):
    # given
    monkeypatch.setattr(hooks, "_AFTER_HIRE", dict(hooks._AFTER_HIRE))

    def refuse(*, actor, employee):
        raise ValidationError("No onboarding plan for this role.")

    hooks.after_hire_register("test-refuse", refuse)
    candidate = _accepted(org)
    before = (counts(), states())
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(
            actor=org.hr.user,
            candidate=candidate,
            employee_no="E900",
            hire_date=timezone.localdate(),
        )
    # then
    assert error.value.messages == ["No onboarding plan for this role."]
    assert (counts(), states()) == before
    assert not Employee.objects.filter(employee_no="E900").exists()


def test_only_a_candidate_who_accepted_is_hired(org):
    # given: an offer still unanswered
    candidate = advance(org, add(org, opening_for(org)), Stage.OFFER)
    before = (counts(), states())
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(
            actor=org.hr.user, candidate=candidate, employee_no="E1", hire_date=timezone.localdate()
        )
    # then
    assert error.value.messages == [
        "Only a candidate who accepted the offer can be hired; 陈候选 is at “Offer”."
    ]
    assert (counts(), states()) == before


def test_a_closed_opening_hires_nobody(org):
    # given
    candidate = _accepted(org)
    services.opening_transition(actor=org.hr.user, opening=candidate.opening, to_status="closed")
    before = (counts(), states())
    # when
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(
            actor=org.hr.user, candidate=candidate, employee_no="E1", hire_date=timezone.localdate()
        )
    # then
    assert error.value.messages == [
        "The opening is “Closed”; reopen it or raise its headcount before hiring."
    ]
    assert (counts(), states()) == before


@pytest.mark.parametrize("who", ["s1", "manager", "r1"])
def test_only_hr_and_administrators_hire(org, who):
    # given
    candidate = _accepted(org)
    before = (counts(), states())
    # when / then
    with pytest.raises(PermissionDenied):
        services.candidate_hire(
            actor=getattr(org, who).user,
            candidate=candidate,
            employee_no="E1",
            hire_date=timezone.localdate(),
        )
    assert (counts(), states()) == before


def test_a_supervisor_opening_hires_a_supervisor(org):
    # given
    candidate = _accepted(org, role=Role.SUPERVISOR, position="电销主管")
    # when
    employee = services.candidate_hire(
        actor=org.admin.user, candidate=candidate, employee_no="S9", hire_date=timezone.localdate()
    )
    # then
    assert (employee.role, employee.position, employee.team) == (
        Role.SUPERVISOR,
        "电销主管",
        org.t1,
    )


def test_a_hired_candidate_gets_the_onboarding_plan_of_the_training_app(org):
    # given: a candidate for T1 who accepted an offer (the training app's real after-hire
    # callback is registered at start-up)
    from telesales.people.training.models import TrainingPlan

    opening = opening_for(org)
    candidate = advance(org, add(org, opening, name="陈新"), Stage.OFFER)
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)
    # when: HR hires them today
    employee = services.candidate_hire(
        actor=org.hr.user, candidate=candidate, employee_no="E200", hire_date=timezone.localdate()
    )
    # then: the new rep has their onboarding plan, with sessions, taught by T1's supervisor
    plan = TrainingPlan.objects.get(employee=employee, kind=TrainingPlan.Kind.ONBOARDING)
    sessions = list(plan.sessions.all())
    assert sessions
    assert {session.trainer_id for session in sessions} == {org.s1.pk}
