"""The start page's to-dos of call monitoring, training, development, recruiting and morale:
each user sees what they have to do, in one sentence with its count and a link to the page
where they do it, and nothing of other people's scope; the page's queries do not grow with
the number of items."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.config import setting_set
from telesales.org.models import Role
from telesales.org.services import employee_hire
from telesales.people.development.models import DevelopmentPlan
from telesales.people.development.services import (
    goal_add,
    goal_progress_update,
    plan_create,
    plan_transition,
)
from telesales.people.morale.services import checkin_record
from telesales.people.recruiting import services as recruiting
from telesales.people.recruiting.models import Stage
from telesales.people.training.services import (
    ScoreEntry,
    session_attendance_record,
    session_create,
    session_scores_record,
    session_transition,
)
from telesales.qa.models import CoachingAction, CoachingSession
from telesales.qa.services import (
    coaching_action_add,
    coaching_action_transition,
    coaching_session_record,
    qa_queue_build,
    review_acknowledge,
    review_save,
    week_start_of,
)
from tests.test_qa_support import default_version, make_calls, mapped, marks
from tests.test_recruiting_services import add, advance, interview, opening_for

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
MONDAY = week_start_of(TODAY)

_LIST = re.compile(r'<ul class="todos" data-testid="todos">(.*?)</ul>', re.S)
_ITEM = re.compile(r'<li( class="urgent")?><a href="([^"]*)">([^<]*)</a></li>')


def todos(client, prefix: str) -> list[tuple[str, str, bool]]:
    """The start page's to-dos whose link starts with `prefix`: (sentence, link, urgent), in
    the page's order (urgent first)."""
    response = client.get("/")
    assert response.status_code == 200
    found = _LIST.search(response.content.decode())
    if found is None:
        return []
    return [
        (unescape(label), unescape(href), bool(urgent))
        for urgent, href, label in _ITEM.findall(found.group(1))
        if unescape(href).startswith(prefix)
    ]


def start_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def _hire(no: str, team, manager, *, hire=dt.date(2025, 1, 6), role=Role.REP):
    return employee_hire(
        actor=None,
        employee_no=no,
        name=f"新人{no}",
        role=role,
        team=team,
        manager=manager,
        hire_date=hire,
    )


# -- call monitoring and coaching --------------------------------------------------------------


def _session(org, coach, rep, actions):
    """A one-to-one held ten days ago, with actions (owner, days from today[, done])."""
    session = coaching_session_record(
        actor=coach.user,
        kind=CoachingSession.Kind.ONE_TO_ONE,
        rep=rep,
        held_on=TODAY - 10 * DAY,
        notes="复盘",
    )
    for n, (owner, days, *done) in enumerate(actions):
        action = coaching_action_add(
            actor=coach.user,
            session=session,
            description=f"行动{n}",
            owner=owner,
            due_on=TODAY + days * DAY,
        )
        if done:
            coaching_action_transition(
                actor=coach.user, action=action, to_status=CoachingAction.Status.DONE
            )
    return session


@pytest.fixture
def qa(org):
    """R1: three answered calls this week in the queue (one reviewed, one in S1's draft, one
    to review) and one last week; two submitted reviews, one acknowledged. S1 coached R1:
    R1's actions due 3 days ago, in 2 days, in 20 days, and one done; S1's own due yesterday.
    S2 coached R3: R3's action due 2 days ago."""
    mapped(org)
    version = default_version()
    week = make_calls([("R1", f"{MONDAY} 1{h}:00:00", 120 + h) for h in range(3)])
    (earlier,) = make_calls([("R1", f"{MONDAY - 7 * DAY} 10:00:00", 120)])
    qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
    review_save(
        actor=org.s1.user, call=week[0], version=version, marks=marks(version, {}), submit=True
    )
    review_save(actor=org.s1.user, call=week[1], version=version, marks=marks(version, {}))
    old = review_save(
        actor=org.s1.user, call=earlier, version=version, marks=marks(version, {}), submit=True
    )
    review_acknowledge(actor=org.r1.user, review=old)
    _session(org, org.s1, org.r1, [(org.r1, -3), (org.r1, 2), (org.r1, 20), (org.r1, -5, "done")])
    _session(org, org.s1, org.r1, [(org.s1, -1)])
    _session(org, org.s2, org.r3, [(org.r3, -2)])
    return org


