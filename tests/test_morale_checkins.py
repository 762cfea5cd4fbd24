"""One-to-one morale check-ins (source §2.2.4): who holds them, the trend of a person and
the teams' averages by month, bad inputs, and private notes read only by the line and HR."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.org.services import employee_transfer
from telesales.people.morale import selectors
from telesales.people.morale.models import CheckIn
from telesales.people.morale.services import checkin_record, checkin_update

pytestmark = pytest.mark.usefixtures("english")

NOTE = "家里有事，私下说想离职"
SUMMARY = "下周一起复盘两通录音"


def _checkin(holder, employee, day, morale, *, notes="", summary=""):
    return checkin_record(
        actor=get_user_model().objects.get(pk=holder.user_id),  # scope as of now
        employee=employee,
        date=dt.date.fromisoformat(day),
        morale=morale,
        private_notes=notes,
        shared_summary=summary,
    )


@pytest.fixture
def checkins(org):
    """R1 with S1: 4 (10 Jan), 3 (10 Feb), 2 (10 Mar, with the private note and the summary).
    R2 with S1: 5 (12 Mar). R3 with S2: 4 (15 Mar), with a note of its own."""
    _checkin(org.s1, org.r1, "2026-01-10", 4)
    _checkin(org.s1, org.r1, "2026-02-10", 3)
    _checkin(org.s1, org.r1, "2026-03-10", 2, notes=NOTE, summary=SUMMARY)
    _checkin(org.s1, org.r2, "2026-03-12", 5)
    _checkin(org.s2, org.r3, "2026-03-15", 4, notes="R3 的私下记录", summary="R3 的下一步")
    return org


def test_a_check_in_is_held_by_the_supervisor_with_the_team_of_its_day(org):
    # given R1 moves to T2 on 16 March
    employee_transfer(actor=None, employee=org.r1, team=org.t2, date=dt.date(2026, 3, 16))
    # when the manager above holds a check-in for 10 March
    checkin = _checkin(org.manager, org.r1, "2026-03-10", 3, notes=NOTE, summary=SUMMARY)
    # then
    checkin.refresh_from_db()
    assert (checkin.held_by, checkin.team, checkin.morale) == (org.manager, org.t1, 3)
    assert (checkin.private_notes, checkin.shared_summary) == (NOTE, SUMMARY)


def test_the_audit_log_never_holds_the_private_notes(org):
    # given
    checkin = _checkin(org.s1, org.r1, "2026-03-10", 3, notes=NOTE, summary=SUMMARY)
    # when
    checkin_update(
        actor=org.s1.user,
        checkin=checkin,
        date=checkin.date,
        morale=2,
        private_notes=NOTE + "，已安排导师",
        shared_summary=SUMMARY,
    )
    # then
    events = AuditEvent.objects.filter(action__startswith="morale.checkin").order_by("id")
    assert [e.action for e in events] == ["morale.checkin_record", "morale.checkin_update"]
    assert events[0].after["private_notes_written"] is True
    assert events[1].before == {"morale": 3, "private_notes_changed": False}
    assert events[1].after == {"morale": 2, "private_notes_changed": True}
    for event in events:
        assert NOTE not in json.dumps([event.before, event.after], ensure_ascii=False)


@pytest.mark.parametrize("who", ["r2", "s2", "hr", "admin", "staff", "self"])
def test_only_the_line_holds_check_ins(org, who):
    # given
    holder, employee = {
        "r2": (org.r2, org.r1),
        "s2": (org.s2, org.r1),
        "hr": (org.hr, org.r1),
        "admin": (org.admin, org.r1),
        "staff": (org.staff, org.r1),
        "self": (org.s1, org.s1),
    }[who]
    # when / then
    with pytest.raises(PermissionDenied):
        _checkin(holder, employee, "2026-03-10", 3)
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("morale", "day", "message"),
    [
        (0, "2026-03-10", "Morale is a score from 1 to 5."),
        (6, "2026-03-10", "Morale is a score from 1 to 5."),
        ("abc", "2026-03-10", "Morale is a score from 1 to 5."),
        (None, "2026-03-10", "Morale is a score from 1 to 5."),
        (3, "tomorrow", "The date cannot be in the future."),
        (3, "2024-12-31", "张一 was not employed on 2024-12-31."),
    ],
)
def test_bad_inputs_are_refused_with_a_message_and_nothing_stored(org, morale, day, message):
    # given
    if day == "tomorrow":
        day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    # when
    with pytest.raises(ValidationError) as error:
        _checkin(org.s1, org.r1, day, morale)
    # then
    assert error.value.messages == [message]
    assert CheckIn.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="morale.").exists()


# -- trend and averages -------------------------------------------------------------------------


def test_the_trend_of_a_person_is_their_check_ins_in_date_order(checkins, login):
    # given
    client = login(checkins.s1)
    # when
    page = client.get(f"/morale/people/{checkins.r1.pk}/").content.decode()
    # then the chart reads the check-ins oldest first
    data = json.loads(re.search(r'id="trend-data"[^>]*>(.*?)</script>', page).group(1))
    assert data["days"] == ["2026-01-10", "2026-02-10", "2026-03-10"]
    assert data["series"][0]["values"] == [4, 3, 2]
    assert 'id="trend-chart"' in page and "plotly.min.js" in page


def test_team_average_by_month(checkins):
    # given a second T1 check-in in February
    _checkin(checkins.s1, checkins.r2, "2026-02-20", 4)
    # when
    averages = selectors.team_morale_by_month(
        [checkins.t1.pk, checkins.t2.pk], dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    )
    # then T1: January 4; February (3 + 4) / 2; March (2 + 5) / 2. T2: March 4.
    t1 = {month.isoformat(): (a.average, a.count) for month, a in averages[checkins.t1.pk].items()}
    assert t1 == {
        "2026-01-01": (D(4), 1),
        "2026-02-01": (D("3.5"), 2),
        "2026-03-01": (D("3.5"), 2),
    }
    assert {m.isoformat(): a.count for m, a in averages[checkins.t2.pk].items()} == {
        "2026-03-01": 1
    }


def test_the_overview_lists_the_people_with_their_latest_check_in(checkins, login_en):
    # given
    client = login_en(checkins.manager)
    # when
    response = client.get("/morale/checkins/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026-03-10" in page and "2026-03-15" in page
    assert NOTE not in page


def test_a_rep_goes_to_their_own_page(checkins, login):
    # when
    response = login(checkins.r1).get("/morale/checkins/")
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/morale/people/{checkins.r1.pk}/"


# -- private notes ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["s1", "manager", "hr"])
def test_the_line_and_hr_read_the_private_notes(checkins, login, who):
    # when
    page = login(getattr(checkins, who)).get(f"/morale/people/{checkins.r1.pk}/").content.decode()
    # then
    assert NOTE in page and SUMMARY in page


@pytest.mark.parametrize(
    ("who", "status"), [("r1", 200), ("admin", 200), ("r2", 404), ("s2", 404), ("staff", 404)]
)
def test_nobody_else_reads_the_private_notes(checkins, login, who, status):
    # given
    client = login(getattr(checkins, who))
    # when
    response = client.get(f"/morale/people/{checkins.r1.pk}/")
    # then the rep and the administrator see the score and the summary, never the notes
    page = response.content.decode()
    assert response.status_code == status
    assert NOTE not in page
    assert (SUMMARY in page) == (status == 200)
    for other in (
        "/morale/checkins/",
        f"/morale/checkins/{CheckIn.objects.get(private_notes=NOTE).pk}/edit/",
    ):
        assert NOTE not in client.get(other, follow=True).content.decode()


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff", "admin", "hr", "manager"])
def test_only_the_holder_corrects_a_check_in(checkins, login, who):
    # given
    checkin = CheckIn.objects.get(private_notes=NOTE)
    client = login(getattr(checkins, who))
    # when
    shown = client.get(f"/morale/checkins/{checkin.pk}/edit/")
    posted = client.post(
        f"/morale/checkins/{checkin.pk}/edit/",
        {"date": "2026-03-10", "morale": "5", "private_notes": "", "shared_summary": ""},
    )
    # then
    assert (shown.status_code, posted.status_code) == (404, 404)
    checkin.refresh_from_db()
    assert (checkin.morale, checkin.private_notes) == (2, NOTE)


def test_the_holder_corrects_a_check_in(checkins, login):
    # given
    checkin = CheckIn.objects.get(private_notes=NOTE)
    client = login(checkins.s1)
    # when
    response = client.post(
        f"/morale/checkins/{checkin.pk}/edit/",
        {"date": "2026-03-11", "morale": "3", "private_notes": "改过", "shared_summary": "改过的"},
    )
    # then
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.date, checkin.morale, checkin.private_notes) == (
        dt.date(2026, 3, 11),
        3,
        "改过",
    )


# -- the pages ----------------------------------------------------------------------------------


def test_a_supervisor_records_a_check_in_on_the_page(org, login):
    # given
    client = login(org.s1)
    # when
    response = client.post(
        "/morale/checkins/new/",
        {
            "employee": org.r2.pk,
            "date": "2026-03-10",
            "morale": "4",
            "private_notes": NOTE,
            "shared_summary": SUMMARY,
        },
    )
    # then
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.employee, checkin.held_by, checkin.morale) == (org.r2, org.s1, 4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"morale": "7"}, "Select a valid choice. 7 is not one of the available choices."),
        ({"morale": "0"}, "Select a valid choice. 0 is not one of the available choices."),
        ({"morale": ""}, "This field is required."),
        ({"date": "2999-01-01"}, "The date cannot be in the future."),
        ({"date": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_inputs_on_the_page_get_a_message_and_store_nothing(org, login_en, data, message):
    # given
    client = login_en(org.s1)
    posted = {"employee": org.r1.pk, "date": "2026-03-10", "morale": "4"} | data
    # when
    response = client.post("/morale/checkins/new/", posted)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "hr", "admin", "staff"])
def test_recording_a_check_in_out_of_the_line_is_a_404_and_changes_nothing(org, login, who):
    # given
    client = login(getattr(org, who))
    # when
    response = client.post(
        "/morale/checkins/new/", {"employee": org.r1.pk, "date": "2026-03-10", "morale": "4"}
    )
    # then
    assert response.status_code == 404
    assert CheckIn.objects.count() == 0


def test_the_overview_costs_the_same_queries_for_more_people(
    org, login, django_assert_max_num_queries
):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from telesales.org.models import Role
    from tests.conftest import _person

    client = login(org.hr)
    _checkin(org.s1, org.r1, "2026-03-10", 3)
    client.get("/morale/checkins/")
    with CaptureQueriesContext(connection) as few:
        client.get("/morale/checkins/")
    for number in range(12):
        rep = _person(f"R{number + 10}", f"新人{number}", Role.REP, team=org.t1, manager=org.s1)
        _checkin(org.s1, rep, "2026-03-10", 1 + number % 5)
        _checkin(org.s1, rep, "2026-02-10", 1 + number % 5)
    # when / then
    with django_assert_max_num_queries(len(few)):
        assert client.get("/morale/checkins/").status_code == 200


@pytest.mark.parametrize("who", ["s1", "r1", "hr", "admin"])
def test_the_employee_profile_links_to_the_morale_page(org, login, who):
    # when
    page = login(getattr(org, who)).get(f"/people/{org.r1.pk}/").content.decode()
    # then
    assert f'href="/morale/people/{org.r1.pk}/"' in page
