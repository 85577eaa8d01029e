"""特困 figures the spot check, the re-assessment and the termination notice read, and the grants on the spot
check (特困认定抽查: the district draws and records; leaders and administrators read)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
FROM = date(2021, 7, 1)
TEKUN = "《特困人员认定办法》（民政部，2021）"

# program, key, value, source, verified, note
ROWS = [
    ("tekun", "tekun_spot_check_rate", "0.30", f"{TEKUN}：县级民政部门对乡镇（街道）初审案件抽查比例不低于30%", True,
     "抽查比例（小数）"),
    ("tekun", "tekun_reassessment_wd", "10", f"{TEKUN}：生活自理能力发生变化的，县级民政部门10个工作日内重新评估", True,
     "重新评估期限（工作日）"),
    (None, "termination_notice_days", "7", f"{TEKUN}：终止救助供养前在村（社区）公示7天", False,
     "终止公示天数；用于其他项目时为借用特困规定，未核实"),
]
GRANTS = {"district_officer": ("view", "add"), "district_approver": ("view", "add"), "leader": ("view",),
          "admin": ("view",)}


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    Program = apps.get_model("programs", "Program")
    for program, key, value, source, verified, note in ROWS:
        if program and not Program.objects.filter(pk=program).exists():
            continue
        if not PolicyParameter.objects.filter(program_id=program, key=key, area_code=CQ).exists():
            PolicyParameter.objects.create(program_id=program, key=key, area_code=CQ, value=Decimal(value),
                                           valid_from=FROM, source=source, verified=verified, note=note)
    Grant = apps.get_model("accounts", "Grant")
    present = set(apps.get_model("accounts", "Role").objects.values_list("pk", flat=True))
    for role, actions in GRANTS.items():
        if role in present:
            for action in actions:
                Grant.objects.get_or_create(role_id=role, resource="spot_check", action=action)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(
        key__in=[row[1] for row in ROWS], area_code=CQ, created_by__isnull=True).delete()
    apps.get_model("accounts", "Grant").objects.filter(resource="spot_check").delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0011_tekun_spot_check_and_termination_notice"),
                    ("accounts", "0010_approver_sets_policy"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
