"""Forms of the allocation pages: they check the shape of the input; the rules are in
services and selectors. Reps and teams are offered from the user's scope only."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from telesales.crm.allocation.selectors import PoolFilter
from telesales.crm.allocation.services import ALLOCATION_METHODS, Plan
from telesales.crm.models import AllocationRun, Tier

MAX_DAYS = 3650
MAX_LEADS = 5000
PLAN_MAX_AGE = 2 * 3600  # seconds a preview may be confirmed in
SMALL = {"size": 5}


class PoolFilterForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices], required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All sources"))], required=False)
    newer_than_days = forms.IntegerField(
        label=_("Received in the last (days)"),
        min_value=0,
        max_value=MAX_DAYS,
        required=False,
        widget=forms.NumberInput(attrs=SMALL),
    )
    older_than_days = forms.IntegerField(
        label=_("Waiting at least (days)"),
        min_value=0,
        max_value=MAX_DAYS,
        required=False,
        widget=forms.NumberInput(attrs=SMALL),
    )

    def __init__(self, *args, sources: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("All sources")), *((s, s) for s in sources)]

    def criteria(self) -> PoolFilter:
        data = self.cleaned_data
        return PoolFilter(
            tier=data.get("tier") or "",
            source=data.get("source") or "",
            newer_than_days=data.get("newer_than_days"),
            older_than_days=data.get("older_than_days"),
        )


class _RepsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.employee_no} {obj.name}"


class AllocationForm(forms.Form):
    """Which of the filtered leads to allocate, to whom, and how."""

    WHICH = [("all", _("All filtered leads")), ("first", _("The first N"))]

    which = forms.ChoiceField(
        label=_("Leads"), choices=WHICH, initial="all", widget=forms.RadioSelect
    )
    count = forms.IntegerField(
        label=_("N"),
        min_value=1,
        max_value=MAX_LEADS,
        required=False,
        widget=forms.NumberInput(attrs=SMALL),
    )
    reps = _RepsField(
        label=_("Reps"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one rep.")},
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m.value, m.label) for m in ALLOCATION_METHODS],
        initial=AllocationRun.Method.ROUND_ROBIN,
    )

    def __init__(self, *args, reps, offered, **kwargs):
        """`reps`: whom the user may choose (their scope); `offered`: the reps listed (those
        who can take leads today)."""
        super().__init__(*args, **kwargs)
        self.fields["reps"].queryset = reps
        self.fields["reps"].widget.choices = [
            (rep.pk, f"{rep.employee_no} {rep.name}") for rep in offered
        ]

    def clean(self):
        data = super().clean()
        if data.get("which") == "first" and not data.get("count"):
            self.add_error("count", _("Give the number of leads to allocate."))
        return data

    def limit(self) -> int | None:
        return self.cleaned_data["count"] if self.cleaned_data["which"] == "first" else None


class ReclaimForm(forms.Form):
    days = forms.IntegerField(
        label=_("Untouched for at least (days)"),
        min_value=1,
        max_value=365,
        initial=7,
        widget=forms.NumberInput(attrs=SMALL),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All my teams")
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=None, required=False, empty_label=_("Every rep")
    )

    def __init__(self, *args, teams, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["rep"].queryset = reps


class RecycleForm(forms.Form):
    ACTIONS = [
        ("pool", _("Return them to the pool")),
        ("reassign", _("Give them round robin to other reps")),
    ]

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All my teams")
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=None, required=False, empty_label=_("Every rep")
    )
    action = forms.ChoiceField(
        label=_("Then"), choices=ACTIONS, initial="pool", widget=forms.RadioSelect
    )
    reps = _RepsField(
        label=_("Reps to give them to"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, teams, reps, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["rep"].queryset = reps
        self.fields["reps"].queryset = reps
        self.fields["reps"].widget.choices = [
            (rep.pk, f"{rep.employee_no} {rep.name}") for rep in offered
        ]

    def clean(self):
        data = super().clean()
        if data.get("action") == "reassign" and not data.get("reps"):
            self.add_error("reps", _("Choose the reps who take the recycled leads."))
        return data


class ReassignForm(forms.Form):
    to_owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=None, required=False, empty_label=_("Nobody: the pool")
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_owner"].queryset = reps


def _salt(user) -> str:
    return f"telesales.allocation.plan:{user.pk}"


def plan_token(plan: Plan, user) -> str:
    """The previewed plan, signed for this user, carried to the confirmation."""
    return signing.dumps(plan.as_data(), salt=_salt(user), compress=True)


class PlanExpired(Exception):
    pass


class PlanConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)

    def plan(self, user) -> Plan | None:
        """The plan the user previewed; None when the token was not made for them;
        PlanExpired when it is too old."""
        try:
            data = signing.loads(self.cleaned_data["token"], salt=_salt(user), max_age=PLAN_MAX_AGE)
        except signing.SignatureExpired:
            raise PlanExpired from None
        except signing.BadSignature:
            return None
        return Plan.from_data(data)
