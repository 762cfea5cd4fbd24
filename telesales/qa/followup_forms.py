"""Forms of the follow-up record checks: the overview and list filters, the rep chooser and
the checklist (a mark per point and a note per customer, and the comment)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Team
from telesales.qa.followups import rules, selectors, services
from telesales.qa.models import FollowUpCheckItem


def _date(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OverviewFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class CheckFilterForm(forms.Form):
    date_from = _date(_("From"))
    date_to = _date(_("To"))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[
            ("", _("All")),
            (selectors.PASSED, _("Passed checks")),
            (selectors.FAILED, _("Failed checks")),
            (selectors.UNACKNOWLEDGED, _("Not yet acknowledged")),
            (selectors.DRAFT, _("My drafts")),
        ],
    )

    def __init__(self, *args, teams=None, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        if reps is not None:
            self.fields["rep"].queryset = reps

    def criteria(self) -> selectors.CheckFilter:
        data = self.cleaned_data
        return selectors.CheckFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            team=data.get("team"),
            rep=data.get("rep"),
            result=data.get("result") or "",
        )


class RepChoiceForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=Employee.objects.none())

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["rep"].label_from_instance = _rep_label


def _rep_label(rep: Employee) -> str:
    team = f" ({rep.team.code})" if rep.team_id and rep.team else ""
    return f"{rep.employee_no} {rep.name}{team}"


def mark_field_name(point: str, customer_id: int) -> str:
    return f"{point}_{customer_id}"


def note_field_name(customer_id: int) -> str:
    return f"note_{customer_id}"


class ChecklistForm(forms.Form):
    """Per customer one choice per checklist point (met, not met, not applicable; empty
    while undecided) and a note; the comment on the whole check. Unbound, a draft shows its
    marks and a new check the suggestions the record gives (records.followup_hints)."""

    SAVE = "save"
    SUBMIT = "submit"

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, customers, items=None, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customers = list(customers)
        items = items or {}
        hints = hints or {}
        choices = [("", "—"), *FollowUpCheckItem.Mark.choices]
        self.points = rules.point_labels()
        for customer in self.customers:
            item = items.get(customer.pk)
            suggested = hints.get(customer.pk, {})
            for point, label in self.points:
                initial = getattr(item, point) if item is not None else suggested.get(point, "")
                self.fields[mark_field_name(point, customer.pk)] = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    initial=initial,
                    widget=forms.RadioSelect,
                )
            self.fields[note_field_name(customer.pk)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                initial=item.note if item is not None else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[dict]:
        """Per customer its fields, for the template."""
        return [
            {
                "customer": customer,
                "marks": [
                    self[mark_field_name(point, customer.pk)] for point, _label in self.points
                ],
                "note": self[note_field_name(customer.pk)],
            }
            for customer in self.customers
        ]

    def marks(self) -> list[services.ItemMarks]:
        data = self.cleaned_data
        return [
            services.ItemMarks(
                customer.pk,
                {
                    point: data.get(mark_field_name(point, customer.pk)) or ""
                    for point, _label in self.points
                },
                data.get(note_field_name(customer.pk)) or "",
            )
            for customer in self.customers
        ]


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
