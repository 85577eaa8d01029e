"""A plain CSV read without the csv module (朴素 CSV 快读): for the set-based path's staging of big department files.

Reading a feed in Python — csv, `str.strip` on every cell of every row, then the prefilter — was the largest
Python share of a feed's validation (bench/monitoring.py --profile, 200,000 rows: csv 1.1 s, the prefilter 1.1 s
of 5.4 s end to end), though ~90 % of the rows are dropped at once. For a *plain* file, one that Python's csv
reader and a split on commas read alike, `PlainReader` splits each line, strips only the cells the prefilter
reads (`RowFilter.reads`), and the whole row only when it is kept.

Plain: UTF-8 (BOM or not), no double quote (so no quoted comma or line break), no NUL, one kind of line end (LF,
or CRLF throughout), no line longer than csv's field size limit. Anything else is read by `imports.reading` as
before (`plain_lines` returns None). tests/monitoring/test_plain_csv.py checks both readers stage the same rows.

(A COPY of the whole file with the prefilter in SQL was tried first and was slower on PostgreSQL: the ID
number's check digit and birth date in SQL cost ~1.5 s for 200,000 rows, more than the Python it replaced.)
"""

import csv
from collections.abc import Iterator

from imports.reading import FileError, _limits
from imports.schemas.base import Context, RowFilter, Schema

BOM = b"\xef\xbb\xbf"
# What str.strip() removes (every character for which str.isspace() is true), and the comma: a line made only of
# these is a row whose cells are all empty, which the csv reader's callers skip.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
BLANK = WHITESPACE + ","


def plain_lines(content: bytes) -> list[str] | None:
    """The file's lines (header first, no line ends) when it is plain (see the module), else None."""
    body = content[len(BOM):] if content.startswith(BOM) else content
    if b'"' in body or b"\x00" in body:
        return None
    returns = body.count(b"\r")
    if returns and not (returns == body.count(b"\r\n") == body.count(b"\n")):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\r\n" if returns else "\n")
    if lines and lines[-1] == "":  # a final line end ends the last row, it does not start one
        lines.pop()
    if max(map(len, lines), default=0) > csv.field_size_limit():  # csv's own error, raised by the csv reader
        return None
    return lines


class PlainReader:
    """`pipeline._Reader` for a plain file: the non-blank data rows (after the header, numbered as the csv reader
    numbers them) that the prefilter keeps, with every cell stripped; counts rows read and dropped; the same
    row cap as `reading.iter_rows`."""

    def __init__(self, ctx: Context, schema: Schema, index: dict[str, int], lines: list[str]) -> None:
        self.filter: RowFilter | None = schema.prefilter(ctx, index) if schema.prefilter is not None else None
        self.lines = lines
        self.read = self.dropped = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        keep = self.filter.keep if self.filter is not None else None
        reads = self.filter.reads if self.filter is not None else None
        max_rows = _limits("csv")["max_rows"]
        for number, line in enumerate(self.lines[1:], start=2):
            if not line.strip(BLANK):
                continue
            self.read += 1
            if self.read > max_rows:
                raise FileError(f"文件超过{max_rows:,}行数据，请分批导入")
            cells = line.split(",")
            if keep is not None:
                if reads is None:
                    cells = [cell.strip() for cell in cells]
                else:
                    for i in reads:
                        if i < len(cells):
                            cells[i] = cells[i].strip()
                if not keep(cells):
                    self.dropped += 1
                    continue
            yield number, [cell.strip() for cell in cells]

    def finish(self) -> None:
        if self.filter is not None:
            self.filter.finish(self.dropped)
