"""Realistic Asterisk Master.csv content (cdr_csv, 21 columns), deterministic for a seed.

Used by `telesales demo` (loaded through the importer like a real export) and by the
ingestion benchmark. About a third of outbound calls connect; talk times are log-normal;
some calls have a second leg (a transfer to a colleague) sharing the linkedid; a few
calls are inbound."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Iterable, Iterator

DISPOSITIONS = (("NO ANSWER", 0.50), ("BUSY", 0.10), ("FAILED", 0.04), ("CONGESTION", 0.02))
MOBILE_PREFIXES = ("130", "131", "135", "136", "138", "139", "150", "152", "158", "186", "188")


def _customer(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def master_rows(
    extensions: Iterable[str],
    days: Iterable[dt.date],
    calls_per_day: int,
    *,
    seed: int = 7,
    answer_rate: float = 0.34,
    transfer_rate: float = 0.03,
    inbound_rate: float = 0.05,
    zone: dt.tzinfo = dt.UTC,
) -> Iterator[list[str]]:
    """Rows in the order Asterisk writes them (by end time within a day)."""
    rng = random.Random(seed)
    extensions = list(extensions)
    sequence = 0
    for day in days:
        day_rows: list[tuple[dt.datetime, list[str]]] = []
        for ext in extensions:
            volume = max(0, int(rng.gauss(calls_per_day, calls_per_day * 0.15)))
            clock = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(
                seconds=rng.randrange(900)
            )
            for _ in range(volume):
                sequence += 1
                start = clock
                ring = rng.randrange(3, 25)
                inbound = rng.random() < inbound_rate
                customer = _customer(rng)
                epoch = int(start.replace(tzinfo=zone).timestamp())
                uniqueid = f"{epoch}.{sequence}"
                if rng.random() < answer_rate:
                    talk = max(1, int(math.exp(rng.gauss(4.0, 0.9))))
                    if rng.random() < 0.02:
                        talk = 0  # answered by voicemail and hung up at once
                    answer = start + dt.timedelta(seconds=ring)
                    end = answer + dt.timedelta(seconds=talk)
                    disposition = "ANSWERED"
                else:
                    talk = 0
                    answer = None
                    end = start + dt.timedelta(seconds=ring)
                    disposition = _failed(rng)
                src, dst = (customer, ext) if inbound else (ext, customer)
                channel = f"PJSIP/{'trunk' if inbound else ext}-{sequence:08x}"
                dstchannel = f"PJSIP/{ext if inbound else 'trunk'}-{sequence + 1:08x}"
                row = _row(
                    src,
                    dst,
                    channel,
                    dstchannel,
                    start,
                    answer,
                    end,
                    talk,
                    disposition,
                    uniqueid,
                    uniqueid,
                    1,
                )
                day_rows.append((end, row))
                if disposition == "ANSWERED" and not inbound and rng.random() < transfer_rate:
                    colleague = rng.choice(extensions)
                    leg_start = end - dt.timedelta(seconds=min(talk, 30))
                    leg_talk = max(1, int(math.exp(rng.gauss(4.5, 0.7))))
                    leg_end = leg_start + dt.timedelta(seconds=leg_talk + 2)
                    leg = _row(
                        colleague,
                        customer,
                        f"PJSIP/{colleague}-{sequence + 2:08x}",
                        dstchannel,
                        leg_start,
                        leg_start + dt.timedelta(seconds=2),
                        leg_end,
                        leg_talk,
                        "ANSWERED",
                        f"{epoch}.{sequence}1",
                        uniqueid,
                        2,
                    )
                    day_rows.append((leg_end, leg))
                clock = end + dt.timedelta(seconds=rng.randrange(20, 160))
                if clock.hour >= 18:
                    break
        day_rows.sort(key=lambda item: item[0])
        for _end, row in day_rows:
            yield row


def _failed(rng: random.Random) -> str:
    roll = rng.random() * sum(w for _d, w in DISPOSITIONS)
    for disposition, weight in DISPOSITIONS:
        roll -= weight
        if roll <= 0:
            return disposition
    return DISPOSITIONS[0][0]


def _row(
    src, dst, channel, dstchannel, start, answer, end, talk, disposition, uniqueid, linkedid, seq
):
    stamp = "%Y-%m-%d %H:%M:%S"
    duration = int((end - start).total_seconds())
    return [
        "",
        src,
        dst,
        "from-internal",
        f'"" <{src}>',
        channel,
        dstchannel,
        "Dial",
        f"PJSIP/{dst}@trunk,60",
        start.strftime(stamp),
        answer.strftime(stamp) if answer else "",
        end.strftime(stamp),
        str(duration),
        str(talk),
        disposition,
        "DOCUMENTATION",
        uniqueid,
        "",
        "",
        linkedid,
        str(seq),
    ]


def write_master_csv(stream, rows: Iterable[list[str]]) -> int:
    """Write rows as Asterisk does (every field quoted); returns the count."""
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
