"""`telesales import calls`: phone-system exports into Call rows (PRODUCT.md §4, §7, §8).

Rows are streamed; the legs of one call (same linkedid, else uniqueid) are merged in a
bounded window of recent calls, then written in batches, each batch its own transaction:
new calls go in with one multi-row INSERT that skips known ids; only when a batch meets
calls already stored is it merged into them (earliest start, any leg answered, largest
billsec), so a re-import or an overlapping later file stores nothing twice. The daily
roll-ups change in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections import OrderedDict
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
from telesales.core.imports.base import Column, Importer, ImportResult, StoreContext
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
)
# Positions in a leg list.
(
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
    K_LINE,
) = range(16)
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

        self.owners: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
        for number, start, end, employee_id in Extension.objects.values_list(
            "number", "valid_from", "valid_to", "employee_id"
        ):
            self.owners.setdefault(number, []).append((start, end, employee_id))

    def employee_on(self, number: str, day: dt.date) -> int | None:
        owners = self.owners.get(number)
        if owners:
            for start, end, employee_id in owners:
                if start <= day and (end is None or day < end):
                    return employee_id
        return None


def _merge(into: list, leg: list) -> None:
    """Merge a later-read leg of the same call (PRODUCT.md §4, merged legs)."""
    if leg[K_START] < into[K_START]:
        for k in (K_START, K_DATE, K_DIRECTION, K_SRC, K_DST, K_CLID, K_EXTENSION, K_CUSTOMER):
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
    batch_size = 5000
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
        ]

    # -- the run ---------------------------------------------------------------------

    def execute_table(
        self, table: Table, ctx: StoreContext, *, on_progress=None, preview_limit: int = 0
    ) -> dict[str, Any]:
        options = ctx.options
        mapping = None
        forced = options.get("format", "")
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

        def parses(text: str) -> bool:
            try:
                clock.parse(text)
                return True
            except (TimeError, ValueError):
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
        order = options.get("date_order") or layout.date_order or "auto"
        if order == "auto":
            start_at = layout.index["start"]
            guessed = guess_date_order(
                [cells[start_at] for _l, cells in sample if start_at < len(cells)]
            )
            order = guessed or "dmy"
            if guessed is None and any(
                _year_last(cells[start_at]) for _l, cells in sample[:50] if start_at < len(cells)
            ):
                layout.notes.append(
                    _(
                        "Dates such as 1/7/2026 were read day first; use --date-order mdy if the month comes first."
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
        self.run_id = ctx.state.get("import_run_id")
        self.vendor = connection.vendor
        self.pending: OrderedDict[str, list] = OrderedDict()

    # -- parsing one row into a leg -------------------------------------------------

    def leg(self, line: int, cells: list[str]) -> list:
        layout = self.layout
        index = layout.index
        if layout.columns is not None and len(cells) != layout.columns:
            raise _Rejected(
                "",
                _("This row has %(found)s columns where the file's layout has %(expected)s.")
                % {"found": len(cells), "expected": layout.columns},
            )
        width = len(cells)

        def cell(name: str) -> str:
            position = index.get(name)
            return cells[position] if position is not None and position < width else ""

        clock = self.clock
        start_text = cell("start")
        if not start_text:
            raise _Rejected("start", _("The start time is empty."))
        try:
            started = clock.parse(start_text)
            answer = clock.parse(cell("answer"))
            end = clock.parse(cell("end"))
        except (TimeError, ValueError) as exc:
            bad = str(exc) or start_text
            raise _Rejected(
                "start",
                _(
                    "“%(value)s” is not a date and time (2026-07-01 09:00:00, 2026/7/1 9:00 or 1/7/2026 9:00:00)."
                )
                % {"value": bad[:60]},
            ) from None
        billsec = _seconds(cell("billsec"), "billsec")
        duration = _seconds(cell("duration"), "duration")
        disposition = cell("disposition").upper()[:40]
        if layout.answered_by_billsec:
            answered = billsec > 0
        elif "disposition" in index:
            answered = disposition == "ANSWERED" or disposition in _ANSWERED_WORDS
        else:
            answered = billsec > 0
        src = cell("src")[:80]
        dst = cell("dst")[:80]
        internal = self.directions.is_internal
        agent = cell("extension")[:40]
        source_internal = internal(src) if src else False
        channel_peer = ""
        if not source_internal and "channel" in index:
            channel_peer = _peer(cell("channel"))
            source_internal = bool(channel_peer) and internal(channel_peer)
        destination_internal = internal(dst) if dst else False
        if source_internal and destination_internal:
            direction, customer = INTERNAL, ""
            agent = agent or (src if internal(src) else channel_peer)
        elif source_internal:
            direction, customer = OUTBOUND, dst
            agent = agent or (src if internal(src) else channel_peer)
        else:
            direction, customer = INBOUND, src
            if not agent:
                if destination_internal:
                    agent = dst
                elif "dstchannel" in index:
                    peer = _peer(cell("dstchannel"))
                    agent = peer if peer and internal(peer) else ""
        key = cell("linkedid") or cell("call_id")
        if not key:
            # No uniqueid column: the call is identified by what the row says about it.
            identity = (start_text, src, dst, cell("channel"), cell("dstchannel"), cell("end"))
            key = "h:" + hashlib.blake2b("|".join(identity).encode(), digest_size=16).hexdigest()
        return [
            key[:80],
            started,
            clock.local_date(started),
            answer,
            end,
            duration,
            billsec,
            answered,
            disposition,
            direction,
            src,
            dst,
            cell("clid")[:120],
            agent[:40],
            customer[:80],
            line,
        ]

    # -- the loop --------------------------------------------------------------------

    def run(self, rows, table: Table, on_progress, preview_limit: int, preview: list) -> None:
        result = self.result
        pending = self.pending
        out: list[list] = []
        rejected = result.reject
        for line, cells in rows:
            result.rows += 1
            try:
                leg = self.leg(line, cells)
            except _Rejected as error:
                rejected(line, error.column, error.reason)
                continue
            key = leg[K_KEY]
            existing = pending.get(key)
            if existing is None:
                pending[key] = leg
                if len(pending) > WINDOW:
                    out.append(pending.popitem(last=False)[1])
                    if len(out) >= self.batch_size:
                        self.write(out, preview, preview_limit)
                        out = []
                        if on_progress:
                            on_progress(result, table.position())
            else:
                _merge(existing, leg)
        out.extend(pending.values())
        pending.clear()
        for start in range(0, len(out), self.batch_size):
            self.write(out[start : start + self.batch_size], preview, preview_limit)
        if on_progress:
            on_progress(result, table.position())

    def write(self, calls: list[list], preview: list, preview_limit: int) -> None:
        if not calls:
            return
        employee_on = self.extensions.employee_on
        system = self.layout.system
        run_id = self.run_id
        adapt = _adapter(self.vendor)
        rows = []
        for c in calls:
            employee_id = employee_on(c[K_EXTENSION], c[K_DATE]) if c[K_EXTENSION] else None
            c.append(employee_id)
            rows.append(
                (
                    system,
                    c[K_KEY],
                    adapt(c[K_START]),
                    c[K_DATE],
                    adapt(c[K_ANSWER]),
                    adapt(c[K_END]),
                    c[K_DURATION],
                    c[K_BILLSEC],
                    c[K_ANSWERED],
                    c[K_DISPOSITION],
                    c[K_DIRECTION],
                    c[K_SRC],
                    c[K_DST],
                    c[K_CLID],
                    c[K_EXTENSION],
                    c[K_CUSTOMER],
                    employee_id,
                    run_id,
                )
            )
        if len(preview) < preview_limit:
            for c in calls[: preview_limit - len(preview)]:
                preview.append({"row": c[K_LINE], "values": _preview(c)})
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_insert_sql(), rows)
            inserted = cursor.rowcount if cursor.rowcount >= 0 else len(rows)
            self.result.stored += inserted
            if inserted == len(rows):
                self._add_rollups(calls)
                return
            # Some calls were stored before: merge these legs into them.
            keys = {(c[-1], c[K_DATE]) for c in calls}
            keys |= _stored_keys(cursor, system, [c[K_KEY] for c in calls])
            cursor.executemany(_upsert_sql(self.vendor), rows)
            updated = max(cursor.rowcount, 0)
            self.result.updated += updated
            self.result.duplicates += len(rows) - inserted - updated
            rollup_rebuild_keys(keys)

    def _add_rollups(self, calls: list[list]) -> None:
        threshold = self.threshold
        increments: dict[tuple[int, dt.date], list[int]] = {}
        for c in calls:
            employee_id = c[-1]
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
        teams = {key: self.teams.team_on(*key) for key in increments}
        rollup_add(increments, teams)


_ANSWERED_WORDS = {"已接通", "接通", "已接听", "已接聽", "ANSWER", "CONNECTED"}


def _seconds(text: str, column: str) -> int:
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0 or value != value:
        raise _Rejected(
            column,
            _("“%(value)s” is not a number of seconds.") % {"value": text[:40]},
        )
    return int(round(value))


def _adapter(vendor: str):
    if vendor == "sqlite":
        return lambda value: None if value is None else str(value)
    return lambda value: None if value is None else value.replace(tzinfo=dt.UTC)


def _insert_sql() -> str:
    columns = ", ".join(INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
    return (
        f"INSERT INTO calls_call ({columns}) VALUES ({marks}) "
        "ON CONFLICT (system, call_id) DO NOTHING"
    )


def _upsert_sql(vendor: str) -> str:
    """Merge a leg into a stored call: earliest start wins the start and the agent, any
    answered leg answers the call, the largest billsec is the talk time."""
    greatest, least = ("max", "min") if vendor == "sqlite" else ("GREATEST", "LEAST")
    t, x = "calls_call", "excluded"
    earlier = f"{x}.started_at < {t}.started_at"
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
          ended_at = COALESCE({greatest}({t}.ended_at, {x}.ended_at), {t}.ended_at, {x}.ended_at)
        WHERE {earlier}
          OR ({x}.answered AND NOT {t}.answered)
          OR {x}.talk_seconds > {t}.talk_seconds
          OR {x}.duration_seconds > {t}.duration_seconds
          OR ({x}.answered_at IS NOT NULL AND ({t}.answered_at IS NULL OR {x}.answered_at < {t}.answered_at))
          OR ({x}.ended_at IS NOT NULL AND ({t}.ended_at IS NULL OR {x}.ended_at > {t}.ended_at))
    """


def _stored_keys(cursor, system: str, call_ids: list[str]) -> set:
    found = set()
    for start in range(0, len(call_ids), 500):
        chunk = call_ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"SELECT employee_id, local_date FROM calls_call WHERE system = %s AND call_id IN ({marks})",
            [system, *chunk],
        )
        for employee_id, day in cursor.fetchall():
            if isinstance(day, str):
                day = dt.date.fromisoformat(day)
            found.add((employee_id, day))
    return found


def _preview(c: list) -> dict[str, str]:
    return {
        str(_("call id")): c[K_KEY],
        str(_("started at")): str(c[K_START]) + " UTC",
        str(_("direction")): c[K_DIRECTION],
        str(_("source")): c[K_SRC],
        str(_("destination")): c[K_DST],
        str(_("extension / agent id")): c[K_EXTENSION],
        str(_("answered")): _("yes") if c[K_ANSWERED] else _("no"),
        str(_("talk time (s)")): str(c[K_BILLSEC]),
    }
