"""Fund-supervision reports (资金监管报表): amounts, recipients by category, on-time rate, exceptions.

Each report is a handful of GROUP BY queries over the payment lines (or exceptions) the user may see — scoped
through `payments.selectors` (`accounts.policy.restrict`), so a town officer's report covers only their town —
then pivoted in Python over at most a few hundred grouped rows. Nothing here reads one line at a time.

A report is a list of tables (title, columns, rows, totals) that the page renders, the API returns as JSON and
`payments.report_xlsx` writes as a workbook; money stays `Decimal` throughout.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.policy import area_in_scope
from areas.codes import area_ancestor_codes, area_code_prefix
from areas.models import Area
from minzheng import sql as dialect
from minzheng.dates import month_or_none, years_before
from minzheng.db_router import read_alias
from minzheng.lookups import prefix_q
from payments.models import BankPayment, PaymentCycle, PaymentException, PaymentLine
from payments.selectors import exceptions_visible, lines_visible
from programs.calculations.money import ZERO, round_money
from programs.models import PolicyParameter, Program
from registry.models import Disability, Household, HouseholdMember, HukouType, Person

MAX_MONTHS = 60
PAYMENT_DAY_KEY = "payment_day"
# Recovery lines deduct an overpayment: they are part of the net amount, but not a payment someone was due.
PAID_KINDS = (PaymentLine.Kind.REGULAR, PaymentLine.Kind.ARREARS, PaymentLine.Kind.ADJUSTMENT)
NOT_DELIVERED = (PaymentLine.Status.FAILED, PaymentLine.Status.REISSUED)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text | int | money | rate


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    totals: dict | None = None


@dataclass
class Report:
    key: str
    title: str
    period: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: months [start, end] (first days), optionally one area subtree and one programme."""

    start: date
    end: date
    area: str = ""  # a 12-digit town or community code in the user's scope, or "" for all the user may see
    program: str = ""

    @property
    def period(self) -> str:
        return f"{self.start:%Y年%m月}" if self.start == self.end else f"{self.start:%Y年%m月}至{self.end:%Y年%m月}"

    def as_dict(self) -> dict:
        return {"from": f"{self.start:%Y-%m}", "to": f"{self.end:%Y-%m}", "area": self.area, "program": self.program}


def _month(value: str, name: str, label: str) -> date:
    month = month_or_none(value)
    if month is None or month.year < 2000:
        raise ValidationError({name: [f"{name}（{label}）格式应为 YYYY-MM，例如 2026-03"]})
    return month


def filter_parse(*, user, start: str, end: str, area: str = "", program: str = "") -> ReportFilter:
    """Check the query of a report; every error names its field in Chinese."""
    first = _month(start, "from", "起始月份")
    last = _month(end or start, "to", "截止月份")
    if last < first:
        raise ValidationError({"to": ["to（截止月份）不能早于起始月份"]})
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise ValidationError({"to": [f"to（截止月份）：一次最多统计{MAX_MONTHS}个月"]})
    area = (area or "").strip()
    if area and not (len(area) == 12 and area.isascii() and area.isdigit() and area_in_scope(user, area)):
        raise ValidationError({"area": ["area（区划）应为您管辖范围内的12位镇街或村社区代码"]})
    program = (program or "").strip()
    if program and not Program.objects.filter(code=program).exists():
        raise ValidationError({"program": [f"program（项目）不存在：{program}"]})
    return ReportFilter(start=first, end=last, area=area, program=program)


def _lines(user, f: ReportFilter) -> QuerySet[PaymentLine]:
    rows = lines_visible(user).filter(month__gte=f.start, month__lte=f.end)
    if f.area:
        rows = rows.filter(prefix_q("area_id", area_code_prefix(f.area)))
    if f.program:
        rows = rows.filter(program_id=f.program)
    return rows


def _program_names() -> dict[str, str]:
    return dict(Program.objects.values_list("code", "name"))


def _program_order() -> dict[str, int]:
    return {code: index for index, code in enumerate(Program.objects.values_list("code", flat=True))}


