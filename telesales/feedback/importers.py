"""`telesales import surveys` and `telesales import tickets` (PRODUCT.md §7; the columns are
documented in docs/feedback.md and on the import page)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.feedback import access
from telesales.feedback.customers import customers_by_phone, phone_e164
from telesales.feedback.models import Priority, SurveyResponse, Ticket, TicketKind
from telesales.feedback.services import (
    Survey,
    TicketHistory,
    survey_responses_store,
    tickets_history_store,
)
from telesales.org.models import Department, Employee

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Codes and their labels in every language → code."""
    mapping: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                mapping[str(label).strip().lower()] = value
    for value, _label in choices:
        mapping[value] = value
        mapping[value.replace("_", " ")] = value
    mapping.update(extra or {})
    return mapping


@functools.cache
def _kinds() -> dict[str, str]:
    return _choice_map(
        TicketKind.choices,
        {"投诉": "complaint", "投訴": "complaint", "反馈": "feedback", "反饋": "feedback"},
    )


@functools.cache
def _priorities() -> dict[str, str]:
    return _choice_map(Priority.choices)


@functools.cache
def _statuses() -> dict[str, str]:
    return _choice_map(Ticket.Status.choices)


def _phone(value: str, column: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    number = phone_e164(text)
    if number is None:
        raise RowError(column, _("“%(value)s” is not a phone number.") % {"value": text})
    return number


def _datetime(value: str, column: str, *, required: bool = False) -> dt.datetime | None:
    """2026-07-01, 2026-07-01 09:30[:00], 2026/7/1 9:30 or ISO with an offset; a time without
    an offset is in the company's time zone (or the import's --tz), decided when storing."""
    text = value.strip()
    if not text:
        if required:
            raise RowError(column, _("A date and time is required."))
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    date_part, _sep, time_part = text.replace("T", " ").partition(" ")
    day = fields.date(date_part, column, required=True)
    time_part = time_part.strip()
    if not time_part:
        return dt.datetime.combine(day, dt.time())
    match = _TIME.match(time_part)
    try:
        if match is None:
            raise ValueError(time_part)
        clock = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        raise RowError(
            column,
            _("“%(value)s” is not a date and time; write it as 2026-07-01 14:30.")
            % {"value": text},
        ) from None
    return dt.datetime.combine(day, clock)


def _zone(ctx: StoreContext):
    name = ctx.options.get("tz")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def _aware(value: dt.datetime | None, zone) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, zone)


def _employees(numbers: set[str]) -> dict[str, Employee]:
    return {e.employee_no: e for e in Employee.objects.filter(employee_no__in=numbers)}


# -- surveys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    response_id: str
    customer_phone: str | None  # E.164
    employee_no: str
    score: int
    responded_on: dt.date
    comment: str


