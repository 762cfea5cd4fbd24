"""telesales appraisal open --scheme CODE --period 2026-Q3 [--user NAME], telesales appraisal
compute --period 2026-Q3 [--scheme CODE] [--user NAME] [--json] and telesales appraisal
preview --scheme CODE --period 2026-Q3 (--employee E001 | --scope team:T1) [--user NAME]
[--json] (PRODUCT.md §8).

preview scores appraisees on a scheme from today's data and stores nothing: one employee, or
everyone in a team the scheme applies to (its reps for a rep scheme, its supervisor for a
supervisor scheme). With --user only the people that user may see. An unknown scheme, period,
employee, team or user is refused with a message (exit 1).

open creates one draft appraisal per person of the scheme's role employed in the period and
prints how many; compute scores every appraisal of the period's cycles with its status.

open --user NAME opens as that user, which must be HR or an administrator (anyone else is
refused with exit 1 and nothing is opened); compute --user NAME scores only the appraisals that
user may see (their own and those of the people in their scope; every one for HR)."""

from __future__ import annotations

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from telesales.appraisal.access import appraisals_visible, can_administer
from telesales.appraisal.cycles import appraisal_open, appraisals_compute, cycle_period
from telesales.appraisal.inputs import PreviewError, appraisal_preview
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.schemes import SchemeNotFound, scheme_load
from telesales.core.periods import PeriodError, period_parse
from telesales.org.access import employees_visible_to, teams_visible_to
from telesales.org.models import Employee, Role, Team
from telesales.targets.capacity import team_reps


