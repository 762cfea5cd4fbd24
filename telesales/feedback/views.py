"""The feedback pages: the ticket queue of each department, a ticket with its history and
moves, opening a ticket, the SLA rules, and the satisfaction surveys. Every page reads through
telesales.feedback.access; anything out of scope is a 404 and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.calls.selectors import phone_mask
from telesales.feedback import access, selectors, services
from telesales.feedback.customers import customers_by_phone, phone_display
from telesales.feedback.forms import (
    SlaRulesForm,
    SurveyFilterForm,
    TicketAssignForm,
    TicketCommentForm,
    TicketFilterForm,
    TicketOpenForm,
    TicketRouteForm,
    TicketTransitionForm,
    sla_field_name,
)
from telesales.feedback.models import Priority, Ticket, TicketKind
from telesales.kpi.values import ratio
from telesales.org import access as org_access
from telesales.org.models import Department, Role

PAGE_SIZE = 50


def _duration(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


def _sla_state(ticket: Ticket, now: dt.datetime) -> dict:
    """What the SLA column shows: time left or overdue while unresolved; in time or late
    once resolved."""
    if ticket.resolved_at is not None:
        timely = selectors.ticket_is_timely(ticket)
        return {"overdue": False, "late": not timely, "text": _("in time") if timely else _("late")}
    left = ticket.due_at - now
    if left.total_seconds() < 0:
        return {
            "overdue": True,
            "late": True,
            "text": _("overdue by %(time)s") % {"time": _duration(left)},
        }
    return {"overdue": False, "late": False, "text": _("%(time)s left") % {"time": _duration(left)}}


def _phone_shown(user, customer) -> str:
    """A customer's number in full for administrators and the customer's owner, else masked
    (PRODUCT.md §2)."""
    if customer is None:
        return ""
    number = phone_display(customer.phone)
    scope = org_access.scope_for(user)
    if scope.role == Role.ADMIN or (
        scope.employee is not None and customer.owner_id == scope.employee.pk
    ):
        return number
    return phone_mask(number)


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


# -- the queue ---------------------------------------------------------------------------------


@login_required
def ticket_queue(request):
    user = request.user
    _require(access.can_see_tickets(user))
    now = timezone.now()
    data = request.GET.copy()
    data.pop("page", None)
    if not data.get("status"):
        data["status"] = selectors.ACTIVE
    form = TicketFilterForm(data, departments=selectors.departments_visible_to(user))
    criteria = form.criteria() if form.is_valid() else selectors.TicketFilter()
    tickets = selectors.ticket_queue(user, criteria, now=now)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    for ticket in page:
        ticket.sla = _sla_state(ticket, now)
    context = {
        "form": form,
        "page": page,
        "query": data.urlencode(),
        "counts": selectors.queue_counts(user, now=now),
        "can_open": access.can_open_tickets(user),
        "employee": getattr(user, "employee", None),
    }
    return render(request, "feedback/ticket_queue.html", context)


# -- one ticket --------------------------------------------------------------------------------


def _detail_context(request, ticket: Ticket) -> dict:
    user = request.user
    rights = access.ticket_rights(user, ticket)
    now = timezone.now()
    moves = [
        {
            "to": to_status,
            "label": move.label,
            "form": TicketTransitionForm(
                initial={"to_status": to_status}, auto_id=f"move-{to_status}-%s"
            ),
        }
        for to_status, move in services.ticket_moves_for(user, ticket)
    ]
    context = {
        "ticket": ticket,
        "rights": rights,
        "moves": moves,
        "history": _history(ticket),
        "sla": _sla_state(ticket, now),
        "phone": _phone_shown(user, ticket.customer),
        "comment_form": TicketCommentForm(),
    }
    if rights.work and ticket.status != Ticket.Status.CLOSED:
        context["assign_form"] = TicketAssignForm(
            initial={"assignee": ticket.assignee_id},
            people=selectors.department_people(ticket.department),
        )
        context["route_form"] = TicketRouteForm(
            initial={"department": ticket.department_id},
            departments=Department.objects.order_by("code"),
        )
    return context


def _history(ticket: Ticket) -> list:
    labels = dict(Ticket.Status.choices)
    entries = list(selectors.ticket_history(ticket))
    for entry in entries:
        entry.from_label = labels.get(entry.from_status, entry.from_status)
        entry.to_label = labels.get(entry.to_status, entry.to_status)
    return entries


@login_required
def ticket_detail(request, pk):
    ticket = access.access_ticket(request.user, pk)
    return render(request, "feedback/ticket_detail.html", _detail_context(request, ticket))


def _apply(request, ticket: Ticket, action) -> None:
    """Run a service; a refusal becomes a message, a missing right a 404."""
    try:
        action()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


@login_required
@require_POST
def ticket_move(request, pk):
    ticket = access.access_ticket(request.user, pk)
    rights = access.ticket_rights(request.user, ticket)
    _require(rights.work or rights.follow_up)
    form = TicketTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the ticket."))
        return redirect("ticket-detail", pk=ticket.pk)
    to_status = form.cleaned_data["to_status"]
    before = ticket.status

    def move():
        services.ticket_transition(
            actor=request.user,
            ticket=ticket,
            to_status=to_status,
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            request,
            _("Ticket %(number)s moved from “%(from)s” to “%(to)s”.")
            % {
                "number": ticket.number,
                "from": Ticket.Status(before).label,
                "to": Ticket.Status(to_status).label,
            },
        )

    _apply(request, ticket, move)
    return redirect("ticket-detail", pk=ticket.pk)


@login_required
@require_POST
def ticket_comment(request, pk):
    ticket = access.access_ticket(request.user, pk)
    _require(access.ticket_rights(request.user, ticket).comment)
    form = TicketCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
        return redirect("ticket-detail", pk=ticket.pk)
    _apply(
        request,
        ticket,
        lambda: services.ticket_comment_add(
            actor=request.user, ticket=ticket, body=form.cleaned_data["body"]
        ),
    )
    return redirect("ticket-detail", pk=ticket.pk)


@login_required
@require_POST
def ticket_assign(request, pk):
    ticket = access.access_ticket(request.user, pk)
    _require(access.ticket_rights(request.user, ticket).work)
    form = TicketAssignForm(request.POST, people=selectors.department_people(ticket.department))
    if not form.is_valid():
        messages.error(request, _("Choose someone of the ticket's department."))
        return redirect("ticket-detail", pk=ticket.pk)
    _apply(
        request,
        ticket,
        lambda: services.ticket_assign(
            actor=request.user, ticket=ticket, assignee=form.cleaned_data["assignee"]
        ),
    )
    return redirect("ticket-detail", pk=ticket.pk)


@login_required
@require_POST
def ticket_route(request, pk):
    ticket = access.access_ticket(request.user, pk)
    _require(access.ticket_rights(request.user, ticket).work)
    form = TicketRouteForm(request.POST, departments=Department.objects.all())
    if not form.is_valid():
        messages.error(request, _("Choose a department."))
        return redirect("ticket-detail", pk=ticket.pk)
    _apply(
        request,
        ticket,
        lambda: services.ticket_route(
            actor=request.user,
            ticket=ticket,
            department=form.cleaned_data["department"],
            comment=form.cleaned_data["comment"],
        ),
    )
    if access.tickets_visible_to(request.user).filter(pk=ticket.pk).exists():
        return redirect("ticket-detail", pk=ticket.pk)
    messages.success(request, _("The ticket left your department's queue."))
    return redirect("ticket-queue")


# -- opening a ticket --------------------------------------------------------------------------


@login_required
def ticket_open(request):
    user = request.user
    _require(access.can_open_tickets(user) and access.can_see_tickets(user))
    reps = access.ticket_reps_for(user).order_by("employee_no")
    departments = Department.objects.order_by("code")
    form = TicketOpenForm(
        request.POST or None,
        departments=departments,
        reps=reps,
        initial={"priority": Priority.NORMAL, "kind": TicketKind.COMPLAINT},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = None
        if data["customer_phone"]:
            customer = customers_by_phone({data["customer_phone"]}).get(data["customer_phone"])
            scope = org_access.scope_for(user)
            if (
                customer is not None
                and not scope.company_wide
                and customer.owner_id not in scope.employee_ids
            ):
                customer = None  # out of scope: as if there were none
            if customer is None:
                form.add_error("customer_phone", _("No customer of yours has this phone number."))
        if not form.errors:
            employee = data["employee"]
            if employee is None and customer is not None and customer.owner_id:
                employee = reps.filter(pk=customer.owner_id).first()
            try:
                ticket = services.ticket_open(
                    actor=user,
                    kind=data["kind"],
                    priority=data["priority"],
                    title=data["title"],
                    body=data["body"],
                    department=data["department"],
                    customer=customer,
                    employee=employee,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Ticket %(number)s was opened; it is due %(due)s.")
                    % {
                        "number": ticket.number,
                        "due": timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                return redirect("ticket-detail", pk=ticket.pk)
    context = {"form": form, "sla": _sla_rows(), "priorities": Priority.choices}
    return render(request, "feedback/ticket_open.html", context, status=400 if form.errors else 200)


def _sla_rows() -> list[dict]:
    table = selectors.sla_table()
    return [
        {
            "kind": label,
            "hours": [table.get((kind, priority)) for priority, _label in Priority.choices],
        }
        for kind, label in TicketKind.choices
    ]


# -- SLA rules ---------------------------------------------------------------------------------


@login_required
def sla_rules(request):
    user = request.user
    _require(access.can_see_tickets(user))
    editable = access.can_edit_sla(user)
    if request.method == "POST":
        _require(editable)
        form = SlaRulesForm(request.POST)
        if form.is_valid():
            changed = services.sla_rules_update(
                actor=user,
                hours={
                    (kind, priority): form.cleaned_data[sla_field_name(kind, priority)]
                    for kind, priority in form.cells
                },
            )
            messages.success(request, _("SLA rules saved: %(count)s changed.") % {"count": changed})
            return redirect("ticket-sla")
        status = 400
    else:
        form = SlaRulesForm()
        status = 200
    context = {
        "form": form,
        "editable": editable,
        "priorities": Priority.choices,
        "sla": _sla_rows(),
    }
    return render(request, "feedback/sla_rules.html", context, status=status)


# -- surveys -----------------------------------------------------------------------------------


def _percent(value) -> str:
    if value is None:
        return "—"
    rounded = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, 1)}%"


@login_required
def survey_list(request):
    user = request.user
    _require(access.can_see_surveys(user))
    data = request.GET.copy()
    data.pop("page", None)
    if not data.get("period"):
        data["period"] = timezone.localdate().strftime("%Y-%m")
    employees = org_access.employees_visible_to(user).order_by("employee_no")
    form = SurveyFilterForm(data, employees=employees)
    context: dict = {"form": form, "query": data.urlencode()}
    if form.is_valid():
        period = form.cleaned_data["period"]
        responses = selectors.survey_list(
            user, start=period.start, end=period.end, employee=form.cleaned_data["rep"]
        )
        reps = selectors.survey_by_rep(responses)
        for row in reps:
            row["csat"] = _percent(ratio(row["satisfied"], row["responses"]).value)
            row["average_shown"] = number_format(
                Decimal(row["average"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2
            )
        total = sum(r["responses"] for r in reps)
        satisfied = sum(r["satisfied"] for r in reps)
        page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
        for response in page:
            response.phone_shown = _phone_shown(user, response.customer)
        context.update(
            {
                "period": period,
                "reps": reps,
                "total": total,
                "csat": _percent(ratio(satisfied, total).value),
                "page": page,
            }
        )
    return render(request, "feedback/survey_list.html", context)
