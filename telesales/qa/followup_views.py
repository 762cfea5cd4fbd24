"""The follow-up record check pages (source §2.1.2): the per-rep overview, a new check
(choose a rep, take the week's sample or pick customers, fill the checklist), a draft, a
check's page where the rep acknowledges it, and the list of checks. Every object is fetched
through the access functions of telesales.qa.followups.access; anything out of scope is a 404
and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from telesales.crm.customers.intent import intent_label
from telesales.crm.customers.selectors import phone_viewer
from telesales.org import access as org_access
from telesales.org.models import Role
from telesales.qa.followup_forms import (
    AcknowledgeForm,
    CheckFilterForm,
    ChecklistForm,
    OverviewFilterForm,
    RepChoiceForm,
)
from telesales.qa.followups import access, rules, selectors, services
from telesales.qa.followups.records import customer_records, followup_hints, record_facts
from telesales.qa.models import FollowUpCheck

PAGE_SIZE = 50


def followups_register() -> None:
    """Everything the follow-up checks register at start-up: the menu entry *Follow-up
    checks* (group quality, order 36) and the settings qa.followup_pass_share and
    qa.followup_sample_size. Wiring calls it once; registering again changes nothing."""
    from django import forms

    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.navigation import MenuItem, menu_register

    menu_register(
        MenuItem(
            "qa-followups",
            gettext_lazy("Follow-up checks"),
            "qa-followup-overview",
            access.can_see_followups,
            36,
            "quality",
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.PASS_SHARE,
            label=gettext_lazy("Follow-up checks: pass share (%)"),
            default=rules.DEFAULTS[rules.PASS_SHARE],
            field=lambda: forms.IntegerField(min_value=1, max_value=100),
            help=gettext_lazy(
                "A follow-up record check passes when at least this share of its applicable "
                "points is met."
            ),
            order=76,
        )
    )
    setting_declare(
        SettingDefinition(
            key=rules.SAMPLE_SIZE,
            label=gettext_lazy("Follow-up checks: customers sampled per rep and week"),
            default=rules.DEFAULTS[rules.SAMPLE_SIZE],
            field=lambda: forms.IntegerField(min_value=1, max_value=rules.MAX_CUSTOMERS),
            help=gettext_lazy(
                "How many of a rep's customers (not do-not-call) a new check offers at random; "
                "the same customers all week."
            ),
            order=77,
        )
    )


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _query(request) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    return data.urlencode()


def _new_url(rep_id=None) -> str:
    url = reverse("qa-followup-new")
    return f"{url}?{urlencode({'rep': rep_id})}" if rep_id else url


def _customer_rows(user, customers, *, until=None, today=None) -> dict[int, dict]:
    """Per customer what the page shows of the record, read only: the number as the user may
    see it, the intent label, the latest outcomes and events, the record's suggestions."""
    today = today or timezone.localdate()
    viewer = phone_viewer(user)
    records = customer_records([c.pk for c in customers], until=until)
    return {
        customer.pk: {
            "customer": customer,
            "phone": viewer.number(customer),
            "facts": record_facts(customer),
            "intent": intent_label(customer.intent_level),
            "overdue": not customer.dnc
            and customer.next_follow_up is not None
            and customer.next_follow_up < today,
            "record": records[customer.pk],
            "hints": followup_hints(customer, records[customer.pk].outcomes, today),
        }
        for customer in customers
    }


# -- the overview ------------------------------------------------------------------------------


@login_required
def overview(request):
    user = request.user
    if org_access.user_role(user) == Role.REP:
        return redirect("qa-followup-list")
    _require(access.may_check(user))
    teams = org_access.teams_visible_to(user).order_by("code")
    form = OverviewFilterForm(request.GET or None, teams=teams)
    team = form.cleaned_data["team"] if form.is_valid() else None
    rows = selectors.followup_overview(user, team=team)
    context = {
        "form": form,
        "rows": rows,
        "days": rules.CALL_DAYS,
        "totals": {
            key: sum(getattr(row, key) for row in rows)
            for key in ("owned", "overdue", "intent_open", "answered", "missing")
        },
    }
    return render(request, "qa/followup_overview.html", context)


# -- the list ----------------------------------------------------------------------------------


@login_required
def check_list(request):
    user = request.user
    _require(access.can_see_followups(user))
    is_rep = org_access.user_role(user) == Role.REP
    form = CheckFilterForm(
        request.GET or None,
        teams=org_access.teams_visible_to(user).order_by("code"),
        reps=access.checkable_reps(user).order_by("employee_no"),
    )
    criteria = form.criteria() if form.is_valid() else selectors.CheckFilter()
    checks = selectors.check_list(user, criteria)
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "counts": selectors.check_counts(checks),
        "is_rep": is_rep,
        "may_check": access.may_check(user),
    }
    return render(request, "qa/followup_list.html", context)


# -- a new check -------------------------------------------------------------------------------


@login_required
def check_new(request):
    """Choose a rep, then the customers: the week's sample is ticked, others can be
    picked from the rep's customers (overdue first)."""
    user = request.user
    _require(access.may_check(user))
    reps = access.checkable_reps(user).select_related("team").order_by("employee_no")
    chooser = RepChoiceForm(request.GET or None, reps=reps)
    context: dict = {"chooser": chooser, "rep": None}
    if request.GET.get("rep"):
        rep = access.access_rep_for_check(user, request.GET["rep"])
        today = timezone.localdate()
        week = rules.week_start_of(today)
        sample = selectors.followup_sample(rep, week_start=week)
        sampled = {c.pk for c in sample}
        text = request.GET.get("q", "")[:100]
        others = [
            c
            for c in selectors.customers_to_pick(rep, text=text, today=today)
            if c.pk not in sampled
        ]
        rows = _customer_rows(user, [*sample, *others], today=today)
        context.update(
            {
                "rep": rep,
                "week": rules.week_code(week),
                "sample": [rows[c.pk] for c in sample],
                "others": [rows[c.pk] for c in others],
                "q": text,
                "max": rules.MAX_CUSTOMERS,
            }
        )
    return render(request, "qa/followup_new.html", context)


