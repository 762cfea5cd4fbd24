"""The rated KPIs of the catalogue (PRODUCT.md §5): process_compliance, report_quality,
collaboration and superior_evaluation. Their value is the raters' mean, given to one appraisee
in one appraisal (`telesales.appraisal.ratings`), so outside an appraisal the catalogue reports
them as not applicable, never 0; registered here so that the registry names every KPI of §5."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue
from telesales.org.scopes import KpiScope

RATED_KPIS = ("process_compliance", "report_quality", "collaboration", "superior_evaluation")


def _rated(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    return {code: KpiValue(None) for code in RATED_KPIS}


_RATED_FORMULA = gettext_lazy(
    "the raters' 1–5 ratings in the appraisal: each group's mean, weighted by the scheme's "
    "rater-group weights"
)

kpi_register(
    "rated",
    _rated,
    [
        KpiDefinition(
            "process_compliance",
            gettext_lazy("Following and improving rules and processes"),
            _RATED_FORMULA,
            "rating",
            "rated",
        ),
        KpiDefinition(
            "report_quality",
            gettext_lazy("Quality of data and reports"),
            _RATED_FORMULA,
            "rating",
            "rated",
        ),
        KpiDefinition(
            "collaboration",
            gettext_lazy("Internal collaboration and cross-department communication"),
            _RATED_FORMULA,
            "rating",
            "rated",
        ),
        KpiDefinition(
            "superior_evaluation",
            gettext_lazy("Superior's overall evaluation"),
            _RATED_FORMULA,
            "rating",
            "rated",
        ),
    ],
)
