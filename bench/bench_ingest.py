"""Ingestion benchmark: `telesales import calls` against a naive csv + sqlite3 baseline.

    .venv/bin/python bench/bench_ingest.py --rows 1000000 [--seed 7]
    .venv/bin/python bench/bench_ingest.py --quick          # 100,000 rows

1. An N-row Asterisk Master.csv (cdr_csv, 21 columns) is generated deterministically with
   telesales.calls.samples and cached as var/bench/master-<N>-s<seed>.csv.
2. A fresh SQLite database is migrated and given the reps and extensions of the file
   through the org services (not timed).
3. Timed, each in its own subprocess (started by a small launcher that samples the memory
   of the command's whole process tree, since the import forks a parsing process):
   (a) baseline: the csv module feeding sqlite3 executemany into a table with the DDL of
       calls_call (copied from the migrated database: same columns, unique key, indexes),
       one transaction, default sqlite3 settings, fields mapped naively (no date parsing);
   (b) `manage.py import calls FILE --json` on the fresh database.

Goals (issue 3): import <= 1.2 x baseline time at 1,000,000 rows; import peak memory
< 300 MB. The exit status is 0 whether the goals are met or not (PASS/MISS is printed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import common  # noqa: E402 (bench/common.py, beside this script)

BENCH_DIR = ROOT / "var" / "bench"
MANAGE = ROOT / "manage.py"

EXTENSIONS = 300  # reps, one extension each: 8001..8300
REPS_PER_TEAM = 10
CALLS_PER_DAY = 120  # per extension; about 36,000 rows a day in the file
FIRST_DAY = dt.date(2026, 1, 5)
TIME_GOAL = 1.2  # import time / baseline time, at 1,000,000 rows
MEMORY_GOAL_MB = 300

BASELINE_COLUMNS = (
    "system",
    "call_id",
    "started_at",
    "local_date",
    "answered_at",
    "ended_at",
    "duration_seconds",
    "talk_seconds",
    "answered",
    "disposition",
    "direction",
    "src",
    "dst",
    "caller_name",
    "extension",
    "customer_number",
    "employee_id",
    "import_run_id",
)


def extension_numbers(count: int = EXTENSIONS) -> list[str]:
    return [str(8001 + i) for i in range(count)]


# -- the file ---------------------------------------------------------------------------


def master_csv(rows: int, seed: int) -> tuple[Path, float | None]:
    """The cached file for (rows, seed); generated when missing. Returns (path, seconds spent
    generating or None when cached)."""
    from telesales.calls.samples import master_rows, write_master_csv

    path = BENCH_DIR / f"master-{rows}-s{seed}.csv"
    if path.exists():
        return path, None
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    days = (FIRST_DAY + dt.timedelta(days=i) for i in itertools.count())
    source = master_rows(extension_numbers(), days, CALLS_PER_DAY, seed=seed)
    partial = path.with_suffix(".csv.partial")
    started = time.perf_counter()
    with partial.open("w", encoding="utf-8", newline="") as stream:
        written = write_master_csv(stream, itertools.islice(source, rows))
    if written != rows:
        raise SystemExit(f"generated {written} rows, wanted {rows}")
    partial.rename(path)
    return path, time.perf_counter() - started


def warm(path: Path) -> None:
    """Read the file once so both contestants start with it in the page cache."""
    with path.open("rb") as stream:
        while stream.read(8 * 1024 * 1024):
            pass


# -- subprocesses -----------------------------------------------------------------------


def child_env(database: Path, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        TELESALES_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=env.get("SECRET_KEY", "bench-not-secret"),
        PYTHONPATH=str(ROOT),
    )
    return env


# Peak memory. wait4()'s ru_maxrss in a parent that is itself large is wrong on Linux (the
# child inherits the parent's high-water mark across fork/exec), and for a command that
# forks helpers it is the largest process, not the total. So a small launcher runs each
# timed command, samples the RSS and PSS of its whole process tree every 50 ms from
# /proc/PID/smaps_rollup, and reports the peak of the sums, the largest single process
# (wait4), wall time and CPU time (user + system, children included).
LAUNCHER = """
import json, os, subprocess, sys, time

