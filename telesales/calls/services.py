"""Writes of the calls pages: saved column mappings for generic exports, and mapping an
unknown extension to an employee. Each is atomic and audited in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.calls import layouts
from telesales.calls.models import Call, ColumnMapping
from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee

MAPPING_FIELDS = ["name", "system", "date_order", "columns"]


def _clean_columns(columns: dict[str, str]) -> dict[str, str]:
    """Only the fields a layout knows, with their header names trimmed; blanks left out."""
    cleaned = {
        field: str(columns.get(field) or "").strip()
        for field in layouts.FIELDS
        if str(columns.get(field) or "").strip()
    }
    missing = [field for field in layouts.REQUIRED_FIELDS if field not in cleaned]
    if missing:
        raise ValidationError(
            _("A column mapping needs the columns %(fields)s.")
            % {"fields": ", ".join(str(layouts.FIELD_LABELS[f]) for f in missing)}
        )
    return cleaned


def _check_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the column mapping a name."))
    if name in layouts.NAMED_LAYOUTS:
        raise ValidationError(
            _("“%(name)s” is the name of a built-in layout; choose another name.") % {"name": name}
        )
    taken = ColumnMapping.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            _("There is already a column mapping named “%(name)s”.") % {"name": name}
        )
    return name


@transaction.atomic
def column_mapping_create(
    *, actor, name: str, system: str, date_order: str, columns: dict[str, str]
) -> ColumnMapping:
    """A new saved column mapping; the start time, source and destination must be named."""
    mapping = ColumnMapping.objects.create(
        name=_check_name(name),
        system=(system or "generic").strip(),
        date_order=date_order or ColumnMapping.DateOrder.AUTO,
        columns=_clean_columns(columns),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="column_mapping.create",
        obj=mapping,
        after=snapshot(mapping, MAPPING_FIELDS),
    )
    return mapping


@transaction.atomic
def column_mapping_update(
    *,
    actor,
    mapping: ColumnMapping,
    name: str,
    system: str,
    date_order: str,
    columns: dict[str, str],
) -> ColumnMapping:
    """Change a saved mapping; imports already run keep the calls they stored."""
    mapping = ColumnMapping.objects.select_for_update().get(pk=mapping.pk)
    before = snapshot(mapping, MAPPING_FIELDS)
    mapping.name = _check_name(name, exclude_pk=mapping.pk)
    mapping.system = (system or "generic").strip()
    mapping.date_order = date_order or ColumnMapping.DateOrder.AUTO
    mapping.columns = _clean_columns(columns)
    mapping.save()
    audit_record(
        actor=actor,
        action="column_mapping.update",
        obj=mapping,
        before=before,
        after=snapshot(mapping, MAPPING_FIELDS),
    )
    return mapping


@transaction.atomic
def column_mapping_delete(*, actor, mapping: ColumnMapping) -> None:
    before = snapshot(mapping, MAPPING_FIELDS)
    audit_record(actor=actor, action="column_mapping.delete", obj=mapping, before=before)
    mapping.delete()


@transaction.atomic
def extension_map(
    *,
    actor,
    number: str,
    employee: Employee,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> int:
    """Give an unmapped extension to an employee through the organisation's service; the
    calls of that number in the range follow (calls.attribution listens). Returns how many
    calls of the number now belong to the employee."""
    from telesales.org.services import extension_assign

    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError(_("The end date must be after the start date."))
    extension_assign(
        actor=actor, employee=employee, number=number, valid_from=valid_from, valid_to=valid_to
    )
    return Call.objects.filter(extension=number, employee=employee).count()
