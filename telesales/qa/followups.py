"""Follow-up record checks (source §2.1.2: the supervisor *checks customers' follow-up
records*; PRODUCT.md §3 2.1.2): who may check whom, the per-rep overview of follow-up
hygiene, the seeded weekly sample of a rep's customers, the checklist and its verdict, the
writes (create, finish a draft, acknowledge, discard) and the demo step.

The CRM is read here, never written: customers, their outcomes and timeline stay crm's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from telesales.core.audit import audit_record, snapshot
from telesales.core.demo import DemoContext
from telesales.org import access as org_access
from telesales.org.models import Employee, Role, Team
from telesales.qa import access
from telesales.qa.models import FOLLOWUP_POINTS, FollowUpCheck, FollowUpCheckItem
from telesales.qa.services.common import employee_of, user_of

PASS_SHARE = "qa.followup_pass_share"
SAMPLE_SIZE = "qa.followup_sample_size"
DEFAULTS = {PASS_SHARE: 80, SAMPLE_SIZE: 5}
MAX_CUSTOMERS = 20  # a check is read customer by customer; more is a project, not a check
CALL_DAYS = 7  # the overview's window of answered calls
OUTCOME_WITHIN = dt.timedelta(hours=24)  # the crm_completeness rule (PRODUCT.md §5)
RECENT_OUTCOMES = 3
RECENT_EVENTS = 5

MET = FollowUpCheckItem.Mark.MET
NOT_MET = FollowUpCheckItem.Mark.NOT_MET
NOT_APPLICABLE = FollowUpCheckItem.Mark.NOT_APPLICABLE
MARKS = frozenset(FollowUpCheckItem.Mark.values)
CHECK_FIELDS = [
    "rep_id",
    "checker_id",
    "checked_on",
    "status",
    "comment",
    "met",
    "applicable",
    "result",
    "pass_share",
    "passed",
    "submitted_at",
    "acknowledged_at",
    "acknowledgement",
]
Status = FollowUpCheck.Status

# The only move of a check's status: a draft is submitted, once; a submitted check is final
# (the rep's acknowledgement is recorded beside it, not as a status).
MOVES: dict[tuple[str, str], str] = {(Status.DRAFT, Status.SUBMITTED): "submit"}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def point_labels() -> list[tuple[str, str]]:
    """The checklist points with their labels, in order."""
    return [
        (point, str(FollowUpCheckItem._meta.get_field(point).verbose_name))
        for point in FOLLOWUP_POINTS
    ]


def pass_share() -> int:
    """The share of applicable items (in %) a check must meet to pass."""
    from telesales.core.config import setting_get

    return int(setting_get(PASS_SHARE))


def sample_size() -> int:
    from telesales.core.config import setting_get

    return int(setting_get(SAMPLE_SIZE))


# -- who checks whom ---------------------------------------------------------------------------


def can_see_followups(user) -> bool:
    """Reviewers see the checks of the reps in their scope; a rep their own."""
    return org_access.user_role(user) in access.REVIEWER_ROLES | {Role.REP}


def may_check(user) -> bool:
    return access.is_reviewer(user)


def checkable_reps(user, *, on: dt.date | None = None) -> QuerySet[Employee]:
    """The reps whose records the user checks: the reps of the teams a supervisor leads, a
    manager's subtree, everyone for HR and administrators; reps who have left are not
    checked any more."""
    on = on or timezone.localdate()
    return (
        access.reviewable_people(user)
        .filter(role=Role.REP)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=on))
    )


def access_rep_for_check(user, pk) -> Employee:
    """The rep with this id, if the user may check their records; 404 otherwise."""
    if not may_check(user):
        raise Http404
    try:
        return checkable_reps(user).select_related("team").get(pk=pk)
    except (Employee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def checks_visible_to(user) -> QuerySet[FollowUpCheck]:
    """Submitted checks of the reps in scope and the user's own drafts; a rep: their own
    submitted checks; staff nothing."""
    checks = FollowUpCheck.objects.all()
    if user_of(user) is None:
        return checks
    scope = org_access.scope_for(user)
    if scope.role is None or scope.employee is None:
        return checks.none()
    submitted = Q(status=Status.SUBMITTED)
    if scope.role == Role.REP:
        return checks.filter(submitted, rep_id=scope.employee.pk)
    if scope.role not in access.REVIEWER_ROLES:
        return checks.none()
    mine = Q(checker_id=scope.employee.pk)
    if scope.company_wide:
        return checks.filter(submitted | mine)
    in_scope = Q(rep_id__in=scope.employee_ids - {scope.employee.pk})
    return checks.filter((submitted & in_scope) | mine)


def access_check(user, pk) -> FollowUpCheck:
    """The check with this id, if the user may see it; 404 otherwise."""
    try:
        return checks_visible_to(user).select_related("rep__team", "checker").get(pk=pk)
    except (FollowUpCheck.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_edit_check(user, check: FollowUpCheck) -> bool:
    """A draft is finished (or thrown away) by its checker while the rep is still theirs."""
    if check.status != Status.DRAFT:
        return False
    if user_of(user) is None:
        return True
    own = employee_of(user)
    return (
        own is not None
        and check.checker_id == own.pk
        and checkable_reps(user).filter(pk=check.rep_id).exists()
    )


def may_acknowledge_check(user, check: FollowUpCheck) -> bool:
    """The rep acknowledges a submitted check of their records, once (the system acts for
    the rep only in the demo)."""
    open_check = check.status == Status.SUBMITTED and check.acknowledged_at is None
    if user_of(user) is None:
        return open_check
    own = employee_of(user)
    return open_check and own is not None and check.rep_id == own.pk


# -- the verdict -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    met: int
    applicable: int
    result: Decimal | None  # % of applicable items met, 2 decimals half up; None: none apply
    passed: bool | None


def followup_verdict(marks: Iterable[str], share: int) -> Verdict:
    """result = items met / applicable items × 100 (2 decimals, half up); "not applicable"
    items count in neither; passed = met / applicable ≥ share % (compared exactly, not on the
    rounded result). Without any applicable item there is no result and no verdict."""
    marks = list(marks)
    met = sum(1 for mark in marks if mark == MET)
    applicable = sum(1 for mark in marks if mark in (MET, NOT_MET))
    if applicable == 0:
        return Verdict(0, 0, None, None)
    result = (Decimal(met) * HUNDRED / Decimal(applicable)).quantize(CENT, ROUND_HALF_UP)
    return Verdict(met, applicable, result, met * 100 >= share * applicable)


# -- the sample --------------------------------------------------------------------------------


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_code(week_start: dt.date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def sample_order_key(rep_no: str, week_start: dt.date, customer_id: int) -> str:
    """The seeded order of a rep's customers in a week: a hash of the rep, the ISO week and
    the customer, so the same week gives the same customers and a customer gained later
    does not reorder the others."""
    text = f"{rep_no}|{week_code(week_start)}|customer:{customer_id}"
    return hashlib.sha256(text.encode()).hexdigest()


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


# -- the customer's record, read only ----------------------------------------------------------


@dataclass
class CustomerRecord:
    """What a checker reads of one customer: the latest outcomes and timeline events."""

    outcomes: list = field(default_factory=list)
    events: list = field(default_factory=list)


def customer_records(
    customer_ids: list[int], *, until: dt.datetime | None = None
) -> dict[int, CustomerRecord]:
    """The last RECENT_OUTCOMES outcomes and RECENT_EVENTS other events of each customer
    (up to `until`, when given), in two queries whatever the number of customers."""
    from telesales.crm.models import CustomerEvent, Outcome

    records = {pk: CustomerRecord() for pk in customer_ids}
    if not customer_ids:
        return records
    outcomes = Outcome.objects.filter(customer_id__in=customer_ids)
    events = CustomerEvent.objects.filter(customer_id__in=customer_ids).exclude(
        kind=CustomerEvent.Kind.OUTCOME
    )
    if until is not None:
        outcomes = outcomes.filter(recorded_at__lte=until)
        events = events.filter(at__lte=until)
    for outcome in (
        outcomes.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("recorded_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=RECENT_OUTCOMES)
        .select_related("disposition", "employee")
        .order_by("customer_id", "-recorded_at", "-id")
    ):
        records[outcome.customer_id].outcomes.append(outcome)
    for event in (
        events.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=RECENT_EVENTS)
        .order_by("customer_id", "-at", "-id")
    ):
        event.shown_text = event_text(event)
        records[event.customer_id].events.append(event)
    return records


def event_text(event) -> str:
    """What an event says, without numbers (a merge names the other number: left out)."""
    from telesales.crm.customers.intent import intent_label
    from telesales.crm.models import Customer, CustomerEvent

    detail = event.detail or {}
    if event.kind == CustomerEvent.Kind.MERGED:
        return ""
    if event.kind == CustomerEvent.Kind.INTENT and "to" in detail:
        return f"{intent_label(detail.get('from', ''))} → {intent_label(detail['to'])}"
    if event.kind == CustomerEvent.Kind.DNC and "dnc" in detail:
        return _("Marked do not call") if detail["dnc"] else _("Do not call lifted")
    if event.kind == CustomerEvent.Kind.UPDATED and "fields" in detail:
        labels = []
        for name in detail["fields"]:
            try:
                labels.append(str(Customer._meta.get_field(name.removesuffix("_id")).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
        return ", ".join(labels)
    return event.text


def record_facts(customer) -> dict:
    """The customer's record as it stands, kept with a submitted check."""
    return {
        "name": customer.name,
        "company": customer.company,
        "tier": customer.tier,
        "intent_level": customer.intent_level,
        "next_follow_up": customer.next_follow_up.isoformat() if customer.next_follow_up else None,
        "last_contact_at": timezone.localtime(customer.last_contact_at).strftime("%Y-%m-%d %H:%M")
        if customer.last_contact_at
        else None,
        "last_outcome": customer.last_disposition.label if customer.last_disposition else "",
        "attempts": customer.attempts,
        "dnc": customer.dnc,
    }


