"""`telesales import calls`: phone-system exports into Call rows (PRODUCT.md §4, §7, §8).

Rows are streamed; the legs of one call (same linkedid, else uniqueid) are merged in a
bounded window of recent calls, then written in batches, each batch its own transaction:
new calls go in with one multi-row INSERT that skips known ids; only when a batch meets
calls already stored is it merged into them (earliest start, any leg answered, largest
billsec), so a re-import or an overlapping later file stores nothing twice. The daily
roll-ups change in the same transaction.

A call's recording (FreePBX `recordingfile`, or a generic export's mapped recording
column) is the one of its legs that carry one which was answered with the longest billsec,
the earliest such leg on a tie; when none of them was answered, the earliest. A stored
call takes a later file's leg only when that leg changes the call (see _upsert_sql).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import marshal
import multiprocessing
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.calls import layouts
from telesales.calls.layouts import Layout, LayoutError
from telesales.calls.models import ColumnMapping
from telesales.calls.rollups import TeamCalendar, rollup_add, rollup_rebuild_keys
from telesales.calls.timeparse import Clock, TimeError, guess_date_order
from telesales.core.imports.base import Column, Importer, ImportResult, Rejection, StoreContext
from telesales.core.imports.reading import ImportFileError, Table

WINDOW = 5000  # calls kept open for more legs
SAMPLE_ROWS = 2000  # rows read ahead to learn the date order
INSERT_COLUMNS = (
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
    "recording",
)
# Positions in a leg list.
(
    K_SYSTEM,
    K_KEY,
    K_START,
    K_DATE,
    K_ANSWER,
    K_END,
    K_DURATION,
    K_BILLSEC,
    K_ANSWERED,
    K_DISPOSITION,
    K_DIRECTION,
    K_SRC,
    K_DST,
    K_CLID,
    K_EXTENSION,
    K_CUSTOMER,
    K_EMPLOYEE,
    K_RUN,
    K_RECORDING,
) = range(19)  # a leg is its INSERT row: the order of INSERT_COLUMNS
OUTBOUND, INBOUND, INTERNAL = "outbound", "inbound", "internal"
DEFAULT_INTERNAL_PATTERN = r"\d{1,6}"


def _peer(channel: str) -> str:
    """The device of an Asterisk channel name: SIP/8001-0000a1 → 8001."""
    if "/" not in channel:
        return ""
    device = channel.split("/", 1)[1]
    device = device.split("@", 1)[0]
    if "-" in device:
        device = device.rsplit("-", 1)[0]
    return device


class Directions:
    """Internal numbers (PRODUCT.md §4): in the extension map at any date, or matching the
    internal-number pattern."""

    def __init__(self, known: set[str], pattern: str):
        self.known = known
        if pattern == DEFAULT_INTERNAL_PATTERN:
            self.is_internal = self._default
        else:
            compiled = re.compile(pattern)
            self.is_internal = lambda n: n in known or bool(n and compiled.fullmatch(n))

    def _default(self, number: str) -> bool:
        return number in self.known or (0 < len(number) <= 6 and number.isdigit())


class ExtensionMap:
    """Extension / agent id → employee over date ranges."""

    def __init__(self):
        from telesales.org.models import Extension

        # Dates as ISO text, as the import carries them; they compare the same way.
        self.owners: dict[str, list[tuple[str, str | None, int]]] = {}
        for number, start, end, employee_id in Extension.objects.values_list(
            "number", "valid_from", "valid_to", "employee_id"
        ):
            span = (start.isoformat(), end.isoformat() if end else None, employee_id)
            self.owners.setdefault(number, []).append(span)

    def employee_on(self, number: str, day: str) -> int | None:
        owners = self.owners.get(number)
        if owners:
            for start, end, employee_id in owners:
                if start <= day and (end is None or day < end):
                    return employee_id
        return None


def _recording_merge(into: list, leg: list, chosen: dict) -> None:
    """Keep the recording of the best leg that has one: answered before not answered, then
    the longest billsec, then the earliest start. `chosen` holds, per call id, (answered,
    billsec, start) of the leg whose recording the call holds; it must be called before
    _merge changes the call's own answered, billsec and start."""
    key = into[K_KEY]
    held = chosen.get(key)
    if held is None and into[K_RECORDING]:
        held = (into[K_ANSWERED], into[K_BILLSEC], into[K_START])  # still one leg
    if leg[K_RECORDING]:
        candidate = (leg[K_ANSWERED], leg[K_BILLSEC], leg[K_START])
        if held is None or _better_recording(candidate, held):
            into[K_RECORDING] = leg[K_RECORDING]
            held = candidate
    chosen[key] = held