class SurveyImporter(Importer):
    kind = "surveys"
    label = gettext_lazy("Satisfaction surveys")
    description = gettext_lazy(
        "One row per survey response: the customer's score (1 to 5) of a rep. response_id is "
        "the key, so importing the same file again stores nothing new."
    )
    columns = (
        Column(
            "response_id",
            gettext_lazy("Response ID"),
            help=gettext_lazy("The survey system's id of the response; the key."),
        ),
        Column(
            "customer_phone",
            gettext_lazy("Customer phone"),
            required=False,
            help=gettext_lazy(
                "Linked to the customer with this number when there is one (any common "
                "writing: 138 0013 8000, +86 138-0013-8000, 010-12345678)."
            ),
        ),
        Column(
            "employee_no",
            gettext_lazy("Employee number"),
            help=gettext_lazy("The rep the customer rated."),
        ),
        Column("score", gettext_lazy("Score"), help=gettext_lazy("A whole number from 1 to 5.")),
        Column("responded_on", gettext_lazy("Response date"), help=gettext_lazy("YYYY-MM-DD")),
        Column("comment", gettext_lazy("Comment"), required=False),
    )

    def allowed(self, user) -> bool:
        return access.can_import(user)

    def example_row(self) -> list[str]:
        return ["S-20260701-001", "13800138000", "E001", "5", "2026-07-01", "服务很耐心"]

    def parse(self, row: dict[str, str]) -> SurveyRow:
        score_text = row["score"].strip()
        if not score_text:
            raise RowError("score", _("A score is required."))
        if not re.fullmatch(r"[1-5](\.0+)?", score_text):
            raise RowError(
                "score",
                _("“%(value)s” is not a score; a score is a whole number from 1 to 5.")
                % {"value": score_text},
            )
        return SurveyRow(
            response_id=fields.text(
                row["response_id"], "response_id", required=True, max_length=60
            ),
            customer_phone=_phone(row.get("customer_phone") or "", "customer_phone"),
            employee_no=fields.text(
                row["employee_no"], "employee_no", required=True, max_length=40
            ),
            score=int(score_text.split(".")[0]),
            responded_on=fields.date(row["responded_on"], "responded_on", required=True),
            comment=fields.text(row.get("comment") or "", "comment", max_length=4000),
        )

    def store(self, batch, ctx: StoreContext) -> None:
        result = ctx.result
        seen: dict[str, tuple[int, tuple]] = ctx.state.setdefault("seen", {})
        employees = _employees({row.employee_no for _line, row in batch})
        customers = customers_by_phone({r.customer_phone for _l, r in batch if r.customer_phone})
        stored = {
            s.response_no: s
            for s in SurveyResponse.objects.filter(
                response_no__in=[row.response_id for _line, row in batch]
            ).select_related("employee", "customer")
        }
        new: list[Survey] = []
        for line, row in batch:
            employee = employees.get(row.employee_no)
            customer = customers.get(row.customer_phone) if row.customer_phone else None
            facts = (row.employee_no, row.score, row.responded_on, row.comment, customer)
            if row.response_id in seen:
                first_line, first_facts = seen[row.response_id]
                if first_facts == facts:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        "response_id",
                        _(
                            "Response %(id)s already appears on line %(line)s of this file "
                            "with other values."
                        )
                        % {"id": row.response_id, "line": first_line},
                    )
                continue
            existing = stored.get(row.response_id)
            if existing is not None:
                if _same_survey(existing, row, customer):
                    result.duplicates += 1
                    seen[row.response_id] = (line, facts)
                else:
                    result.reject(
                        line,
                        "response_id",
                        _(
                            "Response %(id)s is already stored with other values; it was not "
                            "changed."
                        )
                        % {"id": row.response_id},
                    )
                continue
            if employee is None:
                result.reject(
                    line,
                    "employee_no",
                    _("There is no employee %(no)s.") % {"no": row.employee_no},
                )
                continue
            seen[row.response_id] = (line, facts)
            if row.customer_phone and customer is None:
                ctx.state["unlinked"] = ctx.state.get("unlinked", 0) + 1
            new.append(
                Survey(
                    response_no=row.response_id,
                    customer=customer,
                    employee=employee,
                    score=row.score,
                    responded_on=row.responded_on,
                    comment=row.comment,
                )
            )
        result.stored += len(survey_responses_store(actor=ctx.actor, responses=new))

    def finish(self, ctx: StoreContext) -> None:
        if ctx.state.get("unlinked"):
            ctx.result.notes.append(
                ngettext(
                    "%(count)s response names a phone number of no customer; it was stored without one.",
                    "%(count)s responses name a phone number of no customer; they were stored without one.",
                    ctx.state["unlinked"],
                )
                % {"count": ctx.state["unlinked"]}
            )


def _same_survey(existing: SurveyResponse, row: SurveyRow, customer) -> bool:
    return (
        existing.employee is not None
        and existing.employee.employee_no == row.employee_no
        and existing.score == row.score
        and existing.responded_on == row.responded_on
        and existing.comment == row.comment
        and existing.customer_id == (customer.pk if customer else None)
    )


