"""360 ratings of the rated KPIs (PRODUCT.md §5): who is asked, what they gave, and what the
appraisal is scored on.

- Who is asked (`raters_suggest`): the appraisal's rater as the superior group, and for each
  group a rated KPI line of the scheme names: the appraisee's team mates (a supervisor's: the
  other supervisors under the same manager) as peers, the reps of the teams a supervisor leads
  as subordinates, department staff as the other department, the appraisee as self; only
  people employed in the period.
- The appraisal's rater, HR and administrators ask and remind (`rating_request_add`,
  `rating_requests_create`, `rating_remind`); the asked person rates (`ratings_submit`).
- Nobody sees who rated what but HR and administrators; the appraisee sees a group's mean only
  when at least 3 raters of the group rated (the superior excepted), and only once the result
  is published, so that a mean moving after each rating does not tell who gave it
  (`ratings_visible`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.appraisal import access
from telesales.appraisal.models import Appraisal, AppraisalStatus, RaterGroup, RatingRequest
from telesales.appraisal.models import Rating as RatingRow
from telesales.appraisal.schemes import RATED_KPIS, scheme_load
from telesales.appraisal.scoring import Rating
from telesales.appraisal.spec import RATER_GROUPS, KpiLine, Scheme
from telesales.appraisal.workflow import FROZEN
from telesales.core.audit import audit_record
from telesales.core.periods import Period, period_parse
from telesales.org.access import user_employee
from telesales.org.models import Employee, Role, Team

Status = AppraisalStatus

# Raters may be asked while the appraisal is being set up, run or rated.
REQUESTABLE = frozenset({Status.DRAFT, Status.AGREED, Status.IN_PROGRESS, Status.RATING})
# Ratings are given once the appraisal is being rated, and changed until it is published.
RATING_OPEN = frozenset({Status.RATING, Status.CALIBRATION})
# The superior group's mean is always shown; any other group's only from this many raters.
MIN_GROUP_RATERS = 3
SCORE_MIN, SCORE_MAX = Decimal(1), Decimal(5)

# The due date a request gets when none is given: this many days from the day it is made.
DUE_DAYS_SETTING = "appraisal.rating_due_days"
DUE_DAYS = 7

# What the rating form shows of each rated KPI: its label and what it covers (PRODUCT.md §5,
# source §3.1 W).
KPI_LABELS = {
    "process_compliance": gettext_lazy("Following and improving rules and processes"),
    "report_quality": gettext_lazy("Quality of data and reports"),
    "collaboration": gettext_lazy("Internal collaboration and cross-department communication"),
    "superior_evaluation": gettext_lazy("Superior's overall evaluation"),
}
KPI_HELP = {
    "process_compliance": gettext_lazy(
        "Keeps to the company's rules and processes, and helps improve them with new methods."
    ),
    "report_quality": gettext_lazy(
        "Accuracy, depth, timeliness and usefulness of data work and analysis reports."
    ),
    "collaboration": gettext_lazy(
        "Works well with colleagues and other departments, shares information and answers in time."
    ),
    "superior_evaluation": gettext_lazy(
        "An overall judgement from day-to-day conduct: responsibility, leadership and innovation."
    ),
}
DIMENSION_LABELS = {
    "responsibility": gettext_lazy("Responsibility"),
    "leadership": gettext_lazy("Leadership"),
    "innovation": gettext_lazy("Innovation"),
}

logger = logging.getLogger(__name__)


def kpi_label(code: str) -> str:
    return str(KPI_LABELS.get(code, code))


def dimension_label(code: str) -> str:
    return str(DIMENSION_LABELS.get(code, code.replace("_", " ")))


def group_label(code: str) -> str:
    return str(dict(RaterGroup.choices).get(code, code))


def due_days() -> int:
    from telesales.core.config import setting_get

    return int(setting_get(DUE_DAYS_SETTING))


# --- reading ratings ------------------------------------------------------------------------


def appraisal_ratings(appraisal_ids: Iterable[int]) -> dict[int, dict[str, list[Rating]]]:
    """Every rating given on the appraisals, by appraisal and KPI code, as the scoring engine
    takes them (one query)."""
    found: dict[int, dict[str, list[Rating]]] = defaultdict(lambda: defaultdict(list))
    rows = RatingRow.objects.filter(appraisal_id__in=list(appraisal_ids)).values_list(
        "appraisal_id", "kpi", "group", "rater_id", "dimension", "score"
    )
    for appraisal_id, kpi, group, rater_id, dimension, score in rows:
        found[appraisal_id][kpi].append(
            Rating(group=group, rater_id=rater_id, dimension=dimension, score=score)
        )
    return {key: dict(value) for key, value in found.items()}


# --- the scheme's rated lines ---------------------------------------------------------------


def line_groups(line: KpiLine) -> tuple[str, ...]:
    """The groups whose ratings count on a rated line, in the order of PRODUCT.md §5: those
    weighted above 0, or the superior alone when the line names none."""
    if not line.rater_groups:
        return ("superior",)
    return tuple(g for g in RATER_GROUPS if line.rater_groups.get(g, 0) > 0)


def rated_lines(scheme: Scheme) -> list[KpiLine]:
    return [
        line for category in scheme.categories for line in category.kpis if line.kpi in RATED_KPIS
    ]


def scheme_groups(scheme: Scheme) -> tuple[str, ...]:
    """The rater groups the scheme's rated lines use."""
    used = {group for line in rated_lines(scheme) for group in line_groups(line)}
    return tuple(g for g in RATER_GROUPS if g in used)