def _better_recording(leg: tuple, held: tuple) -> bool:
    if (leg[0], leg[1]) != (held[0], held[1]):
        return (leg[0], leg[1]) > (held[0], held[1])
    return leg[2] < held[2]


def _merge(into: list, leg: list) -> None:
    """Merge a later-read leg of the same call (PRODUCT.md §4, merged legs)."""
    if leg[K_START] < into[K_START]:
        for k in (
            K_START,
            K_DATE,
            K_DIRECTION,
            K_SRC,
            K_DST,
            K_CLID,
            K_EXTENSION,
            K_CUSTOMER,
            K_EMPLOYEE,
        ):
            into[k] = leg[k]
        if not into[K_ANSWERED] and not leg[K_ANSWERED]:
            into[K_DISPOSITION] = leg[K_DISPOSITION]
    if leg[K_ANSWERED] and not into[K_ANSWERED]:
        into[K_ANSWERED] = True
        into[K_DISPOSITION] = leg[K_DISPOSITION]
    if leg[K_BILLSEC] > into[K_BILLSEC]:
        into[K_BILLSEC] = leg[K_BILLSEC]
    if leg[K_DURATION] > into[K_DURATION]:
        into[K_DURATION] = leg[K_DURATION]
    if leg[K_ANSWER] is not None and (into[K_ANSWER] is None or leg[K_ANSWER] < into[K_ANSWER]):
        into[K_ANSWER] = leg[K_ANSWER]
    if leg[K_END] is not None and (into[K_END] is None or leg[K_END] > into[K_END]):
        into[K_END] = leg[K_END]


@dataclass
class _Batch:
    calls: list[list]
    rows_read: int
    position: int
    rejected: list[Rejection]
    lines: dict[str, int]
    rollups: list[tuple]  # the CallDay rows these calls add, if they are all new


PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def can_fork() -> bool:
    """A second process is forked only from a single-threaded process (the command line,
    the task worker): forking a threaded web server is not safe."""
    return hasattr(os, "fork") and threading.active_count() == 1


@contextlib.contextmanager
def _bulk_sqlite():
    """On SQLite, outside any transaction: let the write-ahead log grow to 40 MB before it
    is copied back (ten times fewer checkpoints, each with its fsync) during the import."""
    tuned = connection.vendor == "sqlite" and not connection.in_atomic_block
    if tuned:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        if tuned:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint = 1000")


def _batch_plain(batch: _Batch) -> tuple:
    return (
        batch.calls,
        batch.rows_read,
        batch.position,
        [(r.row, r.column, r.reason) for r in batch.rejected],
        batch.lines,
        [(row[0], row[1].isoformat(), *row[2:]) for row in batch.rollups],
    )


def _batch_from_plain(plain: tuple) -> _Batch:
    calls, rows_read, position, rejected, lines, rollups = plain
    return _Batch(
        calls,
        rows_read,
        position,
        [Rejection(*r) for r in rejected],
        lines,
        [(row[0], dt.date.fromisoformat(row[1]), *row[2:]) for row in rollups],
    )


