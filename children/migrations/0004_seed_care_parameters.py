"""The follow-up lines of the care records (general parameters, program = None), both unverified local choices:
- guardianship_followup_below = 60: a guardianship assessment (0–100, 本系统监护状况评估表) below it calls for
  follow-up;
- mental_health_followup_at = 17: a mental-health screening at or above it (the SDQ parent-report total
  difficulties score's "abnormal" band starts at 17) calls for follow-up."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
ROWS = [("guardianship_followup_below", "60", "本系统监护状况评估表（百分制，60分以下需跟进；地方自定，未核实）"),
        ("mental_health_followup_at", "17", "长处与困难问卷（SDQ）家长版困难总分17分及以上为异常（未核实）")]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for key, value, source in ROWS:
        if not PolicyParameter.objects.filter(program__isnull=True, key=key).exists():
            PolicyParameter.objects.create(program=None, key=key, area_code=CQ, value=Decimal(value),
                                           valid_from=date(2019, 1, 1), source=source, verified=False)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program__isnull=True, key__in=[k for k, _, _ in ROWS], created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("children", "0003_grants")]
    operations = [migrations.RunPython(seed, unseed)]
