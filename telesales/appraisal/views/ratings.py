"""Appraisal pages: the 360 ratings (PRODUCT.md §5 rated KPIs).

- `ratings/` — the rater's inbox: the rating requests sent to the logged-in employee;
- `ratings/<pk>/` — the rating form of one request, for the person asked only;
- `<pk>/raters/` — who is asked to rate one appraisal, for its rater, HR and administrators;
- `_ratings_panel.html` with `ratings_context` — the ratings on the scorecard, as the viewer
  may see them (`ratings.ratings_visible`).
A request or appraisal the user may not work on answers 404 and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.appraisal import access
from telesales.appraisal import ratings as services
from telesales.appraisal.models import Appraisal, RaterGroup, RatingRequest
from telesales.appraisal.models import Rating as RatingRow
from telesales.appraisal.schemes import scheme_load
from telesales.core.todos import Todo
from telesales.org.access import user_employee, user_role
from telesales.org.models import Employee


def _employee_or_404(user) -> Employee:
    employee = user_employee(user)
    if employee is None or user_role(user) is None:
        raise Http404
    return employee


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- the inbox ------------------------------------------------------------------------------


@login_required
def inbox(request):
    employee = _employee_or_404(request.user)
    today = timezone.localdate()
    pending, submitted = [], []
    for item in services.requests_of(employee):
        item.overdue = item.submitted_at is None and item.due_on is not None and item.due_on < today
        item.open = item.appraisal.status in services.RATING_OPEN
        (pending if item.submitted_at is None else submitted).append(item)
    context = {"pending": pending, "submitted": submitted, "today": today}
    return render(request, "appraisal/ratings_inbox.html", context)


# --- the rating form ------------------------------------------------------------------------


def _access_request(user, pk) -> RatingRequest:
    """The request with this id if it was sent to the user; 404 otherwise."""
    employee = _employee_or_404(user)
    try:
        return RatingRequest.objects.select_related(
            "appraisal__cycle__scheme", "appraisal__employee", "rater"
        ).get(pk=pk, rater=employee)
    except (RatingRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _field(kpi: str, dimension: str) -> str:
    return f"score__{kpi}__{dimension}"


def _form_rows(rating_request: RatingRequest, data=None) -> list[dict]:
    """One row per rated KPI the request's group scores, with its dimensions, the values
    given (posted, else stored) and the comment."""
    appraisal = rating_request.appraisal
    lines = services.lines_for_group(scheme_load(appraisal.cycle.scheme.code), rating_request.group)
    stored = {
        (r.kpi, r.dimension): r
        for r in RatingRow.objects.filter(
            appraisal=appraisal, rater_id=rating_request.rater_id, group=rating_request.group
        )
    }
    rows = []
    for line in lines:
        comment = next(
            (r.comment for (k, _d), r in stored.items() if k == line.kpi and r.comment), ""
        )
        if data is not None:
            comment = data.get(f"comment__{line.kpi}", "")
        scores = []
        for kpi, dimension in services.expected_keys(line):
            name = _field(kpi, dimension)
            if data is not None:
                value = data.get(name, "")
            else:
                value = str(stored[(kpi, dimension)].score) if (kpi, dimension) in stored else ""
            scores.append(
                {
                    "name": name,
                    "dimension": dimension,
                    "label": services.dimension_label(dimension) if dimension else "",
                    "value": value,
                }
            )
        rows.append(
            {
                "kpi": line.kpi,
                "label": services.kpi_label(line.kpi),
                "help": str(services.KPI_HELP.get(line.kpi, "")),
                "scores": scores,
                "comment_name": f"comment__{line.kpi}",
                "comment": comment,
            }
        )
    return rows


@login_required
def rate(request, pk: int):
    rating_request = _access_request(request.user, pk)
    appraisal = rating_request.appraisal
    errors: list[str] = []
    data = None
    if request.method == "POST":
        data = request.POST
        rows = _form_rows(rating_request, data)
        scores = {
            (row["kpi"], score["dimension"]): score["value"]
            for row in rows
            for score in row["scores"]
            if str(score["value"]).strip()
        }
        comments = {row["kpi"]: row["comment"] for row in rows}
        try:
            services.ratings_submit(
                actor=request.user, request=rating_request, scores=scores, comments=comments
            )
        except ValidationError as error:
            errors = _messages_of(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Your ratings of %(name)s are saved. Thank you.")
                % {"name": appraisal.employee.name},
            )
            return redirect("appraisal-inbox")
    context = {
        "rating_request": rating_request,
        "appraisal": appraisal,
        "rows": _form_rows(rating_request, data),
        "errors": errors,
        "open": appraisal.status in services.RATING_OPEN,
        "frozen": appraisal.status in services.FROZEN,
        "group_label": services.group_label(rating_request.group),
    }
    return render(request, "appraisal/ratings_form.html", context, status=400 if errors else 200)


# --- who rates one appraisal ----------------------------------------------------------------


def _access_manageable(user, pk) -> Appraisal:
    appraisal = access.access_appraisal(user, pk)
    if not services.can_manage_requests(user, appraisal):
        raise Http404
    return appraisal


def _raters_context(request, appraisal: Appraisal) -> dict:
    today = timezone.localdate()
    order = {group: index for index, group in enumerate(RaterGroup.values)}
    asked = sorted(
        RatingRequest.objects.filter(appraisal=appraisal).select_related("rater"),
        key=lambda r: (order.get(r.group, 99), r.rater.employee_no),
    )
    asked_keys = {(r.rater_id, r.group) for r in asked}
    for item in asked:
        item.group_label = services.group_label(item.group)
        item.reminded_today = (
            item.reminded_at is not None and timezone.localdate(item.reminded_at) == today
        )
    suggested = [
        {
            "group": s.group,
            "group_label": services.group_label(s.group),
            "employee": s.employee,
            "asked": (s.employee.pk, s.group) in asked_keys,
        }
        for s in services.raters_suggest(appraisal)
    ]
    groups = services.scheme_groups(scheme_load(appraisal.cycle.scheme.code))
    return {
        "appraisal": appraisal,
        "asked": asked,
        "suggested": suggested,
        "missing": sum(1 for s in suggested if not s["asked"]),
        "groups": [(g, services.group_label(g)) for g in groups],
        "requestable": appraisal.status in services.REQUESTABLE,
        "default_due": today + dt.timedelta(days=services.due_days()),
        "detail_url": _detail_url(appraisal),
    }


def _detail_url(appraisal: Appraisal) -> str | None:
    try:
        return reverse("appraisal-detail", args=[appraisal.pk])
    except NoReverseMatch:  # the scorecard page is another area's; it may not exist yet
        return None


def _parse_due(text: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text}
        ) from None


def _raters_post(request, appraisal: Appraisal) -> None:
    action = request.POST.get("action", "")
    user = request.user
    if action == "add_suggested":
        made = services.rating_requests_create(
            actor=user, appraisal=appraisal, due_on=_parse_due(request.POST.get("due_on"))
        )
        messages.success(
            request,
            ngettext(
                "%(count)s person asked to rate.", "%(count)s people asked to rate.", len(made)
            )
            % {"count": len(made)},
        )
    elif action == "add":
        number = (request.POST.get("rater_no") or "").strip()
        rater = Employee.objects.filter(employee_no=number).first() if number else None
        if rater is None:
            raise ValidationError(_("There is no employee %(no)s.") % {"no": number or "—"})
        group = request.POST.get("group", "")
        if group not in RaterGroup.values:
            raise ValidationError(_("Choose a rater group."))
        services.rating_request_add(
            actor=user,
            appraisal=appraisal,
            rater=rater,
            group=group,
            due_on=_parse_due(request.POST.get("due_on")),
        )
        messages.success(request, _("%(name)s is asked to rate.") % {"name": rater.name})
    elif action in {"remove", "remind"}:
        item = RatingRequest.objects.filter(
            appraisal=appraisal, pk=request.POST.get("request") or 0
        ).first()
        if item is None:
            raise Http404
        if action == "remove":
            services.rating_request_remove(actor=user, request=item)
            messages.success(request, _("The request is withdrawn."))
        else:
            sent = services.rating_remind(actor=user, request=item)
            messages.success(
                request,
                _("%(name)s is reminded by e-mail.") % {"name": item.rater.name}
                if sent
                else _("The reminder is counted; %(name)s has no e-mail address.")
                % {"name": item.rater.name},
            )
    else:
        raise ValidationError(_("Unknown action."))


@login_required
def raters(request, pk: int):
    appraisal = _access_manageable(request.user, pk)
    if request.method == "POST":
        try:
            _raters_post(request, appraisal)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        except PermissionDenied:
            raise Http404 from None
        return redirect("appraisal-raters", pk=appraisal.pk)
    return render(request, "appraisal/ratings_raters.html", _raters_context(request, appraisal))


# --- the scorecard's panel ------------------------------------------------------------------


def ratings_context(request, appraisal: Appraisal) -> dict:
    """What `appraisal/_ratings_panel.html` shows: the ratings as this viewer may see them,
    where to manage the raters, and the viewer's own requests on this appraisal."""
    user = request.user
    own = user_employee(user)
    mine = (
        list(RatingRequest.objects.filter(appraisal=appraisal, rater=own).order_by("group"))
        if own is not None
        else []
    )
    return {
        "ratings_panel": services.ratings_visible(user, appraisal),
        "ratings_raters_url": (
            reverse("appraisal-raters", args=[appraisal.pk])
            if services.can_manage_requests(user, appraisal)
            else None
        ),
        "ratings_mine": [
            {
                "url": reverse("appraisal-rate", args=[item.pk]),
                "group_label": services.group_label(item.group),
                "submitted": item.submitted_at is not None,
            }
            for item in mine
        ],
    }


