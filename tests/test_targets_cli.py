"""`telesales targets split` (PRODUCT.md §8): the split of a team's or the company's target on
the command line, stored through the same services as the split page."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from telesales.core.models import AuditEvent
from telesales.org.services import employee_leave
from telesales.targets.decomposition import split_compute
from telesales.targets.models import Method, Metric, Target, TargetSplit
from telesales.targets.services import split_apply, target_set

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"


def _run(*args) -> tuple[int, str, str]:
    """Run `targets split` with the arguments; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("targets", "split", *args, stdout=out, stderr=err)
    except SystemExit as exited:
        code = exited.code
    return code, out.getvalue(), err.getvalue()


def _team_target(org, value, metric=Metric.SALES_AMOUNT, team=None) -> Target:
    target, _outcome = target_set(
        actor=None, metric=metric, period=Q3, value=D(value), team=team or org.t1
    )
    return target


def _children() -> list[tuple]:
    return sorted(
        (t.scope_code, t.value)
        for t in Target.objects.filter(
            employee__isnull=False, superseded_at__isnull=True
        ).select_related("employee")
    )


T1_EQUAL = ("--scope", "team:T1", "--period", Q3, "--metric", "sales_amount", "--method", "equal")


def test_a_dry_run_shows_the_split_and_stores_nothing(org):
    # given
    _team_target(org, "100000.01")
    audit = AuditEvent.objects.count()
    # when
    code, out, _err = _run(*T1_EQUAL, "--dry-run", "--json")
    # then
    assert code == 0
    assert [c["target"] for c in json.loads(out)["children"]] == [50000.01, 50000.0]
    assert _children() == []
    assert TargetSplit.objects.count() == 0
    assert AuditEvent.objects.count() == audit


def test_the_json_of_an_equal_split(org):
    # given T1 (R1, R2) with 100,000.01 for the quarter: half each, the odd cent to R1
    _team_target(org, "100000.01")
    # when
    code, out, _err = _run(*T1_EQUAL, "--json")
    # then
    assert code == 0
    assert json.loads(out) == {
        "scope": "team:T1",
        "period": "2026-Q3",
        "metric": "sales_amount",
        "target": 100000.01,
        "children": [
            {"scope": "R1", "target": 50000.01, "basis": {"share": "1/2"}},
            {"scope": "R2", "target": 50000.0, "basis": {"share": "1/2"}},
        ],
    }
    assert _children() == [("R1", D("50000.01")), ("R2", D("50000.00"))]
    split = TargetSplit.objects.get()
    assert (split.method, split.effective_from, split.created_by) == (
        Method.EQUAL,
        dt.date(2026, 7, 1),
        None,
    )
    assert AuditEvent.objects.filter(action="target.split").get().actor_label == "command line"


def test_a_readable_table_without_json(org):
    # given
    _team_target(org, "100000.01")
    # when
    code, out, _err = _run(*T1_EQUAL)
    # then
    assert code == 0
    assert out.splitlines() == [
        "team:T1 · 2026-Q3 · Sales amount: 100000.01, split by Equal shares.",
        "scope  name     weight    target",
        "R1     R1 张一       1  50000.01",
        "R2     R2 张二       1  50000.00",
        "The split was stored; the previous one is kept as history.",
    ]


def test_a_readable_resplit_shows_what_is_kept(org):
    # given T1's 66,000 split equally, and R2 leaving on 3 August
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    employee_leave(actor=None, employee=org.r2, date=dt.date(2026, 8, 3), voluntary=True)
    # when
    code, out, _err = _run(*T1_EQUAL, "--from", "2026-08-03", "--dry-run")
    # then
    assert code == 0
    assert out.splitlines() == [
        "team:T1 · 2026-Q3 · Sales amount: 66000.00, split by Equal shares.",
        "Re-split from 2026-08-03: 43000.00 is shared; the plan before is kept.",
        "scope  name     weight      kept     share    target",
        "R1     R1 张一       1  11500.00  43000.00  54500.00",
        "R2     R2 张二       0  11500.00      0.00  11500.00",
        "Dry run: nothing was stored.",
    ]


def test_the_company_target_split_among_teams_by_capacity(org):
    # given 301 deals for the company; T1 has two reps, T2 one, all there every working day
    target_set(actor=None, metric=Metric.DEALS_WON, period=Q3, value=D(301))
    # when
    code, out, _err = _run(
        "--scope", "company", "--period", Q3, "--metric", "deals_won", "--method", "capacity",
        "--json",
    )  # fmt: skip
    # then
    assert code == 0
    payload = json.loads(out)
    assert (payload["scope"], payload["target"]) == ("company", 301)
    assert [(c["scope"], c["target"], c["basis"]["working_days"]) for c in payload["children"]] == [
        ("team:T1", 201, 132),
        ("team:T2", 100, 66),
    ]
    assert sorted((t.scope_code, t.value) for t in Target.objects.filter(team__isnull=False)) == [
        ("team:T1", D("201.00")),
        ("team:T2", D("100.00")),
    ]


