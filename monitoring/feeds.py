"""部门数据类型 (feed types) as data, each registered as an import schema (`feed_<code>`).

Every feed has the same identity columns (身份证号, 姓名, 出生日期, 村社区代码) and an event date under its own
header, plus its own payload columns. Rows are sorted out as the file is read, before anything is stored:

- a valid ID number nobody here has → the row is about a non-resident and is dropped by the prefilter
  (`ResidentFilter`: the file's ID cells against the set of the registry's ID numbers, in memory) — never staged,
  never written anywhere, only counted (data minimisation: most rows of a city-wide feed are about other
  districts). Its other cells are not looked at: a non-resident's row with a bad date is dropped, not reported;
- a valid ID number registered in the district's registry → the row is staged, validated (a bad cell is a row
  error with its row number) and, at commit, kept and linked to the person (`db_check`, set-based per chunk);
- a missing or invalid ID number → staged; name + birth date (+ 村社区代码 when given) matching exactly one
  person → the review queue (`MatchReview`); matching nobody → blanked at staging and counted like a
  non-resident; matching several → a row error asking for the ID number.

The commit (`commit`) writes the kept rows as `DeptRecord` (per page one COPY into a temporary table and one
INSERT … ON CONFLICT DO NOTHING, so facts already stored are skipped by their key) and the review rows as
`MatchReview`.
"""

import hashlib
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import F

from imports.bulk import bulk_insert
from imports.models import StagedRow
from imports.schemas import schema_register
from imports.schemas.base import (
    CellError,
    Column,
    Context,
    RowFilter,
    Schema,
    choice,
    chunked,
    digits,
    reject,
    sql_form,
    text,
)
from registry.identity import InvalidIdNumber, parse_id_number
from registry.models import Disability, Person

DROP = "_drop"
# Parsed values remembered per parser (dates and amounts repeat across a feed's rows); cleared when full.
PARSE_CACHE = 4096
PERSON = "_person"
REVIEW = "_review"
AREA = "_area"


# --- parsers ---


def _remembered(parse):
    """The parser with its results (a value or the CellError) remembered per cell text, for today."""
    seen: dict[str, tuple[str | None, str | None]] = {}
    day = [date.today()]

    def cached(value: str) -> str:
        if len(seen) >= PARSE_CACHE or day[0] != date.today():
            seen.clear()
            day[0] = date.today()
        found = seen.get(value)
        if found is None:
            try:
                found = (parse(value), None)
            except CellError as exc:
                found = (None, str(exc))
            seen[value] = found
        if found[1] is not None:
            raise CellError(found[1])
        return found[0]

    return cached


def date_value(label: str):
    @_remembered
    def parse(value: str) -> str:
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S"):
            try:
                day = datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
            if day > date.today():
                raise CellError(f"「{label}」不能晚于今天（填写的是“{value}”）")
            return day.isoformat()
        raise CellError(f"「{label}」应为日期，如 2026-01-31（填写的是“{value}”）")

    return sql_form(parse, "date", label)


def amount(label: str, places: int = 2):
    """A non-negative amount kept as an exact decimal string (payload values are strings; rules cast them)."""

    @_remembered
    def parse(value: str) -> str:
        try:
            number = Decimal(value.replace(",", "").replace("，", "").strip())
        except InvalidOperation:
            raise CellError(f"「{label}」应为数字（填写的是“{value}”）") from None
        if not number.is_finite() or number < 0 or number >= Decimal(10) ** 12:
            raise CellError(f"「{label}」应为不小于0的数字（填写的是“{value}”）")
        return str(number.quantize(Decimal(1).scaleb(-places)))

    return sql_form(parse, "amount", label, places=places)


