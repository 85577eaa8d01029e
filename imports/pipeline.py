"""The import pipeline (导入流程): the bodies of the validate and commit jobs, the same for every schema.

Set-based schemas (PostgreSQL, SQLite): the file goes into a temporary table, the schema checks it with a few
statements and stages only the rows with something to say (errors, already registered); the good rows are
committed from the validation's temporary table (or, in another session, from a recheck of the file).
Otherwise — validate: stream the file into StagedRow in chunks (the schema's prefilter, if any, drops rows
before anything is stored → cells → row check → set-based database check → bulk insert → progress), then flag
within-file duplicates with one GROUP BY, then run the schema's group checks over the staged rows page by page
(keyset, never OFFSET). Commit: one transaction that hands the good rows, a page of whole groups
at a time, to the schema's set-based `commit`.
Both are safe to re-run: validation starts by clearing the batch's staged rows; a commit that ran is a no-op.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, connection, reset_queries, transaction
from django.db.models import Count, Q
from django.utils import timezone

from audit.context import acting
from imports.bulk import bulk_insert
from imports.models import ImportBatch, StagedRow
from imports.plain_csv import PlainReader, plain_lines
from imports.progress import progress_outside_transaction
from imports.reading import FileError, estimate_rows, file_kind, iter_rows
from imports.schemas import Context, Schema, schema_get
from imports.schemas.base import CellError, CommitConflict, chunked, reject
from jobs.models import Job
from jobs.services import job_progress
from minzheng import sql as dialect
from minzheng.files import file_read
from minzheng.sql import Sql

CHUNK = 2000
# Rows per staging statement of the set-based path: progress is reported between them.
STAGE_CHUNK = 50_000
RAW = "import_tmp_raw"
ROW_STATUS = StagedRow.Status
# The set-based path (validation and commit as a few SQL statements over the whole file) where the schema has one
# and the database is PostgreSQL or SQLite; the per-row path otherwise. Tests switch it off to compare the two.
SET_BASED = True
# A plain CSV split by imports.plain_csv instead of the csv reader (the same rows); off to compare the two.
PLAIN_CSV = True


def set_based(schema: Schema) -> bool:
    return (SET_BASED and schema.sql_validate is not None and schema.sql_commit is not None
            and schema.sql_ready is not None
            and (dialect.is_postgres() if schema.sql_postgres_only else dialect.supported()))


def batch_validate(*, batch: ImportBatch, job: Job | None) -> dict:
    """校验: stage every row, check it, and leave the batch VALIDATED with its counts."""
    if batch.status != ImportBatch.Status.STAGED:
        return {"note": f"批次状态为“{batch.get_status_display()}”，未重新校验"}
    try:
        return _validate(batch, job)
    except Exception as exc:
        error = str(exc) if isinstance(exc, FileError) else f"校验失败（{type(exc).__name__}），请联系系统管理员"
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, error=error,
                                                       finished_at=timezone.now())
        raise


def _validate(batch: ImportBatch, job: Job | None) -> dict:
    schema = schema_get(batch.schema)
    ctx = Context(batch=batch, user=batch.created_by)
    StagedRow.objects.filter(batch=batch).delete()  # a re-run after a crash starts from a clean slate
    twin = committed_twin(batch)
    sparse = set_based(schema)
    if sparse:
        (total, dropped), index = _stage_raw(ctx, schema, job)
        _report(job, total, total, f"已暂存{total - dropped}行，开始校验")
        # the very same file was saved before: nothing in it is new (every good row is staged as present)
        ctx.cache["twin"] = twin is not None
        schema.sql_validate(ctx, index)
        Sql().drop(RAW)
        _report(job, total, total, "校验规则已执行")
    else:
        total, dropped = _stage_file(ctx, schema, job)
        _report(job, total, total, "逐行校验完成，检查文件内重复")
        _flag_file_duplicates(schema, batch)
        if schema.group_check is not None:
            _report(job, total, total, "按组检查")
            _check_groups(ctx, schema)
        if twin is not None:  # the very same file was saved before: nothing in it is new
            StagedRow.objects.filter(batch=batch, status=ROW_STATUS.OK).update(status=ROW_STATUS.DUPLICATE_EXISTING)
    counts = row_counts(batch, total=total - dropped if sparse else None)
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.STAGED).update(
        status=ImportBatch.Status.VALIDATED, duplicate_of=twin, good_rows_staged=not sparse,
        updated_at=timezone.now(), **counts)
    skipped = f"，{dropped}行经预筛未暂存" if dropped else ""
    _report(job, total, total,
            f"校验完成：共{total}行，正确{counts['good_rows']}行，错误{counts['bad_rows']}行{skipped}")
    return counts


def batch_commit(*, batch: ImportBatch, job: Job | None, user) -> dict:
    """保存正确行: all or nothing — one transaction; on any failure nothing is written and the batch stays open."""
    schema = schema_get(batch.schema)
    try:
        with acting(user=user, source="import"), transaction.atomic():
            result = _commit_locked(schema, batch.pk, user, job)
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
            mode="", error=_commit_error_text(exc))
        raise
    _report(job, result.get("rows", 0), result.get("rows", 0), f"保存完成：写入{result.get('rows', 0)}行")
    return result


def _commit_error_text(exc: Exception) -> str:
    if isinstance(exc, IntegrityError):
        return "保存时与登记库中的数据冲突（可能有人同时修改了相关人员或家庭），未写入任何数据，请重新上传校验"
    if isinstance(exc, CommitConflict):
        return str(exc)
    return f"保存失败，未写入任何数据（{type(exc).__name__}）"


def _commit_locked(schema: Schema, batch_id: int, user, job: Job | None) -> dict:
    # Claim the batch with a write as the transaction's first statement: it locks the batch row (PostgreSQL)
    # or takes SQLite's single write lock, so the ids `bulk_insert` reserves cannot be taken by anyone else.
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.VALIDATED).update(
        updated_at=timezone.now())
    batch = ImportBatch.objects.get(pk=batch_id)
    if not claimed:
        return {"rows": 0, "note": f"批次状态为“{batch.get_status_display()}”，未重复保存"}
    twin = committed_twin(batch)
    tally: Counter = Counter()
    skipped = row_counts(batch)["skipped_existing"]
    if twin is None and not batch.good_rows_staged:
        # the set-based path: the good rows are in the validation's temporary table, not staged
        tally = _commit_set_based(Context(batch=batch, user=user), schema, batch, job)
        written = batch.good_rows
    elif twin is None and schema.commit_batch is not None:
        with progress_outside_transaction(job) as report:
            tally = Counter(schema.commit_batch(Context(batch=batch, user=user),
                                                lambda fraction: report(int(batch.good_rows * fraction),
                                                                        batch.good_rows)))
        written = batch.good_rows
    elif twin is None:
        tally = _commit_pages(Context(batch=batch, user=user), schema, batch, job)
        written = StagedRow.objects.filter(batch=batch, status=ROW_STATUS.OK).update(status=ROW_STATUS.COMMITTED)
    else:  # the same bytes were committed since this batch was validated
        StagedRow.objects.filter(batch=batch, status=ROW_STATUS.OK).update(status=ROW_STATUS.DUPLICATE_EXISTING)
        skipped = row_counts(batch)["skipped_existing"] + (0 if batch.good_rows_staged else batch.good_rows)
        written = 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTED, mode=ImportBatch.Mode.GOOD_ONLY, committed_rows=written,
        skipped_existing=skipped, duplicate_of=twin, summary=dict(tally), error="",
        finished_at=timezone.now(), updated_at=timezone.now())
    return {"rows": written, **tally}


def _commit_pages(ctx: Context, schema: Schema, batch: ImportBatch, job: Job | None) -> Counter:
    tally: Counter = Counter()
    done = 0
    with progress_outside_transaction(job) as report:
        for rows in _pages_of_whole_groups(batch, schema, [ROW_STATUS.OK]):
            tally.update(schema.commit(ctx, rows))
            done += len(rows)
            report(done, batch.good_rows)
            _forget_logged_queries()
    return tally


def _commit_set_based(ctx: Context, schema: Schema, batch: ImportBatch, job: Job | None) -> Counter:
    with progress_outside_transaction(job) as report:
        if not schema.sql_ready(ctx):
            # validated in another session (another worker, a restart): the file is read and checked again, and
            # the commit goes on only if every row comes out as it did at validation (see the schema's recheck)
            _, index = _stage_raw(ctx, schema, None)
            ctx.cache["recheck"] = True
            schema.sql_validate(ctx, index)
            Sql().drop(RAW)
        report(0, batch.good_rows)
        tally = schema.sql_commit(ctx, lambda fraction: report(int(batch.good_rows * fraction), batch.good_rows))
    return Counter(tally)


def committed_twin(batch: ImportBatch) -> ImportBatch | None:
    """An earlier committed batch of the same schema with byte-identical content (same SHA-256)."""
    return (ImportBatch.objects.filter(schema=batch.schema, checksum=batch.checksum,
                                       status=ImportBatch.Status.COMMITTED)
            .exclude(pk=batch.pk).order_by("id").first())


def row_counts(batch: ImportBatch, total: int | None = None) -> dict[str, int]:
    """Counts by status of the staged rows; given the file's `total`, the rows not staged are the good ones."""
    by_status = dict(StagedRow.objects.filter(batch=batch).order_by().values_list("status")
                     .annotate(n=Count("id")).values_list("status", "n"))
    bad, present = by_status.get(ROW_STATUS.ERROR, 0), by_status.get(ROW_STATUS.DUPLICATE_EXISTING, 0)
    if total is None:
        total, good = sum(by_status.values()), by_status.get(ROW_STATUS.OK, 0)
    else:
        good = total - bad - present
    return {"total_rows": total, "good_rows": good, "bad_rows": bad, "skipped_existing": present}


