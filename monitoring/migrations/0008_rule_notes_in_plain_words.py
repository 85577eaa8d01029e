"""Rule notes in plain words: the seeded notes named parameters and programmes by their codes
(medical_warning_threshold, disability_care, bianyuan_multiplier), which the rules page shows to readers. Only the
seeded wording is replaced; a note an administrator rewrote is left alone."""

from django.db import migrations

WORDS = [
    ("阈值为政策参数 medical_warning_threshold（未核实）", "阈值为政策参数“大额医疗自付预警阈值”（未核实）"),
    ("护理补贴项目（disability_care）尚未建立", "残疾人护理补贴项目尚未建立"),
    ("（bianyuan_multiplier × 低保标准）", "（低保边缘家庭认定标准与低保标准之比 × 低保标准）"),
]


def plain(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    for rule in Rule.objects.all():
        note = rule.note
        for code, words in WORDS:
            note = note.replace(code, words)
        if note != rule.note:
            rule.note = note
            rule.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_medical_threshold_strictly_above")]
    operations = [migrations.RunPython(plain, migrations.RunPython.noop)]
