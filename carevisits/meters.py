"""智能水表: bind a meter to a person on the roster, and take in readings — pushed by the platform in batches of
thousands (`POST /api/meter-readings/`) or from a file (the staged import, schema "meter_readings").

Readings are stored narrow (meter, time, litres) with (meter, time) as the primary key and written with one
statement per chunk, `ON CONFLICT DO NOTHING`: a reading sent twice is stored once, a reading that arrives late
(out of order) is simply another row. On PostgreSQL a batch is one COPY into a temporary table and one INSERT …
SELECT (`_store_postgres`; the rows are checked in Python only as far as COPY cannot, see `_copy_text`); on SQLite
one executemany.
"""

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.policy import allowed, area_in_scope
from audit.models import EventType
from audit.services import change_log_write, domain_event_write
from carevisits.models import Meter, MeterReading, RosterEntry
from minzheng.sql import is_postgres

CHUNK = 20_000
MAX_BATCH = 50_000
MAX_LITRES = 10**12
ERRORS_SHOWN = 20
LOCAL = ZoneInfo(settings.TIME_ZONE)
TABLE = MeterReading._meta.db_table
# Device numbers as platforms write them; nothing that could break a COPY line (tabs, newlines, backslashes).
CODE = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


@transaction.atomic
def meter_bind(*, acting_user, code: str, person, installed_at: datetime | None = None) -> Meter:
    """登记并绑定智能水表: the device number and the person (on the roster) whose home it measures."""
    if not allowed(acting_user, "meter", "change"):
        raise PermissionDenied("无智能水表登记权限")
    if not area_in_scope(acting_user, person.area_id):
        raise PermissionDenied("该人员不在您的管辖范围内")
    code = (code or "").strip()
    if not CODE.fullmatch(code):
        raise ValidationError({"code": ["设备编号应为1至40位字母、数字或 - _ ."]})
    if not RosterEntry.objects.filter(person=person, active=True).exists():
        raise ValidationError({"person": ["只能为探访关爱名册中的老年人安装智能水表"]})
    if Meter.objects.filter(code=code).exists():
        raise ValidationError({"code": [f"设备编号已登记：{code}"]})
    meter = Meter.objects.create(code=code, person=person, area_id=person.area_id,
                                 installed_at=installed_at or timezone.now())
    change_log_write(instance=meter, action="create", before=None, acting_user=acting_user,
                     after={"code": code, "person_id": person.pk})
    domain_event_write(type=EventType.METER_BOUND, message=f"安装并绑定智能水表 {code}", person=person,
                       subject=meter, acting_user=acting_user)
    return meter


