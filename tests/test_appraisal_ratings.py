"""360 ratings (PRODUCT.md §5 rated KPIs, §6.6 rating): who is suggested, who may ask, the
rating rules (1–5, at most 2 decimals, every line and dimension of the rater's group), the
score a rated KPI gets from group weights, what each viewer sees (the 3-rater rule, no names
or ids for the appraisee) and the reminders, at most once a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.appraisal import ratings
from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Appraisal, Rating, RatingRequest
from telesales.appraisal.publication import result_live
from telesales.appraisal.schemes import scheme_import
from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"

SUPERVISOR_360 = """
code: sup-360
name: 主管360
applies_to: supervisor
categories:
  - {code: conduct, name: 综合表现, weight: 100, kpis: [
      {kpi: collaboration, weight: 50, curve: rating,
       rater_groups: {superior: 60, peer: 20, subordinate: 20}},
      {kpi: superior_evaluation, weight: 50, curve: rating,
       dimensions: [responsibility, leadership, innovation]}]}
"""

REP_360 = """
code: rep-360
name: 专员360
applies_to: rep
categories:
  - {code: conduct, name: 综合表现, weight: 100, kpis: [
      {kpi: collaboration, weight: 100, curve: rating,
       rater_groups: {superior: 60, peer: 20, department: 20}}]}
"""


def at(appraisal: Appraisal, status: str) -> Appraisal:
    """Put the appraisal in a status (a fixture shortcut; the workflow has its own tests)."""
    Appraisal.objects.filter(pk=appraisal.pk).update(status=status)
    appraisal.refresh_from_db()
    return appraisal


def hire_rep(no: str, name: str, team, manager, *, hire=dt.date(2025, 1, 6), email=""):
    from telesales.org.services import employee_login_create

    employee = employee_hire(
        actor=None,
        employee_no=no,
        name=name,
        role=Role.REP,
        team=team,
        manager=manager,
        hire_date=hire,
        email=email,
    )
    employee_login_create(actor=None, employee=employee, username=no.lower(), password="Pw-2026!x")
    return employee


@pytest.fixture
def sup(org) -> Appraisal:
    """S1's Q3 appraisal on sup-360, rated by M1: S2 is the peer, R1 and R2 the subordinates."""
    scheme_import(actor=None, text=SUPERVISOR_360)
    cycle, _ = appraisal_open(actor=None, scheme_code="sup-360", period_code=Q3)
    return cycle.appraisals.select_related("cycle__scheme", "employee").get(employee=org.s1)


@pytest.fixture
def rep(org) -> Appraisal:
    """R1's Q3 appraisal on rep-360, rated by S1: R2 is the peer, C1 the other department."""
    scheme_import(actor=None, text=REP_360)
    cycle, _ = appraisal_open(actor=None, scheme_code="rep-360", period_code=Q3)
    return cycle.appraisals.select_related("cycle__scheme", "employee").get(employee=org.r1)


def ask(appraisal, rater, group, *, actor=None) -> RatingRequest:
    return ratings.rating_request_add(
        actor=actor or "test", appraisal=appraisal, rater=rater, group=group
    )


def give(request: RatingRequest, scores: dict, comments: dict | None = None):
    return ratings.ratings_submit(
        actor=request.rater.user, request=request, scores=scores, comments=comments or {}
    )


def _stored() -> list[tuple]:
    return list(
        Rating.objects.order_by("rater__employee_no", "kpi", "dimension").values_list(
            "rater__employee_no", "group", "kpi", "dimension", "score", "comment"
        )
    )


# --- who is suggested -----------------------------------------------------------------------


def test_a_supervisor_is_rated_by_the_manager_the_other_supervisors_and_their_reps(org, sup):
    # given a rep who joined T1 after the quarter
    hire_rep("R9", "新人", org.t1, org.s1, hire=dt.date(2026, 10, 12))
    # when
    suggested = ratings.raters_suggest(sup)
    # then
    assert [(s.group, s.employee.employee_no) for s in suggested] == [
        ("superior", "M1"),
        ("peer", "S2"),
        ("subordinate", "R1"),
        ("subordinate", "R2"),
    ]


def test_a_rep_is_rated_by_the_supervisor_team_mates_and_department_staff(org, rep):
    # when
    suggested = ratings.raters_suggest(rep)
    # then: R3 is in another team; the self group is not used by the scheme
    assert [(s.group, s.employee.employee_no) for s in suggested] == [
        ("superior", "S1"),
        ("peer", "R2"),
        ("department", "C1"),
    ]


