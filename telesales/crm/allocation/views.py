"""The supervisor's daily tool (source §2.3.2): the pool of unowned leads and the allocation
form, previews of allocation, reclaim and recycling and their confirmation, the history of
runs, and reassignment of one lead by hand. Supervisors act on their teams' reps, managers on
the teams under them, administrators everywhere; anyone else gets a 404, as does anything
out of scope. Lead numbers are always shown masked."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telesales.crm.allocation import selectors, services
from telesales.crm.allocation.forms import (
    AllocationForm,
    PlanConfirmForm,
    PlanExpired,
    PoolFilterForm,
    ReassignForm,
    ReclaimForm,
    RecycleForm,
    plan_token,
)
from telesales.crm.allocation.selectors import PoolFilter
from telesales.crm.allocation.services import AllocationDenied, Plan, RepSkipReason, SkipReason
from telesales.crm.models import AllocationItem, AllocationRun, Customer
from telesales.org import access
from telesales.org.models import Employee

PAGE_SIZE = 50
Kind = AllocationRun.Kind


def _ids_in_scope_or_404(request, name: str, allowed) -> None:
    """Ids of reps or teams given in the request must all be in the user's scope: anything
    else is a 404, not a form error."""
    raw = request.GET.getlist(name) if request.method == "GET" else request.POST.getlist(name)
    raw = [value for value in raw if value != ""]
    if not raw:
        return
    try:
        ids = {int(value) for value in raw}
    except ValueError:
        raise Http404 from None
    if ids - set(allowed.filter(pk__in=ids).values_list("pk", flat=True)):
        raise Http404


def _reps_with_room(reps: list[Employee], today) -> list[dict]:
    rooms = selectors.rep_room([r.pk for r in reps], today)
    return [{"rep": rep, "room": rooms[rep.pk]} for rep in reps]


# -- the pool and allocation ------------------------------------------------------------------


def _pool_context(request, filter_form, allocation_form, today) -> dict:
    criteria = filter_form.criteria() if filter_form.is_valid() else None
    leads = selectors.lead_pool(criteria) if criteria else Customer.objects.none()
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    for lead in page:
        lead.phone_shown = selectors.lead_phone_shown(lead.phone)
    query = request.GET.copy()
    query.pop("page", None)
    available = list(selectors.reps_available(request.user, today))
    chosen = {str(getattr(value, "pk", value)) for value in allocation_form["reps"].value() or []}
    reps = _reps_with_room(available, today)
    for row in reps:
        row["checked"] = str(row["rep"].pk) in chosen
    return {
        "filter_form": filter_form,
        "form": allocation_form,
        "page": page,
        "query": query.urlencode(),
        "reps": reps,
    }


@login_required
@require_GET
def lead_pool(request):
    """The unowned callable leads, filtered, and the form to allocate them."""
    selectors.allocator_check(request.user)
    today = timezone.localdate()
    filter_form = PoolFilterForm(request.GET, sources=selectors.lead_sources())
    available = selectors.reps_available(request.user, today)
    initial = {"reps": list(available)}
    if "method" in request.GET:  # back from a preview: the choice made there
        initial = {
            "reps": request.GET.getlist("reps"),
            "method": request.GET["method"],
            "which": request.GET.get("which") or "all",
            "count": request.GET.get("count"),
        }
    allocation_form = AllocationForm(
        initial=initial,
        reps=selectors.reps_in_scope(request.user),
        offered=available,
    )
    context = _pool_context(request, filter_form, allocation_form, today)
    return render(request, "crm/allocation/pool.html", context)


@login_required
@require_GET
def allocation_preview(request):
    """Who would get which of the chosen leads; nothing is stored."""
    selectors.allocator_check(request.user)
    today = timezone.localdate()
    in_scope = selectors.reps_in_scope(request.user)
    _ids_in_scope_or_404(request, "reps", in_scope)
    available = selectors.reps_available(request.user, today)
    filter_form = PoolFilterForm(request.GET, sources=selectors.lead_sources())
    form = AllocationForm(request.GET, reps=in_scope, offered=available)
    if not (filter_form.is_valid() and form.is_valid()):
        context = _pool_context(request, filter_form, form, today)
        return render(request, "crm/allocation/pool.html", context, status=400)
    criteria = filter_form.criteria()
    leads = selectors.lead_pool(criteria)
    limit = form.limit()
    if limit:
        leads = leads[:limit]
    leads = list(leads)
    reps = list(form.cleaned_data["reps"])
    plan = services.allocation_plan(
        actor=request.user,
        customers=leads,
        reps=reps,
        method=form.cleaned_data["method"],
        today=today,
        params={"filters": _filters_data(criteria), "limit": limit},
    )
    context = {
        **_plan_context(plan, {c.pk: c for c in leads}, today),
        "token": plan_token(plan, request.user),
        "confirm_url": reverse("lead-confirm"),
        "back_url": f"{reverse('lead-pool')}?{request.GET.urlencode()}",
        "method_label": AllocationRun.Method(plan.method).label,
    }
    return render(request, "crm/allocation/preview.html", context)


def _filters_data(criteria: PoolFilter) -> dict:
    return {key: value for key, value in vars(criteria).items() if value not in ("", None)}


@login_required
@require_POST
def allocation_confirm(request):
    selectors.allocator_check(request.user)
    plan = _confirmed_plan(request, Kind.ALLOCATE)
    if plan is None:
        return redirect("lead-pool")
    try:
        run = services.allocation_execute(actor=request.user, plan=plan)
    except AllocationDenied:
        raise Http404 from None
    _report(request, run)
    return redirect("lead-run", pk=run.pk)


def _confirmed_plan(request, kind: str) -> Plan | None:
    """The plan previewed by this user; a 404 for a token not made for them, None (with a
    message) for one too old."""
    form = PlanConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        plan = form.plan(request.user)
    except PlanExpired:
        messages.error(request, _("This preview is too old to confirm. Preview it again."))
        return None
    if plan is None or plan.kind != kind:
        raise Http404
    return plan


def _report(request, run: AllocationRun) -> None:
    done = {
        Kind.ALLOCATE: ngettext(
            "%(count)s lead allocated.", "%(count)s leads allocated.", run.count
        ),
        Kind.RECLAIM: ngettext(
            "%(count)s lead reclaimed to the pool.",
            "%(count)s leads reclaimed to the pool.",
            run.count,
        ),
        Kind.RECYCLE: ngettext("%(count)s lead recycled.", "%(count)s leads recycled.", run.count),
        Kind.MANUAL: ngettext(
            "%(count)s lead reassigned.", "%(count)s leads reassigned.", run.count
        ),
    }[run.kind] % {"count": run.count}
    messages.success(request, done)
    skipped = getattr(run, "skipped", [])
    if skipped:
        reasons = Counter(skip.reason for skip in skipped)
        detail = "; ".join(
            f"{SkipReason(reason).label}: {number}" for reason, number in sorted(reasons.items())
        )
        messages.warning(
            request,
            ngettext(
                "%(count)s lead was skipped (%(reasons)s).",
                "%(count)s leads were skipped (%(reasons)s).",
                len(skipped),
            )
            % {"count": len(skipped), "reasons": detail},
        )


def _plan_context(plan: Plan, customers: dict[int, Customer], today) -> dict:
    """The preview: each rep's room and what they get, each lead's move, what is skipped."""
    people = Employee.objects.in_bulk(
        (
            {i.to_owner_id for i in plan.items}
            | {i.from_owner_id for i in plan.items}
            | {c.owner_id for c in customers.values()}
            | {pk for pk, _reason in plan.reps_skipped}
            | set(plan.rep_ids)
        )
        - {None}
    )
    rows = []
    for item in plan.items:
        customer = customers[item.customer_id]
        rows.append(
            {
                "customer": customer,
                "phone": selectors.lead_phone_shown(customer.phone),
                "from": people.get(item.from_owner_id),
                "to": people.get(item.to_owner_id),
            }
        )
    skipped = [
        {
            "customer": customers[skip.customer_id],
            "phone": selectors.lead_phone_shown(customers[skip.customer_id].phone),
            "reason": SkipReason(skip.reason).label,
        }
        for skip in plan.skipped
    ]
    given = Counter(i.to_owner_id for i in plan.items)
    rooms = selectors.rep_room(plan.rep_ids, today) if plan.rep_ids else {}
    by_rep = [{"rep": people[pk], "room": rooms[pk], "given": given[pk]} for pk in plan.rep_ids]
    return {
        "plan": plan,
        "rows": rows,
        "skipped": skipped,
        "by_rep": by_rep,
        "reps_skipped": [
            {"rep": people[pk], "reason": RepSkipReason(reason).label}
            for pk, reason in plan.reps_skipped
        ],
        "kind_label": Kind(plan.kind).label,
    }


# -- reclaim and recycle ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lead_reclaim(request):
    """Preview the leads untouched for N days (GET with the form), then reclaim them (POST)."""
    selectors.allocator_check(request.user)
    if request.method == "POST":
        return _execute_posted(request, Kind.RECLAIM, services.reclaim_execute, "lead-reclaim")
    today = timezone.localdate()
    teams = access.teams_visible_to(request.user)
    reps = selectors.reps_in_scope(request.user).order_by("employee_no")
    _ids_in_scope_or_404(request, "team", teams)
    _ids_in_scope_or_404(request, "rep", reps)
    bound = "days" in request.GET
    form = ReclaimForm(request.GET if bound else None, teams=teams, reps=reps)
    context = {"form": form}
    if bound and form.is_valid():
        data = form.cleaned_data
        plan = services.reclaim_plan(
            actor=request.user, days=data["days"], today=today, team=data["team"], rep=data["rep"]
        )
        customers = Customer.objects.select_related("owner", "last_disposition").in_bulk(
            [i.customer_id for i in plan.items]
        )
        context.update(_plan_context(plan, customers, today))
        context["token"] = plan_token(plan, request.user)
    return render(request, "crm/allocation/reclaim.html", context, status=_status(bound, form))


def _status(bound: bool, form) -> int:
    return 400 if bound and not form.is_valid() else 200


@login_required
@require_http_methods(["GET", "POST"])
def lead_recycle(request):
    """Preview the leads due for recycling by their last outcome, then recycle them."""
    selectors.allocator_check(request.user)
    if request.method == "POST":
        return _execute_posted(request, Kind.RECYCLE, services.recycle_execute, "lead-recycle")
    today = timezone.localdate()
    teams = access.teams_visible_to(request.user)
    reps = selectors.reps_in_scope(request.user).order_by("employee_no")
    for name in ("team", "rep", "reps"):
        _ids_in_scope_or_404(request, name, teams if name == "team" else reps)
    available = selectors.reps_available(request.user, today)
    bound = "action" in request.GET
    form = RecycleForm(request.GET if bound else None, teams=teams, reps=reps, offered=available)
    context = {"form": form, "outcomes": selectors.recycling_outcomes()}
    if bound and form.is_valid():
        data = form.cleaned_data
        plan = services.recycle_plan(
            actor=request.user,
            today=today,
            team=data["team"],
            rep=data["rep"],
            reassign_to=data["reps"] if data["action"] == "reassign" else None,
        )
        ids = [i.customer_id for i in plan.items] + [s.customer_id for s in plan.skipped]
        customers = Customer.objects.select_related("owner", "last_disposition").in_bulk(ids)
        context.update(_plan_context(plan, customers, today))
        context["token"] = plan_token(plan, request.user)
    return render(request, "crm/allocation/recycle.html", context, status=_status(bound, form))


def _execute_posted(request, kind: str, execute, back: str):
    plan = _confirmed_plan(request, kind)
    if plan is None:
        return redirect(back)
    try:
        run = execute(actor=request.user, plan=plan)
    except AllocationDenied:
        raise Http404 from None
    _report(request, run)
    return redirect("lead-run", pk=run.pk)


# -- history ---------------------------------------------------------------------------------


@login_required
@require_GET
def run_history(request):
    """Allocation runs touching the user's scope, newest first, with who got how many."""
    selectors.allocator_check(request.user)
    kind = request.GET.get("kind", "")
    if kind and kind not in Kind.values:
        kind = ""
    runs = selectors.run_history(request.user, kind=kind)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    runs_on_page = list(page)
    counts = (
        selectors.items_visible_to(request.user)
        .filter(run__in=runs_on_page)
        .order_by()
        .values("run_id", "to_owner_id", "from_owner_id")
        .annotate(n=Count("id"))
    )
    people = {}
    moves: dict[int, Counter] = {}
    for row in counts:
        moves.setdefault(row["run_id"], Counter())[(row["from_owner_id"], row["to_owner_id"])] += (
            row["n"]
        )
        people.update({row["to_owner_id"]: None, row["from_owner_id"]: None})
    people.pop(None, None)
    names = Employee.objects.in_bulk(list(people))
    for run in runs_on_page:
        run.moves = [
            {"from": names.get(f), "to": names.get(t), "count": n}
            for (f, t), n in sorted(
                moves.get(run.pk, Counter()).items(), key=lambda m: (-m[1], str(m[0]))
            )
        ]
        run.visible_count = sum(m["count"] for m in run.moves)
        run.skipped_count = len(run.params.get("skipped", []))
    context = {
        "page": page,
        "runs": runs_on_page,
        "kind": kind,
        "kinds": Kind.choices,
        "query": urlencode({"kind": kind}) if kind else "",
    }
    return render(request, "crm/allocation/history.html", context)


