"""卡折代管: the default grants (payments/custody/grants.py CUSTODY_GRANTS) and the monthly check's deadline, a
general policy parameter (program = None), unverified: no primary text found fixes when the month's check must be
done, so the default — by the 10th working day of the following month — is a local choice a bureau can change."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
KEY = "custody_check_working_days"
SOURCE = "本地工作约定：次月第10个工作日前完成上月核对（未找到原文规定，未核实）"


def seed(apps, schema_editor):
    from payments.custody.grants import CUSTODY_GRANTS

    Grant = apps.get_model("accounts", "Grant")
    present = set(apps.get_model("accounts", "Role").objects.values_list("pk", flat=True))
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in CUSTODY_GRANTS.items() if role in present
         for resource, actions in resources.items() for action in actions],
        ignore_conflicts=True,
    )
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    if not PolicyParameter.objects.filter(program__isnull=True, key=KEY).exists():
        PolicyParameter.objects.create(program=None, key=KEY, area_code=CQ, value=Decimal("10"),
                                       valid_from=date(2019, 1, 1), source=SOURCE, verified=False)


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(resource="custody").delete()
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program__isnull=True, key=KEY, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0008_bank_card_custody"), ("accounts", "0010_approver_sets_policy"),
                    ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
