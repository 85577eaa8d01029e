"""部门数据的集合式校验与保存 (set-based path of the department feeds, PostgreSQL): the checks of
`monitoring.feeds` as a few statements over the whole file instead of Python per row. SQLite keeps the per-row
path.

The pipeline stages the rows the prefilter keeps (registered ID numbers, and rows whose ID cell is missing or not a
plain valid number) into `import_tmp_raw` with COPY. Then:
  1. feed_tmp_row — every cell parsed in SQL, with its error items in the order the per-row path gives them; the
     ID number's shape, check digit and birth date checked; the registry person joined by ID number.
     A row is decided in SQL when its ID cell is a plain valid number (`feeds.plain_id_number`) and every
     non-empty cell has a form the SQL parsers read exactly as the Python ones do (see `_cell`); the rest — ID
     numbers to be matched by name and birth date (the review queue), full-width digits, dates such as
     "2026-1-5", amounts with separators, code lists without an SQL form — go through the schema's own Python
     checks (`_python_rows`), few in a real feed, so their row errors are the per-row path's by construction;
  2. the rows with errors become StagedRows; the good rows decided in SQL stay in feed_tmp_good (for the
     session, marked with the batch in feed_tmp_mark) with the values the commit writes and the fact's key
     (`feeds.record_key`, computed in SQL: the same SHA-256 of the same JSON text); the good rows checked in
     Python are staged as StagedRows (ok) and committed by the schema's per-page commit.
The commit writes the kept facts with one INSERT … SELECT … ON CONFLICT DO NOTHING (a fact stored before is
skipped by its key), counts, and commits the staged good rows of the Python share page by page.
In another session than the validation (a job on another worker), the pipeline stages the file again and this
runs in "recheck" mode: feed_tmp_good is rebuilt and the commit refused if a row's outcome changed.
"""

import json
from datetime import date

from django.db.models import F

from imports.models import StagedRow
from imports.schemas.base import CommitConflict, Context, Schema
from minzheng.sql import MOD, Sql, lit

RAW = "import_tmp_raw"
ROW, GOOD, MARK = "feed_tmp_row", "feed_tmp_good", "feed_tmp_mark"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ASCII = "'^[ -~]*$'"


def _q(key: str) -> str:
    return f'"{key}"'


def _date_shape(cell: str) -> str:
    """Forms read the same by SQL and by `feeds.date_value`'s strptime formats: YYYY-MM-DD, YYYY/MM/DD,
    YYYY.MM.DD, YYYYMMDD and YYYY-MM-DD HH:MM:SS, all with two-digit parts (a month or day of one digit, or
    surrounding spaces, go through Python)."""
    return (f"({cell} ~ '^[0-9]{{4}}([-/.])[0-9]{{2}}\\1[0-9]{{2}}$' OR {cell} ~ '^[0-9]{{8}}$' "
            f"OR {cell} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$')")


def _real_day(y: str, m: str, d: str) -> str:
    leap = f"(({y} {MOD} 4 = 0 AND {y} {MOD} 100 <> 0) OR {y} {MOD} 400 = 0)"
    days = f"CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    return f"({y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} >= 1 AND {d} <= {days})"


def _date_digits(cell: str) -> str:
    """The YYYYMMDD of a cell of `_date_shape`."""
    return (f"CASE WHEN length({cell}) = 8 THEN {cell} "
            f"ELSE substr({cell}, 1, 4) || substr({cell}, 6, 2) || substr({cell}, 9, 2) END")


def _amount_shape(cell: str) -> str:
    return f"({cell} ~ '^[0-9]{{1,15}}(\\.[0-9]{{1,12}})?$')"


def _pre(column, source: str) -> str | None:
    """A part of a cell's parsing that `_cell` uses several times, computed once per row in the `raw` CTE (PostgreSQL
    does not share repeated subexpressions: a date cell's three shape regexes ran ~8 times per row): a date's
    YYYYMMDD when its shape is one SQL reads, else NULL; an amount's number when its shape is plain, else NULL."""
    kind = (getattr(column.parse, "sql_form", None) or {}).get("kind")
    if kind == "date":
        return f"CASE WHEN {_date_shape(source)} THEN {_date_digits(source)} END AS {_q('p_' + column.key)}"
    if kind == "amount":
        return f"CAST(CASE WHEN {_amount_shape(source)} THEN {source} END AS numeric) AS {_q('p_' + column.key)}"
    return None


