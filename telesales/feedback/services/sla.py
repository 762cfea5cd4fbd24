"""SLA rules: hours to resolve a ticket by kind and priority (the SLA page)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.feedback import access
from telesales.feedback.models import (
    SlaRule,
)
from telesales.feedback.services.common import codes_validate

MAX_SLA_HOURS = 24 * 365


def sla_hours_for(kind: str, priority: str) -> int:
    rule = SlaRule.objects.filter(kind=kind, priority=priority).first()
    if rule is None:
        raise ValidationError(
            _("There is no SLA rule for %(kind)s tickets of %(priority)s priority.")
            % {"kind": kind, "priority": priority}
        )
    return rule.hours


@transaction.atomic
def sla_rule_set(*, actor, kind: str, priority: str, hours: int) -> SlaRule:
    """Hours to resolve tickets of a kind and priority opened from now on; tickets already
    open keep the SLA they were opened with."""
    if not access.can_edit_sla(actor):
        raise PermissionDenied(_("Only administrators change SLA rules."))
    codes_validate(kind, priority)
    if not 1 <= int(hours) <= MAX_SLA_HOURS:
        raise ValidationError(
            _("SLA hours must be between 1 and %(max)s.") % {"max": MAX_SLA_HOURS}
        )
    rule = SlaRule.objects.select_for_update().filter(kind=kind, priority=priority).first()
    if rule is None:
        rule = SlaRule.objects.create(kind=kind, priority=priority, hours=hours)
        audit_record(actor=actor, action="sla_rule.create", obj=rule, after=snapshot(rule))
        return rule
    before = snapshot(rule)
    rule.hours = hours
    rule.save(update_fields=["hours"])
    audit_record(
        actor=actor, action="sla_rule.update", obj=rule, before=before, after=snapshot(rule)
    )
    return rule


@transaction.atomic
def sla_rules_update(*, actor, hours: dict[tuple[str, str], int]) -> int:
    """Set several SLA rules at once (the SLA page); returns how many changed."""
    stored = {(r.kind, r.priority): r.hours for r in SlaRule.objects.all()}
    changed = 0
    for (kind, priority), value in hours.items():
        if stored.get((kind, priority)) != value:
            sla_rule_set(actor=actor, kind=kind, priority=priority, hours=value)
            changed += 1
    return changed
