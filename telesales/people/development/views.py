"""The development pages: my development, a person's development, the team list, a plan with
its goals and progress, mentors, rotations and the successor bench. Objects are fetched only
through the access_* functions; anything out of scope is a 404 that changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from telesales.org import access as org_access
from telesales.people.development import access, selectors, services
from telesales.people.development.forms import (
    BenchFilterForm,
    CommentForm,
    GoalEditForm,
    GoalForm,
    MentorshipEndForm,
    MentorshipForm,
    NominationForm,
    PlanForm,
    PlanTransitionForm,
    ProgressForm,
    ReassessForm,
    RotationForm,
    TeamFilterForm,
    WithdrawForm,
)
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    Nomination,
)

PAGE_SIZE = 50
DEFAULT_LENGTH = dt.timedelta(days=182)  # a new plan runs about six months unless changed
Status = DevelopmentPlan.Status


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _today():
    return timezone.localdate()


def percent(value: Decimal | None) -> str:
    """A progress as the pages show it: one decimal, half up; “—” when there is none."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, 1)}%"


def tenure_text(months: int) -> str:
    years, rest = divmod(months, 12)
    year_text = ngettext("%(count)s year", "%(count)s years", years) % {"count": years}
    month_text = ngettext("%(count)s month", "%(count)s months", rest) % {"count": rest}
    if not years:
        return month_text
    if not rest:
        return year_text
    return _("%(years)s %(months)s") % {"years": year_text, "months": month_text}


def _render(request, template: str, context: dict, status: int = 200):
    """Render a development page with the links of the pages the user may open."""
    user = request.user
    context["nav"] = {
        "team": access.can_manage_any(user),
        "bench": access.can_see_bench(user),
    }
    return render(request, template, context, status=status)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# -- a person's development --------------------------------------------------------------------


def _person_context(request, employee) -> dict:
    user = request.user
    today = _today()
    development = selectors.person_development(user, employee, today=today)
    for plan in development.plans:
        plan.progress_text = percent(plan.progress)
    context = {
        "person": employee,
        "development": development,
        "own": employee.pk == getattr(org_access.user_employee(user), "pk", None),
        "manage": access.can_manage_employee(user, employee),
        "today": today,
    }
    if development.current is not None:
        context.update(_plan_view_context(development.current, today=today))
    return context


def _plan_view_context(view: selectors.PlanView, *, today) -> dict:
    return {
        "view": view,
        "progress_text": percent(view.progress),
        "chart": selectors.progress_chart(
            view, today=today, mean_label=_("Plan (mean of goals)"), y_title=_("Progress (%)")
        ),
    }


@login_required
def my_development(request):
    employee = org_access.user_employee(request.user)
    _require(access.can_see_development(request.user) and employee is not None)
    return _render(request, "development/person.html", _person_context(request, employee))


@login_required
def person_development(request, pk):
    employee = access.access_person(request.user, pk)
    return _render(request, "development/person.html", _person_context(request, employee))


# -- the team list -----------------------------------------------------------------------------


@login_required
def team_list(request):
    user = request.user
    _require(selectors.can_see_team_list(user))
    today = _today()
    form = TeamFilterForm(request.GET or None, teams=selectors.bench_teams(user))
    team = form.cleaned_data["team"] if form.is_bound and form.is_valid() else None
    people = selectors.team_people(user, team=team, today=today)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.team_rows(page.object_list, today=today)
    for row in rows:
        row.progress_text = percent(row.summary.progress) if row.summary else "—"
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "today": today,
    }
    if request.htmx:
        return _render(request, "development/team.html#table", context)
    return _render(request, "development/team.html", context, status=400 if form.errors else 200)


# -- plans -------------------------------------------------------------------------------------


@login_required
def plan_new(request):
    user = request.user
    _require(access.can_manage_any(user))
    people = access.manageable_employees(user).order_by("employee_no")
    initial = {}
    if request.method == "GET" and request.GET.get("employee"):
        chosen = access.access_manageable_employee(user, request.GET["employee"])
        today = _today()
        initial = {"employee": chosen.pk, "start": today, "end": today + DEFAULT_LENGTH}
    form = PlanForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=user,
                employee=data["employee"],
                title=data["title"],
                start=data["start"],
                end=data["end"],
                summary=data["summary"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The plan “%(title)s” for %(name)s was created as a draft; add its goals.")
                % {"title": plan.title, "name": plan.employee.name},
            )
            return redirect("development-plan", pk=plan.pk)
    return _render(
        request,
        "development/plan_form.html",
        {"form": form, "plan": None},
        status=400 if form.errors else 200,
    )


