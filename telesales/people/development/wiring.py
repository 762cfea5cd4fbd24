"""Menu entries and the demo step of this app, registered once at start-up."""


def ready() -> None:
    from django.utils.translation import gettext_lazy as _

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.people.development import access
    from telesales.people.development.demo import demo_development

    group = "people"
    menu_register(
        MenuItem(
            "development-mine",
            _("My development"),
            "development-mine",
            access.can_see_development,
            82,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-team",
            _("Team development"),
            "development-team",
            access.can_manage_any,
            83,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-mentors",
            _("Mentors"),
            "development-mentors",
            access.can_manage_any,
            84,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-rotations",
            _("Rotations"),
            "development-rotations",
            access.can_manage_any,
            85,
            group=group,
        )
    )
    menu_register(
        MenuItem(
            "development-bench",
            _("Successor bench"),
            "development-bench",
            access.can_see_bench,
            86,
            group=group,
        )
    )
    # After the organisation, calls, deals and targets: the demo's people have their history.
    demo_step_register(DemoStep("development", 74, demo_development))
