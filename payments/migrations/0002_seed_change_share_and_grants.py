"""Seed the policy parameter of the large-change check and the payment grants.

`payment_change_share`: a line differing from last month's by more than this share is listed for review. The
figure is a placeholder until the bureau's internal-control rule is found (verified=False).
Grants (resource "payment"): district officer view/run (maker), district approver view/approve (checker),
admin and leader view, town and community roles view (restricted to their area's lines).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
GRANTS = [("district_officer", "view"), ("district_officer", "run"), ("district_approver", "view"),
          ("district_approver", "approve"), ("admin", "view"), ("leader", "view"), ("town_officer", "view"),
          ("town_reviewer", "view"), ("community_worker", "view")]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    if not PolicyParameter.objects.filter(program=None, key="payment_change_share", valid_to=None).exists():
        PolicyParameter.objects.create(
            program=None, key="payment_change_share", area_code=CQ, value=Decimal("0.3"),
            valid_from=date(2020, 1, 1), source="区民政局内部控制规定（待定）", verified=False,
            note="占位值：与上月相比变动超过该比例的发放明细列为异常待核实；请按本区内部控制规定更正")
    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create([Grant(role_id=role, resource="payment", action=action) for role, action in GRANTS],
                              ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(key="payment_change_share").delete()
    apps.get_model("accounts", "Grant").objects.filter(resource="payment").delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("accounts", "0005_recheck_and_notice_grants"),
                    ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
