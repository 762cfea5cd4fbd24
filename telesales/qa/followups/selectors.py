"""Reads of the follow-up checks: the customers to check (the weekly sample, the picker), the
per-rep overview of follow-up hygiene and the list of checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.org.models import Employee, Team
from telesales.qa.followups.access import checkable_reps, checks_visible_to
from telesales.qa.followups.rules import (
    CALL_DAYS,
    MAX_CUSTOMERS,
    OUTCOME_WITHIN,
    Status,
    sample_order_key,
    sample_size,
    week_start_of,
)
from telesales.qa.models import FollowUpCheck, FollowUpCheckItem

# -- the sample --------------------------------------------------------------------------------


def rep_customers(rep: Employee) -> QuerySet:
    """The records a rep keeps: the customers they own, merged duplicates left out."""
    from telesales.crm.models import Customer

    return Customer.objects.filter(owner=rep, merged_into__isnull=True)


def followup_sample(rep: Employee, *, week_start: dt.date, size: int | None = None) -> list:
    """The week's random sample of the rep's customers to check: `qa.followup_sample_size`
    (default 5) of their own customers that may be called (not do-not-call), in the seeded
    order of sample_order_key; customers with a follow-up record (an outcome recorded) come
    before untouched leads, which fill the sample only when too few have one."""
    size = sample_size() if size is None else size
    rows = list(rep_customers(rep).filter(dnc=False).values_list("pk", "attempts"))
    start = week_start_of(week_start)
    rows.sort(key=lambda row: (row[1] == 0, sample_order_key(rep.employee_no, start, row[0])))
    chosen = [pk for pk, _attempts in rows[:size]]
    customers = rep_customers(rep).select_related("last_disposition").in_bulk(chosen)
    return [customers[pk] for pk in chosen]


def customers_to_pick(rep: Employee, *, text: str = "", today: dt.date | None = None, limit=50):
    """The rep's customers offered to pick from, those most worth a look first: overdue
    follow-ups, then the most recently contacted; `text` filters on name, company or the end
    of the number."""
    today = today or timezone.localdate()
    customers = rep_customers(rep)
    text = (text or "").strip()
    if text:
        found = Q(name__icontains=text) | Q(company__icontains=text)
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            found |= Q(phone__endswith=digits)
        customers = customers.filter(found)
    from django.db.models import Case, IntegerField, Value, When

    return list(
        customers.annotate(
            overdue=Case(
                When(dnc=False, next_follow_up__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("last_disposition")
        .order_by("-overdue", F("last_contact_at").desc(nulls_last=True), "-id")[:limit]
    )


def customers_for_check(rep: Employee, ids: Iterable) -> list:
    """The customers chosen for a check of the rep, in the order given (duplicates once):
    at least one, at most MAX_CUSTOMERS, every one the rep's own."""
    wanted: list[int] = []
    for value in ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose the customers from the list.")) from None
        if pk not in wanted:
            wanted.append(pk)
    if not wanted:
        raise ValidationError(_("Choose at least one customer to check."))
    if len(wanted) > MAX_CUSTOMERS:
        raise ValidationError(
            _("A check holds at most %(max)s customers; choose fewer.") % {"max": MAX_CUSTOMERS}
        )
    found = rep_customers(rep).select_related("last_disposition").in_bulk(wanted)
    if len(found) != len(wanted):
        raise ValidationError(
            _("Only customers of %(name)s can be checked in a check of their records.")
            % {"name": rep.name}
        )
    return [found[pk] for pk in wanted]


# -- the overview ------------------------------------------------------------------------------


@dataclass
class RepFollowUps:
    """One rep's follow-up hygiene as the overview shows it."""

    rep: Employee
    owned: int = 0
    overdue: int = 0
    intent_open: int = 0
    answered: int = 0
    missing: int = 0
    last_checked_on: dt.date | None = None
    last_passed: bool | None = None
    last_check_id: int | None = None

    @property
    def attention(self) -> bool:
        return bool(self.overdue or self.intent_open or self.missing)


def intent_codes() -> list[str]:
    """The intent levels at or above the intent threshold (an intent customer's levels)."""
    from telesales.crm.customers.intent import intent_levels, intent_rank, intent_threshold

    levels = intent_levels()
    rank = intent_rank(intent_threshold(), levels)
    return levels[max(rank, 0) :]


def timely_outcome() -> Exists:
    """Whether an outcome linked to the call was recorded within 24 h of its start (the
    crm_completeness rule of PRODUCT.md §5)."""
    from telesales.crm.models import Outcome

    return Exists(
        Outcome.objects.filter(
            call_id=OuterRef("pk"), recorded_at__lte=OuterRef("started_at") + OUTCOME_WITHIN
        )
    )