def _forget_logged_queries() -> None:
    """Under DEBUG Django keeps every statement of a connection, parameters and all, in memory (up to 9000):
    for a million-row job that is gigabytes. A test counting queries (force_debug_cursor) keeps its own."""
    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


def _report(job: Job | None, done: int, total: int, message: str = "") -> None:
    if job is not None:
        job_progress(job, done=done, total=total, message=message)


# --- staging: stream, parse, check, bulk insert, in chunks ---


def batch_content(batch: ImportBatch) -> bytes:
    """The uploaded file's bytes, from the file storage (b"" once a processed feed's file has been dropped)."""
    return file_read(batch.file)


def _stage_file(ctx: Context, schema: Schema, job: Job | None) -> tuple[int, int]:
    """Stage the file row by row in chunks; (rows read, rows the prefilter dropped)."""
    kind = file_kind(ctx.batch.original_filename)
    content = batch_content(ctx.batch)
    estimate = estimate_rows(kind, content)
    rows = iter_rows(kind, content)
    _, header = next(rows, (1, []))
    index, errors = schema.map_headers(header)
    if errors:
        raise FileError("；".join(errors))
    width = len(ctx.batch.headers) or len(header)
    reader = _reader(ctx, schema, index, kind, content, rows)
    for chunk in chunked(reader, CHUNK):
        staged = [_parse_row(schema, ctx.batch.pk, index, number, cells[:width]) for number, cells in chunk]
        schema.db_check(ctx, staged)
        bulk_insert(staged)  # the chunk in one statement (COPY / executemany): see imports.bulk
        _report(job, reader.read, max(estimate, reader.read))
        _forget_logged_queries()
    reader.finish()
    return reader.read, reader.dropped


