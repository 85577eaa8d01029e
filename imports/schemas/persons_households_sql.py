"""居民及家庭导入的集合式校验与保存 (set-based path of persons_households): the same rules as
`persons_households`, run as a few statements over the whole file instead of Python per row.

Validation reads the staging table `import_tmp_raw` (row_number, data = the row's cells as a JSON array) that
the pipeline filled:
  1. import_tmp_row — each cell parsed (ID check digit and birth date, codes, phone) with its error items, the
     area (existence, level, validity, scope) and the registered person with that ID number, joined in;
  2. import_tmp_dup — ID numbers that occur more than once in the file, with the other rows' numbers;
  3. import_tmp_grp — per 户编号: heads, areas, the head's state and registered household;
  4. import_tmp_good — every row's outcome: errors in the order the Python path gives them, status, the values
     the commit writes. Only the rows with something to say (errors, already registered) become StagedRows; the
     good rows stay in this table, for the session, marked with the batch (import_tmp_mark).
Commit writes persons, households, members, their change log and one event per household with one
INSERT … SELECT each from import_tmp_good, inside the caller's transaction. When the commit runs in another
session than the validation (a job on another worker), the pipeline stages the file again and `validate` runs in
"recheck" mode: it rebuilds import_tmp_good and refuses the commit if any row's outcome is not the one the user saw.
Name keys (拼音) come from `registry.names.name_keys`, computed once per distinct name.

Errors are built as JSON string items followed by a comma (`Sql.message`) and closed into an array at the end,
which keeps every message's order and text identical to the per-row path. Temporary tables are not ANALYZEd:
the plans (hash joins over whole tables) need no statistics, and ANALYZE was a tenth of the import's time.
"""

from datetime import date
from functools import lru_cache

from django.db import connection
from django.utils import timezone
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from stdnum import util as stdnum_util

from accounts.policy import scope_prefix
from areas.models import AreaLevel
from audit.context import current
from audit.models import EventType
from imports.schemas.base import CommitConflict, Context
from minzheng.sql import MOD, Sql, lit
from registry.models import HukouType, Person, Relation
from registry.names import name_keys

RAW = "import_tmp_raw"
ROW, DUP, GRP = "import_tmp_row", "import_tmp_dup", "import_tmp_grp"
GOOD, MARK = "import_tmp_good", "import_tmp_mark"
COMMIT, NAMES, PERSON, HOME, MEMBER = ("import_tmp_commit", "import_tmp_names", "import_tmp_person",
                                       "import_tmp_home", "import_tmp_member")
VALIDATE_TABLES = (ROW, DUP, GRP)
COMMIT_TABLES = (COMMIT, NAMES, PERSON, HOME, MEMBER)
MEMBER_ELSEWHERE = "已是另一家庭的在户成员"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# stdnum's compact() maps full-width and other digit forms to ASCII before checking; the same mapping here.
_DIGIT_FORMS = [(k, v) for k, v in stdnum_util._char_map.items() if v in "0123456789" and k != v]
DIGITS_FROM = "".join(k for k, _ in _DIGIT_FORMS)
DIGITS_TO = "".join(v for _, v in _DIGIT_FORMS)


# --- per-column parsing, mirroring the parsers of persons_households.COLUMNS ---


def _choice(sql: Sql, raw: str, choices) -> str:
    """The code for a code (any case) or a Chinese label, else NULL — `base.choice` in SQL."""
    exact = " ".join(f"WHEN {lit(str(c.label))} THEN {lit(c.value)}" for c in choices)
    lower = " ".join(f"WHEN {lit(c.value.lower())} THEN {lit(c.value)}" for c in choices)
    return f"CASE {raw} {exact} ELSE CASE lower({raw}) {lower} END END"


def _choice_error(sql: Sql, label: str, choices, raw: str, clean: str) -> str:
    options = "、".join(str(c.label) for c in choices)
    return sql.message(f"{raw} <> '' AND {clean} IS NULL",
                       f"{lit(f'「{label}」应为以下之一：{options}（填写的是“')} || {raw} || '”）'")