@login_required
def check_checklist(request):
    """The checklist of the chosen customers (GET: rep and customer in the query; POST: the
    same as hidden fields): saved as a draft or submitted."""
    user = request.user
    _require(access.may_check(user))
    data = request.POST if request.method == "POST" else request.GET
    rep = access.access_rep_for_check(user, data.get("rep"))
    try:
        customers = selectors.customers_for_check(rep, data.getlist("customer"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_new_url(rep.pk))
    today = timezone.localdate()
    rows = _customer_rows(user, customers, today=today)
    form = ChecklistForm(
        request.POST or None,
        customers=customers,
        hints={pk: row["hints"] for pk, row in rows.items()},
    )
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == ChecklistForm.SUBMIT
        if form.is_valid():
            try:
                check = services.followup_check_create(
                    actor=user,
                    rep=rep,
                    customers=customers,
                    marks=form.marks(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return _saved(request, check, submit)
        status = 400
    context = {
        "form": form,
        "rep": rep,
        "rows": _form_rows(form, rows),
        "check": None,
        "customer_ids": [c.pk for c in customers],
    }
    return render(request, "qa/followup_form.html", context, status=status)


def _form_rows(form: ChecklistForm, rows: dict[int, dict]) -> list[dict]:
    return [{**row, **rows[row["customer"].pk]} for row in form.rows()]


def _saved(request, check: FollowUpCheck, submit: bool):
    if submit:
        text = (
            _("Check submitted: %(result)s %% of the applicable points met, passed.")
            if check.passed
            else _("Check submitted: %(result)s %% of the applicable points met, failed.")
        )
        messages.success(request, text % {"result": check.result})
        return redirect("qa-followup-detail", pk=check.pk)
    messages.success(request, _("Draft saved."))
    return redirect("qa-followup-edit", pk=check.pk)


@login_required
def check_edit(request, pk):
    """Go on with a draft: change the marks, save again or submit."""
    user = request.user
    check = access.access_check(user, pk)
    if check.status == FollowUpCheck.Status.SUBMITTED:
        return redirect("qa-followup-detail", pk=check.pk)
    _require(access.may_edit_check(user, check))
    items = selectors.check_items(check)
    customers = [item.customer for item in items]
    rows = _customer_rows(user, customers)
    form = ChecklistForm(
        request.POST or None,
        customers=customers,
        items={item.customer_id: item for item in items},
    )
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == ChecklistForm.SUBMIT
        if form.is_valid():
            try:
                check = services.followup_check_update(
                    actor=user,
                    check=check,
                    marks=form.marks(),
                    comment=form.cleaned_data["comment"],
                    submit=submit,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                return _saved(request, check, submit)
        status = 400
    elif check.comment:
        form.fields["comment"].initial = check.comment
    context = {
        "form": form,
        "rep": check.rep,
        "rows": _form_rows(form, rows),
        "check": check,
        "customer_ids": [c.pk for c in customers],
    }
    return render(request, "qa/followup_form.html", context, status=status)


# -- a check -----------------------------------------------------------------------------------


@login_required
def check_detail(request, pk):
    user = request.user
    check = access.access_check(user, pk)
    if check.status == FollowUpCheck.Status.DRAFT:
        return redirect("qa-followup-edit", pk=check.pk)
    items = selectors.check_items(check)
    records = customer_records([item.customer_id for item in items], until=check.submitted_at)
    viewer = phone_viewer(user)
    labels = rules.point_labels()
    rows = [
        {
            "item": item,
            "customer": item.customer,
            "phone": viewer.number(item.customer),
            "facts": item.record,
            "intent": intent_label(item.record.get("intent_level", "")),
            "overdue": not item.record.get("dnc")
            and bool(item.record.get("next_follow_up"))
            and item.record["next_follow_up"] < check.checked_on.isoformat(),
            "marks": [(label, getattr(item, point)) for point, label in labels],
            "record": records[item.customer_id],
        }
        for item in items
    ]
    context = {
        "check": check,
        "rows": rows,
        "may_acknowledge": access.may_acknowledge_check(user, check),
        "ack_form": AcknowledgeForm(),
        "may_coach": access.may_check(user)
        and access.checkable_reps(user).filter(pk=check.rep_id).exists(),
    }
    return render(request, "qa/followup_detail.html", context)


@login_required
@require_POST
def check_acknowledge(request, pk):
    user = request.user
    check = access.access_check(user, pk)
    _require(access.may_acknowledge_check(user, check))
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("qa-followup-detail", pk=check.pk)
    try:
        services.followup_check_acknowledge(
            actor=user, check=check, comment=form.cleaned_data["comment"]
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("You acknowledged this check."))
    return redirect("qa-followup-detail", pk=check.pk)


@login_required
@require_POST
def check_discard(request, pk):
    user = request.user
    check = access.access_check(user, pk)
    _require(access.may_edit_check(user, check))
    try:
        services.followup_check_discard(actor=user, check=check)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The draft was thrown away."))
    return redirect("qa-followup-list")