def _cell(column, cell: str, today: str) -> tuple[str, str, str]:
    """(clean value or NULL, error text or NULL, "needs Python" condition) of one non-empty cell, SQL mirrors of
    the parsers in `imports.schemas.base` and `monitoring.feeds`; a parser without an SQL form needs Python. Dates
    and amounts read their `_pre` column."""
    form = getattr(column.parse, "sql_form", None)
    label = form and form["label"]
    given = f"'（填写的是“' || {cell} || '”）'"
    if form is None:
        return "NULL", "NULL", "TRUE"
    kind = form["kind"]
    if kind == "text":
        limit = int(form["max_length"])
        return (f"CASE WHEN length({cell}) <= {limit} THEN {cell} END",
                f"CASE WHEN length({cell}) > {limit} THEN {lit(f'「{label}」不能超过{limit}个字')} END", "FALSE")
    if kind == "digits":
        length = int(form["length"])
        ok = f"{cell} ~ '^[0-9]{{{length}}}$'"
        # \\d in Python also takes other scripts' digits: a non-ASCII cell goes through Python
        return (f"CASE WHEN {ok} THEN {cell} END",
                f"CASE WHEN NOT {ok} THEN {lit(f'「{label}」应为{length}位数字')} || {given} END",
                f"({cell} !~ {ASCII})")
    if kind == "choice":
        exact = " ".join(f"WHEN {lit(key)} THEN {lit(code)}" for key, code in form["lookup"].items())
        lower = " ".join(f"WHEN {lit(key)} THEN {lit(code)}" for key, code in form["lookup"].items()
                         if key.isascii())
        code = f"CASE {cell} {exact} ELSE CASE WHEN {cell} ~ {ASCII} THEN CASE lower({cell}) {lower} END END END"
        return (code, f"CASE WHEN ({code}) IS NULL THEN "
                      f"{lit('「' + label + '」应为以下之一：' + form['options'])} || {given} END",
                f"(({code}) IS NULL AND {cell} !~ {ASCII})")
    pre = _q("p_" + column.key)
    if kind == "date":
        digits = pre  # NULL when the shape is not one SQL reads
        y, m, d = (f"CAST(substr({digits}, {s}, {n}) AS integer)" for s, n in ((1, 4), (5, 2), (7, 2)))
        real = f"({digits} IS NOT NULL AND {_real_day(y, m, d)})"
        iso = f"substr({digits}, 1, 4) || '-' || substr({digits}, 5, 2) || '-' || substr({digits}, 7, 2)"
        return (f"CASE WHEN {real} AND {digits} <= {lit(today)} THEN {iso} END",
                f"CASE WHEN NOT {real} THEN {lit(f'「{label}」应为日期，如 2026-01-31')} || {given} "
                f"WHEN {digits} > {lit(today)} THEN {lit(f'「{label}」不能晚于今天')} || {given} END",
                f"({digits} IS NULL AND {cell} ~ '[0-9]')")
    if kind == "amount":
        places = int(form["places"])
        number = pre  # NULL when the shape is not plain
        scaled = f"({number} * {10 ** places})"
        # Decimal.quantize rounds half to even; round() in SQL rounds half away from zero
        even = (f"CASE WHEN {scaled} - trunc({scaled}) = 0.5 AND mod(trunc({scaled}), 2) = 0 "
                f"THEN trunc({scaled}) ELSE round({scaled}) END")
        value = f"CAST(({even}) / {10 ** places} AS numeric(30, {places}))"
        big = f"{number} >= 1000000000000"
        return (f"CASE WHEN NOT ({big}) THEN CAST({value} AS text) END",
                f"CASE WHEN {big} THEN {lit(f'「{label}」应为不小于0的数字')} || {given} END",
                f"{number} IS NULL")
    return "NULL", "NULL", "TRUE"


def _id_valid(idc: str, today: str) -> str:
    """`feeds.plain_id_number` in SQL: 17 ASCII digits and a check character (x upper-cased) that is the check
    digit, and a birth date that is a real day from 1880 to today."""
    total = " + ".join(f"{w} * CAST(substr({idc}, {i}, 1) AS integer)" for i, w in enumerate(WEIGHTS, start=1))
    check = f"substr('10X98765432', ({total}) {MOD} 11 + 1, 1)"
    y, m, d = (f"CAST(substr({idc}, {s}, {n}) AS integer)" for s, n in ((7, 4), (11, 2), (13, 2)))
    return (f"({idc} ~ '^[0-9]{{17}}[0-9X]$' AND {check} = substr({idc}, 18, 1) AND {_real_day(y, m, d)} "
            f"AND {y} >= 1880 AND substr({idc}, 7, 8) <= {lit(today)})")