def id_number_error(sql: Sql, number: str, today: date) -> str:
    """parse_id_number's messages for a compacted number (NULL when it is valid): length, format, check digit,
    birth date (a real day, not in the future, not before 1880)."""
    total = " + ".join(f"{w} * CAST(substr({number}, {i}, 1) AS integer)" for i, w in enumerate(WEIGHTS, start=1))
    check = f"substr('10X98765432', ({total}) {MOD} 11 + 1, 1)"
    year, month, day = (f"CAST(substr({number}, {s}, {n}) AS integer)" for s, n in ((7, 4), (11, 2), (13, 2)))
    leap = f"(({year} {MOD} 4 = 0 AND {year} {MOD} 100 <> 0) OR {year} {MOD} 400 = 0)"
    days = (f"CASE WHEN {month} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END")
    real_day = (f"{month} BETWEEN 1 AND 12 AND {day} >= 1 AND {day} <= {days} AND {year} >= 1880 "
                f"AND substr({number}, 7, 8) <= {lit(today.strftime('%Y%m%d'))}")
    return (f"CASE WHEN length({number}) <> 18 THEN '身份证号应为18位' "
            f"WHEN NOT ({sql.id_shape(number)}) THEN '身份证号格式不正确' "
            f"WHEN {check} <> substr({number}, 18, 1) THEN '身份证号校验码不正确' "
            f"WHEN NOT ({real_day}) THEN '身份证号中的出生日期不正确' END")


def in_scope(prefix: str | None, code: str) -> str:
    """accounts.policy.area_in_scope for a code column, with the user's prefix inlined."""
    if prefix is None:
        return "(1 = 0)"
    return f"({code} <> '' AND substr({code}, 1, {len(prefix)}) = {lit(prefix)})"


# --- validation ---


def _temp(sql: Sql, table: str, select: str) -> None:
    """CREATE TEMP TABLE … AS SELECT, without ANALYZE (see the module docstring)."""
    sql.run(f"CREATE TEMP TABLE {table} AS {select}")


def _temp_exists(sql: Sql, table: str) -> bool:
    if sql.pg:
        return sql.rows("SELECT to_regclass(%s) IS NOT NULL", [f"pg_temp.{table}"])[0][0]
    return bool(sql.rows("SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = %s", [table]))


def validate(ctx: Context, index: dict[str, int]) -> None:
    """Parse and check the staged file (import_tmp_raw); see the module docstring. `ctx.cache` may say
    `twin` (the same bytes were committed before: every good row is staged as already present) or `recheck`
    (the commit's second look: compare with the staged rows instead of writing them)."""
    sql = Sql()
    prefix = scope_prefix(ctx.user)
    batch = ctx.batch
    sql.drop(*VALIDATE_TABLES, GOOD, MARK)
    with sql.no_jit():
        _temp(sql, ROW, _rows_select(sql, index, prefix, date.today()))
        _temp(sql, DUP, _duplicates_select(sql))
        _temp(sql, GRP, _groups_select(sql, prefix))
        _temp(sql, GOOD, _outcome_select(sql, prefix))
        sql.drop(*VALIDATE_TABLES)
        if ctx.cache.get("recheck"):
            _refuse_changed(sql, batch)
        else:
            sql.run(_staged_insert(sql, batch.pk, twin=bool(ctx.cache.get("twin"))))
        sql.run(f"DELETE FROM {GOOD}" + ("" if ctx.cache.get("twin") else " WHERE status <> 'ok'"))
        _temp(sql, MARK, f"SELECT {int(batch.pk)} AS batch_id, {lit(batch.checksum)} AS checksum")


def ready(ctx: Context) -> bool:
    """Whether this session holds the good rows of this batch's validation (import_tmp_good)."""
    sql = Sql()
    if not _temp_exists(sql, MARK):
        return False
    return sql.rows(f"SELECT batch_id, checksum FROM {MARK}") == [(ctx.batch.pk, ctx.batch.checksum)]


def _refuse_changed(sql: Sql, batch) -> None:
    """The commit's recheck: every row must have the outcome it had at validation (a staged row of the same
    status, or none for a good row), else nothing is written. A person registered since the upload under a row's
    ID number refuses the commit too, even where the row would still be good (joining the new person to the file's
    household), as it does in the validation's session (`_refuse_registered_since`)."""
    since = f"p.created_at >= {lit(connection.ops.adapt_datetimefield_value(batch.created_at))}"
    changed = sql.rows(f"""
        SELECT g.row_number, CASE WHEN {since} THEN 1 ELSE 0 END
        FROM {GOOD} g
        LEFT JOIN imports_stagedrow s ON s.batch_id = {int(batch.pk)} AND s.row_number = g.row_number
        LEFT JOIN registry_person p ON p.id_number = g.id_number
        WHERE (g.status = 'ok' AND (s.id IS NOT NULL OR {since}))
           OR (g.status <> 'ok' AND (s.id IS NULL OR s.status <> g.status))
        ORDER BY g.row_number LIMIT 5""")
    registered = [str(n) for n, since in changed if since]
    if registered:
        raise CommitConflict(f"第{'、'.join(registered)}行的身份证号在校验之后已被登记，未保存任何数据，请重新上传校验")
    if changed:
        lines = "、".join(str(n) for n, _ in changed)
        raise CommitConflict(f"登记库在校验之后有变动，第{lines}行的校验结果已不同，未保存任何数据，请重新上传校验")


