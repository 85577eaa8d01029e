"""水表读数文件导入: the staged import's schema "meter_readings" (设备编号, 读数时间, 累计读数（立方米）).

A platform that cannot push to the API sends a CSV/XLSX instead; the import kernel stages it, checks every cell,
names the bad rows in its error sheet, and commits the good rows through the same `readings_store` as the API
(so duplicates are ignored and late rows accepted there too).
"""

from datetime import datetime

from carevisits.meters import meter_ids_for, parse_litres, parse_time, readings_store
from imports.models import StagedRow
from imports.schemas import schema_register
from imports.schemas.base import CellError, Column, Context, Schema, chunked, reject, text

KEY = "meter_readings"


def _time(value: str) -> str:
    try:
        return parse_time(value.replace("/", "-")).isoformat()
    except ValueError:
        raise CellError(f"「读数时间」应为 年-月-日 时:分，如 2026-12-07 08:00（填写的是“{value}”）") from None


def _reading(value: str) -> int:
    try:
        return parse_litres(value)
    except (ValueError, ArithmeticError):
        raise CellError(f"「累计读数」应为不小于0的数值（立方米，填写的是“{value}”）") from None


def _db_check(ctx: Context, rows: list[StagedRow]) -> None:
    """Device numbers looked up once per chunk; an unknown or inactive meter is an error naming it."""
    good = [r for r in rows if r.status == StagedRow.Status.OK]
    known: dict[str, int] = {}
    for codes in chunked(sorted({r.clean["meter"] for r in good})):
        known |= meter_ids_for(set(codes))
    for row in good:
        meter_id = known.get(row.clean["meter"])
        if meter_id is None:
            reject(row, f"「设备编号」未登记或已停用：{row.clean['meter']}")
        else:
            row.clean["meter_id"] = meter_id


def _commit(ctx: Context, rows: list[StagedRow]) -> dict[str, int]:
    readings = [(r.clean["meter_id"], datetime.fromisoformat(r.clean["time"]), r.clean["litres"]) for r in rows]
    stored = readings_store(readings)
    return {"stored": stored, "duplicates": len(readings) - stored}


SCHEMA = schema_register(Schema(
    key=KEY, title="智能水表读数",
    description="智能水表平台导出的读数：每行一个设备一个时间的累计读数；重复读数自动忽略",
    columns=(
        Column("meter", "设备编号", text("设备编号", 40), required=True, examples=("WM-0001",)),
        Column("time", "读数时间", _time, required=True, examples=("2026-12-07 08:00",)),
        Column("litres", "累计读数（立方米）", _reading, required=True, examples=("123.456",)),
    ),
    db_check=_db_check, commit=_commit))
