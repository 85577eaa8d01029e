"""Seed the re-check intervals (定期核查间隔) as general policy parameters, with their sources (RULES.md §1.1–1.2).

General (program = None) so every recurring programme uses them; a programme-specific row with the same key
overrides them for that programme. Months, counted from the start month or the last re-check.

Chongqing 条例第二十六条 puts households with a seriously ill or disabled member whose income is basically
unchanged on a yearly check, households with an income that changes on a six-monthly one, and able-bodied
members not yet in work on a monthly (urban) or quarterly (rural) one; the national 办法 (动态管理, 第三十条至
第三十四条) has the yearly and six-monthly checks.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
NATIONAL = "《最低生活保障审核确认办法》（民政部，2021）第三十条至第三十四条"
CQ_RULE = "《重庆市城乡居民最低生活保障条例》（2016年修订）第二十六条"
NATIONAL_FROM = date(2021, 7, 1)
CQ_FROM = date(2016, 5, 1)

# key, months, valid_from, source, note
ROWS = [
    ("recheck_months_stable", 12, NATIONAL_FROM, f"{NATIONAL}；{CQ_RULE}",
     "收入基本无变化的家庭（如有重病、重残人员且收入基本无变化）每年核查一次"),
    ("recheck_months_unstable", 6, NATIONAL_FROM, f"{NATIONAL}；{CQ_RULE}",
     "收入有变化或来源不固定的家庭每半年核查一次"),
    ("recheck_months_unemployed_urban", 1, CQ_FROM, CQ_RULE, "城市低保家庭中有劳动能力尚未就业的成员，按月核查"),
    ("recheck_months_unemployed_rural", 3, CQ_FROM, CQ_RULE, "农村低保家庭中有劳动能力尚未就业的成员，按季核查"),
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    rows = [PolicyParameter(program=None, key=key, area_code=CQ, value=Decimal(months), valid_from=start,
                            source=source, verified=True, note=note)
            for key, months, start, source, note in ROWS
            # Re-running on a database that already has the key keeps the officer's value.
            if not PolicyParameter.objects.filter(program__isnull=True, key=key, area_code=CQ).exists()]
    PolicyParameter.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    PolicyParameter.objects.filter(program__isnull=True, key__in=[row[0] for row in ROWS], area_code=CQ,
                                   created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0004_recheck"), ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
