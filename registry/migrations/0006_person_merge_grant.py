"""The grant to merge duplicate person records (重复登记合并): the district officer and the administrator."""

from django.db import migrations

GRANTS = {"district_officer": ("merge",), "admin": ("merge",)}


def seed(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    present = set(apps.get_model("accounts", "Role").objects.values_list("pk", flat=True))
    for role, actions in GRANTS.items():
        if role in present:
            for action in actions:
                Grant.objects.get_or_create(role_id=role, resource="person", action=action)


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(resource="person", action="merge").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_person_merged_into"), ("accounts", "0010_approver_sets_policy")]
    operations = [migrations.RunPython(seed, unseed)]
