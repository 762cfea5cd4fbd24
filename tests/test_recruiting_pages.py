"""The recruiting pages (issue 6, source §2.2.1): openings with their pipeline, an opening,
the candidates, a candidate's page with rounds, scorecards, offer and hire, the scorecard form
and "My interviews"; each page and POST out of scope is a 404 and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from telesales.org.models import Employee
from telesales.people.recruiting import services
from telesales.people.recruiting.models import Candidate, Opening, Scorecard, Stage
from tests.test_recruiting_services import (
    add,
    advance,
    counts,
    interview,
    opening_for,
    ratings,
    score,
    states,
)


@pytest.fixture
def pipeline(org):
    """T1's opening with a candidate at every stage of interest and T2's with one applicant.

    `interviewing` has two rounds: S1's (scored) and R1's (not yet scored)."""
    t1 = opening_for(org, headcount=2)
    t2 = opening_for(org, team=org.t2)
    applied = add(org, t1, name="甲", number="13800138000")
    interviewing = advance(org, add(org, t1, name="乙", number="13812341234"), Stage.INTERVIEW)
    held = interview(org, interviewing, interviewer=org.s1)
    score(org.s1.user, held, values=ratings(4, communication=5))
    pending = interview(org, interviewing, interviewer=org.r1)
    offered = advance(org, add(org, t1, name="丙", number="13900139000"), Stage.OFFER)
    other = add(org, t2, name="丁", number="13700137000")
    return {
        "t1": t1,
        "t2": t2,
        "applied": applied,
        "interviewing": interviewing,
        "held": held,
        "pending": pending,
        "offered": offered,
        "other": other,
    }


# -- the openings list -------------------------------------------------------------------------


def test_hr_sees_every_opening_with_its_candidates_counted_per_stage(org, login_en, pipeline):
    # when
    response = login_en(org.hr).get("/recruiting/")
    # then
    assert response.status_code == 200
    rows = {o.team.code: dict(o.pipeline) for o in response.context["page"]}
    assert set(rows) == {"T1", "T2"}
    assert {str(k): v for k, v in rows["T1"].items()} == {
        "Applied": 1,
        "Screening": 0,
        "Interview": 1,
        "Offer": 1,
        "Hired": 0,
        "Rejected": 0,
        "Withdrawn": 0,
    }


@pytest.mark.parametrize(
    ("who", "teams"),
    [("s1", {"T1"}), ("s2", {"T2"}), ("manager", {"T1", "T2"}), ("admin", {"T1", "T2"})],
)
def test_supervisors_and_managers_see_the_openings_of_their_teams(org, login, pipeline, who, teams):
    # when
    response = login(getattr(org, who)).get("/recruiting/?status=all")
    # then
    assert response.status_code == 200
    assert {o.team.code for o in response.context["page"]} == teams


@pytest.mark.parametrize("who", ["r1", "staff"])
def test_reps_and_staff_see_no_recruiting_pages(org, login, pipeline, who):
    # given
    client = login(getattr(org, who))
    # when / then
    for url in (
        "/recruiting/",
        "/recruiting/candidates/",
        "/recruiting/openings/new/",
        f"/recruiting/openings/{pipeline['t1'].pk}/",
        f"/recruiting/candidates/{pipeline['applied'].pk}/",
        f"/recruiting/openings/{pipeline['t1'].pk}/candidates/new/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_openings_list_filters_by_status(org, login, pipeline):
    # given
    services.opening_transition(actor=org.hr.user, opening=pipeline["t2"], to_status="closed")
    client = login(org.hr)
    # when
    active = client.get("/recruiting/")
    closed = client.get("/recruiting/?status=closed")
    # then
    assert [o.team.code for o in active.context["page"]] == ["T1"]
    assert [o.team.code for o in closed.context["page"]] == ["T2"]


def test_the_openings_list_costs_the_same_queries_for_many_openings(
    org, login, django_assert_max_num_queries
):
    # given
    for n in range(3):
        add(org, opening_for(org), number=f"1380013{n:04d}")
    client = login(org.hr)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/recruiting/").status_code == 200
    for n in range(30):
        opening = opening_for(org, team=org.t2 if n % 2 else org.t1)
        add(org, opening, number=f"1390013{n:04d}")
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/recruiting/")
    assert len(response.context["page"].object_list) == 33


# -- an opening --------------------------------------------------------------------------------


def test_an_opening_shows_its_pipeline_funnel_and_candidates(org, login_en, pipeline):
    # when
    response = login_en(org.hr).get(f"/recruiting/openings/{pipeline['t1'].pk}/")
    # then
    assert response.status_code == 200
    funnel = [(r["stage"], r["reached"]) for r in response.context["funnel"]]
    assert funnel == [
        ("applied", 3),
        ("screening", 2),
        ("interview", 2),
        ("offer", 1),
        ("hired", 0),
    ]
    text = response.content.decode()
    assert "0 of 2 hired" in text
    assert "13800138000" in text  # HR sees numbers in full
    assert {c.name for c in response.context["candidates"]} == {"甲", "乙", "丙"}


def test_a_supervisor_sees_their_teams_opening_with_masked_phones_and_no_actions(
    org, login, pipeline
):
    # when
    response = login(org.s1).get(f"/recruiting/openings/{pipeline['t1'].pk}/")
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert "138****8000" in text
    assert "13800138000" not in text
    assert response.context["moves"] == []
    assert not response.context["can_add"]


@pytest.mark.parametrize("who", ["s2", "r1", "staff"])
def test_an_opening_out_of_scope_is_404(org, login, pipeline, who):
    # when
    response = login(getattr(org, who)).get(f"/recruiting/openings/{pipeline['t1'].pk}/")
    # then
    assert response.status_code == 404


def test_hr_moves_an_opening(org, login, pipeline):
    # when
    response = login(org.hr).post(
        f"/recruiting/openings/{pipeline['t1'].pk}/move/",
        {"to_status": "on_hold", "reason": "预算冻结"},
    )
    # then
    assert response.status_code == 302
    pipeline["t1"].refresh_from_db()
    assert pipeline["t1"].status == "on_hold"


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "r1"])
def test_nobody_else_moves_or_edits_an_opening(org, login, pipeline, who):
    # given
    client = login(getattr(org, who))
    opening = pipeline["t1"]
    before = (counts(), states())
    # when
    moved = client.post(f"/recruiting/openings/{opening.pk}/move/", {"to_status": "closed"})
    edited = client.post(
        f"/recruiting/openings/{opening.pk}/edit/",
        {"position": "改", "role": "rep", "headcount": 5},
    )
    # then
    assert (moved.status_code, edited.status_code) == (404, 404)
    assert (counts(), states()) == before


def test_hr_edits_an_opening(org, login, pipeline):
    # given
    opening = pipeline["t1"]
    # when
    response = login(org.hr).post(
        f"/recruiting/openings/{opening.pk}/edit/",
        {"position": "高级电销专员", "role": "rep", "headcount": 3, "wanted_by": "2026-12-31"},
    )
    # then
    assert response.status_code == 302
    opening.refresh_from_db()
    assert (opening.position, opening.headcount, opening.wanted_by, opening.hiring_manager) == (
        "高级电销专员",
        3,
        dt.date(2026, 12, 31),
        org.s1,
    )


def test_a_supervisor_proposes_an_opening_for_their_team(org, login):
    # given
    client = login(org.s1)
    # when
    page = client.get("/recruiting/openings/new/")
    response = client.post(
        "/recruiting/openings/new/",
        {
            "team": org.t1.pk,
            "position": "电销专员",
            "role": "rep",
            "headcount": 2,
            "opened_on": "2026-07-01",
        },
    )
    # then
    assert list(page.context["form"].fields["team"].queryset) == [org.t1]
    assert response.status_code == 302
    opening = Opening.objects.get()
    assert (opening.team, opening.headcount, opening.created_by, opening.hiring_manager) == (
        org.t1,
        2,
        org.s1.user,
        org.s1,
    )


def test_a_supervisor_cannot_propose_for_another_team(org, login):
    # when
    response = login(org.s2).post(
        "/recruiting/openings/new/",
        {
            "team": org.t1.pk,
            "position": "电销专员",
            "role": "rep",
            "headcount": 1,
            "opened_on": "2026-07-01",
        },
    )
    # then
    assert response.status_code == 400
    assert Opening.objects.count() == 0


def test_a_bad_opening_is_refused_with_the_reason(org, login_en):
    # when
    response = login_en(org.hr).post(
        "/recruiting/openings/new/",
        {
            "team": org.t1.pk,
            "position": "电销专员",
            "role": "rep",
            "headcount": 1,
            "opened_on": "2026-07-01",
            "wanted_by": "2026-06-01",
        },
    )
    # then
    assert response.status_code == 400
    assert "The wanted-by date cannot be before the opening date." in response.content.decode()
    assert Opening.objects.count() == 0


# -- the candidate list ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("hr", {"甲", "乙", "丙", "丁"}),
        ("s1", {"甲", "乙", "丙"}),
        ("s2", {"丁"}),
        ("manager", {"甲", "乙", "丙", "丁"}),
    ],
)
def test_the_candidate_list_follows_scope(org, login, pipeline, who, names):
    # when
    response = login(getattr(org, who)).get("/recruiting/candidates/")
    # then
    assert response.status_code == 200
    assert {c.name for c in response.context["page"]} == names


def test_phones_are_masked_for_everyone_but_hr(org, login, pipeline):
    # when
    hr = login(org.hr).get("/recruiting/candidates/?q=甲")
    supervisor = login(org.s1).get("/recruiting/candidates/?q=甲")
    # then
    assert [c.phone_shown for c in hr.context["page"]] == ["13800138000"]
    assert [c.phone_shown for c in supervisor.context["page"]] == ["138****8000"]
    assert "13800138000" not in supervisor.content.decode()


def test_the_candidate_list_filters(org, login, pipeline):
    # given
    client = login(org.hr)
    # when / then
    by_stage = client.get("/recruiting/candidates/?stage=interview")
    assert [c.name for c in by_stage.context["page"]] == ["乙"]
    by_opening = client.get(f"/recruiting/candidates/?opening={pipeline['t2'].pk}")
    assert [c.name for c in by_opening.context["page"]] == ["丁"]
    by_team = client.get(f"/recruiting/candidates/?team={org.t1.pk}&stage=active")
    assert {c.name for c in by_team.context["page"]} == {"甲", "乙", "丙"}


def test_the_candidate_list_costs_the_same_queries_for_many_candidates(
    org, login, django_assert_max_num_queries
):
    # given
    opening = opening_for(org, headcount=5)
    for n in range(3):
        add(org, opening, number=f"1380013{n:04d}")
    client = login(org.s1)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/recruiting/candidates/").status_code == 200
    for n in range(47):
        candidate = add(org, opening, number=f"1390013{n:04d}")
        if n % 3 == 0:
            advance(org, candidate, Stage.SCREENING)
            interview(org, candidate, interviewer=org.s1)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/recruiting/candidates/")
    assert len(response.context["page"].object_list) == 50


# -- a candidate's page ------------------------------------------------------------------------


def test_hr_sees_a_candidate_with_rounds_means_history_and_next_steps(org, login_en, pipeline):
    # when
    response = login_en(org.hr).get(f"/recruiting/candidates/{pipeline['interviewing'].pk}/")
    # then
    assert response.status_code == 200
    context = response.context
    assert [(r.number, r.interviewer, r.card is not None) for r in context["rounds"]] == [
        (1, org.s1, True),
        (2, org.r1, False),
    ]
    assert [row["mean"] for row in context["matrix"]] == [5, 4, 4, 4, 4]
    assert [h.to_stage for h in context["history"]] == ["applied", "screening", "interview"]
    assert [m["to"] for m in context["moves"]] == ["rejected", "withdrawn"]
    assert "offer_form" in context and "round_form" in context
    text = response.content.decode()
    assert "13812341234" in text
    assert "Make an offer" in text


def test_a_supervisor_reads_their_teams_candidate_without_actions(org, login, pipeline):
    # when
    response = login(org.s1).get(f"/recruiting/candidates/{pipeline['interviewing'].pk}/")
    # then
    assert response.status_code == 200
    assert response.context["phone"] == "138****1234"
    assert "moves" not in response.context
    assert "hire_form" not in response.context
    assert len(response.context["rounds"]) == 2


@pytest.mark.parametrize("who", ["s2", "r2", "staff"])
def test_a_candidate_out_of_scope_is_404(org, login, pipeline, who):
    # given
    client = login(getattr(org, who))
    # when / then
    for key in ("applied", "interviewing", "offered"):
        assert client.get(f"/recruiting/candidates/{pipeline[key].pk}/").status_code == 404


def test_an_interviewer_sees_the_candidate_read_only_with_their_own_round_only(
    org, login, pipeline
):
    # given: R1 holds round 2 of 乙
    client = login(org.r1)
    # when
    response = client.get(f"/recruiting/candidates/{pipeline['interviewing'].pk}/")
    # then
    assert response.status_code == 200
    assert [r.number for r in response.context["rounds"]] == [2]
    assert response.context["phone"] == "138****1234"
    assert response.context["matrix"][0]["mean"] is None  # no other interviewer's scores
    assert "moves" not in response.context
    assert client.get(f"/recruiting/rounds/{pipeline['held'].pk}/").status_code == 404
    assert client.get(f"/recruiting/candidates/{pipeline['applied'].pk}/").status_code == 404
    assert client.get("/recruiting/candidates/").status_code == 404


def _posts(pipeline) -> list[tuple[str, dict]]:
    candidate = pipeline["interviewing"].pk
    offered = pipeline["offered"].pk
    return [
        (f"/recruiting/candidates/{candidate}/move/", {"to_stage": "rejected", "reason": "x"}),
        (
            f"/recruiting/candidates/{candidate}/rounds/",
            {"kind": "onsite", "interviewer": "1", "scheduled_at": "2026-07-01T10:00"},
        ),
        (f"/recruiting/candidates/{candidate}/offer/", {"start_date": "2030-01-01"}),
        (f"/recruiting/candidates/{offered}/decision/", {"answer": "accept"}),
        (
            f"/recruiting/candidates/{offered}/hire/",
            {"employee_no": "E777", "hire_date": "2030-01-01"},
        ),
        (
            f"/recruiting/candidates/{candidate}/edit/",
            {"name": "改名", "phone": "13800000000", "source": "other"},
        ),
        (
            f"/recruiting/openings/{pipeline['t1'].pk}/candidates/new/",
            {"name": "新人", "phone": "13600136000", "source": "other"},
        ),
    ]


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "r1", "r2", "staff"])
def test_every_candidate_post_out_of_rights_is_404_and_changes_nothing(org, login, pipeline, who):
    # given
    client = login(getattr(org, who))
    before = (counts(), states())
    # when / then
    for url, data in _posts(pipeline):
        assert client.post(url, data).status_code == 404, url
    assert (counts(), states()) == before


# -- HR running the pipeline through the pages -------------------------------------------------


def test_hr_adds_a_candidate_and_a_bad_phone_is_refused_with_the_reason(org, login_en, pipeline):
    # given
    client = login_en(org.hr)
    url = f"/recruiting/openings/{pipeline['t1'].pk}/candidates/new/"
    before = counts()
    # when
    bad = client.post(url, {"name": "新人", "phone": "138", "source": "referral"})
    duplicate = client.post(url, {"name": "新人", "phone": "138 0013 8000", "source": "referral"})
    good = client.post(url, {"name": "新人", "phone": "136 0013 6000", "source": "referral"})
    # then
    assert bad.status_code == 400
    assert "“138” has too few digits for a phone number." in bad.content.decode()
    assert duplicate.status_code == 400
    assert "甲 has already applied for this opening" in duplicate.content.decode()
    assert good.status_code == 302
    assert counts() != before
    assert Candidate.objects.get(name="新人").phone == "+8613600136000"


def test_hr_moves_schedules_offers_records_the_answer_and_hires(org, login_en, pipeline):
    # given
    client = login_en(org.hr)
    candidate = pipeline["applied"]
    url = f"/recruiting/candidates/{candidate.pk}"
    start = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    # when
    client.post(f"{url}/move/", {"to_stage": "screening"})
    client.post(
        f"{url}/rounds/",
        {
            "kind": "phone_screen",
            "interviewer": org.hr.pk,
            "scheduled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    client.post(f"{url}/move/", {"to_stage": "interview"})
    client.post(f"{url}/offer/", {"start_date": start, "note": "底薪4500"})
    client.post(f"{url}/decision/", {"answer": "accept"})
    page = client.get(f"{url}/")
    hired = client.post(f"{url}/hire/", {"employee_no": "E500", "hire_date": start})
    # then
    assert page.context["hire_form"].initial["employee_no"] == "E001"
    assert hired.status_code == 302
    candidate.refresh_from_db()
    employee = Employee.objects.get(employee_no="E500")
    assert (candidate.stage, candidate.employee, employee.team, employee.manager) == (
        "hired",
        employee,
        org.t1,
        org.s1,
    )
    shown = client.get(f"{url}/").content.decode()
    assert f'href="/people/{employee.pk}/"' in shown


def test_a_taken_employee_number_in_the_hire_form_is_refused_and_nothing_stored(
    org, login_en, pipeline
):
    # given
    candidate = pipeline["offered"]
    services.candidate_decide(actor=org.hr.user, candidate=candidate, accepted=True)
    client = login_en(org.hr)
    before = (counts(), states())
    # when
    response = client.post(
        f"/recruiting/candidates/{candidate.pk}/hire/",
        {"employee_no": "S1", "hire_date": timezone.localdate().isoformat()},
    )
    # then
    assert response.status_code == 400
    assert "The employee number S1 is already taken by 李主管." in response.content.decode()
    assert response.context["hire_form"].data["employee_no"] == "S1"
    assert (counts(), states()) == before


def test_a_rejection_without_reason_is_refused_on_the_page(org, login_en, pipeline):
    # given
    client = login_en(org.hr)
    candidate = pipeline["applied"]
    # when
    response = client.post(
        f"/recruiting/candidates/{candidate.pk}/move/", {"to_stage": "rejected"}, follow=True
    )
    # then
    assert "Give the reason for rejecting the candidate." in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.stage == "applied"


# -- scorecards and "My interviews" ------------------------------------------------------------


def _scorecard_post(values: dict | None = None, recommendation="yes") -> dict:
    data = {f"rating_{c}": v for c, v in (values or ratings(4)).items()}
    return {**data, "recommendation": recommendation, "notes": "好"}


def test_the_assigned_interviewer_fills_the_scorecard_on_the_page(org, login, pipeline):
    # given
    client = login(org.r1)
    url = f"/recruiting/rounds/{pipeline['pending'].pk}/"
    # when
    page = client.get(url)
    response = client.post(url, _scorecard_post(ratings(3, learning=5)))
    # then
    assert page.status_code == 200
    assert response.status_code == 302
    card = Scorecard.objects.get(round=pipeline["pending"])
    assert dict(card.ratings.values_list("criterion", "score"))["learning"] == 5
    # and it is not changed afterwards
    again = client.post(url, _scorecard_post(ratings(1), "strong_no"))
    assert again.status_code == 302
    assert set(card.ratings.values_list("score", flat=True)) == {3, 5}


def test_a_score_out_of_range_on_the_page_is_refused_and_nothing_stored(org, login, pipeline):
    # given
    client = login(org.r1)
    before = counts()
    # when
    response = client.post(
        f"/recruiting/rounds/{pipeline['pending'].pk}/", _scorecard_post(ratings(4, learning=6))
    )
    # then
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("who", ["s1", "s2", "manager", "r2", "staff"])
def test_nobody_else_fills_a_rounds_scorecard_on_the_page(org, login, pipeline, who):
    # given: round 2 is R1's
    client = login(getattr(org, who))
    before = counts()
    # when
    response = client.post(f"/recruiting/rounds/{pipeline['pending'].pk}/", _scorecard_post())
    # then
    assert response.status_code == 404
    assert counts() == before


def test_a_submitted_scorecard_is_read_by_those_who_see_all_rounds(org, login, pipeline):
    # when / then
    url = f"/recruiting/rounds/{pipeline['held'].pk}/"
    assert login(org.s1).get(url).status_code == 200
    assert login(org.manager).get(url).status_code == 200
    assert login(org.s2).get(url).status_code == 404


def test_my_interviews_lists_the_rounds_i_hold(org, login, pipeline):
    # when
    mine = login(org.r1).get("/recruiting/interviews/")
    # then
    assert mine.status_code == 200
    assert [(r.candidate.name, r.number) for r in mine.context["page"]] == [("乙", 2)]


def test_my_interviews_is_in_the_menu_of_an_interviewer_only(org, login, pipeline):
    # when
    r1 = login(org.r1).get("/recruiting/interviews/")
    keys = {item["key"] for item in r1.context["menu"]}
    r2 = login(org.r2).get("/")
    other = {item["key"] for item in r2.context["menu"]}
    # then
    assert "my-interviews" in keys and "recruiting" not in keys
    assert "my-interviews" not in other
    assert login(org.r2).get("/recruiting/interviews/").status_code == 404
    assert login(org.staff).get("/recruiting/interviews/").status_code == 404


def test_the_recruiting_menu_entry_for_hr_and_supervisors(org, login, pipeline):
    # when
    hr = {i["key"]: i["group"] for i in login(org.hr).get("/").context["menu"]}
    s1 = {i["key"]: i["group"] for i in login(org.s1).get("/").context["menu"]}
    # then
    assert hr["recruiting"] == "people" and s1["recruiting"] == "people"
