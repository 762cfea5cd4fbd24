"""The development pages: my development, a person's development, the team list, a plan and
its goals, mentors, rotations and the successor bench — each in scope (PRODUCT.md §2),
anything else a 404 that changes nothing; bad input gets a message and stores nothing; the
lists cost the same number of queries however many people they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    GoalProgress,
    Mentorship,
    Nomination,
    PlanComment,
    Rotation,
    SuccessionAssessment,
)
from telesales.people.development.services import (
    goal_add,
    goal_progress_update,
    mentorship_start,
    nomination_create,
    plan_create,
    plan_transition,
    rotation_record,
)

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(org):
    """R1's active plan (one goal at 20 %), R3 mentoring R1 (assigned by HR), a rotation of
    R1, R1 nominated for team lead; R3's draft plan."""
    org.plan = plan_create(
        actor=org.s1.user,
        employee=org.r1,
        title="储备组长计划",
        start=TODAY - 30 * DAY,
        end=TODAY + 90 * DAY,
    )
    org.goal = goal_add(
        actor=org.s1.user,
        plan=org.plan,
        title="主持晨会",
        measure="每月 4 次",
        due_on=TODAY + 30 * DAY,
    )
    plan_transition(actor=org.s1.user, plan=org.plan, to_status="active")
    goal_progress_update(actor=org.r1.user, goal=org.goal, progress=20, note="开了一次")
    org.mentorship = mentorship_start(
        actor=org.hr.user, mentor=org.r3, mentee=org.r1, start=TODAY - 10 * DAY, purpose="跨组带教"
    )
    org.rotation = rotation_record(
        actor=org.s1.user, employee=org.r1, to_team=org.t2, start=TODAY - 20 * DAY, purpose="学习"
    )
    org.nomination = nomination_create(
        actor=org.s1.user, employee=org.r1, readiness="1_year", assessed_on=TODAY - DAY
    )
    org.plan3 = plan_create(
        actor=org.s2.user, employee=org.r3, title="新人计划", start=TODAY, end=TODAY + 90 * DAY
    )
    return org


def _state() -> list:
    return [
        list(DevelopmentPlan.objects.order_by("pk").values_list("title", "start", "end", "status")),
        list(
            DevelopmentGoal.objects.order_by("pk").values_list(
                "title", "due_on", "progress", "status"
            )
        ),
        GoalProgress.objects.count(),
        PlanComment.objects.count(),
        list(Mentorship.objects.order_by("pk").values_list("mentor", "mentee", "start", "end")),
        list(Rotation.objects.order_by("pk").values_list("to_team", "start", "end", "outcome")),
        list(Nomination.objects.order_by("pk").values_list("readiness", "status", "assessed_on")),
        SuccessionAssessment.objects.count(),
        AuditEvent.objects.count(),
    ]


# --- what each person sees --------------------------------------------------------------------

PLAN_VISIBLE = {  # who opens R1's plan: own, line, HR, admin, and R3 as R1's mentor
    "r1": 200,
    "r2": 404,
    "r3": 200,
    "s1": 200,
    "s2": 404,
    "manager": 200,
    "hr": 200,
    "staff": 404,
    "admin": 200,
}


@pytest.mark.parametrize("who", sorted(PLAN_VISIBLE))
def test_plan_and_person_pages_follow_scope(world, login, who):
    # given
    client = login(getattr(world, who))
    # when
    plan = client.get(f"/development/plans/{world.plan.pk}/")
    person = client.get(f"/development/people/{world.r1.pk}/")
    # then
    assert plan.status_code == PLAN_VISIBLE[who]
    assert person.status_code == PLAN_VISIBLE[who]


def test_a_rep_sees_only_their_own_development(world, login_en):
    # given
    client = login_en(world.r1)
    # when
    page = client.get("/development/")
    # then
    assert page.status_code == 200
    assert page.context["person"] == world.r1
    assert page.context["view"].plan == world.plan
    text = page.content.decode()
    assert "储备组长计划" in text and "新人计划" not in text
    assert "20.0%" in text  # the plan's progress: its one goal's
    assert "开了一次" in text  # the progress history
    assert "张三" in text  # the mentor
    assert client.get(f"/development/plans/{world.plan3.pk}/").status_code == 404
    assert client.get(f"/development/people/{world.r3.pk}/").status_code == 404


