"""Onboarding templates: the sessions a new rep goes through in their first working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.people.training import access
from telesales.people.training.models import OnboardingTemplate, TemplateItem
from telesales.people.training.services.common import (
    duration_validate,
    refuse,
    topic_validate,
)

MAX_WORKDAY = 60


@dataclass(frozen=True)
class ItemData:
    topic: str
    title: str
    workday: int
    start_time: dt.time
    duration_minutes: int


def _items_of(template: OnboardingTemplate) -> list[dict]:
    return [
        {
            "topic": i.topic,
            "title": i.title,
            "workday": i.workday,
            "start_time": i.start_time.isoformat(timespec="minutes"),
            "duration_minutes": i.duration_minutes,
        }
        for i in template.items.all()
    ]


def _item_validate(item: ItemData, line: int) -> None:
    try:
        topic_validate(item.topic)
        if not item.title.strip():
            raise ValidationError(_("A session needs a title."))
        if not 1 <= item.workday <= MAX_WORKDAY:
            raise ValidationError(
                _("The working day is a number from 1 to %(max)s.") % {"max": MAX_WORKDAY}
            )
        duration_validate(item.duration_minutes)
    except ValidationError as error:
        raise ValidationError(
            _("Session %(line)s: %(reason)s") % {"line": line, "reason": " ".join(error.messages)}
        ) from None


@transaction.atomic
def template_items_save(
    *, actor, template: OnboardingTemplate, name: str, items: list[ItemData]
) -> OnboardingTemplate:
    """Replace a template's name and sessions; plans already made keep their sessions."""
    if not access.can_edit_templates(actor):
        raise refuse(_("You may not edit onboarding templates."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A template needs a name."))
    if not items:
        raise ValidationError(_("A template needs at least one session."))
    for line, item in enumerate(items, start=1):
        _item_validate(item, line)
    template = OnboardingTemplate.objects.select_for_update().get(pk=template.pk)
    before = {"name": template.name, "items": _items_of(template)}
    template.name = name[:200]
    template.save(update_fields=["name", "updated_at"])
    template.items.all().delete()
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, **{**asdict(item), "title": item.title.strip()[:200]})
        for item in items
    )
    audit_record(
        actor=actor,
        action="training.template.save",
        obj=template,
        before=before,
        after={"name": template.name, "items": _items_of(template)},
    )
    return template


@transaction.atomic
def template_create(
    *, actor, name: str, copy_from: OnboardingTemplate | None = None
) -> OnboardingTemplate:
    """A new, inactive template, with the sessions of `copy_from` when given."""
    if not access.can_edit_templates(actor):
        raise refuse(_("You may not edit onboarding templates."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A template needs a name."))
    template = OnboardingTemplate.objects.create(name=name[:200])
    if copy_from is not None:
        TemplateItem.objects.bulk_create(
            TemplateItem(
                template=template,
                topic=i.topic,
                title=i.title,
                workday=i.workday,
                start_time=i.start_time,
                duration_minutes=i.duration_minutes,
            )
            for i in copy_from.items.all()
        )
    audit_record(
        actor=actor,
        action="training.template.create",
        obj=template,
        after={"name": template.name, "items": _items_of(template)},
    )
    return template


@transaction.atomic
def template_activate(*, actor, template: OnboardingTemplate) -> OnboardingTemplate:
    """Make this the template new hires get; the one active before is no longer."""
    if not access.can_edit_templates(actor):
        raise refuse(_("You may not edit onboarding templates."))
    if template.is_active:
        return template
    if not template.items.exists():
        raise ValidationError(_("A template without sessions cannot be the active one."))
    previous = OnboardingTemplate.objects.select_for_update().filter(is_active=True).first()
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    template.is_active = True
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action="training.template.activate",
        obj=template,
        before={"active": previous.pk if previous else None},
        after={"active": template.pk},
    )
    return template


def template_active() -> OnboardingTemplate | None:
    return OnboardingTemplate.objects.filter(is_active=True).first()