def followup_hints(customer, outcomes: list, today: dt.date) -> dict[str, str]:
    """Suggestions from the record for the points the data can decide (the checker judges
    and may change them). No outcome and no contact yet: outcome and notes not applicable.
    Next step and date: set → met; missing after a contact that was neither a sale nor a
    refusal → not met; otherwise (no contact, do-not-call, sale, not interested) not
    applicable. Follow-up on time: do-not-call → not applicable; a next follow-up (or the
    date the latest outcome planned) before today → not met; else the latest outcome
    recorded on or before the date the outcome before it planned → met, after it → not met;
    no outcome → not applicable. `outcomes` are the latest outcomes, newest first."""
    hints: dict[str, str] = {}
    if not outcomes and customer.last_contact_at is None:
        hints["outcome_recorded"] = NOT_APPLICABLE
        hints["notes_meaningful"] = NOT_APPLICABLE
    if customer.dnc:
        hints["next_step_set"] = NOT_APPLICABLE
        hints["follow_up_on_time"] = NOT_APPLICABLE
        return hints
    last = customer.last_disposition
    if customer.next_follow_up is not None:
        hints["next_step_set"] = MET
    elif last is not None and last.contact and not (last.sale or last.not_interested):
        hints["next_step_set"] = NOT_MET
    else:
        hints["next_step_set"] = NOT_APPLICABLE
    # a date planned by the latest outcome that has passed: nothing was recorded since
    planned = [outcomes[0].next_follow_up] if outcomes else []
    due = [d for d in [customer.next_follow_up, *planned] if d is not None]
    if any(d < today for d in due):
        hints["follow_up_on_time"] = NOT_MET
    elif len(outcomes) >= 2 and outcomes[1].next_follow_up is not None:
        done_on = timezone.localtime(outcomes[0].recorded_at).date()
        hints["follow_up_on_time"] = MET if done_on <= outcomes[1].next_follow_up else NOT_MET
    elif not outcomes:
        hints["follow_up_on_time"] = NOT_APPLICABLE
    return hints


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


