from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "telesales.feedback"
    label = "feedback"
    verbose_name = _("Feedback and surveys")

    def ready(self) -> None:
        from telesales.feedback import wiring

        wiring.ready()
