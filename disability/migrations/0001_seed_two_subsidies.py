"""Seed the two disability subsidies (残疾人两项补贴) as programmes, their amounts by period and their exclusions.

RULES.md §4 (S14): 渝民发〔2021〕15号 (2021-12-10) sets who qualifies; from 2026-01-01 生活补贴 100, 护理补贴 一级 110
/ 二级 100 (市民政局 2025-12-30, "+10"), so 生活补贴 90 before; the pre-2026 护理 amounts are not known. Every
figure is `verified=False`: the 2026 amounts and the 2021 document were read only as cited in a public
compilation, and the pre-2026 护理 amounts are placeholders. Both subsidies may be received together; neither with
特困人员救助供养 (`excludes`, both ways round); the care subsidy not with 工伤保险生活护理费 (the officer's input
`work_injury_care`, see disability.rules). `auto_enrol` (免申即享) is the district's choice per subsidy: 0 = the
monthly coverage check warns the community worker (政策找人), 1 = it enrols the people found (disability.coverage).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import migrations

CQ = "500000000000"
RULE_2021 = "渝民发〔2021〕15号（S14，经公开汇编转引，未读原文）"
AMOUNTS_2026 = "市民政局2025-12-30发布的2026年标准（S14，经公开汇编转引，未读原文）"
BEFORE_NOTE = "推定：2026年标准“各提高10元”倒推；起始日期取渝民发〔2021〕15号发文次月，原文未核实"
PLACEHOLDER_NOTE = "占位值：2026年以前的护理补贴标准未找到（RULES.md §4、§10），请按原文更正"
START, CHANGE, END = date(2022, 1, 1), date(2026, 1, 1), date(2025, 12, 31)
COMMON = {"unit": "person", "recurring": True, "workflow": "", "start_month": "approval", "means_tested": False,
          "legal_basis": "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）、"
                         "渝民发〔2021〕15号"}
PROGRAMS = {
    "disability_living": {
        **COMMON, "name": "困难残疾人生活补贴", "calculator": "disability_living",
        "eligibility": "disability_living", "sort": 70, "quote_inputs": [],
        "ceiling": {"per_person": {}, "fixed": ["living_allowance"], "label": "困难残疾人生活补贴标准"},
        "description": "低保家庭中持有残疾人证的成员；按月发放，可与重度残疾人护理补贴同时享受，不与特困人员救助供养"
                       "同时享受。依据渝民发〔2021〕15号。",
    },
    "disability_care": {
        **COMMON, "name": "重度残疾人护理补贴", "calculator": "disability_care", "eligibility": "disability_care",
        "sort": 80, "quote_inputs": ["work_injury_care"],
        "ceiling": {"per_person": {}, "fixed": ["care_grade1"], "label": "重度残疾人护理补贴标准（一级）"},
        "description": "持有一级、二级残疾人证的重度残疾人；按月发放，可与困难残疾人生活补贴同时享受，不与特困人员"
                       "救助供养、工伤保险生活护理费同时享受。依据渝民发〔2021〕15号。",
    },
}
# program, key, before 2026 (value, note), from 2026 value
AMOUNTS = [
    ("disability_living", "living_allowance", "90", BEFORE_NOTE, "100"),
    ("disability_care", "care_grade1", "100", PLACEHOLDER_NOTE, "110"),
    ("disability_care", "care_grade2", "90", PLACEHOLDER_NOTE, "100"),
]
AUTO_ENROL_SOURCE = "区民政局设定：两项补贴是否免申即享（0 = 政策找人，提醒村社区经办人；1 = 自动纳入）"


def _district() -> str:
    return f"{settings.MINZHENG_DISTRICT_CODE}".ljust(12, "0")


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for code, fields in PROGRAMS.items():
        Program.objects.update_or_create(code=code, defaults=fields)
        # Historical models do not mirror a symmetrical self-relation, so both directions are added.
        if Program.objects.filter(code="tekun").exists():
            Program.objects.get(code=code).excludes.add("tekun")
            Program.objects.get(code="tekun").excludes.add(code)
    for program, key, before, note, after in AMOUNTS:
        if PolicyParameter.objects.filter(program_id=program, key=key).exists():
            continue
        PolicyParameter.objects.create(program_id=program, key=key, area_code=CQ, value=Decimal(before),
                                       valid_from=START, valid_to=END, source=RULE_2021, verified=False, note=note)
        PolicyParameter.objects.create(program_id=program, key=key, area_code=CQ, value=Decimal(after),
                                       valid_from=CHANGE, source=AMOUNTS_2026, verified=False,
                                       note="“各提高10元”后的标准，自2026年1月1日起")
    for program in PROGRAMS:
        if not PolicyParameter.objects.filter(program_id=program, key="auto_enrol").exists():
            PolicyParameter.objects.create(program_id=program, key="auto_enrol", area_code=_district(),
                                           value=Decimal(0), valid_from=START, source=AUTO_ENROL_SOURCE, verified=True,
                                           note="本区选择：默认0（政策找人）")


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(program_id__in=list(PROGRAMS)).delete()
    apps.get_model("programs", "Program").objects.filter(code__in=list(PROGRAMS)).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_program_means_tested"), ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
