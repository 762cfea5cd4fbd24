"""The deals pages: the list (scoped, filtered, paginated), one deal, and entering or
correcting a deal by hand. Every deal comes through telesales.sales.selectors, so a deal
outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.models import AuditEvent
from telesales.crm.customers.selectors import phone_viewer
from telesales.org import access
from telesales.sales import selectors
from telesales.sales.forms import DealFilterForm, DealForm
from telesales.sales.models import Deal
from telesales.sales.services import DealFacts, deal_create, deal_update

PAGE_SIZE = 50


def _filter_form(request) -> DealFilterForm:
    data = request.GET.copy()
    data.pop("page", None)
    return DealFilterForm(
        data,
        employees=access.employees_visible_to(request.user)
        .filter(deals__isnull=False)
        .distinct()
        .order_by("employee_no"),
        teams=access.teams_visible_to(request.user),
    )


@login_required
def deal_list(request):
    if not selectors.can_view_deals(request.user):
        raise Http404
    form = _filter_form(request)
    if form.is_valid():
        deals = selectors.deal_list(request.user, form.criteria())
    else:
        deals = selectors.deals_visible_to(request.user).none()
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = phone_viewer(request.user)
    for deal in page:
        deal.phone_shown = viewer.number(deal.customer) if deal.customer else ""
        deal.customer_link = selectors.customer_link_allowed(request.user, deal.customer)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "totals": selectors.deal_totals(deals),
        "can_enter": selectors.can_enter_deals(request.user),
        "can_import": selectors.can_import_deals(request.user),
    }
    return render(request, "sales/deal_list.html", context)


@login_required
def deal_detail(request, pk):
    deal = selectors.access_deal(request.user, pk)
    context = {
        "deal": deal,
        "phone_shown": phone_viewer(request.user).number(deal.customer) if deal.customer else "",
        "customer_link": selectors.customer_link_allowed(request.user, deal.customer),
        "can_edit": selectors.deal_reps_for(request.user, include=deal)
        .filter(pk=deal.employee_id)
        .exists(),
        "history": _history(deal),
    }
    return render(request, "sales/deal_detail.html", context)


def _history(deal) -> list[dict]:
    """The deal's audit trail, newest first, each correction with the fields it changed."""
    events = AuditEvent.objects.filter(object_type="sales.deal", object_id=str(deal.pk))
    history = []
    for event in events.order_by("-at", "-id")[:20]:
        changed = [] if event.action == "deal.create" else list(event.after or {})
        history.append(
            {
                "event": event,
                "created": event.action == "deal.create",
                "fields": [
                    str(Deal._meta.get_field(name.removesuffix("_id")).verbose_name)
                    for name in changed
                ],
            }
        )
    return history


@login_required
def deal_create_view(request):
    if not selectors.can_enter_deals(request.user):
        raise Http404
    return _deal_form(request, None)


@login_required
def deal_edit(request, pk):
    deal = selectors.access_deal(request.user, pk)
    if not selectors.deal_reps_for(request.user, include=deal).filter(pk=deal.employee_id).exists():
        raise Http404
    return _deal_form(request, deal)


def _deal_form(request, deal):
    today = timezone.localdate()
    employees = selectors.deal_reps_for(
        request.user, include=deal.employee if deal is not None else None
    )
    initial = {"closed_on": today, "status": "won"}
    if deal is not None:
        initial = {
            "deal_no": deal.deal_no,
            "employee": deal.employee_id,
            "status": deal.status,
            "product": deal.product_id,
            "amount": deal.amount,
            "gross_profit": deal.gross_profit,
            "closed_on": deal.closed_on,
        }
    else:
        me = access.scope_for(request.user).employee
        if me is not None and employees.filter(pk=me.pk).exists():
            initial["employee"] = me.pk
    form = DealForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        employees=employees,
        products=selectors.products_for_deals(include=deal.product if deal else None),
        today=today,
    )
    if deal is not None:
        form.fields["deal_no"].disabled = True
        form.fields["customer_phone"].help_text = _(
            "Leave it empty to keep the linked customer; a number links the deal to its customer."
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = deal.customer if deal is not None else None
        if data["customer_phone"]:
            customer = selectors.customer_for_phone(data["customer_phone"], user=request.user)
        facts = DealFacts(
            employee=data["employee"],
            customer=customer,
            product=data["product"],
            amount=data["amount"],
            gross_profit=data["gross_profit"],
            closed_on=data["closed_on"],
            status=data["status"],
        )
        try:
            if deal is None:
                saved = deal_create(actor=request.user, deal_no=data["deal_no"], facts=facts)
            else:
                saved = deal_update(actor=request.user, deal=deal, facts=facts)
        except ValidationError as error:
            form.add_error("deal_no" if error.code == "duplicate" else None, error)
        else:
            messages.success(request, _("Deal %(no)s was saved.") % {"no": saved.deal_no})
            if data["customer_phone"] and customer is None:
                messages.warning(
                    request,
                    _(
                        "No customer of yours has the number %(phone)s, so the deal is not "
                        "linked to a customer."
                    )
                    % {"phone": form.data.get("customer_phone", "").strip()},
                )
            return redirect("deal-detail", pk=saved.pk)
    context = {
        "form": form,
        "deal": deal,
        "phone_shown": (
            phone_viewer(request.user).number(deal.customer) if deal and deal.customer else ""
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "sales/deal_form.html", context, status=status)