def tree(pid):
    pids = [pid]
    for p in pids:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    pids.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids

def memory(pid):
    rss = pss = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss

started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
peak_rss = peak_pss = 0
while True:
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    rss, pss = memory(proc.pid)
    peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
    time.sleep(0.05)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
proc.returncode = code
with open(sys.argv[1], "w") as out:
    json.dump(
        {
            "seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "tree_rss_kb": peak_rss,
            "tree_pss_kb": peak_pss,
            "exit": code,
        },
        out,
    )
sys.exit(0)
"""


def measured(cmd: list[str], env: dict[str, str], log: Path) -> dict:
    """Run cmd; its wall and CPU time, exit code, peak memory (MB) and stdout."""
    out_path = log.with_suffix(".out")
    usage_path = log.with_suffix(".usage.json")
    with out_path.open("wb") as out, log.open("wb") as err:
        subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(usage_path), *cmd],
            env=env,
            stdout=out,
            stderr=err,
            cwd=ROOT,
            check=True,
        )
    usage = json.loads(usage_path.read_text())
    return {
        "seconds": usage["seconds"],
        "cpu_seconds": usage["cpu_seconds"],
        "exit": usage["exit"],
        # kilobytes on Linux; the goal is checked against the whole tree's RSS, the
        # largest (most pessimistic) of the three
        "peak_mb": max(usage["tree_rss_kb"], usage["maxrss_kb"]) / 1024,
        "peak_pss_mb": usage["tree_pss_kb"] / 1024,
        "largest_process_mb": usage["maxrss_kb"] / 1024,
        "stdout": out_path.read_text(errors="replace"),
        "stderr_path": str(log),
    }


def run_checked(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink()
    path.rmdir()


# -- child: the org of the file (Django, not timed) ---------------------------------------


def setup_org(extensions: int) -> None:
    """Reps in teams of ten, each with one extension from before the first call."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    from telesales.org.models import Department
    from telesales.org.services import (
        company_default,
        department_ensure,
        employee_hire,
        extension_assign,
        team_ensure,
    )

    hired = FIRST_DAY - dt.timedelta(days=30)
    with transaction.atomic():
        company = company_default()
        sales = department_ensure(
            actor=None, company=company, code="sales", name="Sales", kind=Department.Kind.SALES
        )
        teams = {}
        for index, number in enumerate(extension_numbers(extensions)):
            code = f"B{index // REPS_PER_TEAM + 1:02d}"
            if code not in teams:
                teams[code] = team_ensure(actor=None, code=code, department=sales)
            employee = employee_hire(
                actor=None,
                company=company,
                employee_no=f"B{index + 1:04d}",
                name=f"Rep {index + 1}",
                hire_date=hired,
                team=teams[code],
                department=sales,
            )
            extension_assign(actor=None, employee=employee, number=number, valid_from=hired)


# -- child: the baseline -----------------------------------------------------------------


def baseline(csv_path: Path, database: Path, ddl_path: Path) -> None:
    """csv.reader -> sqlite3 executemany, one transaction, default settings. Prints JSON."""
    ddl = json.loads(ddl_path.read_text())
    conn = sqlite3.connect(database)
    for statement in ddl:
        conn.execute(statement)
    conn.commit()
    # The naive mapping: the known extensions get the ids the real import would give them,
    # so the partial "unmapped" index sees the same traffic as in the import.
    employee_of = {number: i + 1 for i, number in enumerate(extension_numbers())}
    columns = ", ".join(BASELINE_COLUMNS)
    marks = ", ".join("?" * len(BASELINE_COLUMNS))
    sql = (
        f"INSERT INTO calls_call ({columns}) VALUES ({marks}) "
        "ON CONFLICT (system, call_id) DO NOTHING"
    )

    def rows(reader):
        for r in reader:
            src, dst = r[1], r[2]
            outbound = src in employee_of
            extension = src if outbound else dst
            yield (
                "asterisk",
                r[19] or r[16],  # linkedid, else uniqueid
                r[9],  # start, as written
                r[9][:10],
                r[10] or None,
                r[11] or None,
                r[12],
                r[13],
                r[14] == "ANSWERED",
                r[14],
                "outbound" if outbound else "inbound",
                src,
                dst,
                r[4],
                extension,
                dst if outbound else src,
                employee_of.get(extension),
                None,
            )

    started = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as stream:
        conn.executemany(sql, rows(csv.reader(stream)))
    conn.commit()
    seconds = time.perf_counter() - started
    stored = conn.execute("SELECT count(*) FROM calls_call").fetchone()[0]
    conn.close()
    print(json.dumps({"seconds": seconds, "stored": stored}))


