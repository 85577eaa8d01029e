"""Seed the rules still missing (issue 5) and the 高龄津贴 programme with placeholder amounts.

- `pension_income_above_standard`: a 人社 pension/salary (monthly amount) that lifts the household's per-capita
  income to or above its 低保 standard → re-check (the town's task plus a re-check of the enrolment, action
  "recheck"). At or above the standard a household is not eligible (programs.calculations: per-capita ≥
  standard refuses).
- `medical_not_enrolled` narrowed to households near the line: per-capita income below bianyuan_multiplier ×
  低保 standard (only if the seeded condition was not edited since).
- 高龄津贴 (`gaoling`, per person): amounts are set by each 区县 (RULES.md §4, S15); 沙坪坝's are not found, so the
  大渡口 example (渡民发〔2025〕6号: 25 / 100 / 500) is seeded for the district as an unverified placeholder.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import migrations

ANY_ASSISTANCE = ["dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu"]
OLD_MEDICAL = {"all": [{"field": "payload.out_of_pocket", "op": ">=", "param": "medical_warning_threshold"},
                       {"not_enrolled_in": ANY_ASSISTANCE}]}
NEAR_LINE = {"household_income": {"op": "<", "times": "dibao_bianyuan:bianyuan_multiplier"}}
NEW_MEDICAL = {"all": [*OLD_MEDICAL["all"], NEAR_LINE]}
INCOME_RULE = {
    "code": "pension_income_above_standard", "name": "养老金或工资使低保家庭人均收入达到低保标准",
    "feed_type": "pension",
    "condition": {"all": [{"enrolled_in": ["dibao"]},
                          {"household_income": {"op": ">=", "add": "payload.monthly_amount"}}]},
    "warning_type": "no_longer_eligible", "severity": 2, "handling_level": "town", "deadline_working_days": 10,
    "action": "recheck", "advice": "核实收入变化并复核；就业增收超过标准的可按规定给予渐退期", "active": True,
    "note": "家庭现有收入加上本条月发放金额后的人均收入与低保标准比较；该收入若已在家庭收入中登记会被重复计入，由复核认定",
}
GAOLING = {"name": "高龄津贴", "unit": "person", "calculator": "gaoling", "eligibility": "gaoling", "recurring": True,
           "sort": 60, "description": "年满80周岁的重庆户籍老年人，免申即享（数据核查后自动纳入并告知）；"
                                      "分80–89岁、90–99岁、100岁及以上三档，金额由各区县确定。"
                                      "依据《重庆市高龄津贴免申即享发放管理办法》（市民政局，2025-11-20）。"}
SOURCE = "RULES.md §4 高龄津贴（S15《重庆市高龄津贴免申即享发放管理办法》：金额由各区县确定）"
NOTE = ("占位值：本区金额未找到，暂按大渡口区（渡民发〔2025〕6号，2025-01-01起）示例值"
        "80–89岁25元、90–99岁100元、100岁及以上500元，请按本区文件更正")
AMOUNTS = [("gaoling_80_89", "25"), ("gaoling_90_99", "100"), ("gaoling_100", "500")]


def _district() -> str:
    return f"{settings.MINZHENG_DISTRICT_CODE}".ljust(12, "0")


def seed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    fields = {k: v for k, v in INCOME_RULE.items() if k != "code"}
    Rule.objects.get_or_create(code=INCOME_RULE["code"], defaults=fields)
    Rule.objects.filter(code="medical_not_enrolled", condition=OLD_MEDICAL).update(
        condition=NEW_MEDICAL, name="大额医疗自付且收入接近低保标准未纳入救助",
        note="阈值为政策参数 medical_warning_threshold（未核实）；收入接近低保标准 = 人均收入低于低保边缘认定标准")
    if not Program.objects.filter(code="gaoling").exists():
        Program.objects.create(code="gaoling", **GAOLING)
    for key, value in AMOUNTS:
        if not PolicyParameter.objects.filter(program_id="gaoling", key=key).exists():
            PolicyParameter.objects.create(program_id="gaoling", key=key, area_code=_district(), value=Decimal(value),
                                           valid_from=date(2025, 1, 1), verified=False, source=SOURCE, note=NOTE)


def unseed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    Rule.objects.filter(code=INCOME_RULE["code"], warnings__isnull=True).delete()
    Rule.objects.filter(code="medical_not_enrolled", condition=NEW_MEDICAL).update(condition=OLD_MEDICAL)
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program_id="gaoling", created_by__isnull=True, source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_rule_action_recheck"), ("monitoring", "0002_seed_rules_and_threshold"),
                    ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