def test_a_rep_sees_reviews_to_acknowledge_and_their_actions_due(qa, login_en):
    # when
    seen = todos(login_en(qa.r1), "/qa/")
    # then
    assert seen == [
        ("1 of your coaching actions is overdue.", "/qa/actions/?state=overdue&mine=on", True),
        ("Acknowledge 1 QA review.", "/qa/reviews/?verdict=unacknowledged", False),
        (
            "1 of your coaching actions is due within 7 days.",
            "/qa/actions/?state=open&mine=on",
            False,
        ),
    ]


def test_a_rep_with_nothing_to_do_sees_no_qa_todo(qa, login_en):
    # when: R2 of the same team has no review and no action
    assert todos(login_en(qa.r2), "/qa/") == []


def test_a_supervisor_sees_the_weeks_queue_overdue_actions_and_drafts(qa, login_en):
    # when
    client = login_en(qa.s1)
    html = client.get("/").content.decode()
    seen = todos(client, "/qa/")
    # then: R1's and S1's overdue actions, one call neither reviewed nor drafted
    assert seen == [
        ("2 coaching actions are overdue.", "/qa/actions/?state=overdue", True),
        (
            "1 call is waiting for review this week.",
            f"/qa/queue/?week={MONDAY.isoformat()}&status=to_review",
            False,
        ),
        ("Finish or discard your 1 draft QA review.", "/qa/reviews/?verdict=draft", False),
    ]
    assert (
        '<li class="urgent"><a href="/qa/actions/?state=overdue">2 coaching actions are overdue.</a></li>'
        in html
    )


def test_the_links_open_the_lists_the_todos_count(qa, login_en):
    # given
    supervisor, rep = login_en(qa.s1), None
    # when
    queue = supervisor.get(f"/qa/queue/?week={MONDAY.isoformat()}&status=to_review")
    actions = supervisor.get("/qa/actions/?state=overdue")
    drafts = supervisor.get("/qa/reviews/?verdict=draft")
    rep = login_en(qa.r1)
    mine = rep.get("/qa/actions/?state=overdue&mine=on")
    unacknowledged = rep.get("/qa/reviews/?verdict=unacknowledged")
    # then
    assert queue.content.decode().count('data-testid="queue-row"') == 1
    assert actions.content.decode().count('data-testid="action-row"') == 2
    assert drafts.content.decode().count('data-testid="review-row"') == 1
    assert mine.content.decode().count('data-testid="action-row"') == 1
    assert unacknowledged.content.decode().count('data-testid="review-row"') == 1


def test_another_supervisor_sees_only_their_own_teams_items(qa, login_en):
    # when
    seen = todos(login_en(qa.s2), "/qa/")
    # then: R3's action only; T1's queue, actions and S1's draft are not S2's
    assert seen == [("1 coaching action is overdue.", "/qa/actions/?state=overdue", True)]


def test_the_manager_sees_the_subtree_but_not_the_supervisors_drafts(qa, login_en):
    # when
    seen = todos(login_en(qa.manager), "/qa/")
    # then
    assert seen == [
        ("3 coaching actions are overdue.", "/qa/actions/?state=overdue", True),
        (
            "1 call is waiting for review this week.",
            f"/qa/queue/?week={MONDAY.isoformat()}&status=to_review",
            False,
        ),
    ]


def test_hr_and_staff_have_no_qa_todo_of_others(qa, login_en):
    assert todos(login_en(qa.hr), "/qa/") == []
    assert todos(login_en(qa.staff), "/qa/") == []


