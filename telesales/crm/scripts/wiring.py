"""The call scripts at start-up: their menu entry, the significance level and the demo step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.crm.scripts import access
    from telesales.crm.scripts.demo import demo_scripts

    menu_register(
        MenuItem(
            "scripts",
            _("Call scripts"),
            "script-library",
            access.can_see_scripts,
            order=74,
            group="quality",
        )
    )
    setting_declare(
        SettingDefinition(
            key="scripts.significance_level",
            label=_("Significance level of the script comparison"),
            default=0.05,
            field=lambda: forms.FloatField(min_value=0.001, max_value=0.2),
            help=_(
                "A script version is called better or worse than another only when the test's "
                "p-value is below this level; 0.05 is the usual choice."
            ),
            order=35,
        )
    )
    # After the deals (step 40): the demo outcomes of steps 20–30 are there to name versions.
    demo_step_register(DemoStep("scripts", 55, demo_scripts))
