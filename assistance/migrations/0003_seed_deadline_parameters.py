"""Seed the time limits of the application workflows as policy parameters, with their sources (RULES.md §1–3).

Working days (_wd) unless the key says days (publicity_days: calendar days of the 公示). Figures that no
primary text gives for a programme are loaded as the 低保 figure, marked unverified (verified=False) with a
note, so the page shows 未核实 until a district officer confirms or corrects them.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"  # 重庆市: the rows apply to every division of the city
NATIONAL_FROM = date(2021, 7, 1)  # 《最低生活保障审核确认办法》《特困人员认定办法》 in force
CQ_FROM = date(2016, 5, 1)  # 《重庆市城乡居民最低生活保障条例》（2016年修订）in force
GANGXING_FROM = date(2025, 1, 1)  # 《刚性支出困难家庭认定办法》 in force

DIBAO = "《最低生活保障审核确认办法》（民政部，2021）"
CQ_DIBAO = "《重庆市城乡居民最低生活保障条例》（2016年修订）"
TEKUN = "《特困人员认定办法》（民政部，2021）"
GANGXING = "《刚性支出困难家庭认定办法》（民发〔2024〕57号）"

# key, value, valid_from, source, note
DIBAO_ROWS = [
    ("deadline_investigation_start_wd", 3, NATIONAL_FROM, f"{DIBAO}第十五条", "受理后3个工作日内启动家庭经济状况调查"),
    ("deadline_confirm_wd", 10, NATIONAL_FROM, f"{DIBAO}第二十条", "县级民政部门自收到初审材料之日起10个工作日内审核确认"),
    ("deadline_overall_wd", 30, NATIONAL_FROM, f"{DIBAO}第二十二条",
     "自受理之日起30个工作日内办结；重庆条例第十九条为30日且不含评议、公示期间，本平台按全国规则计工作日"),
    ("deadline_overall_extended_wd", 45, NATIONAL_FROM, f"{DIBAO}第二十二条", "特殊情况可延长至45个工作日，须记录理由"),
    ("publicity_days", 7, NATIONAL_FROM, f"{DIBAO}第十九条", "在村（居）公示7天"),
    ("publicity_days_after_objection", 3, CQ_FROM, f"{CQ_DIBAO}第十八条", "异议复查结果公示3日（重庆规则）"),
]
TEKUN_ROWS = [
    ("deadline_town_review_wd", 15, NATIONAL_FROM, TEKUN, "乡镇（街道）15个工作日内提出初审意见；异议成立的15个工作日内重新初审"),
    ("deadline_confirm_wd", 15, NATIONAL_FROM, TEKUN, "县级民政部门15个工作日内作出确认决定"),
    ("publicity_days", 7, NATIONAL_FROM, TEKUN, "公示7天"),
]
GANGXING_VERIFIED = [
    ("deadline_overall_wd", 30, GANGXING_FROM, GANGXING, "县级民政部门30个工作日内作出认定"),
    ("deadline_overall_extended_wd", 45, GANGXING_FROM, GANGXING, "人户分离、情况复杂的可延长至45个工作日"),
]
BORROWED = "未找到该项目的办理时限，参照低保（{source}），未核实"


def _rows(PolicyParameter):
    for key, value, start, source, note in DIBAO_ROWS:
        yield PolicyParameter(program_id="dibao", key=key, value=Decimal(value), valid_from=start, source=source,
                              note=note)
    for key, value, start, source, note in TEKUN_ROWS:
        yield PolicyParameter(program_id="tekun", key=key, value=Decimal(value), valid_from=start, source=source,
                              note=note)
    for key, value, start, source, note in GANGXING_VERIFIED:
        yield PolicyParameter(program_id="gangxing_zhichu", key=key, value=Decimal(value), valid_from=start,
                              source=source, note=note)
    verified_gangxing = {row[0] for row in GANGXING_VERIFIED}
    for program in ("dibao_bianyuan", "gangxing_zhichu", "linshi"):
        for key, value, start, source, _ in DIBAO_ROWS:
            if program == "gangxing_zhichu" and key in verified_gangxing:
                continue
            yield PolicyParameter(program_id=program, key=key, value=Decimal(value), valid_from=start,
                                  source=source, verified=False, note=BORROWED.format(source=source))


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    rows = []
    for row in _rows(PolicyParameter):
        row.area_code = CQ
        # Re-running on a database that already has a row for the key keeps the officer's value.
        if not PolicyParameter.objects.filter(program_id=row.program_id, key=row.key, area_code=CQ).exists():
            rows.append(row)
    PolicyParameter.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    keys = {row[0] for row in DIBAO_ROWS + TEKUN_ROWS}
    PolicyParameter.objects.filter(key__in=keys, area_code=CQ, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_initial"), ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
