"""Allowances that are not income (不计入收入): 高龄津贴 and 医疗保险待遇 (《特困人员认定办法》: 中央基础养老金, 医保,
优抚金 and 高龄津贴 are not counted; the first and third are seeded by 0002). The category's kind is global, so
they are not counted for 低保 either — as in Chongqing practice; a bureau that counts them changes the row."""

from django.db import migrations

SOURCE = "《特困人员认定办法》（民政部，2021）：高龄津贴、医疗保险待遇等不计入收入"
CATEGORIES = [
    ("gaoling_allowance", "高龄津贴", "excluded", 20),
    ("medical_insurance", "基本医疗保险待遇（报销）", "excluded", 21),
]


def seed(apps, schema_editor):
    IncomeCategory = apps.get_model("registry", "IncomeCategory")
    for code, name, kind, sort in CATEGORIES:
        IncomeCategory.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "source": SOURCE,
                                                                  "sort": sort})


def unseed(apps, schema_editor):
    Income = apps.get_model("registry", "Income")
    codes = [row[0] for row in CATEGORIES]
    if not Income.objects.filter(category_id__in=codes).exists():
        apps.get_model("registry", "IncomeCategory").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_person_merge_grant")]
    operations = [migrations.RunPython(seed, unseed)]
