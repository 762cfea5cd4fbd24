"""The attrition-risk signal (source §2.2.4: watch morale, keep the team stable): for each rep,
an explainable score made of facts, each adding its points (settings, see
telesales.people.morale.risk) with a sentence naming the fact:

- morale_low: the latest morale check-in scored 2 or less;
- morale_falling: morale fell from each of the last three check-ins to the next;
- attainment_drop: sales attainment of the last full month is at least 20 points below the
  month before;
- attainment_low: sales attainment of the last full month is below 60 %;
- short_tenure: under 90 days since the hire date;
- recent_penalty: a penalty (not reversed) dated in the last 60 days;
- no_checkin: employed for 60 days or more and no check-in in the last 60 days.

The score is the sum of the points; the level is high from the high threshold, medium from
the medium one, low below. The page lists the reps in the user's scope, highest risk first,
for the rep's line (supervisors, managers) and HR; not for reps, staff or administrators.
Sales attainment is the sales_attainment KPI of the rep alone (telesales.kpi.people). The
whole list costs a fixed number of queries, whatever the number of reps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.core.models import Setting
from telesales.core.periods import Period, period_of
from telesales.kpi.people import sales_attainment_of_reps
from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.people.morale.access import can_see_attrition
from telesales.people.morale.models import LedgerEntry
from telesales.people.morale.risk import (
    HIGH_DEFAULT,
    HIGH_KEY,
    MEDIUM_DEFAULT,
    MEDIUM_KEY,
    RISK_FACTS,
    weight_key,
)
from telesales.people.morale.selectors import latest_checkins

LOW_MORALE = 2
ATTAINMENT_DROP = Decimal("0.20")
ATTAINMENT_FLOOR = Decimal("0.60")
SHORT_TENURE_DAYS = 90
PENALTY_DAYS = 60
CHECKIN_DAYS = 60

LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVEL_LABELS = {
    LOW: gettext_lazy("Low"),
    MEDIUM: gettext_lazy("Medium"),
    HIGH: gettext_lazy("High"),
}


@dataclass(frozen=True)
class RiskSettings:
    weights: dict[str, int]
    medium: int
    high: int

    def level(self, score: int) -> str:
        if score >= self.high:
            return HIGH
        if score >= self.medium:
            return MEDIUM
        return LOW


@dataclass(frozen=True)
class Fact:
    code: str
    points: int
    sentence: str


@dataclass
class Risk:
    employee: Employee
    facts: list[Fact] = field(default_factory=list)
    level: str = LOW

    @property
    def score(self) -> int:
        return sum(fact.points for fact in self.facts)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])


@dataclass(frozen=True)
class RepFacts:
    """What the signal reads about one rep."""

    hire_date: dt.date
    checkins: list[dict]  # the latest three, newest first: {"date", "morale"}
    attainment_before: Decimal | None  # the month before the last full month
    attainment_last: Decimal | None  # the last full month
    penalties: list[LedgerEntry]  # standing penalties of the last 60 days, newest first


def risk_settings() -> RiskSettings:
    """The weights and thresholds, in one query."""
    keys = [weight_key(fact) for fact in RISK_FACTS] + [MEDIUM_KEY, HIGH_KEY]
    stored = dict(Setting.objects.filter(key__in=keys).values_list("key", "value"))
    weights = {
        fact: int(stored.get(weight_key(fact), default))
        for fact, (default, _l) in RISK_FACTS.items()
    }
    return RiskSettings(
        weights,
        int(stored.get(MEDIUM_KEY, MEDIUM_DEFAULT)),
        int(stored.get(HIGH_KEY, HIGH_DEFAULT)),
    )


def _percent(value: Decimal) -> str:
    shown = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(shown, 1)}%"


def _months(today: dt.date) -> tuple[Period, Period]:
    """The last full month and the month before it."""
    last = period_of(today, "month").previous()
    return last.previous(), last


def rep_facts(facts: RepFacts, *, today: dt.date, settings: RiskSettings) -> list[Fact]:
    """The facts that raise one rep's risk, each with its points and sentence."""
    before, last = _months(today)
    weights = settings.weights
    found: list[Fact] = []

    def add(code: str, sentence: str) -> None:
        found.append(Fact(code, weights[code], sentence))

    checkins = facts.checkins
    if checkins and checkins[0]["morale"] <= LOW_MORALE:
        add(
            "morale_low",
            _("The latest morale check-in, on %(date)s, scored %(score)s of 5.")
            % {"date": checkins[0]["date"].isoformat(), "score": checkins[0]["morale"]},
        )
    if len(checkins) >= 3:
        oldest, middle, newest = (c["morale"] for c in reversed(checkins[:3]))
        if oldest > middle > newest:
            add(
                "morale_falling",
                _("Morale fell at each of the last three check-ins: %(scores)s.")
                % {"scores": f"{oldest} → {middle} → {newest}"},
            )
    if (
        facts.attainment_before is not None
        and facts.attainment_last is not None
        and facts.attainment_last <= facts.attainment_before - ATTAINMENT_DROP
    ):
        add(
            "attainment_drop",
            _("Sales attainment fell from %(before)s in %(month_before)s to %(last)s in %(month)s.")
            % {
                "before": _percent(facts.attainment_before),
                "month_before": before.code,
                "last": _percent(facts.attainment_last),
                "month": last.code,
            },
        )
    if facts.attainment_last is not None and facts.attainment_last < ATTAINMENT_FLOOR:
        add(
            "attainment_low",
            _("Sales attainment in %(month)s was %(value)s, below %(floor)s.")
            % {
                "month": last.code,
                "value": _percent(facts.attainment_last),
                "floor": _percent(ATTAINMENT_FLOOR),
            },
        )
    tenure = (today - facts.hire_date).days
    if tenure < SHORT_TENURE_DAYS:
        add(
            "short_tenure",
            ngettext(
                "Hired on %(date)s, %(days)s day ago: under %(limit)s days of service.",
                "Hired on %(date)s, %(days)s days ago: under %(limit)s days of service.",
                tenure,
            )
            % {"date": facts.hire_date.isoformat(), "days": tenure, "limit": SHORT_TENURE_DAYS},
        )
    if facts.penalties:
        latest = facts.penalties[0]
        add(
            "recent_penalty",
            ngettext(
                "%(count)s penalty in the last %(days)s days, the latest on %(date)s: %(reason)s.",
                "%(count)s penalties in the last %(days)s days, the latest on %(date)s: "
                "%(reason)s.",
                len(facts.penalties),
            )
            % {
                "count": len(facts.penalties),
                "days": PENALTY_DAYS,
                "date": latest.date.isoformat(),
                "reason": latest.reason,
            },
        )
    if tenure >= CHECKIN_DAYS:
        if not checkins:
            add(
                "no_checkin",
                _("No morale check-in on record in %(days)s days of service.") % {"days": tenure},
            )
        elif (today - checkins[0]["date"]).days >= CHECKIN_DAYS:
            add(
                "no_checkin",
                _("No morale check-in since %(date)s, %(days)s days ago.")
                % {
                    "date": checkins[0]["date"].isoformat(),
                    "days": (today - checkins[0]["date"]).days,
                },
            )
    return found


