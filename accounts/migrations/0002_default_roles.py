"""Seed the roles and their default grants (accounts/roles.py). Later changes are made in the admin."""

from django.db import migrations


def seed(apps, schema_editor):
    from accounts.roles import DEFAULT_GRANTS, ROLE_NAMES

    Role = apps.get_model("accounts", "Role")
    Grant = apps.get_model("accounts", "Grant")
    for code, name in ROLE_NAMES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name})
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in DEFAULT_GRANTS.items()
         for resource, actions in resources.items()
         for action in actions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
