"""Import files made in code, shared by the import tests; nothing is committed as data."""

import csv
import io

from openpyxl import Workbook

NOT_READABLE = "This file is neither a CSV text file nor an Excel workbook, so it cannot be read."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


def csv_bytes(rows, header, *, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    """A CSV file; `header=None` leaves the header row out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
