"""Seed the application workflows' time limits once as general parameters (no programme): the defaults a
programme inherits when it has no row of its own (`programs.selectors.parameter_or_default`).

The figures are those of 《最低生活保障审核确认办法》 (and 《特困人员认定办法》 for the 初审 limit only the 特困
workflow uses). Applied to another programme they are borrowed, so they are marked unverified with a note; a
programme whose rule differs gets its own rows, which win.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
NATIONAL_FROM = date(2021, 7, 1)
CQ_FROM = date(2016, 5, 1)
DIBAO = "《最低生活保障审核确认办法》（民政部，2021）"
CQ_DIBAO = "《重庆市城乡居民最低生活保障条例》（2016年修订）"
TEKUN = "《特困人员认定办法》（民政部，2021）"
NOTE = "办理期限默认值：项目未设本项目参数时适用（{note}），未核实是否适用于该项目"

# key, value, valid_from, source, note
DEFAULTS = [
    ("deadline_investigation_start_wd", 3, NATIONAL_FROM, f"{DIBAO}第十五条", "受理后3个工作日内启动家庭经济状况调查"),
    ("deadline_town_review_wd", 15, NATIONAL_FROM, TEKUN, "乡镇（街道）15个工作日内提出初审意见"),
    ("deadline_confirm_wd", 10, NATIONAL_FROM, f"{DIBAO}第二十条", "县级民政部门自收到初审材料之日起10个工作日内审核确认"),
    ("deadline_overall_wd", 30, NATIONAL_FROM, f"{DIBAO}第二十二条", "自受理之日起30个工作日内办结"),
    ("deadline_overall_extended_wd", 45, NATIONAL_FROM, f"{DIBAO}第二十二条", "特殊情况可延长至45个工作日"),
    ("publicity_days", 7, NATIONAL_FROM, f"{DIBAO}第十九条", "在村（居）公示7天"),
    ("publicity_days_after_objection", 3, CQ_FROM, f"{CQ_DIBAO}第十八条", "异议复查结果公示3日（重庆规则）"),
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    rows = [PolicyParameter(program=None, key=key, area_code=CQ, value=Decimal(value), valid_from=start, source=source,
                            verified=False, note=NOTE.format(note=note))
            for key, value, start, source, note in DEFAULTS
            if not PolicyParameter.objects.filter(program__isnull=True, key=key, area_code=CQ).exists()]
    PolicyParameter.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    PolicyParameter.objects.filter(program__isnull=True, key__in=[row[0] for row in DEFAULTS], area_code=CQ,
                                   created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0007_application"), ("programs", "0006_seed_program_configuration")]
    operations = [migrations.RunPython(seed, unseed)]