def _in_child_process(batches: Iterator[_Batch]) -> Iterator[_Batch]:
    """Run a generator in a forked child and yield what it yields, through a pipe; the
    pipe's buffer holds at most a batch or two, so memory stays flat."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def produce() -> None:
        try:
            for batch in batches:
                # marshal: three times faster than pickle for plain lists of text and numbers
                sender.send_bytes(marshal.dumps(("batch", _batch_plain(batch))))
            sender.send_bytes(marshal.dumps(("end", None)))
        except ImportFileError as error:
            sender.send_bytes(marshal.dumps(("file-error", str(error.message))))
        except BaseException as error:  # reported by the parent, which owns the logs
            sender.send_bytes(marshal.dumps(("error", repr(error))))
        finally:
            sender.close()

    process = context.Process(target=produce, daemon=True)
    process.start()
    sender.close()
    try:
        while True:
            try:
                # our own forked child over a private pipe, not outside input
                kind, payload = marshal.loads(receiver.recv_bytes())  # noqa: S302
            except EOFError:
                raise RuntimeError("the import's reading process stopped unexpectedly") from None
            if kind == "batch":
                yield _batch_from_plain(payload)
            elif kind == "end":
                return
            elif kind == "file-error":
                raise ImportFileError(payload)
            else:
                raise RuntimeError(f"the import's reading process failed: {payload}")
    finally:
        receiver.close()
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()


class _Positions:
    """Where each field is in a row; -1 (the empty cell appended to each row) if absent."""

    def __init__(self, index: dict[str, int]):
        for name in layouts.FIELDS:
            setattr(self, name, index.get(name, -1))


def _bad_time(text: str) -> str:
    return _(
        "“%(value)s” is not a date and time (2026-07-01 09:00:00, 2026/7/1 9:00 or 1/7/2026 9:00:00)."
    ) % {"value": text.strip()[:60]}


class _Rejected(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


class CallImporter(Importer):
    kind = "calls"
    label = gettext_lazy("Calls")
    description = gettext_lazy(
        "Call records exported from the phone system: Asterisk Master.csv (cdr_csv or "
        "cdr_custom), FreeSWITCH cdr_csv, the FreePBX CDR Reports export, or any CSV/Excel "
        "export with a header and a saved column mapping. The layout is recognised from "
        "the file; legs of one call are merged; calls already stored are not stored again."
    )
    batch_size = 25000
    raw_cells = True  # cells as the file has them; leg() strips the ones it reads
    columns = tuple(
        Column(name, layouts.FIELD_LABELS[name], required=name in layouts.REQUIRED_FIELDS)
        for name in layouts.FIELDS
    )

    def allowed(self, user) -> bool:
        from telesales.org.access import can_administer_org

        return can_administer_org(user)

    def example_row(self) -> list[str]:
        return [
            "1751331600.101",
            "",
            "2026-07-01 09:00:00",
            "2026-07-01 09:00:08",
            "2026-07-01 09:03:08",
            "188",
            "180",
            "ANSWERED",
            "8001",
            "13800138000",
            "",
            "",
            "",
            "8001",
            "out-13800138000-8001-20260701-090000-1751331600.101.wav",
        ]

    # -- the run ---------------------------------------------------------------------

    def execute_table(
        self, table: Table, ctx: StoreContext, *, on_progress=None, preview_limit: int = 0
    ) -> dict[str, Any]:
        options = ctx.options
        mapping = None
        forced = options.get("format", "")
        if forced == "auto":
            forced = ""
        if options.get("mapping") or (forced and forced not in layouts.NAMED_LAYOUTS):
            name = options.get("mapping") or forced
            mapping = ColumnMapping.objects.filter(name=name).first()
            if mapping is None:
                raise ImportFileError(
                    _("There is no saved column mapping or layout named “%(name)s”.")
                    % {"name": name}
                )
            forced = "generic"
        company_zone = settings.TIME_ZONE
        file_zone = options.get("tz") or company_zone
        try:
            clock = Clock(file_zone, company_zone)
        except (ValueError, KeyError) as exc:
            raise ImportFileError(
                _("Unknown time zone “%(tz)s”; use a name such as Asia/Shanghai.")
                % {"tz": file_zone}
            ) from exc

        requested_order = options.get("date_order") or "auto"
        explicit_order = requested_order != "auto"

        def parses(text: str) -> bool:
            """Whether a cell is a timestamp, in the requested date order or, when the
            order is to be detected, in either."""
            orders = ("dmy", "mdy") if requested_order == "auto" else (requested_order,)
            for order in orders:
                clock.date_order = order
                try:
                    clock.parse(text.strip())
                    return True
                except (TimeError, ValueError):
                    continue
            return False

        try:
            layout = layouts.detect(
                table.first_row, forced=forced, mapping=mapping, parses_as_time=parses
            )
        except LayoutError as error:
            raise ImportFileError(str(error)) from error
        layout.system = options.get("system") or layout.system
        rows = table.rows
        if not layout.has_header:
            rows = itertools.chain([(table.first_line, table.first_row)], rows)
        # Learn the date order (1/7/2026: day or month first) from the first rows.
        sample = list(itertools.islice(rows, SAMPLE_ROWS))
        rows = itertools.chain(sample, rows)
        order = requested_order if explicit_order else (layout.date_order or "auto")
        if order == "auto":
            start_at = layout.index["start"]
            guessed = guess_date_order(
                [cells[start_at].strip() for _l, cells in sample if start_at < len(cells)]
            )
            order = guessed or "dmy"
            if guessed is None and any(
                _year_last(cells[start_at].strip())
                for _l, cells in sample[:50]
                if start_at < len(cells)
            ):
                layout.notes.append(
                    _(
                        "Dates such as 1/7/2026 were read day first; if the month comes first, import again with the date order month/day/year (--date-order mdy)."
                    )
                )
        clock.date_order = order
        writer = _Writer(self, layout, clock, ctx)
        info: dict[str, Any] = {
            "format": layout.label,
            "encoding": table.encoding,
            "layout": layout.name,
            "layout_reason": layout.reason,
            "notes": layout.notes,
            "preview": [],
        }
        writer.run(rows, table, on_progress, preview_limit, info["preview"])
        return info


def _year_last(text: str) -> bool:
    parts = text.split(" ")[0].replace(".", "/").replace("-", "/").split("/")
    return len(parts) == 3 and len(parts[2]) == 4 and len(parts[0]) <= 2


class _Writer:
    def __init__(self, importer: CallImporter, layout: Layout, clock: Clock, ctx: StoreContext):
        from telesales.core.config import setting_get
        from telesales.org.models import Extension

        self.layout = layout
        self.clock = clock
        self.ctx = ctx
        self.result: ImportResult = ctx.result
        self.batch_size = importer.batch_size
        self.extensions = ExtensionMap()
        known = set(Extension.objects.values_list("number", flat=True))
        self.directions = Directions(known, setting_get("calls.internal_pattern"))
        self.threshold = int(setting_get("calls.effective_seconds"))
        self.teams = TeamCalendar()
        self.is_internal = self.directions.is_internal
        self.known = known
        self.ix = _Positions(layout.index)
        self.width = max(layout.index.values()) + 1
        self.run_id = ctx.state.get("import_run_id")
        self.system = layout.system
        self.employee_on = self.extensions.employee_on
        self.lines: dict[str, int] = {}  # call id → line, for the preview's first calls
        self.vendor = connection.vendor
        self.pending: OrderedDict[str, list] = OrderedDict()

    # -- parsing one row into a leg -------------------------------------------------

    def leg(self, line: int, cells: list[str]) -> list:
        """One row as a leg list (see K_*), or _Rejected. Hot: runs once per row."""
        layout = self.layout
        width = len(cells)
        if layout.columns is not None and width != layout.columns:
            raise _Rejected(
                "",
                _("This row has %(found)s columns where the file's layout has %(expected)s.")
                % {"found": width, "expected": layout.columns},
            )
        # Fields a layout lacks point at -1: the empty cell added at the end of the row.
        if layout.columns is None and width < self.width:
            cells.extend([""] * (self.width - width))
        cells.append("")
        ix = self.ix
        start_text = cells[ix.start].strip()
        if not start_text:
            raise _Rejected("start", _("The start time is empty."))
        utc_text = self.clock.utc_text
        try:
            started, local_date = utc_text(start_text)
        except (TimeError, ValueError):
            raise _Rejected("start", _bad_time(start_text)) from None
        answer = end = None
        text = cells[ix.answer].strip()
        if text:
            try:
                answer = utc_text(text)[0]
            except (TimeError, ValueError, TypeError):
                raise _Rejected("answer", _bad_time(text)) from None
        text = cells[ix.end].strip()
        if text:
            try:
                end = utc_text(text)[0]
            except (TimeError, ValueError, TypeError):
                raise _Rejected("end", _bad_time(text)) from None
        text = cells[ix.billsec]
        billsec = int(text) if text.isdigit() and len(text) < 9 else _seconds(text, "billsec")
        text = cells[ix.duration]
        duration = int(text) if text.isdigit() and len(text) < 9 else _seconds(text, "duration")
        disposition = cells[ix.disposition].strip().upper()[:40]
        if layout.answered_by_billsec or ix.disposition < 0:
            answered = billsec > 0
        else:
            answered = disposition == "ANSWERED" or disposition in _ANSWERED_WORDS
        src = cells[ix.src].strip()[:80]
        dst = cells[ix.dst].strip()[:80]
        internal = self.is_internal
        agent = cells[ix.extension].strip()[:40]
        src_internal = internal(src)
        source_internal = src_internal
        channel_peer = ""
        if not source_internal and ix.channel >= 0:
            # A caller id rewritten to the company number: the channel's device says who
            # dialled, when it is a device of the extension map (not a trunk's DAHDI/1-1).
            channel_peer = _peer(cells[ix.channel])
            source_internal = channel_peer in self.known
        if source_internal:
            agent = agent or (src if src_internal else channel_peer)
            if internal(dst):
                direction, customer = INTERNAL, ""
            else:
                direction, customer = OUTBOUND, dst
        else:
            direction, customer = INBOUND, src
            if not agent:
                if internal(dst):
                    agent = dst
                elif ix.dstchannel >= 0:
                    peer = _peer(cells[ix.dstchannel])
                    agent = peer if peer in self.known else ""
        key = cells[ix.linkedid].strip() or cells[ix.call_id].strip()
        if not key:
            # No uniqueid column: the call is identified by what the row says about it.
            identity = (
                start_text,
                src,
                dst,
                cells[ix.channel],
                cells[ix.dstchannel],
                cells[ix.end],
            )
            key = "h:" + hashlib.blake2b("|".join(identity).encode(), digest_size=16).hexdigest()
        agent = agent[:40]
        return [
            self.system,
            key[:80],
            started,
            local_date,
            answer,
            end,
            duration,
            billsec,
            answered,
            disposition,
            direction,
            src,
            dst,
            cells[ix.clid].strip()[:120],
            agent,
            customer[:80],
            self.employee_on(agent, local_date) if agent else None,
            self.run_id,
            cells[ix.recording].strip()[:500],
        ]

    # -- the loop --------------------------------------------------------------------

    def run(self, rows, table: Table, on_progress, preview_limit: int, preview: list) -> None:
        """Parse and merge (in a second process for large files, so that parsing and the
        database work overlap on two cores), and store each batch here."""
        parsed = self.parse_batches(rows, table, preview_limit)
        if table.bytes_total >= PARALLEL_MIN_BYTES and can_fork():
            parsed = _in_child_process(parsed)
        with _bulk_sqlite():
            for batch in parsed:
                self.store(batch, on_progress, preview, preview_limit)

    def store(self, batch: _Batch, on_progress, preview: list, preview_limit: int) -> None:
        result = self.result
        result.rows = batch.rows_read
        result.rejected.extend(batch.rejected)
        for key, line in batch.lines.items():
            self.lines.setdefault(key, line)
        self.write(batch.calls, batch.rollups, preview, preview_limit)
        if on_progress:
            on_progress(result, batch.position)

    def parse_batches(self, rows, table: Table, preview_limit: int) -> Iterator[_Batch]:
        """Rows → merged calls, a batch at a time, with the rows rejected on the way. Pure:
        touches no database, so it can run in another process."""
        pending = self.pending
        chosen: dict[str, tuple] = {}  # call id → the leg its recording is from, once merged
        out: list[list] = []
        rejected: list[Rejection] = []
        lines: dict[str, int] = {}
        rows_read = 0
        leg_of = self.leg
        limit = min(2000, self.batch_size)  # a small first batch: storing starts sooner
        for line, cells in rows:
            rows_read += 1
            try:
                leg = leg_of(line, cells)
            except _Rejected as error:
                rejected.append(Rejection(line, error.column, str(error.reason)))
                continue
            key = leg[K_KEY]
            existing = pending.get(key)
            if existing is None:
                pending[key] = leg
                if len(lines) < preview_limit:
                    lines[key] = line
                if len(pending) > WINDOW:
                    done, call = pending.popitem(last=False)
                    out.append(call)
                    if chosen:
                        chosen.pop(done, None)
                    if len(out) >= limit:
                        rollups = self.rollup_rows(out)
                        yield _Batch(out, rows_read, table.position(), rejected, lines, rollups)
                        out, rejected, lines = [], [], {}
                        limit = self.batch_size
            else:
                if leg[K_RECORDING] or existing[K_RECORDING]:
                    _recording_merge(existing, leg, chosen)
                _merge(existing, leg)
        out.extend(pending.values())
        pending.clear()
        chosen.clear()
        size = self.batch_size
        for start in range(0, max(len(out), 1), size):
            calls = out[start : start + size]
            rollups = self.rollup_rows(calls)
            yield _Batch(calls, rows_read, table.position(), rejected, lines, rollups)
            rejected, lines = [], {}

    def write(
        self, calls: list[list], rollups: list[tuple], preview: list, preview_limit: int
    ) -> None:
        """Store one batch of merged calls in its own transaction (see the module doc)."""
        if not calls:
            return
        if len(preview) < preview_limit:
            for c in calls[: preview_limit - len(preview)]:
                preview.append({"row": self.lines.get(c[K_KEY], 0), "values": _preview(c)})
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT MAX(id) FROM calls_call")
            last_id = cursor.fetchone()[0] or 0
            inserted = self._insert(cursor, calls)
            self.result.stored += inserted
            if inserted == len(calls):
                rollup_add(rollups)
                return
            # Some calls were stored before: merge these legs into them. A call this run
            # stored itself (a leg read after the merge window) is neither updated nor a
            # duplicate: it is a leg of a new call.
            stored = _stored_calls(cursor, self.system, [c[K_KEY] for c in calls])
            others, own = [], []
            for c in calls:
                found = stored.get(c[K_KEY])
                if found is None or found[0] > last_id:
                    continue  # inserted just now
                if self.run_id is not None and found[1] == self.run_id:
                    own.append(c)
                else:
                    others.append(c)
            if others:
                cursor.executemany(_upsert_sql(self.vendor), others)
                updated = max(cursor.rowcount, 0)
                self.result.updated += updated
                self.result.duplicates += len(others) - updated
            if own:
                cursor.executemany(_upsert_sql(self.vendor, own_legs=True), own)
            keys = {(c[K_EMPLOYEE], dt.date.fromisoformat(c[K_DATE])) for c in calls}
            keys |= {(found[2], found[3]) for found in stored.values()}
            rollup_rebuild_keys(keys)

    def _insert(self, cursor, calls: list[list]) -> int:
        """INSERT the batch, skipping call ids already stored; returns how many went in."""
        if self.vendor == "sqlite":
            # The sqlite3 connection itself: Django's wrapper tees the parameter list.
            raw = connection.connection
            before = raw.total_changes
            raw.executemany(_insert_sql().replace("%s", "?"), calls)
            return raw.total_changes - before
        cursor.executemany(_insert_sql(), calls)
        return cursor.rowcount if cursor.rowcount >= 0 else len(calls)

    def rollup_rows(self, calls: list[list]) -> list[tuple]:
        """The CallDay rows (employee, day, team, rep, counts…) these calls add when new."""
        threshold = self.threshold
        increments: dict[tuple[int, str], list[int]] = {}
        for c in calls:
            employee_id = c[K_EMPLOYEE]
            if employee_id is None:
                continue
            key = (employee_id, c[K_DATE])
            counts = increments.get(key)
            if counts is None:
                counts = increments[key] = [0] * 9
            direction = c[K_DIRECTION]
            if direction == INTERNAL:
                counts[8] += 1
                continue
            base = 0 if direction == OUTBOUND else 4
            counts[base] += 1
            if c[K_ANSWERED]:
                counts[base + 1] += 1
                counts[base + 2] += c[K_BILLSEC]
                if c[K_BILLSEC] >= threshold:
                    counts[base + 3] += 1
        rows = []
        for (employee_id, day), counts in increments.items():
            day = dt.date.fromisoformat(day)
            rows.append((employee_id, day, *self.teams.people_on(employee_id, day), *counts))
        return rows


_ANSWERED_WORDS = {"已接通", "接通", "已接听", "已接聽", "ANSWER", "CONNECTED"}


MAX_SECONDS = 2_147_483_647  # what an integer column holds everywhere


def _seconds(text: str, column: str) -> int:
    text = text.strip()
    if not text:
        return 0
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SECONDS:  # negative, too large, infinite or not a number
        raise _Rejected(
            column,
            _("“%(value)s” is not a number of seconds.") % {"value": text[:40]},
        )
    return int(round(value))


def _insert_sql() -> str:
    columns = ", ".join(INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
    return (
        f"INSERT INTO calls_call ({columns}) VALUES ({marks}) "
        "ON CONFLICT (system, call_id) DO NOTHING"
    )


def _upsert_sql(vendor: str, *, own_legs: bool = False) -> str:
    """Merge a leg into a stored call: earliest start wins the start and the agent, any
    answered leg answers the call, the largest billsec is the talk time.

    The recording: the leg's, when the call has none, or when the leg was answered and the
    call was not or the leg is longer than the call's talk time, or when neither was
    answered and the leg started earlier (the stored call's own values stand for the leg
    its recording came from). A call stored by an earlier import is updated only when the
    leg changes something else (a duplicate row stays a duplicate, recording or not); a
    leg of a call this import stored itself (own_legs) also updates it for its recording."""
    greatest, least = ("max", "min") if vendor == "sqlite" else ("GREATEST", "LEAST")
    t, x = "calls_call", "excluded"
    earlier = f"{x}.started_at < {t}.started_at"
    recording = f"""CASE
            WHEN {x}.recording = '' THEN {t}.recording
            WHEN {t}.recording = '' THEN {x}.recording
            WHEN {x}.answered AND (NOT {t}.answered OR {x}.talk_seconds > {t}.talk_seconds)
              THEN {x}.recording
            WHEN NOT {x}.answered AND NOT {t}.answered AND {earlier} THEN {x}.recording
            ELSE {t}.recording END"""
    recording_changes = f"\n          OR ({recording}) <> {t}.recording" if own_legs else ""
    take_earlier = ", ".join(
        f"{col} = CASE WHEN {earlier} THEN {x}.{col} ELSE {t}.{col} END"
        for col in (
            "local_date",
            "direction",
            "src",
            "dst",
            "caller_name",
            "extension",
            "customer_number",
            "employee_id",
        )
    )
    columns = ", ".join(INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
    return f"""
        INSERT INTO calls_call ({columns}) VALUES ({marks})
        ON CONFLICT (system, call_id) DO UPDATE SET
          {take_earlier},
          disposition = CASE
            WHEN {x}.answered AND NOT {t}.answered THEN {x}.disposition
            WHEN {t}.answered AND NOT {x}.answered THEN {t}.disposition
            WHEN {earlier} THEN {x}.disposition ELSE {t}.disposition END,
          started_at = {least}({t}.started_at, {x}.started_at),
          answered = ({t}.answered OR {x}.answered),
          talk_seconds = {greatest}({t}.talk_seconds, {x}.talk_seconds),
          duration_seconds = {greatest}({t}.duration_seconds, {x}.duration_seconds),
          answered_at = COALESCE({least}({t}.answered_at, {x}.answered_at), {t}.answered_at, {x}.answered_at),
          ended_at = COALESCE({greatest}({t}.ended_at, {x}.ended_at), {t}.ended_at, {x}.ended_at),
          recording = {recording}
        WHERE {earlier}
          OR ({x}.answered AND NOT {t}.answered)
          OR {x}.talk_seconds > {t}.talk_seconds
          OR {x}.duration_seconds > {t}.duration_seconds
          OR ({x}.answered_at IS NOT NULL AND ({t}.answered_at IS NULL OR {x}.answered_at < {t}.answered_at))
          OR ({x}.ended_at IS NOT NULL AND ({t}.ended_at IS NULL OR {x}.ended_at > {t}.ended_at)){recording_changes}
    """


def _stored_calls(cursor, system: str, call_ids: list[str]) -> dict[str, tuple]:
    """call id → (id, import run, employee, local date) of the stored calls among these."""
    found = {}
    for start in range(0, len(call_ids), 500):
        chunk = call_ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            "SELECT call_id, id, import_run_id, employee_id, local_date FROM calls_call "
            f"WHERE system = %s AND call_id IN ({marks})",
            [system, *chunk],
        )
        for call_id, pk, run_id, employee_id, day in cursor.fetchall():
            if isinstance(day, str):
                day = dt.date.fromisoformat(day)
            found[call_id] = (pk, run_id, employee_id, day)
    return found


def _preview(c: list) -> dict[str, str]:
    return {
        str(_("call id")): c[K_KEY],
        str(_("started at")): str(c[K_START]) + " UTC",
        str(_("direction")): c[K_DIRECTION],
        str(_("source number")): c[K_SRC],
        str(_("destination number")): c[K_DST],
        str(_("extension / agent id")): c[K_EXTENSION],
        str(_("answered")): _("yes") if c[K_ANSWERED] else _("no"),
        str(_("talk time (s)")): str(c[K_BILLSEC]),
    }
