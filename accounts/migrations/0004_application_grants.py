"""Grants for assistance applications and close-relative declarations (accounts/roles.py APPLICATION_GRANTS)."""

from django.db import migrations


def seed(apps, schema_editor):
    from accounts.roles import APPLICATION_GRANTS

    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in APPLICATION_GRANTS.items()
         for resource, actions in resources.items()
         for action in actions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_assistance_grants")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
