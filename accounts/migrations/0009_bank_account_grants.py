"""Grants on bank accounts (银行账户): register or change a payee's account, and confirm a change of a current
payee's account as the second person (accounts/roles.py BANK_ACCOUNT_GRANTS)."""

from django.db import migrations

GRANTS = {
    "community_worker": ("view", "change"),
    "town_officer": ("view", "change", "confirm"),
    "town_reviewer": ("view", "confirm"),
    "district_officer": ("view", "change", "confirm"),
    "district_approver": ("view", "confirm"),
    "leader": ("view",),
    "admin": ("view",),
}


def seed(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    Role = apps.get_model("accounts", "Role")
    present = set(Role.objects.values_list("pk", flat=True))
    for role, actions in GRANTS.items():
        if role in present:
            for action in actions:
                Grant.objects.get_or_create(role_id=role, resource="bank_account", action=action)


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Grant").objects.filter(resource="bank_account").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_api_tokens")]
    operations = [migrations.RunPython(seed, unseed)]