def _money(value) -> Decimal:
    return round_money(value or ZERO)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


# ---- 1. 发放金额：项目 × 区划 × 月份 ---------------------------------------------------------------------------

def amounts_report(*, user, f: ReportFilter) -> Report:
    """发放金额统计: net amount (recoveries deducted), line count and payees by programme × area × month.

    Areas are towns (镇街); with a town chosen they are that town's communities (村社区), the drill-down.
    """
    by_community = bool(f.area)
    area_key = "area_id" if by_community else "town"
    rows = _lines(user, f)
    if not by_community:
        rows = rows.annotate(town=Substr("area_id", 1, 9))
    grouped = (rows.values("program_id", area_key, "month")
               .annotate(lines=Count("id"), payees=Count("person_id", distinct=True),
                         organisations=Count("organisation_id", distinct=True), amount=Sum("amount"))
               .order_by())
    codes = {r[area_key] if by_community else r[area_key] + "000" for r in grouped}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    programs, order = _program_names(), _program_order()
    level = "村社区" if by_community else "镇街"
    table = Table(title=f"发放金额（项目 × {level} × 月份）", columns=[
        Column("month", "月份"), Column("program", "项目"), Column("area_code", "区划代码"),
        Column("area", level), Column("lines", "明细条数", "int"), Column("payees", "收款人数", "int"),
        Column("organisations", "收款单位数", "int"), Column("amount", "发放金额（元）", "money")])
    for r in grouped:
        code = r[area_key] if by_community else r[area_key] + "000"
        table.rows.append({"month": f"{r['month']:%Y-%m}", "program_code": r["program_id"],
                           "program": programs.get(r["program_id"], r["program_id"]), "area_code": code,
                           "area": names.get(code, code), "lines": r["lines"], "payees": r["payees"],
                           "organisations": r["organisations"], "amount": _money(r["amount"])})
    table.rows.sort(key=lambda row: (row["month"], order.get(row["program_code"], 999), row["area_code"]))
    table.totals = {"month": "合计", "lines": sum(r["lines"] for r in table.rows),
                    **_lines(user, f).aggregate(payees=Count("person_id", distinct=True),
                                                organisations=Count("organisation_id", distinct=True)),
                    "amount": _money(sum((r["amount"] for r in table.rows), ZERO))}
    by_program = Table(title="按项目合计", columns=[
        Column("program", "项目"), Column("lines", "明细条数", "int"), Column("payees", "收款人数", "int"),
        Column("organisations", "收款单位数", "int"), Column("amount", "发放金额（元）", "money")])
    for r in _lines(user, f).values("program_id").annotate(
            lines=Count("id"), payees=Count("person_id", distinct=True),
            organisations=Count("organisation_id", distinct=True), amount=Sum("amount")).order_by():
        by_program.rows.append({"program_code": r["program_id"], "program": programs.get(r["program_id"]),
                                "lines": r["lines"], "payees": r["payees"], "organisations": r["organisations"],
                                "amount": _money(r["amount"])})
    by_program.rows.sort(key=lambda row: order.get(row["program_code"], 999))
    by_program.totals = {"program": "合计", "lines": table.totals["lines"], "payees": table.totals["payees"],
                         "organisations": table.totals["organisations"], "amount": table.totals["amount"]}
    return Report("amounts", "资金发放金额统计表", f.period, [table, by_program],
                  notes=["发放金额为净额：当月发放、补发、调整之和扣除多发追回，含付给服务机构的服务结算。"
                         "收款人数按人去重；服务结算的收款方计入收款单位数。"])


def _rows_payees(rows: QuerySet[PaymentLine]) -> int:
    return rows.aggregate(n=Count("person_id", distinct=True))["n"] or 0


# ---- 2. 享受对象分类：项目 × 户籍 × 残疾 ------------------------------------------------------------------------