def lines_for_group(scheme: Scheme, group: str) -> list[KpiLine]:
    """The rated lines a rater of this group scores."""
    return [line for line in rated_lines(scheme) if group in line_groups(line)]


def expected_keys(line: KpiLine) -> list[tuple[str, str]]:
    """The (KPI, dimension) pairs a line is scored on: each dimension, or the KPI itself."""
    return [(line.kpi, d) for d in line.dimensions] if line.dimensions else [(line.kpi, "")]


def _scheme(appraisal: Appraisal) -> Scheme:
    return scheme_load(appraisal.cycle.scheme.code)


def _period(appraisal: Appraisal) -> Period:
    return period_parse(appraisal.cycle.period)


# --- who is asked ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    group: str
    employee: Employee


def _group_people(group: str, appraisal: Appraisal, period: Period):
    """The people of one rater group of the appraisal, employed in the period."""
    appraisee = appraisal.employee
    employed = Employee.objects.employed_between(period.start, period.end)
    if group == "superior":
        return employed.filter(pk=appraisal.rater_id)
    if group == "self":
        return employed.filter(pk=appraisee.pk)
    if group == "peer":
        if appraisee.role == Role.SUPERVISOR:
            if appraisee.manager_id is None:
                return employed.none()
            mates = employed.filter(role=Role.SUPERVISOR, manager_id=appraisee.manager_id)
        elif appraisee.team_id is None:
            return employed.none()
        else:
            mates = employed.filter(role=appraisee.role, team_id=appraisee.team_id)
        return mates.exclude(pk=appraisee.pk)
    if group == "subordinate":
        if appraisee.role != Role.SUPERVISOR:
            return employed.none()
        teams = Team.objects.filter(supervisor_id=appraisee.pk)
        return employed.filter(role=Role.REP, team__in=teams)
    if group == "department":
        return employed.filter(role=Role.STAFF)
    return employed.none()


def raters_suggest(appraisal: Appraisal) -> list[Suggestion]:
    """Who should rate the appraisal, by the groups its scheme's rated lines use: the rater as
    superior; team mates (for a supervisor, the other supervisors under the same manager) as
    peers; the reps of the teams a supervisor leads as subordinates; department staff as the
    other department; the appraisee as self. Only people employed in the period."""
    scheme = _scheme(appraisal)
    period = _period(appraisal)
    found: list[Suggestion] = []
    for group in scheme_groups(scheme):
        for person in _group_people(group, appraisal, period).order_by("employee_no"):
            found.append(Suggestion(group=group, employee=person))
    return found


# --- asking -------------------------------------------------------------------------------