def _row_select(sql: Sql, schema: Schema, index: dict[str, int], today: str) -> str:
    cells = ", ".join(f"{sql.cell('data', index.get(c.key))} AS {_q('r_' + c.key)}" for c in schema.columns)
    pres = [_pre(c, sql.cell("data", index.get(c.key))) for c in schema.columns]
    cells += "".join(f", {pre}" for pre in pres if pre)
    parsed, errors, python = [], [], []
    for column in schema.columns:
        cell = _q("r_" + column.key)
        clean, error, needs_python = _cell(column, cell, today)
        parsed.append(f"CASE WHEN {cell} <> '' THEN {clean} END AS {_q('c_' + column.key)}")
        if column.key != "id_number":
            python.append(f"({cell} <> '' AND {needs_python})")
        if column.required:
            errors.append(sql.message(f"{cell} = ''", lit(f"「{column.header}」为必填项")))
        errors.append(f"CASE WHEN {cell} <> '' THEN COALESCE(to_json(CAST(({error}) AS text))::text || ',', '') "
                      f"ELSE '' END")
    idc = "upper(\"r_id_number\")"
    return f"""
        WITH raw AS MATERIALIZED (SELECT row_number, data, {cells} FROM {RAW}),
        parsed AS MATERIALIZED (
            SELECT raw.*, {', '.join(parsed)},
                   CASE WHEN {_id_valid(idc, today)} THEN {idc} END AS id_number,
                   ({' OR '.join(python) or 'FALSE'}) AS other_forms,
                   {' || '.join(errors)} AS errs
            FROM raw)
        SELECT parsed.*, (parsed.id_number IS NULL OR parsed.other_forms) AS python,
               p.id AS person_id, p.area_id AS person_area
        FROM parsed LEFT JOIN registry_person p ON p.id_number = parsed.id_number"""


def _payload(feed) -> dict[str, str]:
    return {key: f"NULLIF({_q('c_' + key)}, '')" for key in feed.payload_keys}


def _json_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False) + ": "


def _payload_json_text(feed) -> str:
    """json.dumps(payload, ensure_ascii=False, sort_keys=True) of the non-empty payload values, in SQL."""
    items = " || ".join(f"CASE WHEN {value} IS NOT NULL THEN {lit(_json_key(key))} || to_json({value})::text "
                        f"|| ', ' ELSE '' END" for key, value in sorted(_payload(feed).items()))
    return f"'{{' || rtrim({items or chr(39) * 2}, ', ') || '}}'"


def _good_select(feed, schema: Schema) -> str:
    """The SQL-decided good rows with the values the commit writes and the fact's key (`feeds.record_key`)."""
    head = json.dumps(feed.code, ensure_ascii=False) + ", "
    key_text = (f"'[' || {lit(head)} || to_json(g.id_number)::text || ', ' "
                f"|| to_json(g.\"c_event_date\")::text || ', ' || {_payload_json_text(feed)} || ']'")
    payload = Sql().jobject(_payload(feed), strip_nulls=True)
    return f"""
        SELECT g.row_number, g.person_id, g.person_area, g.id_number, g."c_name" AS name,
               CAST(g."c_event_date" AS date) AS event_date, {payload} AS payload,
               encode(sha256(convert_to({key_text}, 'UTF8')), 'hex') AS dedup_key
        FROM {ROW} g WHERE NOT g.python AND g.errs = '' AND g.person_id IS NOT NULL"""


def _clean_json(sql: Sql, schema: Schema) -> str:
    pairs = {c.key: _q("c_" + c.key) for c in schema.columns if c.key != "id_number"}
    return sql.jobject({"id_number": "id_number", **pairs}, strip_nulls=True)


def validate(feed, schema: Schema, ctx: Context, index: dict[str, int]) -> None:
    sql = Sql()
    today = date.today().strftime("%Y%m%d")
    batch = ctx.batch
    sql.drop(ROW, GOOD, MARK)
    with sql.no_jit():
        sql.run(f"CREATE TEMP TABLE {ROW} AS {_row_select(sql, schema, index, today)}")
        sql.run(f"CREATE TEMP TABLE {GOOD} AS {_good_select(feed, schema)}")
        dropped = sql.rows(f"SELECT COUNT(*) FROM {ROW} WHERE NOT python AND errs = '' AND person_id IS NULL")[0][0]
        if ctx.cache.get("recheck"):
            _refuse_changed(sql, batch)
        else:
            twin = bool(ctx.cache.get("twin"))
            # rows with errors; for a re-upload of a committed file also every good row, as already present
            sql.run(f"""
                INSERT INTO imports_stagedrow (batch_id, row_number, data, clean, errors, status, dedup_key,
                                               group_key)
                SELECT {int(batch.pk)}, r.row_number, r.data, {_clean_json(sql, schema)},
                       {sql.errors_json('r.errs')},
                       CASE WHEN r.errs <> '' THEN {lit(StagedRow.Status.ERROR)}
                            ELSE {lit(StagedRow.Status.DUPLICATE_EXISTING)} END, '', ''
                FROM {ROW} r WHERE NOT r.python AND (r.errs <> '' {'OR TRUE' if twin else ''})""")
            _python_rows(sql, schema, ctx, index, twin)
            if twin:
                sql.run(f"DELETE FROM {GOOD}")
        sql.drop(ROW)
        # valid ID numbers registered to nobody here (the prefilter let through a form it does not read)
        sql.run(f"CREATE TEMP TABLE {MARK} AS SELECT {int(batch.pk)} AS batch_id, {lit(batch.checksum)} AS checksum, "
                f"{int(dropped)} AS dropped")