def test_the_qa_todos_cost_the_same_queries_for_2_or_10_items(org, login_en):
    # given: 2 calls in this week's queue, 2 unacknowledged reviews, 2 overdue actions
    mapped(org)
    setting_set(actor=org.admin.user, key="qa.sample_per_rep_week", value=20)
    version = default_version()

    def grow(n, hour):
        week = make_calls([("R1", f"{MONDAY} {hour}:{m:02d}:00", 120) for m in range(n)])
        last = make_calls([("R1", f"{MONDAY - 7 * DAY} {hour}:{m:02d}:00", 120) for m in range(n)])
        qa_queue_build(actor=org.s1.user, week_start=MONDAY, teams=[org.t1])
        for call in last:
            review_save(
                actor=org.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
            )
        _session(org, org.s1, org.r1, [(org.r1, -1)] * n)
        return week

    grow(2, 10)
    rep = login_en(org.r1)
    few_rep = start_page_queries(rep)
    supervisor = login_en(org.s1)
    few_supervisor = start_page_queries(supervisor)
    # when
    grow(8, 11)
    many_supervisor = start_page_queries(supervisor)
    rep = login_en(org.r1)
    many_rep = start_page_queries(rep)
    # then
    assert todos(rep, "/qa/") == [
        ("10 of your coaching actions are overdue.", "/qa/actions/?state=overdue&mine=on", True),
        ("Acknowledge 10 QA reviews.", "/qa/reviews/?verdict=unacknowledged", False),
    ]
    assert "10 calls are waiting for review this week." in [
        label for label, _url, _urgent in todos(login_en(org.s1), "/qa/")
    ]
    assert (many_rep, many_supervisor) == (few_rep, few_supervisor)


# -- training ----------------------------------------------------------------------------------


def _training(day, invitees, *, trainer=None, status="planned"):
    session = session_create(
        actor=None,
        title="产品知识",
        topic="product_knowledge",
        date=day,
        start_time=dt.time(14, 0),
        duration_minutes=60,
        invitees=invitees,
        trainer=trainer,
        held=status == "held",
    )
    if status == "cancelled":
        session = session_transition(actor=None, session=session, to_status="cancelled")
    return session


@pytest.fixture
def training(org):
    """R1 is invited today, in 3 days, in 9 days and (cancelled) tomorrow. T1 has a session
    4 days ago still planned, and a held one whose assessment has no score yet; a session of
    R1 and R3 (two teams) 6 days ago is still planned too."""
    _training(TODAY, [org.r1])
    _training(TODAY + 3 * DAY, [org.r1, org.r2], trainer=org.s1)
    _training(TODAY + 9 * DAY, [org.r1])
    _training(TODAY + DAY, [org.r1], status="cancelled")
    _training(TODAY - 4 * DAY, [org.r1, org.r2], trainer=org.s1)
    held = _training(TODAY - 2 * DAY, [org.r1, org.r2], status="held")
    session_scores_record(actor=None, session=held, kind="skill", pass_mark=None, scores=[])
    _training(TODAY - 6 * DAY, [org.r1, org.r3])
    return {"org": org, "held": held}


def test_an_invitee_sees_todays_sessions_and_those_of_the_next_7_days(training, login_en):
    # when
    seen = todos(login_en(training["org"].r1), "/training/")
    # then
    assert seen == [
        ("You have 1 training session today.", "/training/mine/", True),
        ("You have 1 training session in the next 7 days.", "/training/mine/", False),
    ]


def test_a_supervisor_sees_past_sessions_still_planned_and_assessments_without_scores(
    training, login_en
):
    # when
    seen = todos(login_en(training["org"].s1), "/training/")
    # then: the session of R1 and R3 is not S1's to manage
    assert seen == [
        (
            "1 past training session is still planned; mark it held or cancelled.",
            f"/training/sessions/?status=planned&period={TODAY - 4 * DAY}..{TODAY - DAY}",
            True,
        ),
        (
            "1 held training session has an assessment without scores; enter them.",
            f"/training/sessions/?status=held&period={TODAY - 2 * DAY}..{TODAY}",
            False,
        ),
    ]


def test_the_manager_and_hr_manage_the_session_of_two_teams(training, login_en):
    # when
    manager = todos(login_en(training["org"].manager), "/training/")
    hr = todos(login_en(training["org"].hr), "/training/")
    # then
    assert (
        manager[0][0] == "2 past training sessions are still planned; mark them held or cancelled."
    )
    assert hr[0][0] == manager[0][0]


