"""Grants on indicators (指标): leaders and the bureau's staff view the cockpit; the district officer refreshes the
current month's figures on demand ("run")."""

from django.db import migrations

GRANTS = [("leader", "view"), ("district_officer", "view"), ("district_officer", "run"),
          ("district_approver", "view"), ("admin", "view"), ("admin", "run")]


def seed(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    present = set(apps.get_model("accounts", "Role").objects.values_list("pk", flat=True))
    Grant.objects.bulk_create([Grant(role_id=role, resource="indicator", action=action)
                               for role, action in GRANTS if role in present], ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(resource="indicator").delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_indicator_definitions"), ("accounts", "0010_approver_sets_policy")]
    operations = [migrations.RunPython(seed, unseed)]
