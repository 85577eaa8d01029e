"""The warning rules of the monthly coverage check of the two disability subsidies (两项补贴全覆盖).

They are `monitoring.Rule` rows so the warnings, their tasks, deadlines and closing are the monitoring app's own
(政策找人 to the community worker; a re-check to the town). They do not read a department feed: the check
(`disability.services.coverage_check_run`) compares the registry's certificates with the enrolments and writes
their warnings; the feed type `disability_coverage` has no records, so the feed-driven rule run finds nothing for
them. Switching a rule off (启用 = 否) stops its warnings.
"""

from django.db import migrations

NOTE = "由残疾人两项补贴每月覆盖核查写入（残疾人证与低保、享受名单比对），不按部门数据运行"
RULES = [
    {"code": "disability_living_missing", "name": "持证低保家庭成员未享受困难残疾人生活补贴",
     "warning_type": "possibly_eligible", "severity": 3, "handling_level": "community", "deadline_working_days": 10,
     "advice": "核实残疾人证与低保情况，符合条件的纳入困难残疾人生活补贴"},
    {"code": "disability_care_missing", "name": "一、二级持证残疾人未享受重度残疾人护理补贴",
     "warning_type": "possibly_eligible", "severity": 3, "handling_level": "community", "deadline_working_days": 10,
     "advice": "核实残疾人证等级及是否领取工伤保险生活护理费，符合条件的纳入重度残疾人护理补贴"},
    {"code": "disability_living_recheck", "name": "享受困难残疾人生活补贴但不再符合条件",
     "warning_type": "no_longer_eligible", "severity": 2, "handling_level": "town", "deadline_working_days": 10,
     "advice": "核实残疾人证是否有效、是否仍为低保家庭成员，不再符合的终止发放"},
    {"code": "disability_care_recheck", "name": "享受重度残疾人护理补贴但不再符合条件",
     "warning_type": "no_longer_eligible", "severity": 2, "handling_level": "town", "deadline_working_days": 10,
     "advice": "核实残疾人证是否有效、等级是否调整，不再符合的终止发放"},
]


def seed(apps, schema_editor):
    Rule = apps.get_model("monitoring", "Rule")
    for rule in RULES:
        fields = {k: v for k, v in rule.items() if k != "code"}
        Rule.objects.get_or_create(code=rule["code"], defaults={
            **fields, "feed_type": "disability_coverage", "condition": {}, "action": "", "active": True,
            "note": NOTE})


def unseed(apps, schema_editor):
    apps.get_model("monitoring", "Rule").objects.filter(code__in=[r["code"] for r in RULES],
                                                        warnings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("disability", "0001_seed_two_subsidies"), ("monitoring", "0008_rule_notes_in_plain_words")]
    operations = [migrations.RunPython(seed, unseed)]