def test_a_resplit_keeps_the_part_before_and_says_so(org):
    # given T1's 66,000 split equally (500 a working day each), and R2 leaving on 3 August
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    employee_leave(actor=None, employee=org.r2, date=dt.date(2026, 8, 3), voluntary=True)
    # when the rest is re-split from that day
    code, out, _err = _run(*T1_EQUAL, "--from", "2026-08-03", "--json")
    # then each keeps July's 11,500 and R1 takes the whole rest, 43,000
    assert code == 0
    assert json.loads(out) == {
        "scope": "team:T1",
        "period": "2026-Q3",
        "metric": "sales_amount",
        "target": 66000.0,
        "effective_from": "2026-08-03",
        "children": [
            {"scope": "R1", "target": 54500.0, "basis": {"share": "1/1"}, "kept": 11500.0},
            {"scope": "R2", "target": 11500.0, "basis": {"left": True}, "kept": 11500.0},
        ],
    }
    assert _children() == [("R1", D("54500.00")), ("R2", D("11500.00"))]
    assert TargetSplit.objects.filter(superseded_at__isnull=True).get().effective_from == dt.date(
        2026, 8, 3
    )


def test_a_user_splits_within_their_scope(org):
    # given
    _team_target(org, "100")
    # when
    code, _out, _err = _run(*T1_EQUAL, "--user", "s1")
    # then
    assert code == 0
    assert TargetSplit.objects.get().created_by == org.s1.user
    assert _children() == [("R1", D("50.00")), ("R2", D("50.00"))]


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--scope", "team:T9", "--period", Q3, "--metric", "sales_amount"),
            "There is no team T9.",
        ),
        (
            ("--scope", "team:T2", "--period", Q3, "--metric", "sales_amount"),
            "team:T2 has no sales_amount target for 2026-Q3 to split.",
        ),
        (
            ("--scope", "team:T1", "--period", "2026-07", "--metric", "sales_amount"),
            "team:T1 has no sales_amount target for 2026-07 to split.",
        ),
        (
            ("--scope", "team:T1", "--period", Q3, "--metric", "deals_won"),
            "team:T1 has no deals_won target for 2026-Q3 to split.",
        ),
        (
            ("--scope", "R1", "--period", Q3, "--metric", "sales_amount"),
            "Only the target of a team or of the company is split: give team:CODE or company, "
            "not “R1”.",
        ),
        (
            ("--scope", "team:T1", "--period", "2026-07-15", "--metric", "sales_amount"),
            "A target is for a year, a quarter or a month, e.g. 2026-Q3.",
        ),
        (
            ("--scope", "team:T1", "--period", "someday", "--metric", "sales_amount"),
            "“someday” is not a period; use 2026, 2026-Q3, 2026-09, 2026-09-15 or "
            "2026-09-01..2026-09-15.",
        ),
        (
            ("--scope", "team:T1", "--period", Q3, "--metric", "sales_amount", "--from", "8/3"),
            "“8/3” is not a date; write it as YYYY-MM-DD, for example 2026-08-03.",
        ),
        (
            (
                "--scope",
                "team:T1",
                "--period",
                Q3,
                "--metric",
                "sales_amount",
                "--from",
                "2026-10-01",
            ),
            "2026-10-01 is after the end of 2026-Q3.",
        ),
        (
            ("--scope", "team:T1", "--period", Q3, "--metric", "sales_amount", "--user", "nobody"),
            "There is no user nobody.",
        ),
        (
            ("--scope", "team:T1", "--period", Q3, "--metric", "sales_amount")
            + ("--history-months", "0"),
            "Give at least one month of history: --history-months 1 or more.",
        ),
    ],
)
def test_errors_are_explained_and_exit_with_status_2(org, args, message):
    # given
    _team_target(org, "100")
    # when
    code, out, err = _run(*args, "--method", "equal", "--json")
    # then
    assert code == 2
    assert json.loads(out) == {"error": message}
    assert err.strip() == message
    assert TargetSplit.objects.count() == 0


def test_a_split_error_exits_with_status_2(org):
    # given nobody in T1 sold anything in the three months before the quarter
    _team_target(org, "100")
    # when
    code, out, err = _run(
        "--scope", "team:T1", "--period", Q3, "--metric", "sales_amount", "--method", "history",
    )  # fmt: skip
    # then
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "Nobody has any Sales amount in the 3 months before 2026-Q3; split equally or by "
        "capacity instead."
    )
    assert _children() == []


def test_an_unknown_method_is_refused_by_the_parser(org):
    with pytest.raises(CommandError, match="invalid choice: 'random'"):
        call_command(
            "targets", "split", "--scope", "team:T1", "--period", Q3,
            "--metric", "sales_amount", "--method", "random",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("user", "scope", "message"),
    [
        ("s2", "team:T1", "There is no team T1."),
        ("r1", "team:T1", "There is no team T1."),
        ("s1", "company", "User s1 may not split the sales_amount target of company."),
    ],
)
def test_a_user_outside_the_scope_is_refused_and_nothing_changes(org, user, scope, message):
    # given T1 split equally once, and a company target
    parent = _team_target(org, "100")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    target_set(actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D(1000))
    before = (_children(), TargetSplit.objects.count(), AuditEvent.objects.count())
    # when
    code, _out, err = _run(
        "--scope", scope, "--period", Q3, "--metric", "sales_amount", "--method", "capacity",
        "--user", user,
    )  # fmt: skip
    # then
    assert code == 2
    assert err.strip() == message
    assert (_children(), TargetSplit.objects.count(), AuditEvent.objects.count()) == before