def attrition_risks(
    reps: list[Employee], *, today: dt.date, settings: RiskSettings | None = None
) -> list[Risk]:
    """The risk of each rep, highest first (then by employee number)."""
    settings = settings or risk_settings()
    ids = [rep.pk for rep in reps]
    if not ids:
        return []
    before, last = _months(today)
    checkins = latest_checkins(ids, count=3)
    attainment = sales_attainment_of_reps(ids, [before, last])
    penalties: dict[int, list[LedgerEntry]] = {}
    for entry in LedgerEntry.objects.filter(
        employee_id__in=ids,
        kind=LedgerEntry.Kind.PENALTY,
        reverses__isnull=True,
        reversal__isnull=True,
        date__gt=today - dt.timedelta(days=PENALTY_DAYS),
        date__lte=today,
    ).order_by("-date", "-id"):
        penalties.setdefault(entry.employee_id, []).append(entry)
    risks = []
    for rep in reps:
        facts = rep_facts(
            RepFacts(
                hire_date=rep.hire_date,
                checkins=checkins.get(rep.pk, []),
                attainment_before=attainment[before.code].get(rep.pk),
                attainment_last=attainment[last.code].get(rep.pk),
                penalties=penalties.get(rep.pk, []),
            ),
            today=today,
            settings=settings,
        )
        risk = Risk(rep, facts)
        risk.level = settings.level(risk.score)
        risks.append(risk)
    return sorted(risks, key=lambda r: (-r.score, r.employee.employee_no))


def _today() -> dt.date:
    return timezone.localdate()


def reps_at_risk_for(user, *, today: dt.date, team=None) -> list[Employee]:
    """The reps employed today in the user's scope (optionally one team of it)."""
    reps = (
        access.employees_visible_to(user)
        .filter(role=Role.REP)
        .employed_on(today)
        .select_related("team")
    )
    if team is not None:
        reps = reps.filter(team=team)
    return list(reps.order_by("employee_no"))


@login_required
def attrition_page(request):
    user = request.user
    if not can_see_attrition(user):
        raise Http404
    today = _today()
    teams = access.teams_visible_to(user).order_by("code")
    team = None
    chosen = request.GET.get("team") or ""
    if chosen:
        team = teams.filter(pk=chosen).first() if chosen.isdigit() else None
        if team is None:
            raise Http404
    settings = risk_settings()
    risks = attrition_risks(
        reps_at_risk_for(user, today=today, team=team), today=today, settings=settings
    )
    counts = {level: sum(1 for r in risks if r.level == level) for level in (HIGH, MEDIUM, LOW)}
    before, last = _months(today)
    context = {
        "risks": risks,
        "counts": counts,
        "teams": teams,
        "team": team,
        "settings": settings,
        "today": today,
        "month": last.code,
        "month_before": before.code,
    }
    return render(request, "reports/attrition.html", context)
