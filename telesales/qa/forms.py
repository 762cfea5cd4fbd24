from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telesales.org.models import Employee, Team
from telesales.qa import selectors
from telesales.qa.models import CoachingSession, QueueItem, Review, ScorecardVersion
from telesales.qa.services import CheckpointSpec, Mark


def _date(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# -- reviews -----------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    date_from = _date(_("From"))
    date_to = _date(_("To"))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    verdict = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[
            ("", _("All")),
            (selectors.PASSED, _("Passed")),
            (selectors.FAILED, _("Failed")),
            (selectors.INSTANT_FAIL, _("Instant fail")),
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

    def criteria(self) -> selectors.ReviewFilter:
        data = self.cleaned_data
        return selectors.ReviewFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            team=data.get("team"),
            rep=data.get("rep"),
            verdict=data.get("verdict") or "",
        )


def mark_field_name(checkpoint_id: int) -> str:
    return f"cp_{checkpoint_id}"


def note_field_name(checkpoint_id: int) -> str:
    return f"note_{checkpoint_id}"


class ReviewForm(forms.Form):
    """One field per checkpoint of the version: points 0..max, or triggered yes/no for an
    instant-fail item; a note per checkpoint; the overall comment."""

    SAVE = "save"
    SUBMIT = "submit"

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, version: ScorecardVersion, review: Review | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.checkpoints = selectors.version_checkpoints(version)
        given = {i.checkpoint_id: i for i in review.items.all()} if review is not None else {}
        if review is not None and not self.is_bound:
            self.fields["comment"].initial = review.comment
        for checkpoint in self.checkpoints:
            item = given.get(checkpoint.pk)
            if checkpoint.instant_fail:
                field = forms.TypedChoiceField(
                    label=checkpoint.label,
                    choices=[("no", _("Not triggered")), ("yes", _("Triggered"))],
                    coerce=lambda value: value == "yes",
                    initial="yes" if item is not None and item.triggered else "no",
                    widget=forms.RadioSelect,
                    help_text=checkpoint.guidance,
                )
            else:
                field = forms.IntegerField(
                    label=checkpoint.label,
                    min_value=0,
                    max_value=checkpoint.points,
                    required=False,
                    initial=item.awarded if item is not None else None,
                    help_text=checkpoint.guidance,
                    widget=forms.NumberInput(attrs={"size": 4, "min": 0, "max": checkpoint.points}),
                )
            self.fields[mark_field_name(checkpoint.pk)] = field
            self.fields[note_field_name(checkpoint.pk)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                initial=item.note if item is not None else "",
            )

    def rows(self) -> list[dict]:
        return [
            {
                "checkpoint": checkpoint,
                "field": self[mark_field_name(checkpoint.pk)],
                "note": self[note_field_name(checkpoint.pk)],
            }
            for checkpoint in self.checkpoints
        ]

    def marks(self) -> list[Mark]:
        marks: list[Mark] = []
        for checkpoint in self.checkpoints:
            value = self.cleaned_data.get(mark_field_name(checkpoint.pk))
            note = self.cleaned_data.get(note_field_name(checkpoint.pk)) or ""
            if checkpoint.instant_fail:
                marks.append(Mark(checkpoint.pk, triggered=bool(value), note=note))
            elif value is not None:
                marks.append(Mark(checkpoint.pk, awarded=value, note=note))
        return marks


class VersionChoiceForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Scorecard"), queryset=ScorecardVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = ScorecardVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("scorecard")
        self.fields["version"].label_from_instance = lambda v: f"{v.name} (v{v.number})"
        if versions:
            self.fields["version"].initial = versions[0].pk


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# -- the queue ---------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    week = _date(_("Week of"), help_text=_("Any day of the week."))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    reason = forms.ChoiceField(
        label=_("Why"), required=False, choices=[("", _("Any reason")), *QueueItem.Reason.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (selectors.TO_REVIEW, _("To review")),
            (selectors.IN_DRAFT, _("Draft")),
            (selectors.REVIEWED, _("Reviewed")),
        ],
    )

    def __init__(self, *args, teams=None, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        if reps is not None:
            self.fields["rep"].queryset = reps


class QueueBuildForm(forms.Form):
    week = _date(_("Week of"), required=True)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All my teams")
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class CallLookupForm(forms.Form):
    call_id = forms.CharField(
        label=_("Call id"),
        max_length=80,
        help_text=_("The phone system's id of the call."),
    )


# -- scorecards --------------------------------------------------------------------------------


class ScorecardForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits, “-” and “_”.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    passing_score = forms.DecimalField(
        label=_("Passing score"), min_value=0, max_value=100, decimal_places=2, initial=80
    )

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]


class CheckpointForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10000, required=False)
    label = forms.CharField(label=_("Checkpoint"), max_length=200)
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=1000, required=False)
    instant_fail = forms.BooleanField(label=_("Instant fail"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("instant_fail") and not data.get("points"):
            self.add_error(
                "points", _("A checkpoint that is not an instant-fail item needs points.")
            )
        return data

    def spec(self) -> CheckpointSpec:
        data = self.cleaned_data
        return CheckpointSpec(
            label=data["label"],
            points=0 if data.get("instant_fail") else data.get("points") or 0,
            instant_fail=bool(data.get("instant_fail")),
            guidance=data.get("guidance") or "",
            order=data.get("order") or 0,
        )


class BaseCheckpointFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not any(not f.cleaned_data.get("instant_fail") for f in kept):
            raise ValidationError(_("A scorecard needs at least one checkpoint with points."))

    def specs(self) -> list[CheckpointSpec]:
        return [
            form.spec()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


CheckpointFormSet = forms.formset_factory(
    CheckpointForm, formset=BaseCheckpointFormSet, extra=2, can_delete=True, max_num=60
)


# -- coaching ----------------------------------------------------------------------------------


class CoachingSessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CoachingSession.Kind.choices)
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=Employee.objects.none())
    held_on = _date(_("Date"), required=True)
    customer_phone = forms.CharField(
        label=_("Key customer's phone"),
        required=False,
        max_length=64,
        help_text=_("For a joint call: the phone number of the customer it was held with."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    reviews = forms.ModelMultipleChoiceField(
        label=_("QA reviews discussed"),
        queryset=Review.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, reps, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["reviews"].queryset = reviews
        self.fields["reviews"].label_from_instance = _review_label

    def clean(self):
        data = super().clean()
        if data.get("kind") == CoachingSession.Kind.JOINT_CALL and not data.get("customer_phone"):
            self.add_error(
                "customer_phone", _("A joint call names the key customer it was held with.")
            )
        return data


def _review_label(review: Review) -> str:
    when = review.reviewed_at.strftime("%Y-%m-%d") if review.reviewed_at else ""
    return f"{when} · {review.call.employee.name if review.call.employee else ''} · {review.score}"


class SessionFilterForm(forms.Form):
    rep = forms.ModelChoiceField(
        label=_("Rep"), queryset=Employee.objects.none(), required=False, empty_label=_("Everyone")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *CoachingSession.Kind.choices],
    )

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Employee.objects.none())
    due_on = _date(_("Due"), required=True)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ActionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (selectors.OPEN, _("Open")),
            (selectors.OVERDUE, _("Overdue")),
            (selectors.DONE, _("Done")),
            (selectors.ALL, _("All")),
        ],
    )
    mine = forms.BooleanField(label=_("Mine only"), required=False)