def _reader(ctx: Context, schema: Schema, index: dict[str, int], kind: str, content: bytes, rows: Iterator):
    """The data rows to stage: a plain CSV split by `imports.plain_csv` (the same rows, faster), else `rows`."""
    lines = plain_lines(content) if PLAIN_CSV and kind == "csv" else None
    return PlainReader(ctx, schema, index, lines) if lines is not None else _Reader(ctx, schema, index, rows)


class _Reader:
    """The non-blank data rows the schema's prefilter keeps, counting every row read (for progress) and the
    rows dropped (told to the prefilter at the end)."""

    def __init__(self, ctx: Context, schema: Schema, index: dict[str, int], rows: Iterator) -> None:
        self.filter = schema.prefilter(ctx, index) if schema.prefilter is not None else None
        self.rows = rows
        self.read = self.dropped = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        keep = self.filter.keep if self.filter is not None else None
        for number, cells in self.rows:
            if not any(cells):
                continue
            self.read += 1
            if keep is not None and not keep(cells):
                self.dropped += 1
                continue
            yield number, cells

    def finish(self) -> None:
        if self.filter is not None:
            self.filter.finish(self.dropped)


def _stage_raw(ctx: Context, schema: Schema, job: Job | None) -> tuple[tuple[int, int], dict[str, int]]:
    """The set-based path's staging: every non-blank row as (row_number, its cells as a JSON array) into the
    temporary table `import_tmp_raw` — COPY on PostgreSQL, executemany on SQLite — in chunks, with progress."""
    kind = file_kind(ctx.batch.original_filename)
    content = batch_content(ctx.batch)
    estimate = estimate_rows(kind, content)
    rows = iter_rows(kind, content)
    _, header = next(rows, (1, []))
    index, errors = schema.map_headers(header)
    if errors:
        raise FileError("；".join(errors))
    width = len(ctx.batch.headers) or len(header)
    sql = Sql()
    sql.drop(RAW)
    sql.run(f"CREATE TEMP TABLE {RAW} (row_number integer, data {sql.json_type()})")
    reader = _reader(ctx, schema, index, kind, content, rows)
    for chunk in chunked(reader, STAGE_CHUNK):
        _write_raw(sql, chunk, width)
        _report(job, reader.read, max(estimate, reader.read))
    reader.finish()
    return (reader.read, reader.dropped), index


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _write_raw(sql: Sql, chunk: list[tuple[int, list[str]]], width: int) -> None:
    encoded = []
    for number, cells in chunk:
        cells = cells[:width]
        while cells and not cells[-1]:
            cells.pop()
        encoded.append((number, _dumps(cells)))
    # One transaction per chunk: SQLite in autocommit would otherwise commit (and sync) every row of executemany.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if sql.pg:
            # COPY's text format: a tab between the columns; JSON escapes tabs and newlines, leaving backslashes
            text = "".join(f"{n}\t{data.replace(chr(92), chr(92) * 2)}\n" for n, data in encoded)
            with cursor.cursor.copy(f"COPY {RAW} (row_number, data) FROM STDIN") as copy:
                copy.write(text)
        else:
            cursor.executemany(f"INSERT INTO {RAW} (row_number, data) VALUES (%s, %s)", encoded)


