"""Mentors: assigning a mentor to a mentee and ending the mentorship. A person has at most
one mentor at a time."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.development import access
from telesales.people.development.models import Mentorship
from telesales.people.development.services.common import is_employed, refuse, user_of

MENTORSHIP_FIELDS = ["mentor_id", "mentee_id", "start", "end", "purpose", "end_note"]


def _overlapping(mentee: Employee, start: dt.date, end: dt.date | None):
    """The mentee's mentorships whose days meet [start, end] (an open end runs on)."""
    rows = Mentorship.objects.filter(mentee=mentee).filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        rows = rows.filter(start__lte=end)
    return rows


@transaction.atomic
def mentorship_start(
    *,
    actor,
    mentor: Employee,
    mentee: Employee,
    start: dt.date,
    end: dt.date | None = None,
    purpose: str = "",
) -> Mentorship:
    """Assign a mentor to a mentee in the actor's charge. Refused when the mentee would have
    two mentors on any day: end the current mentorship first."""
    if not access.can_manage_employee(actor, mentee) or not access.can_name_mentor(actor, mentor):
        refuse()
    if mentor.pk == mentee.pk:
        raise ValidationError(_("A person cannot be their own mentor."))
    if end is not None and end < start:
        raise ValidationError(_("The end of the mentorship cannot be before its start."))
    for person in (mentee, mentor):
        if not is_employed(person, start):
            raise ValidationError(
                _("%(name)s is not employed on %(date)s.")
                % {"name": person.name, "date": start.isoformat()}
            )
    # Serialise assignments to the same mentee, so that two at once cannot both pass the check.
    Employee.objects.select_for_update().filter(pk=mentee.pk).first()
    current = _overlapping(mentee, start, end).select_related("mentor").first()
    if current is not None:
        raise ValidationError(
            _(
                "%(mentee)s already has a mentor, %(mentor)s, from %(start)s; a person has one "
                "mentor at a time. End that mentorship first."
            )
            % {
                "mentee": mentee.name,
                "mentor": current.mentor.name,
                "start": current.start.isoformat(),
            }
        )
    mentorship = Mentorship.objects.create(
        mentor=mentor,
        mentee=mentee,
        start=start,
        end=end,
        purpose=(purpose or "").strip(),
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="mentorship.start",
        obj=mentorship,
        after=snapshot(mentorship, MENTORSHIP_FIELDS),
    )
    return mentorship


@transaction.atomic
def mentorship_end(*, actor, mentorship: Mentorship, end: dt.date, note: str = "") -> Mentorship:
    """End a mentorship on a day (its last day); an ended mentorship may only end earlier."""
    mentorship = (
        Mentorship.objects.select_for_update().select_related("mentee").get(pk=mentorship.pk)
    )
    if not access.can_manage_employee(actor, mentorship.mentee):
        refuse()
    if end < mentorship.start:
        raise ValidationError(
            _("The mentorship cannot end before it started (%(start)s).")
            % {"start": mentorship.start.isoformat()}
        )
    if mentorship.end is not None and mentorship.end <= end:
        raise ValidationError(
            _("This mentorship already ends on %(end)s.") % {"end": mentorship.end.isoformat()}
        )
    before = snapshot(mentorship, MENTORSHIP_FIELDS)
    mentorship.end = end
    mentorship.end_note = (note or "").strip()[:300]
    mentorship.save(update_fields=["end", "end_note", "updated_at"])
    audit_record(
        actor=actor,
        action="mentorship.end",
        obj=mentorship,
        before=before,
        after=snapshot(mentorship, MENTORSHIP_FIELDS),
    )
    return mentorship
