"""The call-monitoring and coaching pages: reviews and the review form, the weekly review
queue, calibration, scorecards, coaching sessions and the follow-up of their actions. Every
page fetches its objects through telesales.qa.access; anything out of scope is a 404 and
changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from telesales.calls.selectors import number_viewer
from telesales.crm.customers.phones import phone_normalise_or_none
from telesales.crm.customers.selectors import phone_viewer
from telesales.crm.models import Customer, Disposition
from telesales.org import access as org_access
from telesales.org.models import Employee, Role
from telesales.qa import access, selectors, services
from telesales.qa.forms import (
    AcknowledgeForm,
    ActionDoneForm,
    ActionFilterForm,
    ActionForm,
    CallLookupForm,
    CheckpointFormSet,
    CoachingSessionForm,
    QueueBuildForm,
    QueueFilterForm,
    ReviewFilterForm,
    ReviewForm,
    ScorecardForm,
    SessionFilterForm,
    VersionChoiceForm,
)
from telesales.qa.models import CoachingAction, CoachingSession, Review, ScorecardVersion

PAGE_SIZE = 50


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _run(request, action) -> bool:
    """Run a service: a missing right is a 404, a refusal a message; True when it ran."""
    try:
        action()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


def _query(request) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    return data.urlencode()


def _reps_for(user):
    return access.reviewable_people(user).filter(role=Role.REP).order_by("employee_no")


# -- the review list ---------------------------------------------------------------------------


@login_required
def review_list(request):
    user = request.user
    _require(access.can_see_reviews(user))
    is_rep = org_access.user_role(user) == Role.REP
    form = ReviewFilterForm(
        request.GET or None,
        teams=org_access.teams_visible_to(user).order_by("code"),
        reps=_reps_for(user),
    )
    criteria = form.criteria() if form.is_valid() else selectors.ReviewFilter()
    reviews = selectors.review_list(user, criteria)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = number_viewer(user)
    for review in page:
        review.number_shown = viewer.number(review.call)
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "counts": selectors.review_counts(reviews),
        "is_rep": is_rep,
        "is_reviewer": access.is_reviewer(user),
    }
    return render(request, "qa/review_list.html", context)


# -- reviewing a call --------------------------------------------------------------------------


def _call_context(user, call) -> dict:
    """The facts a reviewer listens against: time, rep, direction, the masked number, talk
    time, the recording (when the phone system gave one) and the recorded outcomes."""
    return {
        "call": call,
        "number_shown": number_viewer(user).number(call),
        "recording": getattr(call, "recording_url", "") or "",
        "outcomes": selectors.call_outcomes(call),
    }


def _review_page(request, *, call, version, review, calibrates, action_url, chooser=None):
    """The review form of a call for a version: GET shows it, POST saves a draft or submits."""
    user = request.user
    form = ReviewForm(request.POST or None, version=version, review=review)
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == ReviewForm.SUBMIT
        if form.is_valid():
            try:
                saved = services.review_save(
                    actor=user,
                    call=call,
                    version=version,
                    marks=form.marks(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                    calibrates=calibrates,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if submit:
                    text = (
                        _("Review submitted: %(score)s points, passed.")
                        if saved.passed
                        else _("Review submitted: %(score)s points, failed.")
                    )
                    messages.success(request, text % {"score": saved.score})
                    if calibrates is not None:
                        return redirect("qa-calibration-detail", pk=saved.pk)
                    return redirect("qa-review-detail", pk=saved.pk)
                messages.success(request, _("Draft saved."))
                return redirect(action_url)
        status = 400
    context = {
        **_call_context(user, call),
        "form": form,
        "version": version,
        "review": review,
        "calibrates": calibrates,
        "action_url": action_url,
        "chooser": chooser,
        "others": [r for r in selectors.call_reviews(call) if r.status == Review.Status.SUBMITTED],
    }
    return render(request, "qa/review_form.html", context, status=status)


@login_required
def review_call(request, pk):
    """Review a call in scope: continue the user's draft, or begin the regular review with a
    chosen scorecard; a call already reviewed by someone else is shown with that review."""
    user = request.user
    call = access.access_call_for_review(user, pk)
    employee = org_access.user_employee(user)
    mine = (
        Review.objects.filter(call=call, reviewer=employee)
        .select_related("version__scorecard", "calibrates")
        .first()
    )
    if mine is not None and mine.status == Review.Status.SUBMITTED:
        if mine.kind == Review.Kind.CALIBRATION:
            return redirect("qa-calibration-detail", pk=mine.pk)
        return redirect("qa-review-detail", pk=mine.pk)
    if mine is not None:
        return _review_page(
            request,
            call=call,
            version=mine.version,
            review=mine,
            calibrates=mine.calibrates,
            action_url=reverse("qa-review-call", args=[call.pk]),
        )
    regular = Review.objects.filter(call=call, kind=Review.Kind.REGULAR).first()
    if regular is not None:
        if regular.status == Review.Status.SUBMITTED:
            messages.info(request, _("This call is already reviewed; you can calibrate it."))
            return redirect("qa-review-detail", pk=regular.pk)
        messages.error(request, _("Another reviewer has begun a review of this call."))
        return redirect("qa-queue")
    versions = selectors.active_versions()
    _require(bool(versions))
    chooser = VersionChoiceForm(request.GET or None, versions=versions)
    version = chooser.cleaned_data["version"] if chooser.is_valid() else versions[0]
    return _review_page(
        request,
        call=call,
        version=version,
        review=None,
        calibrates=None,
        action_url=reverse("qa-review-call", args=[call.pk]) + f"?version={version.pk}",
        chooser=chooser if len(versions) > 1 else None,
    )


@login_required
def call_find(request):
    """Open the review of a call by the phone system's call id."""
    user = request.user
    _require(access.is_reviewer(user))
    form = CallLookupForm(request.GET or None)
    if form.is_valid():
        calls = list(
            access.calls_reviewable_by(user).filter(call_id=form.cleaned_data["call_id"].strip())[
                :2
            ]
        )
        if len(calls) == 1:
            return redirect("qa-review-call", pk=calls[0].pk)
        messages.error(
            request,
            _("No call of the people you review has the id %(id)s.")
            % {"id": form.cleaned_data["call_id"]}
            if not calls
            else _("Several calls have this id; open the call from the queue."),
        )
    return redirect("qa-queue")