def can_manage_requests(user, appraisal: Appraisal) -> bool:
    """The appraisal's rater, HR and administrators ask for ratings and remind; never the
    appraisee."""
    if access.is_appraisee(user, appraisal):
        return False
    if access.can_administer(user):
        return True
    employee = user_employee(user)
    return employee is not None and employee.pk == appraisal.rater_id


def _require_manager(actor, appraisal: Appraisal) -> None:
    if not can_manage_requests(actor, appraisal):
        raise PermissionDenied(
            _("Only the appraisal's rater, HR or an administrator may ask for ratings.")
        )


def _check_requestable(appraisal: Appraisal) -> None:
    if appraisal.status not in REQUESTABLE:
        raise ValidationError(
            _("Ratings cannot be asked for on an appraisal that is “%(status)s”.")
            % {"status": appraisal.get_status_display()}
        )


def _check_rater(appraisal: Appraisal, rater: Employee, group: str, period: Period) -> None:
    if (group == "self") != (rater.pk == appraisal.employee_id):
        raise ValidationError(
            _("Only the appraisee rates as “self”, and the appraisee rates in no other group.")
        )
    employed = Employee.objects.employed_between(period.start, period.end)
    if not employed.filter(pk=rater.pk).exists():
        raise ValidationError(
            _("%(name)s was not employed in %(period)s and cannot rate it.")
            % {"name": rater.name, "period": period.code}
        )


def _default_due(due_on: dt.date | None) -> dt.date:
    return due_on or timezone.localdate() + dt.timedelta(days=due_days())


@transaction.atomic
def rating_request_add(
    *,
    actor,
    appraisal: Appraisal,
    rater: Employee,
    group: str,
    due_on: dt.date | None = None,
) -> RatingRequest:
    """Ask one person to rate the appraisal as one group the scheme uses; made by the rater,
    HR or an administrator while the appraisal is draft, agreed, in progress or being rated.
    Asking again changes nothing. Audited."""
    _require_manager(actor, appraisal)
    _check_requestable(appraisal)
    groups = scheme_groups(_scheme(appraisal))
    if group not in groups:
        raise ValidationError(
            _("The scheme of this appraisal has no ratings by “%(group)s”; it uses: %(groups)s.")
            % {
                "group": group_label(group),
                "groups": ", ".join(group_label(g) for g in groups) or "—",
            }
        )
    _check_rater(appraisal, rater, group, _period(appraisal))
    found = RatingRequest.objects.filter(appraisal=appraisal, rater=rater, group=group).first()
    if found is not None:
        return found
    made = RatingRequest.objects.create(
        appraisal=appraisal,
        rater=rater,
        group=group,
        requested_by=actor if getattr(actor, "pk", None) else None,
        due_on=_default_due(due_on),
    )
    audit_record(
        actor=actor,
        action="appraisal.rating_request",
        obj=made,
        after={"rater": rater.employee_no, "group": group, "due_on": made.due_on.isoformat()},
    )
    return made


@transaction.atomic
def rating_requests_create(
    *, actor, appraisal: Appraisal, due_on: dt.date | None = None
) -> list[RatingRequest]:
    """Ask everyone `raters_suggest` names; those already asked are left as they are. Returns
    the requests made now."""
    _require_manager(actor, appraisal)
    _check_requestable(appraisal)
    asked = set(RatingRequest.objects.filter(appraisal=appraisal).values_list("rater_id", "group"))
    due = _default_due(due_on)
    new = [
        RatingRequest(
            appraisal=appraisal,
            rater=suggestion.employee,
            group=suggestion.group,
            requested_by=actor if getattr(actor, "pk", None) else None,
            due_on=due,
        )
        for suggestion in raters_suggest(appraisal)
        if (suggestion.employee.pk, suggestion.group) not in asked
    ]
    made = RatingRequest.objects.bulk_create(new)
    if made:
        audit_record(
            actor=actor,
            action="appraisal.rating_request",
            obj=appraisal,
            after={
                "asked": [f"{r.group}:{r.rater.employee_no}" for r in made],
                "due_on": due.isoformat(),
            },
        )
    return made


