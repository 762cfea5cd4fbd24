"""`telesales import ratings` (PRODUCT.md §7 "ratings"): 360 ratings given outside the app,
one row per rater, rated KPI (or dimension) and appraisal."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.appraisal import access
from telesales.appraisal import ratings as services
from telesales.appraisal.models import Appraisal, RaterGroup
from telesales.appraisal.schemes import RATED_KPIS, SchemeNotFound, scheme_load
from telesales.appraisal.workflow import FROZEN
from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.core.periods import PeriodError, period_parse
from telesales.org.models import Employee

# The groups as people write them in Chinese files, besides the codes and the labels.
GROUP_WORDS = {
    "上级": "superior",
    "上級": "superior",
    "直属上级": "superior",
    "同事": "peer",
    "同级": "peer",
    "同級": "peer",
    "平级": "peer",
    "下属": "subordinate",
    "下屬": "subordinate",
    "下级": "subordinate",
    "其他部门": "department",
    "其他部門": "department",
    "跨部门": "department",
    "跨部門": "department",
    "协作部门": "department",
    "協作部門": "department",
    "自评": "self",
    "自評": "self",
    "本人": "self",
}


@functools.cache
def _groups() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in RaterGroup.choices:
                mapping[str(label).strip().lower()] = value
    for value in RaterGroup.values:
        mapping[value] = value
    mapping.update(GROUP_WORDS)
    return mapping


@dataclass(frozen=True)
class RatingImportRow:
    period: str  # the period's code: 2026-Q3
    appraisee_no: str
    rater_no: str
    rater_group: str
    kpi: str
    dimension: str
    score: Decimal
    comment: str


class RatingImporter(Importer):
    kind = "ratings"
    label = gettext_lazy("360 ratings")
    description = gettext_lazy(
        "One row per rating: who rated whom, as which rater group, on which rated KPI (or "
        "dimension, as superior_evaluation.leadership), from 1 to 5. Period, appraisee, rater, "
        "group and KPI are the key: importing the same file again stores nothing new, and a "
        "changed score replaces the stored one. Published appraisals are not changed."
    )
    master_data = True  # a corrected score is reported as updated
    columns = (
        Column(
            "period",
            gettext_lazy("Appraisal period"),
            aliases=("考核期间", "考核期間"),
            help=gettext_lazy("The period of the appraisal cycle: 2026-Q3, 2026-09 or 2026."),
        ),
        Column(
            "appraisee_no",
            gettext_lazy("Appraisee employee number"),
            aliases=("被考核人工号", "被考核人工號"),
        ),
        Column(
            "rater_no",
            gettext_lazy("Rater employee number"),
            aliases=("评价人工号", "評價人工號"),
        ),
        Column(
            "rater_group",
            gettext_lazy("Rater group"),
            aliases=("评价人类别", "評價人類別"),
            help=gettext_lazy("superior, peer, subordinate, department or self (上级, 同事, …)"),
        ),
        Column(
            "kpi",
            gettext_lazy("Rated KPI"),
            aliases=("指标", "指標"),
            help=gettext_lazy(
                "process_compliance, report_quality, collaboration or superior_evaluation; "
                "code.dimension for a dimension, e.g. superior_evaluation.leadership"
            ),
        ),
        Column(
            "score",
            gettext_lazy("Rating"),
            aliases=("分数", "分數"),
            help=gettext_lazy("From 1 to 5, at most 2 decimals."),
        ),
        Column(
            "comment",
            gettext_lazy("Comment"),
            required=False,
            aliases=("评语", "評語"),
        ),
    )

    def allowed(self, user) -> bool:
        return access.can_administer(user)

    def example_row(self) -> list[str]:
        return ["2026-Q3", "S001", "M001", "superior", "superior_evaluation.leadership", "4.5", ""]

    def parse(self, row: dict[str, str]) -> RatingImportRow:
        period_text = fields.text(row["period"], "period", required=True, max_length=20)
        try:
            period = period_parse(period_text)
        except PeriodError:
            raise RowError(
                "period",
                _("“%(value)s” is not a period; write 2026-Q3, 2026-09 or 2026.")
                % {"value": period_text},
            ) from None
        kpi_text = fields.text(row["kpi"], "kpi", required=True, max_length=100)
        kpi, _dot, dimension = kpi_text.partition(".")
        if kpi not in RATED_KPIS:
            raise RowError(
                "kpi",
                _("“%(value)s” is not a rated KPI; rated KPIs are %(kpis)s.")
                % {"value": kpi_text, "kpis": ", ".join(RATED_KPIS)},
            )
        score_text = fields.text(row["score"], "score", required=True, max_length=20)
        score, problem = services.score_check(kpi_text, score_text)
        if problem:
            raise RowError("score", problem)
        return RatingImportRow(
            period=period.code,
            appraisee_no=fields.text(
                row["appraisee_no"], "appraisee_no", required=True, max_length=40
            ),
            rater_no=fields.text(row["rater_no"], "rater_no", required=True, max_length=40),
            rater_group=fields.choice(row["rater_group"], "rater_group", _groups()),
            kpi=kpi,
            dimension=dimension.strip(),
            score=score,
            comment=fields.text(row.get("comment") or "", "comment", max_length=4000),
        )

    def store(self, batch, ctx: StoreContext) -> None:
        result = ctx.result
        seen: dict[tuple, tuple[int, tuple]] = ctx.state.setdefault("seen", {})
        schemes: dict[str, object] = ctx.state.setdefault("schemes", {})
        numbers = {r.appraisee_no for _l, r in batch} | {r.rater_no for _l, r in batch}
        employees = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=numbers)}
        appraisals: dict[tuple[str, str], list[Appraisal]] = {}
        for appraisal in Appraisal.objects.filter(
            employee__employee_no__in={r.appraisee_no for _l, r in batch},
            cycle__period__in={r.period for _l, r in batch},
        ).select_related("cycle__scheme", "employee"):
            key = (appraisal.employee.employee_no, appraisal.cycle.period)
            appraisals.setdefault(key, []).append(appraisal)
        accepted: list[services.ImportedRating] = []
        for line, row in batch:
            problem, appraisal, rater = self._resolve(row, employees, appraisals, schemes)
            if problem is not None:
                result.reject(line, *problem)
                continue
            key = (appraisal.pk, rater.pk, row.rater_group, row.kpi, row.dimension)
            facts = (row.score, row.comment)
            if key in seen:
                first_line, first_facts = seen[key]
                if first_facts == facts:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        "score",
                        _(
                            "This rating already appears on line %(line)s of this file with "
                            "another score or comment."
                        )
                        % {"line": first_line},
                    )
                continue
            seen[key] = (line, facts)
            accepted.append(
                services.ImportedRating(
                    appraisal=appraisal,
                    rater=rater,
                    group=row.rater_group,
                    kpi=row.kpi,
                    dimension=row.dimension,
                    score=row.score,
                    comment=row.comment,
                )
            )
        counts = services.ratings_import_store(actor=ctx.actor, ratings=accepted)
        result.stored += counts.stored
        result.updated += counts.updated
        result.duplicates += counts.unchanged

    @staticmethod
    def _resolve(row: RatingImportRow, employees, appraisals, schemes):
        """The row's appraisal and rater, or (column, reason) of the first problem."""
        none = (None, None)
        appraisee = employees.get(row.appraisee_no)
        if appraisee is None:
            return (
                "appraisee_no",
                _("There is no employee %(no)s.") % {"no": row.appraisee_no},
            ), *none
        rater = employees.get(row.rater_no)
        if rater is None:
            return ("rater_no", _("There is no employee %(no)s.") % {"no": row.rater_no}), *none
        found = appraisals.get((row.appraisee_no, row.period), [])
        if not found:
            return (
                (
                    "appraisee_no",
                    _("%(no)s has no appraisal in %(period)s.")
                    % {"no": row.appraisee_no, "period": row.period},
                ),
                *none,
            )
        if len(found) > 1:
            return (
                (
                    "appraisee_no",
                    _(
                        "%(no)s has %(count)s appraisals in %(period)s (schemes %(schemes)s); "
                        "rate in the app instead."
                    )
                    % {
                        "no": row.appraisee_no,
                        "count": len(found),
                        "period": row.period,
                        "schemes": ", ".join(a.cycle.scheme.code for a in found),
                    },
                ),
                *none,
            )
        appraisal = found[0]
        code = appraisal.cycle.scheme.code
        if code not in schemes:
            try:
                schemes[code] = scheme_load(code)
            except SchemeNotFound:
                schemes[code] = None
        scheme = schemes[code]
        line = None
        if scheme is not None:
            line = next((k for k in services.rated_lines(scheme) if k.kpi == row.kpi), None)
        if line is None:
            return (
                (
                    "kpi",
                    _("The scheme %(scheme)s of this appraisal does not rate %(kpi)s.")
                    % {"scheme": code, "kpi": row.kpi},
                ),
                *none,
            )
        if line.dimensions and row.dimension not in line.dimensions:
            return (
                (
                    "kpi",
                    _("%(kpi)s is rated on its dimensions; write one of: %(dimensions)s.")
                    % {
                        "kpi": row.kpi,
                        "dimensions": ", ".join(f"{row.kpi}.{d}" for d in line.dimensions),
                    },
                ),
                *none,
            )
        if not line.dimensions and row.dimension:
            return (
                ("kpi", _("%(kpi)s has no dimensions; write %(kpi)s alone.") % {"kpi": row.kpi}),
                *none,
            )
        if (row.rater_group == "self") != (rater.pk == appraisee.pk):
            return (
                (
                    "rater_group",
                    _(
                        "Only the appraisee rates as self, and the appraisee rates in no other group."
                    ),
                ),
                *none,
            )
        if appraisal.status in FROZEN:
            return (
                (
                    "appraisee_no",
                    _(
                        "The appraisal of %(no)s in %(period)s is published; its ratings change "
                        "only after HR reopens it."
                    )
                    % {"no": row.appraisee_no, "period": row.period},
                ),
                *none,
            )
        return None, appraisal, rater
