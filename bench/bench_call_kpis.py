"""Call KPI benchmark: the daily roll-ups (CallDay) against a GROUP BY over calls_call.

    .venv/bin/python bench/bench_call_kpis.py [--rebuild] [--seed 7]

Builds (once, cached as var/bench/call_kpis-r500-s<seed>.sqlite3) a migrated SQLite
database with 500 reps in 50 teams, each with an extension, made through the org
services; about 5,000,000 calls over 2026-Q3 (92 days) inserted with sqlite3 executemany
straight into calls_call; then the roll-ups from telesales.calls.rollups.rollup_rebuild().

Timed in one process, on the same connection, median of several repetitions:
- a team's quarter: call_kpis(scope_for_teams), call_kpis_by_employee for its reps, and
  call_kpis(scope_for_employee) for each rep, against the same numbers from calls_call;
- the team's "morning numbers": yesterday and month-to-date, team and per rep, through the
  roll-ups.
Every number is checked to be identical both ways (all 500 reps for the quarter too).

Goals (issue 3): roll-ups >= 20x faster than the raw GROUP BY; morning numbers < 50 ms.
The exit status is 1 only when the two ways disagree (PASS/MISS is printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import common  # noqa: E402 (bench/common.py, beside this script)

BENCH_DIR = ROOT / "var" / "bench"

REPS = 500
TEAMS = 50
QUARTER = "2026-Q3"
TODAY = dt.date(2026, 9, 16)  # the morning of the "morning numbers"
CALLS_PER_REP_DAY = (80, 140)  # uniform: 110 on average, about 5.06M calls in 92 days
UTC_OFFSET = 8 * 3600  # Asia/Shanghai, no summer time
SPEEDUP_GOAL = 20
MORNING_GOAL_MS = 50
BUILD_VERSION = 1  # bump when the generated data changes

_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
_FAILED = ("NO ANSWER", "NO ANSWER", "NO ANSWER", "BUSY", "FAILED")


def database_path(seed: int) -> Path:
    return BENCH_DIR / f"call_kpis-r{REPS}-s{seed}.sqlite3"


def configure(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("TELESALES_DATA_DIR", str(BENCH_DIR / "call_kpis-data"))
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- the build -----------------------------------------------------------------------------


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".json"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_org() -> list[tuple[int, str]]:
    """50 teams of 10 reps, hired and given extensions 8001.. through the org services."""
    from django.db import transaction

    from telesales.org.models import Department
    from telesales.org.services import (
        company_default,
        department_ensure,
        employee_hire,
        extension_assign,
        team_ensure,
    )

    hired = dt.date(2026, 3, 2)
    reps = []
    with transaction.atomic():
        company = company_default()
        sales = department_ensure(
            actor=None, company=company, code="sales", name="Sales", kind=Department.Kind.SALES
        )
        per_team = REPS // TEAMS
        for t in range(TEAMS):
            team = team_ensure(actor=None, code=f"T{t + 1:02d}", department=sales)
            for r in range(per_team):
                index = t * per_team + r
                number = str(8001 + index)
                employee = employee_hire(
                    actor=None,
                    company=company,
                    employee_no=f"E{index + 1:04d}",
                    name=f"Rep {index + 1}",
                    hire_date=hired,
                    team=team,
                    department=sales,
                )
                extension_assign(actor=None, employee=employee, number=number, valid_from=hired)
                reps.append((employee.pk, number))
    return reps


def quarter_days() -> list[dt.date]:
    from telesales.core.periods import period_parse

    period = period_parse(QUARTER)
    return [period.start + dt.timedelta(days=i) for i in range(period.days)]


def day_calls(rng: random.Random, day: dt.date, reps, sequence: int) -> tuple[list[tuple], int]:
    """One day's calls of every rep, in start order; 93% outbound, 5% inbound, 2% internal,
    34% answered, log-normal talk time. Times stored as Django stores them on SQLite (UTC)."""
    rows = []
    date = day.isoformat()
    prefix = date + " "
    numbers = [number for _id, number in reps]
    for employee_id, number in reps:
        clock = 9 * 3600 + rng.randrange(900)  # local time, seconds into the day
        for _ in range(rng.randint(*CALLS_PER_REP_DAY)):
            sequence += 1
            roll = rng.random()
            ring = rng.randrange(3, 25)
            if rng.random() < 0.34:
                talk = int(rng.lognormvariate(4.0, 0.9))
                answered = 1
                disposition = "ANSWERED"
            else:
                talk = 0
                answered = 0
                disposition = _FAILED[rng.randrange(5)]
            start = clock - UTC_OFFSET
            answer = prefix + _HMS[start + ring] if answered else None
            end = start + ring + talk
            if roll < 0.93:
                direction = "outbound"
                customer = f"1{rng.randrange(30, 90)}{rng.randrange(10**8):08d}"
                src, dst = number, customer
            elif roll < 0.98:
                direction = "inbound"
                customer = f"1{rng.randrange(30, 90)}{rng.randrange(10**8):08d}"
                src, dst = customer, number
            else:
                direction = "internal"
                customer = ""
                src, dst = number, numbers[rng.randrange(len(numbers))]
            rows.append(
                (
                    "asterisk",
                    f"{sequence}.{sequence}",
                    prefix + _HMS[start],
                    date,
                    answer,
                    prefix + _HMS[end],
                    ring + talk,
                    talk,
                    answered,
                    disposition,
                    direction,
                    src,
                    dst,
                    "",
                    number,
                    customer,
                    employee_id,
                    None,
                )
            )
            clock = end + UTC_OFFSET + rng.randrange(20, 160)
            if clock >= 18 * 3600:
                break
    rows.sort(key=itemgetter(2))
    return rows, sequence


INSERT = """INSERT INTO calls_call (system, call_id, started_at, local_date, answered_at,
  ended_at, duration_seconds, talk_seconds, answered, disposition, direction, src, dst,
  caller_name, extension, customer_number, employee_id, import_run_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def build(database: Path, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from telesales.calls.rollups import rollup_rebuild

    remove_database(database)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    reps = build_org()
    t_org = time.perf_counter()
    print(f"  migrated; {len(reps)} reps in {TEAMS} teams via the org services: {t_org - t0:.1f} s")
    connection.close()

    raw = sqlite3.connect(database)
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-1000000")
    rng = random.Random(seed)
    sequence = 0
    total = 0
    for day in quarter_days():
        rows, sequence = day_calls(rng, day, reps, sequence)
        raw.executemany(INSERT, rows)
        total += len(rows)
    raw.commit()
    raw.close()
    t_calls = time.perf_counter()
    print(f"  {total:,} calls inserted with executemany: {t_calls - t_org:.1f} s")

    rollup_rebuild()
    t_rollup = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM calls_callday")
        days = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("ANALYZE")
    print(f"  rollup_rebuild(): {days:,} CallDay rows in {t_rollup - t_calls:.1f} s")
    meta = {
        "version": BUILD_VERSION,
        "schema": schema_version(),
        "seed": seed,
        "reps": REPS,
        "teams": TEAMS,
        "calls": total,
        "call_days": days,
        "seconds": {
            "org": round(t_org - t0, 1),
            "calls": round(t_calls - t_org, 1),
            "rollup_rebuild": round(t_rollup - t_calls, 1),
        },
    }
    Path(str(database) + ".json").write_text(json.dumps(meta, indent=2))
    return meta


def schema_version() -> str:
    """A hash of every migration: the cached database is rebuilt when the schema changes."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("telesales/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cached_meta(database: Path, seed: int) -> dict | None:
    meta_path = Path(str(database) + ".json")
    if not database.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("version") != BUILD_VERSION or meta.get("seed") != seed:
        return None
    if meta.get("schema") != schema_version():
        print("  the migrations changed since the database was built: building it again")
        return None
    return meta


# -- the same numbers straight from calls_call ---------------------------------------------

_RAW_SUMS = """SELECT {group} COUNT(*), COALESCE(SUM(answered), 0),
  COALESCE(SUM(CASE WHEN answered THEN talk_seconds ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN answered AND talk_seconds >= %s THEN 1 ELSE 0 END), 0)
FROM calls_call
WHERE direction = 'outbound' AND local_date >= %s AND local_date <= %s AND {who}"""
_TEAM_REPS = "employee_id IN (SELECT id FROM org_employee WHERE team_id = %s AND role = 'rep')"


def _dates(period) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def raw_team(cursor, threshold, team_id, period) -> tuple:
    cursor.execute(
        _RAW_SUMS.format(group="", who=_TEAM_REPS), [threshold, *_dates(period), team_id]
    )
    return tuple(cursor.fetchone())


def raw_by_employee(cursor, threshold, period, team_id=None) -> dict[int, tuple]:
    who = _TEAM_REPS if team_id is not None else "employee_id IS NOT NULL"
    params = [threshold, *_dates(period)] + ([team_id] if team_id is not None else [])
    cursor.execute(
        _RAW_SUMS.format(group="employee_id,", who=who) + " GROUP BY employee_id", params
    )
    return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def raw_employee(cursor, threshold, employee_id, period) -> tuple:
    cursor.execute(
        _RAW_SUMS.format(group="", who="employee_id = %s"),
        [threshold, *_dates(period), employee_id],
    )
    return tuple(cursor.fetchone())


def sums_of(kpis: dict) -> tuple:
    """(outbound calls, connected, talk seconds, effective) from the six KPI values."""
    return (
        kpis["call_volume"].value,
        kpis["connected_calls"].value,
        kpis["avg_talk_seconds"].numerator,
        kpis["effective_calls"].value,
    )


def kpis_from_sums(sums: tuple) -> dict:
    """The six KPIs of PRODUCT.md §5 from raw sums, to compare value by value."""
    from telesales.kpi.values import count, ratio

    calls, connected, talk, effective = sums
    return {
        "call_volume": count(calls),
        "connected_calls": count(connected),
        "connection_rate": ratio(connected, calls),
        "avg_talk_seconds": ratio(talk, connected),
        "effective_calls": count(effective),
        "effective_call_rate": ratio(effective, connected),
    }


# -- timing --------------------------------------------------------------------------------


def timed(fn, repeat: int) -> dict:
    """Milliseconds: the first run, then the median, min and max of `repeat` more."""
    started = time.perf_counter()
    fn()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "first": first,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "n": repeat,
    }


MEASURED_CODE = (
    "config/settings.py",
    "telesales/calls/*.py",
    "telesales/calls/migrations/*.py",
    "telesales/core/imports/*.py",
    "telesales/core/management/commands/import.py",
    "telesales/kpi/*.py",
    "telesales/org/services.py",
)


def code_version() -> str:
    return common.code_version(MEASURED_CODE)


verdict = common.verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions (median)")
    args = parser.parse_args()

    database = database_path(args.seed)
    configure(database)
    from django.db import connection

    from telesales.calls.models import CallDay
    from telesales.calls.rollups import effective_seconds
    from telesales.core.periods import period_parse, period_range
    from telesales.kpi.calls import call_days, call_kpis, call_kpis_by_employee
    from telesales.org.models import Employee, Role, Team
    from telesales.org.scopes import scope_for_employee, scope_for_teams

    print(f"call KPI benchmark: {REPS} reps in {TEAMS} teams, {QUARTER}, seed {args.seed}")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.platform()}"
    )
    print(f"code: {code_version()}")
    meta = None if args.rebuild else cached_meta(database, args.seed)
    if meta is None:
        print(f"building {database.relative_to(ROOT)}:")
        meta = build(database, args.seed)
    else:
        print(f"database: {database.relative_to(ROOT)} (cached; --rebuild to build it again)")
    size_mb = database.stat().st_size / 1e6
    print(
        f"data: {meta['calls']:,} calls, {meta['call_days']:,} CallDay rows, {size_mb:,.0f} MB; "
        f"build took org {meta['seconds']['org']} s, calls {meta['seconds']['calls']} s, "
        f"rollup_rebuild {meta['seconds']['rollup_rebuild']} s"
    )

    threshold = effective_seconds()
    quarter = period_parse(QUARTER)
    yesterday = period_parse((TODAY - dt.timedelta(days=1)).isoformat())
    month_to_date = period_range(TODAY.replace(day=1), TODAY - dt.timedelta(days=1))
    team = Team.objects.order_by("code").first()
    reps = list(Employee.objects.filter(team=team, role=Role.REP).order_by("employee_no"))
    team_scope = scope_for_teams([team])
    rep_scopes = [scope_for_employee(rep) for rep in reps]
    cursor = connection.cursor()

    # -- identical numbers both ways ---------------------------------------------------
    problems = []
    everyone = call_kpis_by_employee(
        CallDay.objects.filter(day__gte=quarter.start, day__lte=quarter.end)
    )
    raw_everyone = raw_by_employee(cursor, threshold, quarter)
    if len(everyone) != REPS or {k: sums_of(v) for k, v in everyone.items()} != raw_everyone:
        problems.append("the quarter of all reps")
    outbound_total = sum(s[0] for s in raw_everyone.values())
    for label, period in (("quarter", quarter), ("yesterday", yesterday), ("MTD", month_to_date)):
        roll = call_kpis(team_scope, period)
        if roll != kpis_from_sums(raw_team(cursor, threshold, team.pk, period)):
            problems.append(f"team {label}")
        per_rep = call_kpis_by_employee(call_days(team_scope, period))
        raw_rep = raw_by_employee(cursor, threshold, period, team.pk)
        if {k: sums_of(v) for k, v in per_rep.items()} != raw_rep or len(per_rep) != len(reps):
            problems.append(f"per rep {label}")
    for rep, scope in zip(reps, rep_scopes, strict=True):
        if call_kpis(scope, quarter) != kpis_from_sums(
            raw_employee(cursor, threshold, rep.pk, quarter)
        ):
            problems.append(f"rep {rep.employee_no}")
    identical = not problems
    print(
        f"check: roll-ups and calls_call give identical numbers for all {REPS} reps' quarter "
        f"({outbound_total:,} outbound calls), team {team.code} and each of its {len(reps)} reps "
        f"(quarter, yesterday, month to date): {'yes' if identical else 'NO: ' + ', '.join(problems)}"
    )

    # -- timing ---------------------------------------------------------------------------
    repeat = args.repeat
    workloads = {
        "team quarter (call_kpis, team scope)": (
            lambda: call_kpis(team_scope, quarter),
            lambda: raw_team(cursor, threshold, team.pk, quarter),
        ),
        "per-rep quarter (call_kpis_by_employee)": (
            lambda: call_kpis_by_employee(call_days(team_scope, quarter)),
            lambda: raw_by_employee(cursor, threshold, quarter, team.pk),
        ),
        f"each rep's quarter ({len(reps)}x call_kpis, employee scope)": (
            lambda: [call_kpis(scope, quarter) for scope in rep_scopes],
            lambda: [raw_employee(cursor, threshold, rep.pk, quarter) for rep in reps],
        ),
    }
    print()
    print(f"team {team.code}, {QUARTER}, {len(reps)} reps; median of {repeat} runs after a first")
    print(f"{'':52} {'roll-ups ms':>11} {'calls_call ms':>13} {'speed-up':>9}")
    results = {}
    roll_total = raw_total = 0.0
    for name, (roll_fn, raw_fn) in workloads.items():
        roll = timed(roll_fn, repeat)
        raw = timed(raw_fn, repeat)
        speedup = raw["median"] / roll["median"]
        roll_total += roll["median"]
        raw_total += raw["median"]
        results[name] = {"rollups_ms": roll, "raw_ms": raw, "speedup": speedup}
        print(f"{name:52} {roll['median']:11.2f} {raw['median']:13.1f} {speedup:8.0f}x")
    total_speedup = raw_total / roll_total
    print(f"{'all three':52} {roll_total:11.2f} {raw_total:13.1f} {total_speedup:8.0f}x")

    def morning():
        return (
            call_kpis(team_scope, yesterday),
            call_kpis(team_scope, month_to_date),
            call_kpis_by_employee(call_days(team_scope, yesterday)),
            call_kpis_by_employee(call_days(team_scope, month_to_date)),
        )

    morning_ms = timed(morning, max(repeat, 30))
    print()
    print(
        f"morning numbers (team {team.code}: yesterday {yesterday.code} and month to date "
        f"{month_to_date.code}, team and per rep, 4 queries): median {morning_ms['median']:.2f} ms "
        f"(first {morning_ms['first']:.2f}, max {morning_ms['max']:.2f}, n={morning_ms['n']})"
    )

    print()
    worst = min(r["speedup"] for r in results.values())
    speed_ok = worst >= SPEEDUP_GOAL and identical
    morning_ok = morning_ms["median"] < MORNING_GOAL_MS
    print(
        f"speed-up roll-ups vs GROUP BY: lowest {worst:.0f}x, all three {total_speedup:.0f}x  "
        f"goal >= {SPEEDUP_GOAL}x (identical numbers): {verdict(speed_ok)}"
    )
    print(
        f"morning numbers median {morning_ms['median']:.2f} ms  goal < {MORNING_GOAL_MS} ms: "
        f"{verdict(morning_ok)}"
    )
    summary = {
        "build": meta,
        "database_mb": round(size_mb),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "code": code_version(),
        "identical": identical,
        "workloads": results,
        "total_speedup": total_speedup,
        "morning_ms": morning_ms,
        "speedup_goal": verdict(speed_ok),
        "morning_goal": verdict(morning_ok),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (BENCH_DIR / f"call_kpis-result-s{args.seed}.json").write_text(
        json.dumps(summary, indent=2, default=str)
    )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
