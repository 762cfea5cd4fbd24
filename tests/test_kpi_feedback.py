"""csat_rate and complaint_timely_rate (PRODUCT.md §5) on hand-computed examples, for a rep
and for a team by each rep's team and role on the row's date, and in `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.feedback.models import SurveyResponse, Ticket
from telesales.feedback.services import ticket_open, ticket_transition
from telesales.kpi.feedback import complaint_timely_rate, csat_rate
from telesales.kpi.registry import kpis_compute
from telesales.kpi.values import KpiValue
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_promote, employee_transfer

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH = period_parse("2026-03")
S = Ticket.Status


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def history(org):
    """R3 moves from T2 to T1 on 16 March; R2 becomes a supervisor on 20 March."""
    employee_transfer(actor=None, employee=org.r3, team=org.t1, date=dt.date(2026, 3, 16))
    employee_promote(actor=None, employee=org.r2, date=dt.date(2026, 3, 20), role=Role.SUPERVISOR)
    return org


# --- csat_rate --------------------------------------------------------------------------------

_serial = iter(range(1, 10**6))


def _survey(employee, day: str, score: int) -> SurveyResponse:
    return SurveyResponse.objects.create(
        response_no=f"S{next(_serial)}",
        employee=employee,
        score=score,
        responded_on=dt.date.fromisoformat(day),
    )


@pytest.fixture
def surveys(history):
    org = history
    # R1 in March: 5, 4, 3, 1, 5 → 3 of 5 score 4 or 5; the days around March do not count
    for day, score in (
        ("2026-03-01", 5),
        ("2026-03-09", 4),
        ("2026-03-15", 3),
        ("2026-03-20", 1),
        ("2026-03-31", 5),
    ):
        _survey(org.r1, day, score)
    _survey(org.r1, "2026-02-28", 1)
    _survey(org.r1, "2026-04-01", 1)
    # R2: a 4 as a rep, a 2 after becoming a supervisor
    _survey(org.r2, "2026-03-05", 4)
    _survey(org.r2, "2026-03-25", 2)
    # R3: a 5 in T2 before the move, a 1 in T1 after it
    _survey(org.r3, "2026-03-10", 5)
    _survey(org.r3, "2026-03-20", 1)
    # S1 is no rep: never counted for the team
    _survey(org.s1, "2026-03-10", 1)
    return org


def test_csat_of_a_rep(surveys):
    assert csat_rate(scope_for_employee(surveys.r1), MARCH) == KpiValue(Decimal("0.6"), 3, 5)


def test_csat_of_a_rep_counts_all_their_responses_whatever_their_role(surveys):
    assert csat_rate(scope_for_employee(surveys.r2), MARCH) == KpiValue(Decimal("0.5"), 1, 2)


def test_csat_of_a_team_counts_its_reps_by_their_team_and_role_on_each_date(surveys):
    # T1: R1 3 of 5, R2 1 of 1 (the 2 came after the promotion), R3 0 of 1 (after the move)
    value = csat_rate(scope_for_teams([surveys.t1]), MARCH)
    assert value == KpiValue(Decimal(4) / Decimal(7), 4, 7)
    # T2: R3's 5 from before the move
    assert csat_rate(scope_for_teams([surveys.t2]), MARCH) == KpiValue(Decimal(1), 1, 1)
    # both teams together
    both = csat_rate(scope_for_teams([surveys.t1, surveys.t2]), MARCH)
    assert (both.numerator, both.denominator) == (5, 8)


def test_csat_without_responses_is_not_applicable(surveys):
    value = csat_rate(scope_for_employee(surveys.r1), period_parse("2026-05"))
    assert value == KpiValue(None, 0, 0)
    assert not value.applicable
    assert csat_rate(scope_for_employee(surveys.manager), MARCH) == KpiValue(None, 0, 0)


# --- complaint_timely_rate --------------------------------------------------------------------


def _complaint(org, employee, opened: str, *, priority="normal", kind="complaint", steps=()):
    """A ticket opened at `opened` (Shanghai time), then moved: steps of (status, time)."""
    ticket = ticket_open(
        actor=org.admin.user,
        kind=kind,
        priority=priority,
        title="投诉",
        body="",
        department=org.staff.department,
        employee=employee,
        opened_at=_at(opened),
    )
    for status, at in steps:
        ticket = ticket_transition(
            actor=org.staff.user, ticket=ticket, to_status=status, at=_at(at)
        )
    return ticket


NOW = _at("2026-03-31T12:00")


@pytest.fixture
def complaints(history):
    """Normal complaints are due 24 h after opening, high ones 8 h."""
    org = history
    r1 = org.r1
    # (a) just after midnight, local: in March; resolved in time
    _complaint(org, r1, "2026-03-01T00:10", steps=[(S.RESOLVED, "2026-03-01T10:00")])
    # (b) resolved exactly at its due time: in time
    _complaint(
        org, r1, "2026-03-03T10:00", priority="high", steps=[(S.RESOLVED, "2026-03-03T18:00")]
    )
    # (c) resolved a minute late
    _complaint(
        org, r1, "2026-03-04T10:00", priority="high", steps=[(S.RESOLVED, "2026-03-04T18:01")]
    )
    # (d) still open, long past due: counts, not in time
    _complaint(org, r1, "2026-03-05T09:00", steps=[(S.IN_PROGRESS, "2026-03-05T10:00")])
    # (e) still open, due 1 April 09:00: left out until then
    _complaint(org, r1, "2026-03-31T09:00")
    # (f) resolved in time, reopened, resolved again after its due time: late
    _complaint(
        org,
        r1,
        "2026-03-10T09:00",
        priority="high",
        steps=[
            (S.RESOLVED, "2026-03-10T10:00"),
            (S.IN_PROGRESS, "2026-03-10T11:00"),
            (S.RESOLVED, "2026-03-10T20:00"),
        ],
    )
    # (g) resolved in time and closed
    _complaint(
        org,
        r1,
        "2026-03-11T09:00",
        steps=[(S.RESOLVED, "2026-03-11T12:00"), (S.CLOSED, "2026-03-12T09:00")],
    )
    # not counted: feedback, and complaints opened outside March (local dates)
    _complaint(org, r1, "2026-03-12T09:00", kind="feedback")
    _complaint(org, r1, "2026-02-28T23:50", steps=[(S.RESOLVED, "2026-03-01T00:00")])
    _complaint(org, r1, "2026-04-01T00:30")
    # R2: one complaint, open and not yet due
    _complaint(org, org.r2, "2026-03-31T09:00")
    # R3: in time in T2 (10 March), late in T1 (20 March)
    _complaint(org, org.r3, "2026-03-10T09:00", steps=[(S.RESOLVED, "2026-03-10T12:00")])
    _complaint(org, org.r3, "2026-03-20T09:00", steps=[(S.RESOLVED, "2026-03-22T09:00")])
    # S1 (no rep) and nobody: never counted for the team
    _complaint(org, org.s1, "2026-03-10T09:00")
    _complaint(org, None, "2026-03-10T09:00")
    return org


def test_complaints_of_a_rep(complaints):
    # a, b, g in time; c, d, f not; e left out (open, not yet due)
    value = complaint_timely_rate(scope_for_employee(complaints.r1), MARCH, now=NOW)
    assert value == KpiValue(Decimal("0.5"), 3, 6)


def test_an_open_complaint_counts_once_past_its_due_time(complaints):
    scope = scope_for_employee(complaints.r1)
    due = _at("2026-04-01T09:00")
    assert complaint_timely_rate(scope, MARCH, now=due) == KpiValue(Decimal("0.5"), 3, 6)
    later = complaint_timely_rate(scope, MARCH, now=due + dt.timedelta(seconds=1))
    assert later == KpiValue(Decimal(3) / Decimal(7), 3, 7)


def test_complaints_only_open_and_not_yet_due_are_not_applicable(complaints):
    value = complaint_timely_rate(scope_for_employee(complaints.r2), MARCH, now=NOW)
    assert value == KpiValue(None, 0, 0)
    nothing = complaint_timely_rate(scope_for_employee(complaints.r1), period_parse("2026-05"))
    assert nothing == KpiValue(None, 0, 0)


def test_complaints_of_a_team_by_the_reps_team_on_the_opening_date(complaints):
    # T1: R1's 3 of 6, R2's open one left out, R3's late one after the move
    t1 = complaint_timely_rate(scope_for_teams([complaints.t1]), MARCH, now=NOW)
    assert t1 == KpiValue(Decimal(3) / Decimal(7), 3, 7)
    # T2: R3's in-time one before the move
    t2 = complaint_timely_rate(scope_for_teams([complaints.t2]), MARCH, now=NOW)
    assert t2 == KpiValue(Decimal(1), 1, 1)


def test_the_kpis_are_in_the_catalogue(complaints):
    values = kpis_compute(scope_for_employee(complaints.r3), MARCH, groups={"feedback"})
    assert values == {
        "csat_rate": KpiValue(None, 0, 0),
        "complaint_timely_rate": KpiValue(Decimal("0.5"), 1, 2),
    }


def test_kpi_command_prints_both(complaints):
    # given
    _survey(complaints.r3, "2026-03-10", 5)
    _survey(complaints.r3, "2026-03-20", 1)
    out = io.StringIO()
    # when
    call_command("kpi", period="2026-03", scope="R3", json=True, stdout=out)
    # then
    kpis = json.loads(out.getvalue())["kpis"]
    assert kpis["csat_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert kpis["complaint_timely_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # and a team whose reps had no complaint and no survey: not applicable
    out = io.StringIO()
    call_command("kpi", period="2026-05", scope="team:T2", json=True, stdout=out)
    kpis = json.loads(out.getvalue())["kpis"]
    assert kpis["csat_rate"] == {"value": None, "numerator": 0, "denominator": 0}
    assert kpis["complaint_timely_rate"] == {"value": None, "numerator": 0, "denominator": 0}


def test_a_rep_without_team_history_for_a_date_counts_in_their_current_team(org):
    # given: R1's team history removed, so only the current team (T1) says where they are
    from telesales.org.models import TeamAssignment

    TeamAssignment.objects.filter(employee=org.r1).delete()
    SurveyResponse.objects.create(
        response_no="X1", employee=org.r1, score=5, responded_on=dt.date(2026, 3, 2)
    )
    # when
    t1 = csat_rate(scope_for_teams([org.t1]), period_parse("2026-03"))
    t2 = csat_rate(scope_for_teams([org.t2]), period_parse("2026-03"))
    # then: the same rule as the call roll-ups
    assert (t1.numerator, t1.denominator) == (1, 1)
    assert (t2.numerator, t2.denominator) == (0, 0)
