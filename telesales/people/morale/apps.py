from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoraleConfig(AppConfig):
    name = "telesales.people.morale"
    label = "morale"
    verbose_name = _("Motivation and stability")

    def ready(self) -> None:
        from telesales.people.morale import wiring

        wiring.ready()
