from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.core.periods import Period, PeriodError, period_parse
from telesales.feedback.customers import phone_e164
from telesales.feedback.models import Priority, SlaRule, Ticket, TicketKind
from telesales.feedback.selectors import ACTIVE, TicketFilter
from telesales.org.models import Department, Employee


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ACTIVE, _("Not closed")), ("all", _("All")), *Ticket.Status.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *TicketKind.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("All priorities")), *Priority.choices],
        required=False,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments

    def criteria(self) -> TicketFilter:
        data = self.cleaned_data
        status = data.get("status") or ACTIVE
        return TicketFilter(
            status="" if status == "all" else status,
            kind=data.get("kind") or "",
            priority=data.get("priority") or "",
            overdue=bool(data.get("overdue")),
            department=data.get("department"),
            mine=bool(data.get("mine")),
        )


class TicketOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    department = forms.ModelChoiceField(
        label=_("Route to department"), queryset=Department.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=64,
        required=False,
        help_text=_("Optional: the phone number of the customer concerned."),
    )
    employee = forms.ModelChoiceField(
        label=_("Rep"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("— the customer's owner, if any —"),
        help_text=_("A complaint counts in this rep's KPIs."),
    )

    def __init__(self, *args, departments, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["employee"].queryset = reps

    def clean_customer_phone(self) -> str | None:
        text = self.cleaned_data.get("customer_phone", "").strip()
        if not text:
            return None
        number = phone_e164(text)
        if number is None:
            raise forms.ValidationError(_("This is not a phone number."), code="phone")
        return number


class TicketTransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Ticket.Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TicketCommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class TicketAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people


class TicketRouteForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Route to department"), queryset=Department.objects.none()
    )
    comment = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


def sla_field_name(kind: str, priority: str) -> str:
    return f"hours_{kind}_{priority}"


class SlaRulesForm(forms.Form):
    """Hours to resolve, one field per kind and priority."""

    def __init__(self, *args, **kwargs):
        from telesales.feedback.services import MAX_SLA_HOURS

        super().__init__(*args, **kwargs)
        stored = {(r.kind, r.priority): r.hours for r in SlaRule.objects.all()}
        self.cells: list[tuple[str, str]] = []
        for kind, _kind_label in TicketKind.choices:
            for priority, _priority_label in Priority.choices:
                name = sla_field_name(kind, priority)
                self.fields[name] = forms.IntegerField(
                    label=f"{_kind_label} · {_priority_label}",
                    min_value=1,
                    max_value=MAX_SLA_HOURS,
                    initial=stored.get((kind, priority)),
                    widget=forms.NumberInput(attrs={"size": 5}),
                )
                self.cells.append((kind, priority))

    def rows(self) -> list[dict]:
        """One row per kind with its fields in priority order, for the table."""
        return [
            {
                "kind": label,
                "fields": [
                    self[sla_field_name(kind, priority)] for priority, _l in Priority.choices
                ],
            }
            for kind, label in TicketKind.choices
        ]


class SurveyFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("2026-09 (a month), 2026-Q3, 2026, or 2026-09-01..2026-09-15"),
        widget=forms.TextInput(attrs={"size": 14}),
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employees is not None:
            self.fields["rep"].queryset = employees

    def clean_period(self) -> Period:
        try:
            return period_parse(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="period") from None
