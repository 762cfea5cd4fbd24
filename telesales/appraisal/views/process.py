"""Appraisal pages: the process panel of one appraisal (PRODUCT.md §6.6) — the target
agreement, the workflow moves, feedback notes, the result interview, the appeal and the
improvement plan. The panel (`appraisal/_process.html`) is shown on the scorecard page with
`process_context`; every form posts here, calls one service of `telesales.appraisal.process`
and returns to the scorecard. An appraisal the user may not see is a 404 and changes nothing;
a refusal of the service is shown as a message."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from telesales.appraisal import process
from telesales.appraisal.access import access_appraisal, is_appraisee
from telesales.appraisal.models import (
    ActionStatus,
    Appeal,
    AppealOutcome,
    Appraisal,
    AppraisalStatus,
    Curve,
    ImprovementAction,
    Interview,
)
from telesales.appraisal.workflow import NEEDS_REASON

Status = AppraisalStatus
TEXT_MAX = 5000


# --- forms: the shape of each post; the rules are the services' ---------------------------------


def _text(label, *, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    reason = _text(gettext_lazy("Reason"), rows=2)


class NoteForm(forms.Form):
    text = _text(gettext_lazy("Note"))
    shared = forms.BooleanField(
        label=gettext_lazy("Show to the appraisee"), required=False, initial=True
    )


class InterviewForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = _text(gettext_lazy("Interview notes"), rows=4)


class AcknowledgeForm(forms.Form):
    comment = _text(gettext_lazy("Your comment (optional)"), rows=2)


class AppealForm(forms.Form):
    reason = _text(gettext_lazy("Grounds of the appeal"))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    reason = _text(gettext_lazy("Reason for the decision"))
    to_grade = forms.ChoiceField(label=gettext_lazy("New grade"), required=False, choices=())
    to_total = forms.CharField(label=gettext_lazy("New total (optional)"), required=False)

    def __init__(self, *args, grades: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = [("", "—"), *((g, g) for g in grades)]
        self.fields["to_total"].widget.attrs.update({"inputmode": "decimal", "size": 6})


class ActionForm(forms.Form):
    text = _text(gettext_lazy("Action"), rows=2)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None)
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kpi = forms.ChoiceField(label=gettext_lazy("KPI (optional)"), required=False, choices=())

    def __init__(self, *args, owners, kpis: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda e: f"{e.employee_no} {e.name}"
        self.fields["kpi"].choices = [("", "—"), *kpis]


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ActionStatus.DONE, ActionStatus.DONE.label),
            (ActionStatus.DROPPED, ActionStatus.DROPPED.label),
        ]
    )


# --- helpers ------------------------------------------------------------------------------------


def _kpi_labels(codes) -> dict[str, str]:
    """Each KPI's label: the registry's, the scorecard's for a rated KPI, else its code."""
    from telesales.appraisal.views import scorecard
    from telesales.kpi import registry

    registry._load()
    rated = getattr(scorecard, "RATED_LABELS", {})
    labels = {}
    for code in codes:
        if code in registry.DEFINITIONS:
            labels[code] = str(registry.DEFINITIONS[code].label)
        else:
            labels[code] = str(rated.get(code, code))
    return labels


def _owners(user, appraisal: Appraisal):
    """Who may own an action: the people the user sees who are still employed, the appraisee
    and the rater always among them."""
    from django.db.models import Q

    from telesales.org.access import employees_visible_to
    from telesales.org.models import Employee

    today = timezone.localdate()
    employed = Q(leave_date__isnull=True) | Q(leave_date__gt=today)
    ids = [appraisal.employee_id, *([appraisal.rater_id] if appraisal.rater_id else [])]
    return (
        Employee.objects.filter(Q(pk__in=employees_visible_to(user).values("pk")) | Q(pk__in=ids))
        .filter(employed)
        .order_by("employee_no")
    )


def _back(appraisal: Appraisal):
    return redirect(reverse("appraisal-detail", kwargs={"pk": appraisal.pk}))


def _run(request, action, success: str) -> None:
    """Run a service: its refusal (a rule or a right the user lacks) becomes a message and
    nothing changes."""
    try:
        action()
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not do this on this appraisal."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