def grade(label: str):
    names = {"1": "1", "2": "2", "3": "3", "4": "4", "一级": "1", "二级": "2", "三级": "3", "四级": "4",
             "一": "1", "二": "2", "三": "3", "四": "4"}

    def parse(value: str) -> str:
        code = names.get(value.strip())
        if code is None:
            raise CellError(f"「{label}」应为1至4级（填写的是“{value}”）")
        return code

    return parse


def credit_code(label: str):
    def parse(value: str) -> str:
        value = value.strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{18}", value):
            raise CellError(f"「{label}」应为18位统一社会信用代码（填写的是“{value}”）")
        return value

    return parse


# --- the feed types ---


@dataclass(frozen=True)
class FeedType:
    """部门数据类型: code, name, source department, the event date's header and the payload columns."""

    code: str
    name: str
    department: str
    event_header: str
    columns: tuple[Column, ...]
    description: str = ""

    @property
    def schema_key(self) -> str:
        return f"feed_{self.code}"

    @property
    def payload_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


FEED_TYPES: dict[str, FeedType] = {}


def feed_type_register(feed: FeedType) -> FeedType:
    FEED_TYPES[feed.code] = feed
    schema_register(_schema(feed))
    return feed


def feed_type_get(code: str) -> FeedType | None:
    return FEED_TYPES.get(code)


def _identity_columns(feed: FeedType) -> tuple[Column, ...]:
    return (
        Column("id_number", "身份证号", text("身份证号", 40), header_required=True,
               examples=("500106198001010012",), help="18位居民身份证号；缺失或有误的按姓名+出生日期人工匹配"),
        Column("name", "姓名", text("姓名", 50), required=True, examples=("张三",)),
        Column("birth_date", "出生日期", date_value("出生日期"), examples=("",),
               help="身份证号缺失或有误时必填，用于人工匹配"),
        Column("area_code", "村社区代码", digits("村社区代码", 12), examples=("",), help="可选；用于人工匹配"),
        Column("event_date", feed.event_header, date_value(feed.event_header), required=True,
               examples=("2026-01-15",)),
    )


_BIRTHS: dict[str, str | None] = {}


_TODAY: list = ["", 0.0]  # today's ISO date and when it was read (monotonic seconds)


def _today_iso() -> str:
    """Today as ISO text, read again at most once a second: it is compared on every row of a feed file."""
    now = time.monotonic()
    if now - _TODAY[1] > 1.0:
        _TODAY[0], _TODAY[1] = date.today().isoformat(), now
    return _TODAY[0]


def _birth(digits8: str) -> str | None:
    """YYYYMMDD (eight ASCII digits) of an ID number → ISO date when it is a real day, not in the future, not
    before 1880. (A real day by `date()`, as `strptime(…, "%Y%m%d")` decides for eight digits, at a tenth of the
    cost.)"""
    found = _BIRTHS.get(digits8, False)
    if found is False:
        if len(_BIRTHS) > 100_000:
            _BIRTHS.clear()
        try:
            day = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
        except ValueError:
            day = None
        found = _BIRTHS[digits8] = day.isoformat() if day and day.year >= 1880 else None
    return found if found and found <= _today_iso() else None


def plain_id_number(value: str) -> tuple[str, str] | None:
    """(number, birth date) when `value` is an ASCII 18-digit ID number that `parse_id_number` accepts as is,
    else None (which says nothing: full-width digits or separators still need `parse_id_number`). Two C calls
    instead of stdnum's per-character work: it runs on every row of a feed file."""
    if len(value) != 18 or not value.isascii() or not value[:17].isdigit():
        return None
    number = value.upper()
    check = (1 - 2 * int(number[:17], 13)) % 11  # stdnum's calc_check_digit
    if number[17] != ("X" if check == 10 else str(check)):
        return None
    birth = _birth(number[6:14])
    return (number, birth) if birth else None


