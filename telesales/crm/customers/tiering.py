"""A/B/C/D tiers by configurable, explainable rules (source §2.3.2): the first active rule,
in order, whose conditions all hold gives the tier; no rule holds → D. The tier is stored
with its reason: the rule and each condition with the customer's own value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.crm.customers.intent import intent_label, intent_levels
from telesales.crm.models import Customer, CustomerEvent, Outcome, Tier, TierRule

DEFAULT_TIER = Tier.D
TIER_ORDER = {tier: index for index, tier in enumerate(Tier.values)}


@dataclass(frozen=True)
class FieldSpec:
    label: Any
    ops: tuple[str, ...]
    kind: str  # intent, text, int, bool


FIELDS: dict[str, FieldSpec] = {
    "intent_level": FieldSpec(gettext_lazy("intent level"), (">=", "<=", "=="), "intent"),
    "source": FieldSpec(gettext_lazy("source"), ("==", "in"), "text"),
    "company_size": FieldSpec(gettext_lazy("company size"), (">=", "<="), "int"),
    "last_activity_days": FieldSpec(
        gettext_lazy("days since the last contact or outcome"), ("<=", ">="), "int"
    ),
    "deals": FieldSpec(gettext_lazy("deals won less refunds"), (">=", "<=", "=="), "int"),
    "attempts": FieldSpec(gettext_lazy("attempts"), (">=", "<=", "=="), "int"),
    "dnc": FieldSpec(gettext_lazy("do not call"), ("==",), "bool"),
}
OP_LABELS = {">=": "≥", "<=": "≤", "==": "=", "in": "∈"}


@dataclass(frozen=True)
class CustomerFacts:
    """What the rules look at, for one customer on one day."""

    intent_level: str = "none"
    source: str = ""
    company_size: int | None = None
    last_activity_days: int | None = None
    deals: int = 0
    attempts: int = 0
    dnc: bool = False
    # The day behind last_activity_days: the reason keeps it, so that it reads true on any
    # later day and a re-run on another day does not rewrite every reason.
    last_activity_on: dt.date | None = None


@dataclass(frozen=True)
class Rule:
    pk: int | None
    name: str
    tier: str
    conditions: tuple[dict[str, Any], ...]


# -- conditions --------------------------------------------------------------------------------


_OPS = {
    ">=": lambda actual, value: actual >= value,
    "<=": lambda actual, value: actual <= value,
    "==": lambda actual, value: actual == value,
}


def _test(condition: dict[str, Any], levels: list[str]) -> Callable[[CustomerFacts], bool]:
    """One condition as a function of the facts. An unknown fact (no company size, never
    contacted) satisfies no comparison."""
    field, op, value = condition["field"], condition["op"], condition["value"]
    if field == "source":
        if op == "in":
            wanted = {str(v).strip().lower() for v in value}
        else:
            wanted = {str(value).strip().lower()}
        return lambda facts: (facts.source or "").strip().lower() in wanted
    compare = _OPS.get(op)
    if compare is None:
        return lambda facts: False
    if field == "intent_level":
        ranks = {level: index for index, level in enumerate(levels)}
        target = ranks.get(value, -1)
        return lambda facts: compare(ranks.get(facts.intent_level, -1), target)

    def test(facts: CustomerFacts) -> bool:
        actual = getattr(facts, field)
        return actual is not None and compare(actual, value)

    return test


def condition_holds(condition: dict[str, Any], facts: CustomerFacts, levels: list[str]) -> bool:
    return _test(condition, levels)(facts)


class TierRules:
    """The rules made ready to run over many customers."""

    def __init__(self, rules: Iterable[Rule], levels: list[str]) -> None:
        self.rules = [(rule, [_test(c, levels) for c in rule.conditions]) for rule in rules]

    def evaluate(self, facts: CustomerFacts) -> tuple[str, dict[str, Any]]:
        """The tier and why: the first rule whose conditions all hold, with the facts it saw."""
        for rule, tests in self.rules:
            if all(test(facts) for test in tests):
                return rule.tier, {
                    "rule": rule.name,
                    "rule_id": rule.pk,
                    "conditions": [_seen(condition, facts) for condition in rule.conditions],
                }
        return DEFAULT_TIER, {"rule": None, "rule_id": None, "conditions": []}


def _seen(condition: dict[str, Any], facts: CustomerFacts) -> dict[str, Any]:
    seen = {**condition, "actual": getattr(facts, condition["field"])}
    if condition["field"] == "last_activity_days" and facts.last_activity_on is not None:
        seen["since"] = facts.last_activity_on.isoformat()
    return seen


def _stable(reason: dict[str, Any]) -> dict[str, Any]:
    """A reason without what changes by itself from day to day (days since a dated event)."""
    conditions = [
        {k: v for k, v in c.items() if not (k == "actual" and "since" in c)}
        for c in reason.get("conditions", [])
    ]
    return {**reason, "conditions": conditions}


def tier_evaluate(
    facts: CustomerFacts, rules: Iterable[Rule], levels: list[str]
) -> tuple[str, dict[str, Any]]:
    """The tier and why: the first rule whose conditions all hold, with the facts it saw."""
    return TierRules(rules, levels).evaluate(facts)


def condition_clean(raw: dict[str, Any], levels: list[str] | None = None) -> dict[str, Any]:
    """A condition checked and in its stored form; raises ValidationError naming the problem."""
    levels = levels if levels is not None else intent_levels()
    field, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    spec = FIELDS.get(field or "")
    if spec is None:
        raise ValidationError(_("“%(field)s” is not a field a rule can test.") % {"field": field})
    if op not in spec.ops:
        raise ValidationError(
            _("%(field)s can be compared with %(ops)s, not “%(op)s”.")
            % {"field": spec.label, "ops": " ".join(spec.ops), "op": op}
        )
    if spec.kind == "intent":
        value = str(value or "").strip()
        if value not in levels:
            raise ValidationError(
                _("“%(value)s” is not an intent level; the levels are %(levels)s.")
                % {"value": value, "levels": ", ".join(levels)}
            )
    elif spec.kind == "text":
        if op == "in":
            items = value if isinstance(value, list) else _split(str(value or ""))
            value = [str(v).strip() for v in items if str(v).strip()]
            if not value:
                raise ValidationError(_("Give at least one source, separated by commas."))
        else:
            value = str(value or "").strip()
            if not value:
                raise ValidationError(_("Give the source to compare with."))
    elif spec.kind == "int":
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                _("%(field)s is compared with a whole number, not “%(value)s”.")
                % {"field": spec.label, "value": value}
            ) from None
        if value < 0:
            raise ValidationError(
                _("%(field)s cannot be negative.") % {"field": str(spec.label).capitalize()}
            )
    elif spec.kind == "bool":
        if isinstance(value, str):
            text = value.strip().lower()
            if text in {"yes", "true", "1", "是"}:
                value = True
            elif text in {"no", "false", "0", "否"}:
                value = False
        if not isinstance(value, bool):
            raise ValidationError(
                _("%(field)s is compared with yes or no.") % {"field": spec.label}
            )
    return {"field": field, "op": op, "value": value}


def _split(text: str) -> list[str]:
    for separator in ("，", "、", ";", "；"):
        text = text.replace(separator, ",")
    return text.split(",")


def value_text(field: str, value) -> str:
    if value is None:
        return _("unknown")
    if field == "intent_level":
        return intent_label(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def condition_text(condition: dict[str, Any]) -> str:
    """“intent level ≥ high”."""
    spec = FIELDS.get(condition.get("field", ""))
    label = spec.label if spec else condition.get("field", "")
    op = OP_LABELS.get(condition.get("op", ""), condition.get("op", ""))
    return f"{label} {op} {value_text(condition.get('field', ''), condition.get('value'))}"


def _actual(condition: dict[str, Any], today: dt.date):
    since = condition.get("since")
    if since:
        return (today - dt.date.fromisoformat(since)).days
    return condition.get("actual")


def reason_lines(
    reason: dict[str, Any], *, fixed: bool = False, today: dt.date | None = None
) -> list[str]:
    """Why a customer has its tier, one sentence a condition, for the pages; days since the
    last activity are counted to today."""
    today = today or timezone.localdate()
    if fixed or reason.get("fixed"):
        return [_("The tier was set by hand or in an import and is kept when the rules run.")]
    if not reason:
        return [_("Not yet tiered.")]
    if not reason.get("rule"):
        return [_("No rule applies, so the tier is D.")]
    return [
        _("%(condition)s — this customer: %(actual)s")
        % {
            "condition": condition_text(c),
            "actual": value_text(c.get("field", ""), _actual(c, today)),
        }
        for c in reason.get("conditions", [])
    ] or [_("The rule has no conditions: it applies to everyone it reaches.")]


# -- the rules and the facts ---------------------------------------------------------------------


def rules_active() -> list[Rule]:
    return [
        Rule(r.pk, r.name, r.tier, tuple(r.conditions))
        for r in TierRule.objects.filter(is_active=True).order_by("order", "id")
    ]


def _deal_counts():
    """Won deals less refunds of each customer, as a subquery."""
    from telesales.sales.models import Deal

    def counted(status):
        return Coalesce(
            Subquery(
                Deal.objects.filter(customer=OuterRef("pk"), status=status)
                .order_by()
                .values("customer")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    return counted(Deal.Status.WON), counted(Deal.Status.REFUNDED)


def facts_queryset(customers: QuerySet[Customer]) -> QuerySet:
    won, refunded = _deal_counts()
    last_outcome = Subquery(
        Outcome.objects.filter(customer=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return customers.annotate(
        _deals_won=won, _deals_refunded=refunded, _last_outcome=last_outcome
    ).values(
        "pk",
        "tier",
        "tier_reason",
        "intent_level",
        "source",
        "company_size",
        "last_contact_at",
        "attempts",
        "dnc",
        "_deals_won",
        "_deals_refunded",
        "_last_outcome",
    )


def facts_from_row(row: dict[str, Any], today: dt.date) -> CustomerFacts:
    moments = [m for m in (row["last_contact_at"], row["_last_outcome"]) if m is not None]
    last = timezone.localtime(max(moments)).date() if moments else None
    return CustomerFacts(
        intent_level=row["intent_level"],
        source=row["source"],
        company_size=row["company_size"],
        last_activity_days=None if last is None else (today - last).days,
        deals=(row["_deals_won"] or 0) - (row["_deals_refunded"] or 0),
        attempts=row["attempts"],
        dnc=row["dnc"],
        last_activity_on=last,
    )


def customer_facts(customer: Customer, today: dt.date | None = None) -> CustomerFacts:
    row = facts_queryset(Customer.objects.filter(pk=customer.pk)).get()
    return facts_from_row(row, today or timezone.localdate())


# -- re-tiering ------------------------------------------------------------------------------------


def customers_retier(
    *, actor, customers: QuerySet[Customer] | None = None, today: dt.date | None = None
) -> int:
    """Run the rules again over customers (all by default) whose tier is not fixed; a tier
    that changes is recorded on the customer's timeline. Returns how many tiers changed."""
    today = today or timezone.localdate()
    rules = TierRules(rules_active(), intent_levels())
    base = customers if customers is not None else Customer.objects.all()
    base = base.filter(tier_fixed=False, merged_into__isnull=True).order_by()
    user = actor if getattr(actor, "pk", None) else None
    changed = 0
    pending: list[Customer] = []
    events: list[CustomerEvent] = []

    def flush() -> None:
        if pending:
            Customer.objects.bulk_update(pending, ["tier", "tier_reason"], batch_size=500)
            pending.clear()
        if events:
            CustomerEvent.objects.bulk_create(events, batch_size=1000)
            events.clear()

    # Read in slices of ids: rows are written while the next slice is read.
    ids = list(base.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), 2000):
        rows = facts_queryset(Customer.objects.filter(pk__in=ids[start : start + 2000]))
        for row in rows:
            tier, reason = rules.evaluate(facts_from_row(row, today))
            if tier == row["tier"] and _stable(reason) == _stable(row["tier_reason"] or {}):
                continue
            pending.append(Customer(pk=row["pk"], tier=tier, tier_reason=reason))
            if tier != row["tier"]:
                changed += 1
                events.append(
                    CustomerEvent(
                        customer_id=row["pk"],
                        kind=CustomerEvent.Kind.TIER,
                        actor=user,
                        text=f"{row['tier']} → {tier}",
                        detail={"from": row["tier"], "to": tier, "rule": reason.get("rule")},
                    )
                )
        flush()
    flush()
    return changed


def customer_retier(*, actor, customer: Customer) -> str:
    """One customer's tier after a change of its facts (an outcome, an edit)."""
    customers_retier(actor=actor, customers=Customer.objects.filter(pk=customer.pk))
    customer.refresh_from_db(fields=["tier", "tier_reason"])
    return customer.tier


def tier_counts(customers: QuerySet[Customer]) -> dict[str, int]:
    counts = dict(
        customers.order_by().values_list("tier").annotate(n=Count("pk")).values_list("tier", "n")
    )
    return {tier: counts.get(tier, 0) for tier in Tier.values}