def _python_rows(sql: Sql, schema: Schema, ctx: Context, index: dict[str, int], twin: bool) -> None:
    """The rows not decided in SQL, through the schema's own checks (cells, row check, matching), staged with
    their outcome — as the per-row path stages them."""
    from imports.bulk import bulk_insert
    from imports.pipeline import CHUNK, _parse_row
    from imports.schemas.base import chunked

    rows = sql.rows(f"SELECT row_number, data FROM {ROW} WHERE python ORDER BY row_number")
    for chunk in chunked(rows, CHUNK):
        staged = [_parse_row(schema, ctx.batch.pk, index, number,
                             json.loads(cells) if isinstance(cells, str) else list(cells)) for number, cells in chunk]
        schema.db_check(ctx, staged)
        if twin:
            for row in staged:
                if row.status == StagedRow.Status.OK:
                    row.status = StagedRow.Status.DUPLICATE_EXISTING
        bulk_insert(staged)


def ready(ctx: Context) -> bool:
    sql = Sql()
    if not sql.rows("SELECT to_regclass(%s) IS NOT NULL", [f"pg_temp.{MARK}"])[0][0]:
        return False
    return sql.rows(f"SELECT batch_id, checksum FROM {MARK}") == [(ctx.batch.pk, ctx.batch.checksum)]


def _dropped(sql: Sql) -> int:
    return sql.rows(f"SELECT dropped FROM {MARK}")[0][0]


def _refuse_changed(sql: Sql, batch) -> None:
    """The commit's recheck: the rows decided in SQL must come out as at validation — an error row staged, a good
    row not — else nothing is written."""
    changed = sql.rows(f"""
        SELECT r.row_number FROM {ROW} r
        LEFT JOIN imports_stagedrow s ON s.batch_id = {int(batch.pk)} AND s.row_number = r.row_number
        WHERE NOT r.python AND ((r.errs = '') <> (s.id IS NULL))
        ORDER BY r.row_number LIMIT 5""")
    if changed:
        lines = "、".join(str(n) for (n,) in changed)
        raise CommitConflict(f"登记库在校验之后有变动，第{lines}行的校验结果已不同，未保存任何数据，请重新上传校验")


def commit(feed, schema: Schema, ctx: Context, report) -> dict[str, int]:
    """Write the kept facts (one INSERT … SELECT, facts stored before skipped by key) and the Python share."""
    from imports.pipeline import _pages_of_whole_groups
    from monitoring.feeds import feed_batch_for
    from monitoring.models import FeedBatch

    sql = Sql()
    batch = feed_batch_for(ctx, feed.code)
    good, keys = sql.rows(f"SELECT COUNT(*), COUNT(DISTINCT dedup_key) FROM {GOOD}")[0]
    with sql.no_jit():
        new = sql.run(f"""
            INSERT INTO monitoring_deptrecord (feed_type, batch_id, person_id, area_id, id_number, name, event_date,
                                               payload, period, dedup_key, created_at)
            SELECT DISTINCT ON (dedup_key) {lit(feed.code)}, {int(batch.pk)}, person_id, person_area, id_number,
                   name, event_date, payload, {lit(batch.period)}, dedup_key, now()
            FROM {GOOD} ORDER BY dedup_key, row_number
            ON CONFLICT DO NOTHING""")
    dropped = _dropped(sql)
    FeedBatch.objects.filter(pk=batch.pk).update(records_kept=F("records_kept") + new,
                                                 already_kept=F("already_kept") + keys - new,
                                                 non_residents=F("non_residents") + dropped)
    tally = {"kept": new, "already_kept": keys - new, "non_residents": dropped, "to_review": 0,
             "duplicates_in_file": good - keys}
    report(0.5)
    for rows in _pages_of_whole_groups(ctx.batch, schema, [StagedRow.Status.OK]):
        for key, value in schema.commit(ctx, rows).items():
            tally[key] = tally.get(key, 0) + value
    StagedRow.objects.filter(batch=ctx.batch, status=StagedRow.Status.OK).update(status=StagedRow.Status.COMMITTED)
    sql.drop(GOOD, MARK)
    return tally