def recipients_report(*, user, f: ReportFilter) -> Report:
    """享受对象分类统计: payees by programme and by the registry's categories — hukou (城镇/农村, of the
    household the line pays, else the payee's current household) and disability (a current 残疾人证; 重度 =
    grade 1–2). Each payee falls in exactly one (hukou, disability) group per programme, so groups add up."""
    grouped = _payee_groups(_lines(user, f).filter(kind__in=PAID_KINDS), on=f.end)
    programs, order = _program_names(), _program_order()
    counts: dict[str, dict] = {}
    for r in grouped:
        row = counts.setdefault(r["program_id"], {
            "program_code": r["program_id"], "program": programs.get(r["program_id"], r["program_id"]),
            "payees": 0, "urban": 0, "rural": 0, "hukou_unknown": 0, "disabled": 0, "severe": 0,
            "elderly": 0, "minor": 0, "amount": ZERO})
        row["payees"] += r["payees"]
        if r["age_band"] in ("elderly", "minor"):
            row[r["age_band"]] += r["payees"]
        hukou = r["hukou"] if r["hukou"] in (HukouType.URBAN, HukouType.RURAL) else "hukou_unknown"
        row[hukou] += r["payees"]
        if r["grade"] is not None:
            row["disabled"] += r["payees"]
            row["severe"] += r["payees"] if r["grade"] <= 2 else 0
        row["amount"] += _money(Decimal(str(r["amount"] or 0)))
    table = Table(title="按项目与对象类别", columns=[
        Column("program", "项目"), Column("payees", "收款人数", "int"), Column("urban", "城镇户籍", "int"),
        Column("rural", "农村户籍", "int"), Column("hukou_unknown", "户籍未登记", "int"),
        Column("disabled", "残疾人", "int"), Column("severe", "其中重度残疾（一、二级）", "int"),
        Column("elderly", "60岁及以上", "int"), Column("minor", "未满18岁", "int"),
        Column("amount", "发放金额（元）", "money")])
    table.rows = sorted(counts.values(), key=lambda row: order.get(row["program_code"], 999))
    table.totals = {"program": "合计（人次）", **{c.key: sum((r[c.key] for r in table.rows), ZERO if c.kind == "money"
                                                          else 0) for c in table.columns[1:]}}
    people = _lines(user, f).filter(kind__in=PAID_KINDS)
    return Report("recipients", "享受对象分类统计表", f.period, [table], notes=[
        "同一人享受多个项目时在各项目分别计数，合计为人次；全部项目去重后的收款人数为 "
        f"{_rows_payees(people)} 人。",
        "户籍类别取所发放家庭的户籍类型，个人项目取收款人当前所在家庭；残疾情况取有效的残疾人证；"
        f"年龄按{f.end:%Y年%m月}1日计算。",
        "付给服务机构的服务结算不是对象本人收款，不计入本表（见资金发放金额统计表的收款单位数）。"])


def _payee_groups(lines: QuerySet[PaymentLine], *, on: date) -> list[dict]:
    """(programme, hukou, best disability grade, age band on `on`) → payees and amount, in one statement.

    The scoped lines are first reduced to one row per programme and payee (the ORM writes that part, scoping
    included); only those rows are joined to the registry — each payee's household, current membership and
    current disability certificates, each aggregated once by hash join rather than looked up line by line.
    """
    inner, params = (lines.values("program_id", "person_id")
                     .annotate(household=Min("household_id"), amount=Sum("amount")).order_by()
                     .query.sql_with_params())
    household, member = Household._meta.db_table, HouseholdMember._meta.db_table
    disability, person = Disability._meta.db_table, Person._meta.db_table
    # Age bands by comparing birth dates with two cut-off dates: the same SQL on PostgreSQL and SQLite.
    sixty, eighteen = years_before(on, 60), years_before(on, 18)
    sql = f"""
        SELECT p.program_id, COALESCE(h.hukou_type, m.hukou) AS hukou, d.grade,
               CASE WHEN pe.birth_date <= %s THEN 'elderly' WHEN pe.birth_date > %s THEN 'minor'
                    ELSE 'other' END AS age_band,
               COUNT(p.person_id) AS payees, SUM(p.amount) AS amount
        FROM ({inner}) p
        LEFT JOIN {person} pe ON pe.id = p.person_id
        LEFT JOIN {household} h ON h.id = p.household
        LEFT JOIN (SELECT hm.person_id, MIN(hh.hukou_type) AS hukou FROM {member} hm
                   JOIN {household} hh ON hh.id = hm.household_id WHERE hm.is_active GROUP BY hm.person_id) m
               ON m.person_id = p.person_id
        LEFT JOIN (SELECT person_id, MIN(grade) AS grade FROM {disability} WHERE is_current GROUP BY person_id) d
               ON d.person_id = p.person_id
        GROUP BY p.program_id, COALESCE(h.hukou_type, m.hukou), d.grade, age_band"""
    with connections[read_alias()].cursor() as cursor:  # the replica when the report is read from it
        cursor.execute(sql, [sixty, eighteen, *params])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---- 3. 按时发放率 ----------------------------------------------------------------------------------------------

