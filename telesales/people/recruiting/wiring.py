"""Menu entries and the demo step of recruiting, registered once at start-up."""


def ready() -> None:
    from django.utils.translation import gettext_lazy as _

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.people.recruiting import access
    from telesales.people.recruiting.demo import demo_recruiting

    menu_register(
        MenuItem(
            "recruiting",
            _("Recruiting"),
            "opening-list",
            access.can_see_recruiting,
            74,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "my-interviews",
            _("My interviews"),
            "my-interviews",
            access.can_see_my_interviews,
            75,
            group="people",
        )
    )
    # After the company, its calls, deals and targets: a recent hire joins a demo team.
    demo_step_register(DemoStep("recruiting", 76, demo_recruiting))
