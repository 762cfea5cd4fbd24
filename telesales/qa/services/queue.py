"""The weekly review queue: per rep and ISO week a seeded random sample of their answered
outbound calls, plus the calls picked by rule (outcome, long or short talk time)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.calls.models import Call, Direction
from telesales.core.audit import audit_record
from telesales.org.access import teams_visible_to
from telesales.org.membership import in_scope
from telesales.org.models import Team
from telesales.org.scopes import scope_for_teams
from telesales.qa import access
from telesales.qa.models import QueueItem, Review
from telesales.qa.rules import QueueRules, queue_rules
from telesales.qa.services.common import user_of


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week of a day."""
    return day - dt.timedelta(days=day.weekday())


def week_code(week_start: dt.date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def sample_order_key(rep_no: str, week_start: dt.date, system: str, call_id: str) -> str:
    """The seeded order of a rep's calls in a week: a hash of the rep, the ISO week and the
    phone system's call id. The same calls always come in the same order, and a call added
    later does not reorder the others, so rebuilding the queue picks the same calls."""
    text = f"{rep_no}|{week_code(week_start)}|{system}:{call_id}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class QueueBuild:
    week_start: dt.date
    added: int
    updated: int
    items: int  # the week's items of these teams after the build


@dataclass
class _Candidate:
    pk: int
    rep_id: int
    key: str
    talk_seconds: int
    outcome: str = ""


def _candidates(actor, teams: list[Team], start: dt.date, rules: QueueRules) -> list[_Candidate]:
    """The answered outbound calls of the week made by the teams' reps (by each rep's team
    and role on the call's date), with their latest outcome among the rule's codes."""
    from telesales.crm.models import Outcome

    end = start + dt.timedelta(days=6)
    calls = Call.objects.filter(
        local_date__gte=start,
        local_date__lte=end,
        direction=Direction.OUTBOUND,
        answered=True,
        employee__isnull=False,
    ).filter(in_scope(scope_for_teams(teams), on="local_date"))
    if user_of(actor) is not None:
        calls = calls.filter(pk__in=access.calls_reviewable_by(actor).values("pk"))
    rows = list(
        calls.order_by().values_list(
            "pk", "employee_id", "employee__employee_no", "system", "call_id", "talk_seconds"
        )
    )
    outcomes: dict[int, str] = {}
    if rules.outcome_codes and rows:
        for call_id, code in (
            Outcome.objects.filter(
                call_id__in=[row[0] for row in rows],
                disposition__code__in=sorted(rules.outcome_codes),
            )
            .order_by("call_id", "recorded_at", "id")
            .values_list("call_id", "disposition__code")
        ):
            outcomes[call_id] = code  # the latest one wins
    return [
        _Candidate(
            pk=pk,
            rep_id=rep_id,
            key=sample_order_key(rep_no, start, system, call_id),
            talk_seconds=talk,
            outcome=outcomes.get(pk, ""),
        )
        for pk, rep_id, rep_no, system, call_id, talk in rows
    ]


def _pick(
    candidates: list[_Candidate],
    items: dict[int, QueueItem],
    reviewed: set[int],
    *,
    limit: int,
    already: int,
    applies,
    mark,
) -> list[QueueItem]:
    """Give up to `limit` calls (counting the `already` picked) a reason, in the seeded
    order, leaving out calls reviewed outside the queue; returns the items touched."""
    touched: list[QueueItem] = []
    for candidate in candidates:
        if already >= limit:
            break
        if not applies(candidate):
            continue
        item = items.get(candidate.pk)
        if item is None and candidate.pk in reviewed:
            continue
        if item is None:
            item = items[candidate.pk] = QueueItem(call_id=candidate.pk, rep_id=candidate.rep_id)
        if mark(item, candidate):
            touched.append(item)
            already += 1
    return touched


@transaction.atomic
def qa_queue_build(*, actor, week_start: dt.date, teams) -> QueueBuild:
    """Fill the review queue of the week that starts on `week_start` (any day: its ISO week)
    for the reps of the teams. Idempotent: a rebuild keeps every item, picks the same calls,
    and only adds what the week has gained since (new calls, outcomes, a larger sample)."""
    teams = list(teams)
    if not teams:
        raise ValidationError(_("Choose at least one team."))
    if user_of(actor) is not None:
        if not access.is_reviewer(actor):
            raise PermissionDenied(_("You may not build the review queue."))
        allowed = set(teams_visible_to(actor).values_list("pk", flat=True))
        if any(team.pk not in allowed for team in teams):
            raise PermissionDenied(_("You may not build the review queue of this team."))
    start = week_start_of(week_start)
    list(Team.objects.select_for_update().filter(pk__in=[t.pk for t in teams]))
    rules = queue_rules()
    candidates = _candidates(actor, teams, start, rules)
    ids = [c.pk for c in candidates]
    items = {item.call_id: item for item in QueueItem.objects.filter(call_id__in=ids)}
    known = {pk: (i.sampled, i.outcome_code, i.long_call, i.short_call) for pk, i in items.items()}
    reviewed = set(Review.objects.filter(call_id__in=ids).values_list("call_id", flat=True))
    by_rep: dict[int, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_rep[candidate.rep_id].append(candidate)
    for rep_calls in by_rep.values():
        rep_calls.sort(key=lambda c: c.key)
        own = [items[c.pk] for c in rep_calls if c.pk in items]  # picked by earlier builds
        for limit, flag, applies, mark in (
            (rules.sample, _is_sampled, _always, _set_sampled),
            (rules.rule_cap, _has_outcome, _with_outcome, _set_outcome),
            (rules.rule_cap, _is_long, _long_check(rules), _set_long),
            (rules.rule_cap, _is_short, _short_check(rules), _set_short),
        ):
            _pick(
                rep_calls,
                items,
                reviewed,
                limit=limit,
                already=sum(1 for item in own if flag(item)),
                applies=applies,
                mark=mark,
            )
    new = [item for item in items.values() if item.pk is None]
    for item in new:
        item.week_start = start
    changed = [
        item
        for item in items.values()
        if item.pk is not None
        and known[item.call_id]
        != (item.sampled, item.outcome_code, item.long_call, item.short_call)
    ]
    QueueItem.objects.bulk_create(new)
    QueueItem.objects.bulk_update(changed, ["sampled", "outcome_code", "long_call", "short_call"])
    total = QueueItem.objects.filter(week_start=start, call_id__in=ids).count()
    if new or changed:
        audit_record(
            actor=actor,
            action="qa.queue.build",
            obj=sorted(teams, key=lambda t: t.code)[0],
            after={
                "week": week_code(start),
                "teams": sorted(t.code for t in teams),
                "added": len(new),
                "updated": len(changed),
            },
        )
    return QueueBuild(week_start=start, added=len(new), updated=len(changed), items=total)


def _always(candidate: _Candidate) -> bool:
    return True


def _with_outcome(candidate: _Candidate) -> bool:
    return bool(candidate.outcome)


def _long_check(rules: QueueRules):
    return lambda candidate: candidate.talk_seconds >= rules.long_seconds


def _short_check(rules: QueueRules):
    return lambda candidate: candidate.talk_seconds <= rules.short_seconds


def _is_sampled(item: QueueItem) -> bool:
    return item.sampled


def _has_outcome(item: QueueItem) -> bool:
    return bool(item.outcome_code)


def _is_long(item: QueueItem) -> bool:
    return item.long_call


def _is_short(item: QueueItem) -> bool:
    return item.short_call


def _set_sampled(item: QueueItem, candidate: _Candidate) -> bool:
    if item.sampled:
        return False
    item.sampled = True
    return True


def _set_outcome(item: QueueItem, candidate: _Candidate) -> bool:
    if item.outcome_code:
        return False
    item.outcome_code = candidate.outcome
    return True


def _set_long(item: QueueItem, candidate: _Candidate) -> bool:
    if item.long_call:
        return False
    item.long_call = True
    return True


def _set_short(item: QueueItem, candidate: _Candidate) -> bool:
    if item.short_call:
        return False
    item.short_call = True
    return True