@login_required
def review_detail(request, pk):
    user = request.user
    review = access.access_review(user, pk)
    if review.status == Review.Status.DRAFT:
        return redirect("qa-review-call", pk=review.call_id)
    if review.kind == Review.Kind.CALIBRATION:
        return redirect("qa-calibration-detail", pk=review.pk)
    calibrations = []
    if access.is_reviewer(user):
        calibrations = list(
            access.calibrations_visible_to(user)
            .filter(calibrates=review)
            .select_related("reviewer")
        )
    context = {
        **_call_context(user, review.call),
        "review": review,
        "items": selectors.review_items(review),
        "may_acknowledge": access.may_acknowledge(user, review),
        "may_calibrate": access.may_calibrate(user, review),
        "ack_form": AcknowledgeForm(),
        "calibrations": calibrations,
        "may_coach": access.is_reviewer(user)
        and access.reviewable_people(user).filter(pk=review.call.employee_id).exists(),
    }
    return render(request, "qa/review_detail.html", context)


@login_required
@require_POST
def review_acknowledge(request, pk):
    review = access.access_review(request.user, pk)
    _require(access.may_acknowledge(request.user, review))
    form = AcknowledgeForm(request.POST)
    if form.is_valid() and _run(
        request,
        lambda: services.review_acknowledge(
            actor=request.user, review=review, comment=form.cleaned_data["comment"]
        ),
    ):
        messages.success(request, _("You acknowledged this review."))
    return redirect("qa-review-detail", pk=review.pk)


