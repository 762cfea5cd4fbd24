"""Forms of the customer pages: they check the shape of what is typed; the services check
the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telesales.crm.customers.intent import intent_choices, intent_levels
from telesales.crm.customers.phones import PhoneError, phone_normalise
from telesales.crm.customers.selectors import CustomerFilter
from telesales.crm.customers.tiering import FIELDS, OP_LABELS, condition_clean
from telesales.crm.models import Disposition, ScriptVersion, Tier
from telesales.crm.scripts.selectors import versions_for_outcomes
from telesales.org.models import Employee

DATE_INPUT = {"type": "date"}


def _date_field(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.employee_no} {obj.name}"


class CustomerFilterForm(forms.Form):
    DNC_CHOICES = [("", _("Any")), ("no", _("Callable")), ("yes", _("Do not call"))]

    text = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"size": 14, "placeholder": _("name, company or number")}),
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    intent = forms.ChoiceField(label=_("Intent level"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    dnc = forms.ChoiceField(label=_("Do not call"), choices=DNC_CHOICES, required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args, owners, sources: list[str], show_pool: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("All tiers")), *Tier.choices]
        self.fields["intent"].choices = [("", _("Any intent")), *intent_choices()]
        owner_choices = [("", _("Anyone"))]
        if show_pool:
            owner_choices.append(("none", _("Unowned (the pool)")))
        owner_choices += [(str(e.pk), f"{e.employee_no} {e.name}") for e in owners]
        self.fields["owner"].choices = owner_choices
        self.fields["source"].choices = [("", _("Any source")), *((s, s) for s in sources)]

    def criteria(self) -> CustomerFilter:
        data = self.cleaned_data
        return CustomerFilter(
            tier=data["tier"],
            intent=data["intent"],
            owner=data["owner"],
            dnc=data["dnc"],
            source=data["source"],
            text=data["text"].strip(),
        )


class CustomerForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=64,
        help_text=_("A mobile number, or a landline with its area code (010-12345678)."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    company_size = forms.IntegerField(
        label=_("Company size"), min_value=0, max_value=10_000_000, required=False
    )
    source = forms.CharField(label=_("Source"), max_length=80, required=False)
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        help_text=_("Leave it to the rules, or set a tier by hand: it is then kept."),
    )
    intent_level = forms.ChoiceField(label=_("Intent level"))
    intent_on = _date_field(
        _("Intent reached on"),
        help_text=_(
            "Leave empty: the date the intent level first reaches the threshold is recorded."
        ),
    )
    owner = OwnerChoiceField(
        label=_("Owner"), queryset=Employee.objects.none(), required=False, empty_label=_("Unowned")
    )
    dnc = forms.BooleanField(label=_("Do not call"), required=False)
    next_follow_up = _date_field(_("Next follow-up"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("By the rules")), *Tier.choices]
        self.fields["intent_level"].choices = intent_choices()
        self.fields["intent_level"].initial = intent_levels()[0]
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = owners

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        try:
            phone_normalise(value)
        except PhoneError as error:
            raise ValidationError(error.message, code="phone") from None
        return value


class ScriptVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ScriptVersion) -> str:
        return f"{obj.script.title} v{obj.number}"


class OutcomeForm(forms.Form):
    disposition = forms.ModelChoiceField(
        label=_("Outcome"), queryset=Disposition.objects.none(), empty_label=None
    )
    script_version = ScriptVersionChoiceField(
        label=_("Script version used"),
        queryset=ScriptVersion.objects.none(),
        required=False,
        empty_label=_("None named"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_follow_up = _date_field(_("Next follow-up"))

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["disposition"].queryset = Disposition.objects.filter(is_active=True)
        self.fields["script_version"].queryset = versions_for_outcomes()
        self.fields["next_follow_up"].widget.attrs["min"] = today.isoformat()

    def clean_next_follow_up(self):
        value = self.cleaned_data["next_follow_up"]
        if value is not None and value < self.today:
            raise ValidationError(_("The next follow-up cannot be in the past."), code="past")
        return value


class MergeForm(forms.Form):
    other = forms.CharField(
        label=_("Merge with the customer whose number is"),
        max_length=64,
        help_text=_(
            "That customer's outcomes, deals, tickets and history move to this customer, "
            "which is kept."
        ),
    )

    def clean_other(self) -> str:
        value = self.cleaned_data["other"]
        try:
            return phone_normalise(value)
        except PhoneError as error:
            raise ValidationError(error.message, code="phone") from None


class TodayFilterForm(forms.Form):
    rep = OwnerChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps


# -- tier rules ---------------------------------------------------------------------------------------


class TierRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False)
    op = forms.ChoiceField(label=_("Comparison"), required=False)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=300,
        help_text=_("For “∈”, several values separated by commas; for do not call, yes or no."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "—"), *((k, s.label) for k, s in FIELDS.items())]
        ops = sorted({op for spec in FIELDS.values() for op in spec.ops})
        self.fields["op"].choices = [(op, OP_LABELS[op]) for op in ops]

    def clean(self):
        data = super().clean()
        if not data.get("field"):
            data["condition"] = None
            return data
        try:
            data["condition"] = condition_clean(
                {"field": data["field"], "op": data.get("op"), "value": data.get("value")}
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return data


ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, max_num=12)


def condition_initial(conditions: list[dict]) -> list[dict]:
    """Stored conditions as the formset shows them (lists as comma-separated text)."""
    initial = []
    for condition in conditions:
        value = condition.get("value")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        initial.append({"field": condition["field"], "op": condition["op"], "value": value})
    return initial


def conditions_from(formset) -> list[dict]:
    return [f.cleaned_data["condition"] for f in formset.forms if f.cleaned_data.get("condition")]


# -- dispositions -------------------------------------------------------------------------------------


class DispositionForm(forms.ModelForm):
    class Meta:
        model = Disposition
        fields = [
            "code",
            "label",
            "contact",
            "intent",
            "sale",
            "callback",
            "dnc",
            "not_interested",
            "unworkable",
            "recycle_after_days",
            "max_attempts",
            "order",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code is kept: outcomes and reports use it.")
        self.fields["code"].validators.append(_code_validator)

    def validate_unique(self):
        """Uniqueness is the service's to check, with its own message."""


def _code_validator(value: str) -> None:
    if not value.replace("_", "").replace("-", "").isalnum() or not value.isascii():
        raise ValidationError(
            _("A code is made of letters, digits, “_” and “-”, for example no_answer."),
            code="code",
        )