def test_out_of_scope_people_see_no_training_todo(training, login_en):
    org = training["org"]
    # then: S2 manages none of them; R3's session is past; R2's is in 3 days only
    assert todos(login_en(org.s2), "/training/") == []
    assert todos(login_en(org.r3), "/training/") == []
    assert todos(login_en(org.r2), "/training/") == [
        ("You have 1 training session in the next 7 days.", "/training/mine/", False)
    ]


def test_entering_the_scores_clears_the_todo(training, login_en):
    # given
    org, held = training["org"], training["held"]
    session_attendance_record(actor=None, session=held, attendance={org.r1.pk: "attended"})
    # when
    session_scores_record(
        actor=None,
        session=held,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, Decimal("80"))],
    )
    # then
    labels = [label for label, _url, _urgent in todos(login_en(org.s1), "/training/")]
    assert labels == ["1 past training session is still planned; mark it held or cancelled."]


def test_the_training_todos_cost_the_same_queries_for_2_or_10_sessions(org, login_en):
    # given
    def grow(n):
        for _ in range(n):
            _training(TODAY + 2 * DAY, [org.r1])
            _training(TODAY - 3 * DAY, [org.r1])

    grow(2)
    few = (start_page_queries(login_en(org.r1)), start_page_queries(login_en(org.s1)))
    # when
    grow(8)
    many = (start_page_queries(login_en(org.r1)), start_page_queries(login_en(org.s1)))
    # then
    assert todos(login_en(org.s1), "/training/")[0][0] == (
        "10 past training sessions are still planned; mark them held or cancelled."
    )
    assert many == few


# -- development -------------------------------------------------------------------------------


def _plan(actor, employee, due_days, *, activate=True):
    plan = plan_create(
        actor=actor.user,
        employee=employee,
        title="异议处理提升",
        start=TODAY - 30 * DAY,
        end=TODAY + 150 * DAY,
    )
    goals = [
        goal_add(
            actor=actor.user,
            plan=plan,
            title=f"目标{n}",
            measure="质检分 ≥ 85",
            due_on=TODAY + days * DAY,
        )
        for n, days in enumerate(due_days)
    ]
    if activate:
        plan_transition(actor=actor.user, plan=plan, to_status=DevelopmentPlan.Status.ACTIVE)
    return goals


@pytest.fixture
def development(org):
    """R1's active plan: goals due 2 days ago, 3 days ago (achieved), in 5 days, in 30 days.
    R2 has a draft plan with an overdue goal. R3's active plan has a goal due yesterday."""
    goals = _plan(org.s1, org.r1, [-2, -3, 5, 30])
    goal_progress_update(actor=org.r1.user, goal=goals[1], progress=100, note="完成")
    _plan(org.s1, org.r2, [-4], activate=False)
    _plan(org.s2, org.r3, [-1])
    return org


def test_an_employee_sees_their_goals_overdue_and_due_within_14_days(development, login_en):
    # when
    seen = todos(login_en(development.r1), "/development/")
    # then
    assert seen == [
        ("1 of your development goals is overdue.", "/development/", True),
        ("1 of your development goals is due within 14 days.", "/development/", False),
    ]


def test_a_supervisor_sees_the_overdue_goals_of_their_people(development, login_en):
    # when
    seen = todos(login_en(development.s1), "/development/")
    # then: R1's overdue goal; R2's plan is a draft, R3 is another team's
    assert seen == [
        (
            "1 development goal of the people you manage is overdue.",
            "/development/team/",
            True,
        )
    ]


def test_other_people_see_none_of_r1s_goals(development, login_en):
    assert todos(login_en(development.r2), "/development/") == []
    assert todos(login_en(development.s2), "/development/") == [
        ("1 development goal of the people you manage is overdue.", "/development/team/", True)
    ]
    assert todos(login_en(development.manager), "/development/") == [
        ("2 development goals of the people you manage are overdue.", "/development/team/", True)
    ]
    assert todos(login_en(development.hr), "/development/") == []