def _rows_select(sql: Sql, index: dict[str, int], prefix: str | None, today: date) -> str:
    cell = {key: sql.cell("data", index.get(key)) for key in
            ("household_ref", "name", "id_number", "no_id_reason", "relation", "area_code", "hukou_type", "phone",
             "address")}
    raw = ", ".join(f"{expr} AS r_{key}" for key, expr in cell.items())
    phone = sql.strip_spaces_and_dashes(cell["phone"])
    phone_ok = (f"(length(pc) BETWEEN 5 AND 20 AND {sql.only_digits('pc')}) OR (length(pc) BETWEEN 6 AND 21 "
                f"AND substr(pc, 1, 1) = '+' AND {sql.only_digits('substr(pc, 2)')})")
    # MATERIALIZED: each step computed once per row — inlined, every reference to a parsed value would repeat
    # the JSON extraction and the whole check-digit expression.
    parsed = f"""
        SELECT raw.*,
          CASE WHEN r_household_ref <> '' AND length(r_household_ref) <= 40 THEN r_household_ref END AS c_household_ref,
          CASE WHEN r_name <> '' AND length(r_name) <= 50 THEN r_name END AS c_name,
          CASE WHEN r_id_number <> '' THEN {id_number_error(sql, 'idc', today)} END AS id_error,
          {_choice(sql, 'r_no_id_reason', Person.NoIdReason)} AS c_no_id_reason,
          {_choice(sql, 'r_relation', Relation)} AS c_relation,
          CASE WHEN {sql.digits('r_area_code', 12)} THEN r_area_code END AS c_area_code,
          {_choice(sql, 'r_hukou_type', HukouType)} AS c_hukou_type,
          CASE WHEN r_phone <> '' AND ({phone_ok}) THEN pc END AS c_phone,
          CASE WHEN r_address <> '' AND length(r_address) <= 200 THEN r_address END AS c_address
        FROM raw"""
    raw_select = f"""SELECT row_number, {raw},
                            upper({sql.translate(cell['id_number'], DIGITS_FROM, DIGITS_TO)}) AS idc,
                            {phone} AS pc
                     FROM {RAW}"""
    errors = " || ".join([
        sql.message("r_household_ref = ''", "'「户编号」为必填项'"),
        sql.message("length(r_household_ref) > 40", "'「户编号」不能超过40个字'"),
        sql.message("r_name = ''", "'「姓名」为必填项'"),
        sql.message("length(r_name) > 50", "'「姓名」不能超过50个字'"),
        sql.message("id_error IS NOT NULL", "id_error"),
        _choice_error(sql, "无证原因", Person.NoIdReason, "r_no_id_reason", "c_no_id_reason"),
        sql.message("r_relation = ''", "'「与户主关系」为必填项'"),
        _choice_error(sql, "与户主关系", Relation, "r_relation", "c_relation"),
        sql.message("r_area_code = ''", "'「村社区代码」为必填项'"),
        sql.message("r_area_code <> '' AND c_area_code IS NULL",
                    "'「村社区代码」应为12位数字（填写的是“' || r_area_code || '”）'"),
        _choice_error(sql, "户籍类型", HukouType, "r_hukou_type", "c_hukou_type"),
        sql.message("r_phone <> '' AND c_phone IS NULL", "'「联系电话」格式不正确（填写的是“' || r_phone || '”）'"),
        sql.message("length(r_address) > 200", "'「住址」不能超过200个字'"),
        # row_check
        sql.message("r_id_number = '' AND r_no_id_reason = ''",
                    "'「身份证号」为必填项（确无身份证号的，请填写「无证原因」）'"),
        sql.message("c_relation = 'head' AND r_hukou_type = ''", "'户主行须填写「户籍类型」'"),
        # db_check: the area, then the registered person
        f"""CASE WHEN c_area_code IS NULL THEN ''
              WHEN a.code IS NULL THEN {sql.jstring("'村社区代码不存在：' || c_area_code")} || ','
              WHEN a.level <> {lit(AreaLevel.COMMUNITY.value)}
                THEN {sql.jstring("'村社区代码 ' || c_area_code || ' 不是村（社区）一级的区划'")} || ','
              WHEN a.valid_to IS NOT NULL
                THEN {sql.jstring("'村社区代码 ' || c_area_code || ' 已停用，请填写现行区划'")} || ','
              WHEN NOT {in_scope(prefix, 'c_area_code')}
                THEN {sql.jstring("'村社区代码 ' || c_area_code || ' 不在您的管辖范围内'")} || ','
              ELSE '' END""",
        sql.message("p.id IS NOT NULL AND (c_name IS NULL OR p.name <> c_name)",
                    "'该身份证号已登记，但登记的姓名与本行「姓名」不一致'"),
    ])
    same = "p.id IS NOT NULL AND p.name = c_name"
    return f"""
        WITH raw AS MATERIALIZED ({raw_select}),
             parsed AS MATERIALIZED ({parsed}),
             c AS MATERIALIZED (SELECT parsed.*, CASE WHEN r_id_number <> '' AND id_error IS NULL THEN idc END
                                       AS c_id_number FROM parsed)
        SELECT c.row_number, c.c_household_ref, c.c_name, c.c_id_number, c.c_no_id_reason, c.c_relation,
               c.c_area_code, c.c_hukou_type, c.c_phone, c.c_address,
               {errors} AS errs,
               CASE WHEN {same} THEN p.id END AS p_id,
               CASE WHEN {same} THEN p.area_id END AS p_area,
               CASE WHEN {same} THEN m.household_id END AS p_household,
               CASE WHEN {same} THEN m.relation END AS p_relation,
               CASE WHEN {same} THEN (CASE WHEN p.status = 'deceased' THEN 1 ELSE 0 END) END AS p_deceased
        FROM c
        LEFT JOIN areas_area a ON a.code = c.c_area_code
        LEFT JOIN registry_person p ON p.id_number = c.c_id_number
        LEFT JOIN registry_householdmember m ON m.person_id = p.id AND m.is_active"""


