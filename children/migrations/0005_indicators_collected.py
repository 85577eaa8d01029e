"""The cockpit's indicators this app now computes (children/indicators.py): their rows become collected."""

from django.db import migrations

CODES = ["minor_protection_station_coverage"]


def collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="collected")


def not_collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="not_collected")


class Migration(migrations.Migration):
    dependencies = [("children", "0004_seed_care_parameters"), ("indicators", "0002_indicator_definitions")]
    operations = [migrations.RunPython(collected, not_collected)]