# -- tickets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRow:
    number: str
    kind: str
    priority: str
    department: str  # code
    title: str
    body: str
    customer_phone: str | None  # E.164
    employee_no: str | None
    opened_at: dt.datetime
    status: str
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class TicketImporter(Importer):
    kind = "tickets"
    label = gettext_lazy("Tickets")
    description = gettext_lazy(
        "Feedback and complaints from an earlier system, one row per ticket, with their status "
        "as it stands. The number is the key, so importing the same file again stores nothing "
        "new. Each ticket is due by the SLA rule of its kind and priority."
    )
    columns = (
        Column("number", gettext_lazy("Ticket number"), help=gettext_lazy("The key.")),
        Column("kind", gettext_lazy("Kind"), help=gettext_lazy("feedback or complaint")),
        Column(
            "priority",
            gettext_lazy("Priority"),
            required=False,
            help=gettext_lazy("low, normal (when empty), high or urgent"),
        ),
        Column(
            "department",
            gettext_lazy("Department"),
            help=gettext_lazy("The code of the department the ticket is routed to."),
        ),
        Column("title", gettext_lazy("Title")),
        Column("body", gettext_lazy("Description"), required=False),
        Column(
            "customer_phone",
            gettext_lazy("Customer phone"),
            required=False,
            help=gettext_lazy("Linked to the customer with this number when there is one."),
        ),
        Column(
            "employee_no",
            gettext_lazy("Employee number"),
            required=False,
            help=gettext_lazy("The rep whose customer it is; a complaint counts in their KPIs."),
        ),
        Column(
            "opened_at",
            gettext_lazy("Opened at"),
            aliases=("opened_on",),
            help=gettext_lazy("2026-07-01 14:30, or a date alone (midnight)."),
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            required=False,
            help=gettext_lazy("open (when empty), in_progress, resolved or closed"),
        ),
        Column(
            "resolved_at",
            gettext_lazy("Resolved at"),
            required=False,
            help=gettext_lazy("Required when the status is resolved or closed."),
        ),
        Column(
            "closed_at",
            gettext_lazy("Closed at"),
            required=False,
            help=gettext_lazy("For closed tickets; the resolution time when empty."),
        ),
    )

    def allowed(self, user) -> bool:
        return access.can_import(user)

    def example_row(self) -> list[str]:
        return [
            "T2025-000001",
            "complaint",
            "high",
            "customer_service",
            "发票迟迟未开",
            "客户反映上月订单发票未收到",
            "13800138000",
            "E001",
            "2025-12-01 10:00",
            "closed",
            "2025-12-01 15:30",
            "2025-12-02 09:00",
        ]

    def parse(self, row: dict[str, str]) -> TicketRow:
        status = (
            fields.choice(row["status"], "status", _statuses())
            if (row.get("status") or "").strip()
            else Ticket.Status.OPEN
        )
        opened_at = _datetime(row["opened_at"], "opened_at", required=True)
        resolved_at = _datetime(row.get("resolved_at") or "", "resolved_at")
        closed_at = _datetime(row.get("closed_at") or "", "closed_at")
        done = status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        if done and resolved_at is None:
            raise RowError(
                "resolved_at", _("A resolved or closed ticket needs the time it was resolved.")
            )
        if not done and resolved_at is not None:
            raise RowError(
                "resolved_at",
                _("A ticket that is still open or in progress has no resolution time."),
            )
        if status != Ticket.Status.CLOSED and closed_at is not None:
            raise RowError("closed_at", _("Only a closed ticket has a closing time."))
        priority = (
            fields.choice(row["priority"], "priority", _priorities())
            if (row.get("priority") or "").strip()
            else Priority.NORMAL
        )
        return TicketRow(
            number=fields.text(row["number"], "number", required=True, max_length=40),
            kind=fields.choice(row["kind"], "kind", _kinds()),
            priority=priority,
            department=fields.text(row["department"], "department", required=True, max_length=40),
            title=fields.text(row["title"], "title", required=True, max_length=200),
            body=fields.text(row.get("body") or "", "body", max_length=10000),
            customer_phone=_phone(row.get("customer_phone") or "", "customer_phone"),
            employee_no=fields.text(row.get("employee_no") or "", "employee_no", max_length=40)
            or None,
            opened_at=opened_at,
            status=status,
            resolved_at=resolved_at,
            closed_at=closed_at,
        )

    def store(self, batch, ctx: StoreContext) -> None:
        result = ctx.result
        zone = _zone(ctx)
        seen: dict[str, tuple[int, tuple]] = ctx.state.setdefault("seen", {})
        departments = ctx.state.get("departments")
        if departments is None:
            departments = ctx.state["departments"] = {d.code: d for d in Department.objects.all()}
        employees = _employees({row.employee_no for _l, row in batch if row.employee_no})
        customers = customers_by_phone({r.customer_phone for _l, r in batch if r.customer_phone})
        stored = {
            t.number: t
            for t in Ticket.objects.filter(number__in=[row.number for _line, row in batch])
        }
        new: list[TicketHistory] = []
        for line, row in batch:
            opened_at = _aware(row.opened_at, zone)
            resolved_at = _aware(row.resolved_at, zone)
            closed_at = _aware(row.closed_at, zone)
            if row.status == Ticket.Status.CLOSED and closed_at is None:
                closed_at = resolved_at
            department = departments.get(row.department)
            employee = employees.get(row.employee_no) if row.employee_no else None
            customer = customers.get(row.customer_phone) if row.customer_phone else None
            facts = (
                row.kind,
                row.priority,
                row.status,
                department.pk if department else None,
                row.title,
                opened_at,
                resolved_at,
            )
            if row.number in seen:
                first_line, first_facts = seen[row.number]
                if first_facts == facts:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        "number",
                        _(
                            "Ticket %(number)s already appears on line %(line)s of this file "
                            "with other values."
                        )
                        % {"number": row.number, "line": first_line},
                    )
                continue
            existing = stored.get(row.number)
            if existing is not None:
                if _ticket_facts(existing) == facts:
                    result.duplicates += 1
                    seen[row.number] = (line, facts)
                else:
                    result.reject(
                        line,
                        "number",
                        _(
                            "Ticket %(number)s is already stored with other values; change it "
                            "in the app."
                        )
                        % {"number": row.number},
                    )
                continue
            problem = self._problem(row, department, employee, opened_at, resolved_at, closed_at)
            if problem is not None:
                result.reject(line, *problem)
                continue
            seen[row.number] = (line, facts)
            if row.customer_phone and customer is None:
                ctx.state["unlinked"] = ctx.state.get("unlinked", 0) + 1
            new.append(
                TicketHistory(
                    number=row.number,
                    kind=row.kind,
                    priority=row.priority,
                    status=row.status,
                    title=row.title,
                    body=row.body,
                    department=department,
                    customer=customer,
                    employee=employee or (customer.owner if customer else None),
                    opened_at=opened_at,
                    resolved_at=resolved_at,
                    closed_at=closed_at,
                )
            )
        result.stored += len(tickets_history_store(actor=ctx.actor, tickets=new))

    @staticmethod
    def _problem(row: TicketRow, department, employee, opened_at, resolved_at, closed_at):
        if department is None:
            return "department", _("There is no department with the code %(code)s.") % {
                "code": row.department
            }
        if row.employee_no and employee is None:
            return "employee_no", _("There is no employee %(no)s.") % {"no": row.employee_no}
        if resolved_at is not None and resolved_at < opened_at:
            return "resolved_at", _("The ticket cannot be resolved before it was opened.")
        if closed_at is not None and resolved_at is not None and closed_at < resolved_at:
            return "closed_at", _("The ticket cannot be closed before it was resolved.")
        if opened_at > timezone.now():
            return "opened_at", _("The ticket cannot be opened in the future.")
        return None

    def finish(self, ctx: StoreContext) -> None:
        if ctx.state.get("unlinked"):
            ctx.result.notes.append(
                ngettext(
                    "%(count)s ticket names a phone number of no customer; it was stored without one.",
                    "%(count)s tickets name a phone number of no customer; they were stored without one.",
                    ctx.state["unlinked"],
                )
                % {"count": ctx.state["unlinked"]}
            )


def _ticket_facts(ticket: Ticket) -> tuple:
    return (
        ticket.kind,
        ticket.priority,
        ticket.status,
        ticket.department_id,
        ticket.title,
        ticket.opened_at,
        ticket.resolved_at,
    )
