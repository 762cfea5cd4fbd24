from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "telesales.reports"
    label = "reports"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from telesales.core.navigation import MenuItem, menu_register
        from telesales.people.morale.access import can_see_attrition
        from telesales.reports.selectors import can_compare_reps, can_view_analysis

        menu_register(
            MenuItem(
                "analysis", _("Sales figures"), "analysis", can_view_analysis, 60, group="analysis"
            )
        )
        menu_register(
            MenuItem(
                "funnel", _("Funnel"), "analysis-funnel", can_view_analysis, 61, group="analysis"
            )
        )
        menu_register(
            MenuItem(
                "rep-comparison",
                _("Rep comparison"),
                "analysis-comparison",
                can_compare_reps,
                62,
                group="analysis",
            )
        )
        menu_register(
            MenuItem(
                "attrition",
                _("Attrition risk"),
                "attrition-risk",
                can_see_attrition,
                84,
                group="people",
            )
        )
