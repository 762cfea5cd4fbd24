"""The customers area at start-up: its importer, menu entries, settings and demo step."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telesales.crm.customers.intent import DEFAULT_LEVELS, DEFAULT_THRESHOLD

_LEVEL = re.compile(r"^[\w-]{1,20}$")


class IntentLevelsField(forms.CharField):
    """The intent levels, lowest first, as comma-separated codes; left empty (or not sent
    by a form that does not show it), the levels stay as they are."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        if value in self.empty_values or not str(value).strip():
            from telesales.crm.customers.intent import intent_levels

            return intent_levels()
        return super().clean(value)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for separator in ("，", "、", ";", "；"):
            text = text.replace(separator, ",")
        return [part.strip() for part in text.split(",") if part.strip()]

    def validate(self, value):
        if len(value) < 2:
            raise ValidationError(_("Give at least two intent levels, lowest first."))
        if len(set(value)) != len(value):
            raise ValidationError(_("Each intent level may appear only once."))
        for level in value:
            if not _LEVEL.match(level):
                raise ValidationError(
                    _("“%(level)s” is not a level code: letters, digits, “_” and “-”, at most 20."),
                    params={"level": level},
                )

    def run_validators(self, value):
        """The validators of CharField measure text; a list is checked by validate()."""


class IntentThresholdField(forms.CharField):
    """One of the intent levels; left empty, the threshold stays as it is."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        if value in self.empty_values or not str(value).strip():
            from telesales.crm.customers.intent import intent_threshold

            return intent_threshold()
        return super().clean(value.strip())


def _threshold_valid(value: str) -> None:
    from telesales.crm.customers.intent import intent_levels

    levels = intent_levels()
    if value not in levels:
        raise ValidationError(
            _("“%(value)s” is not one of the intent levels: %(levels)s."),
            params={"value": value, "levels": ", ".join(levels)},
        )


def _intent_changed(before, after) -> None:
    from telesales.crm.customers.configuration import intent_settings_changed

    intent_settings_changed(before, after)


def ready() -> None:
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.demo import DemoStep, demo_step_register
    from telesales.core.imports.registry import register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.crm.customers import selectors, views
    from telesales.crm.customers.demo import demo_customer_tiers, demo_customers
    from telesales.crm.customers.importers import CustomerImporter

    register(CustomerImporter)
    menu_register(MenuItem("today", _("Today"), "today", views.today_allowed, order=5))
    menu_register(
        MenuItem("customers", _("Customers"), "customer-list", selectors.can_see_customers, 40)
    )
    setting_declare(
        SettingDefinition(
            key="crm.intent_levels",
            label=_("Intent levels"),
            default=list(DEFAULT_LEVELS),
            field=lambda: IntentLevelsField(max_length=300),
            help=_(
                "Codes separated by commas, lowest first; by default none, low, medium and "
                "high. Changing them tiers every customer again."
            ),
            on_change=_intent_changed,
            order=30,
        )
    )
    setting_declare(
        SettingDefinition(
            key="crm.intent_threshold",
            label=_("Intent threshold"),
            default=DEFAULT_THRESHOLD,
            field=lambda: IntentThresholdField(validators=[_threshold_valid]),
            help=_(
                "A customer whose intent level reaches this level is an intent customer, from "
                "the date it first does (intent_on)."
            ),
            on_change=_intent_changed,
            order=31,
        )
    )
    demo_step_register(DemoStep("customers", 30, demo_customers))
    # Deals (step 40) change tiers: a customer with a deal is an A by the default rules.
    demo_step_register(DemoStep("customer-tiers", 45, demo_customer_tiers))