def _row_check(raw: dict[str, str], clean: dict) -> list[str]:
    """A valid ID number is normalised (and gives the birth date); an invalid one is kept aside for matching."""
    given = raw.get("id_number", "").strip()
    clean.pop("id_number", None)
    if given:
        plain = plain_id_number(given)
        if plain is not None:
            clean["id_number"] = plain[0]
            clean.setdefault("birth_date", plain[1])
            return []
        try:
            facts = parse_id_number(given)
        except InvalidIdNumber:
            clean["id_number_given"] = given[:40]
        else:
            clean["id_number"] = facts.number
            clean.setdefault("birth_date", facts.birth_date.isoformat())
            return []
    if not clean.get("birth_date"):
        return ["身份证号缺失或不正确，且未填写「出生日期」，无法匹配人员"]
    return []


class ResidentFilter(RowFilter):
    """预筛: drops the rows whose ID number is valid and registered to nobody here, as the file is read.

    The registry's ID numbers are read once per file into a set (about 150 MB for 1.5 million people). A row is
    dropped only when its ID cell is a plain valid number (`plain_id_number`) not in the set; every other row —
    registered, missing, invalid, or written so that only `parse_id_number` can tell — is staged and decided
    there as before, so the review queue and the row errors are unchanged for them."""

    def __init__(self, ctx: Context, index: dict[str, int], feed_code: str) -> None:
        self.ctx, self.feed_code = ctx, feed_code
        self.column = index.get("id_number")
        self.reads = () if self.column is None else (self.column,)
        self.registered = registered_id_numbers()

    def keep(self, cells: list[str]) -> bool:
        column = self.column
        if column is None or column >= len(cells):
            return True
        value = cells[column]
        if value in self.registered:
            return True
        plain = plain_id_number(value)
        return plain is None or plain[0] in self.registered

    def finish(self, dropped: int) -> None:
        batch = feed_batch_for(self.ctx, self.feed_code)
        type(batch).objects.filter(pk=batch.pk).update(non_residents=dropped)


def registered_id_numbers() -> set[str]:
    """Every ID number in the registry, streamed from one query (a server-side cursor on PostgreSQL)."""
    rows = (Person.objects.filter(id_number__isnull=False).exclude(id_number="").order_by()
            .values_list("id_number", flat=True).iterator(chunk_size=50_000))
    return set(rows)


def feed_batch_for(ctx: Context, feed_code: str):
    """The FeedBatch of the import batch (made at upload; made here when the schema is run on its own)."""
    from monitoring.models import FeedBatch

    batch = ctx.cache.get("feed_batch")
    if batch is None:
        feed = FEED_TYPES[feed_code]
        batch, _ = FeedBatch.objects.get_or_create(import_batch=ctx.batch, defaults={
            "feed_type": feed.code, "department": feed.department, "area_id": ctx.batch.area_id,
            "created_by_id": ctx.batch.created_by_id})
        ctx.cache["feed_batch"] = batch
    return batch


def _drop(row: StagedRow) -> None:
    """Not about anyone here: keep nothing of the row but its number (counted at commit)."""
    row.data, row.clean = [], {DROP: 1}


def _db_check(ctx: Context, rows: list[StagedRow]) -> None:
    """Match by ID number (one `__in` query per chunk), else by name + birth date (one query per chunk)."""
    good = [r for r in rows if r.status == StagedRow.Status.OK]
    by_id = [r for r in good if r.clean.get("id_number")]
    found: dict[str, tuple[int, str]] = {}
    for numbers in chunked(sorted({r.clean["id_number"] for r in by_id})):
        found |= {n: (pk, area) for n, pk, area in
                  Person.objects.filter(id_number__in=numbers).values_list("id_number", "pk", "area_id")}
    for row in by_id:
        match = found.get(row.clean["id_number"])
        if match is None:
            _drop(row)
        else:
            row.clean[PERSON], row.clean[AREA] = match
    _match_by_name(rows=[r for r in good if not r.clean.get("id_number") and DROP not in r.clean])


