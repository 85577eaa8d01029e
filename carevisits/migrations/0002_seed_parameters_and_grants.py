"""Seed the visit and meter figures (general PolicyParameter rows, with sources) and the grants of the care-visit
resources: "carevisit" (名册、探访计划与记录) and "meter" (智能水表: change = bind, run = push readings).

Only the 1 home visit + 3 calls a week is read in a primary text (seed 001 §8, 沙坪坝区2026年民政工作要点); the
rest are marked unverified (verified=False) and shown so until a district officer confirms them.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
PLAN_2026 = "沙坪坝区2026年民政工作要点 第8条（独居老年人探访关爱每周1次上门、3次电话探访；智能水表等感知设备）"
LOCAL = "本平台默认值（未找到规定此数值的文件），请按本区工作要求更正"

# key, value, valid_from, source, verified, note
PARAMETERS = [
    ("carevisits_min_age", "60", date(2013, 7, 1), "《中华人民共和国老年人权益保障法》第二条（老年人是指六十周岁以上的公民）",
     False, "法律原文本平台未核对"),
    ("carevisits_very_old_age", "80", date(2025, 11, 20), "《重庆市高龄津贴免申即享发放管理办法》（80周岁以上为高龄，RULES.md §4 [S]）",
     False, "二手来源，原文未核对"),
    ("carevisits_home_visits_week", "1", date(2026, 1, 1), PLAN_2026, True, "每周至少上门探访1次"),
    ("carevisits_phone_calls_week", "3", date(2026, 1, 1), PLAN_2026, True, "每周至少电话探访3次"),
    ("carevisits_followup_days", "3", date(2026, 1, 1), LOCAL, False, "探访发现需求后的跟进办理期限（工作日）"),
    ("meter_no_use_hours", "24", date(2026, 1, 1), LOCAL, False, "读数持续上报但用水量连续若干小时不变即告警"),
    ("meter_continuous_hours", "6", date(2026, 1, 1), LOCAL, False, "每小时均有用水、连续若干小时即告警（如忘关水龙头、跌倒）"),
    ("meter_offline_hours", "6", date(2026, 1, 1), LOCAL, False, "若干小时无读数上报视为设备离线（设备告警，不是老人异常）"),
    ("meter_alarm_deadline_hours", "4", date(2026, 1, 1), LOCAL, False, "用水异常告警的上门核实时限（小时），超期升级"),
    ("meter_offline_deadline_hours", "48", date(2026, 1, 1), LOCAL, False, "设备离线的检修时限（小时），超期升级"),
]

VIEW = ("view",)
GRANTS = {
    "community_worker": {"carevisit": ("view", "add", "change"), "meter": VIEW},
    "town_officer": {"carevisit": ("view", "add", "change"), "meter": ("view", "change")},
    "town_reviewer": {"carevisit": VIEW, "meter": VIEW},
    "district_officer": {"carevisit": ("view", "add", "change"), "meter": ("view", "change", "run")},
    "district_approver": {"carevisit": VIEW, "meter": VIEW},
    "leader": {"carevisit": VIEW, "meter": VIEW},
    "admin": {"carevisit": VIEW, "meter": ("view", "run")},
}


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for key, value, valid_from, source, verified, note in PARAMETERS:
        if not PolicyParameter.objects.filter(program=None, key=key, area_code=CQ).exists():
            PolicyParameter.objects.create(program=None, key=key, area_code=CQ, value=Decimal(value),
                                           valid_from=valid_from, source=source, verified=verified, note=note)
    Grant = apps.get_model("accounts", "Grant")
    Role = apps.get_model("accounts", "Role")
    roles = set(Role.objects.values_list("pk", flat=True))
    Grant.objects.bulk_create([Grant(role_id=role, resource=resource, action=action)
                               for role, resources in GRANTS.items() if role in roles
                               for resource, actions in resources.items() for action in actions],
                              ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(
        program=None, key__in=[p[0] for p in PARAMETERS], area_code=CQ).delete()
    apps.get_model("accounts", "Grant").objects.filter(resource__in=["carevisit", "meter"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("carevisits", "0001_initial"),
        ("programs", "0007_program_means_tested"),
        ("accounts", "0010_approver_sets_policy"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
