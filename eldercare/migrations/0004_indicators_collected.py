"""The cockpit's indicators this app now computes (eldercare/indicators.py): their rows become collected."""

from django.db import migrations

CODES = ["elderly_ability_assessment_rate", "nursing_bed_share"]


def collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="collected")


def not_collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="not_collected")


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0003_allowances"), ("indicators", "0002_indicator_definitions")]
    operations = [migrations.RunPython(collected, not_collected)]
