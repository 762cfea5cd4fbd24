"""Team activities (source §2.2.4): recorded by the team's line, HR or an administrator with
participants and cost; bad inputs and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.people.morale.models import TeamActivity
from telesales.people.morale.services import team_activity_record, team_activity_update
from tests.conftest import _person

pytestmark = pytest.mark.usefixtures("english")


def _activity(
    org,
    *,
    actor=None,
    team=None,
    title="月度团建聚餐",
    day="2026-03-20",
    cost="360",
    participants=None,
):
    return team_activity_record(
        actor=(actor or org.s1).user,
        team=team or org.t1,
        title=title,
        date=dt.date.fromisoformat(day),
        cost=cost,
        notes="火锅",
        participants=participants if participants is not None else [org.r1, org.r2, org.s1],
    )


def test_an_activity_is_recorded_with_its_participants_and_cost(org):
    # when
    activity = _activity(org)
    # then
    activity.refresh_from_db()
    assert (activity.team, activity.title, activity.cost, activity.notes) == (
        org.t1,
        "月度团建聚餐",
        D("360.00"),
        "火锅",
    )
    assert set(activity.participants.all()) == {org.r1, org.r2, org.s1}
    audit = AuditEvent.objects.get(action="morale.activity_record")
    assert audit.after["participants"] == sorted([org.r1.pk, org.r2.pk, org.s1.pk])


def test_an_activity_is_corrected_and_audited(org):
    # given
    activity = _activity(org)
    # when
    team_activity_update(
        actor=org.manager.user,
        activity=activity,
        title="月度团建",
        date=dt.date(2026, 3, 21),
        cost=D("240"),
        notes="",
        participants=[org.r1, org.r2],
    )
    # then
    activity.refresh_from_db()
    assert (activity.title, activity.cost, activity.participants.count()) == (
        "月度团建",
        D("240.00"),
        2,
    )
    audit = AuditEvent.objects.get(action="morale.activity_update")
    assert audit.before["cost"] == "360.00" and audit.after["cost"] == "240.00"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cost": "abc"}, "The cost must be a number."),
        ({"cost": "-1"}, "The cost cannot be negative."),
        ({"title": " "}, "The title is required."),
        ({"day": "2999-01-01"}, "The date cannot be in the future."),
        ({"day": "2025-01-01"}, "Not employed on 2025-01-01: 张一, 张二, 李主管."),
    ],
)
def test_bad_inputs_are_refused_with_a_message_and_nothing_stored(org, changes, message):
    # when
    with pytest.raises(ValidationError) as error:
        _activity(org, **changes)
    # then
    assert error.value.messages == [message]
    assert TeamActivity.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "s2", "staff"])
def test_only_the_teams_line_hr_and_admin_keep_its_activities(org, who):
    # when / then
    with pytest.raises(PermissionDenied):
        _activity(org, actor=getattr(org, who))
    assert TeamActivity.objects.count() == 0


def test_hr_and_admin_keep_every_teams_activities(org):
    # when
    _activity(org, actor=org.hr, team=org.t2, participants=[org.r3])
    _activity(org, actor=org.admin, team=org.t1)
    # then
    assert TeamActivity.objects.count() == 2


def test_the_list_shows_the_count_and_cost_of_the_period(org, login_en):
    # given
    _activity(org, title="三月团建", cost="360")
    _activity(org, title="三月下午茶", day="2026-03-27", cost="99.5")
    _activity(org, title="二月聚餐", day="2026-02-20", cost="1000")
    _activity(org, actor=org.s2, team=org.t2, title="二组活动", participants=[org.r3])
    client = login_en(org.s1)
    # when
    page = client.get("/morale/activities/?period=2026-03").content.decode()
    # then
    assert "三月团建" in page and "三月下午茶" in page
    assert "二月聚餐" not in page and "二组活动" not in page
    assert 'data-testid="activity-count">2<' in page
    assert 'data-testid="activity-cost">459.50<' in page


def test_a_supervisor_records_an_activity_on_the_page(org, login):
    # given
    client = login(org.s1)
    # when
    response = client.post(
        "/morale/activities/new/",
        {
            "team": org.t1.pk,
            "title": "读书分享会",
            "date": "2026-03-20",
            "participants": [org.r1.pk, org.r2.pk],
            "cost": "60",
            "notes": "",
        },
    )
    # then
    activity = TeamActivity.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/morale/activities/{activity.pk}/"
    )
    assert set(activity.participants.all()) == {org.r1, org.r2}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cost": "abc"}, "Enter a number."),
        ({"date": "2999-01-01"}, "The date cannot be in the future."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_inputs_on_the_page_get_a_message_and_store_nothing(org, login_en, data, message):
    # given
    client = login_en(org.s1)
    posted = {"team": org.t1.pk, "title": "聚餐", "date": "2026-03-20", "cost": "60"} | data
    # when
    response = client.post("/morale/activities/new/", posted)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TeamActivity.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "team", "participants"),
    [
        ("r1", "t1", []),
        ("staff", "t1", []),
        ("s2", "t1", []),
        ("s1", "t2", []),
        ("s1", "t1", ["r3"]),
    ],
)
def test_out_of_scope_posts_are_a_404_and_change_nothing(org, login, who, team, participants):
    # given
    client = login(getattr(org, who))
    # when
    response = client.post(
        "/morale/activities/new/",
        {
            "team": getattr(org, team).pk,
            "title": "聚餐",
            "date": "2026-03-20",
            "cost": "60",
            "participants": [getattr(org, p).pk for p in participants],
        },
    )
    # then
    assert response.status_code == 404
    assert TeamActivity.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_an_activity_out_of_scope_is_a_404_and_unchanged(org, login, who):
    # given
    activity = _activity(org)
    client = login(getattr(org, who))
    # when
    shown = client.get(f"/morale/activities/{activity.pk}/")
    edit = client.get(f"/morale/activities/{activity.pk}/edit/")
    posted = client.post(
        f"/morale/activities/{activity.pk}/edit/",
        {"title": "改了", "date": "2026-03-20", "cost": "1"},
    )
    listed = client.get("/morale/activities/?period=2026-03")
    # then
    assert (shown.status_code, edit.status_code, posted.status_code) == (404, 404, 404)
    assert "月度团建聚餐" not in listed.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.cost) == ("月度团建聚餐", D("360.00"))


def test_the_line_edits_on_the_page(org, login):
    # given
    activity = _activity(org)
    r9 = _person("R9", "新人", Role.REP, team=org.t1, manager=org.s1, hire=dt.date(2026, 1, 5))
    client = login(org.manager)
    # when
    response = client.post(
        f"/morale/activities/{activity.pk}/edit/",
        {"title": "改了", "date": "2026-03-20", "cost": "1", "participants": [r9.pk]},
    )
    # then
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, list(activity.participants.all())) == ("改了", [r9])
