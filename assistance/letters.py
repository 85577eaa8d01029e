"""Printed letters about an enrolment or a case beyond the application's own documents (assistance.documents):
the 终止公示 posted in the village/community before a termination (《特困人员认定办法》: 公示7天).

Like assistance.documents, the functions take records the caller may see and return PDF bytes; the view checks
the grant and logs the export."""

from django.utils import timezone

from assistance.documents import _p, district_name, render, styles
from assistance.models import TerminationNotice

TERMINATION_RULE = ("公示期内对终止有异议的，可向乡镇人民政府（街道办事处）或区县民政部门反映；"
                    "公示期满无异议或异议不成立的，自次月起停止发放（《特困人员认定办法》）。")


def termination_notice_pdf(notice: TerminationNotice) -> bytes:
    """终止公示: who, which programme, the ground, the period; the name only (no ID number, no address)."""
    st = styles()
    enrolment = notice.enrolment
    issuer = f"{district_name(notice.area_id)}民政局"
    story = [
        _p(f"经调查核实，{enrolment.person.name}（{enrolment.program.name}）因“{notice.get_ground_display()}”，"
           f"拟终止{enrolment.program.name}待遇。现予公示。", st.body),
        _p(f"具体情况：{notice.reason}", st.body),
        _p(f"公示期：{notice.starts_on:%Y年%m月%d日}至{notice.ends_on:%Y年%m月%d日}（{notice.days}天）。", st.body),
        _p(TERMINATION_RULE, st.body),
        _p(f"天数依据：{notice.basis.get('source', '')}" + ("" if notice.basis.get("verified", True) else "（未核实）"),
           st.small),
        _p(f"{issuer}（盖章）", st.right),
        _p(f"{timezone.localtime(notice.created_at):%Y年%m月%d日}", st.right),
    ]
    return render("终止公示", story)
