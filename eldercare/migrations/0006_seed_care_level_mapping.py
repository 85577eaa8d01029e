"""Seed the default 能力等级 → 特困人员照料护理等级 mapping (for 重庆市, from GB/T 42195-2022).

No primary text read for this platform gives the mapping: 《特困人员认定办法》 (RULES.md §2) judges 生活自理能力 by
six daily activities (all six = 全自理, ≤3 failed = 半护理, ≥4 failed = 全护理), and GB/T 42195 grades ability by
points (RULES.md §5). The rows below follow the degree of disability — 能力完好 and 轻度失能 keep self-care, 中度失能
has partly lost it, 重度失能 and 完全失能 have lost it — and are marked unverified (verified=False), shown so until
a district officer confirms or corrects them (a new row from a date, or a row for the district's own code).
"""

from datetime import date

from django.db import migrations

CQ = "500000000000"
SOURCE = ("本平台默认对应（未找到规定该对应关系的文件）：按失能程度对应《特困人员认定办法》第二十一至二十三条的"
          "生活自理能力三档，请按本区规定核实")
FROM = date(2022, 12, 30)  # GB/T 42195-2022 发布日期（元数据，RULES.md S19）
ROWS = [(0, "self", "能力完好：具备生活自理能力"), (1, "self", "轻度失能：视为具备生活自理能力"),
        (2, "half", "中度失能：部分丧失生活自理能力"), (3, "full", "重度失能：完全丧失生活自理能力"),
        (4, "full", "完全失能：完全丧失生活自理能力")]


def seed(apps, schema_editor):
    Mapping = apps.get_model("eldercare", "CareLevelMapping")
    for level, care, note in ROWS:
        Mapping.objects.get_or_create(ability_level=level, area_code=CQ, valid_from=FROM,
                                      defaults={"care_level": care, "source": SOURCE, "verified": False, "note": note})


def unseed(apps, schema_editor):
    apps.get_model("eldercare", "CareLevelMapping").objects.filter(area_code=CQ, valid_from=FROM,
                                                                   source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0005_care_level_mapping")]
    operations = [migrations.RunPython(seed, unseed)]
