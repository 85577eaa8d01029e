"""Figures of the grounds issue 12 adds: three refusals of suitable work (counted over 12 months, a window the
national text does not fix) reduce that member's share; a 刚性支出困难 recognition is valid 12 months, so its
re-check falls 12 months after recognition whatever the household's kind (the programme's own recheck rows win
over the general ones, assistance.rechecks.interval_parameter)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
DIBAO = "《最低生活保障审核确认办法》（民政部，2021）动态管理"
GANGXING = "《刚性支出困难家庭认定办法》（民政部，民发〔2024〕57号）：认定有效期不超过12个月"

# program, key, value, valid_from, source, verified, note
ROWS = [
    (None, "work_refusal_limit", 3, date(2021, 7, 1), DIBAO, True,
     "无正当理由拒绝介绍的就业次数达到该数时，减发或停发其本人的低保金"),
    (None, "work_refusal_window_months", 12, date(2021, 7, 1), "本区执行口径（原文未规定统计期间）", False,
     "拒绝就业次数的统计期间（月）：测算月及之前的月数"),
    *[("gangxing_zhichu", key, 12, date(2025, 1, 1), GANGXING, True, "有效期满前复核，不再按家庭类别间隔")
      for key in ("recheck_months_stable", "recheck_months_unstable", "recheck_months_unemployed_urban",
                  "recheck_months_unemployed_rural")],
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    Program = apps.get_model("programs", "Program")
    for program, key, value, start, source, verified, note in ROWS:
        if program and not Program.objects.filter(pk=program).exists():
            continue
        if not PolicyParameter.objects.filter(program_id=program, key=key, area_code=CQ).exists():
            PolicyParameter.objects.create(program_id=program, key=key, area_code=CQ, value=Decimal(value),
                                           valid_from=start, source=source, verified=verified, note=note)


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for program, key, *_ in ROWS:
        PolicyParameter.objects.filter(program_id=program, key=key, area_code=CQ, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0013_work_refusal"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