def followup_overview(
    user,
    *,
    team: Team | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[RepFollowUps]:
    """Per rep the user checks: customers owned; follow-ups overdue (next follow-up before
    today, not do-not-call); intent customers (level at or above the threshold, not
    do-not-call, last outcome not a sale) with no next follow-up date; answered outbound
    calls of the last 7 days (today−7 … yesterday) and those of them whose 24 hours have
    passed without an outcome linked to the call; the last submitted check. Merged
    duplicates are never counted. Four queries whatever the number of reps."""
    from telesales.calls.models import Call, Direction
    from telesales.crm.models import Customer

    today = today or timezone.localdate()
    now = now or timezone.now()
    latest = FollowUpCheck.objects.filter(rep_id=OuterRef("pk"), status=Status.SUBMITTED).order_by(
        "-checked_on", "-id"
    )
    reps = checkable_reps(user, on=today)
    if team is not None:
        reps = reps.filter(team=team)
    rows = {
        rep.pk: RepFollowUps(
            rep=rep,
            last_checked_on=rep.last_checked_on,
            last_passed=rep.last_passed,
            last_check_id=rep.last_check_id,
        )
        for rep in reps.select_related("team")
        .annotate(
            last_checked_on=Subquery(latest.values("checked_on")[:1]),
            last_passed=Subquery(latest.values("passed")[:1]),
            last_check_id=Subquery(latest.values("pk")[:1]),
        )
        .order_by("team__code", "employee_no")
    }
    if not rows:
        return []
    ids = list(rows)
    open_ = Q(dnc=False)
    for owner_id, owned, overdue, intent_open in (
        Customer.objects.filter(owner_id__in=ids, merged_into__isnull=True)
        .order_by()
        .values("owner_id")
        .annotate(
            owned=Count("pk"),
            overdue=Count("pk", filter=open_ & Q(next_follow_up__lt=today)),
            intent_open=Count(
                "pk",
                filter=open_
                & Q(next_follow_up__isnull=True, intent_level__in=intent_codes())
                & ~Q(last_disposition__sale=True),
            ),
        )
        .values_list("owner_id", "owned", "overdue", "intent_open")
    ):
        row = rows[owner_id]
        row.owned, row.overdue, row.intent_open = owned, overdue, intent_open
    for employee_id, answered, missing in (
        Call.objects.filter(
            employee_id__in=ids,
            direction=Direction.OUTBOUND,
            answered=True,
            local_date__gte=today - dt.timedelta(days=CALL_DAYS),
            local_date__lt=today,
        )
        .order_by()
        .values("employee_id")
        .annotate(
            answered=Count("pk"),
            missing=Count(
                "pk", filter=~Q(timely_outcome()) & Q(started_at__lte=now - OUTCOME_WITHIN)
            ),
        )
        .values_list("employee_id", "answered", "missing")
    ):
        row = rows[employee_id]
        row.answered, row.missing = answered, missing
    return list(rows.values())


# -- the list ----------------------------------------------------------------------------------

PASSED = "passed"
FAILED = "failed"
UNACKNOWLEDGED = "unacknowledged"
DRAFT = "draft"


@dataclass(frozen=True)
class CheckFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    team: Team | None = None
    rep: Employee | None = None
    result: str = ""  # passed, failed, unacknowledged, draft


def check_list(user, criteria: CheckFilter) -> QuerySet[FollowUpCheck]:
    """The checks the user sees matching the filter, drafts first, then the latest."""
    checks = checks_visible_to(user)
    if criteria.date_from is not None:
        checks = checks.filter(checked_on__gte=criteria.date_from)
    if criteria.date_to is not None:
        checks = checks.filter(checked_on__lte=criteria.date_to)
    if criteria.team is not None:
        checks = checks.filter(rep__team=criteria.team)
    if criteria.rep is not None:
        checks = checks.filter(rep=criteria.rep)
    results = {
        PASSED: Q(status=Status.SUBMITTED, passed=True),
        FAILED: Q(status=Status.SUBMITTED, passed=False),
        UNACKNOWLEDGED: Q(status=Status.SUBMITTED, acknowledged_at__isnull=True),
        DRAFT: Q(status=Status.DRAFT),
    }
    if criteria.result in results:
        checks = checks.filter(results[criteria.result])
    return (
        checks.select_related("rep__team", "checker")
        .annotate(customers=Count("items"))
        .order_by("status", "-checked_on", "-id")
    )


def check_counts(checks: QuerySet[FollowUpCheck]) -> dict:
    """Submitted checks, passed, not yet acknowledged, in one query."""
    return (
        checks.filter(status=Status.SUBMITTED)
        .order_by()
        .aggregate(
            count=Count("pk", distinct=True),
            passed=Count("pk", filter=Q(passed=True), distinct=True),
            open=Count("pk", filter=Q(acknowledged_at__isnull=True), distinct=True),
        )
    )


def check_items(check: FollowUpCheck) -> list[FollowUpCheckItem]:
    return list(check.items.select_related("customer__last_disposition").order_by("id"))
