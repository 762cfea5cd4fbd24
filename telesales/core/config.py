"""Configurable values kept in the database, declared by the apps that use them.

An app declares a setting (key, label, default, form field) in ready(); pages read it
with setting_get() and administrators change it with setting_set(), which is audited and
calls the setting's on_change hook (the calls app recomputes its roll-ups, say)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction
from django.utils.functional import Promise

from telesales.core.audit import audit_record
from telesales.core.models import Setting


@dataclass(frozen=True)
class SettingDefinition:
    key: str
    label: Promise
    default: Any
    field: Callable[[], forms.Field]
    help: Promise | str = ""
    on_change: Callable[[Any, Any], None] | None = None
    order: int = 100


_DEFINITIONS: dict[str, SettingDefinition] = {}


def setting_declare(definition: SettingDefinition) -> None:
    _DEFINITIONS[definition.key] = definition


def setting_definitions() -> list[SettingDefinition]:
    return sorted(_DEFINITIONS.values(), key=lambda d: (d.order, d.key))


def setting_get(key: str) -> Any:
    definition = _DEFINITIONS[key]
    row = Setting.objects.filter(key=key).values_list("value", flat=True).first()
    return definition.default if row is None else row


@transaction.atomic
def setting_set(*, actor, key: str, value: Any) -> bool:
    """Store a new value; returns whether it changed. Audited; runs the change hook."""
    definition = _DEFINITIONS[key]
    before = setting_get(key)
    if before == value:
        return False
    row, _created = Setting.objects.update_or_create(
        key=key,
        defaults={"value": value, "updated_by": actor if getattr(actor, "pk", None) else None},
    )
    audit_record(
        actor=actor,
        action="setting.change",
        obj=row,
        before={"value": before},
        after={"value": value},
    )
    if definition.on_change is not None:
        definition.on_change(before, value)
    return True
