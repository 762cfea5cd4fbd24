from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    name = "telesales.people.development"
    label = "development"
    verbose_name = _("Development and succession")

    def ready(self) -> None:
        from telesales.people.development import wiring

        wiring.ready()