@transaction.atomic
def rating_request_remove(*, actor, request: RatingRequest) -> None:
    """Withdraw a request not yet answered; an answered one stays, with its ratings."""
    appraisal = request.appraisal
    _require_manager(actor, appraisal)
    request = RatingRequest.objects.select_for_update().get(pk=request.pk)
    if request.submitted_at is not None:
        raise ValidationError(_("This request has been answered and cannot be withdrawn."))
    audit_record(
        actor=actor,
        action="appraisal.rating_request_remove",
        obj=appraisal,
        before={"rater": request.rater.employee_no, "group": request.group},
    )
    request.delete()


# --- rating ---------------------------------------------------------------------------------


def _check_open(appraisal: Appraisal) -> None:
    if appraisal.status in FROZEN:
        raise ValidationError(
            _(
                "The result of this appraisal is published; its ratings change only after HR "
                "reopens it."
            )
        )
    if appraisal.status not in RATING_OPEN:
        raise ValidationError(
            _("This appraisal is “%(status)s”; ratings are given once it is being rated.")
            % {"status": appraisal.get_status_display()}
        )


def score_check(label: str, value) -> tuple[Decimal | None, str | None]:
    """A rating as a Decimal from 1 to 5 with at most 2 decimals, or the reason it is not;
    `label` names the KPI in the reason."""
    names = {"kpi": label, "value": value}
    try:
        score = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, _("“%(value)s” given for %(kpi)s is not a number.") % names
    if not score.is_finite() or not (SCORE_MIN <= score <= SCORE_MAX):
        return None, _("%(value)s given for %(kpi)s is not a rating from 1 to 5.") % names
    if score.as_tuple().exponent < -2 and score != score.quantize(Decimal("0.01")):
        return None, _("%(value)s given for %(kpi)s has more than 2 decimals.") % names
    return score.quantize(Decimal("0.01")), None


@transaction.atomic
def ratings_submit(
    *,
    actor,
    request: RatingRequest,
    scores: Mapping[tuple[str, str], Decimal],
    comments: Mapping[str, str] | None = None,
) -> list[RatingRow]:
    """The asked person's ratings: every rated line of the scheme their group rates, each
    dimension of a line that has them, each a number from 1 to 5 with at most 2 decimals; given
    while the appraisal is being rated or calibrated, and replacing that person's earlier
    ratings of the appraisal in that group. Anything wrong is refused with a message naming
    the KPI and the value, and stores nothing. Audited."""
    request = (
        RatingRequest.objects.select_for_update(of=("self",))
        .select_related("appraisal__cycle__scheme", "rater")
        .get(pk=request.pk)
    )
    employee = user_employee(actor)
    if employee is None or employee.pk != request.rater_id:
        raise PermissionDenied(_("Only the person asked may give these ratings."))
    appraisal = request.appraisal
    _check_open(appraisal)
    lines = lines_for_group(_scheme(appraisal), request.group)
    if not lines:
        raise ValidationError(_("The scheme of this appraisal has nothing for you to rate."))
    comments = {k: (v or "").strip() for k, v in (comments or {}).items()}
    expected = [key for line in lines for key in expected_keys(line)]
    problems: list[str] = []
    checked: dict[tuple[str, str], Decimal] = {}
    for kpi, dimension in expected:
        value = scores.get((kpi, dimension))
        shown = kpi_label(kpi) + (f" · {dimension_label(dimension)}" if dimension else "")
        if value is None or str(value).strip() == "":
            problems.append(_("Give a rating from 1 to 5 for %(kpi)s.") % {"kpi": shown})
            continue
        score, problem = score_check(shown, value)
        if problem:
            problems.append(problem)
        else:
            checked[(kpi, dimension)] = score
    extra = sorted(set(scores) - set(expected))
    for kpi, dimension in extra:
        problems.append(
            _("%(kpi)s is not yours to rate on this appraisal.")
            % {"kpi": f"{kpi}.{dimension}" if dimension else kpi}
        )
    if problems:
        raise ValidationError(problems)
    old = RatingRow.objects.filter(
        appraisal=appraisal, rater_id=request.rater_id, group=request.group
    )
    before = {_key_text(r.kpi, r.dimension): str(r.score) for r in old}
    before_comments = {r.kpi: r.comment for r in old if r.comment}
    old.delete()
    now = timezone.now()
    rows: list[RatingRow] = []
    for line in lines:
        for index, (kpi, dimension) in enumerate(expected_keys(line)):
            rows.append(
                RatingRow(
                    appraisal=appraisal,
                    rater_id=request.rater_id,
                    group=request.group,
                    kpi=kpi,
                    dimension=dimension,
                    score=checked[(kpi, dimension)],
                    # a KPI's comment is kept once, on its first row
                    comment=comments.get(kpi, "") if index == 0 else "",
                    source="inbox",
                    created_by=actor if getattr(actor, "pk", None) else None,
                    at=now,
                )
            )
    RatingRow.objects.bulk_create(rows)
    request.submitted_at = now
    request.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action="appraisal.ratings_submit",
        obj=request,
        before={"scores": before, "comments": before_comments},
        after={
            "scores": {_key_text(r.kpi, r.dimension): str(r.score) for r in rows},
            "comments": {r.kpi: r.comment for r in rows if r.comment},
        },
    )
    return rows


