from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitingConfig(AppConfig):
    name = "telesales.people.recruiting"
    label = "recruiting"
    verbose_name = _("Recruiting")

    def ready(self) -> None:
        from telesales.people.recruiting import wiring

        wiring.ready()
