"""The customer pages: the list, a customer with its timeline, outcomes and merging, the
rep's day, tiers and their rules, and the call outcomes table. Every customer is fetched
through the scoped selectors; anything out of scope is a 404 and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.calls.models import Call
from telesales.crm.customers import configuration, selectors, services
from telesales.crm.customers.forms import (
    ConditionFormSet,
    CustomerFilterForm,
    CustomerForm,
    DispositionForm,
    MergeForm,
    OutcomeForm,
    TierRuleForm,
    TodayFilterForm,
    condition_initial,
    conditions_from,
)
from telesales.crm.customers.intent import intent_label
from telesales.crm.customers.tiering import FIELDS, condition_text, reason_lines, tier_counts
from telesales.crm.models import Customer, Disposition, Tier, TierRule
from telesales.org import access
from telesales.org.models import Role

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _dress(customers, viewer: selectors.PhoneViewer) -> None:
    """What the templates show of each customer: its number as the user may see it."""
    for customer in customers:
        customer.phone_shown = viewer.number(customer)
        customer.intent_shown = intent_label(customer.intent_level)


# -- the list ----------------------------------------------------------------------------------------


@login_required
def customer_list(request):
    user = request.user
    _require(selectors.can_see_customers(user))
    scope = access.scope_for(user)
    data = request.GET.copy()
    data.pop("page", None)
    form = CustomerFilterForm(
        data,
        owners=selectors.owners_visible_to(user) if scope.role != Role.REP else [],
        sources=selectors.sources_visible_to(user),
        show_pool=scope.role != Role.REP,
    )
    customers = (
        selectors.customer_list(user, form.criteria())
        if form.is_valid()
        else Customer.objects.none()
    )
    page = _page(request, customers)
    _dress(page, selectors.phone_viewer(user))
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "can_create": selectors.can_create_customers(user),
        "can_edit_rules": selectors.can_edit_tier_rules(user),
        "can_edit_dispositions": selectors.can_edit_dispositions(user),
        "can_import": user_may_import(user),
    }
    return render(request, "crm/customers/customer_list.html", context)


def user_may_import(user) -> bool:
    from telesales.crm.customers.importers import CustomerImporter

    return CustomerImporter().allowed(user)


# -- one customer ------------------------------------------------------------------------------------


def _customer_form_owners(user):
    """Whom the user may give a customer to; a rep keeps their customers (None: no field)."""
    if access.user_role(user) == Role.REP:
        return None
    return selectors.owners_visible_to(user)


@login_required
def customer_create(request):
    user = request.user
    _require(selectors.can_create_customers(user))
    owners = _customer_form_owners(user)
    form = CustomerForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"] if owners is not None else access.user_employee(user)
        try:
            customer = services.customer_create(
                actor=user,
                phone=data["phone"],
                name=data["name"],
                company=data["company"],
                company_size=data["company_size"],
                source=data["source"],
                tier=data["tier"] or None,
                intent_level=data["intent_level"],
                intent_on=data["intent_on"],
                owner=owner,
                dnc=data["dnc"],
                next_follow_up=data["next_follow_up"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The customer was saved."))
            return redirect("customer-detail", pk=customer.pk)
    return render(request, "crm/customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, pk):
    user = request.user
    customer = access_customer_or_404(user, pk)
    _require(selectors.can_edit_customer(user, customer))
    owners = _customer_form_owners(user)
    initial = {
        "phone": selectors.phone_viewer(user).number(customer),
        "name": customer.name,
        "company": customer.company,
        "company_size": customer.company_size,
        "source": customer.source,
        "tier": customer.tier if customer.tier_fixed else "",
        "intent_level": customer.intent_level,
        "intent_on": customer.intent_on,
        "owner": customer.owner,
        "dnc": customer.dnc,
        "next_follow_up": customer.next_follow_up,
    }
    sees_number = selectors.phone_viewer(user).sees(customer)
    form = CustomerForm(request.POST or None, owners=owners, initial=initial)
    if not sees_number:
        # Someone who sees the number masked cannot see it here either, nor change it.
        del form.fields["phone"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            key: data[key]
            for key in (
                "name",
                "company",
                "company_size",
                "source",
                "intent_level",
                "dnc",
                "next_follow_up",
            )
        }
        changes["tier"] = data["tier"] or None
        if data["intent_on"]:
            changes["intent_on"] = data["intent_on"]
        if sees_number:
            changes["phone"] = data["phone"]
        if owners is not None:
            changes["owner"] = data["owner"]
        try:
            services.customer_update(actor=user, customer=customer, **changes)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The customer was saved."))
            return redirect("customer-detail", pk=customer.pk)
    context = {
        "form": form,
        "customer": customer,
        "masked_phone": None if sees_number else initial["phone"],
    }
    return render(request, "crm/customers/customer_form.html", context)


def access_customer_or_404(user, pk) -> Customer:
    _require(selectors.can_see_customers(user))
    return selectors.access_customer(user, pk)


@login_required
def customer_detail(request, pk):
    user = request.user
    customer = access_customer_or_404(user, pk)
    if customer.merged_into_id is not None:
        kept = selectors.customers_visible_to(user).filter(pk=customer.merged_into_id).first()
        if kept is not None:
            messages.info(
                request, _("This customer was merged into the one shown here; its history is here.")
            )
            return redirect("customer-detail", pk=kept.pk)
    return _detail_page(request, customer)


def _detail_page(request, customer, *, outcome_form=None, merge_form=None, status=200):
    user = request.user
    today = timezone.localdate()
    viewer = selectors.phone_viewer(user)
    _dress([customer], viewer)
    can_record = selectors.can_record_outcome(user, customer)
    can_merge = selectors.can_merge_customers(user) and customer.merged_into_id is None
    context = {
        "customer": customer,
        "timeline": selectors.customer_timeline(customer, show_phone=viewer.shower(customer)),
        "reason": reason_lines(customer.tier_reason, fixed=customer.tier_fixed),
        "rule_name": customer.tier_reason.get("rule"),
        "can_edit": selectors.can_edit_customer(user, customer),
        "can_record": can_record,
        "can_merge": can_merge,
        "outcome_form": (outcome_form or OutcomeForm(today=today)) if can_record else None,
        "merge_form": (merge_form or MergeForm()) if can_merge else None,
        "today": today,
    }
    return render(request, "crm/customers/customer_detail.html", context, status=status)


@login_required
@require_POST
def customer_outcome(request, pk):
    user = request.user
    customer = access_customer_or_404(user, pk)
    _require(selectors.can_record_outcome(user, customer))
    form = OutcomeForm(request.POST, today=timezone.localdate())
    if form.is_valid():
        try:
            _record(user, customer, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect("customer-detail", pk=customer.pk)
    return _detail_page(request, customer, outcome_form=form, status=400)


def _record(user, customer, form, call=None):
    data = form.cleaned_data
    return services.outcome_record(
        actor=user,
        customer=customer,
        disposition=data["disposition"],
        employee=access.user_employee(user),
        call=call,
        notes=data["notes"],
        next_follow_up=data["next_follow_up"],
        script_version=data.get("script_version"),
    )


@login_required
@require_POST
def customer_merge(request, pk):
    user = request.user
    keep = access_customer_or_404(user, pk)
    _require(selectors.can_merge_customers(user) and keep.merged_into_id is None)
    form = MergeForm(request.POST)
    if form.is_valid():
        other = (
            selectors.customers_visible_to(user)
            .filter(phone=form.cleaned_data["other"])
            .exclude(pk=keep.pk)
            .first()
        )
        if other is None:
            form.add_error(
                "other", _("None of your customers other than this one has that number.")
            )
        else:
            try:
                services.customer_merge(actor=user, keep=keep, merge=other)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The two customers are now one."))
                return redirect("customer-detail", pk=keep.pk)
    return _detail_page(request, keep, merge_form=form, status=400)


# -- an outcome from a call ---------------------------------------------------------------------------


@login_required
def call_outcome(request):
    """The quick form after a call: the customer is the one the call was made to (created,
    owned by the rep, when the number is new). Only the rep who made the call uses it."""
    user = request.user
    employee = access.user_employee(user)
    call_id = request.GET.get("call", "")
    call = (
        Call.objects.filter(pk=int(call_id)).select_related("employee").first()
        if call_id.isdigit()
        else None
    )
    if call is None or employee is None or call.employee_id != employee.pk:
        raise Http404
    existing = services.customer_by_phone(call.customer_number)
    if existing is not None and existing.owner_id not in (None, employee.pk):
        raise Http404  # another rep's customer
    today = timezone.localdate()
    form = OutcomeForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                customer = services.customer_for_call(actor=user, call=call)
                if customer.owner_id is None:
                    customer = services.customer_update(
                        actor=user, customer=customer, owner=employee
                    )
                _record(user, customer, form, call=call)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect("customer-detail", pk=customer.pk)
    context = {
        "form": form,
        "call": call,
        "customer": existing,
        "number": call.customer_number,
        "outcomes": list(call.outcomes.select_related("disposition")),
    }
    return render(request, "crm/customers/call_outcome.html", context)


# -- the rep's day -----------------------------------------------------------------------------------


def today_allowed(user) -> bool:
    role = access.user_role(user)
    return role in {Role.REP, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}


@login_required
def today(request):
    user = request.user
    _require(today_allowed(user))
    scope = access.scope_for(user)
    day = timezone.localdate()
    form = None
    rep_ids = None
    if scope.role != Role.REP:
        reps = selectors.owners_visible_to(user)
        form = TodayFilterForm(request.GET or None, reps=reps)
        if form.is_valid() and form.cleaned_data["rep"] is not None:
            rep_ids = [form.cleaned_data["rep"].pk]
        elif form.is_bound and not form.is_valid():
            rep_ids = []
    page = _page(request, selectors.today_list(user, day=day, rep_ids=rep_ids))
    _dress(page, selectors.phone_viewer(user))
    for customer in page:
        customer.reasons = selectors.today_reasons(customer, day)
    context = {
        "form": form,
        "page": page,
        "query": _query(request),
        "today": day,
        "show_owner": scope.role != Role.REP,
    }
    return render(request, "crm/customers/today.html", context)


# -- tiers ---------------------------------------------------------------------------------------------


@login_required
def tier_overview(request):
    user = request.user
    _require(selectors.can_see_customers(user))
    customers = selectors.customers_visible_to(user)
    tier = request.GET.get("tier", "")
    counts = tier_counts(customers)
    listed = customers.filter(tier=tier) if tier in Tier.values else customers
    page = _page(request, listed.select_related("owner").order_by("tier", "-updated_at", "-id"))
    _dress(page, selectors.phone_viewer(user))
    for customer in page:
        customer.reason = reason_lines(customer.tier_reason, fixed=customer.tier_fixed)
        customer.rule_name = customer.tier_reason.get("rule")
    context = {
        "counts": [(t, counts[t]) for t in Tier.values],
        "total": sum(counts.values()),
        "tier": tier if tier in Tier.values else "",
        "page": page,
        "query": _query(request),
        "rules": _rules_shown(),
        "can_edit_rules": selectors.can_edit_tier_rules(user),
    }
    return render(request, "crm/customers/tiers.html", context)


def _rules_shown() -> list[TierRule]:
    rules = list(TierRule.objects.order_by("order", "id"))
    for rule in rules:
        rule.condition_texts = [condition_text(c) for c in rule.conditions]
    return rules


@login_required
def tier_rules(request):
    user = request.user
    _require(selectors.can_edit_tier_rules(user))
    return _rule_edit(request, None)


@login_required
def tier_rule_edit(request, pk):
    _require(selectors.can_edit_tier_rules(request.user))
    return _rule_edit(request, get_object_or_404(TierRule, pk=pk))


def _rule_edit(request, rule: TierRule | None):
    user = request.user
    if request.method == "POST":
        form = TierRuleForm(request.POST)
        conditions = ConditionFormSet(request.POST, prefix="c")
    else:
        initial = (
            {"name": rule.name, "tier": rule.tier, "is_active": rule.is_active} if rule else None
        )
        form = TierRuleForm(initial=initial)
        conditions = ConditionFormSet(
            prefix="c", initial=condition_initial(rule.conditions) if rule else None
        )
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "tier": data["tier"],
            "conditions": conditions_from(conditions),
            "is_active": data["is_active"],
        }
        try:
            if rule is None:
                configuration.tier_rule_create(actor=user, **fields)
            else:
                configuration.tier_rule_update(actor=user, rule=rule, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The tier rules were saved and every customer was tiered again.")
            )
            return redirect("tier-rules")
    context = {
        "form": form,
        "conditions": conditions,
        "rule": rule,
        "rules": _rules_shown(),
        "fields": FIELDS,
    }
    return render(request, "crm/customers/tier_rules.html", context)


@login_required
@require_POST
def tier_rule_delete(request, pk):
    _require(selectors.can_edit_tier_rules(request.user))
    rule = get_object_or_404(TierRule, pk=pk)
    configuration.tier_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The rule was deleted and every customer was tiered again."))
    return redirect("tier-rules")


@login_required
@require_POST
def tier_rule_move(request, pk):
    _require(selectors.can_edit_tier_rules(request.user))
    rule = get_object_or_404(TierRule, pk=pk)
    configuration.tier_rule_move(actor=request.user, rule=rule, up=request.POST.get("to") == "up")
    return redirect("tier-rules")


# -- call outcomes (dispositions) ----------------------------------------------------------------------


@login_required
def disposition_list(request):
    _require(selectors.can_edit_dispositions(request.user))
    return render(
        request,
        "crm/customers/disposition_list.html",
        {"dispositions": Disposition.objects.order_by("order", "code")},
    )


@login_required
def disposition_create(request):
    _require(selectors.can_edit_dispositions(request.user))
    return _disposition_edit(request, None)


@login_required
def disposition_edit(request, pk):
    _require(selectors.can_edit_dispositions(request.user))
    return _disposition_edit(request, get_object_or_404(Disposition, pk=pk))


def _disposition_edit(request, disposition: Disposition | None):
    form = DispositionForm(request.POST or None, instance=disposition)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if disposition is None:
                configuration.disposition_create(actor=request.user, **data)
            else:
                data.pop("code", None)
                configuration.disposition_update(
                    actor=request.user, disposition=disposition, **data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The call outcome was saved."))
            return redirect("dispositions")
    return render(
        request,
        "crm/customers/disposition_form.html",
        {"form": form, "disposition": disposition},
    )
