import csv
import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.core.navigation import profile_links_for
from telesales.core.todos import todos_for
from telesales.org import access
from telesales.org.forms import AbsenceForm, EmployeeFilterForm
from telesales.org.importers import EmployeeImporter
from telesales.org.models import Employee, EmployeeEvent, Role
from telesales.org.selectors import headcount_on, recent_events
from telesales.org.services import AbsenceError, absence_record

RECENT_DAYS = 90


@login_required
def home(request):
    """Each role's start page: what the user's scope holds today."""
    scope = access.scope_for(request.user)
    today = timezone.localdate()
    people = access.employees_visible_to(request.user)
    teams = (
        access.teams_visible_to(request.user)
        .select_related("supervisor")
        .annotate(
            member_count=Count(
                "members",
                filter=Q(members__hire_date__lte=today)
                & (Q(members__leave_date__isnull=True) | Q(members__leave_date__gt=today)),
            )
        )
    )
    since = today - dt.timedelta(days=RECENT_DAYS)
    context = {
        "scope": scope,
        "role_label": dict(Role.choices).get(scope.role, _("No role")),
        "me": scope.employee,
        "teams": teams,
        "people_count": people.employed_on(today).count(),
        "headcount": headcount_on(people, today),
        "joiners": recent_events(people, kinds=[EmployeeEvent.Kind.HIRE], since=since),
        "leavers": recent_events(people, kinds=[EmployeeEvent.Kind.LEAVE], since=since),
        "recent_days": RECENT_DAYS,
        "today": today,
        "todos": todos_for(request.user, today),
    }
    return render(request, "org/home.html", context)


@login_required
def team_list(request):
    scope = access.scope_for(request.user)
    if not scope.company_wide and not scope.team_ids:
        raise Http404
    today = timezone.localdate()
    employed = Q(members__hire_date__lte=today) & (
        Q(members__leave_date__isnull=True) | Q(members__leave_date__gt=today)
    )
    teams = (
        access.teams_visible_to(request.user)
        .select_related("supervisor", "department")
        .annotate(
            headcount=Count("members", filter=employed & Q(members__role=Role.REP)),
        )
    )
    return render(request, "org/team_list.html", {"teams": teams, "today": today})


@login_required
def team_detail(request, pk):
    team = access.access_team(request.user, pk)
    today = timezone.localdate()
    members = (
        access.employees_visible_to(request.user)
        .filter(team=team)
        .select_related("manager")
        .order_by("leave_date", "role", "employee_no")
    )
    since = today - dt.timedelta(days=RECENT_DAYS)
    context = {
        "team": team,
        "members": members,
        "headcount": headcount_on(members, today),
        "joiners": recent_events(members, kinds=[EmployeeEvent.Kind.HIRE], since=since),
        "leavers": recent_events(members, kinds=[EmployeeEvent.Kind.LEAVE], since=since),
        "today": today,
    }
    return render(request, "org/team_detail.html", context)


def _filtered_employees(request):
    people = access.employees_visible_to(request.user)
    form = EmployeeFilterForm(request.GET or None, teams=access.teams_visible_to(request.user))
    today = timezone.localdate()
    status = "active"
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status") or "active"
        if data.get("q"):
            q = data["q"].strip()
            people = people.filter(
                Q(name__icontains=q) | Q(employee_no__icontains=q) | Q(email__icontains=q)
            )
        if data.get("team"):
            people = people.filter(team=data["team"])
        if data.get("role"):
            people = people.filter(role=data["role"])
    if status == "active":
        people = people.filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
    elif status == "left":
        people = people.filter(leave_date__lte=today)
    people = people.select_related("team", "department", "manager").order_by("employee_no")
    return form, people


@login_required
def employee_list(request):
    form, people = _filtered_employees(request)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/employee_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
def employee_export(request):
    """The filtered list as CSV, with the same scope as the page, in the import's columns so
    an exported file re-imports unchanged."""
    _form, people = _filtered_employees(request)
    columns = [c.key for c in EmployeeImporter.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for employee in people.prefetch_related("extensions"):
        writer.writerow([_export_value(employee, key) for key in columns])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="employees.csv"'
    return response


def _export_value(employee: Employee, key: str) -> str:
    match key:
        case "team":
            return employee.team.code if employee.team else ""
        case "manager_no":
            return employee.manager.employee_no if employee.manager else ""
        case "department":
            return employee.department.code if employee.department else ""
        case "extension":
            current = max(employee.extensions.all(), key=lambda x: x.valid_from, default=None)
            return current.number if current else ""
    value = getattr(employee, key)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@login_required
def employee_detail(request, pk):
    employee = access.access_employee(request.user, pk)
    events = employee.events.select_related("from_team", "to_team")
    role_names = dict(Role.choices)
    for event in events:
        event.from_label = role_names.get(event.from_value, event.from_value)
        event.to_label = role_names.get(event.to_value, event.to_value)
    context = {
        "employee": employee,
        "events": events,
        "assignments": employee.team_assignments.select_related("team"),
        "extensions": employee.extensions.all(),
        "reports": access.employees_visible_to(request.user)
        .filter(manager=employee)
        .select_related("team"),
        "today": timezone.localdate(),
        "absences": employee.absences.order_by("-start")[:20],
        "absence_form": AbsenceForm()
        if access.can_record_absence(request.user, employee)
        else None,
        "profile_links": profile_links_for(request.user, employee),
    }
    return render(request, "org/employee_detail.html", context)


@login_required
@require_POST
def absence_add(request, pk):
    """Record leave of an employee (it lowers their capacity and daily target plan)."""
    employee = access.access_employee(request.user, pk)
    if not access.can_record_absence(request.user, employee):
        raise PermissionDenied
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            absence_record(actor=request.user, employee=employee, **form.cleaned_data)
        except AbsenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The leave is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("employee-detail", pk=employee.pk)
