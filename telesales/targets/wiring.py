"""Settings, importers, menu entries and the demo step of target plans, registered once."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


def _valid_ramp(value: str) -> None:
    from telesales.targets.capacity import ramp_parse

    try:
        ramp_parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _valid_weights(value: str) -> None:
    from telesales.targets.pace import pipeline_weights_parse

    try:
        pipeline_weights_parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def ready() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.imports.registry import register
    from telesales.targets.demo import demo_targets
    from telesales.targets.importers import TargetImporter

    register(TargetImporter)
    # After the deals (order 40) and calls: the targets are set from their run rate.
    demo_step_register(DemoStep("targets", 60, demo_targets))

    setting_declare(
        SettingDefinition(
            key="targets.ramp_up",
            label=gettext_lazy("Ramp-up of new hires (%)"),
            default="40,70,100",
            field=lambda: forms.CharField(max_length=100, validators=[_valid_ramp]),
            help=gettext_lazy(
                "The share of a full target a new hire carries in their 1st, 2nd, … month of "
                "service, separated by commas; the last one holds from then on. Used by the "
                "capacity split and the daily plan."
            ),
            order=40,
        )
    )
    setting_declare(
        SettingDefinition(
            key="targets.pace_on_track",
            label=gettext_lazy("On track from (% of the plan to date)"),
            default=95,
            field=lambda: forms.IntegerField(min_value=1, max_value=200),
            help=gettext_lazy(
                "A target whose actual reaches this share of what was due by now is on track."
            ),
            order=41,
        )
    )
    setting_declare(
        SettingDefinition(
            key="targets.pace_at_risk",
            label=gettext_lazy("At risk from (% of the plan to date)"),
            default=80,
            field=lambda: forms.IntegerField(min_value=0, max_value=200),
            help=gettext_lazy(
                "Below the on-track share but at least this share: at risk; below it: behind."
            ),
            order=42,
        )
    )
    setting_declare(
        SettingDefinition(
            key="targets.pipeline_weights",
            label=gettext_lazy("Chance of an open opportunity (% by intent level)"),
            default="medium:10,high:30",
            field=lambda: forms.CharField(max_length=200, validators=[_valid_weights]),
            help=gettext_lazy(
                "The forecast adds the intent customers of the last 90 days not yet won, "
                "weighted by these chances, each worth the rep's average order value of the "
                "last 90 days; a window with less than 30 days left gets that share of them."
            ),
            order=43,
        )
    )

    # The target board and a rep's own targets (telesales.targets.board_views).
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.targets.board import can_see_board, can_see_own_targets

    menu_register(
        MenuItem(
            "target-board",
            gettext_lazy("Target board"),
            "target-board",
            can_see_board,
            50,
            group="targets",
        )
    )
    menu_register(
        MenuItem(
            "target-mine",
            gettext_lazy("My targets"),
            "target-mine",
            can_see_own_targets,
            50,
            group="targets",
        )
    )

    # The target plans and agreements (telesales.targets.views).
    from telesales.targets.selectors import can_see_targets

    menu_register(
        MenuItem(
            "targets", gettext_lazy("Targets"), "target-list", can_see_targets, 49, group="targets"
        )
    )
    menu_register(
        MenuItem(
            "agreements",
            gettext_lazy("Agreements"),
            "agreement-list",
            can_see_targets,
            51,
            group="targets",
        )
    )

    from django.urls import reverse

    from telesales.core.navigation import ProfileLink, profile_link_register
    from telesales.org.access import scope_for
    from telesales.org.models import Role
    from telesales.targets.board import BOARD_ROLES

    def _may_see_targets_of(user, employee) -> bool:
        scope = scope_for(user)
        own = scope.employee is not None and scope.employee.pk == employee.pk
        return employee.role == Role.REP and (own or scope.role in BOARD_ROLES)

    profile_link_register(
        ProfileLink(
            "targets",
            gettext_lazy("Targets and daily plan"),
            lambda employee: reverse("target-employee", args=[employee.pk]),
            _may_see_targets_of,
            10,
        )
    )