class Command(BaseCommand):
    help = "Appraisals: open a cycle, compute its scores, or preview a scheme's scores."
    requires_system_checks = []

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        preview = commands.add_parser(
            "preview", help="Score appraisees on a scheme from today's data; stores nothing."
        )
        preview.add_argument("--scheme", required=True, help="A scheme code, e.g. rep-default.")
        preview.add_argument("--period", required=True, help="2026-Q3, 2026-09 or 2026")
        who = preview.add_mutually_exclusive_group(required=True)
        who.add_argument("--employee", help="An employee number, e.g. E001.")
        who.add_argument("--scope", help="team:T1 — everyone in the team the scheme applies to.")
        preview.add_argument("--user", help="Act as this user, within their scope.")
        preview.add_argument("--json", action="store_true", help="Print one JSON object.")
        opening = commands.add_parser(
            "open", help="Open a scheme's cycle: one appraisal per person it applies to."
        )
        opening.add_argument("--scheme", required=True, help="A scheme code, e.g. rep-default.")
        opening.add_argument("--period", required=True, help="2026-Q3, 2026-09 or 2026")
        opening.add_argument("--user", help="Act as this user: HR or an administrator.")
        compute = commands.add_parser(
            "compute", help="Score every appraisal of a period from today's data."
        )
        compute.add_argument("--period", required=True, help="2026-Q3, 2026-09 or 2026")
        compute.add_argument("--scheme", help="Only the cycle of this scheme.")
        compute.add_argument("--json", action="store_true", help="Print one JSON object.")
        compute.add_argument("--user", help="Only the appraisals this user may see.")
        remind = commands.add_parser(
            "remind",
            help="Remind everyone whose 360 rating is due by tomorrow (once a day at most).",
        )
        remind.add_argument("--today", help="The day to remind for, YYYY-MM-DD (default today).")
        remind.add_argument("--json", action="store_true", help="Print one JSON object.")
        annual = commands.add_parser(
            "annual", help="The annual summary: the year's quarterly totals and annual total."
        )
        annual.add_argument("--year", required=True, help="e.g. 2026")
        annual.add_argument("--scheme", help="Only the appraisals of this scheme.")
        annual.add_argument("--user", help="Only the people this user may see.")
        annual.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        if options["action"] == "preview":
            return self._preview(options)
        if options["action"] == "open":
            return self._open(options)
        if options["action"] == "compute":
            return self._compute(options)
        if options["action"] == "remind":
            return self._handle_remind(options)
        if options["action"] == "annual":
            return self._handle_annual(options)
        return None

    # --- open and compute ---------------------------------------------------------------

    def _as_user(self, options, as_json: bool = False):
        """The user of --user (None without it); an unknown user is refused with exit 1."""
        if not options.get("user"):
            return None
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            self._fail(as_json, _("There is no user %(user)s.") % {"user": options["user"]})
        return user

    def _open(self, options) -> None:
        user = self._as_user(options)
        if user is not None and not can_administer(user):
            self._fail(False, _("Only HR and administrators open appraisal cycles."))
        try:
            cycle, created = appraisal_open(
                actor=user or "command line",
                scheme_code=options["scheme"],
                period_code=options["period"],
            )
        except (PeriodError, SchemeNotFound, ValidationError) as error:
            self._fail(False, _message(error))
        self.stdout.write(
            ngettext(
                "Cycle %(period)s · %(scheme)s: %(count)s appraisal created.",
                "Cycle %(period)s · %(scheme)s: %(count)s appraisals created.",
                created,
            )
            % {"period": cycle.period, "scheme": cycle.scheme.code, "count": created}
        )

    def _compute(self, options) -> None:
        as_json = options["json"]
        user = self._as_user(options, as_json)
        try:
            if user is None:
                payload = appraisals_compute(
                    period_code=options["period"], scheme_code=options["scheme"]
                )
            else:
                payload = _compute_visible(user, options["period"], options["scheme"])
        except (PeriodError, SchemeNotFound, ValidationError, PreviewError) as error:
            self._fail(as_json, _message(error))
        if as_json:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not payload["appraisals"]:
            self.stdout.write(_("No appraisals in %(period)s.") % {"period": payload["period"]})
        dash = "—"
        for item in payload["appraisals"]:
            self.stdout.write(
                _(
                    "%(no)s %(name)s · %(scheme)s · %(period)s · %(status)s: total %(total)s, "
                    "grade %(grade)s"
                )
                % {
                    "no": item["employee_no"],
                    "name": item["name"],
                    "scheme": item["scheme"],
                    "period": payload["period"],
                    "status": item["status"],
                    "total": dash if item["total"] is None else f"{item['total']:.2f}",
                    "grade": item["grade"] or dash,
                }
            )

    # --- remind (360 ratings) -----------------------------------------------------------

    def _handle_remind(self, options) -> None:
        """Count a reminder, and mail it, for each unanswered rating request due by tomorrow."""
        import datetime as dt

        from telesales.appraisal.ratings import ratings_remind_due

        as_json = options["json"]
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                self._fail(
                    as_json,
                    _("“%(value)s” is not a date; write it as YYYY-MM-DD.")
                    % {"value": options["today"]},
                )
        summary = ratings_remind_due(actor="command line", today=today)
        if as_json:
            payload = {"reminded": summary.reminded, "emailed": summary.emailed}
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            ngettext(
                "%(count)s rater reminded, %(emailed)s by e-mail.",
                "%(count)s raters reminded, %(emailed)s by e-mail.",
                summary.reminded,
            )
            % {"count": summary.reminded, "emailed": summary.emailed}
        )

    # --- preview ------------------------------------------------------------------------

    def _preview(self, options) -> None:
        as_json = options["json"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                self._fail(as_json, _("There is no user %(user)s.") % {"user": options["user"]})
        try:
            period = period_parse(options["period"])
            scheme = scheme_load(options["scheme"])
        except (PeriodError, SchemeNotFound) as error:
            self._fail(as_json, str(error))
        employees = employees_visible_to(user) if user is not None else Employee.objects.all()
        if options["employee"]:
            people = list(employees.filter(employee_no=options["employee"]))
            if not people:
                self._fail(as_json, _("There is no employee %(no)s.") % {"no": options["employee"]})
        else:
            people = self._team_people(options["scope"], user, employees, scheme, period, as_json)
        try:
            appraisals = [
                appraisal_preview(scheme_code=scheme.code, employee=person, period=period)
                for person in people
            ]
        except PreviewError as error:
            self._fail(as_json, str(error))
        if as_json:
            payload = {"period": period.code, "appraisals": appraisals}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self._table(period.code, appraisals)

    def _team_people(self, text, user, employees, scheme, period, as_json) -> list[Employee]:
        """The team's people the scheme applies to, that the user may see: its reps in the
        period for a rep scheme, its supervisor for a supervisor scheme."""
        code = text[5:] if text.startswith("team:") else None
        teams = teams_visible_to(user) if user is not None else Team.objects.all()
        team = teams.filter(code=code).first() if code else None
        if team is None:
            self._fail(
                as_json,
                _("There is no team %(code)s; give the scope as team:CODE.")
                % {"code": code or text},
            )
        if scheme.applies_to == Role.SUPERVISOR:
            chosen = employees.filter(pk=team.supervisor_id, role=Role.SUPERVISOR)
        else:
            ids = list(team_reps(team.pk, period.start, period.end))
            chosen = employees.filter(pk__in=ids, role=Role.REP)
        return list(chosen.order_by("employee_no"))

    def _table(self, period: str, appraisals: list[dict]) -> None:
        dash = "—"
        if not appraisals:
            self.stdout.write(_("Nobody to appraise."))
        for item in appraisals:
            self.stdout.write(
                _(
                    "%(no)s %(name)s · %(scheme)s · %(period)s · preview: total %(total)s, "
                    "grade %(grade)s"
                )
                % {
                    "no": item["employee_no"],
                    "name": item["name"],
                    "scheme": item["scheme"],
                    "period": period,
                    "total": dash if item["total"] is None else f"{item['total']:.2f}",
                    "grade": item["grade"] or dash,
                }
            )
            for category in item["categories"]:
                score = category["score"]
                self.stdout.write(
                    f"  {category['code']:<16} {category['weight']:>6} "
                    f"{_number_text(category['effective_weight']):>8} "
                    f"{dash if score is None else f'{score:.2f}':>8}"
                )
                for kpi in item["kpis"]:
                    if kpi["category"] != category["code"]:
                        continue
                    shown = (
                        f"{kpi['score']:.2f}" if kpi["score"] is not None else kpi["reason"] or dash
                    )
                    self.stdout.write(
                        f"    {kpi['kpi']:<28} {_number_text(kpi['actual']):>14} / "
                        f"{_number_text(kpi['target']):<12} {shown}"
                    )
            for move in item["redistributions"]:
                self.stdout.write("  " + _statement(move))

    # --- annual (PRODUCT.md §8 `appraisal annual`) ---------------------------------------

    def _handle_annual(self, options) -> None:
        from telesales.appraisal.annual import annual_compute

        as_json = options["json"]
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                self._fail(as_json, _("There is no user %(user)s.") % {"user": options["user"]})
        try:
            payload = annual_compute(year=options["year"], user=user, scheme_code=options["scheme"])
        except (SchemeNotFound, ValidationError) as error:
            self._fail(as_json, _message(error))
        if as_json:
            for item in payload["appraisals"]:
                item.pop("employee_id", None)
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not payload["appraisals"]:
            self.stdout.write(_("No quarterly appraisals in %(year)s.") % {"year": payload["year"]})
        dash = "—"
        for item in payload["appraisals"]:
            quarters = "  ".join(
                f"{q['period'][-2:]} "
                + (
                    dash
                    if q["total"] is None
                    else f"{q['total']:.2f}{'' if q['published'] else '*'}"
                )
                for q in item["quarters"]
            )
            self.stdout.write(
                _(
                    "%(no)s %(name)s · %(scheme)s · %(year)s: %(quarters)s → total %(total)s, "
                    "grade %(grade)s"
                )
                % {
                    "no": item["employee_no"],
                    "name": item["name"],
                    "scheme": item["scheme"],
                    "year": payload["year"],
                    "quarters": quarters,
                    "total": dash if item["total"] is None else f"{item['total']:.2f}",
                    "grade": item["grade"] or dash,
                }
            )
        if any(
            not q["published"] and q["total"] is not None
            for item in payload["appraisals"]
            for q in item["quarters"]
        ):
            self.stdout.write(_("* provisional: not yet published."))

    def _fail(self, as_json: bool, message: str) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        self.stderr.write(message)
        sys.exit(1)


def _compute_visible(user, period_code: str, scheme_code: str | None) -> dict:
    """`appraisals_compute` restricted to the appraisals the user may see, in the same shape
    and order."""
    from telesales.appraisal.calibration import appraisal_results

    period = cycle_period(period_code)
    if scheme_code is not None and not SchemeModel.objects.filter(code=scheme_code).exists():
        raise SchemeNotFound(
            _("There is no appraisal scheme with the code “%(code)s”.") % {"code": scheme_code}
        )
    appraisals = (
        appraisals_visible(user)
        .filter(cycle__period=period.code)
        .select_related("cycle__scheme", "employee")
        .order_by("cycle__scheme__code", "employee__employee_no")
    )
    if scheme_code is not None:
        appraisals = appraisals.filter(cycle__scheme__code=scheme_code)
    appraisals = list(appraisals)
    results = appraisal_results(appraisals)
    return {"period": period.code, "appraisals": [results[a.pk] for a in appraisals]}


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _number_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _statement(move: dict) -> str:
    if move["rule"] == "redistribute":
        shares = ", ".join(f"{s['to']} +{_number_text(s['weight'])}" for s in move["shares"])
        return _("%(source)s has no value: its weight %(weight)s goes to %(shares)s.") % {
            "source": move["source"],
            "weight": _number_text(move["weight"]),
            "shares": shares,
        }
    return _("%(source)s has no value: it scores %(score)s and keeps its weight.") % {
        "source": move["source"],
        "score": f"{move['score']:.2f}",
    }
