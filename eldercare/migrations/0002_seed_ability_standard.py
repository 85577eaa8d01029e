"""Seed GB/T 42195-2022 《老年人能力评估规范》: 4 一级指标, 26 二级指标 with their maximum points, the five level
bands, the 等级变更 figures; the re-assessment interval; the 一日十问 checklist; the grants of the new resources.

Source: RULES.md §5 — two independent public transcriptions of the standard's Annex B/C agree item by item
(S18); not yet checked against the official text (openstd.samr.gov.cn), so the standard is marked unverified.
The 12-month re-assessment interval is often quoted but no primary text was read: verified=False.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import migrations

STANDARD = {"code": "gbt42195-2022", "name": "GB/T 42195-2022《老年人能力评估规范》",
            "source": "GB/T 42195-2022 附录B、附录C（RULES.md §5，S18 两份公开转录逐项一致，未与标准原文核对）",
            "verified": False, "current": True, "risk_events_raise": 2, "diagnosis_prefixes": ["F"], "max_level": 4}
DIMENSIONS = [("self_care", "自理能力", 32), ("motor", "基础运动能力", 15), ("mental", "精神状态", 28),
              ("perception", "感知觉与社会参与", 15)]
FIVE = "4 独立完成；3 需指导或提示；2 需协助但以自身为主；1 主要依靠他人、能配合；0 完全依赖、不能配合"
ITEMS = [
    ("self_care", "eating", "进食", 4, FIVE), ("self_care", "grooming", "修饰（洗脸、刷牙、梳头、刮脸、剪指甲）", 4, FIVE),
    ("self_care", "bathing", "洗澡", 4, FIVE), ("self_care", "dressing_upper", "穿/脱上衣", 4, FIVE),
    ("self_care", "dressing_lower", "穿/脱裤子和鞋袜", 4, FIVE), ("self_care", "urine", "小便控制", 4, FIVE),
    ("self_care", "bowel", "大便控制", 4, FIVE), ("self_care", "toileting", "如厕", 4, FIVE),
    ("motor", "bed_position", "床上体位转移", 4, FIVE), ("motor", "bed_chair", "床椅转移", 4, FIVE),
    ("motor", "walking", "平地行走（约50米）", 4, FIVE),
    ("motor", "stairs", "上下楼梯（10–15级台阶）", 3, "3 独立上下楼梯 … 0 主要或完全依赖他人"),
    ("mental", "orientation_time", "时间定向", 4, ""), ("mental", "orientation_place", "空间定向", 4, ""),
    ("mental", "orientation_person", "人物定向", 4, ""), ("mental", "memory", "记忆", 4, ""),
    ("mental", "understanding", "理解能力", 4, ""), ("mental", "expression", "表达能力", 4, ""),
    ("mental", "aggression", "攻击行为", 1, "1 近一个月未出现；0 出现过"),
    ("mental", "depression", "抑郁症状", 1, "1 近一个月未出现；0 出现过"),
    ("mental", "consciousness", "意识水平", 2, "2 神志清醒；1 嗜睡或意识模糊；0 昏睡或昏迷"),
    ("perception", "vision", "视力", 2, "2 / 1 / 0"), ("perception", "hearing", "听力", 2, "2 / 1 / 0"),
    ("perception", "daily_affairs", "执行日常事务", 4, ""),
    ("perception", "transport", "使用交通工具外出", 3, "3 … 0"), ("perception", "social", "社会交往能力", 4, ""),
]
BANDS = [(0, "能力完好", "能力完好", 90, 90), (1, "能力轻度受损（轻度失能）", "轻度失能", 66, 89),
         (2, "能力中度受损（中度失能）", "中度失能", 46, 65), (3, "能力重度受损（重度失能）", "重度失能", 30, 45),
         (4, "能力完全丧失（完全失能）", "完全失能", 0, 29)]
INTERVAL_NOTE = "常规评估间隔常见表述为12个月，未找到原文依据，请按本地规定核实"
# 一日十问: the questions as data. No primary text of the checklist was read; the wording is a working
# placeholder the bureau edits in the admin.
CHECKLIST = [
    ("fire_exits", "安全出口、疏散通道是否畅通"), ("fire_equipment", "消防设施器材是否完好有效"),
    ("electric", "电器线路、用电设备是否安全"), ("gas_kitchen", "厨房燃气及用火是否安全"),
    ("food", "食品留样、食材来源是否合规"), ("night_duty", "夜间值班人员是否在岗"),
    ("residents_health", "老人身体状况是否异常"), ("falls", "防跌倒、防走失措施是否落实"),
    ("medicine", "药品管理是否规范"), ("monitoring", "视频监控、呼叫设备是否正常"),
]
CHECKLIST_SOURCE = "一日十问（未找到原文，按常见做法暂定，请按本地文件更正）"
GRANTS = {
    "community_worker": {"assessment": ("view", "add"), "carehome": ("view",), "service_order": ("view", "add"),
                         "voucher": ("view",), "time_bank": ("view", "add")},
    "town_officer": {"assessment": ("view", "add"), "carehome": ("view", "inspect"),
                     "service_order": ("view", "add"), "voucher": ("view", "redeem"), "time_bank": ("view", "add")},
    "town_reviewer": {"assessment": ("view",), "carehome": ("view",), "service_order": ("view",),
                      "voucher": ("view",), "time_bank": ("view",)},
    "district_officer": {"assessment": ("view", "add"), "carehome": ("view", "change", "inspect"),
                         "service_order": ("view", "add"), "voucher": ("view", "issue", "redeem", "settle"),
                         "time_bank": ("view", "add")},
    "district_approver": {"assessment": ("view",), "carehome": ("view",), "service_order": ("view",),
                          "voucher": ("view",), "time_bank": ("view",)},
    "leader": {"assessment": ("view",), "carehome": ("view",), "service_order": ("view",), "voucher": ("view",),
               "time_bank": ("view",)},
    "admin": {"assessment": ("view",), "carehome": ("view", "change"), "service_order": ("view",),
              "voucher": ("view",), "time_bank": ("view",)},
    # 机构填报账号: a care home's own login, scoped to the homes it is linked to (CareHome.providers).
    # "own": the account sees only the homes it is linked to, whatever its area.
    "care_provider": {"carehome": ("view", "report", "own")},
}


def seed(apps, schema_editor):
    Standard = apps.get_model("eldercare", "AbilityStandard")
    Dimension = apps.get_model("eldercare", "AbilityDimension")
    Item = apps.get_model("eldercare", "AbilityItem")
    Band = apps.get_model("eldercare", "AbilityLevelBand")
    standard, _ = Standard.objects.get_or_create(code=STANDARD["code"], defaults=STANDARD)
    dims = {}
    for sort, (code, name, top) in enumerate(DIMENSIONS):
        dims[code], _ = Dimension.objects.get_or_create(standard=standard, code=code,
                                                        defaults={"name": name, "max_score": top, "sort": sort})
    for sort, (dim, code, name, top, guide) in enumerate(ITEMS):
        Item.objects.get_or_create(standard=standard, code=code, defaults={
            "dimension": dims[dim], "name": name, "max_score": top, "guide": guide, "sort": sort})
    for level, name, short, low, high in BANDS:
        Band.objects.get_or_create(standard=standard, level=level, defaults={
            "name": name, "short_name": short, "min_total": low, "max_total": high})
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    district = f"{settings.MINZHENG_DISTRICT_CODE}".ljust(12, "0")
    if not PolicyParameter.objects.filter(program__isnull=True, key="ability_reassess_months").exists():
        PolicyParameter.objects.create(program=None, key="ability_reassess_months", area_code=district,
                                       value=Decimal("12"), valid_from=date(2022, 12, 1), verified=False,
                                       source="GB/T 42195-2022 常规评估（RULES.md §5：间隔未核实）", note=INTERVAL_NOTE)
    ChecklistItem = apps.get_model("eldercare", "SafetyChecklistItem")
    for sort, (code, question) in enumerate(CHECKLIST):
        ChecklistItem.objects.get_or_create(code=code, defaults={"question": question, "sort": sort,
                                                                 "source": CHECKLIST_SOURCE})
    Role = apps.get_model("accounts", "Role")
    Grant = apps.get_model("accounts", "Grant")
    Role.objects.get_or_create(code="care_provider", defaults={"name": "养老机构填报员"})
    present = set(Role.objects.values_list("pk", flat=True))
    for role, resources in GRANTS.items():
        if role not in present:
            continue
        for resource, actions in resources.items():
            for action in actions:
                Grant.objects.get_or_create(role_id=role, resource=resource, action=action)


def unseed(apps, schema_editor):
    Grant = apps.get_model("accounts", "Grant")
    Grant.objects.filter(resource__in=["assessment", "carehome", "service_order", "voucher", "time_bank"]).delete()
    # The care_provider role itself stays (without grants it allows nothing): deleting it here would cascade
    # through the user table of another migration state.
    apps.get_model("programs", "PolicyParameter").objects.filter(
        key="ability_reassess_months", created_by__isnull=True).delete()
    for model in ("AbilityLevelBand", "AbilityItem", "AbilityDimension", "AbilityStandard", "SafetyChecklistItem"):
        apps.get_model("eldercare", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0001_initial"), ("accounts", "0010_approver_sets_policy"),
                    ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