# -- the writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemMarks:
    """What the checker gave one customer's record: a mark per checklist point ("" while
    not decided) and a note."""

    customer_id: int
    marks: dict[str, str]
    note: str = ""


def _checker_for(actor, checker: Employee | None) -> Employee:
    if user_of(actor) is not None:
        employee = employee_of(actor)
        if employee is None or not may_check(actor):
            raise PermissionDenied(_("You may not check follow-up records."))
        return employee
    if checker is None:
        raise ValidationError(_("A check needs a checker."))
    return checker


def _clean_marks(
    customer_ids: list[int], given: Iterable[ItemMarks], *, complete: bool
) -> dict[int, ItemMarks]:
    """Marks by customer: only for the check's customers, only met / not met / not
    applicable; complete: every point of every customer marked."""
    cleaned: dict[int, ItemMarks] = {}
    for item in given:
        if item.customer_id not in customer_ids:
            raise ValidationError(_("A mark was given for a customer who is not in this check."))
        unknown = set(item.marks) - set(FOLLOWUP_POINTS)
        if unknown:
            raise ValidationError(
                _("“%(point)s” is not a point of the checklist.") % {"point": sorted(unknown)[0]}
            )
        marks: dict[str, str] = {}
        for point in FOLLOWUP_POINTS:
            value = (item.marks.get(point) or "").strip()
            if value and value not in MARKS:
                raise ValidationError(
                    _("“%(value)s” is not a mark; mark each point met, not met or not applicable.")
                    % {"value": value}
                )
            marks[point] = value
        cleaned[item.customer_id] = ItemMarks(item.customer_id, marks, (item.note or "")[:500])
    if complete:
        open_points = sum(
            1
            for pk in customer_ids
            for point in FOLLOWUP_POINTS
            if not (cleaned.get(pk) and cleaned[pk].marks[point])
        )
        if open_points:
            raise ValidationError(
                ngettext(
                    "Mark every point of every customer before submitting; %(count)s point is "
                    "not marked yet.",
                    "Mark every point of every customer before submitting; %(count)s points "
                    "are not marked yet.",
                    open_points,
                )
                % {"count": open_points}
            )
    return cleaned


