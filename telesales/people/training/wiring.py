"""Importers, menu entries, hooks, settings, the to-do source, the profile link and the demo
step of this app, registered once at start-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


def ready() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.imports.registry import register
    from telesales.core.navigation import (
        MenuItem,
        ProfileLink,
        menu_register,
        profile_link_register,
    )
    from telesales.core.todos import todo_source_register
    from telesales.org.hooks import after_hire_register
    from telesales.people.training import access
    from telesales.people.training.demo import demo_training
    from telesales.people.training.importers import TrainingImporter
    from telesales.people.training.services import onboarding_on_hire
    from telesales.people.training.services.plans import ONBOARDING_WINDOW_DAYS
    from telesales.people.training.todos import training_todos

    after_hire_register("training.onboarding", onboarding_on_hire)
    register(TrainingImporter)
    # After the organisation (its hires) and the targets: plans, sessions, scores.
    demo_step_register(DemoStep("training", 72, demo_training))
    todo_source_register("training", training_todos)

    setting_declare(
        SettingDefinition(
            key="training.onboarding_window_days",
            label=gettext_lazy("Onboarding for hires of the last … days"),
            default=ONBOARDING_WINDOW_DAYS,
            field=lambda: forms.IntegerField(min_value=0, max_value=365),
            help=gettext_lazy(
                "A rep recorded as hired gets an onboarding plan when the hire date is no "
                "more than this many days ago; an older hire recorded late is no new hire "
                "(assign their onboarding by hand on the training page)."
            ),
            order=70,
        )
    )

    menu_register(
        MenuItem(
            "training",
            gettext_lazy("Training"),
            "training-plans",
            access.can_manage_training,
            70,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "training-team",
            gettext_lazy("Team training overview"),
            "training-team",
            access.can_manage_training,
            71,
            group="people",
        )
    )
    menu_register(
        MenuItem(
            "training-mine",
            gettext_lazy("My training"),
            "training-mine",
            access.can_see_own_training,
            72,
            group="people",
        )
    )

    from django.urls import reverse

    profile_link_register(
        ProfileLink(
            "training",
            gettext_lazy("Training"),
            lambda employee: reverse("training-employee", args=[employee.pk]),
            access.may_see_employee_training,
            30,
        )
    )
