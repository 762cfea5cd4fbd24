"""The motivation pages (source §2.2.4): the recognition and reward/penalty ledger with its
totals, the recognition wall of a team, team activities, and one-to-one morale check-ins with
a person's trend and the teams' averages by month. Every page reads through
telesales.people.morale.access; anything out of scope is a 404 and changes nothing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.org import access as org_access
from telesales.org.models import Employee, Role
from telesales.people.morale import access, selectors, services
from telesales.people.morale.forms import (
    CheckInForm,
    LedgerEntryForm,
    LedgerFilterForm,
    PeriodFilterForm,
    ReverseForm,
    TeamActivityForm,
)
from telesales.people.morale.models import CheckIn, LedgerEntry, TeamActivity

PAGE_SIZE = 50
TREND_MONTHS = 6


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _refuse_out_of_scope(request, name: str, allowed) -> None:
    """A posted id the user may not choose (out of scope, or no such row) is a 404 that
    changes nothing; other shape errors are left to the form."""
    values = [v.strip() for v in request.POST.getlist(name) if v.strip()]
    if not values or not all(v.isdigit() for v in values):
        return
    ids = {int(v) for v in values}
    if allowed.filter(pk__in=ids).count() != len(ids):
        raise Http404


def _errors_to_form(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _money(value) -> str:
    if value is None:
        return "—"
    return number_format(Decimal(value).quantize(Decimal("0.01")), 2, force_grouping=True)


def _one_decimal(value) -> str:
    return number_format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _granted_by(entry) -> str:
    user = entry.granted_by
    if user is None:
        return "—"
    try:
        return user.employee.name
    except Employee.DoesNotExist:
        return user.get_username()


def _default_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


# -- the ledger --------------------------------------------------------------------------------


def _totals_shown(row: dict) -> dict:
    row["reward_amount_shown"] = _money(row["reward_amount"])
    row["penalty_amount_shown"] = _money(row["penalty_amount"])
    row["net_amount_shown"] = _money(row["net_amount"])
    return row


@login_required
def ledger_list(request):
    user = request.user
    _require(access.can_see_ledger(user))
    data = request.GET.copy()
    data.pop("page", None)
    if not data.get("period"):
        data["period"] = _default_month()
    employees = org_access.employees_visible_to(user).order_by("employee_no")
    teams = access.activity_teams_for(user).order_by("code")
    form = LedgerFilterForm(data, employees=employees, teams=teams)
    context: dict = {
        "form": form,
        "query": data.urlencode(),
        "can_grant": access.can_grant_any(user),
        "is_rep": org_access.user_role(user) == Role.REP,
    }
    if form.is_valid():
        criteria = selectors.LedgerFilter(
            period=form.cleaned_data["period"],
            employee=form.cleaned_data["employee"],
            team=form.cleaned_data["team"],
            kind=form.cleaned_data["kind"] or "",
        )
        entries = selectors.ledger_list(user, criteria)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        for entry in page:
            _entry_shown(user, entry)
        context.update(
            {
                "period": criteria.period,
                "page": page,
                "totals": _totals_shown(selectors.ledger_totals(entries)),
                "people": [_totals_shown(r) for r in selectors.ledger_totals_by_person(entries)],
                "teams": [_totals_shown(r) for r in selectors.ledger_totals_by_team(entries)],
                "reverse_form": ReverseForm(),
            }
        )
    return render(
        request, "morale/ledger_list.html", context, status=200 if form.is_valid() else 400
    )


def _entry_shown(user, entry: LedgerEntry) -> LedgerEntry:
    entry.amount_shown = _money(entry.amount) if entry.amount is not None else ""
    entry.granted_by_name = _granted_by(entry)
    reversal = getattr(entry, "reversal", None) if not entry.is_reversal else None
    entry.reversed_by = reversal
    entry.may_reverse = (
        not entry.is_reversal and reversal is None and access.can_grant(user, entry.employee)
    )
    return entry


@login_required
def ledger_new(request):
    user = request.user
    _require(access.can_grant_any(user))
    people = access.grantees_for(user)
    if request.method == "POST":
        _refuse_out_of_scope(request, "employee", people)
        form = LedgerEntryForm(request.POST, employees=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.ledger_entry_grant(
                    actor=user,
                    employee=data["employee"],
                    kind=data["kind"],
                    reason=data["reason"],
                    date=data["date"],
                    points=data["points"] or 0,
                    amount=data["amount"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(kind)s recorded for %(name)s.")
                    % {"kind": entry.get_kind_display(), "name": entry.employee.name},
                )
                url = reverse("morale-ledger")
                return redirect(f"{url}?period={entry.date:%Y-%m}")
    else:
        initial = {"date": timezone.localdate(), "kind": LedgerEntry.Kind.RECOGNITION}
        chosen = request.GET.get("employee")
        if chosen and chosen.isdigit() and people.filter(pk=chosen).exists():
            initial["employee"] = int(chosen)
        form = LedgerEntryForm(initial=initial, employees=people)
    status = 400 if form.errors else 200
    return render(request, "morale/ledger_form.html", {"form": form}, status=status)


@login_required
@require_POST
def ledger_reverse(request, pk):
    user = request.user
    entry = access.access_ledger_entry(user, pk)
    _require(access.can_grant(user, entry.employee))
    form = ReverseForm(request.POST)
    back = f"{reverse('morale-ledger')}?period={entry.date:%Y-%m}"
    if not form.is_valid():
        messages.error(request, _("Say why the entry is reversed."))
        return redirect(back)
    try:
        services.ledger_entry_reverse(actor=user, entry=entry, reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Entry #%(number)s reversed.") % {"number": entry.pk})
    return redirect(back)


# -- the recognition wall ----------------------------------------------------------------------


@login_required
def wall(request):
    """The user's own team's wall, else the first team they see."""
    user = request.user
    teams = access.wall_teams_for(user).order_by("code")
    employee = org_access.user_employee(user)
    own = employee.team_id if employee is not None else None
    team = teams.filter(pk=own).first() if own else None
    team = team or teams.first()
    _require(team is not None)
    return redirect("morale-wall-team", pk=team.pk)


@login_required
def wall_team(request, pk):
    user = request.user
    team = access.access_wall_team(user, pk)
    entries = selectors.wall_entries(team)
    for entry in entries:
        entry.granted_by_name = _granted_by(entry)
    context = {
        "team": team,
        "entries": entries,
        "teams": access.wall_teams_for(user).order_by("code"),
        "can_grant": access.can_grant_any(user),
    }
    return render(request, "morale/wall.html", context)


# -- team activities ---------------------------------------------------------------------------


@login_required
def activity_list(request):
    user = request.user
    _require(access.can_see_activities(user))
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = str(timezone.localdate().year)
    form = PeriodFilterForm(data)
    context: dict = {"form": form, "can_keep": access.activity_teams_for(user).exists()}
    if form.is_valid():
        activities = selectors.activity_list(user, period=form.cleaned_data["period"])
        totals = selectors.activity_totals(
            access.activities_visible_to(user).filter(
                date__gte=form.cleaned_data["period"].start,
                date__lte=form.cleaned_data["period"].end,
            )
        )
        rows = list(activities[:500])
        for activity in rows:
            activity.cost_shown = _money(activity.cost)
        context.update(
            {
                "period": form.cleaned_data["period"],
                "activities": rows,
                "count": totals["count"],
                "cost": _money(totals["cost"]),
            }
        )
    return render(
        request, "morale/activity_list.html", context, status=200 if form.is_valid() else 400
    )


def _activity_people(user, activity: TeamActivity | None = None):
    """Whom an activity may name: the current members of the teams the user keeps, and the
    activity's participants already named."""
    today = timezone.localdate()
    teams = access.activity_teams_for(user)
    people = Employee.objects.filter(team__in=teams).employed_on(today)
    if activity is not None:
        people = people | Employee.objects.filter(pk__in=activity.participants.values("pk")).filter(
            pk__in=org_access.employees_visible_to(user).values("pk")
        )
    return people.distinct().select_related("team").order_by("team__code", "employee_no")


