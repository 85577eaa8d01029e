"""Towns change enrolments at re-checks (定期核查); the district approver prints the notices they issue."""

from django.db import migrations

NEW = [("town_officer", "enrolment", "change"), ("district_approver", "export", "run")]


def seed(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.bulk_create([Grant(role_id=r, resource=res, action=a) for r, res, a in NEW], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_application_grants")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
