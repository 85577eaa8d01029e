"""Printable documents: valid PDFs with the right content; the public list shows name, household size and amount
only; a document with personal data is an export — it needs the export grant and is logged."""

from datetime import date

import pytest
from django.urls import reverse

from assistance import documents
from audit.models import AccessLog
from casework.models import PublicNotice
from registry.services import household_update
from tests.assistance_pages.pdftext import pdf_text

pytestmark = pytest.mark.django_db


def _reset_fonts():
    documents.pdf_font.cache_clear()
    documents.styles.cache_clear()


@pytest.fixture
def cid_font(monkeypatch, settings):
    """Render with the built-in CID font, whose text (Chinese included) a test can read back."""
    settings.MINZHENG_PDF_FONT = ""
    monkeypatch.setattr(documents, "FONT_CANDIDATES", [])
    _reset_fonts()
    yield
    _reset_fonts()


def _pdf(client, url: str) -> tuple[bytes, str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    return response.content, pdf_text(response.content)


def _exports():
    return AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT)


def test_application_form_masks_id_numbers_and_is_logged(login, staff, cases, cid_font):
    case = cases.make("confirmed")
    head = case.household.members.get(relation="head").person
    _, text = _pdf(login(staff["town_officer"]), reverse("assistance-case-pdf", args=[case.pk, "form"]))
    assert "申请审批表" in text and head.name in text
    assert head.masked_id_number in text and head.id_number not in text
    for line in ("低保金 = 270.00 × 2", "540.00", "工资性收入", "入户调查人员（签字）", "审核确认"):
        assert line in text, line
    log = _exports().get()
    assert (log.user_id, log.detail["what"], log.detail["filters"]) == (
        staff["town_officer"].pk, f"申请审批表（案件{case.pk}）", {"case": case.pk, "kind": "form"})


def test_decision_notice_states_amount_start_month_and_basis(login, staff, cases, cid_font):
    case = cases.make("confirmed")
    _, text = _pdf(login(staff["district_officer"]), reverse("assistance-case-pdf", args=[case.pk, "decision"]))
    assert "审核确认决定书" in text
    assert "自2026年03月起每月发放 540.00 元" in text
    assert "《最低生活保障审核确认办法》" in text and "《重庆市城乡居民最低生活保障条例》第二十二条" in text
    assert "行政复议" in text and "沙坪坝区民政局（盖章）" in text
    # the 低保证 number issued at confirmation: district code, year of confirmation, the first of the year
    case.application.refresh_from_db()
    assert case.application.certificate_number == f"{case.area_id[:6]}{case.decided_on.year}000001"
    assert f"低保证编号 {case.application.certificate_number}" in text or (
        "低保证编号" in text and case.application.certificate_number in text)
    second = cases.make("confirmed", names=("孙一", "李二"))
    second.application.refresh_from_db()
    assert second.application.certificate_number == f"{case.area_id[:6]}{case.decided_on.year}000002"


def test_rejection_notice_gives_reasons_and_the_right_to_review(login, staff, cases, cid_font):
    case = cases.make("reviewed")
    from assistance.services import application_reject

    application_reject(acting_user=staff["district_approver"], case=case, reasons="家庭月人均收入高于低保标准")
    _, text = _pdf(login(staff["town_officer"]), reverse("assistance-case-pdf", args=[case.pk, "rejection"]))
    assert "不予确认通知书" in text and "家庭月人均收入高于低保标准" in text
    assert "六十日内依法申请行政复议" in text and "六个月内" in text and "行政诉讼" in text


def test_decision_of_an_undecided_case_is_404(login, staff, cases):
    case = cases.make("publicised")
    client = login(staff["town_officer"])
    assert client.get(reverse("assistance-case-pdf", args=[case.pk, "decision"])).status_code == 404
    assert client.get(reverse("assistance-case-pdf", args=[case.pk, "rejection"])).status_code == 404
    assert client.get(reverse("assistance-case-pdf", args=[case.pk, "other"])).status_code == 404
    assert not _exports().exists()


def test_export_needs_the_export_grant(login, staff, cases):
    case = cases.make("confirmed")
    # 领导 reads cases but holds no export grant: refused, and nothing is logged
    response = login(staff["leader"]).get(reverse("assistance-case-pdf", args=[case.pk, "decision"]))
    assert response.status_code == 403 and "无导出权限" in response.content.decode()
    assert not _exports().exists()
    # the approver prints the notices they issue
    issued = login(staff["district_approver"]).get(reverse("assistance-case-pdf", args=[case.pk, "decision"]))
    assert issued.status_code == 200 and _exports().count() == 1


def test_public_notice_list_has_no_id_number_and_no_address(login, staff, cases, cid_font):
    case = cases.make("publicised")
    household_update(acting_user=staff["district_officer"], household=case.household, address="Room-7788 小龙坎正街")
    head = case.household.members.get(relation="head").person
    notice = case.notices.get()
    _, text = _pdf(login(staff["community_worker"]), reverse("assistance-notice-pdf", args=[notice.pk]))
    assert "公示名单" in text and head.name in text and "540.00" in text
    assert "2026年03月02日至2026年03月08日" in text
    for secret in (head.id_number, head.masked_id_number, "500106", "Room-7788", "小龙坎正街"):
        assert secret not in text, secret
    assert not _exports().exists()  # public by law: not an export of personal data


