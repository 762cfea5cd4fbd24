"""Turn an uploaded file into a header and a stream of numbered rows, whatever its encoding.

CSV in UTF-8 (with or without BOM), UTF-16 with BOM, GBK/GB18030; CRLF, LF or CR line ends;
XLSX/XLS/ODS through python-calamine. Rows are streamed: memory stays flat for any file size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

SAMPLE_BYTES = 256 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
csv.field_size_limit(10 * 1024 * 1024)


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing is stored."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A readable file: its first row, the rows after it with their 1-based line numbers."""

    format: str
    encoding: str
    first_row: list[str]
    first_line: int
    rows: Iterator[tuple[int, list[str]]]
    bytes_total: int
    position: Callable[[], int]  # bytes consumed so far, for progress


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _decodes_as(stream: BinaryIO, encoding: str) -> bool:
    """Whether the whole file decodes, read in chunks so memory stays flat."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(1024 * 1024):
            decoder.decode(chunk, final=False)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)


def _mostly_utf8(stream: BinaryIO) -> bool:
    """Whether the non-ASCII text is mostly valid UTF-8: at least three good characters for
    every broken sequence (GBK text read as UTF-8 is nearly all broken sequences)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    broken = other = 0
    stream.seek(0)
    try:
        while chunk := stream.read(1024 * 1024):
            text = decoder.decode(chunk, final=False)
            broken += text.count("\ufffd")
            other += sum(1 for ch in text if ch > "\x7f")
        text = decoder.decode(b"", final=True)
        broken += text.count("\ufffd")
    finally:
        stream.seek(0)
    return broken > 0 and other - broken >= 3 * broken


def detect_encoding(stream: BinaryIO, sample: bytes) -> str:
    """utf-8-sig / utf-16 by BOM, else UTF-8 when the whole file decodes, else GB18030 (⊃ GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes_as(stream, "utf-8"):
        return "utf-8"
    if _mostly_utf8(stream):
        # A UTF-8 file with a few broken bytes (a caller name cut mid-character): reading
        # it as GB18030 would garble every other name; the broken bytes are marked instead.
        return "utf-8"
    if _decodes_as(stream, "gb18030"):
        return "gb18030"
    # Mostly UTF-8 with a few broken bytes (caller names cut mid-character, say):
    # keep every row and mark the broken bytes rather than refuse the file.
    return "utf-8"


def _looks_binary(sample: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample[:4096] if b < 9 or 13 < b < 32)
    return controls > 8


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(stream: BinaryIO, size: int, raw: bool = False) -> Table:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not sample.strip():
        raise ImportFileError(_("The file is empty."))
    encoding = detect_encoding(stream, sample)
    if _looks_binary(sample, encoding):
        raise ImportFileError(
            _("This file is neither a CSV text file nor an Excel workbook, so it cannot be read.")
        )
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    head = sample.decode(encoding, "replace").lstrip("\ufeff").splitlines()
    first_line = head[0] if head else ""
    reader = csv.reader(text, delimiter=_sniff_delimiter(first_line), strict=False)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        previous_end = 0
        try:
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if raw:
                    if any(record):
                        if start == 1 and record[0].startswith("\ufeff"):
                            record[0] = record[0].lstrip("\ufeff")
                        yield start, record
                    continue
                cells = [
                    c.strip().lstrip("\ufeff") if i == 0 else c.strip()
                    for i, c in enumerate(record)
                ]
                if not any(cells):
                    continue
                yield start, cells
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV file is malformed near line %(line)s: %(error)s")
                % {"line": previous_end + 1, "error": exc}
            ) from exc

    rows = numbered()
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file has no rows."))
    return Table(
        format="csv",
        encoding=encoding,
        first_row=first[1],
        first_line=first[0],
        rows=rows,
        bytes_total=size,
        position=lambda: stream.tell() if not stream.closed else size,
    )


def _read_workbook(stream: BinaryIO, size: int) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
        iterator = iter(sheet.iter_rows())
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportFileError(
            _("The Excel workbook could not be opened (%(error)s).") % {"error": exc}
        ) from exc
    total_height = sheet.height or 1
    state = {"line": 0}

    def numbered() -> Iterator[tuple[int, list[str]]]:
        # iter_rows() starts at the sheet's row 1 whatever its first used row is.
        for index, values in enumerate(iterator):
            state["line"] = index + 1
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            yield index + 1, cells

    rows = numbered()
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The workbook's first sheet has no rows."))
    return Table(
        format="xlsx",
        encoding="",
        first_row=first[1],
        first_line=first[0],
        rows=rows,
        bytes_total=size,
        position=lambda: int(size * state["line"] / total_height),
    )


def read_table(stream: BinaryIO, *, raw: bool = False) -> Table:
    """Open a CSV or Excel file; raises ImportFileError with a translated reason. With
    `raw`, CSV cells come as the file has them (not stripped), which is faster for
    importers that read only some cells of very large files."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return _read_workbook(stream, size)
    return _read_csv(stream, size, raw)
