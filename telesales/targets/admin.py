from django.contrib import admin

from telesales.targets.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "working", "note"]
    list_filter = ["working"]