def test_public_notice_list_of_an_area_on_a_day(login, staff, cases, cid_font):
    cases.make("publicised", names=("公示甲",), wage="300.00")
    cases.make("publicised", names=("公示乙", "公示乙妻", "公示乙子"), wage="300.00")
    cases.make("publicised", names=("外镇丙",), wage="300.00", area=cases.families.areas["community_b"])
    withdrawn = cases.make("publicised", names=("撤回丁",), wage="300.00")
    PublicNotice.objects.filter(case=withdrawn).update(status=PublicNotice.Status.WITHDRAWN)
    url = reverse("assistance-notice-pdf") + f"?area={cases.families.areas['town_a']}&date=2026-03-05"
    _, text = _pdf(login(staff["district_officer"]), url)
    assert "小龙坎街道社会救助公示名单" in text
    assert "公示甲" in text and "公示乙" in text and "外镇丙" not in text and "撤回丁" not in text
    assert "470.00" in text and "2010.00" in text  # 770 − 300; (770 − 300 ÷ 3) × 3
    after = reverse("assistance-notice-pdf") + f"?area={cases.families.areas['town_a']}&date=2026-03-20"
    _, later = _pdf(login(staff["district_officer"]), after)
    assert "公示甲" not in later  # the notices had ended by then


def test_notice_list_rows_hold_only_what_the_law_allows(cases):
    case = cases.make("publicised")
    row = documents.notice_rows([case.notices.get()])[0]
    assert set(vars(row)) == {"name", "household_size", "monthly_amount", "program"}
    assert (row.name, row.household_size, row.monthly_amount) == ("赵一", "2", "540.00")


def test_font_falls_back_to_the_builtin_cid_font(monkeypatch, settings):
    settings.MINZHENG_PDF_FONT = ""
    # A missing file and a CFF-outline font (what fonts-noto-cjk ships) are both skipped.
    monkeypatch.setattr(documents, "FONT_CANDIDATES", [
        ("/nonexistent/font.ttf", 0), ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)])
    _reset_fonts()
    try:
        assert documents.pdf_font() == "STSong-Light"
        pdf = documents.notice_list_pdf(title="公示名单", period="2026年", place="街道", rows=[])
        assert pdf.startswith(b"%PDF-") and b"STSong-Light" in pdf
    finally:
        _reset_fonts()


def test_default_font_produces_a_readable_pdf(cases):
    _reset_fonts()
    pdf = documents.application_form_pdf(cases.make("reviewed"))
    text = pdf_text(pdf)
    assert "540.00" in text  # ASCII stays readable with either font
    embedded = b"/FontFile2" in pdf  # a TrueType subset in the file
    assert embedded == (documents.pdf_font() == documents.FONT_NAME)


def test_decision_carries_a_document_number_given_once_and_sequential_per_district_and_year(
        login, staff, cases, cid_font):
    from casework.models import DocumentNumber, DocumentSeries

    first, second = cases.make("confirmed"), cases.make("confirmed", names=("孙三", "李四"))
    client = login(staff["district_officer"])
    year = first.decided_on.year
    _, text = _pdf(client, reverse("assistance-case-pdf", args=[first.pk, "decision"]))
    assert f"沙民救〔{year}〕1号" in text  # 沙坪坝区: the default series, numbered from 1 in the year
    _, again = _pdf(client, reverse("assistance-case-pdf", args=[first.pk, "decision"]))
    assert f"沙民救〔{year}〕1号" in again  # a reprint keeps its number
    district = DocumentNumber.objects.get(case=first).district
    DocumentSeries.objects.create(district=district, kind="decision", template="沙民政发〔{year}〕{seq}号")
    _, other = _pdf(client, reverse("assistance-case-pdf", args=[second.pk, "decision"]))
    assert f"沙民政发〔{year}〕2号" in other
    assert list(DocumentNumber.objects.order_by("seq").values_list("case_id", "seq")) == [(first.pk, 1), (second.pk, 2)]


def test_approval_form_boxes_carry_each_levels_opinion_and_its_own_date(login, staff, cases, cid_font):
    case = cases.make("confirmed")
    review = case.steps.filter(action="review").latest("at")
    _, text = _pdf(login(staff["town_officer"]), reverse("assistance-case-pdf", args=[case.pk, "form"]))
    assert "各级意见与签字" in text and "乡镇（街道）初审意见" in text
    from django.utils import timezone

    assert f"{timezone.localtime(review.at):%Y年%m月%d日}" in text.replace("\n", "")
def test_standing_roster_lists_current_recipients_with_only_what_the_law_publishes(login, staff, cases, cid_font,
                                                                                   clock):
    confirmed = cases.make("confirmed")  # 低保 540.00 for 2 people, paid from March 2026 (Chongqing: 当月)
    other = cases.make("confirmed", names=("外镇甲", "外镇乙"), area=cases.families.areas["community_b"])
    head = confirmed.household.members.get(relation="head").person
    community = confirmed.area_id
    url = reverse("assistance-roster-pdf")
    _, text = _pdf(login(staff["town_officer"]), f"{url}?area={community}&date=2026-03-15")
    assert "长期公示名单" in text and head.name in text and "540.00" in text
    assert head.id_number not in text and head.masked_id_number not in text  # no ID number at all
    assert other.applicant.name not in text  # another town's recipient
    # an ended enrolment leaves the roster
    from programs.services import enrolment_end

    enrolment_end(acting_user=staff["district_officer"], enrolment=confirmed.enrolment, reason="收入超过标准",
                  effective_month=date(2026, 4, 1))
    _, text = _pdf(login(staff["town_officer"]), f"{url}?area={community}&date=2026-04-15")
    assert head.name not in text