def payment_days(programs: set[str], months: set[date], district: str) -> dict[tuple[str, date], tuple[int, bool]]:
    """每月发放日 of each programme in each month: the `payment_day` policy parameter in force (validity and
    source kept there, most specific area wins), else the programme's own `monthly_payment_day` (unverified).
    Returns {(programme, month): (day, verified)}."""
    params = list(PolicyParameter.objects.filter(key=PAYMENT_DAY_KEY, program_id__in=programs,
                                                 area_code__in=area_ancestor_codes(district)))
    own = dict(Program.objects.filter(code__in=programs).values_list("code", "monthly_payment_day"))
    days = {}
    for program in programs:
        for month in months:
            found = [p for p in params if p.program_id == program and p.valid_from <= month
                     and (p.valid_to is None or p.valid_to >= month)]
            found.sort(key=lambda p: (p.area_code, p.valid_from), reverse=True)
            days[(program, month)] = ((int(found[0].value), found[0].verified) if found
                                      else (own.get(program, 10), False))
    return days


def ontime_report(*, user, f: ReportFilter, today: date | None = None) -> Report:
    """按时发放率: the share of payments made by the programme's monthly payment day (每月发放日).

    A line of month M is on time when it reached the payee by day D of month M, D being the programme's payment
    day (`payment_days`). Where the bank's return file has been imported the bank's own transaction date decides
    (`BankPayment.paid_on` of the enrolment's payment in that cycle; a reissue paid later is late). Where no
    return is in yet, the line counts as released on the day the checker approved the cycle (审批; the bank file
    follows the approval), unless the bank returned it failed. A cycle not approved by D is late; one whose day
    has not come yet is not due and left out of the rate. Recovery lines are deductions, not payments, and are
    not counted.
    Seed 001 (annex 1, item 16) scores the bureau on 未按规定及时足额发放; RULES.md §1.1 (Art.25) requires
    monthly payment through the bank. No text names the day itself, hence a policy parameter per programme.
    """
    today = today or timezone.localdate()
    grouped = list(_lines(user, f).filter(kind__in=PAID_KINDS).values("cycle_id", "program_id", "month").annotate(
        lines=Count("id"), amount=Sum("amount"), failed=Count("id", filter=Q(status__in=NOT_DELIVERED))).order_by())
    bank_dates = _bank_paid_dates(user, f)
    cycles = {c.pk: c for c in PaymentCycle.objects.filter(pk__in={r["cycle_id"] for r in grouped})}
    # Each cycle's district's own payment day (a user above district level sees several districts' cycles).
    days = {district: payment_days({r["program_id"] for r in grouped}, {r["month"] for r in grouped}, district)
            for district in {c.district_id for c in cycles.values()}}
    programs, order = _program_names(), _program_order()
    table = Table(title="按时发放情况（项目 × 月份）", columns=[
        Column("month", "月份"), Column("program", "项目"), Column("payment_day", "每月发放日"),
        Column("deadline", "应发放日期"), Column("approved", "审批日期"), Column("result", "结果"),
        Column("lines", "应发条数", "int"), Column("on_time", "按时发放条数", "int"),
        Column("failed", "银行退回条数", "int"), Column("awaiting", "待银行回盘条数", "int"),
        Column("amount", "应发金额（元）", "money"),
        Column("rate", "按时发放率", "rate")])
    for r in grouped:
        cycle = cycles[r["cycle_id"]]
        day, verified = days[cycle.district_id][(r["program_id"], r["month"])]
        deadline = r["month"].replace(day=min(day, 28))
        approved = timezone.localtime(cycle.approved_at).date() if cycle.approved_at else None
        paid_by_bank = bank_dates.get((r["cycle_id"], r["program_id"], r["month"]), {})
        paid_in_time = sum(count for day, count in paid_by_bank.items() if day <= deadline)
        awaiting_return = r["lines"] - r["failed"] - sum(paid_by_bank.values())
        if awaiting_return and today <= deadline:
            # Approved, but the bank has not answered and the day has not come: nothing is paid yet to call on
            # time, and it may still turn late (a failed or late transfer).
            result, on_time = "未到发放日", None
        elif approved is not None and approved <= deadline:
            on_time = paid_in_time + awaiting_return
            result = "按时" if on_time == r["lines"] else "逾期" if on_time == 0 else "部分逾期"
        elif approved is not None or today > deadline:
            result, on_time = "逾期" if approved else "逾期（未审批）", 0
        else:
            result, on_time = "未到发放日", None
        table.rows.append({
            "month": f"{r['month']:%Y-%m}", "program_code": r["program_id"],
            "program": programs.get(r["program_id"], r["program_id"]),
            "payment_day": f"每月{day}日" + ("" if verified else "（未核实）"), "deadline": f"{deadline:%Y-%m-%d}",
            "approved": f"{approved:%Y-%m-%d}" if approved else "—", "result": result, "due": on_time is not None,
            "lines": r["lines"], "on_time": on_time or 0, "failed": r["failed"], "awaiting": awaiting_return,
            "amount": _money(r["amount"]),
            "rate": _rate(on_time, r["lines"]) if on_time is not None else None})
    table.rows.sort(key=lambda row: (row["month"], order.get(row["program_code"], 999)))
    due = [r for r in table.rows if r["due"]]
    due_lines, on_time_lines = sum(r["lines"] for r in due), sum(r["on_time"] for r in due)
    table.totals = {"month": "合计", "lines": due_lines, "on_time": on_time_lines,
                    "failed": sum(r["failed"] for r in due),
                    "awaiting": sum(r["awaiting"] for r in due),
                    "amount": _money(sum((r["amount"] for r in due), ZERO)),
                    "rate": _rate(on_time_lines, due_lines)}
    return Report("ontime", "按时发放率统计表", f.period, [table], notes=[
        "按时：已导入银行回盘的，以银行交易日期不晚于该项目每月发放日为准；尚无回盘的，以发放批次在发放日（含）前审批且银行未退回为准。"
        "未到发放日且银行尚未回盘的批次不计入合计。",
        "每月发放日取政策参数“每月发放日”（有效期与依据见政策参数），未维护时取项目设置并标注“未核实”。",
        "付给服务机构的服务结算按服务协议结算，不计入按时发放率。"])


