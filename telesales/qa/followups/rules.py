"""The rules of a follow-up record check: its settings and constants, the checklist, the
verdict and the seeded order of the weekly sample."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from telesales.qa.models import FOLLOWUP_POINTS, FollowUpCheck, FollowUpCheckItem

PASS_SHARE = "qa.followup_pass_share"
SAMPLE_SIZE = "qa.followup_sample_size"
DEFAULTS = {PASS_SHARE: 80, SAMPLE_SIZE: 5}
MAX_CUSTOMERS = 20  # a check is read customer by customer; more is a project, not a check
CALL_DAYS = 7  # the overview's window of answered calls
OUTCOME_WITHIN = dt.timedelta(hours=24)  # the crm_completeness rule (PRODUCT.md §5)
RECENT_OUTCOMES = 3
RECENT_EVENTS = 5

MET = FollowUpCheckItem.Mark.MET
NOT_MET = FollowUpCheckItem.Mark.NOT_MET
NOT_APPLICABLE = FollowUpCheckItem.Mark.NOT_APPLICABLE
MARKS = frozenset(FollowUpCheckItem.Mark.values)
CHECK_FIELDS = [
    "rep_id",
    "checker_id",
    "checked_on",
    "status",
    "comment",
    "met",
    "applicable",
    "result",
    "pass_share",
    "passed",
    "submitted_at",
    "acknowledged_at",
    "acknowledgement",
]
Status = FollowUpCheck.Status

# The only move of a check's status: a draft is submitted, once; a submitted check is final
# (the rep's acknowledgement is recorded beside it, not as a status).
MOVES: dict[tuple[str, str], str] = {(Status.DRAFT, Status.SUBMITTED): "submit"}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def point_labels() -> list[tuple[str, str]]:
    """The checklist points with their labels, in order."""
    return [
        (point, str(FollowUpCheckItem._meta.get_field(point).verbose_name))
        for point in FOLLOWUP_POINTS
    ]


def pass_share() -> int:
    """The share of applicable items (in %) a check must meet to pass."""
    from telesales.core.config import setting_get

    return int(setting_get(PASS_SHARE))


def sample_size() -> int:
    from telesales.core.config import setting_get

    return int(setting_get(SAMPLE_SIZE))


# -- the verdict -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    met: int
    applicable: int
    result: Decimal | None  # % of applicable items met, 2 decimals half up; None: none apply
    passed: bool | None


def followup_verdict(marks: Iterable[str], share: int) -> Verdict:
    """result = items met / applicable items × 100 (2 decimals, half up); "not applicable"
    items count in neither; passed = met / applicable ≥ share % (compared exactly, not on the
    rounded result). Without any applicable item there is no result and no verdict."""
    marks = list(marks)
    met = sum(1 for mark in marks if mark == MET)
    applicable = sum(1 for mark in marks if mark in (MET, NOT_MET))
    if applicable == 0:
        return Verdict(0, 0, None, None)
    result = (Decimal(met) * HUNDRED / Decimal(applicable)).quantize(CENT, ROUND_HALF_UP)
    return Verdict(met, applicable, result, met * 100 >= share * applicable)


# -- the sample's week and order ---------------------------------------------------------------


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_code(week_start: dt.date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def sample_order_key(rep_no: str, week_start: dt.date, customer_id: int) -> str:
    """The seeded order of a rep's customers in a week: a hash of the rep, the ISO week and
    the customer, so the same week gives the same customers and a customer gained later
    does not reorder the others."""
    text = f"{rep_no}|{week_code(week_start)}|customer:{customer_id}"
    return hashlib.sha256(text.encode()).hexdigest()