def parse_time(value) -> datetime:
    """ISO 8601; without an offset it is local time (Asia/Shanghai)."""
    if not isinstance(value, str):
        raise ValueError
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def parse_litres(value) -> int:
    """The cumulative reading in cubic metres (立方米, e.g. 123.456) as whole litres, rounded half away from zero
    (as PostgreSQL's `round(numeric)` does on the fast path, so both paths store the same litres)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError
    try:
        cubic = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError from None
    if not cubic.is_finite() or not 0 <= cubic < MAX_LITRES // 1000:
        raise ValueError
    return int(cubic.scaleb(3).to_integral_value(ROUND_HALF_UP))


def readings_parse(rows: Iterable) -> tuple[list[tuple[str, str, int]], list[str]]:
    """Each `{"meter", "time", "reading"}` as (device number, time with its offset as text, litres); errors name the
    row (1-based) and field. Whether the device exists is checked with the whole batch (`_unknown_meters`)."""
    parsed, errors = [], []
    times: dict[str, str] = {}  # a platform sends many meters at the same instant: each text parsed once
    for number, row in enumerate(rows, start=1):
        try:
            meter, time, reading = row["meter"], row["time"], row["reading"]
        except (TypeError, KeyError) as exc:
            errors.append(f"第{number}条：缺少字段 {exc.args[0] if exc.args else ''}（应有 meter、time、reading）")
            continue
        try:
            if not isinstance(meter, str) or not CODE.fullmatch(meter):
                raise LookupError
            moment = times.get(time) if isinstance(time, str) else None
            if moment is None:
                moment = times[time] = parse_time(time).isoformat()
            parsed.append((meter, moment, parse_litres(reading)))
        except LookupError:
            errors.append(f"第{number}条 meter：水表编号应为1至40位字母、数字或 - _ .（填写的是 {str(meter)[:40]}）")
        except ValueError:
            field = "reading" if _is_time(time) else "time"
            errors.append(f"第{number}条 {field}：" + ("读数应为不小于0的数值（立方米）" if field == "reading"
                                                     else "时间应为 ISO 8601 格式，如 2026-12-07T08:00:00+08:00"))
        if len(errors) >= ERRORS_SHOWN:
            break
    return parsed, errors


def _is_time(value) -> bool:
    try:
        parse_time(value)
    except ValueError:
        return False
    return True


def meter_ids_for(codes: set) -> dict[str, int]:
    """Active meters by device number: one query for the batch (on PostgreSQL `= ANY(array)`: an IN list of
    10,000 codes took 0.8 s to plan)."""
    codes = [c for c in codes if isinstance(c, str)]
    if not is_postgres():
        found: dict[str, int] = {}
        for start in range(0, len(codes), 900):
            found |= dict(Meter.objects.filter(code__in=codes[start:start + 900], active=True)
                          .values_list("code", "id"))
        return found
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code, id FROM {Meter._meta.db_table} WHERE active AND code = ANY(%s)", [codes])
        return dict(cursor.fetchall())


@transaction.atomic
def readings_ingest(*, acting_user, rows: list) -> dict:
    """接收水表读数: all rows valid or none stored (a 400 names the rows); duplicates are ignored."""
    if not allowed(acting_user, "meter", "run"):
        raise PermissionDenied("无水表读数上报权限")
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"readings": ["应为非空数组，每条含 meter、time、reading"]})
    if len(rows) > MAX_BATCH:
        raise ValidationError({"readings": [f"每批最多 {MAX_BATCH} 条，请分批上报"]})
    if is_postgres():
        stored = _store_postgres(rows)
    else:
        parsed, errors = readings_parse(rows)
        if errors:
            raise ValidationError({"readings": errors})
        ids = meter_ids_for({code for code, _, _ in parsed})
        _refuse_unknown(parsed, set(ids))
        stored = readings_store([(ids[code], datetime.fromisoformat(moment), litres)
                                 for code, moment, litres in parsed])
    return {"received": len(rows), "stored": stored, "duplicates": len(rows) - stored}


def _refuse_unknown(parsed: list[tuple[str, str, int]], known: set[str]) -> None:
    errors = [f"第{number}条 meter：未登记或已停用的水表编号 {code}"
              for number, (code, _, _) in enumerate(parsed, start=1) if code not in known][:ERRORS_SHOWN]
    if errors:
        raise ValidationError({"readings": errors})


def _copy_text(rows: list) -> str | None:
    """The batch as COPY text (device number, time with its offset, reading in m³ as sent), or None at the first
    row that is not plainly well formed (the caller then parses the batch row by row, as on SQLite).

    The fast path of `readings_ingest` on PostgreSQL: a device number is checked once per batch, a time text once
    (a platform sends many meters at the same instant), and a reading in plain decimal notation is passed through
    as text for COPY to read as `numeric` (C code, not a Python float per row); its range is checked in SQL before
    anything is stored. Measured: the per-row Python work was over half of the service path's time."""
    codes: set = set()
    times: dict = {}
    lines = []
    append, fullmatch = lines.append, CODE.fullmatch
    try:
        for row in rows:
            meter, moment, reading = row["meter"], row["time"], row["reading"]
            if meter not in codes:
                if type(meter) is not str or not fullmatch(meter):
                    return None
                codes.add(meter)
            text = times.get(moment)
            if text is None:
                text = times[moment] = parse_time(moment).isoformat()
            if type(reading) is not str:  # a JSON number: int or float (bool is neither here)
                if type(reading) not in (int, float):
                    return None
                reading = repr(reading)  # 1e-05, inf, nan and negatives fail the check below
            if not reading.isascii() or not reading.replace(".", "", 1).isdigit():
                return None
            append(f"{meter}\t{text}\t{reading}\n")
    except (TypeError, KeyError, ValueError):
        return None
    return "".join(lines)


def _parsed_text(rows: list) -> tuple[str, list[tuple[str, str, int]]]:
    """The slow path: every row parsed (a 400 names the bad ones), the COPY text made from the parsed values."""
    parsed, errors = readings_parse(rows)
    if errors:
        raise ValidationError({"readings": errors})
    return "".join([f"{code}\t{moment}\t{litres // 1000}.{litres % 1000:03d}\n"
                    for code, moment, litres in parsed]), parsed