# -- the run -----------------------------------------------------------------------------


def calls_ddl(database: Path) -> list[str]:
    """CREATE TABLE calls_call and its indexes, as the migrations made them."""
    conn = sqlite3.connect(database)
    try:
        found = conn.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'calls_call' AND sql IS NOT NULL"
        ).fetchall()
    finally:
        conn.close()
    tables = [sql for kind, sql in found if kind == "table"]
    indexes = [sql for kind, sql in found if kind == "index"]
    if len(tables) != 1 or not indexes:
        raise SystemExit("calls_call not found in the migrated database")
    return tables + indexes


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
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, a fast check")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--setup-org", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup_org:
        setup_org(args.setup_org)
        return 0
    if args.baseline:
        baseline(*args.baseline)
        return 0

    rows = 100_000 if args.quick else args.rows
    sys.path.insert(0, str(ROOT))
    print(f"ingest benchmark: {rows:,} rows, seed {args.seed}")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.platform()}"
    )
    load_before = os.getloadavg()[0]
    code_before = code_version()
    print(f"code: {code_before}")
    path, generated = master_csv(rows, args.seed)
    size_mb = path.stat().st_size / 1e6
    if generated is None:
        print(f"file: {path.relative_to(ROOT)} ({size_mb:,.0f} MB, cached)")
    else:
        print(f"file: {path.relative_to(ROOT)} ({size_mb:,.0f} MB, generated in {generated:.1f} s)")

    tag = f"{rows}-s{args.seed}"
    import_db = BENCH_DIR / f"ingest-import-{tag}.sqlite3"
    baseline_db = BENCH_DIR / f"ingest-baseline-{tag}.sqlite3"
    data_dir = BENCH_DIR / f"ingest-data-{tag}"
    remove_database(import_db)
    remove_database(baseline_db)
    remove_tree(data_dir)
    data_dir.mkdir(parents=True)
    env = child_env(import_db, data_dir)
    python = sys.executable

    started = time.perf_counter()
    run_checked([python, str(MANAGE), "migrate", "--no-input", "-v", "0"], env)
    run_checked([python, __file__, "--setup-org", str(EXTENSIONS)], env)
    print(
        f"setup: fresh database migrated, {EXTENSIONS} reps with extensions "
        f"({time.perf_counter() - started:.1f} s, not timed)"
    )
    ddl_path = BENCH_DIR / f"ingest-ddl-{tag}.json"
    ddl_path.write_text(json.dumps(calls_ddl(import_db)))

    warm(path)
    base = measured(
        [python, __file__, "--baseline", str(path), str(baseline_db), str(ddl_path)],
        env,
        BENCH_DIR / f"ingest-baseline-{tag}.log",
    )
    if base["exit"] != 0:
        raise SystemExit(f"baseline failed, see {base['stderr_path']}")
    base_report = json.loads(base["stdout"])

    cmd = [python, str(MANAGE), "import", "calls", str(path), "--json"]
    warm(path)
    imp = measured(cmd, env, BENCH_DIR / f"ingest-import-{tag}.log")
    if imp["exit"] not in (0, 1):
        raise SystemExit(f"import failed (exit {imp['exit']}), see {imp['stderr_path']}")
    report = json.loads(imp["stdout"].strip().splitlines()[-1])
    rejected = len(report.get("rejected", []))

    ratio = imp["seconds"] / base["seconds"]
    code_after = code_version()
    load_after = os.getloadavg()[0]
    if code_after != code_before:
        print(f"WARNING: the code changed during the run (now {code_after}); run again")
    print()
    print(
        f"{'':10} {'wall s':>8} {'rows/s':>10} {'CPU s':>7} {'peak MB':>8} {'(PSS)':>6} "
        f"{'largest proc':>12} {'calls stored':>13}"
    )
    for name, run, stored in (
        ("baseline", base, base_report["stored"]),
        ("import", imp, report["stored"]),
    ):
        print(
            f"{name:10} {run['seconds']:8.2f} {rows / run['seconds']:10,.0f} "
            f"{run['cpu_seconds']:7.1f} {run['peak_mb']:8.1f} {run['peak_pss_mb']:6.0f} "
            f"{run['largest_process_mb']:12.1f} {stored:13,}"
        )
    print(
        "(peak MB: the largest sum of RSS over the process tree, sampled every 50 ms; PSS "
        "counts pages shared by forked processes once; CPU s: user + system, all processes)"
    )
    print(
        f"(baseline's own loop without interpreter start: {base_report['seconds']:.2f} s; "
        f"import: {report['rows']:,} rows read, {rejected} rejected)"
    )
    if report["stored"] != base_report["stored"]:
        print(
            f"NOTE: the import stored {report['stored']:,} calls, the baseline "
            f"{base_report['stored']:,} (the baseline keeps the first leg of a linkedid)"
        )
    print(
        f"load average (1 min) before the run {load_before:.2f}, after {load_after:.2f}; "
        f"baseline wall / CPU {base['seconds'] / base['cpu_seconds']:.2f} (near 1 on an idle machine)"
    )
    print()
    time_ok = ratio <= TIME_GOAL
    memory_ok = imp["peak_mb"] < MEMORY_GOAL_MB
    scale = "" if rows == 1_000_000 else f" (goal is set at 1,000,000 rows; this run has {rows:,})"
    print(
        f"import time / baseline time = {ratio:.2f}  goal <= {TIME_GOAL}: {verdict(time_ok)}{scale}"
    )
    print(
        f"import peak memory (RSS, all its processes) = {imp['peak_mb']:.0f} MB  "
        f"goal < {MEMORY_GOAL_MB} MB: "
        f"{verdict(memory_ok)}"
    )

    results = {
        "rows": rows,
        "seed": args.seed,
        "file_mb": round(size_mb, 1),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "baseline": {
            "seconds": round(base["seconds"], 3),
            "loop_seconds": round(base_report["seconds"], 3),
            "rows_per_s": round(rows / base["seconds"]),
            "cpu_seconds": round(base["cpu_seconds"], 1),
            "peak_mb": round(base["peak_mb"], 1),
            "peak_pss_mb": round(base["peak_pss_mb"], 1),
            "stored": base_report["stored"],
        },
        "import": {
            "seconds": round(imp["seconds"], 3),
            "rows_per_s": round(rows / imp["seconds"]),
            "cpu_seconds": round(imp["cpu_seconds"], 1),
            "peak_mb": round(imp["peak_mb"], 1),
            "peak_pss_mb": round(imp["peak_pss_mb"], 1),
            "largest_process_mb": round(imp["largest_process_mb"], 1),
            "stored": report["stored"],
            "rejected": rejected,
        },
        "ratio": round(ratio, 3),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "code": code_before if code_after == code_before else f"changed: {code_after}",
        "time_goal": verdict(time_ok),
        "memory_goal": verdict(memory_ok),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (BENCH_DIR / f"ingest-result-{tag}.json").write_text(json.dumps(results, indent=2))
    if not args.keep:
        remove_database(import_db)
        remove_database(baseline_db)
        remove_tree(data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
