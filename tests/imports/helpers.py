"""Building import files for the tests: rows in the template's column order, as CSV or XLSX bytes."""

import csv
import io
from datetime import date, timedelta

from openpyxl import Workbook

from tests.conftest import make_id

HEADERS = ["户编号", "姓名", "身份证号", "无证原因", "与户主关系", "村社区代码", "户籍类型", "联系电话", "住址"]


def row(ref: str, name: str, id_number: str, relation: str = "户主", area: str = "", hukou: str = "",
        phone: str = "", address: str = "", no_id: str = "") -> list[str]:
    if relation == "户主" and not hukou:
        hukou = "城镇"
    return [ref, name, id_number, no_id, relation, area, hukou, phone, address]


def family(ref: str, area: str, seq: int, size: int = 3) -> list[list[str]]:
    """A household of head, spouse and children with distinct valid ID numbers derived from seq."""
    relations = ["户主", "配偶"] + ["子女"] * (size - 2)
    # Distinct birth dates per (seq, member) keep every generated ID number unique.
    births = [(date(1940, 1, 1) + timedelta(days=seq * 7 + i)).strftime("%Y%m%d") for i in range(size)]
    return [row(ref, f"居民{seq}之{i}", make_id("500106", births[i], i, sex_odd=i != 1),
                relation=relations[i], area=area, address=f"测试路{seq}号" if i == 0 else "")
            for i in range(size)]


def families(count: int, area: str, start: int = 1, size: int = 3) -> list[list[str]]:
    return [r for n in range(start, start + count) for r in family(f"H{n:05d}", area, n, size)]


def to_csv(rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
