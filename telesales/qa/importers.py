"""`telesales import qa_reviews` (PRODUCT.md §7; the columns are documented in docs/qa.md and
on the import page): QA reviews scored in another system, one row per review, stored as
submitted regular reviews with their total score only."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.calls.models import Call
from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.org.access import employees_visible_to
from telesales.org.models import Employee
from telesales.qa import access
from telesales.qa.models import Review, Scorecard, ScorecardVersion
from telesales.qa.services import ImportedReview, reviews_import_store, score_round
from telesales.qa.services.common import user_of

DEFAULT_SCORECARD = "default"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class ReviewRow:
    call_id: str
    system: str
    reviewer_no: str
    reviewed_at: dt.datetime  # naive: the company's time (or --tz); aware when an offset is given
    template: str
    score: Decimal
    instant_fail: bool
    comment: str


def _reviewed_at(value: str) -> dt.datetime:
    """2026-07-01 (midnight), 2026-07-01 14:30[:00], 2026/7/1 9:30, or ISO with an offset."""
    text = value.strip()
    if not text:
        raise RowError("reviewed_on", _("A date is required."))
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    date_part, _sep, time_part = text.replace("T", " ").partition(" ")
    day = fields.date(date_part, "reviewed_on", required=True)
    time_part = time_part.strip()
    if not time_part:
        return dt.datetime.combine(day, dt.time())
    match = _TIME.match(time_part)
    try:
        if match is None:
            raise ValueError(time_part)
        clock = dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        raise RowError(
            "reviewed_on",
            _("“%(value)s” is not a date and time; write it as 2026-07-01 14:30.")
            % {"value": text},
        ) from None
    return dt.datetime.combine(day, clock)


def _score(value: str) -> Decimal:
    number = fields.decimal(value, "score", required=True)
    if number < 0 or number > 100:
        raise RowError(
            "score", _("The score %(value)s is outside 0 to 100.") % {"value": value.strip()}
        )
    if number != score_round(number):
        raise RowError("score", _("A score has at most two decimal places."))
    return score_round(number)


def _zone(ctx: StoreContext):
    name = ctx.options.get("tz")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


class ReviewImporter(Importer):
    """QA reviews: call + reviewer + scorecard is the key; the same review again is a
    duplicate."""

    kind = "qa_reviews"
    label = gettext_lazy("QA reviews")
    description = gettext_lazy(
        "One row per QA review of a call, scored in another system: the call (the phone "
        "system's call id), the reviewer's employee number, the date, the scorecard's code "
        "(the default scorecard when empty), the score from 0 to 100 and whether an "
        "instant-fail item was triggered (the score is then 0). Passed is computed from the "
        "scorecard's passing score. The same review again is not stored twice. You can only "
        "import reviews of the calls you may review."
    )
    columns = (
        Column(
            "call_id",
            gettext_lazy("Call id"),
            aliases=("通话id", "通話id", "通话编号", "通話編號", "uniqueid", "linkedid"),
            help=gettext_lazy("The phone system's id of the call, as stored with the call."),
        ),
        Column(
            "system",
            gettext_lazy("Phone system"),
            required=False,
            aliases=("电话系统", "電話系統"),
            help=gettext_lazy("Only needed when two phone systems use the same call id."),
        ),
        Column(
            "reviewer_no",
            gettext_lazy("Reviewer number"),
            aliases=("质检员工号", "質檢員工號", "质检员", "質檢員", "评分人工号", "評分人工號"),
            help=gettext_lazy("The employee number of whoever reviewed the call."),
        ),
        Column(
            "reviewed_on",
            gettext_lazy("Reviewed on"),
            aliases=("质检日期", "質檢日期", "质检时间", "質檢時間", "reviewed_at"),
            help=gettext_lazy("2026-07-01, or with the time: 2026-07-01 14:30."),
        ),
        Column(
            "template",
            gettext_lazy("Scorecard"),
            required=False,
            aliases=("评分表", "評分表", "质检模板", "質檢模板", "模板", "scorecard"),
            help=gettext_lazy(
                "The scorecard's code; its latest version is used. Empty: the default scorecard."
            ),
        ),
        Column(
            "score",
            gettext_lazy("Score"),
            aliases=("得分", "分数", "分數", "质检得分", "質檢得分"),
            help=gettext_lazy("From 0 to 100, at most two decimals."),
        ),
        Column(
            "instant_fail",
            gettext_lazy("Instant fail"),
            required=False,
            aliases=("一票否决", "一票否決", "否决项", "否決項"),
            help=gettext_lazy("yes or no (是/否); empty means no."),
        ),
        Column(
            "comment",
            gettext_lazy("Comment"),
            required=False,
            aliases=("评语", "評語", "备注", "備註", "点评", "點評"),
        ),
    )

    def allowed(self, user) -> bool:
        return access.can_import(user)

    def example_row(self) -> list[str]:
        return [
            "1719800000.101",
            "",
            "S001",
            "2026-07-02 10:30",
            DEFAULT_SCORECARD,
            "85",
            "否",
            "开场规范，异议处理可加强",
        ]

    def parse(self, row: dict[str, str]) -> ReviewRow:
        return ReviewRow(
            call_id=fields.text(row["call_id"], "call_id", required=True, max_length=80),
            system=fields.text(row.get("system") or "", "system", max_length=20),
            reviewer_no=fields.text(
                row["reviewer_no"], "reviewer_no", required=True, max_length=40
            ),
            reviewed_at=_reviewed_at(row["reviewed_on"]),
            template=fields.text(row.get("template") or "", "template", max_length=40),
            score=_score(row["score"]),
            instant_fail=fields.boolean(row.get("instant_fail") or "", "instant_fail"),
            comment=fields.text(row.get("comment") or "", "comment", max_length=4000),
        )

    # -- storing -------------------------------------------------------------------------------

    def _versions(self, ctx: StoreContext) -> dict[str, ScorecardVersion]:
        versions = ctx.state.get("versions")
        if versions is None:
            versions = {}
            for version in ScorecardVersion.objects.select_related("scorecard").order_by(
                "scorecard__code", "number"
            ):
                versions[version.scorecard.code] = version  # the latest wins
            ctx.state["versions"] = versions
            default = Scorecard.objects.filter(code=DEFAULT_SCORECARD, is_active=True).first()
            if default is None:
                default = Scorecard.objects.filter(is_active=True).order_by("code").first()
            ctx.state["default_code"] = default.code if default else None
        return versions

    def store(self, batch, ctx: StoreContext) -> None:
        result = ctx.result
        user = user_of(ctx.actor)
        zone = _zone(ctx)
        versions = self._versions(ctx)
        seen: dict[tuple[int, int], tuple[int, tuple]] = ctx.state.setdefault("seen", {})
        calls = _calls({row.call_id for _line, row in batch}, user)
        reviewers = _reviewers({row.reviewer_no for _line, row in batch}, user)
        call_ids = [c.pk for found in calls.values() for c in found]
        existing: dict[int, list[Review]] = defaultdict(list)
        for review in Review.objects.filter(call_id__in=call_ids).select_related(
            "reviewer", "version__scorecard"
        ):
            existing[review.call_id].append(review)
        reviewable = _reviewable(reviewers.values(), call_ids)
        now = timezone.now()
        new: list[ImportedReview] = []
        for line, row in batch:
            try:
                call = _the_call(calls, row)
                reviewer = reviewers.get(row.reviewer_no)
                if reviewer is None:
                    raise RowError(
                        "reviewer_no", _("There is no employee %(no)s.") % {"no": row.reviewer_no}
                    )
                code = row.template or ctx.state["default_code"]
                version = versions.get(code or "")
                if version is None:
                    raise RowError(
                        "template",
                        _("There is no scorecard with the code %(code)s.")
                        % {"code": row.template or DEFAULT_SCORECARD},
                    )
                reviewed_at = row.reviewed_at
                if timezone.is_naive(reviewed_at):
                    reviewed_at = timezone.make_aware(reviewed_at, zone)
                if reviewed_at > now:
                    raise RowError("reviewed_on", _("A review cannot be made in the future."))
                if timezone.localtime(reviewed_at).date() < call.local_date:
                    raise RowError(
                        "reviewed_on", _("A call cannot be reviewed before it was made.")
                    )
                _check_reviewer(reviewer, call, reviewable)
            except RowError as error:
                result.reject(line, error.column, error.reason)
                continue
            score = Decimal("0.00") if row.instant_fail else row.score
            facts = (version.scorecard_id, score, row.instant_fail)
            key = (call.pk, reviewer.pk)
            if key in seen:
                first_line, first_facts = seen[key]
                if first_facts == facts:
                    result.duplicates += 1
                else:
                    result.reject(
                        line,
                        "call_id",
                        _(
                            "The review of call %(call)s by %(no)s already appears on line "
                            "%(line)s of this file with other values."
                        )
                        % {"call": row.call_id, "no": row.reviewer_no, "line": first_line},
                    )
                continue
            problem = _stored_problem(existing[call.pk], reviewer, version, facts, row)
            if problem == "duplicate":
                result.duplicates += 1
                seen[key] = (line, facts)
                continue
            if problem is not None:
                result.reject(line, *problem)
                continue
            seen[key] = (line, facts)
            if row.instant_fail and row.score:
                ctx.state["zeroed"] = ctx.state.get("zeroed", 0) + 1
            new.append(
                ImportedReview(
                    call=call,
                    reviewer=reviewer,
                    version=version,
                    score=row.score,
                    instant_failed=row.instant_fail,
                    comment=row.comment,
                    reviewed_at=reviewed_at,
                )
            )
            # a regular review of this call now exists: a later row by someone else is refused
            existing[call.pk].append(
                Review(
                    call=call,
                    reviewer=reviewer,
                    version=version,
                    kind=Review.Kind.REGULAR,
                    status=Review.Status.SUBMITTED,
                    score=score,
                    instant_failed=row.instant_fail,
                )
            )
        result.stored += len(reviews_import_store(actor=ctx.actor, reviews=new))

    def finish(self, ctx: StoreContext) -> None:
        if ctx.state.get("zeroed"):
            ctx.result.notes.append(
                ngettext(
                    "%(count)s review with an instant fail was stored with the score 0.",
                    "%(count)s reviews with an instant fail were stored with the score 0.",
                    ctx.state["zeroed"],
                )
                % {"count": ctx.state["zeroed"]}
            )


def _calls(call_ids: set[str], user) -> dict[str, list[Call]]:
    """Call id → the calls with it; run as a user, only the calls the user may review (the
    others are as if they did not exist, so that a file cannot probe outside the scope)."""
    calls = access.calls_reviewable_by(user) if user is not None else Call.objects.all()
    found: dict[str, list[Call]] = defaultdict(list)
    for call in calls.filter(call_id__in=call_ids).select_related("employee"):
        found[call.call_id].append(call)
    return found


def _the_call(calls: dict[str, list[Call]], row: ReviewRow) -> Call:
    found = calls.get(row.call_id, [])
    if row.system:
        found = [c for c in found if c.system == row.system]
    if not found:
        raise RowError("call_id", _("There is no call with the id %(id)s.") % {"id": row.call_id})
    if len(found) > 1:
        raise RowError(
            "call_id",
            _(
                "Calls of several phone systems have the id %(id)s; name the phone system in "
                "the system column."
            )
            % {"id": row.call_id},
        )
    call = found[0]
    if call.employee_id is None:
        raise RowError("call_id", _("This call belongs to no rep, so it cannot be reviewed."))
    return call


def _reviewers(numbers: set[str], user) -> dict[str, Employee]:
    people = employees_visible_to(user) if user is not None else Employee.objects.all()
    return {e.employee_no: e for e in people.filter(employee_no__in=numbers).select_related("user")}


def _reviewable(reviewers, call_ids: list[int]) -> dict[int, set[int] | None]:
    """Reviewer → the ids among these calls they may review; None: judged by role alone (a
    reviewer without a login)."""
    allowed: dict[int, set[int] | None] = {}
    for reviewer in reviewers:
        if reviewer.user_id is None:
            allowed[reviewer.pk] = None
            continue
        allowed[reviewer.pk] = set(
            access.calls_reviewable_by(reviewer.user)
            .filter(pk__in=call_ids)
            .values_list("pk", flat=True)
        )
    return allowed


def _check_reviewer(reviewer: Employee, call: Call, reviewable) -> None:
    if reviewer.pk == call.employee_id:
        raise RowError("reviewer_no", _("Nobody reviews their own calls."))
    if reviewer.role not in access.REVIEWER_ROLES:
        raise RowError(
            "reviewer_no",
            _("%(no)s is not a supervisor, manager, HR or administrator, so may not review calls.")
            % {"no": reviewer.employee_no},
        )
    allowed = reviewable.get(reviewer.pk)
    if allowed is not None and call.pk not in allowed:
        raise RowError(
            "reviewer_no",
            _("%(no)s may not review the calls of %(rep)s.")
            % {"no": reviewer.employee_no, "rep": call.employee.employee_no},
        )


def _stored_problem(reviews: list[Review], reviewer, version, facts, row: ReviewRow):
    """'duplicate', a (column, reason) refusal, or None when the row may be stored."""
    for review in reviews:
        if review.reviewer_id == reviewer.pk:
            same = (
                review.status == Review.Status.SUBMITTED
                and review.version.scorecard_id == facts[0]
                and (review.score, review.instant_failed) == facts[1:]
            )
            if same:
                return "duplicate"
            return (
                "call_id",
                _(
                    "%(no)s has already reviewed call %(call)s with other values; it was not "
                    "changed."
                )
                % {"no": row.reviewer_no, "call": row.call_id},
            )
    for review in reviews:
        if review.kind == Review.Kind.REGULAR:
            return (
                "call_id",
                _("Call %(call)s is already reviewed by %(no)s; calibrate it in the app.")
                % {"call": row.call_id, "no": review.reviewer.employee_no},
            )
    return None
