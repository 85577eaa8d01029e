"""Every CSV the platform writes keeps text cells from becoming formulas, and numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

from imports.sheets import csv_safe, error_sheet_csv
from payments.bankfile_render import Row, render
from payments.models import BankFileColumn, BankFileLayout

Source = BankFileColumn.Source


def _row(seq: int, name: str, amount: str, bank: str = "重庆农村商业银行") -> Row:
    return Row(seq=seq, payment_id=seq, name=name, id_number="500106199001011234", account_number="6217000000000001",
               bank_name=bank, amount=Decimal(amount), program="最低生活保障", area="小龙坎街道",
               month=date(2026, 12, 1), reissue=False)


def _cells(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding))))


def test_bank_csv_neutralises_text_cells_but_keeps_amounts_numbers():
    layout = BankFileLayout(name="测试", format=BankFileLayout.Format.CSV, encoding="utf-8", totals_row=True)
    columns = [BankFileColumn(header=h, source=s) for h, s in
               (("序号", Source.SEQ), ("姓名", Source.NAME), ("账号", Source.ACCOUNT), ("开户行", Source.BANK),
                ("金额", Source.AMOUNT))]
    rows = [_row(1, '=HYPERLINK("http://x","点我")', "-12.00"),
            _row(2, "@SUM(A1)", "300.50", bank="+cmd|' /C calc'!A0"),
            _row(3, "-2+3", "1.00"), _row(4, "\t张三", "2.00"), _row(5, "李四", "3.00")]
    table = _cells(render(layout, columns, rows), "utf-8")
    names = [line[1] for line in table[1:6]]
    assert names == ['\'=HYPERLINK("http://x","点我")', "'@SUM(A1)", "'-2+3", "'\t张三", "李四"]
    assert table[2][3] == "'+cmd|' /C calc'!A0"
    assert [line[4] for line in table[1:6]] == ["-12.00", "300.50", "1.00", "2.00", "3.00"]  # amounts untouched
    assert table[1][2] == "6217000000000001" and table[-1][4] == "294.50"  # totals row: a number too


def test_error_sheet_csv_neutralises_the_uploaded_cells():
    content = error_sheet_csv(["姓名", "电话", "错误说明"], [["=1+2", "+86 138 0000 0000", "身份证号格式不正确"],
                                                      ["\rx", "-5", ""]])
    table = _cells(content, "utf-8-sig")
    assert table[1] == ["'=1+2", "+86 138 0000 0000", "身份证号格式不正确"]
    assert table[2] == ["'\rx", "-5", ""]


def test_csv_safe_rule():
    for value in ("=A1", "@A1", "+A1", "-A1", "\tA", "\rA", "-1+2"):
        assert csv_safe(value) == "'" + value
    for value in ("张三", "", "13800000000", "+86 13800000000", "-12.00", "(023) 6543-2100"):
        assert csv_safe(value) == value


def test_bank_csv_quotes_long_digit_strings_as_text_and_leaves_amounts_bare():
    """An 18-digit ID or a 16–19-digit account number must not be read as a number (a spreadsheet would round it)."""
    layout = BankFileLayout(name="测试", format=BankFileLayout.Format.CSV, encoding="gb18030", totals_row=False)
    columns = [BankFileColumn(header=h, source=s) for h, s in
               (("身份证号", Source.ID_NUMBER), ("账号", Source.ACCOUNT), ("金额", Source.AMOUNT))]
    line = render(layout, columns, [_row(1, "张三", "712.00")]).decode("gb18030").split("\r\n")[1]
    assert line == '"500106199001011234","6217000000000001",712.00'
    assert _cells(render(layout, columns, [_row(1, "张三", "712.00")]), "gb18030")[1][0] == "500106199001011234"
