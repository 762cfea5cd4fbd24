from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkreportsConfig(AppConfig):
    name = "telesales.people.workreports"
    label = "workreports"
    verbose_name = _("Work reports")

    def ready(self) -> None:
        from telesales.people.workreports import wiring

        wiring.ready()
