"""The feedback pages (issue 4): the ticket queue, a ticket and its moves, opening a ticket,
the SLA rules and the surveys — each in scope (PRODUCT.md §2), anything else a 404 that
changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.crm.models import Customer
from telesales.feedback.models import SlaRule, SurveyResponse, Ticket, TicketComment
from telesales.feedback.services import ticket_open, ticket_transition
from telesales.org.models import Department, Role
from telesales.org.services import department_ensure
from tests.conftest import _person

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
S = Ticket.Status


@pytest.fixture
def login(login):
    """Log in with English as the user's language: pages are compared in English."""

    def _login(employee):
        employee.user.language = "en"
        employee.user.save(update_fields=["language"])
        return login(employee)

    return _login


@pytest.fixture
def world(org):
    """Tickets: A about R1 for customer service (C1), B about R3 for product (P1), C about
    R2's customer for customer service, D about nobody for product."""
    product = department_ensure(
        actor=None,
        company=org.sales.company,
        code="product",
        name="产品部",
        kind=Department.Kind.PRODUCT,
    )
    org.p1 = _person("P1", "产品", Role.STAFF, department=product)
    org.product = product
    org.cs = org.staff.department
    org.wang = Customer.objects.create(phone="+8613900001111", name="王女士", owner=org.r2)
    org.zhou = Customer.objects.create(phone="+8613800138000", name="周先生", owner=org.r1)
    org.li = Customer.objects.create(phone="+8613700002222", name="李先生", owner=org.r3)
    now = timezone.now()

    def make(actor, department, *, employee=None, customer=None, hours_ago=1, kind="complaint"):
        return ticket_open(
            actor=actor,
            kind=kind,
            priority="normal",
            title=f"{department.code} {employee or customer}",
            body="",
            department=department,
            employee=employee,
            customer=customer,
            opened_at=now - dt.timedelta(hours=hours_ago),
        )

    org.tickets = {
        "A": make(org.s1.user, org.cs, employee=org.r1, customer=org.zhou),
        "B": make(org.s2.user, product, employee=org.r3, hours_ago=30),  # overdue
        "C": make(org.admin.user, org.cs, customer=org.wang, kind="feedback"),
        "D": make(org.admin.user, product),
    }
    return org


VISIBLE = {
    "r1": {"A"},
    "r2": {"C"},
    "r3": {"B"},
    "s1": {"A", "C"},
    "s2": {"B"},
    "manager": {"A", "B", "C"},
    "hr": {"A", "B", "C", "D"},
    "staff": {"A", "C"},
    "p1": {"B", "D"},
    "admin": {"A", "B", "C", "D"},
}


def _names(world, response) -> set[str]:
    assert response.status_code == 200
    by_pk = {t.pk: name for name, t in world.tickets.items()}
    return {by_pk[t.pk] for t in response.context["page"].object_list}


def _state(world) -> list[tuple]:
    return [
        (
            t.number,
            t.status,
            t.assignee_id,
            t.department_id,
            t.reopened,
            TicketComment.objects.filter(ticket=t).count(),
        )
        for t in Ticket.objects.order_by("number")
    ] + [(AuditEvent.objects.count(),)]


# --- the queue and the ticket page ------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_queue_and_ticket_pages_follow_scope(world, login, who):
    # given
    client = login(getattr(world, who))
    # when / then: the queue lists exactly the tickets in scope …
    assert _names(world, client.get("/tickets/?status=all")) == VISIBLE[who]
    # … and each ticket's page opens exactly when in scope
    for name, ticket in world.tickets.items():
        response = client.get(f"/tickets/{ticket.pk}/")
        assert response.status_code == (200 if name in VISIBLE[who] else 404), name


def test_queue_is_sorted_by_due_time_and_marks_the_overdue(world, login):
    # when
    response = login(world.admin).get("/tickets/")
    # then
    due = [t.due_at for t in response.context["page"].object_list]
    assert due == sorted(due)
    overdue = [t.number for t in response.context["page"].object_list if t.sla["overdue"]]
    assert overdue == [world.tickets["B"].number]
    html = response.content.decode()
    assert html.count('class="overdue"') == 1
    assert "overdue by 6 h 0 min" in html
    assert "22 h 59 min left" in html
    assert response.context["counts"] == {"open": 4, "in_progress": 0, "resolved": 0, "overdue": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"A", "B", "C", "D"}),
        ("?overdue=on", {"B"}),
        ("?kind=feedback", {"C"}),
        ("?kind=complaint&status=open", {"A", "B", "D"}),
        ("?status=resolved", set()),
        ("?department={product}", {"B", "D"}),
        ("?mine=on", set()),
    ],
)
def test_queue_filters(world, login, query, expected):
    client = login(world.admin)
    response = client.get("/tickets/" + query.format(product=world.product.pk))
    assert _names(world, response) == expected