@login_required
@require_POST
def review_discard(request, pk):
    review = access.access_review(request.user, pk)
    _require(access.may_edit_review(request.user, review))
    if _run(request, lambda: services.review_discard(actor=request.user, review=review)):
        messages.success(request, _("The draft was thrown away."))
    return redirect("qa-queue")


@login_required
def review_calibrate(request, pk):
    """Score a reviewed call a second time, as a calibration of the review."""
    user = request.user
    review = access.access_review(user, pk)
    employee = org_access.user_employee(user)
    mine = Review.objects.filter(call_id=review.call_id, reviewer=employee).first()
    if mine is not None:
        return redirect("qa-review-call", pk=review.call_id)
    _require(access.may_calibrate(user, review))
    return _review_page(
        request,
        call=review.call,
        version=review.version,
        review=None,
        calibrates=review,
        action_url=reverse("qa-review-call", args=[review.call_id]),
    )


# -- calibration -------------------------------------------------------------------------------


@login_required
def calibration_list(request):
    user = request.user
    _require(access.is_reviewer(user))
    pairs = selectors.calibration_list(user)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    for calibration in page:
        review = calibration.calibrates
        calibration.difference = (
            calibration.score - review.score
            if calibration.score is not None and review.score is not None
            else None
        )
        calibration.same_verdict = calibration.passed == review.passed
    return render(request, "qa/calibration_list.html", {"page": page, "query": _query(request)})


@login_required
def calibration_detail(request, pk):
    user = request.user
    calibration = access.access_calibration(user, pk)
    context = {
        **_call_context(user, calibration.call),
        "comparison": selectors.calibration_compare(calibration),
    }
    return render(request, "qa/calibration_detail.html", context)


# -- the queue ---------------------------------------------------------------------------------


@login_required
def queue(request):
    user = request.user
    _require(access.is_reviewer(user))
    data = request.GET.copy()
    data.pop("page", None)
    if "status" not in data:
        data["status"] = selectors.TO_REVIEW
    teams = org_access.teams_visible_to(user).order_by("code")
    form = QueueFilterForm(data, teams=teams, reps=_reps_for(user))
    criteria = selectors.QueueFilter()
    if form.is_valid():
        week = form.cleaned_data["week"]
        criteria = selectors.QueueFilter(
            week_start=services.week_start_of(week) if week else None,
            team=form.cleaned_data["team"],
            rep=form.cleaned_data["rep"],
            reason=form.cleaned_data["reason"],
            status=form.cleaned_data["status"],
        )
    items = selectors.queue_list(user, criteria)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = number_viewer(user)
    own = org_access.user_employee(user)
    outcomes = dict(Disposition.objects.values_list("code", "label"))
    for item in page:
        item.number_shown = viewer.number(item.call)
        item.outcome_label = outcomes.get(item.outcome_code, item.outcome_code)
        item.mine = own is not None and item.reviewer_id == own.pk
    context = {
        "form": form,
        "page": page,
        "query": data.urlencode(),
        "counts": selectors.queue_counts(items),
        "build_form": QueueBuildForm(
            initial={"week": services.week_start_of(timezone.localdate())}, teams=teams
        ),
        "find_form": CallLookupForm(),
        "rules": _rules_text(),
    }
    return render(request, "qa/queue.html", context)


def _rules_text() -> dict:
    from telesales.qa.rules import queue_rules

    rules = queue_rules()
    return {
        "sample": rules.sample,
        "codes": ", ".join(sorted(rules.outcome_codes)),
        "long": rules.long_seconds,
        "short": rules.short_seconds,
        "cap": rules.rule_cap,
    }