def _key_text(kpi: str, dimension: str) -> str:
    return f"{kpi}.{dimension}" if dimension else kpi


# --- reminders ------------------------------------------------------------------------------


def _remind_mail(request: RatingRequest) -> bool:
    rater = request.rater
    if not rater.email:
        return False
    language = getattr(getattr(rater, "user", None), "language", "") or None
    with translation.override(language or translation.get_language()):
        appraisee = request.appraisal.employee
        subject = _("Reminder: your rating of %(name)s") % {"name": appraisee.name}
        due = request.due_on.isoformat() if request.due_on else "—"
        body = _(
            "You were asked to rate %(name)s (%(period)s) as %(group)s. Please give your "
            "ratings by %(due)s under “Ratings to give” in the appraisal menu."
        ) % {
            "name": appraisee.name,
            "period": request.appraisal.cycle.period,
            "group": group_label(request.group),
            "due": due,
        }
    try:
        send_mail(subject, body, None, [rater.email])
    except (OSError, smtplib.SMTPException):
        logger.warning("The rating reminder to %s could not be sent.", rater.email, exc_info=True)
        return False  # the reminder still counts: the to-do on the start page shows it
    return True


def _reminded_on(request: RatingRequest, today: dt.date) -> bool:
    return request.reminded_at is not None and timezone.localdate(request.reminded_at) == today


def _remind(request: RatingRequest, now: dt.datetime) -> bool:
    request.reminders += 1
    request.reminded_at = now
    request.save(update_fields=["reminders", "reminded_at"])
    return _remind_mail(request)


@transaction.atomic
def rating_remind(*, actor, request: RatingRequest, today: dt.date | None = None) -> bool:
    """Remind the person asked of a request not yet answered: counted and dated, and sent by
    e-mail when they have an address; at most once a day. Returns whether a mail went out."""
    request = (
        RatingRequest.objects.select_for_update(of=("self",))
        .select_related("appraisal__cycle", "appraisal__employee", "rater__user")
        .get(pk=request.pk)
    )
    _require_manager(actor, request.appraisal)
    today = today or timezone.localdate()
    if request.submitted_at is not None:
        raise ValidationError(_("This request has been answered; there is nothing to remind."))
    if request.appraisal.status in FROZEN:
        raise ValidationError(_("The result of this appraisal is published."))
    if _reminded_on(request, today):
        raise ValidationError(
            _("%(name)s was already reminded today.") % {"name": request.rater.name}
        )
    return _remind(request, timezone.now())


@dataclass(frozen=True)
class RemindSummary:
    reminded: int
    emailed: int


@transaction.atomic
def ratings_remind_due(*, actor, today: dt.date | None = None) -> RemindSummary:
    """Remind everyone whose request is not answered and due by tomorrow (overdue included), on
    appraisals not yet published; nobody twice on one day. Only HR, administrators and the
    system run it for everyone."""
    if not access.can_administer(actor):
        raise PermissionDenied(_("Only HR or an administrator may remind every rater."))
    today = today or timezone.localdate()
    pending = (
        RatingRequest.objects.select_for_update(of=("self",))
        .filter(submitted_at__isnull=True, due_on__lte=today + dt.timedelta(days=1))
        .exclude(appraisal__status__in=FROZEN)
        .select_related("appraisal__cycle", "appraisal__employee", "rater__user")
        .order_by("pk")
    )
    now = timezone.now()
    reminded = emailed = 0
    for request in pending:
        if _reminded_on(request, today):
            continue
        reminded += 1
        emailed += int(_remind(request, now))
    return RemindSummary(reminded=reminded, emailed=emailed)


