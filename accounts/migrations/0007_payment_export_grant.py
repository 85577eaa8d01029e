"""Grant ("payment", "export") — generate and download bank disbursement files (银行代发文件), which carry full
account and ID numbers — to the district officer (accounts/roles.py PAYMENT_GRANTS)."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.get_or_create(role_id="district_officer", resource="payment",
                                                              action="export")


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(resource="payment", action="export").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_monitoring_grants"), ("payments", "0002_seed_change_share_and_grants")]
    operations = [migrations.RunPython(seed, unseed)]
