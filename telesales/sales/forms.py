from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.crm.customers.phones import PhoneError, phone_normalise
from telesales.org.models import Employee, Team
from telesales.sales.models import Deal, Product
from telesales.sales.selectors import DealFilter

DATE_INPUT = {"type": "date"}


def _date_field(label, *, required=False):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )


def _money_field(label, help_text=""):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )


class DealFilterForm(forms.Form):
    date_from = _date_field(_("Closed from"))
    date_to = _date_field(_("Closed until"))
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Won and refunded")), *Deal.Status.choices],
        required=False,
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.all(),
        required=False,
        empty_label=_("All products"),
    )
    key_only = forms.BooleanField(label=_("Key products only"), required=False)
    deal_no = forms.CharField(
        label=_("Deal number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"size": 12}),
    )

    def __init__(self, *args, employees=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["rep"].queryset = employees
        if teams is not None:
            self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def criteria(self) -> DealFilter:
        data = self.cleaned_data
        return DealFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            employee=data.get("rep"),
            team=data.get("team"),
            status=data.get("status") or "",
            product=data.get("product"),
            key_only=bool(data.get("key_only")),
            deal_no=data.get("deal_no") or "",
        )


class DealForm(forms.Form):
    """A deal or refund entered by hand; the rep is chosen among those the user may enter
    deals for."""

    deal_no = forms.CharField(
        label=_("Deal number"),
        max_length=60,
        help_text=_("The order's number in the order system; a refund has its own number."),
    )
    employee = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), empty_label=None
    )
    status = forms.ChoiceField(label=_("Status"), choices=Deal.Status.choices)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    amount = _money_field(
        _("Amount"), _("In yuan. A refund is entered with a positive amount and status Refunded.")
    )
    gross_profit = _money_field(_("Gross profit"))
    closed_on = _date_field(_("Closed on"), required=True)
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=64,
        required=False,
        help_text=_("The deal is linked to the customer with this number, when there is one."),
    )

    def __init__(self, *args, employees, products, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["employee"].queryset = employees
        self.fields["product"].queryset = products
        self.fields["closed_on"].widget.attrs["max"] = today.isoformat()

    def clean_deal_no(self) -> str:
        return self.cleaned_data["deal_no"].strip()

    def clean_customer_phone(self) -> str:
        text = self.cleaned_data["customer_phone"].strip()
        if not text:
            return ""
        try:
            return phone_normalise(text)
        except PhoneError as error:
            raise forms.ValidationError(error.message) from None

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than 0."))
        return amount

    def clean_closed_on(self) -> dt.date:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > self.today:
            raise forms.ValidationError(_("The date is in the future."))
        return closed_on

    def clean(self):
        data = super().clean()
        amount, profit = data.get("amount"), data.get("gross_profit")
        if amount is not None and profit is not None and profit > amount:
            self.add_error("gross_profit", _("The gross profit is more than the amount."))
        return data
