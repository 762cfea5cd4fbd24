from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "telesales.calls"
    label = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from django import forms

        from telesales.calls import attribution
        from telesales.calls.importer import DEFAULT_INTERNAL_PATTERN, CallImporter
        from telesales.core.config import SettingDefinition, setting_declare
        from telesales.core.imports.registry import register

        register(CallImporter)
        attribution.connect()

        from telesales.calls.demo import demo_calls
        from telesales.core.demo import DemoStep, demo_step_register

        demo_step_register(DemoStep("calls", 20, demo_calls))
        setting_declare(
            SettingDefinition(
                key="calls.effective_seconds",
                label=_("Effective call threshold (seconds)"),
                default=60,
                field=lambda: forms.IntegerField(min_value=1, max_value=3600),
                help=_(
                    "An answered call with at least this much talk time is an effective call. "
                    "Changing it recomputes every daily roll-up."
                ),
                on_change=_threshold_changed,
                order=10,
            )
        )
        setting_declare(
            SettingDefinition(
                key="calls.internal_pattern",
                label=_("Internal number pattern"),
                default=DEFAULT_INTERNAL_PATTERN,
                field=lambda: forms.CharField(max_length=200),
                help=_(
                    "A regular expression; a number that matches it in full, or that is in the "
                    "extension map, is internal. Default: at most 6 digits. Applies to calls "
                    "imported from now on."
                ),
                order=11,
            )
        )


def _threshold_changed(before, after) -> None:
    from telesales.calls.tasks import rollup_rebuild_enqueue

    rollup_rebuild_enqueue()
