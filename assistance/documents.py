"""Printable documents of an application (社会救助文书, PDF): 申请审批表, 公示名单, 审核确认决定书, 不予确认通知书.

Rendered with reportlab. A CJK font is embedded when a TrueType-outline one is found (settings
MINZHENG_PDF_FONT = "path[:index]", then the Debian fonts below); otherwise the documents use reportlab's
built-in CID font STSong-Light, which every PDF reader supplies, so a PDF is produced on any machine.
Debian's fonts-noto-cjk cannot be embedded: its outlines are CFF (PostScript), which reportlab's TTFont refuses.

The functions here take records the caller may already see and return bytes; the caller (the view) checks
the grant and logs the export. The 公示名单 holds only the name, the household size and the amount
(《最低生活保障审核确认办法》第二十四条): it reads PublicNotice.content and nothing else of the person.
"""

import functools
import logging
import os
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from areas.models import Area
from assistance.certificates import certificate_name
from assistance.workflows import CHONGQING
from casework.document_numbers import document_number
from casework.models import Case, PublicNotice
from casework.workflows import workflow_get
from registry.identity import mask_id_number
from registry.models import Income

logger = logging.getLogger(__name__)

FONT_NAME = "MinzhengCJK"
CID_FONT = "STSong-Light"
# (path, sub-font index) tried in order; the first TrueType-outline font that loads is embedded.
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    # SC is sub-font 2 of the collection; kept last because reportlab refuses its CFF outlines today.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
]
STAGES = (("review", "初审测算"), ("advance", "先行救助测算"), ("confirmation", "审核确认测算"))
REVIEW_RIGHTS = ("如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起六个月内"
                 "依法向人民法院提起行政诉讼（《中华人民共和国行政复议法》第二十条、《中华人民共和国行政诉讼法》"
                 "第四十六条）。")
NOTICE_RULE = "公示内容仅限申请人姓名、家庭人数和救助金额（《最低生活保障审核确认办法》第二十四条）。"
INTERIM = "《社会救助暂行办法》"


# ---- font and page ------------------------------------------------------------------------------------------

def _candidates() -> list[tuple[str, int]]:
    configured = getattr(settings, "MINZHENG_PDF_FONT", "") or os.environ.get("MINZHENG_PDF_FONT", "")
    extra = []
    if configured:
        path, _, index = configured.partition(":")
        extra = [(path, int(index) if index.isdigit() else 0)]
    return extra + FONT_CANDIDATES


@functools.cache
def pdf_font() -> str:
    """The registered CJK font's name: an embedded TrueType font if one loads, else STSong-Light."""
    for path, index in _candidates():
        if not os.path.exists(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except TTFError as exc:
            logger.info("PDF字体不可嵌入，跳过：%s（%s）", path, exc)
            continue
        return FONT_NAME
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle


@functools.cache
def styles() -> Styles:
    font = pdf_font()

    def style(name: str, size: float, **extra) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra)

    return Styles(title=style("title", 18, alignment=TA_CENTER, spaceAfter=4 * mm),
                  heading=style("heading", 12, spaceBefore=3 * mm, spaceAfter=2 * mm),
                  body=style("body", 11, spaceAfter=2 * mm, firstLineIndent=22),
                  cell=style("cell", 9.5), small=style("small", 8.5, textColor=colors.grey),
                  right=style("right", 11, alignment=TA_RIGHT))


def _p(text, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(escape(str(text if text not in (None, "") else "—")), style or styles().cell)


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table([[_p(cell) if not isinstance(cell, Paragraph) else cell for cell in row] for row in rows],
                  colWidths=widths, repeatRows=1 if header else 0)
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")))
    table.setStyle(TableStyle(commands))
    return table


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(pdf_font(), 8)
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"第 {doc.page} 页　打印时间 {printed}")
    canvas.restoreState()


