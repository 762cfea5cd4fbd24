from django.contrib import admin

from telesales.calls.models import Call, CallDay, ColumnMapping


class ReadOnlyAdmin(admin.ModelAdmin):
    """Calls come from imports and roll-ups are kept exact by the calls services; mappings are
    changed on their page, where each change is audited. The admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "employee",
        "extension",
        "direction",
        "customer_number",
        "disposition",
        "answered",
        "talk_seconds",
    ]
    list_filter = ["direction", "answered", "system"]
    search_fields = ["call_id", "extension", "customer_number"]
    list_select_related = ["employee"]
    date_hierarchy = "local_date"
    show_full_result_count = False


@admin.register(CallDay)
class CallDayAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "employee",
        "team",
        "out_calls",
        "out_connected",
        "out_effective",
        "in_calls",
        "internal_calls",
    ]
    list_filter = ["team"]
    list_select_related = ["employee", "team"]
    date_hierarchy = "day"


@admin.register(ColumnMapping)
class ColumnMappingAdmin(ReadOnlyAdmin):
    list_display = ["name", "system", "date_order", "updated_at"]
