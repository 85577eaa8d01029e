"""Add the grants of accounts/roles.py that 0002 did not have (policy parameters, enrolments).

Only missing rows are added: grants an administrator removed since are not put back by later runs of 0002,
but this migration runs once, when these resources first exist.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from accounts.roles import DEFAULT_GRANTS

    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in DEFAULT_GRANTS.items()
         for resource, actions in resources.items() if resource in ("policy", "enrolment")
         for action in actions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
