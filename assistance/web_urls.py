"""Page URLs of social assistance (社会救助页面), mounted at /assistance/ by web/urls.py. Names are stable."""

from django.urls import path

from assistance.views import cases, chain, enrolments, pdf, queue, quote, rechecks, search, spot_checks

urlpatterns = [
    path("", queue.work_queue, name="assistance-queue"),
    path("overdue/", queue.overdue, name="assistance-overdue"),
    path("search/", search.case_search, name="assistance-search"),
    path("apply/", cases.apply, name="assistance-apply"),
    # 急难发生地救助登记: a non-resident (no household here) helped where the emergency happened.
    path("apply/nonresident/", cases.nonresident_apply, name="assistance-nonresident"),
    path("quote/", quote.quote_page, name="assistance-quote"),
    path("households/autocomplete/", cases.household_autocomplete, name="assistance-household-autocomplete"),
    path("households/<int:pk>/chain/", chain.household_chain, name="assistance-household-chain"),
    path("cases/<int:pk>/", cases.case_show, name="assistance-case"),
    path("cases/<int:pk>/do/<slug:action>/", cases.case_action, name="assistance-case-action"),
    path("cases/<int:pk>/pdf/<slug:kind>/", pdf.case_pdf, name="assistance-case-pdf"),
    # 公示名单: one notice by id, or an area's notices running on a day (?area=&date=); one name, two shapes.
    path("notices/<int:pk>/pdf/", pdf.notice_pdf, name="assistance-notice-pdf"),
    path("notices/pdf/", pdf.notice_pdf, name="assistance-notice-pdf"),
    # 长期公示名单: current recipients of an area (?area=&date=), name + 人数 + 金额 only.
    path("roster/pdf/", pdf.roster_pdf, name="assistance-roster-pdf"),
    path("spot-checks/", spot_checks.spot_check_list, name="assistance-spot-checks"),
    path("spot-checks/<int:pk>/cases/<int:case_id>/result/", spot_checks.spot_check_result,
         name="assistance-spot-check-result"),
    path("rechecks/<int:pk>/", rechecks.recheck_show, name="assistance-recheck"),
    # 享受对象办理: 拒绝就业登记, 特困重新评估, 终止公示 (issue, print, end after it, withdraw).
    path("enrolments/<int:pk>/", enrolments.enrolment_show, name="assistance-enrolment"),
    path("enrolments/<int:pk>/do/<slug:action>/", enrolments.enrolment_action, name="assistance-enrolment-action"),
    path("enrolments/<int:pk>/termination/<int:notice_pk>/end/", enrolments.termination_end,
         name="assistance-termination-end"),
    path("enrolments/<int:pk>/termination/<int:notice_pk>/withdraw/", enrolments.termination_withdraw,
         name="assistance-termination-withdraw"),
    path("enrolments/<int:pk>/termination/<int:notice_pk>/pdf/", enrolments.termination_pdf,
         name="assistance-termination-pdf"),
]
