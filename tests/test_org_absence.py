"""Recording leave on the employee profile (issue 5: leave lowers capacity and the plan)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from telesales.org.models import Absence
from telesales.org.services import AbsenceError, absence_record


@pytest.fixture
def login(login):
    """Pages compared as English text are asked for in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


def _post(client, employee, **data):
    return client.post(
        reverse("employee-absence", args=[employee.pk]),
        {"start": "2026-08-03", "end": "2026-08-07", "kind": "annual", "note": "", **data},
        follow=True,
    )


def test_a_supervisor_records_leave_of_a_rep(org, login, english):
    # given S1 on R1's profile
    client = login(org.s1)
    assert "Record leave" in client.get(reverse("employee-detail", args=[org.r1.pk])).text
    # when S1 records a week of leave
    response = _post(client, org.r1)
    # then it is stored and shown
    assert "The leave is recorded." in response.text
    absence = Absence.objects.get(employee=org.r1)
    assert (absence.start, absence.end) == (dt.date(2026, 8, 3), dt.date(2026, 8, 7))


def test_overlapping_or_backwards_leave_is_refused(org, login, english):
    client = login(org.s1)
    _post(client, org.r1)
    response = _post(client, org.r1, start="2026-08-07", end="2026-08-10")
    assert "already has leave from 2026-08-03 to 2026-08-07" in response.text
    response = _post(client, org.r1, start="2026-08-20", end="2026-08-10")
    assert "The leave ends before it starts." in response.text
    assert Absence.objects.count() == 1
    with pytest.raises(AbsenceError):
        absence_record(
            actor=None, employee=org.r1, start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 3)
        )


@pytest.mark.parametrize(
    ("who", "whom", "status"),
    [("r1", "r1", 403), ("r2", "r1", 404), ("s2", "r1", 404), ("staff", "r1", 404)],
)
def test_leave_out_of_scope_is_refused_and_nothing_stored(org, login, who, whom, status):
    client = login(getattr(org, who))
    response = client.post(
        reverse("employee-absence", args=[getattr(org, whom).pk]),
        {"start": "2026-08-03", "end": "2026-08-07", "kind": "annual"},
    )
    assert response.status_code == status
    assert not Absence.objects.exists()