# --- to-dos and wiring ----------------------------------------------------------------------


def ratings_todos(user, today: dt.date) -> list[Todo]:
    """ "N ratings to give": the person's requests not yet answered on appraisals being rated;
    urgent when one is due today or earlier (one query)."""
    employee = user_employee(user)
    if employee is None:
        return []
    counts = RatingRequest.objects.filter(
        rater=employee, submitted_at__isnull=True, appraisal__status__in=services.RATING_OPEN
    ).aggregate(total=Count("pk"), due=Count("pk", filter=Q(due_on__lte=today)))
    if not counts["total"]:
        return []
    return [
        Todo(
            label=ngettext("%(count)s rating to give", "%(count)s ratings to give", counts["total"])
            % {"count": counts["total"]},
            url=reverse("appraisal-inbox"),
            urgent=bool(counts["due"]),
        )
    ]


def can_rate(user) -> bool:
    """Anyone with an employee record may be asked to rate."""
    return user_employee(user) is not None and user_role(user) is not None


urlpatterns = [
    path("ratings/", inbox, name="appraisal-inbox"),
    path("ratings/<int:pk>/", rate, name="appraisal-rate"),
    path("<int:pk>/raters/", raters, name="appraisal-raters"),
]


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from django import forms

    from telesales.appraisal.importers import RatingImporter
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.imports.registry import register
    from telesales.core.navigation import MenuItem, menu_register
    from telesales.core.todos import todo_source_register

    menu_register(
        MenuItem(
            "appraisal-ratings",
            gettext_lazy("Ratings to give"),
            "appraisal-inbox",
            can_rate,
            order=83,
            group="appraisal",
        )
    )
    todo_source_register("appraisal-ratings", ratings_todos)
    register(RatingImporter)
    setting_declare(
        SettingDefinition(
            key=services.DUE_DAYS_SETTING,
            label=gettext_lazy("Days to give a 360 rating"),
            default=services.DUE_DAYS,
            field=lambda: forms.IntegerField(min_value=1, max_value=60),
            help=gettext_lazy(
                "A rating request is due this many days after it is made, unless a due date "
                "is given."
            ),
            order=71,
        )
    )
