"""Seed the rules of the feeds added for RULES.md §6's remaining sources (issue 5): 火化（殡葬）, 重特大疾病,
防止返贫监测对象, 户籍迁出, 婚姻登记.

- `funeral_enrolled`: a 火化 record of an enrolled person is handled like a 公安 death (登记死亡, payments stop,
  enrolment ends; highest priority). Only a person not yet recorded dead: whichever of the two feeds comes
  first records the death, the other then raises nothing (a household's 低保 goes on for the members left).
- `serious_illness_near_line`: a 重病 patient in a household not receiving assistance whose per-capita income is
  below the 低保边缘 line (bianyuan_multiplier × 低保 standard — parameters, not figures) → proactive discovery.
- `relapse_watch_not_enrolled`: a 防返贫 monitored person whose risk is not cleared and who receives no basic
  assistance → proactive discovery (低保 / 低保边缘).
- `hukou_moved_out_enrolled`: an enrolled person whose 户籍 moved out of the district (the destination code does
  not start with the district's code, or is not given) or was cancelled for another reason than death (出国定居,
  服现役) → re-check.
- `marriage_enrolled`: a marriage, divorce or remarriage of a member of an assisted household → re-check of the
  household's composition (a spouse is a legal supporter: decisive for 特困).
"""

from django.conf import settings
from django.db import migrations

ANY_ASSISTANCE = ["dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu"]
BASIC = ["dibao", "tekun", "dibao_bianyuan"]
NEAR_LINE = {"household_income": {"op": "<", "times": "dibao_bianyuan:bianyuan_multiplier"}}


def _rules() -> list[dict]:
    district = str(settings.MINZHENG_DISTRICT_CODE)[:6]
    return [
        {"code": "funeral_enrolled", "name": "享受救助人员火化（殡葬）记录", "feed_type": "funeral",
         "condition": {"all": [{"enrolled": True}, {"person_status": "active"}]}, "warning_type": "death_stop",
         "severity": 1, "handling_level": "town",
         "deadline_working_days": 3, "action": "record_death",
         "advice": "核实死亡信息，确认已停发并对家庭其他成员重新核定", "active": True,
         "note": "殡葬火化数据即登记死亡（死亡日期取自数据）：救助自次月起终止，家庭有其他成员的提前复核"},
        {"code": "serious_illness_near_line", "name": "重特大疾病且收入接近低保标准未纳入救助",
         "feed_type": "serious_illness", "condition": {"all": [{"not_enrolled_in": ANY_ASSISTANCE}, NEAR_LINE]},
         "warning_type": "possibly_eligible", "severity": 3, "handling_level": "community",
         "deadline_working_days": 10, "action": "",
         "advice": "入户了解治疗费用和家庭收入，建议引导申请临时救助或刚性支出困难家庭认定", "active": True,
         "note": "收入接近低保标准 = 家庭人均收入低于低保边缘认定标准（bianyuan_multiplier × 低保标准）"},
        {"code": "relapse_watch_not_enrolled", "name": "防止返贫监测对象未纳入救助", "feed_type": "relapse_watch",
         "condition": {"all": [{"field": "payload.risk_status", "op": "=", "value": "at_risk"},
                               {"not_enrolled_in": BASIC}]},
         "warning_type": "possibly_eligible", "severity": 3, "handling_level": "community",
         "deadline_working_days": 10, "action": "",
         "advice": "入户核实家庭经济状况，符合条件的引导申请低保或低保边缘家庭认定", "active": True,
         "note": "农业农村部门按季度或半年推送；风险已消除的不预警"},
        {"code": "hukou_moved_out_enrolled", "name": "享受救助人员户籍迁出本区或注销", "feed_type": "hukou",
         "condition": {"all": [
             {"any": [{"all": [{"field": "payload.change_type", "op": "=", "value": "move_out"},
                               {"not": {"field": "payload.destination_code", "op": "prefix", "value": district}}]},
                      {"field": "payload.change_type", "op": "=", "value": "cancel"}]},
             {"enrolled": True}]},
         "warning_type": "no_longer_eligible", "severity": 2, "handling_level": "town",
         "deadline_working_days": 10, "action": "recheck",
         "advice": "核实户籍迁出及实际居住情况，按规定复核或办理转移、终止", "active": True,
         "note": f"迁往地区划代码不以本区代码 {district} 开头（或未填写）的迁出，以及非死亡的户口注销（如出国定居、服现役）"},
        {"code": "marriage_enrolled", "name": "救助家庭成员婚姻状况变化", "feed_type": "marriage",
         "condition": {"enrolled_in": ANY_ASSISTANCE}, "warning_type": "no_longer_eligible", "severity": 3,
         "handling_level": "town", "deadline_working_days": 10, "action": "recheck",
         "advice": "核实家庭成员及共同生活情况（配偶为法定赡养扶养人），按规定复核", "active": True,
         "note": "结婚、离婚、复婚均触发家庭成员复核"},
    ]


def seed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    for rule in _rules():
        fields = {k: v for k, v in rule.items() if k != "code"}
        Rule.objects.get_or_create(code=rule["code"], defaults=fields)


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Rule").objects.filter(code__in=[r["code"] for r in _rules()],
                                                        warnings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_seed_income_medical_gaoling"),
                    ("programs", "0002_seed_programs_and_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