@login_required
@require_POST
def queue_build(request):
    user = request.user
    _require(access.is_reviewer(user))
    teams = org_access.teams_visible_to(user).order_by("code")
    form = QueueBuildForm(request.POST, teams=teams)
    if not form.is_valid():
        messages.error(request, _("Choose the week to build."))
        return redirect("qa-queue")
    chosen = [form.cleaned_data["team"]] if form.cleaned_data["team"] else list(teams)
    if not chosen:
        messages.error(request, _("You lead no team whose queue could be built."))
        return redirect("qa-queue")
    result = {}

    def build():
        result["build"] = services.qa_queue_build(
            actor=user, week_start=form.cleaned_data["week"], teams=chosen
        )

    if _run(request, build):
        built = result["build"]
        messages.success(
            request,
            ngettext(
                "Review queue of %(week)s: %(added)s call added, %(items)s in the queue.",
                "Review queue of %(week)s: %(added)s calls added, %(items)s in the queue.",
                built.added,
            )
            % {
                "week": services.week_code(built.week_start),
                "added": built.added,
                "items": built.items,
            },
        )
        return redirect(reverse("qa-queue") + f"?week={built.week_start.isoformat()}&status=")
    return redirect("qa-queue")


# -- scorecards --------------------------------------------------------------------------------


@login_required
def scorecard_list(request):
    user = request.user
    _require(access.can_see_scorecards(user))
    context = {"rows": selectors.scorecard_list(), "editable": access.can_edit_scorecards(user)}
    return render(request, "qa/scorecard_list.html", context)


@login_required
def scorecard_detail(request, pk):
    user = request.user
    scorecard = access.access_scorecard(user, pk)
    versions = list(scorecard.versions.order_by("-number"))
    number = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == number), versions[0])
    checkpoints = selectors.version_checkpoints(version)
    context = {
        "scorecard": scorecard,
        "versions": versions,
        "version": version,
        "checkpoints": checkpoints,
        "used": services.version_is_used(version),
        "editable": access.can_edit_scorecards(user),
        "possible": sum(c.points for c in checkpoints if not c.instant_fail),
    }
    return render(request, "qa/scorecard_detail.html", context)


def _checkpoint_initial(version: ScorecardVersion) -> list[dict]:
    return [
        {
            "order": c.order,
            "label": c.label,
            "guidance": c.guidance,
            "points": c.points or None,
            "instant_fail": c.instant_fail,
        }
        for c in selectors.version_checkpoints(version)
    ]