def _duplicates_select(sql: Sql) -> str:
    """Rows whose ID number occurs again in the file, with the other rows' numbers in order."""
    others = (f"{sql.agg_text('row_number', '、')} OVER (PARTITION BY c_id_number ORDER BY row_number "
              "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)")
    return f"""
        SELECT row_number, {others} AS others FROM {ROW}
        WHERE c_id_number IN (SELECT c_id_number FROM {ROW} WHERE c_id_number IS NOT NULL
                              GROUP BY c_id_number HAVING COUNT(*) > 1)"""


def _groups_select(sql: Sql, prefix: str | None) -> str:
    """Per 户编号: heads, distinct areas, and the single head's state (bad, registered household, resolvable)."""
    head = "r.c_relation = 'head'"
    bad = "(r.errs <> '' OR d.row_number IS NOT NULL)"
    head_unfit = f"(r.p_deceased = 1 OR (r.p_area IS NOT NULL AND NOT {in_scope(prefix, 'r.p_area')}))"
    rows = f"SELECT * FROM {ROW} WHERE c_household_ref IS NOT NULL" + ("" if sql.pg else
                                                                        " ORDER BY c_household_ref, row_number")
    codes = (f"SELECT c_household_ref, {sql.agg_text('c_area_code', '、', 'c_area_code')} AS area_list "
             f"FROM (SELECT DISTINCT c_household_ref, c_area_code FROM {ROW} "
             f"WHERE c_household_ref IS NOT NULL AND c_area_code IS NOT NULL"
             f"{'' if sql.pg else ' ORDER BY c_household_ref, c_area_code'}) x GROUP BY c_household_ref")
    return f"""
        SELECT g.*, a.area_list, h.area_id AS home_area FROM (
          SELECT r.c_household_ref AS ref,
                 SUM(CASE WHEN {head} THEN 1 ELSE 0 END) AS n_heads,
                 {sql.agg_text(f'CASE WHEN {head} THEN r.row_number END', '、', 'r.row_number')} AS head_rows,
                 COUNT(DISTINCT r.c_area_code) AS n_areas,
                 MIN(CASE WHEN {head} THEN r.row_number END) AS head_row,
                 MAX(CASE WHEN {head} AND {bad} THEN 1 ELSE 0 END) AS head_bad,
                 MAX(CASE WHEN {head} THEN r.p_household END) AS home,
                 MAX(CASE WHEN {head} THEN r.p_relation END) AS home_relation,
                 MAX(CASE WHEN {head} AND {head_unfit} THEN 1 ELSE 0 END) AS head_unfit
          FROM ({rows}) r LEFT JOIN {DUP} d ON d.row_number = r.row_number
          GROUP BY r.c_household_ref) g
        LEFT JOIN ({codes}) a ON a.c_household_ref = g.ref
        LEFT JOIN registry_household h ON h.id = g.home"""