def test_the_development_todos_cost_the_same_queries_for_2_or_10_goals(org, login_en):
    # given
    goals = _plan(org.s1, org.r1, [-1, 3, *([-2] * 8), *([4] * 8)], activate=True)
    for goal in goals[2:]:
        goal_progress_update(actor=org.s1.user, goal=goal, progress=100)
    few = (start_page_queries(login_en(org.r1)), start_page_queries(login_en(org.s1)))
    # when: the 16 achieved goals are worked on again, so 9 are overdue and 9 due soon
    for goal in goals[2:]:
        goal_progress_update(actor=org.s1.user, goal=goal, progress=50)
    many = (start_page_queries(login_en(org.r1)), start_page_queries(login_en(org.s1)))
    # then
    assert todos(login_en(org.r1), "/development/")[0][0] == (
        "9 of your development goals are overdue."
    )
    assert many == few


# -- recruiting --------------------------------------------------------------------------------


@pytest.fixture
def recruiting_data(org):
    """An opening of T1 owned by H1, wanted by yesterday; one candidate interviewed by S1 two
    hours ago (no scorecard) and booked with S1 again in 3 days and with R2 in 10 days; one
    candidate with an offer; one rejected after a round with S1 yesterday."""
    opening = opening_for(org, opened_on=TODAY - 30 * DAY, wanted_by=TODAY - DAY)
    first = advance(org, add(org, opening, name="陈一"), Stage.INTERVIEW)
    interview(org, first, interviewer=org.s1, hours_ago=2)
    interview(org, first, interviewer=org.s1, hours_ago=-72)
    interview(org, first, interviewer=org.r2, hours_ago=-240)
    advance(org, add(org, opening, name="陈二"), Stage.OFFER)
    third = advance(org, add(org, opening, name="陈三"), Stage.INTERVIEW)
    interview(org, third, interviewer=org.s1, hours_ago=24)
    recruiting.candidate_transition(
        actor=org.hr.user, candidate=third, to_stage=Stage.REJECTED, reason="不合适"
    )
    return org


def test_an_interviewer_sees_rounds_to_score_and_those_coming(recruiting_data, login_en):
    # when
    seen = todos(login_en(recruiting_data.s1), "/recruiting/")
    # then: the rejected candidate's round is not asked for
    assert seen == [
        ("1 interview is waiting for your scorecard.", "/recruiting/interviews/", True),
        ("You have 1 interview in the next 7 days.", "/recruiting/interviews/", False),
    ]


def test_hr_sees_offers_waiting_and_openings_past_their_date(recruiting_data, login_en):
    # when
    seen = todos(login_en(recruiting_data.hr), "/recruiting/")
    # then
    assert seen == [
        ("1 opening is past its wanted-by date.", "/recruiting/?status=open", True),
        (
            "1 offer is waiting for the candidate's answer.",
            "/recruiting/candidates/?stage=offer",
            False,
        ),
    ]
    html = login_en(recruiting_data.hr).get("/").content.decode()
    assert "1 offer is waiting for the candidate&#x27;s answer." in html


def test_others_see_no_recruiting_todo_of_someone_elses(recruiting_data, login_en):
    # then: S2 interviews nobody; R2's round is in 10 days; the administrator owns no opening
    assert todos(login_en(recruiting_data.s2), "/recruiting/") == []
    assert todos(login_en(recruiting_data.r2), "/recruiting/") == []
    assert todos(login_en(recruiting_data.admin), "/recruiting/") == []


def test_an_opening_without_owner_is_every_hr_persons(org, login_en):
    # given: a supervisor proposes an opening; nobody of HR owns it yet
    opening = opening_for(
        org, actor=org.s1.user, opened_on=TODAY - 30 * DAY, wanted_by=TODAY - 2 * DAY
    )
    assert opening.owner is None
    # then
    expected = [("1 opening is past its wanted-by date.", "/recruiting/?status=open", True)]
    assert todos(login_en(org.hr), "/recruiting/") == expected
    assert todos(login_en(org.admin), "/recruiting/") == expected


