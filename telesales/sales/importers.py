"""`telesales import products` and `telesales import deals` (PRODUCT.md §7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.crm.customers.phones import PhoneError, phone_normalise
from telesales.org import access
from telesales.sales.models import Deal, Product
from telesales.sales.selectors import (
    can_import_deals,
    customers_for_phones,
    deals_visible_to,
    employees_for_import,
)
from telesales.sales.services import DealFacts, deal_upsert, product_upsert


@dataclass(frozen=True)
class ProductRow:
    product_code: str
    name: str
    key_product: bool | None  # None: column absent, keep what is stored
    unit_price: Decimal | None


class ProductImporter(Importer):
    kind = "products"
    label = gettext_lazy("Products")
    master_data = True
    description = gettext_lazy("One row per product; key_product is yes or no (是/否).")
    columns = (
        Column("product_code", gettext_lazy("Product code")),
        Column("name", gettext_lazy("Product name"), aliases=("name", "名称", "名稱")),
        Column("key_product", gettext_lazy("Key product"), required=False),
        Column("unit_price", gettext_lazy("Unit price"), required=False),
    )

    def allowed(self, user) -> bool:
        return access.can_manage_products(user)

    def example_row(self) -> list[str]:
        return ["P001", "企业版年费", "yes", "19800"]

    def parse(self, row: dict[str, str]) -> ProductRow:
        price = fields.decimal(row.get("unit_price") or "", "unit_price", minimum=Decimal(0))
        if price is not None and price.as_tuple().exponent < -2:
            raise fields.RowError("unit_price", _("A price has at most two decimal places."))
        return ProductRow(
            product_code=fields.text(
                row["product_code"], "product_code", required=True, max_length=40
            ),
            name=fields.text(row["name"], "name", required=True),
            key_product=None
            if "key_product" not in row
            else fields.boolean(row["key_product"], "key_product"),
            unit_price=price,
        )

    def store(self, batch, ctx: StoreContext) -> None:
        seen: dict[str, int] = ctx.state.setdefault("seen", {})
        for line, row in batch:
            if row.product_code in seen:
                ctx.result.reject(
                    line,
                    "product_code",
                    _("Product %(code)s already appears on line %(line)s of this file.")
                    % {"code": row.product_code, "line": seen[row.product_code]},
                )
                continue
            seen[row.product_code] = line
            _product, outcome = product_upsert(
                actor=ctx.actor,
                code=row.product_code,
                name=row.name,
                key_product=row.key_product,
                unit_price=row.unit_price,
            )
            if outcome == "stored":
                ctx.result.stored += 1
            elif outcome == "updated":
                ctx.result.updated += 1
            else:
                ctx.result.duplicates += 1


# -- deals -----------------------------------------------------------------------------------

STATUS_NAMES = {
    "won": Deal.Status.WON,
    "win": Deal.Status.WON,
    "成交": Deal.Status.WON,
    "已成交": Deal.Status.WON,
    "赢单": Deal.Status.WON,
    "贏單": Deal.Status.WON,
    "refunded": Deal.Status.REFUNDED,
    "refund": Deal.Status.REFUNDED,
    "退款": Deal.Status.REFUNDED,
    "已退款": Deal.Status.REFUNDED,
}
# Rows stored without a customer are listed by row number in one note, up to this many.
NOTE_ROWS = 20


@dataclass(frozen=True)
class DealRow:
    deal_no: str
    employee_no: str
    customer_phone: str  # E.164, or "" when the row gives none
    product_code: str
    amount: Decimal
    gross_profit: Decimal
    closed_on: dt.date
    status: str


def _money(row: dict[str, str], key: str) -> Decimal:
    value = fields.decimal(row.get(key) or "", key, required=True)
    if value < 0:
        raise RowError(
            key, _("Write amounts as positive numbers; a refund has the status refunded.")
        )
    if value.as_tuple().exponent < -2:
        raise RowError(key, _("An amount has at most two decimal places."))
    if value >= Decimal("1e12"):
        raise RowError(key, _("The amount is too large."))
    return value


class DealImporter(Importer):
    """Deals by their number: a row already stored the same is a duplicate, a row that
    differs corrects the stored deal (counted as updated)."""

    kind = "deals"
    label = gettext_lazy("Deals")
    master_data = True  # deals are facts, but corrections happen: report them as updated
    description = gettext_lazy(
        "One row per deal or refund. A refund is a row of its own with its own deal number, "
        "positive amounts and the status refunded. The customer is found by phone number; a "
        "deal whose customer is not known is stored without one."
    )
    columns = (
        Column("deal_no", gettext_lazy("Deal number"), aliases=("订单号", "訂單號", "成交单号")),
        Column("employee_no", gettext_lazy("Employee number"), aliases=("工号", "工號")),
        Column(
            "customer_phone",
            gettext_lazy("Customer phone"),
            aliases=("客户电话", "客戶電話", "phone", "电话", "電話"),
        ),
        Column("product_code", gettext_lazy("Product code"), aliases=("产品代码", "產品代碼")),
        Column("amount", gettext_lazy("Amount"), aliases=("金额", "金額")),
        Column("gross_profit", gettext_lazy("Gross profit"), aliases=("毛利",)),
        Column(
            "closed_on",
            gettext_lazy("Closed on"),
            aliases=("成交日期", "日期", "date"),
            help=gettext_lazy("The date the deal closed, or the refund date."),
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            required=False,
            aliases=("状态", "狀態"),
            help=gettext_lazy("won or refunded (成交/退款); won when the column is absent"),
        ),
    )

    def allowed(self, user) -> bool:
        return can_import_deals(user)

    def example_row(self) -> list[str]:
        return ["D20260901001", "E001", "13800138000", "P001", "19800", "7920", "2026-09-01", "won"]

    def parse(self, row: dict[str, str]) -> DealRow:
        phone_text = fields.text(row.get("customer_phone") or "", "customer_phone", max_length=64)
        phone = ""
        if phone_text:
            try:
                phone = phone_normalise(phone_text)
            except PhoneError as error:
                raise RowError("customer_phone", error.message) from None
        status_text = (row.get("status") or "").strip().lower()
        status = Deal.Status.WON
        if status_text:
            status = fields.choice(status_text, "status", STATUS_NAMES)
        amount = _money(row, "amount")
        gross_profit = _money(row, "gross_profit")
        if amount == 0:
            raise RowError("amount", _("The amount must be more than 0."))
        if gross_profit > amount:
            raise RowError("gross_profit", _("The gross profit is more than the amount."))
        closed_on = fields.date(row.get("closed_on") or "", "closed_on", required=True)
        if closed_on > timezone.localdate():
            raise RowError("closed_on", _("The date is in the future."))
        return DealRow(
            deal_no=fields.text(row["deal_no"], "deal_no", required=True, max_length=60),
            employee_no=fields.text(
                row["employee_no"], "employee_no", required=True, max_length=40
            ),
            customer_phone=phone,
            product_code=fields.text(
                row["product_code"], "product_code", required=True, max_length=40
            ),
            amount=amount,
            gross_profit=gross_profit,
            closed_on=closed_on,
            status=status,
        )

    def store(self, batch, ctx: StoreContext) -> None:
        seen: dict[str, int] = ctx.state.setdefault("seen", {})
        no_customer: list[int] = ctx.state.setdefault("no_customer", [])
        employees = {
            e.employee_no: e
            for e in employees_for_import(ctx.actor).filter(
                employee_no__in={row.employee_no for _line, row in batch}
            )
        }
        products = {
            p.code: p
            for p in Product.objects.filter(code__in={row.product_code for _line, row in batch})
        }
        user = ctx.actor if getattr(ctx.actor, "pk", None) else None
        customers = customers_for_phones(
            [row.customer_phone for _line, row in batch if row.customer_phone], user=user
        )
        visible = set(
            deals_visible_to(user)
            .filter(deal_no__in={r.deal_no for _l, r in batch})
            .values_list("deal_no", flat=True)
            if user is not None
            else ()
        )
        for line, row in batch:
            if row.deal_no in seen:
                ctx.result.reject(
                    line,
                    "deal_no",
                    _("Deal %(no)s already appears on line %(line)s of this file.")
                    % {"no": row.deal_no, "line": seen[row.deal_no]},
                )
                continue
            seen[row.deal_no] = line
            employee = employees.get(row.employee_no)
            if employee is None:
                ctx.result.reject(
                    line,
                    "employee_no",
                    _("There is no employee %(no)s.") % {"no": row.employee_no},
                )
                continue
            product = products.get(row.product_code)
            if product is None:
                ctx.result.reject(
                    line,
                    "product_code",
                    _("There is no product %(code)s; import the products first.")
                    % {"code": row.product_code},
                )
                continue
            if (
                user is not None
                and row.deal_no not in visible
                and Deal.objects.filter(deal_no=row.deal_no).exists()
            ):
                ctx.result.reject(
                    line,
                    "deal_no",
                    _("Deal %(no)s belongs to someone outside your scope; it was not changed.")
                    % {"no": row.deal_no},
                )
                continue
            customer = customers.get(row.customer_phone)
            if customer is None:
                no_customer.append(line)
            _deal, outcome = deal_upsert(
                actor=ctx.actor,
                deal_no=row.deal_no,
                facts=DealFacts(
                    employee=employee,
                    customer=customer,
                    product=product,
                    amount=row.amount,
                    gross_profit=row.gross_profit,
                    closed_on=row.closed_on,
                    status=row.status,
                ),
            )
            if outcome == "stored":
                ctx.result.stored += 1
            elif outcome == "updated":
                ctx.result.updated += 1
            else:
                ctx.result.duplicates += 1

    def finish(self, ctx: StoreContext) -> None:
        rows = ctx.state.get("no_customer") or []
        if not rows:
            return
        shown = ", ".join(str(line) for line in rows[:NOTE_ROWS])
        if len(rows) > NOTE_ROWS:
            shown += ", …"
        ctx.result.notes.append(
            ngettext(
                "%(count)s deal has no known customer (no customer has its phone number) and "
                "is stored without one: row %(rows)s.",
                "%(count)s deals have no known customer (no customer has their phone number) "
                "and are stored without one: rows %(rows)s.",
                len(rows),
            )
            % {"count": len(rows), "rows": shown}
        )