def _outcome_select(sql: Sql, prefix: str | None) -> str:
    """Every row's errors (JSON items), status and the values the commit and the staged rows need."""
    head_bad_msg = "'户主行（第' || g.head_row || '行）有错误，整户不导入'"
    pre_bad = "(r.errs <> '' OR d.row_number IS NOT NULL)"
    # the household can be resolved against the registry: one sound head, one area
    resolvable = "(g.n_heads = 1 AND g.head_bad = 0 AND g.n_areas <= 1)"
    wrong_head = f"({resolvable} AND g.home IS NOT NULL AND g.home_relation <> 'head')"
    idless_present = """(r.c_id_number IS NULL AND EXISTS (
        SELECT 1 FROM registry_householdmember hm JOIN registry_person hp ON hp.id = hm.person_id
        WHERE hm.household_id = g.home AND hm.is_active AND hp.id_number IS NULL AND hp.name = r.c_name))"""
    outcome = f"""CASE WHEN NOT {resolvable} OR {wrong_head} OR {pre_bad} THEN NULL
        WHEN g.home IS NOT NULL AND (r.p_household = g.home OR {idless_present}) THEN 'present'
        WHEN r.p_household IS NOT NULL THEN {sql.jstring(lit(MEMBER_ELSEWHERE))}
        WHEN r.p_deceased = 1 THEN {sql.jstring("'该人员已登记死亡，不能加入家庭'")}
        WHEN r.p_area IS NOT NULL AND NOT {in_scope(prefix, 'r.p_area')}
          THEN {sql.jstring("'该人员登记在您的管辖范围以外（村社区 ' || r.p_area || '）'")}
        WHEN g.home IS NOT NULL AND g.home_area <> r.c_area_code
          THEN {sql.jstring("'户主已登记在村社区 ' || g.home_area || ' 的家庭中，与本行村社区代码不一致'")}
        WHEN g.home IS NOT NULL THEN 'join' END"""
    errors = " || ".join([
        "r.errs",
        sql.message("d.row_number IS NOT NULL", "'身份证号与第' || d.others || '行重复'"),
        sql.message("g.n_heads = 0", "'户编号 ' || g.ref || ' 没有户主（每户须有且只有一名户主）'"),
        sql.message("g.n_heads > 1", "'户编号 ' || g.ref || ' 有' || g.n_heads || '名户主（第' || g.head_rows || "
                                     "'行），每户须有且只有一名户主'"),
        sql.message("g.n_areas > 1", "'户编号 ' || g.ref || ' 的成员村社区代码不一致（' || g.area_list || '）'"),
        sql.message("g.n_heads = 1 AND g.head_bad = 1 AND r.row_number <> g.head_row", head_bad_msg),
        sql.message(f"{wrong_head} AND r.row_number = g.head_row",
                    "'该人员已是登记库中某家庭的成员，但不是该家庭的户主，请核对「与户主关系」'"),
        sql.message(f"{wrong_head} AND r.row_number <> g.head_row", head_bad_msg),
        "CASE WHEN substr(outcome, 1, 1) = '\"' THEN outcome || ',' ELSE '' END",
        # a head refused here (died, moved out of scope) takes the household with it, as a bad head row does
        sql.message(f"{resolvable} AND NOT {wrong_head} AND g.home IS NULL AND g.head_unfit = 1 "
                    "AND r.row_number <> g.head_row", head_bad_msg),
    ])
    status = "CASE WHEN errs <> '' THEN 'error' WHEN outcome = 'present' THEN 'duplicate_existing' ELSE 'ok' END"
    return f"""
        WITH o AS MATERIALIZED (
               SELECT r.*, {outcome} AS outcome
               FROM {ROW} r LEFT JOIN {DUP} d ON d.row_number = r.row_number
               LEFT JOIN {GRP} g ON g.ref = r.c_household_ref),
             x AS MATERIALIZED (
               SELECT r.row_number, COALESCE(substr(r.c_household_ref, 1, 64), '') AS group_key,
                      r.c_household_ref AS household_ref, r.c_name AS name, r.c_id_number AS id_number,
                      r.c_no_id_reason AS no_id_reason, r.c_relation AS relation, r.c_area_code AS area_code,
                      r.c_hukou_type AS hukou_type, r.c_phone AS phone, r.c_address AS address,
                      r.p_id AS person_id, r.p_area AS person_area, r.p_household AS person_household,
                      r.p_relation AS person_relation, r.p_deceased AS person_deceased,
                      CASE WHEN outcome = 'join' THEN g.home END AS household_id, outcome, {errors} AS errs
               FROM o r LEFT JOIN {DUP} d ON d.row_number = r.row_number
               LEFT JOIN {GRP} g ON g.ref = r.c_household_ref)
        SELECT x.*, {status} AS status FROM x"""