@login_required
def scorecard_create(request):
    user = request.user
    _require(access.can_edit_scorecards(user) and access.can_see_scorecards(user))
    form = ScorecardForm(request.POST or None)
    formset = CheckpointFormSet(request.POST or None, prefix="cp")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            version = services.scorecard_create(
                actor=user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                passing_score=form.cleaned_data["passing_score"],
                checkpoints=formset.specs(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Scorecard %(code)s created.") % {"code": version.scorecard.code}
            )
            return redirect("qa-scorecard-detail", pk=version.scorecard_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "qa/scorecard_form.html",
        {"form": form, "formset": formset, "scorecard": None},
        status=status,
    )


@login_required
def scorecard_edit(request, pk):
    user = request.user
    scorecard = access.access_scorecard(user, pk)
    _require(access.can_edit_scorecards(user))
    latest = services.scorecard_latest(scorecard)
    form = ScorecardForm(
        request.POST or None,
        creating=False,
        initial={"name": latest.name, "passing_score": latest.passing_score},
    )
    formset = CheckpointFormSet(
        request.POST or None, prefix="cp", initial=_checkpoint_initial(latest)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            version = services.scorecard_edit(
                actor=user,
                scorecard=scorecard,
                name=form.cleaned_data["name"],
                passing_score=form.cleaned_data["passing_score"],
                checkpoints=formset.specs(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version.pk == latest.pk:
                messages.success(
                    request, _("Version %(number)s changed.") % {"number": version.number}
                )
            else:
                messages.success(
                    request,
                    _(
                        "Version %(old)s is used by reviews, so the change was saved as version "
                        "%(number)s."
                    )
                    % {"old": latest.number, "number": version.number},
                )
            return redirect("qa-scorecard-detail", pk=scorecard.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "formset": formset,
        "scorecard": scorecard,
        "latest": latest,
        "used": services.version_is_used(latest),
    }
    return render(request, "qa/scorecard_form.html", context, status=status)


@login_required
@require_POST
def scorecard_active(request, pk):
    user = request.user
    scorecard = access.access_scorecard(user, pk)
    _require(access.can_edit_scorecards(user))
    active = request.POST.get("active") == "1"
    if _run(
        request,
        lambda: services.scorecard_set_active(actor=user, scorecard=scorecard, active=active),
    ):
        messages.success(
            request,
            _("Scorecard %(code)s is active again.") % {"code": scorecard.code}
            if active
            else _("Scorecard %(code)s is retired.") % {"code": scorecard.code},
        )
    return redirect("qa-scorecard-detail", pk=scorecard.pk)


# -- coaching ----------------------------------------------------------------------------------


@login_required
def coaching_list(request):
    user = request.user
    _require(access.can_see_coaching(user))
    reps = _reps_for(user)
    form = SessionFilterForm(request.GET or None, reps=reps)
    rep = kind = None
    if form.is_valid():
        rep, kind = form.cleaned_data["rep"], form.cleaned_data["kind"]
    sessions = selectors.session_list(user, rep=rep, kind=kind or "")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = phone_viewer(user)
    for session in page:
        session.customer_shown = viewer.number(session.customer) if session.customer else ""
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "can_coach": access.is_reviewer(user),
    }
    return render(request, "qa/coaching_list.html", context)


def _reviews_for_coaching(user, rep_id):
    reviews = access.reviews_visible_to(user).filter(
        status=Review.Status.SUBMITTED, kind=Review.Kind.REGULAR
    )
    if rep_id:
        reviews = reviews.filter(call__employee_id=rep_id)
    return reviews.select_related("call__employee").order_by("-reviewed_at")


@login_required
def coaching_new(request):
    user = request.user
    _require(access.is_reviewer(user))
    reps = _reps_for(user)
    rep_id = (request.POST or request.GET).get("rep") or ""
    reviews = _reviews_for_coaching(user, rep_id if rep_id.isdigit() else None)
    initial = {"held_on": timezone.localdate()}
    if rep_id.isdigit():
        initial["rep"] = int(rep_id)
    if request.GET.get("review", "").isdigit():
        initial["reviews"] = [int(request.GET["review"])]
    form = CoachingSessionForm(
        request.POST or None,
        reps=reps,
        reviews=reviews if request.method == "POST" else reviews[:100],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = None
        if data["customer_phone"]:
            customer = _key_customer(user, data["rep"], data["customer_phone"])
            if customer is None:
                form.add_error(
                    "customer_phone",
                    _("No customer of this rep or of your team has this phone number."),
                )
        if not form.errors:
            try:
                session = services.coaching_session_record(
                    actor=user,
                    kind=data["kind"],
                    rep=data["rep"],
                    held_on=data["held_on"],
                    notes=data["notes"],
                    customer=customer,
                    reviews=data["reviews"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Coaching session recorded; agree the actions below."))
                return redirect("qa-coaching-detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "qa/coaching_form.html", {"form": form}, status=status)


def _key_customer(user, rep, phone: str):
    number = phone_normalise_or_none(phone)
    if number is None:
        return None
    customer = Customer.objects.filter(phone=number).first()
    if customer is None:
        return None
    if (
        customer.owner_id == rep.pk
        or access.reviewable_people(user).filter(pk=customer.owner_id).exists()
    ):
        return customer
    return None  # out of scope: as if there were none


def _owners_for(user, session):
    """Who may own an action: the rep, the coach, or anyone the user coaches."""
    return Employee.objects.filter(
        Q(pk__in=access.reviewable_people(user).values("pk"))
        | Q(pk__in=[session.rep_id, session.coach_id])
    ).order_by("employee_no")


@login_required
def coaching_detail(request, pk):
    user = request.user
    session = access.access_session(user, pk)
    manage = access.may_manage_session(user, session) and access.is_reviewer(user)
    actions = list(session.actions.select_related("owner").order_by("due_on", "id"))
    today = timezone.localdate()
    for action in actions:
        action.overdue = action.status == CoachingAction.Status.OPEN and action.due_on < today
        action.closable = access.may_close_action(user, action)
    reviews = session.reviews.filter(
        pk__in=access.reviews_visible_to(user).values("pk")
    ).select_related("call", "reviewer")
    context = {
        "session": session,
        "actions": actions,
        "reviews": reviews,
        "manage": manage,
        "action_form": ActionForm(
            owners=_owners_for(user, session),
            initial={"owner": session.rep_id, "due_on": today},
        )
        if manage
        else None,
        "done_form": ActionDoneForm(),
        "customer_shown": phone_viewer(user).number(session.customer) if session.customer else "",
    }
    return render(request, "qa/coaching_detail.html", context)


@login_required
@require_POST
def action_add(request, pk):
    user = request.user
    session = access.access_session(user, pk)
    _require(access.is_reviewer(user) and access.may_manage_session(user, session))
    form = ActionForm(request.POST, owners=_owners_for(user, session))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("qa-coaching-detail", pk=session.pk)
    if _run(
        request,
        lambda: services.coaching_action_add(
            actor=user,
            session=session,
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        ),
    ):
        messages.success(request, _("Action added."))
    return redirect("qa-coaching-detail", pk=session.pk)


@login_required
def action_list(request):
    user = request.user
    _require(access.can_see_coaching(user))
    form = ActionFilterForm(request.GET or None)
    state, mine = selectors.OPEN, False
    if form.is_valid():
        state = form.cleaned_data["state"] or selectors.OPEN
        mine = form.cleaned_data["mine"]
    owner = org_access.user_employee(user) if mine else None
    if mine and owner is None:
        actions = CoachingAction.objects.none()
    else:
        actions = selectors.action_list(user, state=state, owner=owner)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    own = org_access.user_employee(user)
    managed = _managed_sessions(user, {a.session_id for a in page})
    for action in page:
        action.overdue = action.status == CoachingAction.Status.OPEN and action.due_on < today
        action.closable = (own is not None and action.owner_id == own.pk) or (
            action.session_id in managed
        )
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "counts": selectors.action_counts(user),
        "done_form": ActionDoneForm(),
    }
    return render(request, "qa/action_list.html", context)


def _managed_sessions(user, session_ids: set[int]) -> set[int]:
    """Of these sessions, those the user manages (coach, or the rep in their scope), in one
    query, as access.may_manage_session decides it one by one."""
    if not access.is_reviewer(user) or not session_ids:
        return set()
    own = org_access.user_employee(user)
    return set(
        CoachingSession.objects.filter(pk__in=session_ids)
        .filter(Q(coach=own) | Q(rep__in=access.reviewable_people(user).values("pk")))
        .values_list("pk", flat=True)
    )


@login_required
@require_POST
def action_move(request, pk):
    user = request.user
    action = access.access_action(user, pk)
    _require(access.may_close_action(user, action))
    to_status = request.POST.get("to_status", "")
    form = ActionDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if _run(
        request,
        lambda: services.coaching_action_transition(
            actor=user, action=action, to_status=to_status, note=note
        ),
    ):
        messages.success(
            request,
            _("Action marked done.")
            if to_status == CoachingAction.Status.DONE
            else _("Action open again."),
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("qa-action-list")