def _move(check: FollowUpCheck, to_status: str) -> None:
    if check.status == to_status:
        return
    if (check.status, to_status) not in MOVES:
        raise ValidationError(_("This check is already submitted; it can no longer change."))
    check.status = to_status


def _fill(
    *,
    actor,
    check: FollowUpCheck,
    items: list[FollowUpCheckItem],
    marks: Iterable[ItemMarks],
    comment: str,
    submit: bool,
    at: dt.datetime | None,
    before: dict | None,
) -> FollowUpCheck:
    customer_ids = [item.customer_id for item in items]
    cleaned = _clean_marks(customer_ids, marks, complete=submit)
    for item in items:
        given = cleaned.get(item.customer_id)
        if given is not None:
            for point in FOLLOWUP_POINTS:
                setattr(item, point, given.marks[point])
            item.note = given.note
    check.comment = (comment or "").strip()
    if submit:
        share = pass_share()
        verdict = followup_verdict(
            [mark for item in items for mark in item.marks().values()], share
        )
        if verdict.result is None:
            raise ValidationError(
                _(
                    "Every point is marked not applicable; a check needs at least one point "
                    "met or not met."
                )
            )
        moment = at or timezone.now()
        _move(check, Status.SUBMITTED)
        check.met, check.applicable = verdict.met, verdict.applicable
        check.result, check.passed = verdict.result, verdict.passed
        check.pass_share = share
        check.submitted_at = moment
        check.checked_on = timezone.localtime(moment).date()
        for item in items:
            item.record = record_facts(item.customer)
    check.save()
    for item in items:
        item.followup_check = check
    if before is None:
        FollowUpCheckItem.objects.bulk_create(items)
    else:
        FollowUpCheckItem.objects.bulk_update(items, [*FOLLOWUP_POINTS, "note", "record"])
    after = snapshot(check, CHECK_FIELDS)
    after["items"] = [[item.customer_id, *item.marks().values()] for item in items]
    audit_record(
        actor=actor,
        action="qa.followup.submit" if submit else "qa.followup.save",
        obj=check,
        before=before,
        after=after,
    )
    return check


