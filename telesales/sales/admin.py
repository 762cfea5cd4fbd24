from django.contrib import admin

from telesales.sales.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "key_product", "unit_price", "is_active"]
    list_filter = ["key_product", "is_active"]
    search_fields = ["code", "name"]