def test_a_mentor_reads_the_mentees_plan_but_cannot_change_it(world, login_en):
    # given
    client = login_en(world.r3)
    before = _state()
    # when
    page = client.get(f"/development/plans/{world.plan.pk}/")
    posts = [
        client.post(f"/development/goals/{world.goal.pk}/progress/", {"progress": 90}),
        client.post(f"/development/plans/{world.plan.pk}/comment/", {"body": "加油"}),
        client.post(f"/development/plans/{world.plan.pk}/move/", {"to_status": "completed"}),
    ]
    # then
    assert page.status_code == 200
    assert "read-only" in page.content.decode()
    assert page.context["rights"].progress is False
    assert [p.status_code for p in posts] == [404, 404, 404]
    assert _state() == before
    # and the mentee is listed on the mentor's own page
    mine = client.get("/development/")
    assert [m.mentee for m in mine.context["development"].mentees] == [world.r1]


@pytest.mark.parametrize(
    ("who", "status", "reps"),
    [
        ("s1", 200, {"R1", "R2"}),
        ("s2", 200, {"R3"}),
        ("manager", 200, {"R1", "R2", "R3"}),
        ("hr", 200, {"R1", "R2", "R3"}),
        ("admin", 200, {"R1", "R2", "R3"}),
        ("r1", 404, None),
        ("staff", 404, None),
    ],
)
def test_the_team_list_follows_scope(world, login, who, status, reps):
    # when
    response = login(getattr(world, who)).get("/development/team/")
    # then
    assert response.status_code == status
    if reps is not None:
        assert {r.employee.employee_no for r in response.context["rows"]} == reps


def test_the_team_list_shows_plan_progress_overdue_and_mentor(world, login_en):
    # given: R2 with an active plan whose goal fell due yesterday at 0 %
    plan = plan_create(
        actor=world.s1.user, employee=world.r2, title="提升计划", start=TODAY - 30 * DAY, end=TODAY
    )
    goal_add(actor=world.s1.user, plan=plan, title="a", measure="m", due_on=TODAY - DAY)
    plan_transition(actor=world.s1.user, plan=plan, to_status="active")
    # when
    response = login_en(world.s1).get("/development/team/")
    # then
    rows = {r.employee.employee_no: r for r in response.context["rows"]}
    assert (rows["R1"].progress_text, rows["R1"].summary.overdue, rows["R1"].mentorship.mentor) == (
        "20.0%",
        0,
        world.r3,
    )
    assert (rows["R2"].progress_text, rows["R2"].summary.overdue, rows["R2"].mentorship) == (
        "0.0%",
        1,
        None,
    )


@pytest.mark.parametrize(
    ("who", "mentees", "rotations"),
    [
        ("r1", ["R1"], ["R1"]),  # their own mentorship and rotation
        ("r3", ["R1"], []),  # as mentor, the mentorship; not the mentee's rotations
        ("r2", [], []),
        ("s1", ["R1"], ["R1"]),
        ("s2", ["R1"], []),  # R3, the mentor, is S2's
        ("manager", ["R1"], ["R1"]),
        ("hr", ["R1"], ["R1"]),
        ("staff", [], []),
    ],
)
def test_mentor_and_rotation_lists_follow_scope(world, login, who, mentees, rotations):
    # given
    client = login(getattr(world, who))
    # when
    mentors = client.get("/development/mentors/")
    rotation_list = client.get("/development/rotations/")
    # then
    assert [m.mentee.employee_no for m in mentors.context["page"]] == mentees
    assert [r.employee.employee_no for r in rotation_list.context["page"]] == rotations
    assert (mentors.context["form"] is not None) == (who in {"s1", "s2", "manager", "hr"})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("s1", 200),
        ("manager", 200),
        ("hr", 200),
        ("admin", 200),
        ("r1", 404),
        ("r3", 404),
        ("staff", 404),
    ],
)
def test_a_rep_cannot_see_the_bench(world, login, who, status):
    # given
    client = login(getattr(world, who))
    before = _state()
    # when
    responses = [
        client.get("/development/bench/"),
        client.get("/development/bench/new/"),
        client.get(f"/development/bench/{world.nomination.pk}/"),
    ]
    # then
    assert [r.status_code for r in responses] == [status] * 3
    assert _state() == before


def test_s2_does_not_see_t1_nominees(world, login):
    client = login(world.s2)
    page = client.get("/development/bench/")
    assert page.status_code == 200
    assert page.context["rows"] == []
    assert client.get(f"/development/bench/{world.nomination.pk}/").status_code == 404