def _bank_paid_dates(user, f: ReportFilter) -> dict[tuple, dict[date, int]]:
    """{(cycle, programme, month): {bank transaction date: lines}} of the lines the bank reported paid: a line is
    paid through its enrolment's bank payment in that cycle (one transfer nets the enrolment's lines)."""
    paid_on = BankPayment.objects.filter(cycle_id=OuterRef("cycle_id"), enrolment_id=OuterRef("enrolment_id"),
                                         status=BankPayment.Status.PAID).values("paid_on")[:1]
    rows = (_lines(user, f).filter(kind__in=PAID_KINDS).exclude(status__in=NOT_DELIVERED)
            .annotate(paid_on=Subquery(paid_on)).filter(paid_on__isnull=False)
            .values("cycle_id", "program_id", "month", "paid_on").annotate(lines=Count("id")).order_by())
    dates: dict[tuple, dict[date, int]] = {}
    for row in rows:
        dates.setdefault((row["cycle_id"], row["program_id"], row["month"]), {})[row["paid_on"]] = row["lines"]
    return dates


# ---- 4. 异常发现与处理 ------------------------------------------------------------------------------------------

def exceptions_report(*, user, f: ReportFilter) -> Report:
    """发放异常处理情况: the checks' exceptions of the cycles in the period by kind × status, and the reasons
    given when an exception was accepted (核实认可), grouped by reason — the supervision trail of each kind."""
    rows = exceptions_visible(user).filter(cycle__month__gte=f.start, cycle__month__lte=f.end)
    if f.area:
        rows = rows.filter(prefix_q("area_id", area_code_prefix(f.area)))
    if f.program:
        rows = rows.filter(line__program_id=f.program)
    kinds, statuses = dict(PaymentException.Kind.choices), PaymentException.Status
    table = Table(title="异常类型 × 处理状态", columns=[
        Column("kind", "异常类型"), Column("found", "发现条数", "int"), Column("open", "待处理", "int"),
        Column("resolved", "已更正", "int"), Column("accepted", "已核实认可", "int"),
        Column("rate", "处理率", "rate")])
    counts = {r["kind"]: r for r in rows.values("kind").annotate(
        found=Count("id"), open=Count("id", filter=Q(status=statuses.OPEN)),
        resolved=Count("id", filter=Q(status=statuses.RESOLVED)),
        accepted=Count("id", filter=Q(status=statuses.ACCEPTED))).order_by()}
    for kind, label in kinds.items():
        r = counts.get(kind, {"found": 0, "open": 0, "resolved": 0, "accepted": 0})
        table.rows.append({"kind_code": kind, "kind": label, "found": r["found"], "open": r["open"],
                           "resolved": r["resolved"], "accepted": r["accepted"],
                           "rate": _rate(r["found"] - r["open"], r["found"])})
    found, still_open = sum(r["found"] for r in table.rows), sum(r["open"] for r in table.rows)
    table.totals = {"kind": "合计", "found": found, "open": still_open,
                    "resolved": sum(r["resolved"] for r in table.rows),
                    "accepted": sum(r["accepted"] for r in table.rows), "rate": _rate(found - still_open, found)}
    reasons = Table(title="核实认可理由", columns=[
        Column("kind", "异常类型"), Column("reason", "认可理由"), Column("count", "条数", "int")])
    for r in rows.filter(status=statuses.ACCEPTED).values("kind", "resolution").annotate(n=Count("id")).order_by(
            "kind", "-n", "resolution"):
        reasons.rows.append({"kind_code": r["kind"], "kind": kinds.get(r["kind"], r["kind"]),
                             "reason": r["resolution"], "count": r["n"]})
    reasons.totals = {"kind": "合计", "count": sum(r["count"] for r in reasons.rows)}
    return Report("exceptions", "发放异常发现与处理情况表", f.period, [table, reasons], notes=[
        "已更正：更正数据后复查不再出现；已核实认可：经办人核实后认可并填写理由。",
        "处理率 =（已更正 + 已核实认可）÷ 发现条数。"])


REPORTS = {
    "amounts": ("资金发放金额统计", amounts_report),
    "recipients": ("享受对象分类统计", recipients_report),
    "ontime": ("按时发放率", ontime_report),
    "exceptions": ("发放异常处理情况", exceptions_report),
}


def report_build(*, user, key: str, f: ReportFilter) -> Report:
    """One report, its queries in one read transaction (a consistent snapshot across its tables), on the replica
    when the caller reads from it (`minzheng.db_router.reading_from_replica`)."""
    alias = read_alias()
    with transaction.atomic(using=alias):
        if dialect.is_postgres():
            # Measured (bench/payment_reports.py, 200,000 lines): PostgreSQL's JIT spent ~0.6 s compiling the
            # recipients plan — half its run time — and saved nothing on these hash aggregates. Off for this
            # transaction only.
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return REPORTS[key][1](user=user, f=f)

