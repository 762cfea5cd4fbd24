"""Menu entries, the to-do source, the profile link and the demo step of this app,
registered once at start-up."""


def _may_see_development_of(user, employee) -> bool:
    """The person's development page opens for the people in the user's scope (and their
    mentees, whose profile is out of the user's reach anyway): access.people_visible_to."""
    from telesales.org.access import scope_for

    scope = scope_for(user)
    return scope.role is not None and (scope.company_wide or employee.pk in scope.employee_ids)


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
    from telesales.people.development import access
    from telesales.people.development.demo import demo_development
    from telesales.people.development.todos import development_todos

    group = "people"
    menu_register(
        MenuItem(
            "development-mine",
            _("My development"),
            "development-mine",
            access.can_see_development,
            73,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-team",
            _("Team development"),
            "development-team",
            access.can_manage_any,
            74,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-mentors",
            _("Mentors"),
            "development-mentors",
            access.can_manage_any,
            75,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-rotations",
            _("Rotations"),
            "development-rotations",
            access.can_manage_any,
            76,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-bench",
            _("Successor bench"),
            "development-bench",
            access.can_see_bench,
            77,
            group=group,
        )
    )
    profile_link_register(
        ProfileLink(
            "development",
            _("Development plan"),
            lambda employee: reverse("development-person", args=[employee.pk]),
            _may_see_development_of,
            35,
        )
    )
    todo_source_register("development", development_todos)
    # After the organisation, calls, deals and targets: the demo's people have their history.
    demo_step_register(DemoStep("development", 74, demo_development))