# --- what a viewer sees ---------------------------------------------------------------------


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _stable_order(appraisal_id: int, text: str) -> str:
    return hashlib.sha256(f"{appraisal_id}\x00{text}".encode()).hexdigest()


def ratings_visible(viewer, appraisal: Appraisal) -> dict:
    """The appraisal's ratings as this viewer may see them (PRODUCT.md §5):
    - HR and administrators: every rating with the rater's name;
    - the appraisee, once the result is published: per rated KPI (and dimension) and group the
      number of raters and the group's mean, a mean only from 3 raters (the superior's always),
      and the comments without names, in an order that does not follow who wrote them; never
      a rater's name or id;
    - the rest of the rater's line who may see the appraisal: every group's mean, and the
      names on their own ratings only;
    - anyone else: nothing.
    `mode` says which; means are not rounded."""
    if access.is_appraisee(viewer, appraisal):
        mode = "appraisee"
    elif access.sees_raters(viewer, appraisal):
        mode = "full"
    elif access.appraisals_visible(viewer).filter(pk=appraisal.pk).exists():
        mode = "line"
    else:
        return {"mode": "none", "shown": False, "kpis": [], "comments": []}
    if mode == "appraisee" and appraisal.status not in FROZEN:
        return {"mode": mode, "shown": False, "kpis": [], "comments": []}
    viewer_employee = None if access.is_system(viewer) else user_employee(viewer)
    own_id = viewer_employee.pk if viewer_employee is not None else None
    scheme = _scheme(appraisal)
    rows = list(
        RatingRow.objects.filter(appraisal=appraisal)
        .select_related("rater")
        .order_by("kpi", "dimension", "group", "rater__employee_no")
    )
    by_key: dict[tuple[str, str, str], list[RatingRow]] = defaultdict(list)
    for row in rows:
        by_key[(row.kpi, row.dimension, row.group)].append(row)
    kpis = []
    for line in rated_lines(scheme):
        counted = line_groups(line)
        for kpi, dimension in expected_keys(line):
            groups = []
            present = {g for (k, d, g) in by_key if (k, d) == (kpi, dimension)}
            for group in RATER_GROUPS:
                if group not in counted and group not in present:
                    continue
                given = by_key.get((kpi, dimension, group), [])
                hidden = (
                    mode == "appraisee" and group != "superior" and len(given) < MIN_GROUP_RATERS
                )
                item = {
                    "group": group,
                    "group_label": group_label(group),
                    "counted": group in counted,
                    "weight": line.rater_groups.get(group) if line.rater_groups else None,
                    "raters": len(given),
                    "mean": None if hidden else _mean([r.score for r in given]),
                    "hidden": hidden,
                }
                if mode == "full":
                    item["ratings"] = [
                        {"rater": r.rater.name, "rater_no": r.rater.employee_no, "score": r.score}
                        for r in given
                    ]
                elif mode == "line":
                    item["ratings"] = [
                        {"rater": r.rater.name, "rater_no": r.rater.employee_no, "score": r.score}
                        for r in given
                        if r.rater_id == own_id
                    ]
                groups.append(item)
            kpis.append(
                {
                    "kpi": kpi,
                    "label": kpi_label(kpi),
                    "dimension": dimension,
                    "dimension_label": dimension_label(dimension) if dimension else "",
                    "groups": groups,
                }
            )
    comments = []
    for row in rows:
        if not row.comment:
            continue
        item = {"kpi": row.kpi, "label": kpi_label(row.kpi), "text": row.comment}
        if mode == "full" or (mode == "line" and row.rater_id == own_id):
            item["rater"] = row.rater.name
            item["group_label"] = group_label(row.group)
        comments.append(item)
    if mode == "appraisee":
        comments.sort(key=lambda c: (c["kpi"], _stable_order(appraisal.pk, c["text"])))
    return {"mode": mode, "shown": True, "kpis": kpis, "comments": comments}


