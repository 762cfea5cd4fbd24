from django.contrib import admin

from telesales.feedback.models import SlaRule, SurveyResponse, Ticket, TicketComment


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    """Read-only: the hours change on the SLA rules page, which keeps the audit log; every
    kind and priority keeps its rule."""

    list_display = ["kind", "priority", "hours"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketCommentInline(admin.TabularInline):
    model = TicketComment
    extra = 0
    readonly_fields = ["at", "author", "from_status", "to_status", "body"]
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the ticket pages, which keep the history and audit."""

    list_display = ["number", "kind", "priority", "status", "department", "assignee", "due_at"]
    list_filter = ["kind", "priority", "status", "department"]
    search_fields = ["number", "title"]
    inlines = [TicketCommentInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["response_no", "employee", "score", "responded_on"]
    list_filter = ["score"]
    search_fields = ["response_no"]
    raw_id_fields = ["customer", "employee"]
