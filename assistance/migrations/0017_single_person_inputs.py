"""单人户 (《最低生活保障审核确认办法》第八条): the 低保 programme takes the member and the ground of a single-person
application as quote inputs, so the case, the re-check and the re-rating quote that member alone."""

from django.db import migrations

KEYS = ["single_person", "single_person_ground"]


def add(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.filter(code="dibao"):
        program.quote_inputs = [*program.quote_inputs, *[k for k in KEYS if k not in program.quote_inputs]]
        program.save(update_fields=["quote_inputs"])


def remove(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.filter(code="dibao"):
        program.quote_inputs = [k for k in program.quote_inputs if k not in KEYS]
        program.save(update_fields=["quote_inputs"])


class Migration(migrations.Migration):
    dependencies = [("assistance", "0016_seed_farming_income_average"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(add, remove)]
