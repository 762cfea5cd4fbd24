from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "telesales.people.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from telesales.people.training import wiring

        wiring.ready()
