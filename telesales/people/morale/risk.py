"""The settings of the attrition-risk signal (telesales.reports.attrition reads them): the
points each fact adds to a rep's score and the scores from which the risk is medium or high.
Declared here, below the reports layer, so that the settings page knows them from start-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# fact → (default points, label of its setting)
RISK_FACTS: dict[str, tuple[int, object]] = {
    "morale_low": (30, _("Attrition risk: points for a latest morale check-in of 2 or less")),
    "morale_falling": (20, _("Attrition risk: points for morale falling over three check-ins")),
    "attainment_drop": (
        20,
        _("Attrition risk: points for sales attainment down 20 points or more on the month"),
    ),
    "attainment_low": (15, _("Attrition risk: points for sales attainment below 60%")),
    "short_tenure": (10, _("Attrition risk: points for under 90 days of service")),
    "recent_penalty": (15, _("Attrition risk: points for a penalty in the last 60 days")),
    "no_checkin": (10, _("Attrition risk: points for no check-in in the last 60 days")),
}
MEDIUM_KEY = "morale.risk_medium"
HIGH_KEY = "morale.risk_high"
MEDIUM_DEFAULT = 25
HIGH_DEFAULT = 50


def weight_key(fact: str) -> str:
    return f"morale.risk_points_{fact}"


def risk_settings_declare() -> None:
    from telesales.core.config import SettingDefinition, setting_declare

    for order, (fact, (default, label)) in enumerate(RISK_FACTS.items(), start=80):
        setting_declare(
            SettingDefinition(
                key=weight_key(fact),
                label=label,
                default=default,
                field=lambda: forms.IntegerField(min_value=0, max_value=100),
                help=_("Points (0–100) the fact adds to a rep's attrition-risk score."),
                order=order,
            )
        )
    setting_declare(
        SettingDefinition(
            key=MEDIUM_KEY,
            label=_("Attrition risk: medium from (points)"),
            default=MEDIUM_DEFAULT,
            field=lambda: forms.IntegerField(min_value=1, max_value=1000),
            help=_("A score of at least this many points is a medium risk."),
            order=90,
        )
    )
    setting_declare(
        SettingDefinition(
            key=HIGH_KEY,
            label=_("Attrition risk: high from (points)"),
            default=HIGH_DEFAULT,
            field=lambda: forms.IntegerField(min_value=1, max_value=1000),
            help=_(
                "A score of at least this many points is a high risk; below the medium "
                "threshold it is low."
            ),
            order=91,
        )
    )
