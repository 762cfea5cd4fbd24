"""Appraisal cycles (PRODUCT.md §6.4, §8 `appraisal open` and `appraisal compute`): opening a
scheme for a period creates one appraisal per person it applies to; computing scores every
appraisal of a period from today's data (provisional until publication)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.appraisal.models import Appraisal, Cycle, CycleKind
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.process import actions_carry
from telesales.appraisal.schemes import SchemeNotFound, scheme_load
from telesales.core.audit import audit_record
from telesales.core.periods import Period, period_parse
from telesales.org.models import Employee

CYCLE_KINDS = tuple(CycleKind.values)  # month, quarter, year


def cycle_period(period_code: str) -> Period:
    """A cycle's period: a month (2026-09), a quarter (2026-Q3) or a year (2026). PeriodError
    for text that is no period, ValidationError for a day or a range of days."""
    period = period_parse(period_code)
    if period.kind not in CYCLE_KINDS:
        raise ValidationError(
            _("An appraisal cycle runs for a month, a quarter or a year, not “%(period)s”.")
            % {"period": period_code}
        )
    return period


def _scheme_row(scheme_code: str) -> SchemeModel:
    row = SchemeModel.objects.filter(code=scheme_code).first()
    if row is None:
        raise SchemeNotFound(
            _("There is no appraisal scheme with the code “%(code)s”.") % {"code": scheme_code}
        )
    return row


@transaction.atomic
def appraisal_open(*, actor, scheme_code: str, period_code: str) -> tuple[Cycle, int]:
    """Open the scheme's cycle for the period: one draft appraisal for everyone of the scheme's
    role employed on at least one day of the period, leavers included, rated by their manager.
    Opening again creates only the appraisals still missing (none when nobody was added).
    Each new appraisal takes over the open improvement actions of the appraisee's previous
    appraisal (`process.actions_carry`). Returns the cycle and how many appraisals were created."""
    scheme = _scheme_row(scheme_code)
    period = cycle_period(period_code)
    cycle, cycle_created = Cycle.objects.select_for_update().get_or_create(
        scheme=scheme,
        period=period.code,
        defaults={"kind": period.kind, "opened_by": actor if getattr(actor, "pk", None) else None},
    )
    if not cycle_created:
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    existing = set(cycle.appraisals.values_list("employee_id", flat=True))
    people = (
        Employee.objects.employed_between(period.start, period.end)
        .filter(role=scheme.applies_to)
        .exclude(pk__in=existing)
        .order_by("employee_no")
    )
    created = Appraisal.objects.bulk_create(
        Appraisal(cycle=cycle, employee=person, rater_id=person.manager_id) for person in people
    )
    # The open improvement actions of each newcomer's previous appraisal follow them (§6.6).
    actions_carry(actor=actor, cycle=cycle, appraisals=created, period=period)
    if cycle_created or created:
        audit_record(
            actor=actor,
            action="appraisal.open",
            obj=cycle,
            after={
                "scheme": scheme.code,
                "period": period.code,
                "created": [a.employee.employee_no for a in created],
            },
        )
    return cycle, len(created)


def appraisals_compute(*, period_code: str, scheme_code: str | None = None) -> dict:
    """Every appraisal of the period's cycles (of one scheme when given) in the shape of
    `appraisal compute --json` (PRODUCT.md §8), each with its status: scored from today's data
    and ratings until published (provisional), the published snapshot after. Stores nothing."""
    period = cycle_period(period_code)
    if scheme_code is not None:
        _scheme_row(scheme_code)
    appraisals = (
        Appraisal.objects.filter(cycle__period=period.code)
        .select_related("cycle__scheme", "employee")
        .order_by("cycle__scheme__code", "employee__employee_no")
    )
    if scheme_code is not None:
        appraisals = appraisals.filter(cycle__scheme__code=scheme_code)
    from telesales.appraisal.publication import appraisal_result
    from telesales.appraisal.ratings import appraisal_ratings

    appraisals = list(appraisals)
    ratings = appraisal_ratings(a.pk for a in appraisals)
    results = []
    schemes: dict[str, object] = {}
    for appraisal in appraisals:
        code = appraisal.cycle.scheme.code
        if code not in schemes:
            schemes[code] = scheme_load(code)
        results.append(appraisal_result(appraisal, ratings.get(appraisal.pk, {}), schemes[code]))
    return {"period": period.code, "appraisals": results}
