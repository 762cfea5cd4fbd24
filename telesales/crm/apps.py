from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "telesales.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from telesales.crm import wiring

        wiring.ready()
