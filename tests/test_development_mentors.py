"""Mentors and rotations (source §2.2.3 導師制、輪崗實踐): one mentor at a time, ending a
mentorship, rotations as development records that leave the employee's team alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.org.models import Employee
from telesales.people.development.models import Mentorship, Rotation
from telesales.people.development.selectors import current_mentors
from telesales.people.development.services import (
    mentorship_end,
    mentorship_start,
    rotation_record,
    rotation_update,
)

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def test_a_mentor_is_assigned_and_audited(org):
    # when
    mentorship = mentorship_start(
        actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY - DAY, purpose="带教话术"
    )
    # then
    assert (mentorship.mentor, mentorship.mentee, mentorship.end) == (org.r2, org.r1, None)
    assert current_mentors([org.r1.pk], today=TODAY) == {org.r1.pk: mentorship}
    assert AuditEvent.objects.filter(action="mentorship.start").count() == 1


def test_a_second_mentor_at_the_same_time_is_refused(org, english):
    # given
    mentorship_start(actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY - 10 * DAY)
    # when
    with pytest.raises(ValidationError) as error:
        mentorship_start(actor=org.s1.user, mentor=org.s1, mentee=org.r1, start=TODAY)
    # then
    assert error.value.messages == [
        f"张一 already has a mentor, 张二, from {TODAY - 10 * DAY}; a person has one mentor at "
        "a time. End that mentorship first."
    ]
    assert Mentorship.objects.count() == 1


def test_a_fixed_term_mentorship_also_blocks_its_days(org, english):
    # given: R2 mentors R1 for the next 30 days
    mentorship_start(
        actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY, end=TODAY + 30 * DAY
    )
    # when / then: a mentorship from day 30 overlaps; one from day 31 does not
    with pytest.raises(ValidationError):
        mentorship_start(actor=org.s1.user, mentor=org.s1, mentee=org.r1, start=TODAY + 30 * DAY)
    later = mentorship_start(
        actor=org.s1.user, mentor=org.s1, mentee=org.r1, start=TODAY + 31 * DAY
    )
    assert Mentorship.objects.count() == 2
    assert later.start == TODAY + 31 * DAY


def test_after_ending_a_new_mentor_may_follow(org):
    # given
    first = mentorship_start(
        actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY - 60 * DAY
    )
    # when
    mentorship_end(actor=org.s1.user, mentorship=first, end=TODAY - DAY, note="已转正")
    second = mentorship_start(actor=org.s1.user, mentor=org.s1, mentee=org.r1, start=TODAY)
    # then
    first.refresh_from_db()
    assert (first.end, first.end_note) == (TODAY - DAY, "已转正")
    assert current_mentors([org.r1.pk], today=TODAY)[org.r1.pk] == second
    assert AuditEvent.objects.filter(action="mentorship.end").count() == 1


def test_the_database_also_allows_one_open_mentorship(org):
    # given
    mentorship_start(actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY)
    # when / then: a second open row written around the service is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.create(mentor=org.s1, mentee=org.r1, start=TODAY + DAY)


@pytest.mark.parametrize(
    ("mentor", "start", "end", "message"),
    [
        ("r1", TODAY, None, "A person cannot be their own mentor."),
        ("r2", TODAY, TODAY - DAY, "The end of the mentorship cannot be before its start."),
        ("r2", dt.date(2024, 1, 1), None, "张一 is not employed on 2024-01-01."),
    ],
)
def test_bad_mentorships_are_refused(org, english, mentor, start, end, message):
    # when
    with pytest.raises(ValidationError) as error:
        mentorship_start(
            actor=org.s1.user, mentor=getattr(org, mentor), mentee=org.r1, start=start, end=end
        )
    # then
    assert error.value.messages == [message]
    assert Mentorship.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "mentor", "mentee"),
    [
        ("r2", "r2", "r1"),  # a rep assigns nobody
        ("s2", "r3", "r1"),  # the mentee is outside S2's team
        ("s1", "r3", "r1"),  # the mentor is outside S1's team
        ("staff", "staff", "r1"),
    ],
)
def test_out_of_scope_assignments_are_refused(org, who, mentor, mentee):
    with pytest.raises(PermissionDenied):
        mentorship_start(
            actor=getattr(org, who).user,
            mentor=getattr(org, mentor),
            mentee=getattr(org, mentee),
            start=TODAY,
        )
    assert Mentorship.objects.count() == 0


def test_hr_assigns_a_mentor_across_teams(org):
    mentorship = mentorship_start(actor=org.hr.user, mentor=org.r3, mentee=org.r1, start=TODAY)
    assert mentorship.mentor == org.r3


def test_ending_rules(org, english):
    # given
    mentorship = mentorship_start(
        actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY - 5 * DAY
    )
    # when / then: not before the start
    with pytest.raises(ValidationError) as error:
        mentorship_end(actor=org.s1.user, mentorship=mentorship, end=TODAY - 6 * DAY)
    assert error.value.messages == [
        f"The mentorship cannot end before it started ({TODAY - 5 * DAY})."
    ]
    # ended once; a later end is refused, an earlier one is taken
    mentorship_end(actor=org.s1.user, mentorship=mentorship, end=TODAY - DAY)
    with pytest.raises(ValidationError) as error:
        mentorship_end(actor=org.s1.user, mentorship=mentorship, end=TODAY)
    assert error.value.messages == [f"This mentorship already ends on {TODAY - DAY}."]
    mentorship_end(actor=org.s1.user, mentorship=mentorship, end=TODAY - 2 * DAY)
    assert Mentorship.objects.get(pk=mentorship.pk).end == TODAY - 2 * DAY
    # S2 cannot end it
    with pytest.raises(PermissionDenied):
        mentorship_end(actor=org.s2.user, mentorship=mentorship, end=TODAY - 3 * DAY)
    assert Mentorship.objects.get(pk=mentorship.pk).end == TODAY - 2 * DAY


# --- rotations --------------------------------------------------------------------------------


def test_a_rotation_is_recorded_and_the_team_is_unchanged(org):
    # when
    rotation = rotation_record(
        actor=org.s1.user,
        employee=org.r1,
        to_team=org.t2,
        to_position="质检助理",
        start=TODAY - 10 * DAY,
        end=TODAY + 20 * DAY,
        purpose="学习质检",
    )
    rotation_update(
        actor=org.s1.user,
        rotation=rotation,
        to_team=org.t2,
        to_department=None,
        to_position="质检助理",
        start=rotation.start,
        end=rotation.end,
        purpose=rotation.purpose,
        outcome="掌握了评分标准",
    )
    # then
    assert Employee.objects.get(pk=org.r1.pk).team == org.t1
    assert Rotation.objects.get().outcome == "掌握了评分标准"
    assert list(
        AuditEvent.objects.filter(object_type="development.rotation")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["rotation.create", "rotation.update"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Say where the rotation goes: a team, a department or a position."),
        (
            {"to_team": "t1"},
            "张一 is already in team T1; a rotation goes somewhere else.",
        ),
        (
            {"to_position": "客服", "end": TODAY - 11 * DAY},
            "The end of the rotation cannot be before its start.",
        ),
        (
            {"to_position": "客服", "start": dt.date(2024, 1, 1)},
            "The rotation cannot start before 张一 was hired (2025-01-06).",
        ),
    ],
)
def test_bad_rotations_are_refused(org, english, fields, message):
    # given
    values = {"start": TODAY - 10 * DAY, **fields}
    if "to_team" in values:
        values["to_team"] = getattr(org, values["to_team"])
    # when
    with pytest.raises(ValidationError) as error:
        rotation_record(actor=org.s1.user, employee=org.r1, **values)
    # then
    assert error.value.messages == [message]
    assert Rotation.objects.count() == 0


@pytest.mark.parametrize("who", ["r1", "s2", "staff"])
def test_rotations_out_of_scope_are_refused(org, who):
    with pytest.raises(PermissionDenied):
        rotation_record(
            actor=getattr(org, who).user, employee=org.r1, to_position="客服", start=TODAY
        )
    assert Rotation.objects.count() == 0
