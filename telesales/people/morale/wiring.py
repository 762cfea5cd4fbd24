"""Settings, menu entries, the to-do source, the profile link and the demo step of motivation
and team climate, registered once at start-up."""


def ready() -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import (
        MenuItem,
        ProfileLink,
        menu_register,
        profile_link_register,
    )
    from telesales.core.todos import todo_source_register
    from telesales.org.access import scope_for
    from telesales.people.morale import access
    from telesales.people.morale.demo import demo_morale
    from telesales.people.morale.risk import risk_settings_declare
    from telesales.people.morale.todos import morale_todos

    risk_settings_declare()
    menu_register(
        MenuItem(
            "morale-checkins",
            _("Morale check-ins"),
            "morale-checkins",
            access.can_see_checkins,
            80,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "morale-ledger",
            _("Recognition and rewards"),
            "morale-ledger",
            access.can_see_ledger,
            81,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "morale-wall",
            _("Recognition wall"),
            "morale-wall",
            access.can_see_wall,
            82,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "morale-activities",
            _("Team activities"),
            "morale-activities",
            access.can_see_activities,
            83,
            group="people",
        )
    )

    def _may_see_morale_of(user, employee) -> bool:
        scope = scope_for(user)
        return scope.role is not None and (scope.company_wide or employee.pk in scope.employee_ids)

    profile_link_register(
        ProfileLink(
            "morale",
            _("Morale and recognition"),
            lambda employee: reverse("morale-person", args=[employee.pk]),
            _may_see_morale_of,
            40,
        )
    )
    todo_source_register("morale", morale_todos)
    # After the targets (order 60): nothing here depends on them, but the risk page reads them.
    demo_step_register(DemoStep("morale", 78, demo_morale))
