"""Writes to the configurable tables of the customers area: the tier rules and the call
outcomes (dispositions). Each is atomic and audited; a change of the rules (or of the
intent levels they compare) tiers every customer again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.crm.customers.intent import intent_levels
from telesales.crm.customers.tiering import condition_clean, customers_retier
from telesales.crm.models import Disposition, Tier, TierRule

# -- tier rules ---------------------------------------------------------------------------------------

RULE_FIELDS = ["order", "name", "tier", "conditions", "is_active"]


def _rule_clean(name: str, tier: str, conditions: list[dict]) -> list[dict]:
    if not name.strip():
        raise ValidationError(_("A rule needs a name."))
    if tier not in Tier.values:
        raise ValidationError(_("“%(value)s” is not a tier (A, B, C or D).") % {"value": tier})
    levels = intent_levels()
    return [condition_clean(c, levels) for c in conditions]


@transaction.atomic
def tier_rule_create(
    *,
    actor,
    name: str,
    tier: str,
    conditions: list[dict],
    order: int | None = None,
    is_active: bool = True,
) -> TierRule:
    """A new tier rule, last unless given an order; every customer is tiered again."""
    cleaned = _rule_clean(name, tier, conditions)
    if order is None:
        order = (TierRule.objects.aggregate(m=Max("order"))["m"] or 0) + 10
    rule = TierRule.objects.create(
        order=order, name=name.strip(), tier=tier, conditions=cleaned, is_active=is_active
    )
    audit_record(
        actor=actor, action="tier_rule.create", obj=rule, after=snapshot(rule, RULE_FIELDS)
    )
    customers_retier(actor=actor)
    return rule


@transaction.atomic
def tier_rule_update(*, actor, rule: TierRule, **changes) -> TierRule:
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    rule = TierRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.conditions = _rule_clean(rule.name, rule.tier, list(rule.conditions))
    rule.name = rule.name.strip()
    rule.save()
    if audit_record(
        actor=actor,
        action="tier_rule.update",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    ):
        customers_retier(actor=actor)
    return rule


@transaction.atomic
def tier_rule_delete(*, actor, rule: TierRule) -> None:
    before = snapshot(rule, RULE_FIELDS)
    audit_record(actor=actor, action="tier_rule.delete", obj=rule, before=before, after=None)
    rule.delete()
    customers_retier(actor=actor)


@transaction.atomic
def tier_rule_move(*, actor, rule: TierRule, up: bool) -> None:
    """Swap a rule with the one before (up) or after it; the rules are numbered 10, 20, …"""
    rules = list(TierRule.objects.select_for_update().order_by("order", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rules):
        return
    rules[index], rules[other] = rules[other], rules[index]
    for position, item in enumerate(rules, start=1):
        if item.order != position * 10:
            before = snapshot(item, ["order"])
            item.order = position * 10
            item.save(update_fields=["order"])
            audit_record(
                actor=actor,
                action="tier_rule.update",
                obj=item,
                before=before,
                after=snapshot(item, ["order"]),
            )
    customers_retier(actor=actor)


def intent_settings_changed(before, after) -> None:
    """The order of intent levels (or the threshold) changed: rules compare levels by it."""
    customers_retier(actor="settings")


# -- dispositions -------------------------------------------------------------------------------------

FLAGS = ["contact", "intent", "sale", "callback", "dnc", "not_interested", "unworkable"]
DISPOSITION_FIELDS = ["code", "label", *FLAGS, "recycle_after_days", "max_attempts", "order"]
DISPOSITION_FIELDS.append("is_active")


def _disposition_check(disposition: Disposition) -> None:
    if disposition.sale and not disposition.intent:
        raise ValidationError(_("An outcome with the sale flag must also have the intent flag."))
    if (disposition.intent or disposition.callback) and not disposition.contact:
        raise ValidationError(
            _("An outcome with the intent or callback flag must also have the contact flag.")
        )
    if disposition.unworkable and disposition.contact:
        raise ValidationError(_("An unworkable number cannot also be a contact."))
    if disposition.sale and (disposition.not_interested or disposition.dnc):
        raise ValidationError(_("A sale cannot also be not interested or do not call."))


@transaction.atomic
def disposition_create(*, actor, code: str, label: str, **fields) -> Disposition:
    if Disposition.objects.filter(code=code).exists():
        raise ValidationError(
            _("There is already an outcome with the code %(code)s.") % {"code": code}
        )
    disposition = Disposition(code=code, label=label, **fields)
    _disposition_check(disposition)
    disposition.save()
    audit_record(
        actor=actor,
        action="disposition.create",
        obj=disposition,
        after=snapshot(disposition, DISPOSITION_FIELDS),
    )
    return disposition


@transaction.atomic
def disposition_update(*, actor, disposition: Disposition, **changes) -> Disposition:
    unknown = set(changes) - set(DISPOSITION_FIELDS) - {"code"}
    if unknown:
        raise TypeError(f"unknown outcome fields: {sorted(unknown)}")
    disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
    before = snapshot(disposition, DISPOSITION_FIELDS)
    changes.pop("code", None)  # outcomes, imports and reports refer to the code
    for name, value in changes.items():
        setattr(disposition, name, value)
    _disposition_check(disposition)
    disposition.save()
    audit_record(
        actor=actor,
        action="disposition.update",
        obj=disposition,
        before=before,
        after=snapshot(disposition, DISPOSITION_FIELDS),
    )
    return disposition
