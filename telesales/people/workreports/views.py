"""The work-report pages: a supervisor's own reports with their due times, writing and
submitting a report, a report with its history, and the superior's inbox with its overview
of timeliness and quality. Every page reads through telesales.people.workreports.access;
anything out of scope is a 404 and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from telesales.core.periods import Period, period_of
from telesales.org.access import user_employee
from telesales.org.models import Employee
from telesales.people.workreports import access, selectors, services
from telesales.people.workreports.forms import (
    InboxFilterForm,
    PeriodForm,
    RateForm,
    ReportForm,
    ReturnForm,
)
from telesales.people.workreports.models import ReportKind, WorkReport
from telesales.people.workreports.schedule import (
    DRAFT,
    LATE,
    MISSING,
    NOT_STARTED,
    ON_TIME,
    RETURNED,
    DueReport,
    due_at,
    due_rule_current,
    owes,
    period_for,
)

PAGE_SIZE = 50
STATE_LABELS = {
    NOT_STARTED: gettext_lazy("Not started"),
    DRAFT: gettext_lazy("Draft"),
    RETURNED: gettext_lazy("Returned for revision"),
    ON_TIME: gettext_lazy("Submitted on time"),
    LATE: gettext_lazy("Submitted late"),
    MISSING: gettext_lazy("Missing"),
}
STATE_BADGES = {ON_TIME: "ok", LATE: "bad", MISSING: "bad"}


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _row(item: DueReport, now: dt.datetime, *, author: Employee | None = None) -> dict:
    state = item.state(now)
    report = item.report
    return {
        "item": item,
        "author": author or item.author,
        "report": report,
        "state": state,
        "state_label": STATE_LABELS[state],
        "badge": STATE_BADGES.get(state, ""),
        "kind_label": ReportKind(item.kind).label,
        "late_returned": state == RETURNED and not item.on_time,
        "editable": (report is None or report.status in services.EDITABLE)
        and item.period.start <= timezone.localdate(),
        "write_url": reverse("workreport-write", args=[item.kind, item.period.start.isoformat()]),
    }


def _neighbours(period: Period) -> dict[str, str]:
    """The codes of the periods of the same kind before and after (for a year, quarter or
    month)."""
    if period.kind not in {"year", "quarter", "month"}:
        return {}
    following = period_of(period.end + dt.timedelta(days=1), period.kind)
    return {"previous": period.previous().code, "next": following.code}


def _apply(request, action) -> bool:
    """Run a service; a refusal becomes a message (False), a missing right a 404."""
    try:
        action()
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    return True


# -- my reports --------------------------------------------------------------------------------


@login_required
def my_reports(request):
    user = request.user
    _require(access.can_see_my_reports(user))
    employee = user_employee(user)
    _require(employee is not None)
    now = timezone.now()
    form = PeriodForm(request.GET or None)
    period = form.chosen_period()
    rule = due_rule_current()
    items = selectors.my_reports(employee, period, now=now, rule=rule)
    on_time, due = selectors.timeliness_counts(items, now)
    rated = [i.report.rating for i in items if i.report is not None and i.report.rating]
    context = {
        "form": form,
        "period": period,
        "rows": [_row(item, now, author=employee) for item in items],
        "counts": selectors.state_counts(items, now),
        "due": due,
        "on_time": on_time,
        "rated": len(rated),
        "quality": sum(rated) / len(rated) if rated else None,
        "rule": rule,
        "neighbours": _neighbours(period),
        "weekday": WEEKDAYS[rule.weekly_weekday - 1],
    }
    return render(request, "workreports/my_reports.html", context)


# -- writing -----------------------------------------------------------------------------------


@login_required
def report_write(request, kind, start):
    """Write or edit one's own report for a week or a month; "Save draft" stores the text,
    "Submit" stores and submits it, or stores nothing when a required section is empty."""
    user = request.user
    _require(access.can_see_my_reports(user))
    author = user_employee(user)
    _require(author is not None)
    try:
        period = period_for(kind, dt.date.fromisoformat(start))
    except ValueError:
        period = None
    _require(period is not None)
    report = WorkReport.objects.filter(author=author, kind=kind, period_start=period.start).first()
    if report is None:
        _require(period.start <= timezone.localdate() and owes(author, period))
    elif report.status not in services.EDITABLE:
        messages.error(
            request,
            _(
                "This report has been submitted and can no longer be changed; it can be edited "
                "again only if it is returned for revision."
            ),
        )
        return redirect("workreport-detail", pk=report.pk)
    if request.method == "POST":
        form = ReportForm(request.POST)
        submit = "submit" in request.POST
        if form.is_valid():
            saved: list[WorkReport] = []

            def save():
                saved.append(
                    services.report_save(
                        actor=user,
                        author=author,
                        kind=kind,
                        period_start=period.start,
                        sections=form.sections(),
                        submit=submit,
                    )
                )

            if _apply(request, save):
                messages.success(
                    request,
                    _("The report for %(period)s was submitted.") % {"period": period.code}
                    if submit
                    else _("The draft for %(period)s was saved.") % {"period": period.code},
                )
                return redirect("workreport-detail", pk=saved[0].pk)
        else:
            messages.error(request, _("The report was not saved; see the messages by the fields."))
    else:
        initial = {name: getattr(report, name) for name, _l in services.SECTIONS} if report else {}
        form = ReportForm(initial=initial)
    context = {
        "form": form,
        "period": period,
        "kind_label": ReportKind(kind).label,
        "report": report,
        "due_at": due_at(period, due_rule_current()),
        "required": services.REQUIRED_SECTIONS,
    }
    return render(request, "workreports/report_write.html", context)


# -- one report --------------------------------------------------------------------------------


@login_required
def report_detail(request, pk):
    user = request.user
    report = access.access_report(user, pk)
    now = timezone.now()
    entry = selectors.report_due(report)
    moves = services.report_moves_for(user, report)
    may_rate = access.may_rate(user, report) and report.status == WorkReport.Status.SUBMITTED
    context = {
        "report": report,
        "row": _row(entry, now),
        "sections": [(label, getattr(report, name)) for name, label in services.SECTIONS],
        "history": selectors.report_history(report),
        "can_submit": any(to == WorkReport.Status.SUBMITTED for to, _m in moves),
        "can_return": any(to == WorkReport.Status.RETURNED for to, _m in moves),
        "can_edit": access.may_write(user, report.author) and report.status in services.EDITABLE,
        "return_form": ReturnForm(),
        "rate_form": RateForm(initial={"rating": report.rating, "comment": report.rating_comment})
        if may_rate
        else None,
        "back": reverse("workreport-mine")
        if access.may_write(user, report.author)
        else reverse("workreport-inbox"),
    }
    return render(request, "workreports/report_detail.html", context)


@login_required
@require_POST
def report_submit(request, pk):
    report = access.access_report(request.user, pk)
    _require(access.may_write(request.user, report.author))
    if _apply(
        request,
        lambda: services.report_transition(
            actor=request.user, report=report, to_status=WorkReport.Status.SUBMITTED
        ),
    ):
        messages.success(request, _("The report was submitted."))
    return redirect("workreport-detail", pk=report.pk)


@login_required
@require_POST
def report_return(request, pk):
    report = access.access_report(request.user, pk)
    _require(access.may_rate(request.user, report))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the report is returned, so its author can revise it."))
        return redirect("workreport-detail", pk=report.pk)
    if _apply(
        request,
        lambda: services.report_transition(
            actor=request.user,
            report=report,
            to_status=WorkReport.Status.RETURNED,
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, _("The report was returned to its author for revision."))
    return redirect("workreport-detail", pk=report.pk)


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def report_rate(request, pk):
    report = access.access_report(request.user, pk)
    _require(access.may_rate(request.user, report))
    back = _next_or(request, reverse("workreport-detail", args=[report.pk]))
    form = RateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    if _apply(
        request,
        lambda: services.report_rate(
            actor=request.user,
            report=report,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        ),
    ):
        messages.success(
            request,
            _("%(name)s's report for %(period)s was rated %(rating)s.")
            % {
                "name": report.author.name,
                "period": period_for(report.kind, report.period_start).code,
                "rating": form.cleaned_data["rating"],
            },
        )
    return redirect(back)


# -- the inbox ---------------------------------------------------------------------------------


@login_required
def inbox(request):
    """The reports of the supervisors under the user (all of them for HR and administrators)
    falling due in the period, filtered, with each supervisor's timeliness and mean quality."""
    user = request.user
    _require(access.can_see_inbox(user))
    now = timezone.now()
    data = request.GET.copy()
    data.pop("page", None)
    items = selectors.inbox_reports(user, PeriodForm(data).chosen_period())
    authors = Employee.objects.filter(pk__in={item.author_id for item in items})
    form = InboxFilterForm(data, authors=authors)
    status, author = "", None
    if form.is_valid():
        status, author = form.cleaned_data["status"], form.cleaned_data["author"]
    shown = [
        item
        for item in items
        if (author is None or item.author_id == author.pk) and selectors.matches(item, status, now)
    ]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    raters = access.authors_rated_by(user)
    rows = []
    for item in page:
        row = _row(item, now)
        row["can_rate"] = (
            item.report is not None
            and item.report.status == WorkReport.Status.SUBMITTED
            and (raters is None or item.author_id in raters)
        )
        rows.append(row)
    period = PeriodForm(data).chosen_period()
    context = {
        "form": form,
        "period": period,
        "neighbours": _neighbours(period),
        "page": page,
        "rows": rows,
        "query": data.urlencode(),
        "overview": selectors.overview(items, now),
        "rating_choices": range(1, 6),
        "here": request.get_full_path(),
    }
    return render(request, "workreports/inbox.html", context)
