"""探访完成率 is computed now (carevisits/indicators.py): its row becomes collected, defined over the roster."""

from django.db import migrations

CODE = "elderly_visits_against_plan"


def collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code=CODE).update(
        status="collected", name="特殊困难老年人探访完成率",
        definition="当月上门探访和电话探访（已联系到本人）次数占探访名册人员计划次数（每周计划×当月已过周数）的比例。")


def not_collected(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code=CODE).update(
        status="not_collected", name="独居老人探访完成率")


class Migration(migrations.Migration):
    dependencies = [("carevisits", "0004_compliance_snapshot"), ("indicators", "0002_indicator_definitions")]
    operations = [migrations.RunPython(collected, not_collected)]
