"""Late extension mappings: when an extension changes hands, its calls follow the map.

Listens to org.Extension saves and deletes (the org services save extensions row by row
for this), re-attributes the calls of that number and rebuilds the roll-ups of everyone
who gained or lost calls, in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min
from django.db.models.signals import post_delete, post_save, pre_save

from telesales.calls.models import Call
from telesales.calls.rollups import rollup_rebuild, rollup_rebuild_keys, rollup_refresh_people


def calls_attribute(number: str, extra_owner_ids: set[int] = frozenset()) -> int:
    """Give each call of this extension to its owner on the call's date; returns how many
    calls are now attributed."""
    from telesales.org.models import Extension

    spans = list(
        Extension.objects.filter(number=number).values_list("valid_from", "valid_to", "employee_id")
    )
    owners = {employee_id for _f, _t, employee_id in spans} | set(extra_owner_ids)
    if spans:
        _now_internal(number)
    affected: dict[int, tuple[dt.date, dt.date]] = {}
    if owners:
        before = (
            Call.objects.filter(extension=number, employee_id__in=owners)
            .values("employee_id")
            .annotate(first=Min("local_date"), last=Max("local_date"))
        )
        for row in before:
            affected[row["employee_id"]] = (row["first"], row["last"])
        Call.objects.filter(extension=number, employee_id__in=owners).update(employee=None)
    attributed = 0
    for valid_from, valid_to, employee_id in spans:
        calls = Call.objects.filter(
            extension=number, employee__isnull=True, local_date__gte=valid_from
        )
        if valid_to is not None:
            calls = calls.filter(local_date__lt=valid_to)
        span = calls.aggregate(first=Min("local_date"), last=Max("local_date"))
        if span["first"] is None:
            continue
        attributed += calls.update(employee_id=employee_id)
        old = affected.get(employee_id)
        if old:
            span = {"first": min(old[0], span["first"]), "last": max(old[1], span["last"])}
        affected[employee_id] = (span["first"], span["last"])
    for employee_id, (first, last) in affected.items():
        rollup_rebuild([employee_id], first, last)
    return attributed


def _now_internal(number: str) -> None:
    """A number the internal-number pattern does not match (an agent id such as A1001)
    becomes internal once it is in the map. Calls it placed were read as inbound (from an
    outside number): they become its outbound or internal calls, taken from whoever they
    were given to; calls to it get it as their extension."""
    from telesales.calls.importer import Directions
    from telesales.core.config import setting_get
    from telesales.org.models import Extension

    known = set(Extension.objects.values_list("number", flat=True))
    directions = Directions(known, setting_get("calls.internal_pattern"))
    if Directions(set(), setting_get("calls.internal_pattern")).is_internal(number):
        return
    placed = list(
        Call.objects.filter(src=number, direction="inbound").values_list(
            "pk", "dst", "employee_id", "local_date"
        )
    )
    previous = set()
    for pk, dst, employee_id, day in placed:
        internal = directions.is_internal(dst)
        Call.objects.filter(pk=pk).update(
            direction="internal" if internal else "outbound",
            extension=number,
            customer_number="" if internal else dst,
            employee=None,
        )
        if employee_id is not None:
            previous.add((employee_id, day))
    Call.objects.filter(dst=number, direction="inbound", extension="").update(extension=number)
    rollup_rebuild_keys(previous)


def _extension_pre_save(sender, instance, **kwargs):
    if instance.pk:
        previous = sender.objects.filter(pk=instance.pk).values("number", "employee_id").first()
        instance._previous = previous


def _extension_changed(sender, instance, **kwargs):
    previous = getattr(instance, "_previous", None)
    calls_attribute(instance.number, {instance.employee_id})
    if previous and previous["number"] != instance.number:
        calls_attribute(previous["number"], {previous["employee_id"]})


def _assignment_changed(sender, instance, **kwargs):
    rollup_refresh_people(instance.employee_id)


def connect() -> None:
    from telesales.org.models import EmployeeEvent, Extension, TeamAssignment

    pre_save.connect(_extension_pre_save, sender=Extension, dispatch_uid="calls-ext-pre")
    post_save.connect(_extension_changed, sender=Extension, dispatch_uid="calls-ext-save")
    post_delete.connect(_extension_changed, sender=Extension, dispatch_uid="calls-ext-delete")
    post_save.connect(_assignment_changed, sender=TeamAssignment, dispatch_uid="calls-team-save")
    post_delete.connect(
        _assignment_changed, sender=TeamAssignment, dispatch_uid="calls-team-delete"
    )
    post_save.connect(_assignment_changed, sender=EmployeeEvent, dispatch_uid="calls-event-save")
    post_delete.connect(
        _assignment_changed, sender=EmployeeEvent, dispatch_uid="calls-event-delete"
    )
