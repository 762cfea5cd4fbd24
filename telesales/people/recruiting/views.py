"""The recruiting pages: openings with their pipeline, an opening, the candidates, a
candidate with their stages, rounds, scorecards, offer and hire, a round's scorecard, and
"My interviews". Every page reads through telesales.people.recruiting.access; anything out of
scope is a 404 and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.org import access as org_access
from telesales.people.recruiting import access, selectors, services
from telesales.people.recruiting.forms import (
    CandidateFilterForm,
    CandidateForm,
    CandidateMoveForm,
    DecisionForm,
    HireForm,
    OfferForm,
    OpeningFilterForm,
    OpeningForm,
    OpeningTransitionForm,
    RoundForm,
    ScorecardForm,
)
from telesales.people.recruiting.models import Candidate, Criterion, Opening, Stage
from telesales.people.recruiting.phones import phone_display, phone_mask
from telesales.people.recruiting.services.interviews import INTERVIEW_STAGES

PAGE_SIZE = 50


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _pipeline(row) -> list[tuple[str, int]]:
    """(stage label, candidates now at that stage), in the order of the stages."""
    return [(label, getattr(row, f"n_{stage}")) for stage, label in Stage.choices]


# -- openings ----------------------------------------------------------------------------------


@login_required
def opening_list(request):
    user = request.user
    _require(access.can_see_recruiting(user))
    data = request.GET.copy()
    data.pop("page", None)
    if not data.get("status"):
        data["status"] = selectors.ACTIVE
    form = OpeningFilterForm(data, teams=org_access.teams_visible_to(user).order_by("code"))
    criteria = form.criteria() if form.is_valid() else selectors.OpeningFilter()
    page = Paginator(selectors.opening_list(user, criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for opening in page:
        opening.pipeline = _pipeline(opening)
    context = {
        "form": form,
        "page": page,
        "query": data.urlencode(),
        "stages": Stage.choices,
        "can_propose": access.can_propose_openings(user),
    }
    return render(request, "recruiting/opening_list.html", context)


@login_required
def opening_new(request):
    user = request.user
    _require(access.can_see_recruiting(user) and access.can_propose_openings(user))
    teams = access.teams_for_openings(user).filter(is_active=True).order_by("code")
    form = OpeningForm(
        request.POST or None,
        teams=teams,
        managers=selectors.hiring_managers(),
        owners=selectors.opening_owners(),
        initial={"opened_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opening = services.opening_create(
                actor=user,
                team=data["team"],
                position=data["position"],
                role=data["role"],
                headcount=data["headcount"],
                opened_on=data["opened_on"],
                wanted_by=data["wanted_by"],
                hiring_manager=data["hiring_manager"],
                owner=data["owner"],
                notes=data["notes"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The opening %(opening)s was created.") % {"opening": str(opening)},
            )
            return redirect("opening-detail", pk=opening.pk)
    status = 400 if form.errors else 200
    return render(request, "recruiting/opening_form.html", {"form": form}, status=status)


@login_required
def opening_detail(request, pk):
    user = request.user
    opening = access.access_opening(user, pk)
    counts = selectors.opening_counts(opening)
    hires = counts["n_hired"]
    manage = access.can_manage(user)
    candidates = list(selectors.candidate_list(user, selectors.CandidateFilter(opening=opening)))
    full_phone = manage
    for candidate in candidates:
        candidate.phone_shown = (
            phone_display(candidate.phone) if full_phone else phone_mask(candidate.phone)
        )
    moves = [
        {
            "to": to_status,
            "label": move.label,
            "form": OpeningTransitionForm(
                initial={"to_status": to_status}, auto_id=f"move-{to_status}-%s"
            ),
        }
        for to_status, move in services.opening_moves_for(user, opening, hires=hires)
    ]
    context = {
        "opening": opening,
        "counts": counts,
        "pipeline": [(label, counts[f"n_{stage}"]) for stage, label in Stage.choices],
        "funnel": selectors.opening_funnel(opening),
        "hires": hires,
        "candidates": candidates,
        "moves": moves,
        "manage": manage,
        "can_add": manage and opening.status == Opening.Status.OPEN,
    }
    return render(request, "recruiting/opening_detail.html", context)


@login_required
def opening_edit(request, pk):
    user = request.user
    opening = access.access_opening(user, pk)
    _require(access.can_manage(user))
    initial = {
        "position": opening.position,
        "role": opening.role,
        "headcount": opening.headcount,
        "wanted_by": opening.wanted_by,
        "hiring_manager": opening.hiring_manager_id,
        "owner": opening.owner_id,
        "notes": opening.notes,
    }
    form = OpeningForm(
        request.POST or None,
        teams=org_access.teams_visible_to(user),
        managers=selectors.hiring_managers(),
        owners=selectors.opening_owners(),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.opening_update(
                actor=user,
                opening=opening,
                position=data["position"],
                role=data["role"],
                headcount=data["headcount"],
                wanted_by=data["wanted_by"],
                hiring_manager=data["hiring_manager"] or opening.team.supervisor,
                owner=data["owner"],
                notes=data["notes"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The opening was saved."))
            return redirect("opening-detail", pk=opening.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "opening": opening}
    return render(request, "recruiting/opening_form.html", context, status=status)


@login_required
@require_POST
def opening_move(request, pk):
    user = request.user
    opening = access.access_opening(user, pk)
    _require(access.can_manage(user))
    form = OpeningTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the opening."))
        return redirect("opening-detail", pk=opening.pk)
    before = opening.get_status_display()
    try:
        opening = services.opening_transition(
            actor=user,
            opening=opening,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("The opening moved from “%(from)s” to “%(to)s”.")
            % {"from": before, "to": opening.get_status_display()},
        )
    return redirect("opening-detail", pk=opening.pk)


# -- candidates --------------------------------------------------------------------------------


@login_required
def candidate_list(request):
    user = request.user
    _require(access.can_see_recruiting(user))
    data = request.GET.copy()
    data.pop("page", None)
    form = CandidateFilterForm(
        data,
        openings=access.openings_visible_to(user).select_related("team").order_by("-opened_on"),
        teams=org_access.teams_visible_to(user).order_by("code"),
    )
    criteria = form.criteria() if form.is_valid() else selectors.CandidateFilter()
    page = Paginator(selectors.candidate_list(user, criteria), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    full_phone = access.can_manage(user)
    for candidate in page:
        candidate.phone_shown = (
            phone_display(candidate.phone) if full_phone else phone_mask(candidate.phone)
        )
    context = {"form": form, "page": page, "query": data.urlencode()}
    return render(request, "recruiting/candidate_list.html", context)


@login_required
def candidate_new(request, pk):
    user = request.user
    opening = access.access_opening(user, pk)
    _require(access.can_manage(user))
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = services.candidate_add(
                actor=user,
                opening=opening,
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                source=data["source"],
                cv_notes=data["cv_notes"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s was added as a candidate.") % {"name": candidate.name}
            )
            _warn_earlier(request, candidate)
            return redirect("candidate-detail", pk=candidate.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "opening": opening}
    return render(request, "recruiting/candidate_form.html", context, status=status)


def _warn_earlier(request, candidate: Candidate) -> None:
    for earlier in services.candidate_earlier_applications(candidate)[:3]:
        messages.warning(
            request,
            _(
                "The same phone number applied before as %(name)s for %(opening)s "
                "(%(stage)s, %(date)s)."
            )
            % {
                "name": earlier.name,
                "opening": str(earlier.opening),
                "stage": earlier.get_stage_display(),
                "date": timezone.localtime(earlier.applied_at).date().isoformat(),
            },
        )


@login_required
def candidate_edit(request, pk):
    user = request.user
    candidate = access.access_candidate(user, pk)
    _require(access.candidate_rights(user, candidate).manage)
    initial = {
        "name": candidate.name,
        "phone": phone_display(candidate.phone),
        "email": candidate.email,
        "source": candidate.source,
        "cv_notes": candidate.cv_notes,
    }
    form = CandidateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.candidate_update(actor=user, candidate=candidate, **data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The candidate was saved."))
            return redirect("candidate-detail", pk=candidate.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "opening": candidate.opening, "candidate": candidate}
    return render(request, "recruiting/candidate_form.html", context, status=status)


def _detail_context(request, candidate: Candidate, **forms) -> dict:
    user = request.user
    rights = access.candidate_rights(user, candidate)
    rounds = selectors.candidate_rounds(user, candidate)
    me = org_access.scope_for(user).employee
    now = timezone.now()
    for interview in rounds:
        interview.may_score = (
            interview.card is None
            and interview.scheduled_at <= now
            and access.can_score(user, interview)
        )
        interview.mine = me is not None and interview.interviewer_id == me.pk
    scored = [interview for interview in rounds if interview.card is not None]
    means = {
        row["criterion"]: row["mean"]
        for row in (selectors.criterion_means(candidate) if rights.see_all_rounds else [])
    }
    matrix = [
        {
            "label": label,
            "scores": [interview.scores.get(criterion) for interview in scored],
            "mean": means.get(criterion),
        }
        for criterion, label in Criterion.choices
    ]
    context = {
        "candidate": candidate,
        "opening": candidate.opening,
        "rights": rights,
        "phone": phone_display(candidate.phone)
        if rights.full_phone
        else phone_mask(candidate.phone),
        "history": list(selectors.candidate_history(candidate)),
        "rounds": rounds,
        "scored": scored,
        "matrix": matrix,
        "recommendations": selectors.recommendation_counts(rounds) if rights.see_all_rounds else [],
        "now": now,
        "employee_link": False,
    }
    if candidate.employee_id is not None:
        context["employee_link"] = (
            org_access.employees_visible_to(user).filter(pk=candidate.employee_id).exists()
        )
    if not rights.manage:
        return context
    context["earlier"] = list(services.candidate_earlier_applications(candidate)[:5])
    context["moves"] = [
        {
            "to": to_stage,
            "label": move.label,
            "needs_reason": move.needs_reason,
            "form": CandidateMoveForm(
                initial={"to_stage": to_stage}, auto_id=f"move-{to_stage}-%s"
            ),
        }
        for to_stage, move in services.candidate_moves_for(user, candidate)
    ]
    if candidate.stage in INTERVIEW_STAGES:
        context["round_form"] = forms.get("round_form") or RoundForm(
            interviewers=selectors.interviewers()
        )
    if candidate.stage == Stage.INTERVIEW:
        context["offer_form"] = forms.get("offer_form") or OfferForm()
    if candidate.stage == Stage.OFFER and not candidate.decision:
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
    if candidate.stage == Stage.OFFER and candidate.decision == Candidate.Decision.ACCEPTED:
        context["hire_form"] = forms.get("hire_form") or HireForm(
            initial={
                "employee_no": selectors.next_employee_no(),
                "hire_date": candidate.offer_start_date,
                "name": candidate.name,
                "email": candidate.email,
            }
        )
    return context


@login_required
def candidate_detail(request, pk):
    candidate = access.access_candidate(request.user, pk)
    return render(request, "recruiting/candidate_detail.html", _detail_context(request, candidate))


def _manage(request, pk) -> Candidate:
    """The candidate, when the user may run their application; 404 otherwise."""
    candidate = access.access_candidate(request.user, pk)
    _require(access.candidate_rights(request.user, candidate).manage)
    return candidate


def _refused(request, candidate: Candidate, error: ValidationError, **forms):
    """The candidate page again with the refused form filled in and the reason on top."""
    _errors(request, error)
    context = _detail_context(request, candidate, **forms)
    return render(request, "recruiting/candidate_detail.html", context, status=400)


@login_required
@require_POST
def candidate_move(request, pk):
    user = request.user
    candidate = _manage(request, pk)
    form = CandidateMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the candidate's next stage."))
        return redirect("candidate-detail", pk=candidate.pk)
    before = candidate.get_stage_display()
    try:
        candidate = services.candidate_transition(
            actor=user,
            candidate=candidate,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("%(name)s moved from “%(from)s” to “%(to)s”.")
            % {"name": candidate.name, "from": before, "to": candidate.get_stage_display()},
        )
    return redirect("candidate-detail", pk=candidate.pk)


@login_required
@require_POST
def candidate_round(request, pk):
    user = request.user
    candidate = _manage(request, pk)
    form = RoundForm(request.POST, interviewers=selectors.interviewers())
    if not form.is_valid():
        return _refused(
            request,
            candidate,
            ValidationError(_("The round was not scheduled; check the form.")),
            round_form=form,
        )
    try:
        interview = services.round_schedule(actor=user, candidate=candidate, **form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, candidate, error, round_form=form)
    messages.success(
        request,
        _("Round %(number)s with %(name)s was scheduled.")
        % {"number": interview.number, "name": interview.interviewer.name},
    )
    return redirect("candidate-detail", pk=candidate.pk)


@login_required
@require_POST
def candidate_offer(request, pk):
    user = request.user
    candidate = _manage(request, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            candidate,
            ValidationError(_("The offer was not recorded; check the form.")),
            offer_form=form,
        )
    try:
        services.candidate_offer(
            actor=user,
            candidate=candidate,
            start_date=form.cleaned_data["start_date"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, candidate, error, offer_form=form)
    messages.success(request, _("The offer was recorded."))
    return redirect("candidate-detail", pk=candidate.pk)


@login_required
@require_POST
def candidate_decide(request, pk):
    user = request.user
    candidate = _manage(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            candidate,
            ValidationError(_("Choose the candidate's answer.")),
            decision_form=form,
        )
    try:
        services.candidate_decide(
            actor=user,
            candidate=candidate,
            accepted=form.cleaned_data["answer"] == DecisionForm.ACCEPT,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, candidate, error, decision_form=form)
    messages.success(request, _("The candidate's answer was recorded."))
    return redirect("candidate-detail", pk=candidate.pk)


@login_required
@require_POST
def candidate_hire(request, pk):
    user = request.user
    candidate = _manage(request, pk)
    form = HireForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            candidate,
            ValidationError(_("The candidate was not hired; check the form.")),
            hire_form=form,
        )
    data = form.cleaned_data
    try:
        employee = services.candidate_hire(
            actor=user,
            candidate=candidate,
            employee_no=data["employee_no"],
            hire_date=data["hire_date"],
            name=data["name"],
            email=data["email"],
            pay_grade=data["pay_grade"],
            base_bonus=data["base_bonus"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, candidate, error, hire_form=form)
    messages.success(
        request,
        _("%(name)s is now employee %(number)s of team %(team)s.")
        % {"name": employee.name, "number": employee.employee_no, "team": employee.team.code},
    )
    return redirect("candidate-detail", pk=candidate.pk)


# -- interviews --------------------------------------------------------------------------------


@login_required
def round_scorecard(request, pk):
    user = request.user
    interview = access.access_round(user, pk)
    scorecard = getattr(interview, "scorecard", None)
    if scorecard is None:
        _require(access.can_score(user, interview))
    form = None
    if scorecard is None:
        form = ScorecardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.scorecard_submit(
                    actor=user,
                    interview=interview,
                    ratings=form.ratings(),
                    recommendation=form.cleaned_data["recommendation"],
                    notes=form.cleaned_data["notes"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The scorecard of round %(number)s was submitted.")
                    % {"number": interview.number},
                )
                return redirect("candidate-detail", pk=interview.candidate_id)
    elif request.method == "POST":
        messages.error(
            request,
            _("The scorecard of round %(number)s was submitted already; it is not changed.")
            % {"number": interview.number},
        )
        return redirect("round-scorecard", pk=interview.pk)
    scores = {}
    if scorecard is not None:
        scores = {r.criterion: r for r in scorecard.ratings.all()}
    context = {
        "interview": interview,
        "candidate": interview.candidate,
        "form": form,
        "scorecard": scorecard,
        "upcoming": interview.scheduled_at > timezone.now(),
        "ratings": [
            {"label": label, "score": scores[c].score if c in scores else None}
            for c, label in Criterion.choices
        ],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "recruiting/scorecard.html", context, status=status)


@login_required
def my_interviews(request):
    user = request.user
    _require(access.can_see_my_interviews(user))
    page = Paginator(selectors.my_interviews(user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for interview in page:
        interview.upcoming = interview.scheduled_at > now
    return render(request, "recruiting/my_interviews.html", {"page": page})