# --- asking ---------------------------------------------------------------------------------


def test_asking_the_suggested_raters_twice_asks_each_once(org, rep):
    # when
    first = ratings.rating_requests_create(actor=org.s1.user, appraisal=rep)
    second = ratings.rating_requests_create(actor=org.s1.user, appraisal=rep)
    # then
    assert (len(first), len(second)) == (3, 0)
    assert sorted(RatingRequest.objects.values_list("group", "rater__employee_no")) == [
        ("department", "C1"),
        ("peer", "R2"),
        ("superior", "S1"),
    ]
    assert AuditEvent.objects.filter(action="appraisal.rating_request").count() == 1


def test_a_request_gets_a_due_date_seven_days_on_unless_one_is_given(org, rep):
    # when
    made = ask(rep, org.r2, "peer", actor=org.hr.user)
    given = ratings.rating_request_add(
        actor=org.hr.user,
        appraisal=rep,
        rater=org.staff,
        group="department",
        due_on=dt.date(2026, 10, 9),
    )
    # then
    from django.utils import timezone

    assert made.due_on == timezone.localdate() + dt.timedelta(days=7)
    assert given.due_on == dt.date(2026, 10, 9)


@pytest.mark.parametrize("who", ["r2", "r1", "staff", "s2"])
def test_only_the_rater_hr_or_an_administrator_ask_for_ratings(org, rep, who):
    # when / then: a peer, the appraisee, staff, another team's supervisor
    with pytest.raises(PermissionDenied):
        ask(rep, org.r2, "peer", actor=getattr(org, who).user)
    assert RatingRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("group", "who", "message"),
    [
        (
            "subordinate",
            "r2",
            "The scheme of this appraisal has no ratings by “Subordinate”; it uses: Superior, "
            "Peer, Other department.",
        ),
        (
            "peer",
            "r1",
            "Only the appraisee rates as “self”, and the appraisee rates in no other group.",
        ),
    ],
)
def test_a_group_the_scheme_does_not_use_or_the_appraisee_as_peer_is_refused(
    org, rep, group, who, message
):
    # when
    with pytest.raises(ValidationError) as refused:
        ask(rep, getattr(org, who), group, actor=org.s1.user)
    # then
    assert refused.value.messages == [message]
    assert RatingRequest.objects.count() == 0


def test_someone_not_employed_in_the_period_is_not_asked(org, rep):
    # given
    late = hire_rep("R9", "新人", org.t1, org.s1, hire=dt.date(2026, 10, 12))
    # when
    with pytest.raises(ValidationError) as refused:
        ask(rep, late, "peer", actor=org.s1.user)
    # then
    assert refused.value.messages == ["新人 was not employed in 2026-Q3 and cannot rate it."]
    assert RatingRequest.objects.count() == 0


@pytest.mark.parametrize("status", ["calibration", "published", "closed"])
def test_no_rater_is_asked_once_the_appraisal_is_past_rating(org, rep, status):
    # given
    at(rep, status)
    # when
    with pytest.raises(ValidationError):
        ask(rep, org.r2, "peer", actor=org.hr.user)
    with pytest.raises(ValidationError):
        ratings.rating_requests_create(actor=org.hr.user, appraisal=rep)
    # then
    assert RatingRequest.objects.count() == 0


def test_an_answered_request_is_not_withdrawn(org, rep):
    # given
    request = ask(rep, org.r2, "peer")
    waiting = ask(rep, org.staff, "department")
    at(rep, "rating")
    give(request, {("collaboration", ""): "4"})
    # when
    with pytest.raises(ValidationError):
        ratings.rating_request_remove(actor=org.s1.user, request=request)
    ratings.rating_request_remove(actor=org.s1.user, request=waiting)
    # then
    assert list(RatingRequest.objects.values_list("rater__employee_no", flat=True)) == ["R2"]


# --- rating -----------------------------------------------------------------------------------


