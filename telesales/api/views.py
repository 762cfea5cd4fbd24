"""The read-only JSON API (PRODUCT.md §2: every endpoint respects the user's scope): the KPIs
of a rep or team for a period, in the shape of `telesales kpi --json`, and appraisal results in
the shape of `telesales appraisal compute --json` (§8). Both read through the same functions as
the pages and the command line; nothing computes a KPI a second way.

Authentication: the browser session, or HTTP Basic with the user's login for scripts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from telesales.appraisal import access as appraisal_access
from telesales.appraisal.publication import appraisal_result
from telesales.appraisal.ratings import appraisal_ratings
from telesales.appraisal.schemes import scheme_load
from telesales.core.periods import PeriodError, period_parse
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.org.scopes import ScopeError, scope_parse

PAGE_SIZE = 50


def _drill(code: str, scope_code: str, period_code: str) -> str | None:
    """The rows behind the KPI, where the analysis pages list them."""
    try:
        from telesales.kpi.drill import drill_url
    except ImportError:  # pragma: no cover - the drill-down table is part of the kpi app
        return None
    return drill_url(code, who=scope_code, period_code=period_code)


def _who(scope) -> str | None:
    """The analysis pages' `who` for a KPI scope: one rep, one team, or a supervisor's teams."""
    if getattr(scope, "employee_id", None):
        return f"rep-{scope.employee_id}"
    if scope.code.startswith("supervisor:"):
        from telesales.org.models import Employee

        leader = Employee.objects.filter(employee_no=scope.code[len("supervisor:") :]).first()
        return f"lead-{leader.pk}" if leader else None
    team_ids = getattr(scope, "team_ids", ())
    if len(team_ids) == 1:
        return f"team-{team_ids[0]}"
    return None


@extend_schema(
    parameters=[
        OpenApiParameter(
            "period", OpenApiTypes.STR, required=True, description="2026-09, 2026-Q3, 2026"
        ),
        OpenApiParameter("scope", OpenApiTypes.STR, required=True, description="E001 or team:T1"),
    ],
    responses={200: OpenApiTypes.OBJECT},
    description="Every KPI of the catalogue for a rep or a team: value, numerator, denominator "
    "(rates as fractions, null when not applicable), label, formula and the link to the rows.",
)
@api_view(["GET"])
def kpis(request):
    try:
        period = period_parse(request.query_params.get("period") or "")
        scope = scope_parse(request.query_params.get("scope") or "", request.user)
    except (PeriodError, ScopeError) as error:
        raise ValidationError({"detail": str(error)}) from error
    values = kpis_compute(scope, period)
    who = _who(scope)
    payload = {}
    for code, value in values.items():
        definition = DEFINITIONS.get(code)
        item = value.as_json()
        item["label"] = str(definition.label) if definition else code
        item["formula"] = str(definition.formula) if definition else ""
        item["rows"] = _drill(code, who, period.code) if who else None
        payload[code] = item
    return Response({"period": period.code, "scope": scope.code, "kpis": payload})


@extend_schema(
    operation_id="appraisals_list",
    parameters=[
        OpenApiParameter("period", OpenApiTypes.STR, required=True, description="2026-Q3"),
        OpenApiParameter("page", OpenApiTypes.INT, required=False),
    ],
    responses={200: OpenApiTypes.OBJECT},
    description="The appraisals of a period the user may see, each in the shape of "
    "`telesales appraisal compute --json`: published ones from their frozen snapshot, the "
    "others provisional from today's data. 50 a page.",
)
@api_view(["GET"])
def appraisals(request):
    text = request.query_params.get("period") or ""
    try:
        period = period_parse(text)
    except PeriodError as error:
        raise ValidationError({"detail": str(error)}) from error
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError as error:
        raise ValidationError({"detail": _("The page must be a whole number.")}) from error
    visible = (
        appraisal_access.appraisals_visible(request.user)
        .filter(cycle__period=period.code)
        .select_related("cycle__scheme", "employee", "rater")
        .order_by("cycle__scheme__code", "employee__employee_no")
    )
    count = visible.count()
    chosen = list(visible[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    ratings = appraisal_ratings(a.pk for a in chosen)
    schemes: dict = {}
    results = []
    for appraisal in chosen:
        code = appraisal.cycle.scheme.code
        if code not in schemes:
            schemes[code] = scheme_load(code)
        results.append(
            _public(
                appraisal_result(appraisal, ratings.get(appraisal.pk, {}), schemes[code]), appraisal
            )
        )
    return Response({"period": period.code, "count": count, "page": page, "appraisals": results})


@extend_schema(operation_id="appraisals_retrieve", responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def appraisal(request, pk: int):
    """One appraisal's result, if the user may see it (404 otherwise)."""
    found = appraisal_access.access_appraisal(request.user, pk)
    return Response(_public(appraisal_result(found), found))


def _public(result: dict, appraisal) -> dict:
    """The result without the stored scheme text, with the appraisal's id and period."""
    shown = {key: value for key, value in result.items() if key != "scheme_yaml"}
    shown["id"] = appraisal.pk
    shown["period"] = appraisal.cycle.period
    return shown
