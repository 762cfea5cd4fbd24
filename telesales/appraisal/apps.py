from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "telesales.appraisal"
    label = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self) -> None:
        from django import forms

        from telesales.appraisal.workflow import APPEAL_WINDOW_DAYS, APPEAL_WINDOW_SETTING
        from telesales.core.config import SettingDefinition, setting_declare

        setting_declare(
            SettingDefinition(
                key=APPEAL_WINDOW_SETTING,
                label=_("Appeal window (days after the result interview)"),
                default=APPEAL_WINDOW_DAYS,
                field=lambda: forms.IntegerField(min_value=1, max_value=90),
                help=_(
                    "An appraisee may appeal their result up to this many days after "
                    "acknowledging the result interview."
                ),
                order=70,
            )
        )

        from telesales.appraisal.views import (
            cycles,
            process,
            ratings,
            results,
            schemes,
            scorecard,
        )

        for area in (scorecard, process, ratings, cycles, schemes, results):
            area.ready()

        from telesales.appraisal.demo import demo_appraisal
        from telesales.core.demo import DemoStep, demo_step_register

        # After everything the appraisal scores: calls, deals, targets, QA, training, reports.
        demo_step_register(DemoStep("appraisal", 90, demo_appraisal))