def test_queue_hides_closed_tickets_unless_asked(world, login):
    # given
    ticket = world.tickets["A"]
    ticket_transition(actor=world.staff.user, ticket=ticket, to_status=S.RESOLVED)
    ticket_transition(actor=world.staff.user, ticket=ticket, to_status=S.CLOSED)
    client = login(world.staff)
    # then
    assert _names(world, client.get("/tickets/")) == {"C"}
    assert _names(world, client.get("/tickets/?status=closed")) == {"A"}


def test_queue_queries_do_not_grow_with_the_tickets(world, login):
    # given
    client = login(world.staff)
    client.get("/tickets/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/tickets/")
    for _ in range(20):
        ticket_open(
            actor=world.s1.user,
            kind="complaint",
            priority="high",
            title="又一个",
            body="",
            department=world.cs,
            employee=world.r2,
            customer=world.wang,
        )
    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get("/tickets/")
    # then
    assert len(response.context["page"].object_list) == 22
    assert len(many) == len(few)


def test_ticket_page_masks_the_phone_of_someone_elses_customer(world, login):
    ticket = world.tickets["A"]  # R1's customer
    assert login(world.r1).get(f"/tickets/{ticket.pk}/").context["phone"] == "13800138000"
    assert login(world.admin).get(f"/tickets/{ticket.pk}/").context["phone"] == "13800138000"
    assert login(world.s1).get(f"/tickets/{ticket.pk}/").context["phone"] == "138****8000"
    assert login(world.staff).get(f"/tickets/{ticket.pk}/").context["phone"] == "138****8000"


def test_ticket_page_offers_the_moves_of_the_viewer(world, login):
    ticket = world.tickets["A"]
    moves = {
        who: [
            m["to"]
            for m in login(getattr(world, who)).get(f"/tickets/{ticket.pk}/").context["moves"]
        ]
        for who in ("staff", "s1", "r1", "hr", "admin")
    }
    assert moves == {
        "staff": [S.IN_PROGRESS, S.RESOLVED],
        "s1": [],
        "r1": [],
        "hr": [],
        "admin": [S.IN_PROGRESS, S.RESOLVED],
    }


# --- moves, comments, assignment and routing by POST --------------------------------------------


def test_staff_work_a_ticket_through_the_page(world, login):
    # given
    client = login(world.staff)
    ticket = world.tickets["A"]
    # when
    start = client.post(f"/tickets/{ticket.pk}/move/", {"to_status": "in_progress"})
    resolve = client.post(
        f"/tickets/{ticket.pk}/move/", {"to_status": "resolved", "comment": "已补开发票"}
    )
    # then
    assert (start.status_code, resolve.status_code) == (302, 302)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (S.RESOLVED, world.staff)
    assert ticket.comments.order_by("-id").first().body == "已补开发票"
    page = client.get(f"/tickets/{ticket.pk}/")
    assert "Open → In progress" in page.content.decode()


def test_a_refused_move_by_post_says_why_and_changes_nothing(world, login):
    # given
    client = login(world.staff)
    before = _state(world)
    # when
    response = client.post(
        f"/tickets/{world.tickets['A'].pk}/move/", {"to_status": "closed"}, follow=True
    )
    # then
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "A ticket that is “Open” cannot be moved to “Closed”."
    ]
    assert _state(world) == before


POSTS = {
    "move": {"to_status": "in_progress"},
    "comment": {"body": "看看"},
    "assign": {"assignee": ""},
    "route": {"department": "{cs}"},
}


@pytest.mark.parametrize("action", sorted(POSTS))
@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_posts_out_of_scope_are_404_and_change_nothing(world, login, who, action):
    # given
    client = login(getattr(world, who))
    data = {k: v.format(cs=world.cs.pk) for k, v in POSTS[action].items()}
    hidden = [t for name, t in world.tickets.items() if name not in VISIBLE[who]]
    before = _state(world)
    # when / then
    for ticket in hidden:
        assert client.post(f"/tickets/{ticket.pk}/{action}/", data).status_code == 404
    assert client.post(f"/tickets/999999/{action}/", data).status_code == 404
    assert _state(world) == before


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("r1", "move"),
        ("r1", "assign"),
        ("r1", "route"),
        ("s1", "move"),  # start work is the department's
        ("s1", "assign"),
        ("s1", "route"),
        ("hr", "move"),
        ("hr", "assign"),
        ("manager", "route"),
    ],
)
def test_posts_without_the_right_are_404_and_change_nothing(world, login, who, action):
    # given: ticket A, which they all see
    client = login(getattr(world, who))
    data = {k: v.format(cs=world.cs.pk) for k, v in POSTS[action].items()}
    if action == "route":
        data = {"department": world.product.pk}
    before = _state(world)
    # when
    response = client.post(f"/tickets/{world.tickets['A'].pk}/{action}/", data)
    # then
    assert response.status_code == 404
    assert _state(world) == before


