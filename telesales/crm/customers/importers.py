"""`telesales import customers` (PRODUCT.md §7 customers): one row a customer, keyed by its
phone number in E.164 form, so one number written two ways is one customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.crm.customers import selectors
from telesales.crm.customers.intent import intent_names
from telesales.crm.customers.phones import PhoneError, phone_normalise
from telesales.crm.customers.services import customer_create, customer_update
from telesales.crm.customers.tiering import customers_retier
from telesales.crm.models import Customer, Tier
from telesales.org import access
from telesales.org.models import Employee, Role

IMPORTERS = {Role.ADMIN, Role.SUPERVISOR}


@dataclass(frozen=True)
class CustomerRow:
    phone: str
    phone_raw: str
    name: str | None  # None: the column is absent or the cell empty, keep what is stored
    company: str | None
    company_size: int | None
    source: str | None
    tier: str | None
    intent_level: str | None
    intent_on: dt.date | None
    owner_employee_no: str | None


def _optional(row: dict[str, str], key: str, max_length: int = 200) -> str | None:
    value = fields.text(row.get(key) or "", key, max_length=max_length)
    return value or None


class CustomerImporter(Importer):
    kind = "customers"
    label = gettext_lazy("Customers")
    master_data = True
    description = gettext_lazy(
        "One row per customer, found by its phone number (mobile, or landline with its area "
        "code). A tier given is kept; without one the tier rules give it. intent_on is the "
        "date the customer reached the intent threshold; without it, the import date when "
        "the intent level reaches the threshold. owner_employee_no names the rep who owns it."
    )
    columns = (
        Column("phone", gettext_lazy("Phone"), aliases=("电话", "電話", "手机", "手機", "mobile")),
        Column("name", gettext_lazy("Customer name"), required=False, aliases=("name",)),
        Column("company", gettext_lazy("Company"), required=False),
        Column("source", gettext_lazy("Source"), required=False),
        Column("tier", gettext_lazy("Tier"), required=False),
        Column("intent_level", gettext_lazy("Intent level"), required=False),
        Column("intent_on", gettext_lazy("Intent reached on"), required=False),
        Column("owner_employee_no", gettext_lazy("Owner employee number"), required=False),
        Column("company_size", gettext_lazy("Company size"), required=False),
    )

    def allowed(self, user) -> bool:
        return access.user_role(user) in IMPORTERS

    def example_row(self) -> list[str]:
        return [
            "13800138000",
            "王先生",
            "上海华信科技有限公司",
            "官网表单",
            "",
            "medium",
            "",
            "E001",
            "",
        ]

    def parse(self, row: dict[str, str]) -> CustomerRow:
        raw = row.get("phone", "").strip()
        try:
            phone = phone_normalise(raw)
        except PhoneError as error:
            raise RowError("phone", error.message) from None
        tier = (row.get("tier") or "").strip().upper() or None
        if tier is not None and tier not in Tier.values:
            raise RowError("tier", _("“%(value)s” is not a tier (A, B, C or D).") % {"value": tier})
        size = fields.decimal(row.get("company_size") or "", "company_size", minimum=0)
        if size is not None and size != int(size):
            raise RowError("company_size", _("The company size is a whole number of people."))
        return CustomerRow(
            phone=phone,
            phone_raw=raw,
            name=_optional(row, "name"),
            company=_optional(row, "company"),
            company_size=None if size is None else int(size),
            source=_optional(row, "source", 80),
            tier=tier,
            intent_level=_optional(row, "intent_level", 40),
            intent_on=fields.date(row.get("intent_on") or "", "intent_on"),
            owner_employee_no=_optional(row, "owner_employee_no", 40),
        )

    def store(self, batch, ctx: StoreContext) -> None:
        names = ctx.state.get("intent_names")
        if names is None:
            names = ctx.state["intent_names"] = intent_names()
        owners = {
            e.employee_no: e
            for e in Employee.objects.filter(
                employee_no__in={r.owner_employee_no for _l, r in batch if r.owner_employee_no}
            )
        }
        existing = {
            c.phone: c.merged_into or c
            for c in Customer.objects.filter(phone__in={r.phone for _l, r in batch}).select_related(
                "merged_into"
            )
        }
        visible = self._visible_ids(ctx, existing)
        owners_allowed = self._owner_ids(ctx)
        touched: list[int] = []
        for line, row in batch:
            try:
                level = self._level(row, names)
                owner = self._owner(row, owners, owners_allowed)
                customer = existing.get(row.phone)
                if customer is None:
                    customer = customer_create(
                        actor=ctx.actor,
                        phone=row.phone_raw,
                        name=row.name or "",
                        company=row.company or "",
                        company_size=row.company_size,
                        source=row.source or "",
                        tier=row.tier,
                        intent_level=level,
                        intent_on=row.intent_on,
                        owner=owner,
                    )
                    existing[row.phone] = customer
                    if visible is not None:
                        visible.add(customer.pk)
                    ctx.result.stored += 1
                else:
                    if visible is not None and customer.pk not in visible:
                        raise RowError(
                            "phone",
                            _("The number belongs to a customer outside your teams."),
                        )
                    changes = self._changes(customer, row, level, owner)
                    if changes:
                        customer = customer_update(
                            actor=ctx.actor, customer=customer, retier=False, **changes
                        )
                        existing[row.phone] = customer
                        ctx.result.updated += 1
                    else:
                        ctx.result.duplicates += 1
                touched.append(customer.pk)
            except RowError as error:
                ctx.result.reject(line, error.column, error.reason)
            except ValidationError as error:
                ctx.result.reject(line, "phone", " ".join(error.messages))
        if touched:
            customers_retier(actor=ctx.actor, customers=Customer.objects.filter(pk__in=touched))

    def _visible_ids(self, ctx: StoreContext, existing: dict[str, Customer]) -> set[int] | None:
        """A supervisor's import changes only customers in their scope (None: no limit)."""
        if ctx.actor is None or access.scope_for(ctx.actor).company_wide:
            return None
        ids = [c.pk for c in existing.values()]
        return set(
            selectors.customers_visible_to(ctx.actor)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    def _owner_ids(self, ctx: StoreContext) -> set[int] | None:
        if ctx.actor is None or access.scope_for(ctx.actor).company_wide:
            return None
        return set(access.employees_visible_to(ctx.actor).values_list("pk", flat=True))

    def _level(self, row: CustomerRow, names: dict[str, str]) -> str | None:
        if row.intent_level is None:
            return None
        level = names.get(row.intent_level.strip().lower())
        if level is None:
            raise RowError(
                "intent_level",
                _("“%(value)s” is not an intent level; the levels are %(levels)s.")
                % {"value": row.intent_level, "levels": ", ".join(sorted(set(names.values())))},
            )
        return level

    def _owner(self, row: CustomerRow, owners, allowed: set[int] | None) -> Employee | None:
        if row.owner_employee_no is None:
            return None
        owner = owners.get(row.owner_employee_no)
        if owner is None or (allowed is not None and owner.pk not in allowed):
            raise RowError(
                "owner_employee_no",
                _("No employee %(no)s exists.") % {"no": row.owner_employee_no},
            )
        if owner.leave_date is not None and owner.leave_date <= timezone.localdate():
            raise RowError(
                "owner_employee_no",
                _("%(employee)s has left and cannot own customers.") % {"employee": owner},
            )
        return owner

    def _changes(self, customer: Customer, row: CustomerRow, level, owner) -> dict:
        """What the row changes; an empty cell keeps what is stored."""
        changes: dict = {}
        for key in ("name", "company", "source", "company_size"):
            value = getattr(row, key)
            if value is not None and getattr(customer, key) != value:
                changes[key] = value
        if row.tier is not None and (customer.tier != row.tier or not customer.tier_fixed):
            changes["tier"] = row.tier
        if level is not None and level != customer.intent_level:
            changes["intent_level"] = level
        if row.intent_on is not None and row.intent_on != customer.intent_on:
            changes["intent_on"] = row.intent_on
        if owner is not None and owner.pk != customer.owner_id:
            changes["owner"] = owner
        return changes