@login_required
def activity_new(request):
    user = request.user
    teams = access.activity_teams_for(user).order_by("code")
    _require(access.can_see_activities(user) and teams.exists())
    people = _activity_people(user)
    if request.method == "POST":
        _refuse_out_of_scope(request, "team", teams)
        _refuse_out_of_scope(request, "participants", people)
        form = TeamActivityForm(request.POST, teams=teams, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity = services.team_activity_record(
                    actor=user,
                    team=data["team"],
                    title=data["title"],
                    date=data["date"],
                    cost=data["cost"],
                    notes=data["notes"],
                    participants=data["participants"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request, _("Activity “%(title)s” recorded.") % {"title": activity.title}
                )
                return redirect("morale-activity", pk=activity.pk)
    else:
        form = TeamActivityForm(initial={"date": timezone.localdate()}, teams=teams, people=people)
    status = 400 if form.errors else 200
    return render(request, "morale/activity_form.html", {"form": form}, status=status)


@login_required
def activity_detail(request, pk):
    user = request.user
    activity = access.access_activity(user, pk)
    participants = activity.participants.select_related("team").order_by("employee_no")
    context = {
        "activity": activity,
        "participants": participants,
        "cost": _money(activity.cost),
        "can_edit": access.can_keep_activity(user, activity.team),
    }
    return render(request, "morale/activity_detail.html", context)


@login_required
def activity_edit(request, pk):
    user = request.user
    activity = access.access_activity(user, pk)
    _require(access.can_keep_activity(user, activity.team))
    people = _activity_people(user, activity)
    teams = access.activity_teams_for(user)
    if request.method == "POST":
        _refuse_out_of_scope(request, "participants", people)
        form = TeamActivityForm(request.POST, teams=teams, people=people, fixed_team=activity.team)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.team_activity_update(
                    actor=user,
                    activity=activity,
                    title=data["title"],
                    date=data["date"],
                    cost=data["cost"],
                    notes=data["notes"],
                    participants=data["participants"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request, _("Activity “%(title)s” saved.") % {"title": data["title"]}
                )
                return redirect("morale-activity", pk=activity.pk)
    else:
        form = TeamActivityForm(
            initial={
                "title": activity.title,
                "date": activity.date,
                "cost": activity.cost,
                "notes": activity.notes,
                "participants": list(activity.participants.values_list("pk", flat=True)),
            },
            teams=teams,
            people=people,
            fixed_team=activity.team,
        )
    status = 400 if form.errors else 200
    context = {"form": form, "activity": activity}
    return render(request, "morale/activity_form.html", context, status=status)


# -- check-ins ---------------------------------------------------------------------------------


CHECKIN_ROLES = (Role.REP, Role.SUPERVISOR)


@login_required
def checkin_overview(request):
    """The people of the user's scope with their latest check-in, and the teams' average
    morale by month; a rep goes to their own page."""
    user = request.user
    _require(access.can_see_checkins(user))
    scope = org_access.scope_for(user)
    if scope.role in {Role.REP, Role.STAFF}:
        return redirect("morale-person", pk=scope.employee.pk)
    today = timezone.localdate()
    people = org_access.employees_visible_to(user).employed_on(today).filter(role__in=CHECKIN_ROLES)
    if scope.employee is not None:
        people = people.exclude(pk=scope.employee.pk)
    page = Paginator(selectors.people_with_latest_checkin(people), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    months = selectors.months_back(today, TREND_MONTHS)
    teams = list(access.activity_teams_for(user).order_by("code"))
    by_team = selectors.team_morale_by_month([t.pk for t in teams], months[0], today)
    averages = [
        {
            "team": team,
            "cells": [
                {
                    "average": _one_decimal(by_team[team.pk][month].average),
                    "count": by_team[team.pk][month].count,
                }
                if month in by_team.get(team.pk, {})
                else None
                for month in months
            ],
        }
        for team in teams
    ]
    context = {
        "page": page,
        "months": months,
        "averages": averages,
        "can_hold": access.can_hold_checkins(user),
        "today": today,
    }
    return render(request, "morale/checkin_overview.html", context)


@login_required
def checkin_new(request):
    user = request.user
    _require(access.can_hold_checkins(user))
    people = access.checkin_people_for(user)
    if request.method == "POST":
        _refuse_out_of_scope(request, "employee", people)
        form = CheckInForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                checkin = services.checkin_record(
                    actor=user,
                    employee=data["employee"],
                    date=data["date"],
                    morale=data["morale"],
                    private_notes=data["private_notes"],
                    shared_summary=data["shared_summary"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Check-in with %(name)s recorded.") % {"name": checkin.employee.name},
                )
                return redirect("morale-person", pk=checkin.employee_id)
    else:
        initial: dict = {"date": timezone.localdate()}
        chosen = request.GET.get("employee")
        if chosen and chosen.isdigit() and people.filter(pk=chosen).exists():
            initial["employee"] = int(chosen)
        form = CheckInForm(initial=initial, people=people)
    status = 400 if form.errors else 200
    return render(request, "morale/checkin_form.html", {"form": form}, status=status)


@login_required
def checkin_edit(request, pk):
    user = request.user
    checkin = access.access_checkin(user, pk)
    _require(access.can_edit_checkin(user, checkin))
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.checkin_update(
                    actor=user,
                    checkin=checkin,
                    date=data["date"],
                    morale=data["morale"],
                    private_notes=data["private_notes"],
                    shared_summary=data["shared_summary"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Check-in saved."))
                return redirect("morale-person", pk=checkin.employee_id)
    else:
        form = CheckInForm(
            initial={
                "date": checkin.date,
                "morale": checkin.morale,
                "private_notes": checkin.private_notes,
                "shared_summary": checkin.shared_summary,
            }
        )
    status = 400 if form.errors else 200
    context = {"form": form, "checkin": checkin}
    return render(request, "morale/checkin_form.html", context, status=status)


def _checkin_shown(checkin: CheckIn, *, notes: bool, editable) -> dict:
    """What the page shows of a check-in: the private notes only to those who may read them."""
    return {
        "pk": checkin.pk,
        "date": checkin.date,
        "morale": checkin.morale,
        "held_by": checkin.held_by.name,
        "team": checkin.team,
        "shared_summary": checkin.shared_summary,
        "private_notes": checkin.private_notes if notes else None,
        "editable": editable(checkin),
    }


@login_required
def person(request, pk):
    """One person's check-ins with their morale trend, and their ledger entries."""
    user = request.user
    employee = org_access.access_employee(user, pk)
    notes = access.may_read_notes(user, employee)
    checkins = [
        _checkin_shown(c, notes=notes, editable=lambda c: access.can_edit_checkin(user, c))
        for c in selectors.checkins_of(employee)
    ]
    entries = [_entry_shown(user, e) for e in selectors.ledger_of(employee)[:PAGE_SIZE]]
    year = timezone.localdate().year
    totals = _totals_shown(
        selectors.ledger_totals(selectors.ledger_of(employee).filter(date__year=year))
    )
    chart = {
        "days": [c["date"].isoformat() for c in checkins],
        "series": [{"name": _("Morale"), "values": [c["morale"] for c in checkins]}],
        "yTitle": _("Morale (1–5)"),
    }
    context = {
        "employee": employee,
        "checkins": list(reversed(checkins)),
        "chart": chart,
        "notes": notes,
        "entries": entries,
        "totals": totals,
        "year": year,
        "can_hold": access.can_hold_checkin(user, employee),
        "can_grant": access.can_grant(user, employee),
        "is_self": org_access.user_employee(user) == employee,
        "reverse_form": ReverseForm(),
    }
    return render(request, "morale/person.html", context)
