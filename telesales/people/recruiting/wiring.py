"""Menu entries, the to-do source and the demo step of recruiting, registered once at
start-up."""


def ready() -> None:
    from django.utils.translation import gettext_lazy as _

    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.core.todos import todo_source_register
    from telesales.people.recruiting import access
    from telesales.people.recruiting.demo import demo_recruiting
    from telesales.people.recruiting.todos import recruiting_todos

    menu_register(
        MenuItem(
            "recruiting",
            _("Recruiting"),
            "opening-list",
            access.can_see_recruiting,
            78,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "my-interviews",
            _("My interviews"),
            "my-interviews",
            access.can_see_my_interviews,
            79,
            group="people",
        )
    )
    todo_source_register("recruiting", recruiting_todos)
    # After the company, its calls, deals and targets: a recent hire joins a demo team.
    demo_step_register(DemoStep("recruiting", 76, demo_recruiting))