def _staged_insert(sql: Sql, batch_id: int, twin: bool) -> str:
    """The StagedRows of the rows with something to say — all rows, as already present, for a re-upload of a
    committed file — with the cells as read from the staging table."""
    clean = sql.jobject({
        "household_ref": "g.household_ref", "name": "g.name", "id_number": "g.id_number",
        "no_id_reason": "g.no_id_reason", "relation": "g.relation", "area_code": "g.area_code",
        "hukou_type": "g.hukou_type", "phone": "g.phone", "address": "g.address",
        "person_id": "g.person_id", "person_area": "g.person_area", "person_household": "g.person_household",
        "person_relation": "g.person_relation",
        "person_deceased": f"CASE WHEN g.person_id IS NOT NULL THEN {sql.jbool('g.person_deceased = 1')} END",
        "household_id": "g.household_id",
    }, strip_nulls=True)
    status = "CASE WHEN g.status = 'ok' THEN 'duplicate_existing' ELSE g.status END" if twin else "g.status"
    return f"""
        INSERT INTO imports_stagedrow (batch_id, row_number, data, clean, errors, status, dedup_key, group_key)
        SELECT {int(batch_id)}, g.row_number, raw.data, {clean}, {sql.errors_json('g.errs')}, {status},
               COALESCE(g.id_number, ''), g.group_key
        FROM {GOOD} g JOIN {RAW} raw ON raw.row_number = g.row_number
        {'' if twin else "WHERE g.status <> 'ok'"}"""


# --- commit: inside the caller's transaction, which already holds the batch (and SQLite's write lock) ---


@lru_cache(maxsize=1 << 16)
def _char_syllables(char: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(char, errors="ignore"))


def fast_name_keys(name: str) -> tuple[str, str]:
    """registry.names.name_keys, character by character where that gives the same answer: pypinyin reads a
    heteronym by phrase, so any name holding a known phrase (two or more characters) goes through name_keys."""
    if any(name[i:j] in PHRASES_DICT for i in range(len(name)) for j in range(i + 2, len(name) + 1)):
        return name_keys(name)
    syllables = [s for char in name for s in _char_syllables(char)]
    return "".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower()


@lru_cache(maxsize=1 << 18)
def cached_name_keys(name: str) -> tuple[str, str]:
    return fast_name_keys(name)


def commit(ctx: Context, report) -> dict[str, int]:
    """Write the batch's good rows (import_tmp_good, see `ready`): persons, households, members and their change
    log. `report(fraction)` records progress. Events are written by the caller (persons_households._write_events)."""
    sql = Sql()
    sql.drop(*COMMIT_TABLES)
    now = timezone.now()
    stamp = {"db": lit(connection.ops.adapt_datetimefield_value(now)), "iso": lit(now.isoformat()),
             "today": lit(connection.ops.adapt_datefield_value(date.today())),
             "today_iso": lit(date.today().isoformat())}
    with sql.no_jit():
        _refuse_registered_since(sql)
        _temp(sql, COMMIT, _commit_select(sql))
        _name_table(sql)
        report(0.2)
        persons = _write_persons(sql, stamp)
        report(0.5)
        households = _write_households(sql, stamp)
        report(0.65)
        members = _write_members(sql, stamp)
        report(0.9)
    return {"persons": persons, "households": households, "members": members}


def commit_cleanup() -> None:
    Sql().drop(*COMMIT_TABLES, GOOD, MARK)


def _refuse_registered_since(sql: Sql) -> None:
    """A new person's ID number registered by someone else after validation: nothing is written."""
    taken = sql.rows(f"""
        SELECT g.row_number FROM {GOOD} g JOIN registry_person p ON p.id_number = g.id_number
        WHERE g.person_id IS NULL ORDER BY g.row_number LIMIT 5""")
    if taken:
        lines = "、".join(str(n) for (n,) in taken)
        raise CommitConflict(f"第{lines}行的身份证号在校验之后已被登记，未保存任何数据，请重新上传校验")