def _parse_row(schema: Schema, batch_id: int, index: dict[str, int], number: int, cells: list[str]) -> StagedRow:
    raw = {key: cells[i] if i < len(cells) else "" for key, i in index.items()}
    clean: dict = {}
    errors: list[str] = []
    for column in schema.columns:
        value = raw.get(column.key, "")
        if not value:
            if column.required:
                errors.append(f"「{column.header}」为必填项")
            continue
        try:
            clean[column.key] = column.parse(value)
        except CellError as exc:
            errors.append(str(exc))
    errors += schema.row_check(raw, clean)
    while cells and not cells[-1]:
        cells = cells[:-1]
    return StagedRow(batch_id=batch_id, row_number=number, data=cells, clean=clean, errors=errors,
                     status=ROW_STATUS.ERROR if errors else ROW_STATUS.OK,
                     dedup_key=_key(clean, schema.unique_key), group_key=_key(clean, schema.group_key))


def _key(clean: dict, key: str | None) -> str:
    return str(clean.get(key) or "")[:64] if key else ""


# --- whole-file checks: duplicates in SQL, groups page by page ---


def _flag_file_duplicates(schema: Schema, batch: ImportBatch) -> None:
    """Both (all) rows sharing a unique key are errors, each naming the other rows."""
    if not schema.unique_key:
        return
    label = schema.column(schema.unique_key).header
    keys = list(StagedRow.objects.filter(batch=batch).exclude(dedup_key="").order_by().values("dedup_key")
                .annotate(n=Count("id")).filter(n__gt=1).values_list("dedup_key", flat=True))
    for chunk in chunked(keys):
        rows = list(StagedRow.objects.filter(batch=batch, dedup_key__in=chunk)
                    .only("id", "row_number", "dedup_key", "errors", "status").order_by("row_number"))
        same: dict[str, list[StagedRow]] = defaultdict(list)
        for row in rows:
            same[row.dedup_key].append(row)
        for row in rows:
            others = "、".join(str(o.row_number) for o in same[row.dedup_key] if o is not row)
            reject(row, f"{label}与第{others}行重复")
        StagedRow.objects.bulk_update(rows, ["errors", "status"], batch_size=500)


def _check_groups(ctx: Context, schema: Schema) -> None:
    for groups in group_pages(ctx.batch):
        groups = [g for g in groups if g[0].group_key]  # rows without a group key are already errors
        before = {r.pk: (r.status, list(r.errors), dict(r.clean)) for g in groups for r in g}
        schema.group_check(ctx, groups)
        _save_changes([r for g in groups for r in g if (r.status, r.errors, r.clean) != before[r.pk]], before)
        _forget_logged_queries()