def test_a_rated_kpi_is_scored_from_the_group_means_weighted_by_the_scheme(org, sup):
    # given M1 (superior), S2 (peer), R1 and R2 (subordinates) asked; the appraisal rated
    requests = {
        r.rater.employee_no: r
        for r in ratings.rating_requests_create(actor=org.hr.user, appraisal=sup)
    }
    at(sup, "rating")
    # when
    give(
        requests["M1"],
        {
            ("collaboration", ""): "4",
            ("superior_evaluation", "responsibility"): "4",
            ("superior_evaluation", "leadership"): "5",
            ("superior_evaluation", "innovation"): "3",
        },
    )
    give(requests["S2"], {("collaboration", ""): "3"})
    give(requests["R1"], {("collaboration", ""): "5"})
    give(requests["R2"], {("collaboration", ""): "4"})
    result = result_live(sup)
    # then collaboration = (60 × 4 + 20 × 3 + 20 × (5 + 4) / 2) / 100 = 3.9 → 20 × 3.9 = 78;
    # superior_evaluation = (4 + 5 + 3) / 3 = 4 → 80; total (50 × 78 + 50 × 80) / 100 = 79
    scores = {k["kpi"]: (k["actual"], k["score"]) for k in result["kpis"]}
    assert scores == {"collaboration": (3.9, 78.0), "superior_evaluation": (4.0, 80.0)}
    assert (result["total"], result["grade"]) == (79.0, "B")


def test_a_group_without_ratings_shares_its_weight_and_no_rating_is_not_applicable(org, sup):
    # given only the superior asked and nothing given yet
    request = ask(sup, org.manager, "superior")
    at(sup, "rating")
    before = {k["kpi"]: k["applicable"] for k in result_live(sup)["kpis"]}
    # when the superior gives collaboration 4.5 (peers and subordinates none)
    give(
        request,
        {
            ("collaboration", ""): "4.5",
            ("superior_evaluation", "responsibility"): "4",
            ("superior_evaluation", "leadership"): "4",
            ("superior_evaluation", "innovation"): "4",
        },
    )
    # then collaboration = 60 × 4.5 / 60 = 4.5 → 90
    assert before == {"collaboration": False, "superior_evaluation": False}
    scores = {k["kpi"]: k["score"] for k in result_live(sup)["kpis"]}
    assert scores == {"collaboration": 90.0, "superior_evaluation": 80.0}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "0",
            "0 given for Internal collaboration and cross-department communication is not a rating from 1 to 5.",
        ),
        (
            "5.5",
            "5.5 given for Internal collaboration and cross-department communication is not a rating from 1 to 5.",
        ),
        (
            "3.333",
            "3.333 given for Internal collaboration and cross-department communication has more than 2 decimals.",
        ),
        (
            "abc",
            "“abc” given for Internal collaboration and cross-department communication is not a number.",
        ),
        (
            "",
            "Give a rating from 1 to 5 for Internal collaboration and cross-department communication.",
        ),
    ],
)
def test_a_bad_score_is_refused_with_the_kpi_and_value_and_stores_nothing(org, rep, value, message):
    # given
    request = ask(rep, org.r2, "peer")
    at(rep, "rating")
    # when
    with pytest.raises(ValidationError) as refused:
        give(request, {("collaboration", ""): value})
    # then
    assert refused.value.messages == [message]
    assert Rating.objects.count() == 0
    request.refresh_from_db()
    assert request.submitted_at is None


def test_every_dimension_of_the_group_lines_must_be_rated(org, sup):
    # given
    request = ask(sup, org.manager, "superior")
    at(sup, "rating")
    # when
    with pytest.raises(ValidationError) as refused:
        give(request, {("collaboration", ""): "4", ("superior_evaluation", "leadership"): "4"})
    # then
    assert refused.value.messages == [
        "Give a rating from 1 to 5 for Superior's overall evaluation · Responsibility.",
        "Give a rating from 1 to 5 for Superior's overall evaluation · Innovation.",
    ]
    assert Rating.objects.count() == 0


def test_a_peer_rates_only_the_lines_of_the_peer_group(org, sup):
    # given
    request = ask(sup, org.s2, "peer")
    at(sup, "rating")
    # when
    with pytest.raises(ValidationError) as refused:
        give(request, {("collaboration", ""): "4", ("superior_evaluation", "leadership"): "4"})
    # then
    assert refused.value.messages == [
        "superior_evaluation.leadership is not yours to rate on this appraisal."
    ]
    assert Rating.objects.count() == 0


