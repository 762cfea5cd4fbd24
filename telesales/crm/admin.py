"""The crm models in the admin, read only: customers, outcomes, tier rules and allocations are
changed on their pages, where every change is audited and put on the customer's timeline."""

from django.contrib import admin

from telesales.crm.models import (
    AllocationItem,
    AllocationRun,
    Customer,
    CustomerEvent,
    Disposition,
    Outcome,
    RepCapacity,
    TierRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["phone", "name", "company", "tier", "intent_level", "owner", "dnc"]
    list_filter = ["tier", "dnc", "tier_fixed", "intent_level"]
    search_fields = ["phone", "name", "company"]
    list_select_related = ["owner"]
    show_full_result_count = False


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "customer", "employee", "disposition", "next_follow_up"]
    list_filter = ["disposition"]
    list_select_related = ["customer", "employee", "disposition"]
    show_full_result_count = False


@admin.register(CustomerEvent)
class CustomerEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "customer", "kind", "text", "actor"]
    list_filter = ["kind"]
    list_select_related = ["customer", "actor"]
    show_full_result_count = False


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "contact", "intent", "sale", "callback", "dnc", "is_active"]


@admin.register(TierRule)
class TierRuleAdmin(ReadOnlyAdmin):
    list_display = ["order", "name", "tier", "is_active"]


@admin.register(RepCapacity)
class RepCapacityAdmin(ReadOnlyAdmin):
    list_display = ["employee", "daily_cap", "max_open"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "method", "created_by", "count"]


@admin.register(AllocationItem)
class AllocationItemAdmin(ReadOnlyAdmin):
    list_display = ["run", "customer", "from_owner", "to_owner"]
