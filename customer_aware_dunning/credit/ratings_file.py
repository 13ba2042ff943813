"""Credit-bureau ratings delivered as a file (CSV or XLSX): read rows, check them, make observations.

Nothing here writes anything: :func:`read_ratings` returns the observations and
the problems found, per row, and the caller writes only when there is none.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from .observation import RATING, Observation, normalize_business_id, normalize_rating

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


@dataclass(frozen=True)
class Mapping:
    """Which column holds what (column headings as in the file; ``source`` and ``defaults`` optional)."""

    business_id: str
    rating: str
    rated_on: str
    defaults: str = ""
    source: str = ""


def read_table(content, filename):
    """``(headings, rows)`` of a CSV (``,`` or ``;``, UTF-8) or XLSX file; rows are lists of cells."""
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:
            raise ValueError(f"the spreadsheet cannot be read: {error}") from error
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError("the file is not UTF-8 text (CSV) nor a spreadsheet (XLSX)") from error
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    table = [row for row in table if any(cell not in (None, "") for cell in row)]
    if not table:
        raise ValueError("the file is empty")
    return [str(cell or "").strip() for cell in table[0]], table[1:]


def read_ratings(headings, rows, mapping, default_source):
    """``(observations, problems)``: one observation per good row, ``(line, message)`` per bad one.

    Lines count as in the file (the headings are line 1).
    """
    missing = [name for name in (mapping.business_id, mapping.rating, mapping.rated_on, mapping.defaults,
                                 mapping.source) if name and name not in headings]
    if missing:
        return [], [(1, f"column(s) not in the file: {', '.join(missing)}")]
    index = {name: headings.index(name) for name in headings}
    observations, problems = [], []
    for line, row in enumerate(rows, start=2):
        def cell(name, row=row):
            return row[index[name]] if name and index[name] < len(row) else None
        observation, problem = _row(cell, mapping, default_source)
        if problem:
            problems.append((line, problem))
        else:
            observations.append((line, observation))
    return observations, problems


def _row(cell, mapping, default_source):
    raw_id = cell(mapping.business_id)
    business_id = normalize_business_id(str(raw_id or ""))
    if not business_id:
        return None, f"'{raw_id or ''}' is not a Finnish business ID or VAT number"
    raw_rating = cell(mapping.rating)
    rating = normalize_rating(raw_rating)
    if rating is None:
        return None, f"rating '{raw_rating or ''}' is neither a known class (AAA...C) nor a score"
    rated_on = _date(cell(mapping.rated_on))
    if rated_on is None:
        return None, f"rating date '{cell(mapping.rated_on) or ''}' is not a date (2026-11-30 or 30.11.2026)"
    defaults = 0
    if mapping.defaults and cell(mapping.defaults) not in (None, ""):
        try:
            defaults = int(float(str(cell(mapping.defaults)).replace(",", ".")))
        except ValueError:
            return None, f"payment defaults '{cell(mapping.defaults)}' is not a number"
        if defaults < 0:
            return None, "payment defaults cannot be negative"
    source = str(cell(mapping.source) or "").strip() if mapping.source else ""
    return Observation(
        source=source or default_source, observed_on=rated_on, business_id=business_id, kind=RATING,
        rating=rating, rating_label=str(raw_rating).strip(), payment_defaults=defaults,
    ), None


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
