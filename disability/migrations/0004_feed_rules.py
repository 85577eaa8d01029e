"""Two rules on the 残联 disability-certificate feed (monitoring feed `disability`), in the existing condition
vocabulary: a person the 残联 reports with a grade 1 or 2 certificate who holds neither 重度残疾人护理补贴 nor
特困, and a person the 残联 reports who is in a 低保 household but holds neither 困难残疾人生活补贴 nor 特困 — so
a certificate the registry does not have yet is found when the feed arrives, not only at the monthly check. The
monthly check (disability.services) skips a person with an open warning of these rules, so one person gets one
task for one subsidy.
"""

from django.db import migrations

NOTE = "残联残疾人证数据到达时运行；每月覆盖核查不再重复提醒已有本规则未办结预警的人员"
RULES = [
    {"code": "disability_feed_care_missing", "name": "残联数据：一、二级残疾人未享受重度残疾人护理补贴",
     "condition": {"all": [{"field": "payload.grade", "op": "<=", "value": 2}, {"person_status": "active"},
                           {"not_enrolled_in": ["disability_care", "tekun"]}]},
     "advice": "核实残疾人证等级（居民信息库未登记的先登记）及是否领取工伤保险生活护理费，符合条件的纳入"},
    {"code": "disability_feed_living_missing", "name": "残联数据：低保家庭持证残疾人未享受困难残疾人生活补贴",
     "condition": {"all": [{"person_status": "active"}, {"enrolled_in": ["dibao"]},
                           {"not_enrolled_in": ["disability_living", "tekun"]}]},
     "advice": "核实残疾人证（居民信息库未登记的先登记），符合条件的纳入困难残疾人生活补贴"},
]


def seed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    for rule in RULES:
        fields = {k: v for k, v in rule.items() if k != "code"}
        Rule.objects.get_or_create(code=rule["code"], defaults={
            **fields, "feed_type": "disability", "warning_type": "possibly_eligible", "severity": 3,
            "handling_level": "community", "deadline_working_days": 10, "action": "", "active": True, "note": NOTE})


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Rule").objects.filter(code__in=[r["code"] for r in RULES],
                                                        warnings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disability", "0003_services"), ("monitoring", "0008_rule_notes_in_plain_words")]
    operations = [migrations.RunPython(seed, unseed)]
