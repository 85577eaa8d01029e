"""每月发放日 (payment_day) of the monthly cash programmes as policy parameters, for the on-time payment rate.

RULES.md §1.1 (《最低生活保障审核确认办法》Art.25) requires monthly payment through the bank, and seed 001 (annex 1,
item 16) scores the bureau on 未按规定及时足额发放; neither names the day of the month. The rows therefore carry the
programme's configured day (10 by default) marked unverified (未核实) until a district officer confirms the local
rule through `policy_parameter_set`, which keeps the history.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
PROGRAMS = ("dibao", "tekun")
SOURCE = "《最低生活保障审核确认办法》第二十五条（按月通过银行发放）；沙坪坝区2026年工作要点附件1第16项（及时足额发放）"
NOTE = "发放日未见公开文件：默认每月10日（含），请按本区县规定更正"


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for program in Program.objects.filter(code__in=PROGRAMS):
        if PolicyParameter.objects.filter(program=program, key="payment_day").exists():
            continue
        PolicyParameter.objects.create(program=program, key="payment_day", area_code=CQ,
                                       value=Decimal(program.monthly_payment_day), valid_from=date(2021, 7, 1),
                                       source=SOURCE, verified=False, note=NOTE)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(key="payment_day", program_id__in=PROGRAMS).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
