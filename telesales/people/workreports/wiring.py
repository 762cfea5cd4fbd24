"""Settings, menu entries, the to-do source, the profile link and the demo step of work
reports, registered once at start-up."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


def _valid_time(value: str) -> None:
    from telesales.people.workreports.schedule import time_parse

    try:
        time_parse(value)
    except ValueError:
        raise ValidationError(
            gettext_lazy("Give a time of day as hours and minutes, such as 10:00.")
        ) from None


def _weekday_field() -> forms.Field:
    from django.utils.dates import WEEKDAYS

    return forms.TypedChoiceField(
        choices=[(day + 1, WEEKDAYS[day]) for day in range(7)], coerce=int
    )


def _time_field() -> forms.Field:
    return forms.CharField(max_length=5, validators=[_valid_time])


def _declare_settings() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.people.workreports.schedule import (
        DEFAULTS,
        MONTHLY_DAY,
        MONTHLY_TIME,
        WEEKLY_TIME,
        WEEKLY_WEEKDAY,
    )

    setting_declare(
        SettingDefinition(
            key=WEEKLY_WEEKDAY,
            label=gettext_lazy("Weekly report due on"),
            default=DEFAULTS[WEEKLY_WEEKDAY],
            field=_weekday_field,
            help=gettext_lazy(
                "A supervisor's weekly report is due on this weekday after the week it covers."
            ),
            order=80,
        )
    )
    setting_declare(
        SettingDefinition(
            key=WEEKLY_TIME,
            label=gettext_lazy("Weekly report due at"),
            default=DEFAULTS[WEEKLY_TIME],
            field=_time_field,
            help=gettext_lazy("Local time of day, such as 10:00."),
            order=81,
        )
    )
    setting_declare(
        SettingDefinition(
            key=MONTHLY_DAY,
            label=gettext_lazy("Monthly report due on day"),
            default=DEFAULTS[MONTHLY_DAY],
            field=lambda: forms.IntegerField(min_value=1, max_value=28),
            help=gettext_lazy(
                "A supervisor's monthly report is due on this day (1–28) of the following month."
            ),
            order=82,
        )
    )
    setting_declare(
        SettingDefinition(
            key=MONTHLY_TIME,
            label=gettext_lazy("Monthly report due at"),
            default=DEFAULTS[MONTHLY_TIME],
            field=_time_field,
            help=gettext_lazy("Local time of day, such as 18:00."),
            order=83,
        )
    )


def ready() -> None:
    from django.urls import reverse

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import (
        MenuItem,
        ProfileLink,
        menu_register,
        profile_link_register,
    )
    from telesales.core.todos import todo_source_register
    from telesales.org.models import Role
    from telesales.people.workreports import access
    from telesales.people.workreports.demo import demo_workreports
    from telesales.people.workreports.todos import workreport_todos

    _declare_settings()
    menu_register(
        MenuItem(
            "workreports-mine",
            gettext_lazy("My work reports"),
            "workreport-mine",
            access.can_see_my_reports,
            order=86,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "workreports-inbox",
            gettext_lazy("Work reports"),
            "workreport-inbox",
            access.can_see_inbox,
            order=87,
            group="people",
        )
    )
    profile_link_register(
        ProfileLink(
            "workreports",
            gettext_lazy("Work reports"),
            url=lambda employee: f"{reverse('workreport-inbox')}?author={employee.pk}",
            visible=lambda user, employee: (
                employee.role == Role.SUPERVISOR and access.can_see_inbox(user)
            ),
            order=60,
        )
    )
    todo_source_register("workreports", workreport_todos)
    demo_step_register(DemoStep("workreports", 80, demo_workreports))