def _save_changes(rows: list[StagedRow], before: dict) -> None:
    """Rows whose status alone changed are updated set-based by status; the rest with bulk_update."""
    status_only: dict[str, list[int]] = defaultdict(list)
    other = []
    for row in rows:
        old_status, old_errors, old_clean = before[row.pk]
        if row.errors == old_errors and row.clean == old_clean:
            status_only[row.status].append(row.pk)
        else:
            other.append(row)
    for status, ids in status_only.items():
        for chunk in chunked(ids):
            StagedRow.objects.filter(pk__in=chunk).update(status=status)
    StagedRow.objects.bulk_update(other, ["errors", "status", "clean"], batch_size=500)


def group_pages(batch: ImportBatch, statuses: list[str] | None = None,
                size: int = CHUNK) -> Iterator[list[list[StagedRow]]]:
    """Pages of whole groups in (group_key, row_number) order by keyset; a group is never split.

    The status filter is applied here, not in SQL: filtered in SQL, PostgreSQL prefers the status index and
    sorts every remaining row for each page, which makes a large commit quadratic.
    """
    carry: list[StagedRow] = []
    after: tuple[str, int] | None = None
    while True:
        query = StagedRow.objects.filter(batch=batch).defer("data")
        if after is not None:
            # (group_key, row_number) > after, with the leading `>=` so the index range-scans from there
            query = query.filter(Q(group_key__gt=after[0]) | Q(group_key=after[0], row_number__gt=after[1]),
                                 group_key__gte=after[0])
        page = list(query.order_by("group_key", "row_number")[:size])
        if not page:
            break
        after = (page[-1].group_key, page[-1].row_number)
        wanted = [row for row in page if not statuses or row.status in statuses]
        groups = _split_groups(carry + wanted)
        # the last group may go on in the next page
        carry = groups.pop() if len(page) == size and groups and groups[-1][0].group_key == after[0] else []
        if groups:
            yield groups
    if carry:
        yield [carry]


def _split_groups(rows: list[StagedRow]) -> list[list[StagedRow]]:
    groups: list[list[StagedRow]] = []
    for row in rows:
        if groups and groups[-1][0].group_key == row.group_key:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _pages_of_whole_groups(batch: ImportBatch, schema: Schema, statuses: list[str]) -> Iterator[list[StagedRow]]:
    if schema.group_key:
        for groups in group_pages(batch, statuses):
            yield [row for group in groups for row in group]
    else:
        yield from number_pages(batch, statuses=statuses, with_data=False)


def number_pages(batch: ImportBatch, *, statuses: list[str] | None = None, with_data: bool = True,
                 size: int = CHUNK) -> Iterator[list[StagedRow]]:
    """Pages of rows in spreadsheet order by keyset on row_number."""
    after = 0
    while True:
        query = StagedRow.objects.filter(batch=batch, row_number__gt=after)
        if statuses:
            query = query.filter(status__in=statuses)
        if not with_data:
            query = query.defer("data")
        page = list(query.order_by("row_number")[:size])
        if not page:
            return
        after = page[-1].row_number
        yield page


def sheet_pages(batch: ImportBatch) -> Iterator[list[StagedRow]]:
    """Every row of the file in spreadsheet order, in pages, for the error sheet: the staged rows, and where the
    good rows were not staged, the file's other rows (those the prefilter keeps) as good rows, read again from the
    stored file."""
    if batch.good_rows_staged:
        yield from number_pages(batch)
        return
    schema = schema_get(batch.schema)
    rows = iter_rows(file_kind(batch.original_filename), batch_content(batch))
    _, header = next(rows, (1, []))
    width = len(batch.headers) or len(header)
    index, _ = schema.map_headers(header)
    keep = (schema.prefilter(Context(batch=batch, user=batch.created_by), index).keep
            if schema.prefilter is not None else None)
    staged = (row for page in number_pages(batch) for row in page)
    pending = next(staged, None)
    page: list[StagedRow] = []
    for number, cells in rows:
        if not any(cells) or (keep is not None and not keep(cells)):
            continue
        if pending is not None and pending.row_number == number:
            page.append(pending)
            pending = next(staged, None)
        else:
            cells = cells[:width]
            while cells and not cells[-1]:  # as staged rows keep them
                cells.pop()
            page.append(StagedRow(batch_id=batch.pk, row_number=number, data=cells, status=ROW_STATUS.OK))
        if len(page) == CHUNK:
            yield page
            page = []
    if page:
        yield page
