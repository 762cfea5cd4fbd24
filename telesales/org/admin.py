from django.contrib import admin

from telesales.org.models import (
    Absence,
    Company,
    Department,
    Employee,
    EmployeeEvent,
    Extension,
    Team,
    TeamAssignment,
)


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0


class EventInline(admin.TabularInline):
    model = EmployeeEvent
    extra = 0
    fk_name = "employee"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "company"]
    list_filter = ["kind"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "supervisor", "is_active"]
    list_filter = ["department", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["supervisor"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "team", "role", "manager", "hire_date", "leave_date"]
    list_filter = ["role", "team", "department"]
    search_fields = ["employee_no", "name", "email"]
    autocomplete_fields = ["manager", "team", "user"]
    list_select_related = ["team", "manager"]
    inlines = [ExtensionInline, EventInline]


@admin.register(TeamAssignment)
class TeamAssignmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "team", "start", "end"]
    list_select_related = ["employee", "team"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["employee", "start", "end", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["employee__employee_no", "employee__name"]
    autocomplete_fields = ["employee"]