def test_reps_comment_through_the_page(world, login):
    # given
    client = login(world.r1)
    ticket = world.tickets["A"]
    # when
    response = client.post(f"/tickets/{ticket.pk}/comment/", {"body": "客户又来电了"})
    # then
    assert response.status_code == 302
    assert ticket.comments.order_by("-id").first().body == "客户又来电了"


def test_staff_assign_and_route_through_the_page(world, login):
    # given
    client = login(world.staff)
    ticket = world.tickets["A"]
    # when
    client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": world.staff.pk})
    ticket.refresh_from_db()
    assigned = ticket.assignee
    refused = client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": world.r1.pk}, follow=True)
    routed = client.post(f"/tickets/{ticket.pk}/route/", {"department": world.product.pk})
    # then
    assert assigned == world.staff
    assert [str(m) for m in refused.context["messages"]] == [
        "Choose someone of the ticket's department."
    ]
    assert routed.status_code == 302 and routed.url == "/tickets/"
    ticket.refresh_from_db()
    assert (ticket.department, ticket.assignee) == (world.product, None)
    assert login(world.staff).get(f"/tickets/{ticket.pk}/").status_code == 404


# --- opening a ticket ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("s1", 200),
        ("manager", 200),
        ("admin", 200),
        ("r1", 404),
        ("staff", 404),
        ("hr", 404),
    ],
)
def test_open_page_is_for_supervisors_managers_and_administrators(world, login, who, status):
    client = login(getattr(world, who))
    assert client.get("/tickets/new/").status_code == status
    if status == 404:
        count = Ticket.objects.count()
        data = {
            "kind": "complaint",
            "priority": "high",
            "department": world.cs.pk,
            "title": "x",
            "body": "y",
        }
        assert client.post("/tickets/new/", data).status_code == 404
        assert Ticket.objects.count() == count


def _open_data(world, **changes) -> dict:
    return {
        "kind": "complaint",
        "priority": "high",
        "department": world.cs.pk,
        "title": "承诺的功能没有",
        "body": "客户说销售承诺了报表导出",
        "customer_phone": "",
        "employee": "",
        **changes,
    }


def test_a_supervisor_opens_a_ticket_for_their_reps_customer(world, login):
    # when: the customer's number as the supervisor heard it; the rep is the owner
    response = login(world.s1).post(
        "/tickets/new/", _open_data(world, customer_phone="138 0013 8000")
    )
    # then
    ticket = Ticket.objects.order_by("-id").first()
    assert response.status_code == 302 and response.url == f"/tickets/{ticket.pk}/"
    assert (ticket.customer, ticket.employee, ticket.sla_hours, ticket.created_by) == (
        world.zhou,
        world.r1,
        8,
        world.s1.user,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"employee": "{r3}"},  # R3 is not S1's
        {"customer_phone": "13700002222"},  # R3's customer
        {"customer_phone": "13600000000"},  # nobody's
        {"customer_phone": "12345"},  # not a number
        {"title": ""},
        {"department": "999999"},
    ],
)
def test_opening_out_of_scope_or_invalid_is_refused_and_stores_nothing(world, login, changes):
    # given
    data = _open_data(world, **{k: v.format(r3=world.r3.pk) for k, v in changes.items()})
    count = Ticket.objects.count()
    # when
    response = login(world.s1).post("/tickets/new/", data)
    # then
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Ticket.objects.count() == count


def test_opening_for_someone_elses_customer_says_no_customer_of_yours(world, login):
    response = login(world.s1).post(
        "/tickets/new/", _open_data(world, customer_phone="13700002222")
    )
    assert response.context["form"].errors["customer_phone"] == [
        "No customer of yours has this phone number."
    ]


# --- SLA rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_sla_page_is_read_only_except_for_administrators(world, login, who):
    # given
    client = login(getattr(world, who))
    data = {f"hours_{r.kind}_{r.priority}": r.hours for r in SlaRule.objects.all()}
    data["hours_complaint_urgent"] = 2
    # when
    page = client.get("/tickets/sla/")
    post = client.post("/tickets/sla/", data)
    # then
    assert page.status_code == 200
    assert page.context["editable"] is (who == "admin")
    hours = SlaRule.objects.get(kind="complaint", priority="urgent").hours
    if who == "admin":
        assert (post.status_code, hours) == (302, 2)
        assert AuditEvent.objects.filter(action="sla_rule.update").count() == 1
    else:
        assert (post.status_code, hours) == (404, 4)


