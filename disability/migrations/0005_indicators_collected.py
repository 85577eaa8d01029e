"""The cockpit's indicators this app now computes (disability/indicators.py): their rows become collected."""

from django.db import migrations

CODES = ["disability_living_subsidy_coverage", "disability_care_subsidy_coverage"]


def collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="collected")


def not_collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=CODES).update(status="not_collected")


class Migration(migrations.Migration):
    dependencies = [("disability", "0004_feed_rules"), ("indicators", "0002_indicator_definitions")]
    operations = [migrations.RunPython(collected, not_collected)]
