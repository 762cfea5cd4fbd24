"""The writes of a follow-up record check: create, finish a draft, acknowledge, discard;
each atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee, Role
from telesales.qa.followups.access import (
    checkable_reps,
    may_acknowledge_check,
    may_check,
    may_edit_check,
)
from telesales.qa.followups.records import record_facts
from telesales.qa.followups.rules import (
    CHECK_FIELDS,
    MARKS,
    MOVES,
    Status,
    followup_verdict,
    pass_share,
)
from telesales.qa.followups.selectors import customers_for_check, followup_sample
from telesales.qa.models import FOLLOWUP_POINTS, FollowUpCheck, FollowUpCheckItem
from telesales.qa.services.common import employee_of, user_of


@dataclass(frozen=True)
class ItemMarks:
    """What the checker gave one customer's record: a mark per checklist point ("" while
    not decided) and a note."""

    customer_id: int
    marks: dict[str, str]
    note: str = ""


def _checker_for(actor, checker: Employee | None) -> Employee:
    if user_of(actor) is not None:
        employee = employee_of(actor)
        if employee is None or not may_check(actor):
            raise PermissionDenied(_("You may not check follow-up records."))
        return employee
    if checker is None:
        raise ValidationError(_("A check needs a checker."))
    return checker


def _clean_marks(
    customer_ids: list[int], given: Iterable[ItemMarks], *, complete: bool
) -> dict[int, ItemMarks]:
    """Marks by customer: only for the check's customers, only met / not met / not
    applicable; complete: every point of every customer marked."""
    cleaned: dict[int, ItemMarks] = {}
    for item in given:
        if item.customer_id not in customer_ids:
            raise ValidationError(_("A mark was given for a customer who is not in this check."))
        unknown = set(item.marks) - set(FOLLOWUP_POINTS)
        if unknown:
            raise ValidationError(
                _("“%(point)s” is not a point of the checklist.") % {"point": sorted(unknown)[0]}
            )
        marks: dict[str, str] = {}
        for point in FOLLOWUP_POINTS:
            value = (item.marks.get(point) or "").strip()
            if value and value not in MARKS:
                raise ValidationError(
                    _("“%(value)s” is not a mark; mark each point met, not met or not applicable.")
                    % {"value": value}
                )
            marks[point] = value
        cleaned[item.customer_id] = ItemMarks(item.customer_id, marks, (item.note or "")[:500])
    if complete:
        open_points = sum(
            1
            for pk in customer_ids
            for point in FOLLOWUP_POINTS
            if not (cleaned.get(pk) and cleaned[pk].marks[point])
        )
        if open_points:
            raise ValidationError(
                ngettext(
                    "Mark every point of every customer before submitting; %(count)s point is "
                    "not marked yet.",
                    "Mark every point of every customer before submitting; %(count)s points "
                    "are not marked yet.",
                    open_points,
                )
                % {"count": open_points}
            )
    return cleaned


def _move(check: FollowUpCheck, to_status: str) -> None:
    if check.status == to_status:
        return
    if (check.status, to_status) not in MOVES:
        raise ValidationError(_("This check is already submitted; it can no longer change."))
    check.status = to_status


def _fill(
    *,
    actor,
    check: FollowUpCheck,
    items: list[FollowUpCheckItem],
    marks: Iterable[ItemMarks],
    comment: str,
    submit: bool,
    at: dt.datetime | None,
    before: dict | None,
) -> FollowUpCheck:
    customer_ids = [item.customer_id for item in items]
    cleaned = _clean_marks(customer_ids, marks, complete=submit)
    for item in items:
        given = cleaned.get(item.customer_id)
        if given is not None:
            for point in FOLLOWUP_POINTS:
                setattr(item, point, given.marks[point])
            item.note = given.note
    check.comment = (comment or "").strip()
    if submit:
        share = pass_share()
        verdict = followup_verdict(
            [mark for item in items for mark in item.marks().values()], share
        )
        if verdict.result is None:
            raise ValidationError(
                _(
                    "Every point is marked not applicable; a check needs at least one point "
                    "met or not met."
                )
            )
        moment = at or timezone.now()
        _move(check, Status.SUBMITTED)
        check.met, check.applicable = verdict.met, verdict.applicable
        check.result, check.passed = verdict.result, verdict.passed
        check.pass_share = share
        check.submitted_at = moment
        check.checked_on = timezone.localtime(moment).date()
        for item in items:
            item.record = record_facts(item.customer)
    check.save()
    for item in items:
        item.followup_check = check
    if before is None:
        FollowUpCheckItem.objects.bulk_create(items)
    else:
        FollowUpCheckItem.objects.bulk_update(items, [*FOLLOWUP_POINTS, "note", "record"])
    after = snapshot(check, CHECK_FIELDS)
    after["items"] = [[item.customer_id, *item.marks().values()] for item in items]
    audit_record(
        actor=actor,
        action="qa.followup.submit" if submit else "qa.followup.save",
        obj=check,
        before=before,
        after=after,
    )
    return check


@transaction.atomic
def followup_check_create(
    *,
    actor,
    rep: Employee,
    customers: Iterable,
    marks: Iterable[ItemMarks] = (),
    comment: str = "",
    submit: bool = False,
    checker: Employee | None = None,
    at: dt.datetime | None = None,
) -> FollowUpCheck:
    """Check a rep's follow-up records: the chosen customers (the rep's own, 1 to
    MAX_CUSTOMERS) against the checklist, kept as a draft or submitted. Customers in the
    week's random sample are marked so. (`checker` names the checker when the system acts,
    as the demo does.)"""
    checker = _checker_for(actor, checker)
    if rep.pk == checker.pk:
        raise ValidationError(_("Nobody checks their own follow-up records."))
    if user_of(actor) is not None and not checkable_reps(actor).filter(pk=rep.pk).exists():
        raise PermissionDenied(_("You may not check the records of this person."))
    if rep.role != Role.REP:
        raise ValidationError(_("Follow-up records are checked for reps."))
    chosen = customers_for_check(rep, [c.pk for c in customers])
    moment = at or timezone.now()
    checked_on = timezone.localtime(moment).date()
    sampled = {c.pk for c in followup_sample(rep, week_start=checked_on)}
    check = FollowUpCheck(rep=rep, checker=checker, checked_on=checked_on, created_at=moment)
    items = [
        FollowUpCheckItem(customer=customer, sampled=customer.pk in sampled) for customer in chosen
    ]
    return _fill(
        actor=actor,
        check=check,
        items=items,
        marks=marks,
        comment=comment,
        submit=submit,
        at=at,
        before=None,
    )


@transaction.atomic
def followup_check_update(
    *,
    actor,
    check: FollowUpCheck,
    marks: Iterable[ItemMarks],
    comment: str = "",
    submit: bool = False,
    at: dt.datetime | None = None,
) -> FollowUpCheck:
    """Go on with a draft check: change its marks and comment, or submit it."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_edit_check(actor, check):
        raise PermissionDenied(_("You may not change this check."))
    items = list(check.items.select_related("customer__last_disposition").order_by("id"))
    before = snapshot(check, CHECK_FIELDS)
    before["items"] = [[item.customer_id, *item.marks().values()] for item in items]
    return _fill(
        actor=actor,
        check=check,
        items=items,
        marks=marks,
        comment=comment,
        submit=submit,
        at=at,
        before=before,
    )


@transaction.atomic
def followup_check_acknowledge(
    *, actor, check: FollowUpCheck, comment: str = "", at: dt.datetime | None = None
) -> FollowUpCheck:
    """The rep acknowledges a submitted check of their records, with an optional comment;
    the time is recorded."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_acknowledge_check(actor, check):
        raise PermissionDenied(_("You may not acknowledge this check."))
    before = snapshot(check, CHECK_FIELDS)
    check.acknowledged_at = at or timezone.now()
    check.acknowledgement = (comment or "").strip()[:4000]
    check.save(update_fields=["acknowledged_at", "acknowledgement"])
    audit_record(
        actor=actor,
        action="qa.followup.acknowledge",
        obj=check,
        before=before,
        after=snapshot(check, CHECK_FIELDS),
    )
    return check


@transaction.atomic
def followup_check_discard(*, actor, check: FollowUpCheck) -> None:
    """Throw a draft away; submitted checks stay."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_edit_check(actor, check):
        raise PermissionDenied(_("You may not change this check."))
    audit_record(
        actor=actor,
        action="qa.followup.discard",
        obj=check,
        before=snapshot(check, CHECK_FIELDS),
    )
    check.delete()