def _match_by_name(*, rows: list[StagedRow]) -> None:
    if not rows:
        return
    candidates: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for names in chunked(sorted({r.clean["name"] for r in rows})):
        births = sorted({r.clean["birth_date"] for r in rows if r.clean["name"] in names})
        for pk, name, birth, area in (Person.objects.filter(name__in=names, birth_date__in=births)
                                      .values_list("pk", "name", "birth_date", "area_id")):
            candidates[(name, birth.isoformat())].append((pk, area))
    for row in rows:
        found = candidates.get((row.clean["name"], row.clean["birth_date"]), [])
        if row.clean.get("area_code"):
            found = [c for c in found if c[1] == row.clean["area_code"]]
        if not found:
            _drop(row)
        elif len(found) > 1:
            reject(row, "身份证号缺失或不正确，且姓名、出生日期对应多名登记人员，请补充正确的身份证号")
        else:
            row.clean[REVIEW], row.clean[AREA] = found[0]


def record_key(feed_type: str, id_number: str, event_date: str, payload: dict) -> str:
    """The key of one fact: the same fact arriving again (another file, another month) is stored once."""
    body = json.dumps([feed_type, id_number, event_date, payload], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _commit(feed: FeedType):
    def commit(ctx: Context, rows: list[StagedRow]) -> dict[str, int]:
        from monitoring.models import DeptRecord, FeedBatch, MatchReview

        batch = feed_batch_for(ctx, feed.code)
        records: dict[str, DeptRecord] = {}
        reviews, dropped = [], 0
        for row in rows:
            clean = row.clean
            if DROP in clean:
                dropped += 1
                continue
            payload = {k: clean[k] for k in feed.payload_keys if clean.get(k) not in (None, "")}
            if REVIEW in clean:
                reviews.append(MatchReview(
                    feed_type=feed.code, batch=batch, row_number=row.row_number, candidate_id=clean[REVIEW],
                    area_id=clean[AREA], id_number_given=clean.get("id_number_given", ""), name=clean["name"],
                    birth_date=clean["birth_date"], event_date=clean["event_date"], payload=payload))
                continue
            key = record_key(feed.code, clean["id_number"], clean["event_date"], payload)
            records.setdefault(key, DeptRecord(
                feed_type=feed.code, batch=batch, person_id=clean[PERSON], area_id=clean[AREA],
                id_number=clean["id_number"], name=clean["name"], event_date=clean["event_date"], payload=payload,
                period=batch.period, dedup_key=key))
        # Facts stored before (another file, another month) are skipped by their key in the same statement.
        new = bulk_insert(list(records.values()), ignore_conflicts=True)
        existing = len(records) - new
        MatchReview.objects.bulk_create(reviews, batch_size=1000)
        FeedBatch.objects.filter(pk=batch.pk).update(
            records_kept=F("records_kept") + new, already_kept=F("already_kept") + existing,
            non_residents=F("non_residents") + dropped, to_review=F("to_review") + len(reviews))
        return {"kept": new, "already_kept": existing, "non_residents": dropped, "to_review": len(reviews),
                "duplicates_in_file": len(rows) - dropped - len(reviews) - len(records)}

    return commit


def _schema(feed: FeedType) -> Schema:
    def sql_validate(ctx: Context, index: dict[str, int]) -> None:
        from monitoring import feeds_sql

        feeds_sql.validate(feed, schema, ctx, index)

    def sql_commit(ctx: Context, report) -> dict[str, int]:
        from monitoring import feeds_sql

        return feeds_sql.commit(feed, schema, ctx, report)

    def sql_ready(ctx: Context) -> bool:
        from monitoring import feeds_sql

        return feeds_sql.ready(ctx)

    # PostgreSQL: the set-based path (monitoring.feeds_sql); SQLite: the per-row path below.
    schema = Schema(key=feed.schema_key, title=f"部门数据：{feed.name}（{feed.department}）",
                    columns=_identity_columns(feed) + feed.columns, commit=_commit(feed), row_check=_row_check,
                    db_check=_db_check, prefilter=lambda ctx, index: ResidentFilter(ctx, index, feed.code),
                    sql_validate=sql_validate, sql_commit=sql_commit, sql_ready=sql_ready, sql_postgres_only=True,
                    description=feed.description)
    return schema


DEATH = feed_type_register(FeedType(
    "death", "死亡人员", "公安", "死亡日期",
    (Column("cause", "死亡原因", text("死亡原因", 100)),
     Column("cancelled_on", "户口注销日期", date_value("户口注销日期"))),
    "公安户籍注销（死亡）数据，按月推送"))
VEHICLE = feed_type_register(FeedType(
    "vehicle", "机动车登记", "公安交管", "登记日期",
    (Column("plate", "号牌号码", text("号牌号码", 20), required=True, examples=("渝A12345",)),
     Column("vehicle_type", "车辆类型", text("车辆类型", 30)),
     Column("value", "车辆价值（元）", amount("车辆价值（元）"))),
    "名下机动车（车船）登记"))
REAL_ESTATE = feed_type_register(FeedType(
    "real_estate", "不动产登记", "规划自然资源", "登记日期",
    (Column("certificate", "不动产权证号", text("不动产权证号", 60), required=True),
     Column("location", "坐落", text("坐落", 200)),
     Column("floor_area", "建筑面积（平方米）", amount("建筑面积（平方米）")),
     Column("usage", "用途", text("用途", 30))),
    "名下不动产登记"))
BUSINESS = feed_type_register(FeedType(
    "business", "市场主体登记", "市场监管", "成立日期",
    (Column("credit_code", "统一社会信用代码", credit_code("统一社会信用代码"), required=True),
     Column("entity_name", "市场主体名称", text("市场主体名称", 100), required=True),
     Column("role", "登记身份", text("登记身份", 20), help="法定代表人、股东、经营者等"),
     Column("capital", "注册资本（万元）", amount("注册资本（万元）", 4))),
    "市场主体（企业、个体工商户）登记"))
MEDICAL = feed_type_register(FeedType(
    "medical", "大额医疗费用", "医保", "出院日期",
    (Column("settlement_no", "结算单号", text("结算单号", 40), required=True),
     Column("hospital", "医疗机构", text("医疗机构", 100)),
     Column("total", "医疗总费用（元）", amount("医疗总费用（元）")),
     Column("out_of_pocket", "个人自付（元）", amount("个人自付（元）"), required=True)),
    "每次住院的个人自付费用，医保按月推送"))
UNEMPLOYMENT = feed_type_register(FeedType(
    "unemployment", "登记失业人员", "人社", "失业登记日期",
    (Column("certificate", "就业失业登记证号", text("就业失业登记证号", 40)),),
    "人社部门登记失业人员名单"))
PENSION = feed_type_register(FeedType(
    "pension", "养老金及工资发放", "人社", "发放月份",
    (Column("monthly_amount", "月发放金额（元）", amount("月发放金额（元）"), required=True, examples=("3200.00",)),
     Column("kind", "发放类型", text("发放类型", 30), help="如 基本养老金、机关事业单位工资"),
     Column("payer", "发放单位", text("发放单位", 100))),
    "人社部门按月推送的养老金、工资发放数据（每人每月金额）"))
DISABILITY = feed_type_register(FeedType(
    "disability", "残疾人证", "残联", "发证日期",
    (Column("certificate", "残疾人证号", text("残疾人证号", 30), required=True),
     Column("category", "残疾类别", choice("残疾类别", Disability.Category), required=True),
     Column("grade", "残疾等级", grade("残疾等级"), required=True)),
    "残联残疾人证数据（一、二级为重度残疾）"))


# --- 户籍变动, 重特大疾病, 防止返贫监测对象, 婚姻登记, 火化（殡葬）: RULES.md §6 "data compared" ---
# (Their code lists and parsers live in monitoring.feed_parsers.) 人社's "养老金及工资" is `pension` above.

from monitoring.feed_parsers import (  # noqa: E402 — with the declarations it serves, below the machinery
    HUKOU_ALIASES,
    MARRIAGE_ALIASES,
    RISK_ALIASES,
    FuneralKind,
    HukouChange,
    MarriageKind,
    MonitorKind,
    RiskCause,
    RiskStatus,
    area_code,
    icd10_code,
)

HUKOU = feed_type_register(FeedType(
    "hukou", "户籍变动", "公安", "变动日期",
    (Column("change_type", "变动类型", choice("变动类型", HukouChange, HUKOU_ALIASES), required=True,
            examples=("迁出",), help="迁入、迁出、出生登记、分户、合户、户口注销（非死亡）、登记事项变更"),
     Column("destination_code", "迁往地区划代码", area_code("迁往地区划代码"), examples=("500103",),
            help="迁出时填写6位区县代码（或9位、12位区划代码）；迁往本区以外的，享受救助的人员提前复核"),
     Column("destination", "迁往地", text("迁往地", 200)),
     Column("reason", "变动原因", text("变动原因", 100))),
    "公安户籍迁入、迁出、分户等变动（死亡注销见“死亡人员”），按月推送"))
SERIOUS_ILLNESS = feed_type_register(FeedType(
    "serious_illness", "重特大疾病患者", "卫健", "确诊日期",
    (Column("disease", "病种名称", text("病种名称", 100), required=True, examples=("恶性肿瘤",)),
     Column("icd10", "疾病编码（ICD-10）", icd10_code("疾病编码（ICD-10）"), examples=("C34.9",)),
     Column("hospital", "确诊医疗机构", text("确诊医疗机构", 100))),
    "卫健部门重病（重特大疾病）患者名单"))
RELAPSE_WATCH = feed_type_register(FeedType(
    "relapse_watch", "防止返贫监测对象", "农业农村", "纳入监测日期",
    (Column("monitor_kind", "监测对象类型", choice("监测对象类型", MonitorKind), required=True,
            examples=("突发严重困难户",)),
     Column("risk_status", "风险状态", choice("风险状态", RiskStatus, RISK_ALIASES), required=True,
            examples=("风险未消除",)),
     Column("risk_cause", "主要风险", choice("主要风险", RiskCause), examples=("因病",)),
     Column("cleared_on", "风险消除日期", date_value("风险消除日期"))),
    "农业农村部门防止返贫监测对象名单（按季度或半年比对）"))
MARRIAGE = feed_type_register(FeedType(
    "marriage", "婚姻登记", "民政", "登记日期",
    (Column("kind", "登记类型", choice("登记类型", MarriageKind, MARRIAGE_ALIASES), required=True,
            examples=("结婚登记",)),
     Column("certificate", "证件字号", text("证件字号", 40), help="结婚证或离婚证字号"),
     Column("spouse_name", "对方姓名", text("对方姓名", 50)),
     Column("office", "登记机关", text("登记机关", 100))),
    "民政婚姻登记（结婚、离婚、复婚）数据：家庭成员变化"))
FUNERAL = feed_type_register(FeedType(
    "funeral", "火化（殡葬）记录", "民政", "死亡日期",
    (Column("cremated_on", "火化日期", date_value("火化日期"), required=True, examples=("2026-01-18",)),
     Column("certificate", "火化证明编号", text("火化证明编号", 40), required=True, examples=("HH2026000123",)),
     Column("service_kind", "殡葬方式", choice("殡葬方式", FuneralKind), examples=("火化",)),
     Column("funeral_home", "殡仪馆", text("殡仪馆", 100))),
    "民政殡葬（火化）数据：发生日期为死亡日期，与公安死亡数据互为印证"))
