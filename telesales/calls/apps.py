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
        from telesales.calls.models import RECORDING_URL_TEMPLATE
        from telesales.core.config import SettingDefinition, setting_declare
        from telesales.core.imports.registry import register

        register(CallImporter)
        attribution.connect()
        _menu_register()

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
                field=lambda: forms.CharField(max_length=200, validators=[_valid_pattern]),
                help=_(
                    "A regular expression; a number that matches it in full, or that is in the "
                    "extension map, is internal. Default: at most 6 digits. Applies to calls "
                    "imported from now on."
                ),
                order=11,
            )
        )
        setting_declare(
            SettingDefinition(
                key=RECORDING_URL_TEMPLATE,
                label=_("Recording link"),
                default="",
                field=lambda: forms.CharField(
                    max_length=500, required=False, validators=[_valid_recording_template]
                ),
                help=_(
                    "Turns the recording file the phone system gives with a call into a link, "
                    "for example http://pbx.example/recordings/{file}: {file} is replaced by the "
                    "file name. A recording given as an http or https link is used as it is. "
                    "Empty: only such links are shown."
                ),
                order=12,
            )
        )


def _menu_register() -> None:
    from telesales.calls.forms import CallImportOptionsForm
    from telesales.calls.importer import CallImporter
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.org import access
    from telesales.org.models import Role

    # The upload page shows these options under the file (core's generic mechanism).
    CallImporter.options_form = CallImportOptionsForm
    menu_register(
        MenuItem("calls", _("Calls"), "call-list", lambda u: access.user_role(u) is not None, 30)
    )
    menu_register(
        MenuItem(
            "call-stats",
            _("Call statistics"),
            "call-stats",
            lambda u: (
                access.user_role(u) in {Role.REP, Role.SUPERVISOR, Role.MANAGER}
                or access.scope_for(u).company_wide
            ),
            31,
            group="analysis",
        )
    )
    # The settings page is core's; it is listed here, where the first settings come from.
    menu_register(MenuItem("settings", _("Settings"), "settings", access.can_administer_org, 95))


def _valid_pattern(value: str) -> None:
    import re

    from django.core.exceptions import ValidationError

    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            _("This is not a valid regular expression: %(error)s"), params={"error": error}
        ) from None


def _valid_recording_template(value: str) -> None:
    from django.core.exceptions import ValidationError

    from telesales.calls.models import WEB_SCHEMES

    value = value.strip()
    if not value:
        return
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in WEB_SCHEMES or any(c.isspace() for c in value):
        raise ValidationError(
            _("The recording link must start with http:// or https:// and contain no spaces.")
        )
    if "{file}" not in value:
        raise ValidationError(
            _("The recording link must contain {file}, where the recording file name goes.")
        )


def _threshold_changed(before, after) -> None:
    from telesales.calls.tasks import rollup_rebuild_enqueue

    rollup_rebuild_enqueue()