@login_required
@require_GET
def run_detail(request, pk):
    run = selectors.access_run(request.user, pk)
    for item in run.visible_items:
        item.phone_shown = selectors.lead_phone_shown(item.customer.phone)
    skipped = []
    scope = access.scope_for(request.user)
    if scope.company_wide or run.created_by_id == request.user.pk:
        reasons = dict(run.params.get("skipped", []))
        customers = Customer.objects.in_bulk(list(reasons))
        skipped = [
            {
                "customer": customers.get(customer_id),
                "phone": selectors.lead_phone_shown(customers[customer_id].phone)
                if customer_id in customers
                else "",
                "reason": SkipReason(reason).label,
            }
            for customer_id, reason in reasons.items()
        ]
    return render(request, "crm/allocation/run_detail.html", {"run": run, "skipped": skipped})


# -- by hand ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lead_reassign(request, pk):
    """Give one lead to a rep in scope, or back to the pool."""
    customer = selectors.access_lead(request.user, pk)
    today = timezone.localdate()
    reps = selectors.reps_available(request.user, today)
    if request.method == "POST":
        _ids_in_scope_or_404(request, "to_owner", selectors.reps_in_scope(request.user))
        form = ReassignForm(request.POST, reps=reps)
        if form.is_valid():
            try:
                run = services.lead_reassign(
                    actor=request.user,
                    customer=customer,
                    to_owner=form.cleaned_data["to_owner"],
                    today=today,
                    note=form.cleaned_data["note"],
                )
            except AllocationDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _report(request, run)
                return redirect("lead-run", pk=run.pk)
    else:
        form = ReassignForm(reps=reps)
    history = (
        AllocationItem.objects.filter(customer=customer)
        .filter(run__in=selectors.runs_visible_to(request.user))
        .select_related("run", "from_owner", "to_owner", "run__created_by")
        .order_by("-run__created_at", "-id")[:20]
    )
    context = {
        "customer": customer,
        "phone": selectors.lead_phone_shown(customer.phone),
        "form": form,
        "history": history,
    }
    return render(
        request,
        "crm/allocation/reassign.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )
