"""The training pages: plans, sessions (attendance, scores), a rep's own training, the team
overview; each refuses what is out of the user's scope (404) and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from telesales.core.periods import period_of
from telesales.org.services import employee_hire
from telesales.people.training.models import (
    Assessment,
    AssessmentResult,
    Invitation,
    TrainingPlan,
    TrainingSession,
)
from telesales.people.training.services import (
    ScoreEntry,
    recurring_plan_create,
    session_attendance_record,
    session_create,
    session_scores_record,
    session_transition,
)

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _plan(actor, team, title, *, weekday=0, start=MARCH[0], end=MARCH[1]):
    return recurring_plan_create(
        actor=actor,
        title=title,
        topic="selling_skills",
        team=team,
        frequency="weekly",
        weekday=weekday,
        start_time=dt.time(16, 0),
        duration_minutes=60,
        start_date=start,
        end_date=end,
    )


@pytest.fixture
def plans(org):
    """A T1 plan (R1, R2), a T2 plan (R3) and a company-wide plan (R1, R2, R3) in March."""
    t1 = _plan(org.s1.user, org.t1, "T1 每周训练")
    t2 = _plan(org.s2.user, org.t2, "T2 每周训练", weekday=1)
    company = _plan(org.hr.user, None, "全员分享", weekday=2)
    return {"t1": t1, "t2": t2, "company": company}


def _state() -> tuple:
    """Everything a page could change."""
    return (
        list(TrainingSession.objects.order_by("pk").values_list("pk", "status", "note")),
        list(Invitation.objects.order_by("pk").values_list("pk", "employee_id", "attendance")),
        list(Assessment.objects.order_by("pk").values_list("pk", "kind", "pass_mark")),
        list(AssessmentResult.objects.order_by("pk").values_list("pk", "pre_score", "score")),
        TrainingPlan.objects.count(),
    )


# -- plans -------------------------------------------------------------------------------------

VISIBLE_PLANS = {
    "s1": {"T1 每周训练", "全员分享"},
    "s2": {"T2 每周训练", "全员分享"},
    "manager": {"T1 每周训练", "T2 每周训练", "全员分享"},
    "hr": {"T1 每周训练", "T2 每周训练", "全员分享"},
    "admin": {"T1 每周训练", "T2 每周训练", "全员分享"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE_PLANS))
def test_the_plan_list_shows_the_users_plans(org, plans, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.get("/training/")
    # then
    assert response.status_code == 200
    assert {p.title for p in response.context["page"]} == VISIBLE_PLANS[who]
    for key, plan in plans.items():
        expected = 200 if plan.title in VISIBLE_PLANS[who] else 404
        assert client.get(f"/training/plans/{plan.pk}/").status_code == expected, key


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_have_no_plan_pages(org, plans, login, who):
    # given
    client = login(getattr(org, who))
    # when / then
    assert client.get("/training/").status_code == 404
    assert client.get(f"/training/plans/{plans['t1'].pk}/").status_code == 404
    assert client.get("/training/plans/new/").status_code == 404
    assert client.get("/training/sessions/").status_code == 404
    assert client.get("/training/results/").status_code == 404
    assert client.get("/training/team/").status_code == 404


def test_a_supervisor_makes_a_plan_on_the_page(org, login_en):
    # given
    client = login_en(org.s1)
    # when
    response = client.post(
        "/training/plans/new/",
        {
            "title": "话术复盘",
            "topic": "call_scripts",
            "team": org.t1.pk,
            "frequency": "monthly",
            "day_of_month": "10",
            "start_time": "15:00",
            "duration_minutes": "90",
            "start_date": "2026-03-01",
            "end_date": "2026-05-31",
            "trainer": org.s1.pk,
        },
    )
    # then
    plan = TrainingPlan.objects.get()
    assert response.status_code == 302
    assert [s.date for s in plan.sessions.order_by("date")] == [
        dt.date(2026, 3, 10),
        dt.date(2026, 4, 10),
        dt.date(2026, 5, 11),  # 10 May 2026 is a Sunday
    ]


def test_a_supervisor_cannot_make_a_plan_for_another_team_on_the_page(org, login_en):
    # given
    client = login_en(org.s1)
    # when
    response = client.post(
        "/training/plans/new/",
        {
            "title": "x",
            "topic": "other",
            "team": org.t2.pk,
            "frequency": "weekly",
            "weekday": "0",
            "start_time": "15:00",
            "duration_minutes": "60",
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
        },
    )
    # then
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert TrainingPlan.objects.count() == 0


def test_the_plan_list_needs_a_constant_number_of_queries(
    org, login, django_assert_max_num_queries
):
    # given
    client = login(org.hr)
    _plan(org.hr.user, org.t1, "one")
    with django_assert_max_num_queries(12) as few:
        client.get("/training/")
    for index in range(8):
        _plan(org.hr.user, org.t2 if index % 2 else None, f"plan {index}")
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/training/")
    assert len(response.context["page"]) == 9


# -- one session -------------------------------------------------------------------------------


def _first(plan) -> TrainingSession:
    return plan.sessions.order_by("date").first()


def test_a_supervisor_holds_a_session_records_attendance_and_scores(org, plans, login_en):
    # given
    client = login_en(org.s1)
    session = _first(plans["t1"])
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 200
    # when
    client.post(f"/training/sessions/{session.pk}/move/", {"to_status": "held"})
    client.post(
        f"/training/sessions/{session.pk}/attendance/",
        {f"attendance_{org.r1.pk}": "attended", f"attendance_{org.r2.pk}": "excused"},
    )
    response = client.post(
        f"/training/sessions/{session.pk}/scores/",
        {
            "kind": "course",
            "pass_mark": "60",
            f"pre_{org.r1.pk}": "55",
            f"post_{org.r1.pk}": "82.5",
        },
    )
    # then
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "held"
    assert dict(session.invitations.values_list("employee__employee_no", "attendance")) == {
        "R1": "attended",
        "R2": "excused",
    }
    result = AssessmentResult.objects.get()
    assert (result.employee, result.pre_score, result.score) == (
        org.r1,
        Decimal("55.00"),
        Decimal("82.50"),
    )
    page = client.get(f"/training/sessions/{session.pk}/").content.decode()
    assert "82.50" in page


@pytest.mark.parametrize(
    ("pre", "post", "message"),
    [
        ("55", "120", "张一: “120” is not a score; a score is a number from 0 to 100."),
        ("-5", "80", "张一: “-5” is not a score; a score is a number from 0 to 100."),
        ("60", "", "张一: a score before the course needs the score after it too."),
        ("", "8o", "张一: “8o” is not a score; a score is a number from 0 to 100."),
    ],
)
def test_out_of_range_scores_get_a_message_and_store_nothing(
    org, plans, login_en, pre, post, message
):
    # given
    session = session_transition(actor=None, session=_first(plans["t1"]), to_status="held")
    session_attendance_record(actor=None, session=session, attendance={org.r1.pk: "attended"})
    client = login_en(org.s1)
    # when
    response = client.post(
        f"/training/sessions/{session.pk}/scores/",
        {"kind": "course", "pass_mark": "", f"pre_{org.r1.pk}": pre, f"post_{org.r1.pk}": post},
    )
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AssessmentResult.objects.count() == 0


def test_marking_a_future_session_held_gets_a_message(org, login_en):
    # given
    session = session_create(
        actor=None,
        title="未来",
        topic="other",
        date=dt.date(2030, 3, 5),
        start_time=dt.time(9, 0),
        duration_minutes=60,
        invitees=[org.r1],
    )
    client = login_en(org.s1)
    # when
    response = client.post(
        f"/training/sessions/{session.pk}/move/", {"to_status": "held"}, follow=True
    )
    # then
    assert "The session is on 2030-03-05; it cannot be marked held before then." in (
        response.content.decode()
    )
    session.refresh_from_db()
    assert session.status == "planned"


def _posts(session, org) -> list[tuple[str, dict]]:
    return [
        (f"/training/sessions/{session.pk}/move/", {"to_status": "cancelled"}),
        (f"/training/sessions/{session.pk}/attendance/", {f"attendance_{org.r1.pk}": "absent"}),
        (
            f"/training/sessions/{session.pk}/scores/",
            {"kind": "skill", f"post_{org.r1.pk}": "10"},
        ),
        (f"/training/sessions/{session.pk}/invite/", {"employees": [org.r3.pk]}),
    ]


@pytest.mark.parametrize("who", ["s2", "r1", "r3", "staff"])
def test_out_of_scope_users_cannot_open_or_change_t1s_sessions(org, plans, login, who):
    # given: a held T1 session with R1 attending
    session = session_transition(actor=None, session=_first(plans["t1"]), to_status="held")
    session_attendance_record(actor=None, session=session, attendance={org.r1.pk: "attended"})
    client = login(getattr(org, who))
    before = _state()
    # when / then
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 404
    for url, data in _posts(session, org):
        assert client.post(url, data).status_code == 404, url
    assert _state() == before


def test_s2_sees_only_its_reps_in_a_company_session_and_cannot_change_it(org, plans, login):
    # given
    session = _first(plans["company"])
    client = login(org.s2)
    before = _state()
    # when
    response = client.get(f"/training/sessions/{session.pk}/")
    # then
    assert response.status_code == 200
    assert [i.employee.employee_no for i in response.context["invitations"]] == ["R3"]
    assert response.context["manage"] is False
    assert "attendance_form" not in response.context
    for url, data in _posts(session, org):
        assert client.post(url, data).status_code == 404, url
    assert _state() == before


def test_the_session_page_needs_a_constant_number_of_queries(
    org, login, django_assert_max_num_queries
):
    # given: a held session with scores for one trainee, then for nine
    client = login(org.hr)

    def held_session(trainees):
        session = session_create(
            actor=None,
            title=f"考核 {len(trainees)}",
            topic="other",
            date=dt.date(2026, 3, 3),
            start_time=dt.time(9, 0),
            duration_minutes=60,
            invitees=trainees,
            held=True,
        )
        session_attendance_record(
            actor=None, session=session, attendance={e.pk: "attended" for e in trainees}
        )
        session_scores_record(
            actor=None,
            session=session,
            kind="course",
            pass_mark=Decimal(60),
            scores=[ScoreEntry(e.pk, Decimal(50), Decimal(70)) for e in trainees],
        )
        return session

    small = held_session([org.r1])
    with django_assert_max_num_queries(30) as few:
        client.get(f"/training/sessions/{small.pk}/")
    trainees = [org.r1, org.r2, org.r3] + [
        employee_hire(
            actor=None,
            employee_no=f"X{n}",
            name=f"学员{n}",
            hire_date=dt.date(2025, 1, 6),
            team=org.t1,
        )
        for n in range(6)
    ]
    large = held_session(trainees)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/training/sessions/{large.pk}/")
    assert len(response.context["invitations"]) == 9


# -- lists behind the KPIs ---------------------------------------------------------------------


def test_the_session_list_of_a_team_holds_the_rows_of_its_completion_rate(org, plans, login):
    # given: T1's and the company's March sessions invite T1's reps
    session_transition(actor=None, session=_first(plans["t1"]), to_status="cancelled")
    client = login(org.s1)
    # when
    response = client.get(f"/training/sessions/?period=2026-03&team={org.t1.pk}")
    # then
    titles = sorted({s.title for s in response.context["page"]})
    assert titles == ["T1 每周训练", "全员分享"]
    assert response.context["counts"] == {"due": 9, "held": 0}


def test_a_supervisor_cannot_list_another_teams_sessions(org, plans, login):
    # given
    client = login(org.s2)
    # when
    response = client.get(f"/training/sessions/?period=2026-03&team={org.t1.pk}")
    mine = client.get("/training/sessions/?period=2026-03")
    # then
    assert response.status_code == 400
    assert {s.title for s in mine.context["page"]} == {"T2 每周训练", "全员分享"}


# -- a rep's own training ----------------------------------------------------------------------


def test_a_rep_sees_only_their_own_sessions_and_scores(org, plans, login_en):
    # given: R1 and R3 scored in a company session
    session = session_transition(actor=None, session=_first(plans["company"]), to_status="held")
    session_attendance_record(
        actor=None, session=session, attendance={org.r1.pk: "attended", org.r3.pk: "attended"}
    )
    session_scores_record(
        actor=None,
        session=session,
        kind="course",
        pass_mark=Decimal(60),
        scores=[
            ScoreEntry(org.r1.pk, Decimal(40), Decimal(71)),
            ScoreEntry(org.r3.pk, Decimal(30), Decimal(99)),
        ],
    )
    client = login_en(org.r1)
    # when
    response = client.get("/training/mine/")
    # then
    data = response.context["data"]
    assert response.status_code == 200
    assert {i.employee_id for i in data.invitations} == {org.r1.pk}
    assert len(data.invitations) == 5 + 4  # T1 Mondays and company Wednesdays of March
    page = response.content.decode()
    assert 'data-label="Score">71</td>' in page and "+31.0" in page
    assert 'data-label="Score">99</td>' not in page
    assert client.get(f"/training/people/{org.r3.pk}/").status_code == 404
    assert client.get(f"/training/people/{org.r1.pk}/").status_code == 200


def test_the_staff_have_no_training_page(org, login):
    assert login(org.staff).get("/training/mine/").status_code == 404


def test_a_supervisor_opens_the_training_of_their_reps_only(org, plans, login):
    # given
    client = login(org.s1)
    # when / then
    assert client.get(f"/training/people/{org.r1.pk}/").status_code == 200
    assert client.get(f"/training/people/{org.r3.pk}/").status_code == 404


# -- the team overview -------------------------------------------------------------------------


def test_the_team_overview_shows_this_months_and_quarters_kpis_with_links(org, login_en):
    # given: on the first day of this month a T1 session held with R1 assessed 50 → 70 and a
    # skill score of 80, and a cancelled one
    first = period_of(timezone.localdate(), "month").start
    held = session_create(
        actor=None,
        title="held",
        topic="other",
        date=first,
        start_time=dt.time(9, 0),
        duration_minutes=60,
        invitees=[org.r1, org.r2],
        held=True,
    )
    session_attendance_record(actor=None, session=held, attendance={org.r1.pk: "attended"})
    session_scores_record(
        actor=None,
        session=held,
        kind="course",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, Decimal(50), Decimal(70))],
    )
    skill = session_create(
        actor=None,
        title="skill",
        topic="other",
        date=first,
        start_time=dt.time(14, 0),
        duration_minutes=60,
        invitees=[org.r1],
        held=True,
    )
    session_attendance_record(actor=None, session=skill, attendance={org.r1.pk: "attended"})
    session_scores_record(
        actor=None,
        session=skill,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, Decimal(80))],
    )
    cancelled = session_create(
        actor=None,
        title="cancelled",
        topic="other",
        date=first,
        start_time=dt.time(16, 0),
        duration_minutes=60,
        invitees=[org.r2],
    )
    session_transition(actor=None, session=cancelled, to_status="cancelled")
    client = login_en(org.s1)
    # when
    response = client.get("/training/team/")
    # then
    month = response.context["cells"][0]
    assert response.context["team"] == org.t1
    assert (month["completion"], month["held"], month["due"]) == ("66.7%", 2, 3)
    assert (month["effect"], month["effect_count"]) == ("+20.0", 1)
    assert (month["skill"], month["skill_count"]) == ("80.0", 1)
    assert month["sessions_url"] == (f"/training/sessions/?period={first:%Y-%m}&team={org.t1.pk}")
    rows = {r["row"].employee.employee_no: r for r in response.context["reps"]}
    assert (rows["R1"]["row"].invited, rows["R1"]["row"].attended, rows["R1"]["skill"]) == (
        2,
        2,
        "80.0",
    )
    # the links lead to the rows behind the numbers
    listed = client.get(month["sessions_url"])
    assert sorted(s.title for s in listed.context["page"]) == ["cancelled", "held", "skill"]
    effect = client.get(month["effect_url"])
    assert [r.employee.employee_no for r in effect.context["page"]] == ["R1"]


def test_a_supervisor_cannot_see_another_teams_overview(org, login):
    # given
    client = login(org.s2)
    # when
    response = client.get(f"/training/team/?team={org.t1.pk}")
    # then: the choice is refused and S2's own team is shown
    assert response.context["team"] == org.t2


# -- the menu ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("s1", {"training", "training-team", "training-mine"}),
        ("hr", {"training", "training-team", "training-mine"}),
        ("r1", {"training-mine"}),
        ("staff", set()),
    ],
)
def test_the_training_entries_of_the_people_menu(org, who, entries):
    from telesales.core.navigation import menu_for

    shown = {e["key"] for e in menu_for(getattr(org, who).user) if e["key"].startswith("training")}
    assert shown == entries
    assert all(
        e["group"] == "people" for e in menu_for(getattr(org, who).user) if e["key"] in entries
    )
