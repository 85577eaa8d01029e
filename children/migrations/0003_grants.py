"""Grants for the children's records (children/grants.py CHILDREN_GRANTS). The recognition cases use the
existing `application` grants."""

from django.db import migrations


def seed(apps, schema_editor):
    from children.grants import CHILDREN_GRANTS

    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create(
        [Grant(role_id=role, resource=resource, action=action)
         for role, resources in CHILDREN_GRANTS.items() for resource, actions in resources.items()
         for action in actions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0002_seed_programmes"), ("accounts", "0010_approver_sets_policy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
