"""The months a farming household's income is averaged over (《重庆市城乡居民最低生活保障条例》第十二条: 农村居民家庭
从事种养殖业的, 按申请前12个月的收入平均计算)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    if not PolicyParameter.objects.filter(program__isnull=True, key="farming_income_average_months",
                                          area_code=CQ).exists():
        PolicyParameter.objects.create(
            program=None, key="farming_income_average_months", area_code=CQ, value=Decimal(12),
            valid_from=date(2016, 5, 1), source="《重庆市城乡居民最低生活保障条例》（2016年修订）第十二条", verified=True,
            note="从事种养殖业的家庭（成员就业状况为“务农”）：月收入按前12个月的收入平均计算")


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program__isnull=True, key="farming_income_average_months", area_code=CQ, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0015_application_certificate_number"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