def _next_ids(sql: Sql, table: str, condition: str, order: str) -> str:
    """New primary keys: from the sequence on PostgreSQL; on SQLite counted on from the table's highest id
    (safe: SQLite has one writer and this transaction holds the write lock)."""
    if sql.pg:
        sequence = sql.rows("SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
        return f"CASE WHEN {condition} THEN nextval({lit(sequence)}) END"
    top = sql.rows(f"SELECT MAX(id) FROM {table}")[0][0] or 0
    seq = sql.rows("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    base = max(top, seq[0][0] if seq else 0)
    running = f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING)"
    return f"CASE WHEN {condition} THEN {base} + {running} END"


def _commit_select(sql: Sql) -> str:
    columns = ("row_number, group_key, name, id_number, no_id_reason, relation, area_code, hukou_type, phone, "
               "address, person_id, household_id")
    order = "group_key, row_number"
    return f"""SELECT {columns}, {_next_ids(sql, 'registry_person', 'person_id IS NULL', order)} AS new_person_id,
                      {_next_ids(sql, 'registry_householdmember', '1 = 1', order)} AS new_member_id
               FROM {GOOD}"""


def _name_table(sql: Sql) -> None:
    """拼音 keys once per distinct name of the new persons, into a small table the person INSERT joins."""
    names = [n for (n,) in sql.rows(f"SELECT DISTINCT name FROM {COMMIT} WHERE new_person_id IS NOT NULL")]
    sql.run(f"CREATE TEMP TABLE {NAMES} (name text PRIMARY KEY, pinyin text, initials text)")
    keyed = [(name, *cached_name_keys(name)) for name in names]
    with connection.cursor() as cursor:
        if sql.pg:
            with cursor.cursor.copy(f"COPY {NAMES} (name, pinyin, initials) FROM STDIN") as copy:
                for row in keyed:
                    copy.write_row(row)
        elif keyed:
            cursor.executemany(f"INSERT INTO {NAMES} VALUES (%s, %s, %s)", keyed)


def _change_log(sql: Sql, stamp: dict, *, model: str, source: str, object_id: str, label: str,
                after: str) -> None:
    """The change log of a set of created records, one INSERT … SELECT (source 'import', the acting user)."""
    ctx = current()
    sql.run(f"""
        INSERT INTO audit_changelog (time, user_id, request_id, source, model, object_id, object_repr, action,
                                     before, after, reason)
        SELECT {stamp['db']}, {lit(ctx.user_id)}, {lit(ctx.request_id)}, {lit(ctx.source)}, {lit(model)},
               {sql.text(object_id)}, substr({label}, 1, 200), 'create', NULL, {after}, ''
        FROM {source}""")


def _write_persons(sql: Sql, stamp: dict) -> int:
    has_id = "c.id_number IS NOT NULL"
    _temp(sql, PERSON, f"""
        SELECT c.new_person_id AS id, c.id_number,
               CASE WHEN {has_id} THEN '' ELSE c.no_id_reason END AS no_id_reason, c.name,
               n.pinyin AS name_pinyin, n.initials AS name_initials,
               CASE WHEN {has_id} THEN CASE WHEN CAST(substr(c.id_number, 17, 1) AS integer) {MOD} 2 = 1
                    THEN 'M' ELSE 'F' END ELSE '' END AS sex,
               CASE WHEN {has_id} THEN {sql.to_date8('substr(c.id_number, 7, 8)')} END AS birth_date,
               c.area_code AS area_id, COALESCE(c.phone, '') AS phone
        FROM {COMMIT} c JOIN {NAMES} n ON n.name = c.name
        WHERE c.new_person_id IS NOT NULL""")
    written = sql.run(f"""
        INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, name_pinyin, name_initials,
                                     sex, birth_date, area_id, phone, status, death_date, created_at, updated_at)
        SELECT id, id_number, no_id_reason, '', name, name_pinyin, name_initials, sex, birth_date, area_id, phone,
               'active', NULL, {stamp['db']}, {stamp['db']}
        FROM {PERSON}""")
    after = sql.jobject({
        "id": "id", "id_number": "id_number", "no_id_reason": "no_id_reason", "other_document": "''",
        "name": "name", "name_pinyin": "name_pinyin", "name_initials": "name_initials", "sex": "sex",
        "birth_date": sql.date_iso("birth_date"), "area_id": "area_id", "phone": "phone", "status": "'active'",
        "death_date": "NULL", "merged_into_id": "NULL", "created_at": stamp["iso"], "updated_at": stamp["iso"]})
    _change_log(sql, stamp, model="registry.person", source=PERSON, object_id="id", label="name", after=after)
    return written


def _write_households(sql: Sql, stamp: dict) -> int:
    """A household for every 户编号 not joining a registered one: the head's area and 户籍, the head's address or
    the first address given in the household's rows."""
    # The first address given in the household's rows by a window over one scan, not by joining the table to its
    # own GROUP BY: without statistics (temporary tables are not analysed) the planner takes that join for a few
    # rows and runs it as a nested loop — minutes at 50,000 rows.
    first_address = ("FIRST_VALUE(address) OVER (PARTITION BY group_key ORDER BY CASE WHEN address IS NULL "
                     "THEN 1 ELSE 0 END, row_number)")
    _temp(sql, HOME, f"""
        SELECT {_next_ids(sql, 'registry_household', '1 = 1', 'h.group_key')} AS id, h.group_key,
               h.name AS head_name, h.area_code, h.hukou_type, COALESCE(h.address, h.first_address, '') AS address
        FROM (SELECT c.*, {first_address} AS first_address FROM {COMMIT} c) h
        WHERE h.relation = 'head' AND h.household_id IS NULL""")
    written = sql.run(f"""
        INSERT INTO registry_household (id, area_id, hukou_type, address, status, created_at, updated_at)
        SELECT id, area_code, hukou_type, address, 'active', {stamp['db']}, {stamp['db']} FROM {HOME}""")
    after = sql.jobject({"id": "id", "area_id": "area_code", "hukou_type": "hukou_type", "address": "address",
                         "status": "'active'", "created_at": stamp["iso"], "updated_at": stamp["iso"]})
    _change_log(sql, stamp, model="registry.household", source=HOME, object_id="id",
                label="head_name || '户'", after=after)
    return written


def _write_members(sql: Sql, stamp: dict) -> int:
    _temp(sql, MEMBER, f"""
        SELECT c.new_member_id AS id, COALESCE(c.household_id, h.id) AS household_id,
               COALESCE(c.person_id, c.new_person_id) AS person_id, c.relation, c.area_code AS area_id, c.name,
               CASE WHEN c.household_id IS NULL THEN 1 ELSE 0 END AS new_household
        FROM {COMMIT} c LEFT JOIN {HOME} h ON h.group_key = c.group_key""")
    written = sql.run(f"""
        INSERT INTO registry_householdmember (id, household_id, person_id, relation, area_id, joined_on, left_on,
                                              is_active)
        SELECT id, household_id, person_id, relation, area_id, {stamp['today']}, NULL, TRUE FROM {MEMBER}""")
    labels = " ".join(f"WHEN {lit(c.value)} THEN {lit(str(c.label))}" for c in Relation)
    after = sql.jobject({"id": "id", "household_id": "household_id", "person_id": "person_id",
                         "relation": "relation", "area_id": "area_id", "joined_on": stamp["today_iso"],
                         "left_on": "NULL", "is_active": sql.jbool("1 = 1")})
    _change_log(sql, stamp, model="registry.householdmember", source=MEMBER, object_id="id",
                label=f"name || ' · ' || CASE relation {labels} END", after=after)
    return written


def write_events(ctx: Context) -> None:
    """One domain event per household: created by the import, or joined by imported members."""
    sql = Sql()
    batch = int(ctx.batch.pk)
    count = sql.text("m.n")
    new = "m.new_household = 1"
    params = sql.jobject({"batch": str(batch), "file": lit(ctx.batch.original_filename), "members": "m.n"})
    sql.run(f"""
        INSERT INTO audit_domainevent (time, user_id, type, subject_type, subject_id, person_id, household_id,
                                       message, params)
        SELECT {lit(connection.ops.adapt_datetimefield_value(timezone.now()))}, {lit(getattr(ctx.user, 'pk', None))},
               CASE WHEN {new} THEN {lit(EventType.HOUSEHOLD_IMPORTED.value)}
                    ELSE {lit(EventType.MEMBERS_IMPORTED.value)} END,
               'registry.household', {sql.text("m.household_id")}, NULL, m.household_id,
               CASE WHEN {new} THEN '导入新建家庭（' || {count} || '人，导入批次#{batch}）'
                    ELSE '导入新增家庭成员' || {count} || '人（导入批次#{batch}）' END,
               {params}
        FROM (SELECT household_id, COUNT(*) AS n, MAX(new_household) AS new_household FROM {MEMBER}
              GROUP BY household_id) m""")