def test_resubmitting_replaces_the_earlier_ratings_and_is_audited(org, rep):
    # given
    request = ask(rep, org.r2, "peer")
    at(rep, "rating")
    give(request, {("collaboration", ""): "3"}, {"collaboration": "还可以"})
    # when
    give(request, {("collaboration", ""): D("4.25")}, {"collaboration": "配合积极"})
    # then
    assert _stored() == [("R2", "peer", "collaboration", "", D("4.25"), "配合积极")]
    request.refresh_from_db()
    assert request.submitted_at is not None
    audits = AuditEvent.objects.filter(action="appraisal.ratings_submit").order_by("pk")
    assert [(a.before, a.after) for a in audits][-1] == (
        {"comments": {"collaboration": "还可以"}, "scores": {"collaboration": "3.00"}},
        {"comments": {"collaboration": "配合积极"}, "scores": {"collaboration": "4.25"}},
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            "in_progress",
            "This appraisal is “In progress”; ratings are given once it is being rated.",
        ),
        (
            "published",
            "The result of this appraisal is published; its ratings change only after HR "
            "reopens it.",
        ),
    ],
)
def test_ratings_are_refused_before_rating_and_once_published(org, rep, status, message):
    # given
    request = ask(rep, org.r2, "peer")
    at(rep, status)
    # when
    with pytest.raises(ValidationError) as refused:
        give(request, {("collaboration", ""): "4"})
    # then
    assert refused.value.messages == [message]
    assert Rating.objects.count() == 0


def test_only_the_person_asked_gives_the_ratings(org, rep):
    # given
    request = ask(rep, org.r2, "peer")
    at(rep, "rating")
    # when / then: not even HR
    for who in (org.r1, org.s1, org.hr):
        with pytest.raises(PermissionDenied):
            ratings.ratings_submit(
                actor=who.user, request=request, scores={("collaboration", ""): "4"}
            )
    assert Rating.objects.count() == 0


# --- what each viewer sees ------------------------------------------------------------------


@pytest.fixture
def rated(org, rep):
    """R1's appraisal published with S1 (superior) 4, peers R2 3 and R4 5, C1 (department) 2."""
    r4 = hire_rep("R4", "张四", org.t1, org.s1)
    for rater, group in (
        (org.s1, "superior"),
        (org.r2, "peer"),
        (r4, "peer"),
        (org.staff, "department"),
    ):
        ask(rep, rater, group)
    at(rep, "rating")
    scores = {"S1": "4", "R2": "3", "R4": "5", "C1": "2"}
    notes = {"R2": "乐于分享话术", "C1": "工单回复及时"}
    for request in RatingRequest.objects.select_related("rater__user"):
        no = request.rater.employee_no
        comments = {"collaboration": notes[no]} if no in notes else {}
        give(request, {("collaboration", ""): scores[no]}, comments)
    org.r4 = r4
    return at(rep, "published")


def _groups(seen: dict) -> dict:
    return {g["group"]: (g["raters"], g["mean"], g["hidden"]) for g in seen["kpis"][0]["groups"]}


def test_the_appraisee_sees_a_group_mean_only_from_three_raters_but_always_the_superior(org, rated):
    # when two peers rated
    two = ratings.ratings_visible(org.r1.user, rated)
    # and a third peer rates after HR reopens the appraisal
    r5 = hire_rep("R5", "张五", org.t1, org.s1)
    at(rated, "rating")
    give(ask(rated, r5, "peer"), {("collaboration", ""): "4"})
    three = ratings.ratings_visible(org.r1.user, at(rated, "published"))
    # then
    assert _groups(two) == {
        "superior": (1, D(4), False),
        "peer": (2, None, True),
        "department": (1, None, True),
    }
    assert _groups(three)["peer"] == (3, D(4), False)  # (3 + 5 + 4) / 3


def test_the_appraisee_sees_no_rater_name_or_id(org, rated):
    # when
    seen = ratings.ratings_visible(org.r1.user, rated)
    # then
    assert seen["mode"] == "appraisee"
    assert set(seen["kpis"][0]) == {"kpi", "label", "dimension", "dimension_label", "groups"}
    assert {frozenset(g) for g in seen["kpis"][0]["groups"]} == {
        frozenset({"group", "group_label", "counted", "weight", "raters", "mean", "hidden"})
    }
    assert sorted(c["text"] for c in seen["comments"]) == ["乐于分享话术", "工单回复及时"]
    assert {frozenset(c) for c in seen["comments"]} == {frozenset({"kpi", "label", "text"})}
    text = repr(seen)
    for person in (org.s1, org.r2, org.r4, org.staff):
        assert person.name not in text and person.employee_no not in text


def test_the_appraisee_sees_nothing_before_publication(org, rated):
    # given
    at(rated, "rating")
    # when
    seen = ratings.ratings_visible(org.r1.user, rated)
    # then
    assert (seen["shown"], seen["kpis"], seen["comments"]) == (False, [], [])


