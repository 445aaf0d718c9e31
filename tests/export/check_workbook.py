#!/usr/bin/env python3
"""Reads a workbook with openpyxl, as another program would, and checks it against what the
export promises. Run by function/tests/export.rs; exits 1 with one line per failed check.

    check_workbook.py WORKBOOK.xlsx EXPECTATIONS.json

EXPECTATIONS: {
  "strict": true,             # every answer a text cell (`@`), no cell starting with '
  "times": ["Reçu le …"],     # headers of the columns holding real date cells
  "rows": [{"Header": {"text": "…"} | {"time": "2026-06-30 23:30"} | {"empty": true}}],
  "counts": {"Header": 2}     # how many rows have a non-empty cell in that column
}
"""

import datetime
import json
import sys

try:
    import openpyxl
except ImportError:
    print("openpyxl is missing: run tests/setup-deps (it installs it into tests/.venv)")
    sys.exit(2)


def main(path, expectations_path):
    with open(expectations_path, encoding="utf-8") as f:
        expected = json.load(f)
    problems = []
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type != "s"
                ):
                    problems.append(f"{cell.coordinate}: a formula cell ({cell.value!r})")
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows())
    if not rows:
        print("the workbook's first sheet is empty")
        return 1
    headers = [c.value for c in rows[0]]
    if len(set(headers)) != len(headers):
        problems.append(f"two columns share a header: {headers}")
    times = set(expected.get("times", []))
    for header in times:
        if header not in headers:
            problems.append(f"no column {header!r} (headers: {headers})")
    if expected.get("strict"):
        for row in rows:
            for header, cell in zip(headers, row):
                if cell.value is None:
                    continue
                if header in times and cell.row > 1:
                    if not isinstance(cell.value, datetime.datetime):
                        problems.append(f"{cell.coordinate} ({header}): not a date cell: {cell.value!r}")
                    elif cell.number_format != "yyyy-mm-dd hh:mm":
                        problems.append(f"{cell.coordinate} ({header}): shown as {cell.number_format!r}")
                    continue
                if cell.data_type != "s":
                    problems.append(
                        f"{cell.coordinate} ({header}): a {cell.data_type!r} cell, not text: {cell.value!r}"
                    )
                elif cell.number_format != "@":
                    problems.append(f"{cell.coordinate} ({header}): format {cell.number_format!r}, not text (@)")
                elif cell.value.startswith("'") or getattr(getattr(cell, "_style", None), "quotePrefix", 0):
                    problems.append(f"{cell.coordinate} ({header}): a guard shows: {cell.value!r}")
    for n, wanted in enumerate(expected.get("rows", []), start=2):
        if n > len(rows):
            problems.append(f"row {n} is missing")
            continue
        row = dict(zip(headers, rows[n - 1]))
        for header, want in wanted.items():
            if header not in row:
                problems.append(f"row {n}: no column {header!r} (headers: {headers})")
                continue
            value = row[header].value
            if "text" in want:
                if value != want["text"] or row[header].data_type != "s":
                    problems.append(f"row {n}, {header}: {value!r}, not the text {want['text']!r}")
            elif "time" in want:
                shown = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime.datetime) else None
                if shown != want["time"]:
                    problems.append(f"row {n}, {header}: {value!r}, not the time {want['time']}")
            elif want.get("empty") and value not in (None, ""):
                problems.append(f"row {n}, {header}: {value!r}, not empty")
    for header, count in expected.get("counts", {}).items():
        if header not in headers:
            problems.append(f"no column {header!r} to count")
            continue
        at = headers.index(header)
        have = sum(1 for row in rows[1:] if row[at].value not in (None, ""))
        if have != count:
            problems.append(f"{header}: {have} row(s) filled, not {count}")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{path}: {len(rows) - 1} row(s), {len(headers)} column(s), every check passed")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
