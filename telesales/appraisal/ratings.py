"""360 ratings of the rated KPIs (PRODUCT.md §5): who is asked, what they gave, and what the
appraisal is scored on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from telesales.appraisal.models import Rating as RatingRow
from telesales.appraisal.scoring import Rating


def appraisal_ratings(appraisal_ids: Iterable[int]) -> dict[int, dict[str, list[Rating]]]:
    """Every rating given on the appraisals, by appraisal and KPI code, as the scoring engine
    takes them (one query)."""
    found: dict[int, dict[str, list[Rating]]] = defaultdict(lambda: defaultdict(list))
    rows = RatingRow.objects.filter(appraisal_id__in=list(appraisal_ids)).values_list(
        "appraisal_id", "kpi", "group", "rater_id", "dimension", "score"
    )
    for appraisal_id, kpi, group, rater_id, dimension, score in rows:
        found[appraisal_id][kpi].append(
            Rating(group=group, rater_id=rater_id, dimension=dimension, score=score)
        )
    return {key: dict(value) for key, value in found.items()}
