"""Seed the starting rules (issue 5) and the medical-spending threshold (RULES.md §6).

The threshold is a local practice found outside Chongqing (S23: 医保 pushes monthly; one hospital stay with
自付 > 10000 for rural residents not under monitoring triggers a warning), so it is seeded unverified for the
bureau to confirm. The policy-not-applied rule needs the disability care subsidy programme (`disability_care`),
which does not exist yet: it is seeded switched off with a note.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
CASH = ["dibao", "tekun"]
ANY_ASSISTANCE = ["dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu"]
SEVERE = {"field": "payload.grade", "op": "<=", "value": 2}

# code, name, feed, condition, warning type, severity, level, working days, action, advice, active, note
RULES = [
    ("death_enrolled", "享受救助人员死亡", "death", {"enrolled": True}, "death_stop", 1, "town", 3, "record_death",
     "核实死亡信息，确认已停发并对家庭其他成员重新核定", True,
     "公安死亡数据即登记死亡：救助自次月起终止，家庭有其他成员的提前复核"),
    ("vehicle_enrolled", "救助家庭成员名下登记机动车", "vehicle", {"enrolled_in": CASH}, "no_longer_eligible", 2,
     "town", 10, "", "入户核查车辆情况，按规定复核家庭经济状况", True, ""),
    ("real_estate_enrolled", "救助家庭成员名下登记不动产", "real_estate", {"enrolled_in": CASH},
     "no_longer_eligible", 2, "town", 10, "", "核查是否为唯一住房或超出豁免范围，按规定复核", True,
     "部门数据不含是否豁免（如唯一住房），由复核认定"),
    ("business_enrolled", "救助家庭成员登记市场主体", "business", {"enrolled_in": CASH}, "no_longer_eligible", 2,
     "town", 10, "", "核查经营及收入情况，按规定复核", True, ""),
    ("medical_not_enrolled", "大额医疗自付未纳入救助", "medical",
     {"all": [{"field": "payload.out_of_pocket", "op": ">=", "param": "medical_warning_threshold"},
              {"not_enrolled_in": ANY_ASSISTANCE}]},
     "possibly_eligible", 3, "community", 10, "", "入户了解情况，建议引导申请低保、低保边缘、刚性支出困难或临时救助",
     True, "阈值为政策参数 medical_warning_threshold（未核实）"),
    ("unemployment_not_enrolled", "登记失业人员未纳入救助", "unemployment", {"not_enrolled_in": CASH},
     "possibly_eligible", 3, "community", 10, "", "入户了解家庭困难情况，建议引导申请低保或临时救助", True, ""),
    ("disability_severe_not_enrolled", "重度残疾人未纳入救助", "disability",
     {"all": [SEVERE, {"not_enrolled_in": CASH}]}, "possibly_eligible", 3, "community", 10, "",
     "入户了解家庭困难情况，建议引导申请低保（重度残疾人可单人户纳入）", True, ""),
    ("disability_care_not_applied", "低保家庭重度残疾人未享受护理补贴", "disability",
     {"all": [SEVERE, {"enrolled_in": ["dibao"]}, {"not_enrolled_in": ["disability_care"]}]},
     "policy_not_applied", 3, "town", 10, "", "协调残联落实重度残疾人护理补贴", False,
     "护理补贴项目（disability_care）尚未建立，建立后再启用"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for code, name, feed, condition, wtype, severity, level, days, action, advice, active, note in RULES:
        Rule.objects.get_or_create(code=code, defaults={
            "name": name, "feed_type": feed, "condition": condition, "warning_type": wtype, "severity": severity,
            "handling_level": level, "deadline_working_days": days, "action": action, "advice": advice,
            "active": active, "note": note})
    if not PolicyParameter.objects.filter(program__isnull=True, key="medical_warning_threshold").exists():
        PolicyParameter.objects.create(
            program=None, key="medical_warning_threshold", area_code=CQ, value=Decimal(10000),
            valid_from=date(2023, 1, 1), verified=False,
            source="RULES.md §6 S23（外地做法：单次住院自付超过1万元预警，非重庆规定）",
            note="大额医疗自付预警阈值（元/次住院），请按本地规定核实")


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Rule").objects.filter(code__in=[r[0] for r in RULES]).delete()
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program__isnull=True, key="medical_warning_threshold", created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