@transaction.atomic
def followup_check_create(
    *,
    actor,
    rep: Employee,
    customers: Iterable,
    marks: Iterable[ItemMarks] = (),
    comment: str = "",
    submit: bool = False,
    checker: Employee | None = None,
    at: dt.datetime | None = None,
) -> FollowUpCheck:
    """Check a rep's follow-up records: the chosen customers (the rep's own, 1 to
    MAX_CUSTOMERS) against the checklist, kept as a draft or submitted. Customers in the
    week's random sample are marked so. (`checker` names the checker when the system acts,
    as the demo does.)"""
    checker = _checker_for(actor, checker)
    if rep.pk == checker.pk:
        raise ValidationError(_("Nobody checks their own follow-up records."))
    if user_of(actor) is not None and not checkable_reps(actor).filter(pk=rep.pk).exists():
        raise PermissionDenied(_("You may not check the records of this person."))
    if rep.role != Role.REP:
        raise ValidationError(_("Follow-up records are checked for reps."))
    chosen = customers_for_check(rep, [c.pk for c in customers])
    moment = at or timezone.now()
    checked_on = timezone.localtime(moment).date()
    sampled = {c.pk for c in followup_sample(rep, week_start=checked_on)}
    check = FollowUpCheck(rep=rep, checker=checker, checked_on=checked_on, created_at=moment)
    items = [
        FollowUpCheckItem(customer=customer, sampled=customer.pk in sampled) for customer in chosen
    ]
    return _fill(
        actor=actor,
        check=check,
        items=items,
        marks=marks,
        comment=comment,
        submit=submit,
        at=at,
        before=None,
    )


@transaction.atomic
def followup_check_update(
    *,
    actor,
    check: FollowUpCheck,
    marks: Iterable[ItemMarks],
    comment: str = "",
    submit: bool = False,
    at: dt.datetime | None = None,
) -> FollowUpCheck:
    """Go on with a draft check: change its marks and comment, or submit it."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_edit_check(actor, check):
        raise PermissionDenied(_("You may not change this check."))
    items = list(check.items.select_related("customer__last_disposition").order_by("id"))
    before = snapshot(check, CHECK_FIELDS)
    before["items"] = [[item.customer_id, *item.marks().values()] for item in items]
    return _fill(
        actor=actor,
        check=check,
        items=items,
        marks=marks,
        comment=comment,
        submit=submit,
        at=at,
        before=before,
    )


@transaction.atomic
def followup_check_acknowledge(
    *, actor, check: FollowUpCheck, comment: str = "", at: dt.datetime | None = None
) -> FollowUpCheck:
    """The rep acknowledges a submitted check of their records, with an optional comment;
    the time is recorded."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_acknowledge_check(actor, check):
        raise PermissionDenied(_("You may not acknowledge this check."))
    before = snapshot(check, CHECK_FIELDS)
    check.acknowledged_at = at or timezone.now()
    check.acknowledgement = (comment or "").strip()[:4000]
    check.save(update_fields=["acknowledged_at", "acknowledgement"])
    audit_record(
        actor=actor,
        action="qa.followup.acknowledge",
        obj=check,
        before=before,
        after=snapshot(check, CHECK_FIELDS),
    )
    return check


@transaction.atomic
def followup_check_discard(*, actor, check: FollowUpCheck) -> None:
    """Throw a draft away; submitted checks stay."""
    check = FollowUpCheck.objects.select_for_update().get(pk=check.pk)
    if not may_edit_check(actor, check):
        raise PermissionDenied(_("You may not change this check."))
    audit_record(
        actor=actor,
        action="qa.followup.discard",
        obj=check,
        before=snapshot(check, CHECK_FIELDS),
    )
    check.delete()


# -- the demo ----------------------------------------------------------------------------------