def requests_of(employee: Employee):
    """The rating requests sent to one person, newest period first, with what the inbox shows."""
    return (
        RatingRequest.objects.filter(rater=employee)
        .select_related("appraisal__cycle__scheme", "appraisal__employee")
        .order_by(F("submitted_at").asc(nulls_first=True), "due_on", "pk")
    )


# --- imported ratings -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedRating:
    """One checked row of a ratings file (`importers.RatingImporter`)."""

    appraisal: Appraisal
    rater: Employee
    group: str
    kpi: str
    dimension: str
    score: Decimal
    comment: str


@dataclass(frozen=True)
class ImportCounts:
    stored: int
    updated: int
    unchanged: int


@transaction.atomic
def ratings_import_store(*, actor, ratings: list[ImportedRating]) -> ImportCounts:
    """Store imported ratings: a new key (appraisal, rater, group, KPI, dimension) is added, a
    changed score or comment replaces the stored one, the same one changes nothing; each
    rater's request is created or marked answered. Published appraisals are the caller's to
    refuse. Audited, one row per appraisal."""
    if not ratings:
        return ImportCounts(0, 0, 0)
    appraisal_ids = {r.appraisal.pk for r in ratings}
    stored = {
        (row.appraisal_id, row.rater_id, row.group, row.kpi, row.dimension): row
        for row in RatingRow.objects.select_for_update().filter(appraisal_id__in=appraisal_ids)
    }
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    new: list[RatingRow] = []
    changed: list[RatingRow] = []
    unchanged = 0
    log: dict[int, dict[str, dict]] = defaultdict(lambda: {"before": {}, "after": {}})
    for item in ratings:
        key = (item.appraisal.pk, item.rater.pk, item.group, item.kpi, item.dimension)
        text = f"{item.group}:{item.rater.employee_no}:{_key_text(item.kpi, item.dimension)}"
        existing = stored.get(key)
        if existing is None:
            new.append(
                RatingRow(
                    appraisal=item.appraisal,
                    rater=item.rater,
                    group=item.group,
                    kpi=item.kpi,
                    dimension=item.dimension,
                    score=item.score,
                    comment=item.comment,
                    source="import",
                    created_by=user,
                    at=now,
                )
            )
            log[item.appraisal.pk]["after"][text] = str(item.score)
        elif existing.score == item.score and existing.comment == item.comment:
            unchanged += 1
        else:
            log[item.appraisal.pk]["before"][text] = str(existing.score)
            log[item.appraisal.pk]["after"][text] = str(item.score)
            existing.score, existing.comment = item.score, item.comment
            existing.source, existing.created_by, existing.at = "import", user, now
            changed.append(existing)
    RatingRow.objects.bulk_create(new)
    RatingRow.objects.bulk_update(changed, ["score", "comment", "source", "created_by", "at"])
    touched = {(i.appraisal.pk, i.rater.pk, i.group) for i in ratings}
    requests = {
        (r.appraisal_id, r.rater_id, r.group): r
        for r in RatingRequest.objects.filter(appraisal_id__in=appraisal_ids)
    }
    RatingRequest.objects.bulk_create(
        RatingRequest(
            appraisal_id=a,
            rater_id=r,
            group=g,
            requested_by=user,
            requested_at=now,
            submitted_at=now,
        )
        for (a, r, g) in sorted(touched)
        if (a, r, g) not in requests
    )
    RatingRequest.objects.filter(
        pk__in=[
            requests[key].pk
            for key in touched
            if key in requests and requests[key].submitted_at is None
        ]
    ).update(submitted_at=now)
    appraisals = {i.appraisal.pk: i.appraisal for i in ratings}
    for appraisal_id, change in log.items():
        audit_record(
            actor=actor,
            action="appraisal.ratings_import",
            obj=appraisals[appraisal_id],
            before=change["before"] or None,
            after=change["after"],
        )
    return ImportCounts(stored=len(new), updated=len(changed), unchanged=unchanged)
