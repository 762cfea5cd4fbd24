from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "telesales.targets"
    label = "targets"
    verbose_name = _("Targets")

    def ready(self) -> None:
        from telesales.targets import wiring

        wiring.ready()
