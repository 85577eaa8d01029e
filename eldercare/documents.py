"""老年人能力评估报告 (PDF): the person, the assessors, the dimension scores, the total and the level with the
adjustments that produced it. Rendered with the assistance documents' reportlab set-up (the same CJK font
choice and page); the caller checks the grant and logs the export."""

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from assistance.documents import area_path, render, styles
from eldercare.models import Assessment
from eldercare.selectors import items_of, level_name


def _p(text) -> Paragraph:
    return Paragraph(escape(str(text if text not in (None, "") else "—")), styles().cell)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table([[_p(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef"))]))
    return table


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def assessment_report_pdf(assessment: Assessment) -> bytes:
    a, s = assessment, styles()
    person = a.person
    head = [["姓名", person.name, "身份证号", person.masked_id_number],
            ["居住地", area_path(a.area), "评估日期", f"{a.date:%Y-%m-%d}"],
            ["评估原因", a.get_reason_display(), "评估员", f"{_user(a.assessor)}、{_user(a.second_assessor)}"]]
    dims = {d.code: d for d in a.standard.dimensions.all()}
    dim_rows = [["一级指标", "得分", "满分"]] + [[dims[c].name, str(v), str(dims[c].max_score)]
                                           for c, v in a.dimension_scores.items() if c in dims]
    item_rows = [["二级指标", "一级指标", "得分", "最高分"]] + [
        [i.name, i.dimension.name, str(a.scores.get(i.code, "—")), str(i.max_score)] for i in items_of(a.standard)]
    story = [_table(head, [25 * mm, 60 * mm, 25 * mm, 70 * mm]),
             Paragraph("一、一级指标得分", s.heading), _table(dim_rows, [90 * mm, 45 * mm, 45 * mm]),
             Paragraph(f"总分：{a.total}　初步等级：{level_name(a.standard, a.preliminary_level)}", s.body),
             Paragraph("二、等级变更", s.heading),
             Paragraph(escape("；".join(a.adjustments) or "无等级变更情形"), s.body),
             Paragraph(escape(f"疾病诊断：{'、'.join(a.diagnoses) or '无'}；近30天照护风险事件：{a.risk_events_30d}次；"
                              f"昏迷：{'是' if a.coma else '否'}"), s.body),
             Paragraph(f"能力等级：{a.level}（{level_name(a.standard, a.level)}）", s.heading),
             Paragraph(f"下次常规评估：{a.next_due:%Y-%m-%d}前", s.body),
             Paragraph("三、二级指标得分", s.heading), _table(item_rows, [75 * mm, 50 * mm, 25 * mm, 30 * mm]),
             Paragraph(escape(f"评估依据：{a.standard.source}"), s.small)]
    return render("老年人能力评估报告", story)
