"""telesales targets SUBCOMMAND: target plans on the command line (PRODUCT.md §8).

`split` shares a team's target among its reps, or the company's among its teams, exactly as
the split page does; with --from it re-splits what is open from that date."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from telesales.core.periods import PeriodError
from telesales.org.access import teams_visible_to
from telesales.org.models import Team
from telesales.targets.arithmetic import CENT, SplitError
from telesales.targets.decomposition import (
    DEFAULT_HISTORY_MONTHS,
    SplitPlan,
    period_bounds,
    split_compute,
)
from telesales.targets.models import AMOUNT_METRICS, SPLIT_METHODS, Method, Metric, Target
from telesales.targets.selectors import can_split
from telesales.targets.services import split_apply

COMPANY = "company"
TEAM_PREFIX = "team:"


class TargetsCommandError(Exception):
    """A refusal with a full, translated sentence; the command exits with status 2."""


def _number(metric: str, value: Decimal) -> int | float:
    """Amounts as JSON numbers with their cents, counts as whole numbers."""
    return float(value) if metric in AMOUNT_METRICS else int(value)


def _text(metric: str, value: Decimal) -> str:
    """Amounts with their cents, counts as whole numbers."""
    return str(value.quantize(CENT) if metric in AMOUNT_METRICS else int(value))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise TargetsCommandError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD, for example 2026-08-03.")
            % {"value": text}
        ) from None


class Command(BaseCommand):
    help = "Work with target plans: `targets split` shares a team's or the company's target."
    requires_system_checks = []
    # Each subcommand NAME has add_NAME_arguments(parser) and handle_NAME(user, options).
    subcommands = {
        "split": "Split a team's target among its reps, or the company's among its teams.",
    }

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        for name, description in self.subcommands.items():
            sub = subparsers.add_parser(name, help=description, description=description)
            sub.add_argument("--json", action="store_true", help="Print one JSON object.")
            sub.add_argument("--user", help="Act as this user, within their scope.")
            getattr(self, f"add_{name}_arguments")(sub)

    def handle(self, *args, **options):
        try:
            user = self._user(options.get("user"))
            getattr(self, f"handle_{options['subcommand']}")(user, options)
        except TargetsCommandError as error:
            message = str(error)
            if options.get("json"):
                self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
            self.stderr.write(message)
            sys.exit(2)

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise TargetsCommandError(_("There is no user %(user)s.") % {"user": username})
        return user

    # -- split ---------------------------------------------------------------------------------

    def add_split_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="team:CODE or company")
        parser.add_argument("--period", required=True, help="2026, 2026-Q3 or 2026-07")
        parser.add_argument("--metric", required=True, choices=Metric.values)
        parser.add_argument("--method", required=True, choices=[m.value for m in SPLIT_METHODS])
        parser.add_argument(
            "--from",
            dest="effective_from",
            metavar="DATE",
            help="Re-split from this date (YYYY-MM-DD): the plan before it is kept.",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            default=DEFAULT_HISTORY_MONTHS,
            metavar="N",
            help="Months of actuals the history method weighs by (default 3).",
        )
        parser.add_argument("--reason", default="", help="Why the target is (re-)split.")
        parser.add_argument("--dry-run", action="store_true", help="Show the split, store nothing.")

    def handle_split(self, user, options) -> None:
        parent = self._parent(user, options)
        if options["history_months"] < 1:
            raise TargetsCommandError(
                _("Give at least one month of history: --history-months 1 or more.")
            )
        effective_from = options["effective_from"]
        try:
            plan = split_compute(
                parent,
                options["method"],
                effective_from=_date(effective_from) if effective_from else None,
                history_months=options["history_months"],
            )
            if not options["dry_run"]:
                split_apply(actor=user or "command line", plan=plan, reason=options["reason"])
        except SplitError as error:
            raise TargetsCommandError(str(error)) from None
        for note in plan.notes:
            self.stderr.write(str(note))
        if options["json"]:
            self.stdout.write(json.dumps(split_as_json(plan), ensure_ascii=False))
        else:
            self._split_table(plan, dry_run=options["dry_run"])

    def _parent(self, user, options) -> Target:
        """The active target to split; a team outside the user's scope is as if it did not
        exist."""
        try:
            period, _start, _end = period_bounds(options["period"])
        except (PeriodError, SplitError) as error:
            raise TargetsCommandError(str(error)) from None
        text = options["scope"].strip()
        team = None
        if text.lower().startswith(TEAM_PREFIX):
            code = text[len(TEAM_PREFIX) :]
            teams = teams_visible_to(user) if user is not None else Team.objects.all()
            team = teams.filter(code=code).first()
            if team is None:
                raise TargetsCommandError(_("There is no team %(code)s.") % {"code": code})
            scope = f"{TEAM_PREFIX}{team.code}"
        elif text.lower() == COMPANY:
            scope = COMPANY
        else:
            raise TargetsCommandError(
                _(
                    "Only the target of a team or of the company is split: give team:CODE or "
                    "company, not “%(scope)s”."
                )
                % {"scope": text}
            )
        parent = (
            Target.objects.filter(
                metric=options["metric"],
                period=period,
                team=team,
                employee=None,
                superseded_at__isnull=True,
            )
            .select_related("team")
            .first()
        )
        if parent is None:
            raise TargetsCommandError(
                _("%(scope)s has no %(metric)s target for %(period)s to split.")
                % {"scope": scope, "metric": options["metric"], "period": period}
            )
        if user is not None and not can_split(user, parent):
            raise TargetsCommandError(
                _("User %(user)s may not split the %(metric)s target of %(scope)s.")
                % {"user": user.get_username(), "metric": options["metric"], "scope": scope}
            )
        return parent

    def _split_table(self, plan: SplitPlan, *, dry_run: bool) -> None:
        parent = plan.parent
        self.stdout.write(
            _("%(scope)s · %(period)s · %(metric)s: %(target)s, split by %(method)s.")
            % {
                "scope": parent.scope_code,
                "period": parent.period,
                "metric": parent.get_metric_display(),
                "target": _text(parent.metric, parent.value),
                "method": Method(plan.method).label,
            }
        )
        if plan.is_resplit:
            self.stdout.write(
                _("Re-split from %(date)s: %(amount)s is shared; the plan before is kept.")
                % {
                    "date": plan.effective_from.isoformat(),
                    "amount": _text(parent.metric, plan.amount),
                }
            )
        resplit = plan.is_resplit
        header = [_("scope"), _("name"), _("weight")]
        header += [_("kept"), _("share"), _("target")] if resplit else [_("target")]
        rows = [header]
        for share in plan.shares:
            row = [share.code, share.label, _plain(share.weight)]
            if resplit:
                row += [_text(parent.metric, share.kept), _text(parent.metric, share.share)]
            rows.append([*row, _text(parent.metric, share.value)])
        widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            cells = [_pad(cell, widths[i], right=i >= 2) for i, cell in enumerate(row)]
            self.stdout.write("  ".join(cells).rstrip())
        if dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
        else:
            self.stdout.write(_("The split was stored; the previous one is kept as history."))


def _width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _plain(value: Decimal) -> str:
    """A weight without trailing zeros (1, 66, 45.9)."""
    return f"{value.normalize():f}"


def split_as_json(plan: SplitPlan) -> dict:
    """The split as PRODUCT.md §8's JSON: the parent and each child's target with its basis;
    a re-split adds what each child keeps from before and the date it takes effect."""
    metric = plan.parent.metric
    children = []
    for share in plan.shares:
        child = {
            "scope": share.code,
            "target": _number(metric, share.value),
            "basis": share.basis,
        }
        if plan.is_resplit:
            child["kept"] = _number(metric, share.kept)
        children.append(child)
    payload = {
        "scope": plan.parent.scope_code,
        "period": plan.parent.period,
        "metric": metric,
        "target": _number(metric, plan.parent.value),
        "children": children,
    }
    if plan.is_resplit:
        payload["effective_from"] = plan.effective_from.isoformat()
    return payload