def _form_errors(request, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _appraisal(request, pk) -> Appraisal:
    return access_appraisal(request.user, pk)


# --- the posts ----------------------------------------------------------------------------------


def _posted(request, appraisal: Appraisal, form: forms.Form | None, service, success):
    """One post of the panel: a form that does not validate shows its errors; else the
    service runs with the cleaned data (`service(data)`), and its refusal becomes a message
    (`_run`). `success` is the message, or a function of the data giving it. Always back to
    the scorecard."""
    if form is not None and not form.is_valid():
        _form_errors(request, form)
        return _back(appraisal)
    data = form.cleaned_data if form is not None else {}
    _run(request, lambda: service(data), success(data) if callable(success) else success)
    return _back(appraisal)


@login_required
@require_POST
def appraisal_move(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        MoveForm(request.POST),
        lambda data: process.appraisal_move(
            actor=request.user,
            appraisal=appraisal,
            to_status=data["to_status"],
            reason=data["reason"],
        ),
        lambda data: (
            _("The appraisal is now “%(status)s”.") % {"status": Status(data["to_status"]).label}
        ),
    )


@login_required
@require_POST
def agreement_confirm(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        None,
        lambda data: process.agreement_confirm(actor=request.user, appraisal=appraisal),
        _("You confirmed the targets and standards."),
    )


@login_required
@require_POST
def note_add(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        NoteForm(request.POST),
        lambda data: process.note_add(
            actor=request.user, appraisal=appraisal, text=data["text"], shared=data["shared"]
        ),
        _("The note is saved."),
    )


@login_required
@require_POST
def interview_record(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        InterviewForm(request.POST),
        lambda data: process.interview_record(
            actor=request.user, appraisal=appraisal, held_on=data["held_on"], notes=data["notes"]
        ),
        _("The result interview is recorded; the appraisee is asked to acknowledge it."),
    )


@login_required
@require_POST
def interview_acknowledge(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        AcknowledgeForm(request.POST),
        lambda data: process.interview_acknowledge(
            actor=request.user, appraisal=appraisal, comment=data["comment"]
        ),
        _("You acknowledged the result interview."),
    )


@login_required
@require_POST
def appeal_file(request, pk):
    appraisal = _appraisal(request, pk)
    return _posted(
        request,
        appraisal,
        AppealForm(request.POST),
        lambda data: process.appeal_file(
            actor=request.user, appraisal=appraisal, reason=data["reason"]
        ),
        _("Your appeal is filed; you will see the decision here."),
    )


def _open_appeal(appraisal: Appraisal) -> Appeal | None:
    return appraisal.appeals.filter(outcome="").order_by("-filed_at", "-pk").first()


def _grades(appraisal: Appraisal) -> list[str]:
    from telesales.appraisal.schemes import scheme_load

    return [*scheme_load(appraisal.cycle.scheme.code).grades, process.LOWEST_GRADE]


@login_required
@require_POST
def appeal_decide(request, pk):
    appraisal = _appraisal(request, pk)
    appeal = _open_appeal(appraisal)
    if appeal is None:
        messages.error(request, _("There is no open appeal on this appraisal."))
        return _back(appraisal)
    return _posted(
        request,
        appraisal,
        DecideForm(request.POST, grades=_grades(appraisal)),
        lambda data: process.appeal_decide(
            actor=request.user,
            appeal=appeal,
            outcome=data["outcome"],
            reason=data["reason"],
            to_grade=data["to_grade"] or None,
            to_total=data["to_total"] or None,
        ),
        _("The appeal is decided and the appraisal is closed."),
    )


@login_required
@require_POST
def action_add(request, pk):
    appraisal = _appraisal(request, pk)
    form = ActionForm(
        request.POST,
        owners=_owners(request.user, appraisal),
        kpis=list(_kpi_labels(process.scheme_kpis(appraisal)).items()),
    )
    return _posted(
        request,
        appraisal,
        form,
        lambda data: process.action_add(
            actor=request.user,
            appraisal=appraisal,
            text=data["text"],
            owner=data["owner"],
            due_on=data["due_on"],
            kpi=data["kpi"],
        ),
        _("The improvement action is added."),
    )


@login_required
@require_POST
def action_update(request, pk, action_pk):
    appraisal = _appraisal(request, pk)
    action = ImprovementAction.objects.filter(appraisal=appraisal, pk=action_pk).first()
    if action is None:
        raise Http404
    return _posted(
        request,
        appraisal,
        ActionUpdateForm(request.POST),
        lambda data: process.action_update(
            actor=request.user, action=action, status=data["status"]
        ),
        lambda data: (
            _("The action is marked “%(status)s”.") % {"status": ActionStatus(data["status"]).label}
        ),
    )


urlpatterns = [
    path("<int:pk>/move/", appraisal_move, name="appraisal-move"),
    path("<int:pk>/agree/", agreement_confirm, name="appraisal-agree"),
    path("<int:pk>/notes/", note_add, name="appraisal-note-add"),
    path("<int:pk>/interview/", interview_record, name="appraisal-interview"),
    path("<int:pk>/interview/acknowledge/", interview_acknowledge, name="appraisal-acknowledge"),
    path("<int:pk>/appeal/", appeal_file, name="appraisal-appeal"),
    path("<int:pk>/appeal/decide/", appeal_decide, name="appraisal-appeal-decide"),
    path("<int:pk>/actions/", action_add, name="appraisal-action-add"),
    path("<int:pk>/action/<int:action_pk>/", action_update, name="appraisal-action-update"),
]


# --- the panel ----------------------------------------------------------------------------------


class ProcessContext(dict):
    """The panel's context: one key, `process`, so that it never shadows a key of the page.
    Looking up any panel key on it also works, so the page may either merge it into its
    context or put it under `process`."""

    def __missing__(self, key):
        panel = dict.get(self, "process")
        if panel is None or key not in panel:
            raise KeyError(key)
        return panel[key]


def _agreement_lines(appraisal: Appraisal, result: dict | None) -> list[dict]:
    """The scheme's KPI lines with the targets the two sides confirm: the target resolved
    for this appraisee (from the targets of §7 when the scheme gives none)."""
    from telesales.appraisal.publication import result_live
    from telesales.appraisal.schemes import scheme_load

    scheme = scheme_load(appraisal.cycle.scheme.code)
    if result is None:
        result = result_live(appraisal, scheme=scheme)
    targets = {row["kpi"]: row.get("target") for row in result.get("kpis", [])}
    labels = _kpi_labels(line.kpi for c in scheme.categories for line in c.kpis)
    return [
        {
            "category": category.name,
            "category_weight": category.weight.normalize(),
            "kpi": line.kpi,
            "label": labels[line.kpi],
            "weight": line.weight.normalize(),
            "curve": Curve(line.curve).label,
            "target": targets.get(line.kpi, line.target),
            "cap": line.cap.normalize(),
        }
        for category in scheme.categories
        for line in category.kpis
    ]


def process_context(request, appraisal: Appraisal, result: dict | None = None) -> dict:
    """Everything `appraisal/_process.html` shows of one appraisal to this viewer, and the
    forms they may use. `result` is the page's live result when it has one (the panel then
    does not score the appraisal again to show the targets). A bounded number of queries."""
    user = request.user
    status = appraisal.status
    appraisee = is_appraisee(user, appraisal)
    runs = process.runs(user, appraisal)
    today = timezone.localdate()

    agreement = {
        "appraisee_at": appraisal.appraisee_agreed_at,
        "rater_at": appraisal.rater_agreed_at,
        "can_confirm": process.can_confirm(user, appraisal),
        "side": process.agreement_side(user, appraisal),
        "lines": _agreement_lines(appraisal, result) if status == Status.DRAFT else [],
    }
    moves = [
        {
            "to": to_status,
            "label": Status(to_status).label,
            "needs_reason": (status, to_status) in NEEDS_REASON,
            "form": MoveForm(
                initial={"to_status": to_status}, auto_id=f"process-move-{to_status}-%s"
            ),
        }
        for to_status in process.generic_moves_for(user, appraisal)
    ]

    interview = Interview.objects.filter(appraisal=appraisal).first()
    can_record = process.can_record_interview(user, appraisal)
    can_acknowledge = (
        appraisee
        and status == Status.PUBLISHED
        and interview is not None
        and interview.acknowledged_at is None
    )

    appeals = list(
        appraisal.appeals.select_related(
            "snapshot_before", "snapshot_after", "decided_by__employee"
        ).order_by("filed_at", "pk")
    )
    deadline = process.appeal_deadline(appraisal) if status == Status.INTERVIEWED else None
    can_appeal = (
        appraisee
        and status == Status.INTERVIEWED
        and not appeals
        and (deadline is None or timezone.now() <= deadline)
    )
    can_decide = process.can_decide(user, appraisal) and any(not a.outcome for a in appeals)

    actions = list(
        appraisal.actions.select_related("owner", "carried_from__appraisal__cycle").order_by(
            "due_on", "pk"
        )
    )
    for action in actions:
        action.appraisal = appraisal  # the rights below need only this appraisal
    action_rows = [
        {
            "action": action,
            "carried_period": (
                action.carried_from.appraisal.cycle.period if action.carried_from_id else ""
            ),
            "overdue": action.status == ActionStatus.OPEN and action.due_on < today,
            "can_update": process.can_update_action(user, action),
        }
        for action in actions
    ]
    kpi_labels = _kpi_labels(row["action"].kpi for row in action_rows if row["action"].kpi)

    panel = {
        "appraisal": appraisal,
        "status": status,
        "status_label": Status(status).label,
        "is_appraisee": appraisee,
        "runs": runs,
        "agreement": agreement,
        "moves": moves,
        "notes": process.notes_visible(user, appraisal),
        "note_form": NoteForm(auto_id="process-note-%s")
        if process.can_note(user, appraisal)
        else None,
        "note_shared_choice": not appraisee,
        "interview": interview,
        "interview_form": (
            InterviewForm(
                auto_id="process-interview-%s",
                initial={
                    "held_on": interview.held_on if interview else today,
                    "notes": interview.notes if interview else "",
                },
            )
            if can_record
            else None
        ),
        "acknowledge_form": AcknowledgeForm(auto_id="process-acknowledge-%s")
        if can_acknowledge
        else None,
        "appeals": appeals,
        "appeal_deadline": deadline,
        "appeal_form": AppealForm(auto_id="process-appeal-%s") if can_appeal else None,
        "decide_form": DecideForm(grades=_grades(appraisal), auto_id="process-decide-%s")
        if can_decide
        else None,
        "actions": action_rows,
        "action_kpi_labels": kpi_labels,
        "action_form": (
            ActionForm(
                auto_id="process-action-%s",
                initial={"owner": appraisal.employee_id, "due_on": today + dt.timedelta(days=30)},
                owners=_owners(user, appraisal),
                kpis=list(_kpi_labels(process.scheme_kpis(appraisal)).items()),
            )
            if runs
            else None
        ),
        "today": today,
    }
    return ProcessContext(process=panel)


# --- to-dos -------------------------------------------------------------------------------------


def _todo_url(pks: list[int]) -> str:
    if len(pks) == 1:
        return reverse("appraisal-detail", kwargs={"pk": pks[0]})
    return reverse("appraisal-home")


def process_todos(user, today: dt.date) -> list:
    """The appraisee: confirm their targets, acknowledge their result interview. The rater:
    confirm the targets, record the interview. Two queries whatever the data."""
    from django.db.models import Q

    from telesales.core.todos import Todo
    from telesales.org.access import user_employee

    employee = user_employee(user)
    if employee is None:
        return []
    rows = Appraisal.objects.filter(Q(employee_id=employee.pk) | Q(rater_id=employee.pk)).filter(
        status__in=[Status.DRAFT, Status.PUBLISHED]
    )
    rows = rows.values_list(
        "pk",
        "employee_id",
        "rater_id",
        "status",
        "appraisee_agreed_at",
        "rater_agreed_at",
        "interview__pk",
        "interview__acknowledged_at",
    ).order_by("pk")
    confirm_own, acknowledge, confirm_rater, record = [], [], [], []
    for pk, employee_id, rater_id, status, own_at, rater_at, interview, acknowledged in rows:
        if employee_id == employee.pk:
            if status == Status.DRAFT and own_at is None:
                confirm_own.append(pk)
            elif status == Status.PUBLISHED and interview and acknowledged is None:
                acknowledge.append(pk)
        elif rater_id == employee.pk:
            if status == Status.DRAFT and rater_at is None:
                confirm_rater.append(pk)
            elif status == Status.PUBLISHED and (interview is None or acknowledged is not None):
                record.append(pk)
    todos = []
    if confirm_own:
        todos.append(
            Todo(_("Confirm the targets and standards of your appraisal"), _todo_url(confirm_own))
        )
    if acknowledge:
        todos.append(Todo(_("Acknowledge your result interview"), _todo_url(acknowledge)))
    if confirm_rater:
        todos.append(
            Todo(
                ngettext(
                    "Confirm the targets of %(count)s appraisal you rate",
                    "Confirm the targets of %(count)s appraisals you rate",
                    len(confirm_rater),
                )
                % {"count": len(confirm_rater)},
                _todo_url(confirm_rater),
            )
        )
    if record:
        todos.append(
            Todo(
                ngettext(
                    "Record the result interview of %(count)s appraisal",
                    "Record the result interviews of %(count)s appraisals",
                    len(record),
                )
                % {"count": len(record)},
                _todo_url(record),
            )
        )
    return todos


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from telesales.core.todos import todo_source_register

    todo_source_register("appraisal-process", process_todos)
