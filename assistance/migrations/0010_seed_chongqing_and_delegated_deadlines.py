"""The deadline figures the Chongqing overall limit, the delegated-confirmation limit and the 信息核对 limit read
(general defaults, no programme: `programs.selectors.parameter_or_default`), and the district's switch that says
whether 审核确认 is delegated to towns (0 = not delegated)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
NATIONAL_FROM = date(2021, 7, 1)
CQ_FROM = date(2016, 5, 1)
S4_FROM = date(2022, 10, 1)
DIBAO = "《最低生活保障审核确认办法》（民政部，2021）"
CQ_DIBAO = "《重庆市城乡居民最低生活保障条例》（2016年修订）"
S4 = "《关于进一步做好最低生活保障等社会救助兜底工作的通知》（民政部等，2022-10）"

# key, value, valid_from, source, verified, note
ROWS = [
    ("deadline_overall_cq_days", 30, CQ_FROM, f"{CQ_DIBAO}第十九条", False,
     "办理期限默认值：自受理之日起30日内办结，群众评议、公示期间不计算在内；按日历日计算（条例称“日”而非“工作日”），未核实原文"),
    ("deadline_overall_delegated_wd", 20, S4_FROM, S4, False,
     "办理期限默认值：审核确认权限下放乡镇（街道）的，20个工作日内办结（据二手资料，未核实原文）"),
    ("confirmation_delegated_to_towns", 0, CQ_FROM, "区县民政部门决定（是否将审核确认权限委托乡镇（街道））", True,
     "1 = 已委托乡镇（街道）审核确认，办结期限按委托期限计算；0 = 未委托"),
    ("deadline_verification_wd", 3, NATIONAL_FROM, f"{DIBAO}第十七条", True,
     "办理期限默认值：县级民政部门自收到提请之日起3个工作日内出具信息核对报告"),
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for key, value, start, source, verified, note in ROWS:
        if not PolicyParameter.objects.filter(program__isnull=True, key=key, area_code=CQ).exists():
            PolicyParameter.objects.create(program=None, key=key, area_code=CQ, value=Decimal(value), valid_from=start,
                                           source=source, verified=verified, note=note)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program__isnull=True, key__in=[row[0] for row in ROWS], area_code=CQ, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("assistance", "0009_application_verification_requested")]
    operations = [migrations.RunPython(seed, unseed)]
