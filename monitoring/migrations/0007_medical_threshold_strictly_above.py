"""The medical rule compares as its source words it: 单次住院自付“超过1万元” is strictly more than 10,000, so a
bill of exactly 10,000.00 is not flagged. Only a condition still as seeded (0004) is changed; an edited one is the
district's own decision and is left alone."""

from django.db import migrations

ANY_ASSISTANCE = ["dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu"]
NEAR_LINE = {"household_income": {"op": "<", "times": "dibao_bianyuan:bianyuan_multiplier"}}


def _condition(op: str) -> dict:
    return {"all": [{"field": "payload.out_of_pocket", "op": op, "param": "medical_warning_threshold"},
                    {"not_enrolled_in": ANY_ASSISTANCE}, NEAR_LINE]}


def strictly_above(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    Rule.objects.filter(code="medical_not_enrolled", condition=_condition(">=")).update(condition=_condition(">"))


def at_or_above(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    Rule.objects.filter(code="medical_not_enrolled", condition=_condition(">")).update(condition=_condition(">="))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_warning_keys_without_db_constraints")]
    operations = [migrations.RunPython(strictly_above, at_or_above)]
