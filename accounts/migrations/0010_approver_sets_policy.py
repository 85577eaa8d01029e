"""Grant ("policy", "change") to the district approver (accounts/roles.py): a district approver or officer sets
a standard with `POST /api/programs/{code}/parameters/`; the re-rating it causes waits for confirmation."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.get_or_create(role_id="district_approver", resource="policy",
                                                              action="change")


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(role_id="district_approver", resource="policy",
                                                       action="change").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_bank_account_grants")]
    operations = [migrations.RunPython(seed, unseed)]
