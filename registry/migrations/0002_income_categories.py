"""Income categories (收入类别) with whether they count, citing 《最低生活保障审核确认办法》 Art.13 (RULES.md §1.1)."""

from django.db import migrations

SOURCE = "《最低生活保障审核确认办法》（民政部，2021）第十三条"
CATEGORIES = [
    ("wage", "工资性收入", "counted"),
    ("business", "经营净收入", "counted"),
    ("property", "财产净收入", "counted"),
    ("transfer", "转移净收入", "counted"),
    ("youfu", "优待抚恤金", "excluded"),
    ("family_planning", "计划生育奖励与扶助金", "excluded"),
    ("scholarship", "奖学金", "excluded"),
    ("heroic_award", "见义勇为等奖励性补助", "excluded"),
    ("assistance", "政府发放的各类社会救助款物", "excluded"),
    ("basic_pension", "城乡居民基本养老保险中的基础养老金（中央确定部分）", "excluded"),
    ("disability_expense", "因残疾产生的刚性支出", "deductible"),
    ("illness_expense", "因病产生的刚性支出", "deductible"),
    ("employment_cost", "就业成本", "deductible"),
]


def seed(apps, schema_editor):
    IncomeCategory = apps.get_model("registry", "IncomeCategory")
    for sort, (code, name, kind) in enumerate(CATEGORIES):
        IncomeCategory.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "source": SOURCE,
                                                                     "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
