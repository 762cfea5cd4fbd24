from django.contrib import admin

from telesales.sales.models import Deal, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "key_product", "unit_price", "is_active"]
    list_filter = ["key_product", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Read-only here: deals change through the deals pages and the import, which audit."""

    list_display = [
        "deal_no",
        "employee",
        "product",
        "amount",
        "gross_profit",
        "closed_on",
        "status",
    ]
    list_filter = ["status", "product__key_product"]
    search_fields = ["deal_no", "employee__employee_no", "employee__name"]
    date_hierarchy = "closed_on"
    list_select_related = ["employee", "product"]
    raw_id_fields = ["customer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
