from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "telesales.qa"
    label = "qa"
    verbose_name = _("Call monitoring and coaching")

    def ready(self) -> None:
        from telesales.qa import wiring

        wiring.ready()