@login_required
def plan_edit(request, pk):
    plan = access.access_plan(request.user, pk)
    _require(access.plan_rights(request.user, plan).manage)
    initial = {"title": plan.title, "start": plan.start, "end": plan.end, "summary": plan.summary}
    form = PlanForm(request.POST or None, initial=initial, fixed_employee=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                title=data["title"],
                start=data["start"],
                end=data["end"],
                summary=data["summary"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("development-plan", pk=plan.pk)
    return _render(
        request,
        "development/plan_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


def _plan_detail(request, plan: DevelopmentPlan, *, status: int = 200, **forms):
    user = request.user
    today = _today()
    rights = access.plan_rights(user, plan)
    view = selectors.plan_view(plan, today=today)
    progress_forms = forms.pop("progress_forms", {})
    can_progress = rights.progress and plan.status == Status.ACTIVE
    for goal in view.goals:
        goal.progress_form = None
        if can_progress and goal.status != DevelopmentGoal.Status.DROPPED:
            goal.progress_form = progress_forms.get(goal.pk) or ProgressForm(
                initial={"progress": goal.progress}, auto_id=f"id_goal{goal.pk}_%s"
            )
    moves = [
        {
            "to": to_status,
            "label": move.label,
            "form": PlanTransitionForm(initial={"to_status": to_status}),
        }
        for to_status, move in services.plan_moves_for(user, plan)
    ]
    editable = rights.manage and plan.status in {Status.DRAFT, Status.ACTIVE}
    context = {
        "plan": plan,
        "rights": rights,
        "editable": editable,
        "moves": moves,
        "comments": plan.comments.select_related("author__employee"),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "goal_form": (forms.get("goal_form") or GoalForm()) if editable else None,
        "mentor_view": not (rights.manage or rights.progress),
        **_plan_view_context(view, today=today),
    }
    return _render(request, "development/plan_detail.html", context, status=status)


@login_required
def plan_detail(request, pk):
    plan = access.access_plan(request.user, pk)
    return _plan_detail(request, plan)


@login_required
@require_POST
def plan_move(request, pk):
    plan = access.access_plan(request.user, pk)
    _require(access.plan_rights(request.user, plan).manage)
    form = PlanTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the plan."))
        return _plan_detail(request, plan, status=400)
    to_status = form.cleaned_data["to_status"]
    before = plan.status
    try:
        services.plan_transition(actor=request.user, plan=plan, to_status=to_status)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _errors(request, error)
        return _plan_detail(request, plan, status=400)
    messages.success(
        request,
        _("The plan moved from “%(from)s” to “%(to)s”.")
        % {"from": Status(before).label, "to": Status(to_status).label},
    )
    return redirect("development-plan", pk=plan.pk)


@login_required
@require_POST
def plan_comment(request, pk):
    plan = access.access_plan(request.user, pk)
    _require(access.plan_rights(request.user, plan).comment)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.plan_comment_add(actor=request.user, plan=plan, body=form.cleaned_data["body"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("development-plan", pk=plan.pk)
    return _plan_detail(request, plan, status=400, comment_form=form)


@login_required
@require_POST
def goal_new(request, pk):
    plan = access.access_plan(request.user, pk)
    _require(access.plan_rights(request.user, plan).manage)
    form = GoalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_add(
                actor=request.user,
                plan=plan,
                title=data["title"],
                measure=data["measure"],
                due_on=data["due_on"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal was added."))
            return redirect("development-plan", pk=plan.pk)
    return _plan_detail(request, plan, status=400, goal_form=form)


@login_required
def goal_edit(request, pk):
    goal = access.access_goal(request.user, pk)
    plan = goal.plan
    _require(access.plan_rights(request.user, plan).manage)
    initial = {
        "title": goal.title,
        "measure": goal.measure,
        "due_on": goal.due_on,
        "dropped": goal.status == DevelopmentGoal.Status.DROPPED,
    }
    form = GoalEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_update(
                actor=request.user,
                goal=goal,
                title=data["title"],
                measure=data["measure"],
                due_on=data["due_on"],
                dropped=data["dropped"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal was saved."))
            return redirect("development-plan", pk=plan.pk)
    return _render(
        request,
        "development/goal_form.html",
        {"form": form, "goal": goal, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def goal_progress(request, pk):
    goal = access.access_goal(request.user, pk)
    plan = goal.plan
    _require(access.plan_rights(request.user, plan).progress)
    form = ProgressForm(request.POST, auto_id=f"id_goal{goal.pk}_%s")
    if form.is_valid():
        try:
            services.goal_progress_update(
                actor=request.user,
                goal=goal,
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Progress of “%(goal)s” recorded: %(progress)s%%.")
                % {"goal": goal.title, "progress": form.cleaned_data["progress"]},
            )
            return redirect("development-plan", pk=plan.pk)
    if plan.status != Status.ACTIVE or goal.status == DevelopmentGoal.Status.DROPPED:
        # The page shows no progress form for this goal: the refusal comes as a message.
        for message in [*form.non_field_errors(), *form.errors.get("progress", [])]:
            messages.error(request, message)
    return _plan_detail(request, plan, status=400, progress_forms={goal.pk: form})


# -- mentors -----------------------------------------------------------------------------------


def _mentor_form(user, data=None) -> MentorshipForm | None:
    if not access.can_manage_any(user):
        return None
    return MentorshipForm(
        data,
        mentees=access.manageable_employees(user).order_by("employee_no"),
        mentors=access.mentor_candidates(user).order_by("employee_no"),
        initial={"start": _today()},
    )


def _mentor_list(request, *, form=None, status=200):
    user = request.user
    _require(access.can_see_mentors(user))
    today = _today()
    show_ended = request.GET.get("show") == "all"
    rows = (
        access.mentorships_visible_to(user)
        .select_related("mentor__team", "mentee__team")
        .order_by("-start", "-id")
    )
    if not show_ended:
        rows = rows.filter(Q(end__isnull=True) | Q(end__gte=today))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.active = row.is_active_on(today)
        row.can_end = access.can_manage_employee(user, row.mentee) and (
            row.end is None or row.end > today
        )
        row.end_form = (
            MentorshipEndForm(initial={"end": today}, auto_id=f"id_m{row.pk}_%s")
            if row.can_end
            else None
        )
    context = {
        "page": page,
        "show_ended": show_ended,
        "form": form if form is not None else _mentor_form(user),
        "today": today,
    }
    return _render(request, "development/mentors.html", context, status=status)


@login_required
def mentor_list(request):
    user = request.user
    if request.method != "POST":
        return _mentor_list(request)
    form = _mentor_form(user, request.POST)
    _require(form is not None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            mentorship = services.mentorship_start(
                actor=user,
                mentor=data["mentor"],
                mentee=data["mentee"],
                start=data["start"],
                end=data["end"],
                purpose=data["purpose"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(mentor)s now mentors %(mentee)s.")
                % {"mentor": mentorship.mentor.name, "mentee": mentorship.mentee.name},
            )
            return redirect("development-mentors")
    return _mentor_list(request, form=form, status=400)


@login_required
@require_POST
def mentor_end(request, pk):
    mentorship = access.access_mentorship(request.user, pk)
    _require(access.can_manage_employee(request.user, mentorship.mentee))
    form = MentorshipEndForm(request.POST)
    if form.is_valid():
        try:
            services.mentorship_end(
                actor=request.user,
                mentorship=mentorship,
                end=form.cleaned_data["end"],
                note=form.cleaned_data["note"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request,
                _("The mentorship of %(mentee)s by %(mentor)s ends on %(end)s.")
                % {
                    "mentee": mentorship.mentee.name,
                    "mentor": mentorship.mentor.name,
                    "end": form.cleaned_data["end"].isoformat(),
                },
            )
            return redirect("development-mentors")
    else:
        messages.error(request, _("Enter the last day of the mentorship."))
    return _mentor_list(request, status=400)


# -- rotations ---------------------------------------------------------------------------------


def _rotation_form(user, data=None) -> RotationForm | None:
    if not access.can_manage_any(user):
        return None
    return RotationForm(
        data,
        people=access.manageable_employees(user).order_by("employee_no"),
        initial={"start": _today()},
    )


def _rotation_list(request, *, form=None, status=200):
    user = request.user
    _require(access.can_see_mentors(user))
    rows = access.rotations_visible_to(user).select_related(
        "employee__team", "to_team", "to_department"
    )
    page = Paginator(rows.order_by("-start", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.can_edit = access.can_manage_employee(user, row.employee)
    context = {
        "page": page,
        "form": form if form is not None else _rotation_form(user),
        "today": _today(),
    }
    return _render(request, "development/rotations.html", context, status=status)


def _rotation_fields(data) -> dict:
    return {
        "to_team": data["to_team"],
        "to_department": data["to_department"],
        "to_position": data["to_position"],
        "start": data["start"],
        "end": data["end"],
        "purpose": data["purpose"],
        "outcome": data["outcome"],
    }


@login_required
def rotation_list(request):
    user = request.user
    if request.method != "POST":
        return _rotation_list(request)
    form = _rotation_form(user, request.POST)
    _require(form is not None)
    if form.is_valid():
        try:
            rotation = services.rotation_record(
                actor=user,
                employee=form.cleaned_data["employee"],
                **_rotation_fields(form.cleaned_data),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The rotation of %(name)s was recorded.") % {"name": rotation.employee.name},
            )
            return redirect("development-rotations")
    return _rotation_list(request, form=form, status=400)


@login_required
def rotation_edit(request, pk):
    rotation = access.access_rotation(request.user, pk)
    _require(access.can_manage_employee(request.user, rotation.employee))
    initial = {
        "to_team": rotation.to_team_id,
        "to_department": rotation.to_department_id,
        "to_position": rotation.to_position,
        "start": rotation.start,
        "end": rotation.end,
        "purpose": rotation.purpose,
        "outcome": rotation.outcome,
    }
    form = RotationForm(request.POST or None, initial=initial, fixed_employee=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.rotation_update(
                actor=request.user, rotation=rotation, **_rotation_fields(form.cleaned_data)
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rotation was saved."))
            return redirect("development-rotations")
    return _render(
        request,
        "development/rotation_form.html",
        {"form": form, "rotation": rotation},
        status=400 if form.errors else 200,
    )


# -- the successor bench -----------------------------------------------------------------------


@login_required
def bench(request):
    user = request.user
    _require(access.can_see_bench(user))
    today = _today()
    form = BenchFilterForm(request.GET or None, teams=selectors.bench_teams(user))
    team, readiness = None, ""
    if form.is_bound and form.is_valid():
        team, readiness = form.cleaned_data["team"], form.cleaned_data["readiness"]
    nominations = selectors.bench_nominations(user, team=team, readiness=readiness, today=today)
    rows = selectors.bench_rows(nominations, today=today)
    for row in rows:
        row.tenure_text = tenure_text(row.tenure_months)
        row.progress_text = percent(row.progress)
    coverage = selectors.bench_coverage(user, team=team, today=today)
    context = {
        "form": form,
        "rows": rows,
        "coverage": coverage,
        "uncovered": [str(c.team) for c in coverage if c.uncovered],
        "can_nominate": access.nominable_employees(user).exists(),
        "today": today,
    }
    if request.htmx:
        return _render(request, "development/bench.html#table", context)
    return _render(request, "development/bench.html", context, status=400 if form.errors else 200)


@login_required
def nomination_new(request):
    user = request.user
    _require(access.can_see_bench(user))
    people = access.nominable_employees(user).order_by("employee_no")
    _require(people.exists())
    initial = {"assessed_on": _today()}
    if request.GET.get("employee"):
        initial["employee"] = request.GET["employee"]
    form = NominationForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_create(
                actor=user,
                employee=data["employee"],
                target_role=data["target_role"],
                readiness=data["readiness"],
                strengths=data["strengths"],
                gaps=data["gaps"],
                assessed_on=data["assessed_on"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is on the successor bench.") % {"name": nomination.employee.name},
            )
            return redirect("development-nomination", pk=nomination.pk)
    return _render(
        request,
        "development/nomination_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _nomination_detail(
    request, nomination: Nomination, *, form=None, withdraw_form=None, status=200
):
    user = request.user
    manage = access.can_nominate(user, nomination.employee)
    active = nomination.status == Nomination.Status.ACTIVE
    context = {
        "nomination": nomination,
        "assessments": nomination.assessments.select_related("assessed_by").order_by(
            "-assessed_on", "-id"
        ),
        "manage": manage and active,
        "form": form
        or ReassessForm(
            initial={
                "readiness": nomination.readiness,
                "strengths": nomination.strengths,
                "gaps": nomination.gaps,
                "assessed_on": _today(),
            }
        ),
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    return _render(request, "development/nomination_detail.html", context, status=status)


@login_required
def nomination_detail(request, pk):
    nomination = access.access_nomination(request.user, pk)
    if request.method != "POST":
        return _nomination_detail(request, nomination)
    _require(access.can_nominate(request.user, nomination.employee))
    form = ReassessForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_reassess(
                actor=request.user,
                nomination=nomination,
                readiness=data["readiness"],
                strengths=data["strengths"],
                gaps=data["gaps"],
                assessed_on=data["assessed_on"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The reassessment was recorded."))
            return redirect("development-nomination", pk=nomination.pk)
    return _nomination_detail(request, nomination, form=form, status=400)


@login_required
@require_POST
def nomination_withdraw(request, pk):
    nomination = access.access_nomination(request.user, pk)
    _require(access.can_nominate(request.user, nomination.employee))
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_withdraw(
                actor=request.user, nomination=nomination, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was taken off the successor bench.")
                % {"name": nomination.employee.name},
            )
            return redirect("development-bench")
    return _nomination_detail(request, nomination, withdraw_form=form, status=400)