def test_offers_and_late_openings_are_counted_on_their_own_openings(org, login_en):
    # given: a late opening without candidates; an opening due next month with 2 offers out
    # and one answered
    opening_for(org, opened_on=TODAY - 30 * DAY, wanted_by=TODAY - 3 * DAY)
    later = opening_for(org, team=org.t2, wanted_by=TODAY + 30 * DAY)
    for name in ("甲", "乙", "丙"):
        advance(org, add(org, later, name=name), Stage.OFFER)
    answered = later.candidates.get(name="丙")
    recruiting.candidate_decide(actor=org.hr.user, candidate=answered, accepted=True)
    # then
    assert todos(login_en(org.hr), "/recruiting/") == [
        ("1 opening is past its wanted-by date.", "/recruiting/?status=open", True),
        (
            "2 offers are waiting for the candidates' answers.",
            "/recruiting/candidates/?stage=offer",
            False,
        ),
    ]


def test_the_recruiting_todos_cost_the_same_queries_for_2_or_10_items(org, login_en):
    # given
    def grow(n):
        opening = opening_for(org, opened_on=TODAY - 30 * DAY, wanted_by=TODAY - DAY)
        for _ in range(n):
            candidate = advance(org, add(org, opening), Stage.INTERVIEW)
            interview(org, candidate, interviewer=org.s1, hours_ago=3)
            advance(org, add(org, opening), Stage.OFFER)

    grow(2)
    few = (start_page_queries(login_en(org.s1)), start_page_queries(login_en(org.hr)))
    # when
    grow(8)
    many = (start_page_queries(login_en(org.s1)), start_page_queries(login_en(org.hr)))
    # then
    assert todos(login_en(org.s1), "/recruiting/")[0][0] == (
        "10 interviews are waiting for your scorecard."
    )
    assert many == few


# -- morale ------------------------------------------------------------------------------------


@pytest.fixture
def morale(org):
    """R1 had a check-in 10 days ago, R2 40 days ago; R3 (T2) never; a rep hired 5 days ago
    in T1 has had none yet."""
    checkin_record(actor=org.s1.user, employee=org.r1, date=TODAY - 10 * DAY, morale=4)
    checkin_record(actor=org.s1.user, employee=org.r2, date=TODAY - 40 * DAY, morale=3)
    _hire("R9", org.t1, org.s1, hire=TODAY - 5 * DAY)
    return org


def test_a_supervisor_sees_the_people_without_a_check_in_for_30_days(morale, login_en):
    # when
    seen = todos(login_en(morale.s1), "/morale/")
    # then: R2 only (R3 is another team's, the new rep has been here 5 days)
    assert seen == [
        ("1 person has had no check-in for 30 days or more.", "/morale/checkins/", False)
    ]


def test_the_manager_counts_the_supervisors_and_reps_of_the_subtree(morale, login_en):
    # then: S1, S2, R2, R3
    assert todos(login_en(morale.manager), "/morale/") == [
        ("4 people have had no check-in for 30 days or more.", "/morale/checkins/", False)
    ]


def test_reps_hr_and_other_supervisors_do_not_see_t1s_check_ins(morale, login_en):
    assert todos(login_en(morale.r1), "/morale/") == []
    assert todos(login_en(morale.hr), "/morale/") == []
    assert todos(login_en(morale.s2), "/morale/") == [
        ("1 person has had no check-in for 30 days or more.", "/morale/checkins/", False)
    ]


def test_the_morale_todo_costs_the_same_queries_for_2_or_10_people(org, login_en):
    # given: R1 and R2 without a check-in
    client = login_en(org.s1)
    few = start_page_queries(client)
    # when
    for n in range(8):
        _hire(f"R{20 + n}", org.t1, org.s1)
    client = login_en(org.s1)
    many = start_page_queries(client)
    # then
    assert todos(client, "/morale/") == [
        ("10 people have had no check-in for 30 days or more.", "/morale/checkins/", False)
    ]
    assert many == few