def render(title: str, story: list) -> bytes:
    """One A4 document with the title, the flowables and a page footer."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="智慧民政信息平台", leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm)
    doc.build([Paragraph(escape(title), styles().title), *story], onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


# ---- shared pieces --------------------------------------------------------------------------------------------

def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "系统"


def district_name(area_code: str) -> str:
    area = Area.objects.filter(code=area_code[:6].ljust(12, "0")).first()
    return area.name if area else ""


def area_path(area: Area) -> str:
    return f"{area.parent.name}{area.name}" if area.parent_id else area.name


def issuer(case: Case) -> str:
    return f"{district_name(case.area_id)}民政局"


def latest_calculation(case: Case) -> tuple[str, dict] | None:
    """The most decisive computation kept on the case (confirmation, else advance, else review)."""
    for key, label in reversed(STAGES):
        if case.application.calculation.get(key):
            return label, case.application.calculation[key]
    return None


def _calculation_story(calculation: dict) -> list:
    st = styles()
    width = A4[0] - 30 * mm
    rows = [["项目", "数值"]] + [[line["label"], line["value"]] for line in calculation.get("lines", [])]
    story = [_table(rows, [width * 0.7, width * 0.3])]
    sources = [f"{p['key']} = {p['value']}：{p['source']}" + ("" if p.get("verified", True) else "（未核实）")
               for p in calculation.get("parameters", [])]
    if sources:
        story.append(Spacer(1, 1 * mm))
        story += [_p("依据：" + s, st.small) for s in sources]
    return story


def _decided(case: Case) -> str:
    return f"{case.decided_on:%Y年%m月%d日}" if case.decided_on else f"{timezone.localdate():%Y年%m月%d日}"


def _number(case: Case, kind: str) -> list:
    """文号, right-aligned under the title: given the first time the document is issued, the same on every copy."""
    year = (case.decided_on or timezone.localdate()).year
    return [Paragraph(escape(document_number(case=case, kind=kind, year=year)), styles().right), Spacer(1, 3 * mm)]


def _seal(case: Case) -> list:
    st = styles()
    return [Spacer(1, 10 * mm), Paragraph(escape(f"{issuer(case)}（盖章）"), st.right),
            Paragraph(escape(_decided(case)), st.right)]


# ---- 申请审批表 ---------------------------------------------------------------------------------------------

def _members_rows(case: Case) -> list[list]:
    rows = [["姓名", "与户主关系", "性别", "出生日期", "身份证号", "状态"]]
    if case.household_id is None:
        person = case.person or case.applicant
        return rows + [[person.name, "本人", person.get_sex_display(), person.birth_date, mask_id_number(
            person.id_number), person.get_status_display()]]
    members = case.household.members.filter(is_active=True).select_related("person").order_by("id")
    for m in members:
        p = m.person
        rows.append([p.name, m.get_relation_display(), p.get_sex_display(), p.birth_date,
                     mask_id_number(p.id_number) or "无身份证号", p.get_status_display()])
    return rows


def _income_rows(case: Case, month: date) -> list[list]:
    rows = [["成员", "收入类别", "计算方式", "月收入（元）", "起止月份"]]
    if case.household_id is None:
        return rows
    incomes = (Income.objects.filter(household_id=case.household_id, start_month__lte=month)
               .exclude(end_month__lt=month).select_related("person", "category").order_by("person_id", "id"))
    for i in incomes:
        span = f"{i.start_month:%Y-%m} 至 {i.end_month:%Y-%m}" if i.end_month else f"{i.start_month:%Y-%m} 起"
        rows.append([i.person.name, i.category.name, i.category.get_kind_display(), f"{i.monthly_amount:.2f}", span])
    return rows


def _steps_rows(case: Case) -> list[list]:
    workflow = workflow_get(case.workflow)
    rows = [["环节", "办理结果", "经办人", "时间", "说明"]]
    for step in case.steps.select_related("user").order_by("at", "id"):
        rows.append([workflow.action_label(step.action), workflow.state_label(step.to_state), _name(step.user),
                     timezone.localtime(step.at).strftime("%Y-%m-%d %H:%M"), step.note[:120]])
    return rows


# The three levels of the approval form, each box with the opinion its step recorded (the last such step).
SIGNATURE_LEVELS = (("investigate", "入户调查人员（签字）"), ("review", "乡镇（街道）初审意见（签字、盖章）"),
                    ("confirm", "区县民政部门审核确认意见（签字、盖章）"))


def _opinions(case: Case) -> dict[str, str]:
    """Each level's recorded opinion, with who and the step's own date (the case's dates, not the printing date)."""
    found: dict[str, str] = {}
    actions = [a for a, _ in SIGNATURE_LEVELS] + ["reject"]
    for step in case.steps.filter(action__in=actions).select_related("user").order_by("at", "id"):
        level = "confirm" if step.action == "reject" else step.action
        verdict = "不予确认" if step.action == "reject" else ""
        text = "；".join(t for t in (verdict, step.note.strip()[:80]) if t) or "同意"
        found[level] = f"{text}（{_name(step.user)}，{timezone.localtime(step.at):%Y年%m月%d日}）"
    return found


def _signature_boxes(case: Case) -> Table:
    st = styles()
    opinions = _opinions(case)
    dated = ParagraphStyle("dated", parent=st.cell, alignment=TA_RIGHT)
    width = (A4[0] - 30 * mm) / 3
    table = Table([[_p(title) for _, title in SIGNATURE_LEVELS],
                   [_p(f"意见：{opinions.get(level, '')}") for level, _ in SIGNATURE_LEVELS],
                   [Paragraph("签字：　　　　年　　月　　日", dated)] * 3], colWidths=[width] * 3,
                  rowHeights=[None, 22 * mm, 12 * mm])
    table.setStyle(TableStyle([("BOX", (0, 0), (0, -1), 0.5, colors.black), ("BOX", (1, 0), (1, -1), 0.5, colors.black),
                               ("BOX", (2, 0), (2, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, 0), "TOP"),
                               ("VALIGN", (0, 1), (-1, 1), "TOP"),
                               ("VALIGN", (0, 2), (-1, 2), "BOTTOM")]))
    return table


def application_form_pdf(case: Case) -> bytes:
    """申请审批表: the household, its members (masked ID numbers), income, the computation, every step with who and
    when, and boxes for the signatures."""
    st, width = styles(), A4[0] - 30 * mm
    household = case.household
    facts = [["案件编号", case.pk, "项目", case.program.name],
             ["申请人", case.applicant.name if case.applicant_id else "—", "申请渠道", case.get_channel_display()],
             ["申请时间", timezone.localtime(case.submitted_at).strftime("%Y-%m-%d"), "受理日期", case.accepted_on],
             ["所在区划", area_path(case.area), "户籍类型", household.get_hukou_type_display() if household else "—"],
             ["住址", household.address if household else "—", "核对授权",
              "已签署" if case.application.authorised_data_check else "未签署"],
             ["近亲属备案", "是" if case.close_relative_filed else "否", "当前状态",
              workflow_get(case.workflow).state_label(case.state)]]
    calc = latest_calculation(case)
    month = date.fromisoformat(calc[1]["month"] + "-01") if calc else timezone.localdate().replace(day=1)
    story = [_p("一、基本情况", st.heading), _table(facts, [width * 0.15, width * 0.35, width * 0.15, width * 0.35],
                                                  header=False),
             _p("二、家庭成员", st.heading),
             _table(_members_rows(case), [width * w for w in (0.14, 0.14, 0.08, 0.16, 0.3, 0.18)]),
             _p(f"三、家庭收入（{month:%Y年%m月}）", st.heading),
             _table(_income_rows(case, month), [width * w for w in (0.16, 0.26, 0.2, 0.16, 0.22)]),
             _p("四、金额计算" + (f"（{calc[0]}）" if calc else ""), st.heading)]
    story += _calculation_story(calc[1]) if calc else [_p("尚未测算（初审时计算）", st.body)]
    story += [_p("五、办理过程", st.heading),
              _table(_steps_rows(case), [width * w for w in (0.16, 0.22, 0.14, 0.18, 0.3)]),
              _p("六、各级意见与签字", st.heading), _signature_boxes(case)]
    return render(f"{case.program.name}申请审批表", story)


# ---- 审核确认决定书、不予确认通知书 ------------------------------------------------------------------------------

def _basis(case: Case) -> str:
    """The programme's legal basis (Program.legal_basis), with its Chongqing addition for a Chongqing-rule case."""
    program = case.program
    basis = program.legal_basis or INTERIM
    if program.legal_basis_chongqing and case.variant == CHONGQING:
        basis += f"、{program.legal_basis_chongqing}"
    return basis


def decision_pdf(case: Case) -> bytes:
    """审核确认决定书: the amount, the start month and the legal basis."""
    st, width = styles(), A4[0] - 30 * mm
    confirmation = case.application.calculation.get("confirmation") or {}
    start = case.enrolment.start_month if case.enrolment_id else None
    amount = f"{case.application.monthly_amount:.2f}" if case.application.monthly_amount is not None else "—"
    subject = case.person.name if case.person_id else (case.applicant.name if case.applicant_id else "")
    story = [*_number(case, "decision"), _p(f"{subject}：", st.body),
             _p(f"你（户）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的{case.program.name}申请，经入户调查、"
                f"信息核对、初审和公示，依据{_basis(case)}，决定如下：", st.body),
             _p(f"准予纳入{case.program.name}，自{start:%Y年%m月}起每月发放 {amount} 元。" if start else
                f"准予纳入{case.program.name}，月发放金额 {amount} 元。", st.body),
             _p("金额计算：", st.heading)]
    story += _calculation_story(confirmation) if confirmation else [_p("—", st.body)]
    story += [Spacer(1, 3 * mm),
              _p("享受期间家庭人口、收入、财产状况发生变化的，应当及时告知乡镇人民政府（街道办事处）；"
                 "民政部门将按规定定期核查，并根据核查结果调整待遇。", st.body),
              _p(REVIEW_RIGHTS, st.body)]
    story += _seal(case)
    rows = [["案件编号", case.pk, "享受记录编号", case.enrolment_id or "—"]]
    if case.application.certificate_number:
        rows.append([f"{certificate_name(case.program_id)}编号", case.application.certificate_number, "", ""])
    story.append(_table(rows, [width * 0.2, width * 0.3, width * 0.2, width * 0.3], header=False))
    return render("审核确认决定书", story)


def rejection_pdf(case: Case) -> bytes:
    """不予确认通知书: the written reasons and the right to apply for review or appeal."""
    st = styles()
    subject = case.person.name if case.person_id else (case.applicant.name if case.applicant_id else "")
    story = [*_number(case, "rejection"), _p(f"{subject}：", st.body),
             _p(f"你（户）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的{case.program.name}申请，经审核，"
                f"决定不予确认。", st.body),
             _p("不予确认的理由：", st.heading), _p(case.application.decision_reasons or "—", st.body),
             _p(f"依据：{_basis(case)}。", st.body), _p(REVIEW_RIGHTS, st.body)]
    return render("不予确认通知书", story + _seal(case))


# ---- 公示名单 -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeRow:
    """One line of the public list: nothing but what 第二十四条 allows."""

    name: str
    household_size: str
    monthly_amount: str
    program: str


def notice_rows(notices: list[PublicNotice]) -> list[NoticeRow]:
    return [NoticeRow(name=str(n.content.get("name", "")),
                      household_size=str(n.content.get("household_size") or "—"),
                      monthly_amount=str(n.content.get("monthly_amount") or "—"),
                      program=str(n.content.get("program", ""))) for n in notices]


def notice_list_pdf(*, title: str, period: str, place: str, rows: list[NoticeRow]) -> bytes:
    """公示名单: 序号, 项目, 姓名, 家庭人数, 金额 — no ID number, no address."""
    st, width = styles(), A4[0] - 30 * mm
    table = [["序号", "项目", "姓名", "家庭人数", "金额（元/月）"]]
    table += [[index, row.program, row.name, row.household_size, row.monthly_amount]
              for index, row in enumerate(rows, start=1)]
    story = [_p(f"公示期：{period}", st.body),
             _table(table, [width * w for w in (0.08, 0.34, 0.2, 0.16, 0.22)]),
             Spacer(1, 3 * mm), _p(NOTICE_RULE, st.small),
             _p(f"如对以上公示对象有异议，请在公示期内向{place}反映（可匿名）。", st.body)]
    return render(title, story)