def test_sla_page_refuses_hours_out_of_range(world, login):
    data = {f"hours_{r.kind}_{r.priority}": r.hours for r in SlaRule.objects.all()}
    data["hours_feedback_low"] = 0
    response = login(world.admin).post("/tickets/sla/", data)
    assert response.status_code == 400
    assert SlaRule.objects.get(kind="feedback", priority="low").hours == 72


# --- surveys ------------------------------------------------------------------------------------


@pytest.fixture
def surveys(world):
    def add(no, employee, score, customer=None, day="2026-03-10"):
        SurveyResponse.objects.create(
            response_no=no,
            employee=employee,
            customer=customer,
            score=score,
            responded_on=dt.date.fromisoformat(day),
        )

    add("S1", world.r1, 5, world.zhou)
    add("S2", world.r1, 4)
    add("S3", world.r1, 2)
    add("S4", world.r2, 3, world.wang)
    add("S5", world.r3, 5, world.li)
    add("S6", world.r1, 1, day="2026-04-01")  # another month
    return world


SURVEYS_SEEN = {
    "r1": {"S1", "S2", "S3"},
    "r2": {"S4"},
    "r3": {"S5"},
    "s1": {"S1", "S2", "S3", "S4"},
    "s2": {"S5"},
    "manager": {"S1", "S2", "S3", "S4", "S5"},
    "hr": {"S1", "S2", "S3", "S4", "S5"},
    "admin": {"S1", "S2", "S3", "S4", "S5"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_survey_page_follows_scope(surveys, login, who):
    response = login(getattr(surveys, who)).get("/surveys/?period=2026-03")
    if who not in SURVEYS_SEEN:
        assert response.status_code == 404
        return
    assert {r.response_no for r in response.context["page"].object_list} == SURVEYS_SEEN[who]


def test_survey_page_shows_each_reps_average_and_csat(surveys, login):
    # when
    response = login(surveys.s1).get("/surveys/?period=2026-03")
    # then: R1 5, 4, 2 → mean 3.67, 2 of 3 satisfied; R2 3 → 0 of 1
    rows = [
        (r["employee__employee_no"], r["responses"], r["average_shown"], r["satisfied"], r["csat"])
        for r in response.context["reps"]
    ]
    assert rows == [("R1", 3, "3.67", 2, "66.7%"), ("R2", 1, "3.00", 0, "0.0%")]
    assert (response.context["total"], response.context["csat"]) == (4, "50.0%")


def test_survey_page_filters_by_rep_and_masks_phones(surveys, login):
    client = login(surveys.s1)
    response = client.get(f"/surveys/?period=2026-03&rep={surveys.r2.pk}")
    shown = [(r.response_no, r.phone_shown) for r in response.context["page"].object_list]
    assert shown == [("S4", "139****1111")]
    own = login(surveys.r2).get("/surveys/?period=2026-03").context["page"].object_list
    assert [r.phone_shown for r in own] == ["13900001111"]


def test_survey_page_queries_do_not_grow_with_the_responses(surveys, login):
    # given
    client = login(surveys.s1)
    client.get("/surveys/?period=2026-03")
    with CaptureQueriesContext(connection) as few:
        client.get("/surveys/?period=2026-03")
    for number in range(30):
        SurveyResponse.objects.create(
            response_no=f"M{number}",
            employee=surveys.r2,
            customer=surveys.wang,
            score=4,
            responded_on=dt.date(2026, 3, 20),
        )
    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get("/surveys/?period=2026-03")
    # then
    assert response.context["total"] == 34
    assert len(many) == len(few)


def test_survey_page_without_responses_shows_not_applicable(surveys, login):
    response = login(surveys.r1).get("/surveys/?period=2026-05")
    assert (response.context["total"], response.context["csat"]) == (0, "—")


def test_survey_page_refuses_a_bad_period(surveys, login):
    response = login(surveys.r1).get("/surveys/?period=someday")
    assert response.status_code == 200
    assert "period" in response.context["form"].errors


# --- the menu -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("staff", {"tickets"}),
        ("r1", {"tickets", "surveys"}),
        ("s1", {"tickets", "surveys"}),
        ("admin", {"tickets", "surveys"}),
    ],
)
def test_menu_entries(world, who, entries):
    from telesales.core.navigation import menu_for

    keys = {item["key"] for item in menu_for(getattr(world, who).user)}
    assert keys & {"tickets", "surveys"} == entries