def test_the_bench_page_filters_and_flags_uncovered_teams(world, login_en):
    # given
    client = login_en(world.hr)
    # when
    everyone = client.get("/development/bench/")
    ready = client.get("/development/bench/?readiness=ready_now")
    # then
    assert [r.nomination.employee.employee_no for r in everyone.context["rows"]] == ["R1"]
    assert ready.context["rows"] == []
    text = everyone.content.decode()
    assert "T1 一组, T2 二组 have no successor ready now." in text
    assert [(c.team.code, c.ready_now) for c in ready.context["coverage"]] == [("T1", 0), ("T2", 0)]
    partial = client.get("/development/bench/?readiness=1_year", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<h1>" not in partial.content.decode()


# --- changes out of scope: 404, nothing changed -----------------------------------------------


def _posts(world) -> list[tuple[str, dict]]:
    return [
        (
            "/development/plans/new/",
            {"employee": world.r1.pk, "title": "x", "start": TODAY, "end": TODAY},
        ),
        (
            f"/development/plans/{world.plan.pk}/edit/",
            {"title": "改", "start": TODAY, "end": TODAY + DAY},
        ),
        (f"/development/plans/{world.plan.pk}/move/", {"to_status": "cancelled"}),
        (f"/development/plans/{world.plan.pk}/comment/", {"body": "x"}),
        (
            f"/development/plans/{world.plan.pk}/goals/",
            {"title": "x", "measure": "m", "due_on": TODAY},
        ),
        (
            f"/development/goals/{world.goal.pk}/edit/",
            {"title": "x", "measure": "m", "due_on": TODAY},
        ),
        (f"/development/goals/{world.goal.pk}/progress/", {"progress": 99}),
        ("/development/mentors/", {"mentee": world.r1.pk, "mentor": world.r2.pk, "start": TODAY}),
        (f"/development/mentors/{world.mentorship.pk}/end/", {"end": TODAY}),
        (
            "/development/rotations/",
            {"employee": world.r1.pk, "to_position": "客服", "start": TODAY},
        ),
        (
            f"/development/rotations/{world.rotation.pk}/edit/",
            {"to_position": "客服", "start": TODAY},
        ),
        (
            "/development/bench/new/",
            {
                "employee": world.r1.pk,
                "target_role": "manager",
                "readiness": "ready_now",
                "assessed_on": TODAY,
            },
        ),
        (
            f"/development/bench/{world.nomination.pk}/",
            {"readiness": "ready_now", "assessed_on": TODAY},
        ),
        (f"/development/bench/{world.nomination.pk}/withdraw/", {"reason": "x"}),
    ]


@pytest.mark.parametrize("who", ["s2", "r2", "staff"])
def test_every_change_to_t1_out_of_scope_is_a_404_or_refused_and_changes_nothing(world, login, who):
    # given
    client = login(getattr(world, who))
    before = _state()
    # when
    statuses = {url: client.post(url, data).status_code for url, data in _posts(world)}
    # then: pages that list the user's own scope answer a bad choice with 400; the rest 404
    expected = {url: 404 for url, _data in _posts(world)}
    if who == "s2":
        for url in (
            "/development/plans/new/",
            "/development/mentors/",
            "/development/rotations/",
            "/development/bench/new/",
        ):
            expected[url] = 400  # R1 is not among the people S2 may choose
    assert statuses == expected
    assert _state() == before


@pytest.mark.parametrize("who", ["s2", "r2", "staff"])
def test_edit_pages_of_t1_do_not_open_out_of_scope(world, login, who):
    client = login(getattr(world, who))
    for url in (
        f"/development/plans/{world.plan.pk}/edit/",
        f"/development/goals/{world.goal.pk}/edit/",
        f"/development/rotations/{world.rotation.pk}/edit/",
        f"/development/plans/new/?employee={world.r1.pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_employee_cannot_edit_their_own_plan(world, login):
    client = login(world.r1)
    before = _state()
    assert client.get(f"/development/plans/{world.plan.pk}/edit/").status_code == 404
    assert (
        client.post(
            f"/development/plans/{world.plan.pk}/move/", {"to_status": "completed"}
        ).status_code
        == 404
    )
    assert _state() == before


# --- the line's work through the pages --------------------------------------------------------


def test_the_rep_records_progress_and_comments(world, login):
    # given
    client = login(world.r1)
    # when
    progress = client.post(
        f"/development/goals/{world.goal.pk}/progress/", {"progress": 60, "note": "两次"}
    )
    comment = client.post(f"/development/plans/{world.plan.pk}/comment/", {"body": "需要支持"})
    # then
    assert (progress.status_code, comment.status_code) == (302, 302)
    assert DevelopmentGoal.objects.get(pk=world.goal.pk).progress == 60
    assert list(
        GoalProgress.objects.order_by("pk").values_list("from_progress", "to_progress")
    ) == [
        (0, 20),
        (20, 60),
    ]
    assert PlanComment.objects.get().body == "需要支持"


def test_the_supervisor_makes_a_plan_end_to_end(world, login):
    # given
    client = login(world.s1)
    # when
    created = client.post(
        "/development/plans/new/",
        {"employee": world.r2.pk, "title": "异议处理", "start": TODAY, "end": TODAY + 60 * DAY},
    )
    plan = DevelopmentPlan.objects.get(employee=world.r2)
    goal = client.post(
        f"/development/plans/{plan.pk}/goals/",
        {"title": "质检分", "measure": "≥ 85", "due_on": TODAY + 30 * DAY},
    )
    moved = client.post(f"/development/plans/{plan.pk}/move/", {"to_status": "active"})
    # then
    assert [created.status_code, goal.status_code, moved.status_code] == [302, 302, 302]
    plan.refresh_from_db()
    assert (plan.status, plan.goals.count()) == ("active", 1)


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "/development/plans/new/",
            {"employee": "R2", "title": "x", "start": TODAY, "end": TODAY - DAY},
            "The end of the period cannot be before its start.",
        ),
        (
            "/development/plans/new/",
            {"employee": "R3", "title": "x", "start": TODAY, "end": TODAY},
            "This person is not in your charge; choose someone from the list.",
        ),
        (
            "/development/mentors/",
            {"mentee": "R2", "mentor": "R2", "start": TODAY},
            "A person cannot be their own mentor.",
        ),
        (
            "/development/mentors/",
            {"mentee": "R3", "mentor": "R2", "start": TODAY},
            "This person is not in your charge; choose someone from the list.",
        ),
        (
            "/development/mentors/",
            {"mentee": "R1", "mentor": "R2", "start": TODAY},
            "张一 already has a mentor, 张三, from",
        ),
        (
            "/development/mentors/",
            {"mentee": "R2", "mentor": "R1", "start": TODAY, "end": TODAY - DAY},
            "The end of the mentorship cannot be before its start.",
        ),
        (
            "/development/rotations/",
            {"employee": "R2", "start": TODAY},
            "Say where the rotation goes: a team, a department or a position.",
        ),
        (
            "/development/rotations/",
            {"employee": "R2", "to_position": "客服", "start": TODAY, "end": TODAY - DAY},
            "The end of the rotation cannot be before its start.",
        ),
        (
            "/development/bench/new/",
            {
                "employee": "R1",
                "target_role": "supervisor",
                "readiness": "ready_now",
                "assessed_on": TODAY,
            },
            "张一 is already on the bench for Supervisor; reassess the nomination instead.",
        ),
        (
            "/development/bench/new/",
            {
                "employee": "R2",
                "target_role": "supervisor",
                "readiness": "ready_now",
                "assessed_on": TODAY + DAY,
            },
            "An assessment cannot be dated in the future.",
        ),
        ("GOAL", {"progress": 150}, "Progress is a whole number from 0 to 100."),
        ("GOAL", {"progress": -5}, "Progress is a whole number from 0 to 100."),
        ("GOAL", {"progress": "lots"}, "Progress is a whole number from 0 to 100."),
        (
            "GOALS",
            {"title": "x", "measure": "m", "due_on": TODAY + 365 * DAY},
            "A goal is due within its plan&#x27;s period",
        ),
        ("COMMENT", {"body": "  "}, "This field is required."),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(world, login_en, url, data, message):
    # given
    client = login_en(world.s1)
    people = {"R1": world.r1.pk, "R2": world.r2.pk, "R3": world.r3.pk}
    data = {k: people.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    url = {
        "GOAL": f"/development/goals/{world.goal.pk}/progress/",
        "GOALS": f"/development/plans/{world.plan.pk}/goals/",
        "COMMENT": f"/development/plans/{world.plan.pk}/comment/",
    }.get(url, url)
    before = _state()
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state() == before


def test_progress_on_a_completed_plan_is_refused_with_a_message(world, login_en):
    # given
    plan_transition(actor=world.s1.user, plan=world.plan, to_status="completed")
    before = _state()
    # when
    response = login_en(world.r1).post(
        f"/development/goals/{world.goal.pk}/progress/", {"progress": 50}
    )
    # then
    assert response.status_code == 400
    assert "Progress is recorded only on an active plan." in response.content.decode()
    assert _state() == before


def test_a_refused_move_shows_why(world, login_en):
    # given: R1's second plan cannot be activated while the first is active
    plan = plan_create(actor=world.s1.user, employee=world.r1, title="第二", start=TODAY, end=TODAY)
    goal_add(actor=world.s1.user, plan=plan, title="a", measure="m", due_on=TODAY)
    before = _state()
    # when
    response = login_en(world.s1).post(
        f"/development/plans/{plan.pk}/move/", {"to_status": "active"}
    )
    # then
    assert response.status_code == 400
    assert "already has an active plan" in response.content.decode()
    assert _state() == before


def test_ending_a_mentorship_and_reassessing_through_the_pages(world, login):
    # given
    hr = login(world.hr)
    # when
    ended = hr.post(
        f"/development/mentors/{world.mentorship.pk}/end/", {"end": TODAY, "note": "结束"}
    )
    reassessed = hr.post(
        f"/development/bench/{world.nomination.pk}/",
        {"readiness": "ready_now", "assessed_on": TODAY, "strengths": "稳定"},
    )
    withdrawn = hr.post(f"/development/bench/{world.nomination.pk}/withdraw/", {"reason": "晋升"})
    # then
    assert [ended.status_code, reassessed.status_code, withdrawn.status_code] == [302, 302, 302]
    assert Mentorship.objects.get(pk=world.mentorship.pk).end == TODAY
    assert SuccessionAssessment.objects.filter(nomination=world.nomination).count() == 2
    assert Nomination.objects.get(pk=world.nomination.pk).status == "withdrawn"


def test_the_menu_lists_the_pages_by_role(world, login):
    def keys(who):
        response = login(getattr(world, who)).get("/development/")
        return {e["key"] for e in response.context["menu"] if e["key"].startswith("development")}

    assert keys("r1") == {"development-mine"}
    assert keys("s1") == {
        "development-mine",
        "development-team",
        "development-mentors",
        "development-rotations",
        "development-bench",
    }


# --- queries do not grow with people ----------------------------------------------------------


def _more_reps(org, count: int) -> None:
    """`count` more reps in T1, each with an active plan, a mentor and a nomination."""
    for n in range(count):
        rep = employee_hire(
            actor=None,
            employee_no=f"X{n:03}",
            name=f"员工{n}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=dt.date(2025, 1, 6),
        )
        plan = plan_create(actor=None, employee=rep, title="p", start=TODAY - DAY, end=TODAY + DAY)
        goal = goal_add(actor=None, plan=plan, title="g", measure="m", due_on=TODAY - DAY)
        plan_transition(actor=None, plan=plan, to_status="active")
        goal_progress_update(actor=None, goal=goal, progress=50)
        mentorship_start(actor=None, mentor=org.r2, mentee=rep, start=TODAY)
        rotation_record(actor=None, employee=rep, to_position="客服", start=TODAY)
        nomination_create(actor=None, employee=rep, readiness="1_year", assessed_on=TODAY)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/development/team/",
        "/development/bench/",
        "/development/mentors/",
        "/development/rotations/",
    ],
)
def test_list_pages_cost_the_same_queries_for_3_or_30_people(world, login, url):
    # given
    client = login(world.manager)
    few = _queries(client, url)
    # when
    _more_reps(world, 27)
    many = _queries(client, url)
    # then
    assert many == few
    assert many <= 20


def test_the_team_list_and_bench_have_bounded_queries(world, login, django_assert_max_num_queries):
    _more_reps(world, 30)
    client = login(world.s1)
    with django_assert_max_num_queries(20):
        response = client.get("/development/team/")
    assert len(response.context["rows"]) == 32
    with django_assert_max_num_queries(20):
        response = client.get("/development/bench/")
    assert len(response.context["rows"]) == 31
