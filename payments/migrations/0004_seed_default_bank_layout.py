"""Seed the default bank disbursement layout (默认代发文件格式): CSV in GBK (what bank 代发 systems commonly
import), columns 序号 姓名 身份证号 账号 金额 项目 摘要, and a totals row. A bank with its own layout gets a row
of its own in the admin; this one serves every other bank."""

from django.db import migrations

NAME = "默认格式（CSV，GBK）"
COLUMNS = [("序号", "seq"), ("姓名", "name"), ("身份证号", "id_number"), ("账号", "account_number"),
           ("金额", "amount"), ("项目", "program"), ("摘要", "summary")]


def seed(apps, schema_editor):
    Layout = apps.get_model("payments", "BankFileLayout")
    Column = apps.get_model("payments", "BankFileColumn")
    if Layout.objects.filter(bank_name="", active=True).exists():
        return
    layout = Layout.objects.create(name=NAME, bank_name="", format="csv", encoding="gbk", totals_row=True,
                                   note="默认格式：未单独设置格式的银行使用；可在管理后台修改列与编码")
    Column.objects.bulk_create([Column(layout=layout, position=i, header=h, source=s)
                                for i, (h, s) in enumerate(COLUMNS, start=1)])


def unseed(apps, schema_editor):
    apps.get_model("payments", "BankFileLayout").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_bank_files")]
    operations = [migrations.RunPython(seed, unseed)]