def test_hr_sees_every_rating_with_its_rater(org, rated):
    # when
    seen = ratings.ratings_visible(org.hr.user, rated)
    # then
    peer = next(g for g in seen["kpis"][0]["groups"] if g["group"] == "peer")
    assert seen["mode"] == "full"
    assert (peer["mean"], peer["hidden"]) == (D(4), False)
    assert [(r["rater"], r["score"]) for r in peer["ratings"]] == [("张二", D(3)), ("张四", D(5))]
    assert sorted((c["rater"], c["text"]) for c in seen["comments"]) == [
        ("客服", "工单回复及时"),
        ("张二", "乐于分享话术"),
    ]


def test_the_rater_line_sees_every_mean_and_only_their_own_name(org, rated):
    # when
    seen = ratings.ratings_visible(org.s1.user, rated)
    by_manager = ratings.ratings_visible(org.manager.user, rated)
    # then
    groups = {g["group"]: g for g in seen["kpis"][0]["groups"]}
    assert seen["mode"] == by_manager["mode"] == "line"
    assert (groups["peer"]["mean"], groups["peer"]["ratings"]) == (D(4), [])
    assert [(r["rater"], r["score"]) for r in groups["superior"]["ratings"]] == [("李主管", D(4))]
    assert all("rater" not in c for c in seen["comments"])


def test_someone_who_may_not_see_the_appraisal_sees_no_ratings(org, rated):
    # when: a peer who rated, and another team's supervisor
    seen = [ratings.ratings_visible(who.user, rated) for who in (org.r2, org.s2)]
    # then
    assert [(s["mode"], s["kpis"]) for s in seen] == [("none", []), ("none", [])]


# --- reminders ------------------------------------------------------------------------------


@pytest.fixture
def waiting(org, rep):
    """R2 asked to rate R1 as peer, due 2026-10-09; R2 has an e-mail address."""
    org.r2.email = "r2@example.com"
    org.r2.save(update_fields=["email"])
    request = ratings.rating_request_add(
        actor="test", appraisal=rep, rater=org.r2, group="peer", due_on=dt.date(2026, 10, 9)
    )
    at(rep, "rating")
    return request


def test_a_reminder_is_counted_mailed_and_sent_at_most_once_a_day(org, waiting):
    # when
    sent = ratings.rating_remind(actor=org.s1.user, request=waiting)
    with pytest.raises(ValidationError) as again:
        ratings.rating_remind(actor=org.s1.user, request=waiting)
    # then
    waiting.refresh_from_db()
    assert (sent, waiting.reminders) == (True, 1)
    assert again.value.messages == ["张二 was already reminded today."]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["r2@example.com"], "Reminder: your rating of 张一")
    ]


@pytest.fixture
def clock(monkeypatch):
    """Set the clock: `clock(2026, 10, 8, 9)` makes it 09:00 that day in Shanghai."""
    from django.utils import timezone

    def _set(*parts):
        moment = timezone.make_aware(dt.datetime(*parts))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return _set


def test_reminders_of_due_requests_go_once_a_day(org, waiting, clock):
    # given a request without an e-mail address due later
    later = ratings.rating_request_add(
        actor="test",
        appraisal=waiting.appraisal,
        rater=org.staff,
        group="department",
        due_on=dt.date(2026, 10, 20),
    )
    # when the reminders run twice on the 8th and once on the 9th
    clock(2026, 10, 8, 9)
    first = ratings.ratings_remind_due(actor=None)
    clock(2026, 10, 8, 17)
    second = ratings.ratings_remind_due(actor=None)
    clock(2026, 10, 9, 9)
    third = ratings.ratings_remind_due(actor=None)
    # then: the request due on the 9th is reminded on the 8th and the 9th, the other not yet
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert [(s.reminded, s.emailed) for s in (first, second, third)] == [(1, 1), (0, 0), (1, 1)]
    assert (waiting.reminders, later.reminders, len(mail.outbox)) == (2, 0, 2)


def test_an_answered_request_is_not_reminded(org, waiting):
    # given
    give(waiting, {("collaboration", ""): "4"})
    # when
    summary = ratings.ratings_remind_due(actor=None, today=dt.date(2026, 10, 9))
    with pytest.raises(ValidationError):
        ratings.rating_remind(actor=org.s1.user, request=waiting)
    # then
    assert (summary.reminded, len(mail.outbox)) == (0, 0)


def test_only_hr_or_an_administrator_remind_everyone(org, waiting):
    with pytest.raises(PermissionDenied):
        ratings.ratings_remind_due(actor=org.s1.user, today=dt.date(2026, 10, 8))
    waiting.refresh_from_db()
    assert waiting.reminders == 0
