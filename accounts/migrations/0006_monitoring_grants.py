"""Grants for tasks, warnings, department feeds and rules (accounts/roles.py MONITORING_GRANTS)."""

from django.db import migrations


def seed(apps, schema_editor):
    from accounts.roles import MONITORING_GRANTS

    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in MONITORING_GRANTS.items()
         for resource, actions in resources.items()
         for action in actions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_recheck_and_notice_grants")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
