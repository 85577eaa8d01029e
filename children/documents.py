"""The adoption registration certificate (收养登记证, PDF), rendered with the assistance documents' page and CJK
font (`assistance.documents.render`). Full ID numbers are printed (it is the legal certificate): the view that
serves it checks the grant and writes an export AccessLog row."""

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from assistance.documents import district_name, render, styles
from children.models import Adoption


def _cell(text) -> Paragraph:
    return Paragraph(escape(str(text or "—")), styles().cell)


def _person_rows(role: str, person) -> list[list]:
    if person is None:
        return []
    birth = f"{person.birth_date:%Y年%m月%d日}" if person.birth_date else "—"
    return [[_cell(role), _cell(person.name), _cell(person.get_sex_display() or "—"), _cell(birth),
             _cell(person.id_number or person.other_document or "—")]]


def certificate_pdf(adoption: Adoption) -> bytes:
    if adoption.status != Adoption.Status.REGISTERED:
        raise ValueError("不予登记的收养申请没有收养登记证")
    rows = [[_cell(h) for h in ("", "姓名", "性别", "出生日期", "身份证件号码")]]
    rows += _person_rows("收养人", adoption.adopter) + _person_rows("收养人配偶", adoption.spouse)
    rows += _person_rows("被收养人", adoption.child)
    table = Table(rows, colWidths=[28 * mm, 30 * mm, 16 * mm, 36 * mm, 70 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    checks = [[_cell(c["article"]), _cell(c["label"]), _cell("人口库" if c["basis"] == "registry" else "声明与证明"),
               _cell(c["detail"])] for c in adoption.checks]
    check_table = Table([[_cell(h) for h in ("条款", "条件", "审查依据", "审查结果")], *checks],
                        colWidths=[36 * mm, 62 * mm, 22 * mm, 60 * mm])
    check_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    s = styles()
    issuer = f"{district_name(adoption.area_id)}民政局"
    story = [
        Paragraph(escape(f"字号：{adoption.certificate_number}"), s.right),
        Paragraph(escape(f"经审查，本次收养符合《中华人民共和国民法典》规定的收养条件，准予登记，收养关系自登记之日"
                         f"（{adoption.registered_on:%Y年%m月%d日}）起成立（第一千一百零五条）。"), s.body),
        table, Spacer(1, 4 * mm), Paragraph("法定条件审查", s.heading), check_table, Spacer(1, 10 * mm),
        Paragraph(escape(f"登记机关：{issuer}（收养登记专用章）"), s.right),
        Paragraph(escape(f"登记日期：{adoption.registered_on:%Y年%m月%d日}"), s.right),
    ]
    return render("收养登记证", story)
