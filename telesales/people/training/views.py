"""The training pages: plans and their sessions, one session (invitees, attendance, scores),
the onboarding templates, a rep's own training, and the team overview with the training
KPIs. Every page reads through telesales.people.training.access; anything out of scope is a
404 and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

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
from django.utils.translation import ngettext

from telesales.core.periods import Period, period_of
from telesales.org import access as org_access
from telesales.org.models import Role, Team
from telesales.org.scopes import scope_for_teams
from telesales.people.training import access, selectors, services
from telesales.people.training.forms import (
    AttendanceForm,
    InviteForm,
    OnboardingAssignForm,
    OverviewForm,
    PlanFilterForm,
    RecurringPlanForm,
    ResultFilterForm,
    ScoresForm,
    SessionFilterForm,
    SessionMoveForm,
    TemplateItemFormSet,
    TemplateNameForm,
    default_plan_dates,
)
from telesales.people.training.models import (
    Assessment,
    OnboardingTemplate,
    TrainingPlan,
    TrainingSession,
)

PAGE_SIZE = 50


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _apply(request, action) -> bool:
    """Run a service; a refusal becomes a 404, a broken rule a message."""
    try:
        action()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("can_edit_templates", access.can_edit_templates(request.user))
    return render(request, template, context, status=status)


def _percent(value) -> str:
    if value is None:
        return "—"
    rounded = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, 1)}%"


def _points(value, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = number_format(rounded, 1)
    return f"+{text}" if signed and rounded > 0 else text


# -- plans -------------------------------------------------------------------------------------


def _onboarding_candidates(user):
    return (
        access.trainees_for(user)
        .filter(role=Role.REP, leave_date__isnull=True)
        .exclude(onboarding_plans__kind=TrainingPlan.Kind.ONBOARDING)
        .order_by("employee_no")
    )


@login_required
def plan_list(request):
    user = request.user
    _require(access.can_manage_training(user))
    teams = access.teams_for(user).order_by("code")
    form = PlanFilterForm(request.GET or None, teams=teams)
    criteria = form.cleaned_data if form.is_valid() else {}
    plans = selectors.plan_list(
        user,
        today=timezone.localdate(),
        kind=criteria.get("kind") or "",
        team=criteria.get("team"),
    )
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "assign_form": OnboardingAssignForm(reps=_onboarding_candidates(user)),
        "can_edit_templates": access.can_edit_templates(user),
        "today": timezone.localdate(),
    }
    return _render(request, "training/plan_list.html", context)


@login_required
def plan_create(request):
    user = request.user
    _require(access.can_manage_training(user))
    company_wide = access.company_wide(user)
    start, end = default_plan_dates()
    form = RecurringPlanForm(
        request.POST or None,
        teams=access.teams_for(user).order_by("code"),
        trainers=org_access.employees_visible_to(user)
        .filter(leave_date__isnull=True)
        .order_by("employee_no"),
        company_wide=company_wide,
        initial={
            "start_date": start,
            "end_date": end,
            "start_time": dt.time(16, 0),
            "frequency": TrainingPlan.Frequency.WEEKLY,
            "weekday": 4,
            "trainer": org_access.user_employee(user),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.recurring_plan_create(actor=user, **data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = plan.sessions.count()
            messages.success(
                request,
                ngettext(
                    "The plan “%(title)s” was made with %(count)s session.",
                    "The plan “%(title)s” was made with %(count)s sessions.",
                    count,
                )
                % {"title": plan.title, "count": count},
            )
            return redirect("training-plan", pk=plan.pk)
    status = 400 if form.errors else 200
    return _render(request, "training/plan_form.html", {"form": form}, status=status)


@login_required
def onboarding_assign(request):
    user = request.user
    _require(request.method == "POST" and access.can_manage_training(user))
    form = OnboardingAssignForm(request.POST, reps=_onboarding_candidates(user))
    if not form.is_valid():
        messages.error(request, _("Choose a rep of yours without an onboarding plan."))
        return redirect("training-plans")
    result = {}

    def assign():
        result["plan"] = services.onboarding_assign(
            actor=user, employee=form.cleaned_data["employee"], start=form.cleaned_data["start"]
        )

    if _apply(request, assign):
        plan = result["plan"]
        messages.success(
            request,
            _("%(name)s's onboarding plan was made.") % {"name": plan.employee.name},
        )
        return redirect("training-plan", pk=plan.pk)
    return redirect("training-plans")


@login_required
def plan_detail(request, pk):
    plan = access.access_plan(request.user, pk)
    sessions = list(selectors.plan_sessions(plan))
    visible = set(
        access.sessions_visible_to(request.user).filter(plan=plan).values_list("pk", flat=True)
    )
    context = {
        "plan": plan,
        "sessions": sessions,
        "visible": visible,
        "held": sum(s.status == TrainingSession.Status.HELD for s in sessions),
        "cancelled": sum(s.status == TrainingSession.Status.CANCELLED for s in sessions),
        "weekday": _weekday_label(plan.weekday),
    }
    return _render(request, "training/plan_detail.html", context)


def _weekday_label(weekday) -> str:
    from telesales.people.training.forms import WEEKDAYS

    return str(dict(WEEKDAYS).get(weekday, ""))


# -- sessions ----------------------------------------------------------------------------------


def _session_forms(request, session: TrainingSession, invitations, *, data=None, which=""):
    user = request.user
    manage = access.session_may_manage(user, session)
    assessment = selectors.session_assessment(session)
    context = {
        "manage": manage,
        "assessment": assessment,
        "moves": [
            {
                "to": to,
                "label": move.label,
                "form": SessionMoveForm(initial={"to_status": to}, auto_id=f"move-{to}-%s"),
            }
            for to, move in services.session_moves_for(user, session)
        ],
    }
    if not manage:
        return context
    held = session.status == TrainingSession.Status.HELD
    if held:
        context["attendance_form"] = AttendanceForm(
            data if which == "attendance" else None, invitations=invitations
        )
        context["scores_form"] = ScoresForm(
            data if which == "scores" else None,
            invitations=invitations,
            initial={
                "kind": assessment.kind if assessment else Assessment.Kind.COURSE,
                "pass_mark": (
                    assessment.pass_mark if assessment and assessment.pass_mark is not None else ""
                ),
            },
        )
    if session.status != TrainingSession.Status.CANCELLED:
        invited = [i.employee_id for i in invitations]
        context["invite_form"] = InviteForm(
            data if which == "invite" else None,
            candidates=access.trainees_for(user)
            .filter(leave_date__isnull=True)
            .exclude(pk__in=invited)
            .order_by("employee_no"),
        )
    return context


def _session_page(request, session: TrainingSession, *, data=None, which="", status=200):
    invitations = selectors.session_rows(request.user, session)
    plan_visible = (
        session.plan_id is not None
        and access.plans_visible_to(request.user).filter(pk=session.plan_id).exists()
    )
    context = {
        "session": session,
        "plan_visible": plan_visible,
        "invitations": invitations,
        "today": timezone.localdate(),
        **_session_forms(request, session, invitations, data=data, which=which),
    }
    return _render(request, "training/session_detail.html", context, status=status)


@login_required
def session_detail(request, pk):
    session = access.access_session(request.user, pk)
    return _session_page(request, session)


def _managed_session(request, pk) -> TrainingSession:
    _require(request.method == "POST")
    session = access.access_session(request.user, pk)
    _require(access.session_may_manage(request.user, session))
    return session


@login_required
def session_move(request, pk):
    session = _managed_session(request, pk)
    form = SessionMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the session."))
        return redirect("training-session", pk=session.pk)
    to_status = form.cleaned_data["to_status"]
    before = session.status

    def move():
        services.session_transition(
            actor=request.user, session=session, to_status=to_status, note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("The session moved from “%(from)s” to “%(to)s”.")
            % {"from": services.status_label(before), "to": services.status_label(to_status)},
        )

    _apply(request, move)
    return redirect("training-session", pk=session.pk)


@login_required
def session_attendance(request, pk):
    session = _managed_session(request, pk)
    invitations = selectors.session_rows(request.user, session)
    form = AttendanceForm(request.POST, invitations=invitations)
    if not form.is_valid():
        messages.error(request, _("Choose attended, absent or excused for each trainee."))
        return _session_page(request, session, data=request.POST, which="attendance", status=400)
    result = {}

    def record():
        result["changed"] = services.session_attendance_record(
            actor=request.user, session=session, attendance=form.attendance()
        )

    if _apply(request, record):
        messages.success(
            request, _("Attendance saved: %(count)s changed.") % {"count": result["changed"]}
        )
    return redirect("training-session", pk=session.pk)


@login_required
def session_scores(request, pk):
    session = _managed_session(request, pk)
    invitations = selectors.session_rows(request.user, session)
    form = ScoresForm(request.POST, invitations=invitations)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                for error in errors:
                    messages.error(request, error)
        return _session_page(request, session, data=request.POST, which="scores", status=400)
    result = {}

    def record():
        result["changed"] = services.session_scores_record(
            actor=request.user,
            session=session,
            kind=form.cleaned_data["kind"],
            pass_mark=form.cleaned_data["pass_mark"],
            scores=[
                services.ScoreEntry(employee_id=pk, pre_score=pre, score=post)
                for pk, pre, post in form.entries()
            ],
        )

    if _apply(request, record):
        messages.success(
            request, _("Scores saved: %(count)s changed.") % {"count": result["changed"]}
        )
        return redirect("training-session", pk=session.pk)
    return _session_page(request, session, data=request.POST, which="scores", status=400)


@login_required
def session_invite(request, pk):
    session = _managed_session(request, pk)
    invitations = selectors.session_rows(request.user, session)
    candidates = access.trainees_for(request.user).exclude(
        pk__in=[i.employee_id for i in invitations]
    )
    form = InviteForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, _("Choose the people to invite."))
        return redirect("training-session", pk=session.pk)
    _apply(
        request,
        lambda: services.session_invite(
            actor=request.user, session=session, employees=list(form.cleaned_data["employees"])
        ),
    )
    return redirect("training-session", pk=session.pk)


def _default_period(request) -> dict:
    data = request.GET.copy()
    data.pop("page", None)
    if "period" not in data:
        data["period"] = timezone.localdate().strftime("%Y-%m")
    return data


@login_required
def session_list(request):
    user = request.user
    _require(access.can_manage_training(user))
    data = _default_period(request)
    form = SessionFilterForm(
        data,
        teams=access.teams_for(user).order_by("code"),
        reps=access.trainees_for(user).order_by("employee_no"),
    )
    context: dict = {"form": form, "query": data.urlencode()}
    if form.is_valid():
        period = form.cleaned_data["period"]
        sessions = selectors.session_list(
            user,
            selectors.SessionFilter(
                start=period.start if period else None,
                end=period.end if period else None,
                status=form.cleaned_data["status"],
                team=form.cleaned_data["team"],
                employee=form.cleaned_data["employee"],
            ),
        )
        counts = {"due": 0, "held": 0}
        for status in sessions.values_list("status", flat=True):
            counts["due"] += 1
            counts["held"] += status == TrainingSession.Status.HELD
        context["shown"] = True
        context["page"] = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
        context["counts"] = counts
        context["rate"] = _percent(
            Decimal(counts["held"]) / counts["due"] if counts["due"] else None
        )
    return _render(
        request, "training/session_list.html", context, status=200 if form.is_valid() else 400
    )


@login_required
def result_list(request):
    user = request.user
    _require(access.can_manage_training(user))
    data = _default_period(request)
    if not data.get("kind"):
        data["kind"] = Assessment.Kind.COURSE
    form = ResultFilterForm(
        data,
        teams=access.teams_for(user).order_by("code"),
        reps=access.trainees_for(user).order_by("employee_no"),
    )
    context: dict = {"form": form, "query": data.urlencode()}
    if form.is_valid():
        period = form.cleaned_data["period"] or period_of(timezone.localdate(), "month")
        kind = form.cleaned_data["kind"]
        results = selectors.result_list(
            user,
            kind=kind,
            start=period.start,
            end=period.end,
            team=form.cleaned_data["team"],
            employee=form.cleaned_data["employee"],
        )
        values = list(results.values_list("pre_score", "score"))
        total = sum(
            ((post - pre) if kind == Assessment.Kind.COURSE else post for pre, post in values),
            Decimal(0),
        )
        average = selectors.mean(total, len(values))
        context.update(
            {
                "shown": True,
                "kind": kind,
                "course": kind == Assessment.Kind.COURSE,
                "page": Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")),
                "average": _points(average, signed=kind == Assessment.Kind.COURSE),
                "total": _points(total),
                "count": len(values),
            }
        )
    return _render(
        request, "training/result_list.html", context, status=200 if form.is_valid() else 400
    )


# -- onboarding templates ----------------------------------------------------------------------


def _template_chosen(request) -> OnboardingTemplate | None:
    templates = OnboardingTemplate.objects.all()
    pk = request.GET.get("template") or request.POST.get("template")
    if pk:
        try:
            return templates.get(pk=pk)
        except (OnboardingTemplate.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    return templates.filter(is_active=True).first() or templates.first()


def _item_initial(template: OnboardingTemplate | None) -> list[dict]:
    if template is None:
        return []
    return [
        {
            "topic": i.topic,
            "title": i.title,
            "workday": i.workday,
            "start_time": i.start_time,
            "duration_minutes": i.duration_minutes,
        }
        for i in template.items.all()
    ]


@login_required
def template_edit(request):
    user = request.user
    _require(access.can_edit_templates(user))
    template = _template_chosen(request)
    if request.method == "POST":
        _require(template is not None)
        name_form = TemplateNameForm(request.POST)
        formset = TemplateItemFormSet(request.POST, prefix="items")
        if name_form.is_valid() and formset.is_valid():
            items = [
                services.ItemData(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
                for form in formset.forms
                if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            try:
                services.template_items_save(
                    actor=user, template=template, name=name_form.cleaned_data["name"], items=items
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                name_form.add_error(None, error)
            else:
                messages.success(request, _("The onboarding template was saved."))
                return redirect(f"{reverse('training-templates')}?template={template.pk}")
        status = 400
    else:
        name_form = TemplateNameForm(initial={"name": template.name if template else ""})
        formset = TemplateItemFormSet(initial=_item_initial(template), prefix="items")
        status = 200
    context = {
        "template": template,
        "templates": selectors.templates_all(),
        "name_form": name_form,
        "formset": formset,
        "new_form": TemplateNameForm(prefix="new"),
    }
    return _render(request, "training/templates.html", context, status=status)


@login_required
def template_create(request):
    user = request.user
    _require(request.method == "POST" and access.can_edit_templates(user))
    form = TemplateNameForm(request.POST, prefix="new")
    if not form.is_valid():
        messages.error(request, _("A template needs a name."))
        return redirect("training-templates")
    result = {}

    def create():
        result["template"] = services.template_create(
            actor=user,
            name=form.cleaned_data["name"],
            copy_from=OnboardingTemplate.objects.filter(is_active=True).first(),
        )

    if _apply(request, create):
        return redirect(f"{reverse('training-templates')}?template={result['template'].pk}")
    return redirect("training-templates")


@login_required
def template_activate(request, pk):
    user = request.user
    _require(request.method == "POST" and access.can_edit_templates(user))
    try:
        template = OnboardingTemplate.objects.get(pk=pk)
    except (OnboardingTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if _apply(request, lambda: services.template_activate(actor=user, template=template)):
        messages.success(
            request,
            _("New hires now get the template “%(name)s”.") % {"name": template.name},
        )
    return redirect(f"{reverse('training-templates')}?template={template.pk}")


# -- one employee's training -------------------------------------------------------------------


def _employee_page(request, employee, *, own: bool):
    data = selectors.employee_training(employee)
    for invitation in data.invitations:
        result = invitation.result
        invitation.improvement = (
            _points(result.improvement, signed=True) if result is not None else ""
        )
    today = timezone.localdate()
    upcoming = [
        i
        for i in data.invitations
        if i.session.status == TrainingSession.Status.PLANNED and i.session.date >= today
    ]
    context = {
        "employee": employee,
        "data": data,
        "upcoming": list(reversed(upcoming)),
        "past": [i for i in data.invitations if i.pk not in {u.pk for u in upcoming}],
        "own": own,
        "attendance_rate": _percent(Decimal(data.attended) / data.held if data.held else None),
        "today": today,
    }
    return _render(request, "training/employee.html", context)


@login_required
def my_training(request):
    _require(access.can_see_own_training(request.user))
    return _employee_page(request, org_access.user_employee(request.user), own=True)


@login_required
def employee_training(request, pk):
    employee = org_access.access_employee(request.user, pk)
    _require(access.may_see_employee_training(request.user, employee))
    own = org_access.user_employee(request.user) == employee
    return _employee_page(request, employee, own=own)


# -- the team overview -------------------------------------------------------------------------


def _kpi_cells(team: Team, period: Period) -> dict:
    scope = scope_for_teams([team])
    held, due = selectors.completion_counts(scope, period.start, period.end)
    effect_total, effect_count = selectors.effect_sums(scope, period.start, period.end)
    skill_total, skill_count = selectors.skill_sums(scope, period.start, period.end)
    rows = {"period": period.code, "team": team.pk}
    return {
        "period": period,
        "completion": _percent(Decimal(held) / due if due else None),
        "held": held,
        "due": due,
        "effect": _points(selectors.mean(effect_total, effect_count), signed=True),
        "effect_count": effect_count,
        "skill": _points(selectors.mean(skill_total, skill_count)),
        "skill_count": skill_count,
        "sessions_url": f"{reverse('training-sessions')}?{urlencode(rows)}",
        "effect_url": f"{reverse('training-results')}?{urlencode({**rows, 'kind': 'course'})}",
        "skill_url": f"{reverse('training-results')}?{urlencode({**rows, 'kind': 'skill'})}",
    }


@login_required
def team_overview(request):
    user = request.user
    _require(access.can_manage_training(user))
    teams = access.teams_for(user).order_by("code")
    form = OverviewForm(request.GET or None, teams=teams)
    team = form.cleaned_data["team"] if form.is_valid() else None
    if team is None:
        own = org_access.user_employee(user)
        team = (own and teams.filter(supervisor=own).first()) or teams.first()
    context: dict = {"form": form, "team": team}
    if team is not None:
        today = timezone.localdate()
        month, quarter = period_of(today, "month"), period_of(today, "quarter")
        reps = selectors.rep_table([team], quarter.start, quarter.end)
        context.update(
            {
                "cells": [
                    _kpi_cells(team, month),
                    _kpi_cells(team, quarter),
                    _kpi_cells(team, quarter.previous()),
                ],
                "quarter": quarter,
                "reps": [
                    {
                        "row": row,
                        "improvement": _points(row.improvement, signed=True),
                        "skill": _points(row.skill),
                    }
                    for row in reps
                ],
            }
        )
    return _render(request, "training/team_overview.html", context)
