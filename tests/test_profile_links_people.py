"""The chips of the employee profile that lead to a person's QA reviews, coaching and
development: shown to whoever may open those pages for that person, and leading to pages that
show that person's records."""

from __future__ import annotations

import re
from html import unescape

import pytest

from telesales.core.navigation import profile_links_for
from telesales.qa.models import CoachingSession
from telesales.qa.services import coaching_session_record, review_save
from tests.test_qa_support import default_version, make_calls, mapped, marks

_CHIPS = re.compile(r'data-testid="profile-links">(.*?)</nav>', re.S)
_CHIP = re.compile(r'<a class="chip" href="([^"]*)">([^<]*)</a>')

PEOPLE_LINKS = ("qa-", "development")


def chips(client, employee) -> list[tuple[str, str]]:
    """The profile's chips of QA and development: (label, link)."""
    response = client.get(f"/people/{employee.pk}/")
    assert response.status_code == 200
    found = _CHIPS.search(response.content.decode())
    if found is None:
        return []
    return [
        (unescape(label), unescape(href))
        for href, label in _CHIP.findall(found.group(1))
        if unescape(href).startswith(("/qa/", "/development/"))
    ]


def keys(user, employee) -> list[str]:
    return [
        link["key"]
        for link in profile_links_for(user, employee)
        if link["key"].startswith(PEOPLE_LINKS)
    ]


@pytest.fixture
def reviewed(org):
    """S1 reviewed a call of R1 and one of R2, and coached R1."""
    mapped(org)
    version = default_version()
    r1_call, r2_call = make_calls(
        [("R1", "2026-03-02 10:00:00", 120), ("R2", "2026-03-02 11:00:00", 130)]
    )
    for call in (r1_call, r2_call):
        review_save(
            actor=org.s1.user, call=call, version=version, marks=marks(version, {}), submit=True
        )
    coaching_session_record(
        actor=org.s1.user,
        kind=CoachingSession.Kind.ONE_TO_ONE,
        rep=org.r1,
        held_on=r1_call.local_date,
        notes="复盘开场白",
    )
    return org


def test_a_supervisor_sees_a_reps_qa_coaching_and_development(org, login_en):
    # when
    seen = chips(login_en(org.s1), org.r1)
    # then
    assert seen == [
        ("Development plan", f"/development/people/{org.r1.pk}/"),
        ("QA reviews", f"/qa/reviews/?rep={org.r1.pk}"),
        ("Coaching", f"/qa/coaching/?rep={org.r1.pk}"),
    ]


def _rows(html: str, testid: str) -> list[str]:
    return re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', html, re.S)


def test_the_qa_links_show_that_reps_records_only(reviewed, login_en):
    # given
    client = login_en(reviewed.s1)
    # when
    reviews = client.get(f"/qa/reviews/?rep={reviewed.r1.pk}").content.decode()
    coaching = client.get(f"/qa/coaching/?rep={reviewed.r1.pk}").content.decode()
    r2_coaching = client.get(f"/qa/coaching/?rep={reviewed.r2.pk}").content.decode()
    development = client.get(f"/development/people/{reviewed.r1.pk}/")
    # then: R1's review of the two, R1's session, no filter error
    (review,) = _rows(reviews, "review-row")
    assert reviewed.r1.name in review
    assert len(_rows(coaching, "coaching-row")) == 1
    assert _rows(r2_coaching, "coaching-row") == []
    assert 'role="alert"' not in reviews + coaching
    assert development.status_code == 200


def test_a_rep_on_their_own_profile_gets_their_own_lists(reviewed, login_en):
    # when
    client = login_en(reviewed.r1)
    seen = chips(client, reviewed.r1)
    # then: the lists hold only their own records, so no filter
    assert seen == [
        ("Development plan", f"/development/people/{reviewed.r1.pk}/"),
        ("QA reviews", "/qa/reviews/"),
        ("Coaching", "/qa/coaching/"),
    ]
    assert client.get("/qa/reviews/").content.decode().count('data-testid="review-row"') == 1
    assert client.get(f"/development/people/{reviewed.r1.pk}/").status_code == 200


def test_the_manager_and_hr_see_the_qa_links_of_a_rep(org):
    assert keys(org.manager.user, org.r1) == ["development", "qa-reviews", "qa-coaching"]
    assert keys(org.hr.user, org.r1) == ["development", "qa-reviews", "qa-coaching"]


def test_no_qa_link_for_a_supervisors_profile_or_ones_own_when_not_a_rep(org, login_en):
    # then: a supervisor's calls are not in the rep filter; staff have no QA pages
    assert chips(login_en(org.manager), org.s1) == [
        ("Development plan", f"/development/people/{org.s1.pk}/")
    ]
    assert chips(login_en(org.s1), org.s1) == [
        ("Development plan", f"/development/people/{org.s1.pk}/")
    ]
    assert chips(login_en(org.staff), org.staff) == [
        ("Development plan", f"/development/people/{org.staff.pk}/")
    ]


def test_out_of_scope_users_get_no_link_and_no_profile(org, login_en):
    # then: another team's supervisor, another rep, staff
    assert keys(org.s2.user, org.r1) == []
    assert keys(org.r2.user, org.r1) == []
    assert keys(org.staff.user, org.r1) == []
    assert login_en(org.s2).get(f"/people/{org.r1.pk}/").status_code == 404
