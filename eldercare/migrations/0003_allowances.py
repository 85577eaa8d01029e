"""Allowances (RULES.md §4):

- 高龄津贴 (`gaoling`, the programme monitoring migration 0004 created — its row is kept): the higher amounts for
  低保/特困 members (`gaoling_80_89_assisted`, `gaoling_90_99_assisted`, `gaoling_100_assisted`). 大渡口's own
  figures (渡民发〔2025〕6号, from 2025-01-01, read in the primary text: [V] S16) are seeded for 大渡口区
  (500104) as the worked example: 25 / 100 / 500, 低保/特困 100 / 200 / 600. The installation district's own
  amounts were not found (沙坪坝 [U]): its higher amounts are seeded as the same placeholders, verified=False,
  like the general ones monitoring seeded.
- 养老服务消费补贴 (`yanglao_xiaofei`, new): for people aged 60+ assessed 中度失能 or worse (GB/T 42195 level ≥ 2);
  monthly electronic vouchers worth `voucher_share` (40 %) of a service fee, at most `voucher_cap` (800 yuan) a
  month — a third-party summary of 民政部·财政部 notices (S17), verified=False. Paid as vouchers, so its monthly
  cash amount is 0; what is redeemed is settled through the payroll (eldercare.vouchers).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import migrations

DADUKOU = "500104000000"
DADUKOU_SOURCE = "渡民发〔2025〕6号（大渡口区，2025-01-01起，RULES.md §4 S16）"
DADUKOU_AMOUNTS = [("gaoling_80_89", "25"), ("gaoling_90_99", "100"), ("gaoling_100", "500"),
                   ("gaoling_80_89_assisted", "100"), ("gaoling_90_99_assisted", "200"),
                   ("gaoling_100_assisted", "600")]
DISTRICT_SOURCE = "RULES.md §4 高龄津贴（S15：金额由各区县确定；本区文件未找到）"
DISTRICT_NOTE = ("占位值：本区低保、特困对象高龄津贴金额未找到，暂按大渡口区（渡民发〔2025〕6号）示例值"
                 "80–89岁100元、90–99岁200元、100岁及以上600元，请按本区文件更正")
XIAOFEI = {
    "name": "养老服务消费补贴", "unit": "person", "calculator": "yanglao_xiaofei", "eligibility": "yanglao_xiaofei",
    "recurring": True, "sort": 62, "means_tested": False, "ceiling": {},
    "description": "经老年人能力评估为中度、重度、完全失能的60周岁以上老年人，按月发放电子消费券，"
                   "购买养老服务时按费用的一定比例抵扣，每月有上限；核销后经发放批次结算。",
    "legal_basis": "民政部、财政部关于实施养老服务消费补贴项目的通知（文号未核实）",
}
XIAOFEI_SOURCE = "RULES.md §4 养老服务消费补贴（S17 第三方政策汇编，未核实原文）"
XIAOFEI_PARAMS = [("voucher_share", "0.40", "服务费用的约40%（未核实）"),
                  ("voucher_cap", "800", "每月不超过800元（未核实）"),
                  ("xiaofei_min_level", "2", "能力评估为中度失能（等级2）及以上")]


def _district() -> str:
    return f"{settings.MINZHENG_DISTRICT_CODE}".ljust(12, "0")


def _add(PolicyParameter, program, key, area, value, *, verified, source, note="", valid_from=date(2025, 1, 1)):
    if not PolicyParameter.objects.filter(program_id=program, key=key, area_code=area, valid_to__isnull=True).exists():
        PolicyParameter.objects.create(program_id=program, key=key, area_code=area, value=Decimal(value),
                                       valid_from=valid_from, verified=verified, source=source, note=note)


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    if Program.objects.filter(code="gaoling").exists():
        for key, value in DADUKOU_AMOUNTS:
            _add(PolicyParameter, "gaoling", key, DADUKOU, value, verified=True, source=DADUKOU_SOURCE)
        if _district() != DADUKOU:
            for key, value in DADUKOU_AMOUNTS[3:]:
                _add(PolicyParameter, "gaoling", key, _district(), value, verified=False, source=DISTRICT_SOURCE,
                     note=DISTRICT_NOTE)
    if not Program.objects.filter(code="yanglao_xiaofei").exists():
        Program.objects.create(code="yanglao_xiaofei", **XIAOFEI)
    for key, value, note in XIAOFEI_PARAMS:
        _add(PolicyParameter, "yanglao_xiaofei", key, "500000000000", value, verified=False, source=XIAOFEI_SOURCE,
             note=note, valid_from=date(2025, 1, 1))


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    PolicyParameter.objects.filter(program_id="gaoling", created_by__isnull=True,
                                   source__in=[DADUKOU_SOURCE, DISTRICT_SOURCE]).delete()
    PolicyParameter.objects.filter(program_id="yanglao_xiaofei", created_by__isnull=True).delete()
    apps.get_model("programs", "Program").objects.filter(code="yanglao_xiaofei", enrolments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0002_seed_ability_standard"),
                    ("monitoring", "0004_seed_income_medical_gaoling"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