def _store_postgres(rows: list) -> int:
    """COPY (device number, time, reading) into a temporary table, then one plain INSERT … SELECT joining the
    meters, the reading rounded to the litre. When every row went in, that is all. A duplicate (a batch sent again)
    aborts only that statement (a savepoint): then the batch is checked and stored with ON CONFLICT DO NOTHING.
    Fewer rows than sent means an unknown device or a reading out of range: the batch is refused (the caller's
    transaction undoes the insert), the rows named as `readings_parse` words them.

    Measured (10,000-row batches, the same machine): `ON CONFLICT DO NOTHING` (speculative insertion) took
    1.3–1.8× a plain INSERT of the same rows, and the separate check query a tenth of the insert; duplicates are
    the exception, so the plain insert goes first. The device numbers are matched by the database (a hash join),
    not looked up from Python first (0.09 s per 10,000 rows, a third of the batch)."""
    text, parsed = _copy_text(rows), None
    if text is None:
        text, parsed = _parsed_text(rows)
    select = (f"SELECT m.id, t.time, round(t.reading * 1000) FROM meter_readings_sent t JOIN {Meter._meta.db_table} m "
              f"ON m.code = t.code AND m.active WHERE t.reading >= 0 AND t.reading < {MAX_LITRES // 1000}")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS meter_readings_sent (code text, time timestamptz, "
                       "reading numeric) ON COMMIT DELETE ROWS")
        cursor.execute("DELETE FROM meter_readings_sent")  # empty, unless called twice in one transaction
        with cursor.cursor.copy("COPY meter_readings_sent (code, time, reading) FROM STDIN") as copy:
            copy.write(text)
        try:
            with transaction.atomic():
                cursor.execute(f"INSERT INTO {TABLE} (meter_id, time, litres) {select}")
                stored = cursor.rowcount
        except IntegrityError:  # a reading already stored: check, then skip the duplicates
            _refuse_bad(cursor, rows, parsed)
            cursor.execute(f"INSERT INTO {TABLE} (meter_id, time, litres) {select} ON CONFLICT DO NOTHING")
            return cursor.rowcount
        if stored != len(rows):
            _refuse_bad(cursor, rows, parsed)
        return stored


def _refuse_bad(cursor, rows: list, parsed: list | None) -> None:
    """Refuse the batch when a device is unknown or a reading out of range, naming the rows."""
    cursor.execute(f"SELECT count(*) FILTER (WHERE m.id IS NULL), count(*) FILTER (WHERE NOT (t.reading >= 0 "
                   f"AND t.reading < {MAX_LITRES // 1000})) FROM meter_readings_sent t LEFT JOIN "
                   f"{Meter._meta.db_table} m ON m.code = t.code AND m.active")
    unknown, out_of_range = cursor.fetchone()
    if unknown or out_of_range:
        parsed = parsed or _parsed_text(rows)[1]  # an out-of-range reading is named here
        _refuse_unknown(parsed, {code for code, _, _ in parsed} - _unknown_codes(cursor))
        raise ValidationError({"readings": ["读数应为不小于0的数值（立方米）"]})  # not reached: named above


def _unknown_codes(cursor) -> set[str]:
    cursor.execute(f"SELECT DISTINCT t.code FROM meter_readings_sent t WHERE NOT EXISTS (SELECT 1 FROM "
                   f"{Meter._meta.db_table} m WHERE m.code = t.code AND m.active)")
    return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def readings_store(readings: list[tuple[int, datetime, int]]) -> int:
    """Insert (meter id, time, litres) rows, one statement per chunk; returns how many were new."""
    stored = 0
    with connection.cursor() as cursor:
        for start in range(0, len(readings), CHUNK):
            stored += _insert_chunk(cursor, readings[start:start + CHUNK])
    return stored


def _insert_chunk(cursor, chunk: list[tuple[int, datetime, int]]) -> int:
    if is_postgres():
        # COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING: measured 1.3× a raw COPY
        # into the table, against 1.8× for INSERT … SELECT FROM unnest(arrays) (the arrays' adaptation dominates).
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS meter_readings_in (meter_id bigint, time timestamptz, "
                       "litres bigint) ON COMMIT DELETE ROWS")
        texts: dict[datetime, str] = {}
        lines = []
        for meter, moment, litres in chunk:
            text = texts.get(moment)
            if text is None:
                text = texts[moment] = moment.isoformat()
            lines.append(f"{meter}\t{text}\t{litres}\n")
        with cursor.cursor.copy("COPY meter_readings_in (meter_id, time, litres) FROM STDIN") as copy:
            copy.write("".join(lines))
        cursor.execute(f"INSERT INTO {TABLE} (meter_id, time, litres) SELECT meter_id, time, litres "
                       "FROM meter_readings_in ON CONFLICT DO NOTHING")
        stored = cursor.rowcount
        cursor.execute("TRUNCATE meter_readings_in")
        return stored
    adapt = connection.ops.adapt_datetimefield_value
    before = connection.connection.total_changes
    cursor.executemany(f"INSERT INTO {TABLE} (meter_id, time, litres) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                       [(m, adapt(t), v) for m, t, v in chunk])
    return connection.connection.total_changes - before
