"""Tickets (issue 4, source §2.5): opening with an SLA, the one transition function and its
table of moves, assignment, routing, comments, and who may do what (PRODUCT.md §2)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.crm.models import Customer, CustomerEvent
from telesales.feedback.models import SlaRule, Ticket, TicketComment
from telesales.feedback.services import (
    MOVES,
    sla_rule_set,
    ticket_assign,
    ticket_comment_add,
    ticket_moves_for,
    ticket_open,
    ticket_route,
    ticket_transition,
)
from telesales.org.models import Department, Role
from telesales.org.services import department_ensure, employee_hire

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OPENED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
S = Ticket.Status


@pytest.fixture
def cs(org) -> Department:
    """The customer-service department, where C1 (staff) works."""
    return org.staff.department


@pytest.fixture
def product(org) -> Department:
    department = department_ensure(
        actor=None,
        company=org.sales.company,
        code="product",
        name="产品部",
        kind=Department.Kind.PRODUCT,
    )
    return department


@pytest.fixture
def p1(org, product):
    """P1, staff of the product department, with a login."""
    from tests.conftest import _person

    return _person("P1", "产品", Role.STAFF, department=product)


def _open(org, department, *, kind="complaint", priority="normal", **extra) -> Ticket:
    fields = {"opened_at": OPENED, "employee": org.r1, **extra}
    return ticket_open(
        actor=org.s1.user,
        kind=kind,
        priority=priority,
        title="发票迟迟未开",
        body="客户反映上月订单发票未收到",
        department=department,
        **fields,
    )


def _state(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.resolved_at,
        ticket.closed_at,
        ticket.reopened,
        ticket.assignee_id,
        ticket.department_id,
        TicketComment.objects.filter(ticket=ticket).count(),
        AuditEvent.objects.filter(object_type="feedback.ticket", object_id=str(ticket.pk)).count(),
    )


# Ways to bring a fresh ticket to each status, through allowed moves only.
PATHS = {
    S.OPEN: [],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.RESOLVED: [S.IN_PROGRESS, S.RESOLVED],
    S.CLOSED: [S.RESOLVED, S.CLOSED],
}


def _bring_to(org, ticket: Ticket, status: str) -> Ticket:
    at = OPENED
    for step in PATHS[status]:
        at += dt.timedelta(hours=1)
        ticket = ticket_transition(actor=org.staff.user, ticket=ticket, to_status=step, at=at)
    return ticket


# --- opening and the SLA ------------------------------------------------------------------------


def test_open_takes_the_sla_of_its_kind_and_priority(org, cs):
    # when: complaint/high is 8 h, feedback/low 72 h (the shipped defaults)
    complaint = _open(org, cs, kind="complaint", priority="high")
    feedback = _open(org, cs, kind="feedback", priority="low")
    # then
    assert (complaint.sla_hours, complaint.due_at) == (8, OPENED + dt.timedelta(hours=8))
    assert complaint.due_at == dt.datetime(2026, 3, 2, 17, 0, tzinfo=SHANGHAI)
    assert (feedback.sla_hours, feedback.due_at) == (
        72,
        dt.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI),
    )
    assert (complaint.status, complaint.reopened, complaint.resolved_at) == (S.OPEN, 0, None)
    assert complaint.created_by == org.s1.user


def test_open_numbers_tickets_by_year(org, cs):
    # given: an imported ticket whose number has another form
    imported = _open(org, cs)
    Ticket.objects.filter(pk=imported.pk).update(number="T2026-99")
    # when
    first = _open(org, cs)
    second = _open(org, cs)
    new_year = _open(org, cs, opened_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI))
    # then: the sequence is per local year, six digits, and ignores other forms
    assert [first.number, second.number, new_year.number] == [
        "T2026-000001",
        "T2026-000002",
        "T2025-000001",
    ]


def test_open_records_history_audit_and_the_customer_timeline(org, cs):
    # given
    customer = Customer.objects.create(phone="+8613800138000", name="周先生", owner=org.r1)
    # when
    ticket = _open(org, cs, customer=customer)
    # then
    history = list(ticket.comments.values_list("from_status", "to_status", "author"))
    assert history == [("", S.OPEN, org.s1.user.pk)]
    audit = AuditEvent.objects.get(action="ticket.open")
    assert (audit.object_id, audit.after["number"], audit.after["sla_hours"]) == (
        str(ticket.pk),
        ticket.number,
        24,
    )
    event = CustomerEvent.objects.get(customer=customer)
    assert (event.kind, event.text, event.detail["ticket"]) == (
        "ticket",
        f"{ticket.number} 发票迟迟未开",
        ticket.pk,
    )


def test_a_ticket_without_a_customer_adds_no_timeline_event(org, cs):
    _open(org, cs)
    assert CustomerEvent.objects.count() == 0


def test_a_changed_sla_applies_to_tickets_opened_afterwards(org, cs):
    # given
    before = _open(org, cs, priority="urgent")
    # when
    sla_rule_set(actor=org.admin.user, kind="complaint", priority="urgent", hours=2)
    after = _open(org, cs, priority="urgent")
    # then
    before.refresh_from_db()
    assert (before.sla_hours, after.sla_hours) == (4, 2)
    assert after.due_at == OPENED + dt.timedelta(hours=2)
    audit = AuditEvent.objects.get(action="sla_rule.update")
    assert (audit.before, audit.after) == ({"hours": 4}, {"hours": 2})


@pytest.mark.parametrize("who", ["s1", "staff", "hr", "r1"])
def test_only_administrators_change_sla_rules(org, who):
    with pytest.raises(PermissionDenied):
        sla_rule_set(actor=getattr(org, who).user, kind="complaint", priority="low", hours=1)
    assert SlaRule.objects.get(kind="complaint", priority="low").hours == 48


@pytest.mark.parametrize("hours", [0, 24 * 365 + 1])
def test_sla_hours_out_of_range_are_refused(org, hours):
    with pytest.raises(ValidationError):
        sla_rule_set(actor=org.admin.user, kind="complaint", priority="low", hours=hours)
    assert SlaRule.objects.get(kind="complaint", priority="low").hours == 48


@pytest.mark.parametrize("who", ["r1", "staff", "hr"])
def test_reps_staff_and_hr_do_not_open_tickets(org, cs, who):
    with pytest.raises(PermissionDenied):
        ticket_open(
            actor=getattr(org, who).user,
            kind="complaint",
            priority="normal",
            title="x",
            body="",
            department=cs,
            employee=org.r1,
        )
    assert Ticket.objects.count() == 0


def test_a_supervisor_opens_tickets_only_about_their_own_reps(org, cs):
    with pytest.raises(PermissionDenied):
        _open(org, cs, employee=org.r3)  # R3 is in T2, not S1's team
    assert Ticket.objects.count() == 0
    assert _open(org, cs, employee=org.r2).employee == org.r2


def test_a_ticket_needs_a_title(org, cs):
    with pytest.raises(ValidationError) as refused:
        ticket_open(
            actor=org.s1.user,
            kind="complaint",
            priority="normal",
            title="  ",
            body="",
            department=cs,
        )
    assert refused.value.messages == ["A ticket needs a title."]
    assert Ticket.objects.count() == 0


# --- the transition table -----------------------------------------------------------------------


def test_the_table_holds_exactly_the_allowed_moves():
    assert set(MOVES) == {
        (S.OPEN, S.IN_PROGRESS),
        (S.OPEN, S.RESOLVED),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.RESOLVED, S.IN_PROGRESS),
        (S.CLOSED, S.IN_PROGRESS),
    }


@pytest.mark.parametrize(("from_status", "to_status"), sorted(MOVES))
def test_every_allowed_move(org, cs, from_status, to_status):
    # given
    ticket = _bring_to(org, _open(org, cs), from_status)
    comments = ticket.comments.count()
    at = OPENED + dt.timedelta(hours=5)
    # when
    moved = ticket_transition(
        actor=org.staff.user, ticket=ticket, to_status=to_status, comment="已处理", at=at
    )
    # then
    moved.refresh_from_db()
    assert moved.status == to_status
    last = moved.comments.order_by("-id").first()
    assert (last.from_status, last.to_status, last.body, last.at, last.author) == (
        from_status,
        to_status,
        "已处理",
        at,
        org.staff.user,
    )
    assert moved.comments.count() == comments + 1
    audit = AuditEvent.objects.filter(action="ticket.transition").order_by("-id").first()
    assert (audit.before["status"], audit.after["status"]) == (from_status, to_status)
    if to_status == S.RESOLVED:
        assert moved.resolved_at == at
    if to_status == S.CLOSED:
        assert moved.closed_at == at
    if MOVES[(from_status, to_status)].reopens:
        assert (moved.reopened, moved.resolved_at, moved.closed_at) == (1, None, None)
    else:
        assert moved.reopened == 0


REFUSED = sorted((a, b) for a, b in itertools.product(S.values, S.values) if (a, b) not in MOVES)


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(org, cs, from_status, to_status):
    # given
    ticket = _bring_to(org, _open(org, cs), from_status)
    before = _state(ticket)
    # when
    with pytest.raises(ValidationError) as refused:
        ticket_transition(actor=org.staff.user, ticket=ticket, to_status=to_status)
    # then
    labels = dict(S.choices)
    assert refused.value.messages == [
        f"A ticket that is “{labels[from_status]}” cannot be moved to “{labels[to_status]}”."
    ]
    assert _state(ticket) == before


def test_an_unknown_status_is_refused(org, cs):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(ValidationError):
        ticket_transition(actor=org.staff.user, ticket=ticket, to_status="deleted")
    assert _state(ticket) == before


def test_a_reopen_clears_the_resolution_so_the_final_one_counts(org, cs):
    # given: resolved, closed, reopened, resolved again
    ticket = _open(org, cs, priority="high")  # due 17:00
    step = OPENED
    for status in (S.RESOLVED, S.CLOSED, S.IN_PROGRESS, S.RESOLVED, S.IN_PROGRESS, S.RESOLVED):
        step += dt.timedelta(hours=2)
        ticket = ticket_transition(actor=org.staff.user, ticket=ticket, to_status=status, at=step)
    # then: reopened twice (from closed, then from resolved); the last resolution is 21:00
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopened, ticket.closed_at) == (S.RESOLVED, 2, None)
    assert ticket.resolved_at == dt.datetime(2026, 3, 2, 21, 0, tzinfo=SHANGHAI)
    assert ticket.resolved_at > ticket.due_at  # late, although first resolved at 11:00


def test_a_move_before_the_ticket_was_opened_is_refused(org, cs):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(ValidationError):
        ticket_transition(
            actor=org.staff.user,
            ticket=ticket,
            to_status=S.RESOLVED,
            at=OPENED - dt.timedelta(minutes=1),
        )
    assert _state(ticket) == before


def test_starting_work_on_an_unassigned_ticket_assigns_it_to_the_worker(org, cs):
    ticket = _open(org, cs)
    ticket = ticket_transition(actor=org.staff.user, ticket=ticket, to_status=S.IN_PROGRESS)
    assert ticket.assignee == org.staff


# --- who may move a ticket ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["r1", "hr"])
def test_reps_and_hr_move_no_ticket(org, cs, who):
    ticket = _bring_to(org, _open(org, cs), S.RESOLVED)
    before = _state(ticket)
    for to_status in (S.CLOSED, S.IN_PROGRESS):
        with pytest.raises(PermissionDenied):
            ticket_transition(actor=getattr(org, who).user, ticket=ticket, to_status=to_status)
    assert _state(ticket) == before


def test_staff_of_another_department_move_no_ticket(org, cs, p1):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=p1.user, ticket=ticket, to_status=S.IN_PROGRESS)
    assert _state(ticket) == before


def test_a_supervisor_closes_or_reopens_a_resolved_ticket_but_does_not_work_it(org, cs):
    # given
    ticket = _open(org, cs)
    before = _state(ticket)
    # then: start and resolve are the department's
    for to_status in (S.IN_PROGRESS, S.RESOLVED):
        with pytest.raises(PermissionDenied):
            ticket_transition(actor=org.s1.user, ticket=ticket, to_status=to_status)
    assert _state(ticket) == before
    # and close and reopen are also the supervisor's
    ticket = _bring_to(org, ticket, S.RESOLVED)
    assert [to for to, _move in ticket_moves_for(org.s1.user, ticket)] == [
        S.CLOSED,
        S.IN_PROGRESS,
    ]
    ticket = ticket_transition(actor=org.s1.user, ticket=ticket, to_status=S.CLOSED)
    ticket = ticket_transition(actor=org.s1.user, ticket=ticket, to_status=S.IN_PROGRESS)
    assert (ticket.status, ticket.reopened) == (S.IN_PROGRESS, 1)


def test_a_supervisor_of_another_team_cannot_touch_the_ticket(org, cs):
    ticket = _bring_to(org, _open(org, cs), S.RESOLVED)  # about R1, S1's rep
    before = _state(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=org.s2.user, ticket=ticket, to_status=S.CLOSED)
    assert _state(ticket) == before


def test_the_moves_offered_follow_the_table_and_the_rights(org, cs):
    ticket = _open(org, cs)
    assert [to for to, _m in ticket_moves_for(org.staff.user, ticket)] == [
        S.IN_PROGRESS,
        S.RESOLVED,
    ]
    assert ticket_moves_for(org.s1.user, ticket) == []
    assert ticket_moves_for(org.r1.user, ticket) == []
    assert [to for to, _m in ticket_moves_for(org.admin.user, ticket)] == [
        S.IN_PROGRESS,
        S.RESOLVED,
    ]


# --- assignment, routing, comments ----------------------------------------------------------------


def test_assign_to_someone_of_the_department(org, cs):
    # given
    colleague = employee_hire(
        actor=None,
        employee_no="C2",
        name="客服二",
        role=Role.STAFF,
        department=cs,
        hire_date=dt.date(2025, 1, 1),
    )
    ticket = _open(org, cs)
    # when
    ticket = ticket_assign(actor=org.staff.user, ticket=ticket, assignee=colleague)
    # then
    assert ticket.assignee == colleague
    assert ticket.comments.order_by("-id").first().body == "Assigned to 客服二."
    audit = AuditEvent.objects.get(action="ticket.assign")
    assert (audit.before, audit.after) == ({"assignee_id": None}, {"assignee_id": colleague.pk})


def test_assign_to_someone_outside_the_department_is_refused(org, cs):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(ValidationError) as refused:
        ticket_assign(actor=org.staff.user, ticket=ticket, assignee=org.r1)
    assert refused.value.messages == ["张一 does not work in the ticket's department."]
    assert _state(ticket) == before


@pytest.mark.parametrize("who", ["r1", "s1", "hr"])
def test_only_the_department_assigns(org, cs, who):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(PermissionDenied):
        ticket_assign(actor=getattr(org, who).user, ticket=ticket, assignee=org.staff)
    assert _state(ticket) == before


def test_route_to_another_department(org, cs, product, p1):
    # given
    ticket = ticket_transition(actor=org.staff.user, ticket=_open(org, cs), to_status=S.IN_PROGRESS)
    assert ticket.assignee == org.staff
    # when
    ticket = ticket_route(
        actor=org.staff.user, ticket=ticket, department=product, comment="产品问题"
    )
    # then: the product department works it now, customer service no longer
    assert (ticket.department, ticket.assignee) == (product, None)
    assert ticket.comments.order_by("-id").first().body == "Routed from 客服部 to 产品部.\n产品问题"
    assert [to for to, _m in ticket_moves_for(p1.user, ticket)] == [S.RESOLVED]
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=org.staff.user, ticket=ticket, to_status=S.RESOLVED)


def test_reps_comment_on_tickets_about_them(org, cs):
    # given
    ticket = _open(org, cs)
    # when
    comment = ticket_comment_add(actor=org.r1.user, ticket=ticket, body="客户已再次来电")
    # then
    assert (comment.author, comment.body, comment.from_status, comment.to_status) == (
        org.r1.user,
        "客户已再次来电",
        "",
        "",
    )
    assert AuditEvent.objects.filter(action="ticket.comment").count() == 1


def test_an_empty_comment_is_refused(org, cs):
    ticket = _open(org, cs)
    before = _state(ticket)
    with pytest.raises(ValidationError):
        ticket_comment_add(actor=org.r1.user, ticket=ticket, body="   ")
    assert _state(ticket) == before


@pytest.mark.parametrize("who", ["r2", "r3", "s2"])
def test_people_who_cannot_see_a_ticket_do_not_comment(org, cs, who):
    ticket = _open(org, cs)  # about R1
    before = _state(ticket)
    with pytest.raises(PermissionDenied):
        ticket_comment_add(actor=getattr(org, who).user, ticket=ticket, body="?")
    assert _state(ticket) == before


# --- `telesales import tickets` -------------------------------------------------------------------

IMPORT_HEADER = [
    "number",
    "kind",
    "priority",
    "department",
    "title",
    "body",
    "customer_phone",
    "employee_no",
    "opened_on",
    "status",
    "resolved_at",
]
IMPORT_GOOD = [
    # complaint/high, due 17:00, resolved 16:00 and closed: closed_at = resolved_at
    [
        "OLD-1",
        "complaint",
        "high",
        "cs",
        "发票",
        "",
        "",
        "R1",
        "2026-03-02 09:00",
        "closed",
        "2026-03-02 16:00",
    ],
    # complaint, normal (empty), a date alone: midnight; the customer's owner is the rep
    [
        "OLD-2",
        "complaint",
        "",
        "cs",
        "延期",
        "客户投诉",
        "138 0013 8000",
        "",
        "2026-03-03",
        "resolved",
        "2026-03-04 08:00",
    ],
    # feedback in progress, no rep
    ["OLD-3", "feedback", "low", "cs", "建议", "", "", "", "2026/3/4 10:30", "in progress", ""],
    # open, status left empty
    ["OLD-4", "complaint", "urgent", "cs", "掉线", "", "", "R2", "2026-03-05T08:00:00", "", ""],
]


def _import_tickets(tmp_path, rows, *extra, header=IMPORT_HEADER) -> tuple[int, dict]:
    import io
    import json

    from django.core.management import call_command

    from tests.files import csv_bytes

    path = tmp_path / "tickets.csv"
    path.write_bytes(csv_bytes(rows, header))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "tickets", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _imported() -> list[tuple]:
    return list(
        Ticket.objects.order_by("number").values_list(
            "number",
            "kind",
            "priority",
            "status",
            "employee__employee_no",
            "customer__name",
            "sla_hours",
            "opened_at",
            "due_at",
            "resolved_at",
            "closed_at",
        )
    )


def _sh(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


IMPORTED = [
    ("OLD-1", "complaint", "high", "closed", "R1", None, 8, _sh("2026-03-02 09:00"),
     _sh("2026-03-02 17:00"), _sh("2026-03-02 16:00"), _sh("2026-03-02 16:00")),
    ("OLD-2", "complaint", "normal", "resolved", "R1", "周先生", 24, _sh("2026-03-03 00:00"),
     _sh("2026-03-04 00:00"), _sh("2026-03-04 08:00"), None),
    ("OLD-3", "feedback", "low", "in_progress", None, None, 72, _sh("2026-03-04 10:30"),
     _sh("2026-03-07 10:30"), None, None),
    ("OLD-4", "complaint", "urgent", "open", "R2", None, 4, _sh("2026-03-05 08:00"),
     _sh("2026-03-05 12:00"), None, None),
]  # fmt: skip


@pytest.fixture
def zhou(org):
    return Customer.objects.create(phone="+8613800138000", name="周先生", owner=org.r1)


def test_import_tickets_stores_their_history_as_it_stands(org, cs, zhou, tmp_path):
    # when
    code, payload = _import_tickets(tmp_path, IMPORT_GOOD)
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": []}
    assert _imported() == IMPORTED
    assert {t.department for t in Ticket.objects.all()} == {cs}
    history = list(
        TicketComment.objects.order_by("ticket__number").values_list("ticket__number", "to_status")
    )
    assert history == [
        ("OLD-1", "closed"),
        ("OLD-2", "resolved"),
        ("OLD-3", "in_progress"),
        ("OLD-4", "open"),
    ]
    event = CustomerEvent.objects.get()
    assert (event.customer, event.kind, event.text) == (zhou, "ticket", "OLD-2 延期")


def test_import_tickets_again_stores_nothing(org, cs, zhou, tmp_path):
    # given
    _import_tickets(tmp_path, IMPORT_GOOD)
    # when
    code, payload = _import_tickets(tmp_path, IMPORT_GOOD)
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 4, "rejected": []}
    assert _imported() == IMPORTED
    assert TicketComment.objects.count() == 4


def test_import_tickets_reads_naive_times_in_the_given_time_zone(org, cs, tmp_path):
    code, _payload = _import_tickets(tmp_path, IMPORT_GOOD[:1], "--tz", "UTC")
    assert code == 0
    assert Ticket.objects.get().opened_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_import_tickets_rejects_bad_rows_with_their_line(org, cs, zhou, tmp_path):
    # given
    def row(number, **changes):
        values = dict(zip(IMPORT_HEADER, IMPORT_GOOD[0], strict=True), number=number, **changes)
        return [values[key] for key in IMPORT_HEADER]

    rows = [
        IMPORT_GOOD[0],
        row("B-1", department="nowhere"),
        row("B-2", employee_no="X9"),
        row("B-3", kind="praise"),
        row("B-4", status="resolved", resolved_at=""),
        row("B-5", status="open"),
        row("B-6", resolved_at="2026-03-02 08:00"),
        row("B-7", opened_on="yesterday"),
        row("B-8", opened_on="2026-03-02 25:00"),
        row("B-9", opened_on="2099-01-01 09:00", resolved_at="2099-01-01 10:00"),
        row("OLD-1", title="另一个"),
        row("B-10", customer_phone="12345"),
        row("B-11", priority="asap"),
        row("", title="无编号"),
        IMPORT_GOOD[1],
    ]
    # when
    code, payload = _import_tickets(tmp_path, rows)
    # then
    assert code == 1
    assert (payload["rows"], payload["stored"], payload["duplicates"]) == (15, 2, 0)
    assert payload["rejected"] == [
        {
            "row": 3,
            "column": "department",
            "reason": "There is no department with the code nowhere.",
        },
        {"row": 4, "column": "employee_no", "reason": "There is no employee X9."},
        {"row": 5, "column": "kind", "reason": "“praise” is not one of: complaint, feedback."},
        {
            "row": 6,
            "column": "resolved_at",
            "reason": "A resolved or closed ticket needs the time it was resolved.",
        },
        {
            "row": 7,
            "column": "resolved_at",
            "reason": "A ticket that is still open or in progress has no resolution time.",
        },
        {
            "row": 8,
            "column": "resolved_at",
            "reason": "The ticket cannot be resolved before it was opened.",
        },
        {
            "row": 9,
            "column": "opened_at",
            "reason": "“yesterday” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
        },
        {
            "row": 10,
            "column": "opened_at",
            "reason": "“2026-03-02 25:00” is not a date and time; write it as 2026-07-01 14:30.",
        },
        {"row": 11, "column": "opened_at", "reason": "The ticket cannot be opened in the future."},
        {
            "row": 12,
            "column": "number",
            "reason": "Ticket OLD-1 already appears on line 2 of this file with other values.",
        },
        {"row": 13, "column": "customer_phone", "reason": "“12345” is not a phone number."},
        {
            "row": 14,
            "column": "priority",
            "reason": "“asap” is not one of: high, low, normal, urgent.",
        },
        {"row": 15, "column": "number", "reason": "A value is required."},
    ]
    assert [t[0] for t in _imported()] == ["OLD-1", "OLD-2"]


def test_import_tickets_never_changes_a_stored_ticket(org, cs, zhou, tmp_path):
    # given
    _import_tickets(tmp_path, IMPORT_GOOD)
    changed = [IMPORT_GOOD[3][:9] + ["resolved", "2026-03-05 10:00"]]
    # when
    code, payload = _import_tickets(tmp_path, changed)
    # then
    assert code == 1
    assert payload["rejected"] == [
        {
            "row": 2,
            "column": "number",
            "reason": "Ticket OLD-4 is already stored with other values; change it in the app.",
        }
    ]
    assert Ticket.objects.get(number="OLD-4").status == S.OPEN


def test_imported_complaints_count_in_the_timeliness_kpi(org, cs, zhou, tmp_path):
    from decimal import Decimal

    from telesales.core.periods import period_parse
    from telesales.kpi.feedback import complaint_timely_rate
    from telesales.kpi.values import KpiValue
    from telesales.org.scopes import scope_for_employee

    # given: R1's OLD-1 resolved in time, OLD-2 resolved 8 h late
    _import_tickets(tmp_path, IMPORT_GOOD)
    # when
    value = complaint_timely_rate(scope_for_employee(org.r1), period_parse("2026-03"))
    # then
    assert value == KpiValue(Decimal("0.5"), 1, 2)
