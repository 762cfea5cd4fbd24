"""`telesales import products` (PRODUCT.md §7 products)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, StoreContext
from telesales.org import access
from telesales.sales.services import product_upsert


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
