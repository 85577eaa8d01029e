"""Printed letters about an enrolment or a case beyond the application's own documents (assistance.documents):
the 终止公示 posted in the village/community before a termination (《特困人员认定办法》: 公示7天).

Like assistance.documents, the functions take records the caller may see and return PDF bytes; the view checks
the grant and logs the export."""

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

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


def nonresident_report_pdf(case) -> bytes:
    """救助情况通报函 to the home district (户籍地) of a non-resident helped at the place of emergency: who, what
    happened, the amount and the date of the 先行救助, and who to contact. It carries the full ID number — the home
    bureau must identify the person — so printing it is a logged export (the view logs it)."""
    from assistance.documents import _number, _seal, _table, area_path
    from assistance.nonresident import nonresident_emergency, nonresident_hukou
    from programs.calculations.money import money

    st = styles()
    person = case.person
    home_name, home_code = nonresident_hukou(case, timezone.localdate())
    home = f"{home_name}（{home_code}）" if home_code else home_name
    emergency = nonresident_emergency(case)
    paid_on = case.application.advance_approved_on
    amount = money(case.application.monthly_amount) if case.application.monthly_amount is not None else "—"
    rows = [["姓名", "身份证号", "户籍地", "联系电话", "急难发生地", "救助类型", "救助金额（元）", "审批日期"],
            [person.name, person.id_number or "—", home, person.phone or "—", area_path(case.area), "急难型临时救助",
             amount, f"{paid_on:%Y-%m-%d}" if paid_on else "审批中"]]
    width = A4[0] - 30 * mm
    story = [*_number(case, "report"), _p(f"{home_name}民政部门：" if home_code else "户籍地民政部门：", st.body),
             _p(f"你地户籍居民{person.name}在我区{area_path(case.area)}遭遇急难，经申请，我局按照急难型临时救助"
                "“先行救助”的规定在急难发生地给予临时救助（《关于进一步加强和改进临时救助工作的意见》），"
                "有关手续事后补充。现将救助情况通报如下，请纳入该居民的救助帮扶记录，并视情跟进后续帮扶。", st.body),
             *([_p(f"急难情形：{emergency}", st.body)] if emergency else []),
             _table(rows, [width * w for w in (0.08, 0.22, 0.13, 0.12, 0.13, 0.1, 0.1, 0.12)])]
    return render("临时救助情况通报函", story + _seal(case))