DEMO_NOTES = {
    "outcome_recorded": "最近一次通话后没有记录通话结果。",
    "notes_meaningful": "跟进记录只写了“已联系”，没有客户需求和异议的内容。",
    "next_step_set": "沟通后没有约定下一步和跟进日期。",
    "follow_up_on_time": "约定的跟进日期已过，未见回访记录。",
    "profile_current": "客户已表达意向，但意向等级没有更新。",
}
DEMO_COMMENTS = {
    True: ("跟进记录完整及时，继续保持。", "记录清楚，下一步安排明确。"),
    False: (
        "多位客户的跟进已逾期，请本周内补齐回访并更新记录。",
        "跟进记录内容过于简单，请写清客户需求、异议和下一步。",
    ),
}


@transaction.atomic
def demo_followups(context: DemoContext) -> str:
    """About two submitted checks per current rep in the last four weeks, by the team's
    supervisor, on the week's sample of the rep's customers: most records kept well, some
    checks failed, most acknowledged by the rep."""
    from telesales.crm.models import Customer

    if FollowUpCheck.objects.exists() or not Customer.objects.filter(owner__isnull=False).exists():
        return ""
    rng = random.Random(context.seed * 1000 + 71)
    today = context.today
    teams = list(
        Team.objects.filter(supervisor__isnull=False).select_related("supervisor").order_by("code")
    )
    checks: list[FollowUpCheck] = []
    acknowledged = 0
    now = timezone.now()
    share = pass_share()
    for team in teams:
        reps = Employee.objects.filter(team=team, role=Role.REP).employed_on(today)
        for rep in reps.order_by("employee_no"):
            if rep.pk == team.supervisor_id:
                continue
            care = rng.uniform(0.8, 1.0)  # how well this rep keeps records
            for weeks_ago in (3, 1):
                day = today - dt.timedelta(days=7 * weeks_ago + rng.randint(0, 3))
                at = min(
                    timezone.make_aware(dt.datetime.combine(day, dt.time(16, rng.randint(0, 59)))),
                    now - dt.timedelta(hours=2),
                )
                customers = followup_sample(rep, week_start=day)
                if not customers:
                    continue
                records = customer_records([c.pk for c in customers], until=at)
                marks = [
                    _demo_marks(rng, customer, records[customer.pk].outcomes, day, care)
                    for customer in customers
                ]
                verdict = followup_verdict(
                    [mark for item in marks for mark in item.marks.values()], share
                )
                if verdict.passed is None:
                    continue
                check = followup_check_create(
                    actor="demo",
                    rep=rep,
                    customers=customers,
                    marks=marks,
                    comment=rng.choice(DEMO_COMMENTS[verdict.passed]),
                    submit=True,
                    checker=team.supervisor,
                    at=at,
                )
                checks.append(check)
                ack_at = at + dt.timedelta(hours=rng.randint(2, 40))
                if ack_at < now and rng.random() < 0.8:
                    followup_check_acknowledge(
                        actor="demo",
                        check=check,
                        comment=rng.choice(("", "", "收到，会及时补齐跟进记录。")),
                        at=ack_at,
                    )
                    acknowledged += 1
    if not checks:
        return ""
    failed = sum(1 for check in checks if not check.passed)
    return _(
        "Follow-up record checks: %(checks)s checks of %(reps)s reps (%(failed)s failed, "
        "%(acknowledged)s acknowledged)."
    ) % {
        "checks": len(checks),
        "reps": len({check.rep_id for check in checks}),
        "failed": failed,
        "acknowledged": acknowledged,
    }


def _demo_marks(rng: random.Random, customer, outcomes, day: dt.date, care: float) -> ItemMarks:
    """The record's hints where the data decides, the checker's judgement elsewhere: a
    careful rep's records mostly meet the points."""
    hints = followup_hints(customer, outcomes, day)
    marks: dict[str, str] = {}
    for point in FOLLOWUP_POINTS:
        hint = hints.get(point)
        if hint is not None and (hint == NOT_APPLICABLE or rng.random() < 0.8):
            marks[point] = hint
        else:
            marks[point] = MET if rng.random() < care else NOT_MET
    weak = [point for point, mark in marks.items() if mark == NOT_MET]
    return ItemMarks(customer.pk, marks, DEMO_NOTES[weak[0]] if weak else "")
