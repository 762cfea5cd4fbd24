"""training KPIs (PRODUCT.md §5); registered with telesales.kpi.registry on import.

- training_completion_rate: planned training sessions held / planned sessions due in P. A
  session is due in P when its (company-local) date is in P; it counts for a scope when at
  least one of its invitees was in the scope on that date; each session counts once;
  cancelled and still-planned sessions count as not held.
- training_effect: mean (post − pre) over the course-assessment results with both scores
  whose assessment date is in P, of trainees in the scope on that date.
- skill_score_avg: mean skill-assessment score (0–100) of the scope's reps in P.

A rep's KPIs count their own invitations and results; a team's count those of its reps by
each rep's team and role on the session's or assessment's date (telesales.org.membership).
The rows are those of telesales.people.training.selectors, which the training pages list.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, ratio
from telesales.org.scopes import KpiScope
from telesales.people.training import selectors

TRAINING_KPIS = ("training_completion_rate", "training_effect", "skill_score_avg")


def training_completion_rate(scope: KpiScope, period: Period) -> KpiValue:
    held, due = selectors.completion_counts(scope, period.start, period.end)
    return ratio(held, due)


def training_effect(scope: KpiScope, period: Period) -> KpiValue:
    total, count = selectors.effect_sums(scope, period.start, period.end)
    return ratio(total, count)


def skill_score_avg(scope: KpiScope, period: Period) -> KpiValue:
    total, count = selectors.skill_sums(scope, period.start, period.end)
    return ratio(total, count)


def training_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    return {
        "training_completion_rate": training_completion_rate(scope, period),
        "training_effect": training_effect(scope, period),
        "skill_score_avg": skill_score_avg(scope, period),
    }


kpi_register(
    "training",
    training_kpis,
    [
        KpiDefinition(
            "training_completion_rate",
            gettext_lazy("Training plan completion"),
            gettext_lazy("planned training sessions held / planned training sessions due"),
            "rate",
            "training",
        ),
        KpiDefinition(
            "training_effect",
            gettext_lazy("Training effect"),
            gettext_lazy(
                "mean of (score after − score before) over the trainees assessed before and "
                "after a course"
            ),
            "score",
            "training",
        ),
        KpiDefinition(
            "skill_score_avg",
            gettext_lazy("Skill assessment average"),
            gettext_lazy("mean skill-assessment score (0–100)"),
            "score",
            "training",
        ),
    ],
)
