"""The children's programmes (one row per child category, workflow "children"), their figures and the reasons a
parent does not raise the child (data).

Figures (RULES.md §4, yuan/person/month; Chongqing city-wide, 500000000000):
- 集中供养孤儿: 1477 from 2021-09 (渝民〔2021〕143号, S12, "从发文之日次月起执行"); 1582 (in force before
  渝民发〔2023〕10号, date unknown — 2022-07 assumed, unverified); 1605 (渝民发〔2023〕10号, S13; from 2023-09
  assumed, the date unverified); 1825 (渝民发〔2024〕9号 as quoted in the 2025 document; from 2024-09 assumed).
- 散居孤儿 1277 and 事实无人抚养 1225 from 2021-09 (S12); later figures not found: placeholders = the 2021
  figure raised by the same amount as the 集中供养 standard (S12: "rises by the same fixed amount"), unverified.
- Deadlines (15 working days each for the town's 查验 and the district's 确认), the continued payment in
  full-time education after 18, the yearly re-check and the monthly home visit: 民发〔2019〕62号 as commonly
  summarised, its text not read here — all unverified.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"
S12 = "渝民〔2021〕143号"
S13 = "渝民发〔2023〕10号"
S7 = "渝民发〔2024〕9号（据渝民规〔2025〕6号引述）"
MZ62 = "民发〔2019〕62号《关于进一步加强事实无人抚养儿童保障工作的意见》"
BASIS = f"《中华人民共和国未成年人保护法》；{MZ62}；《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）"
RECOGNITION = {"per_person": {}, "fixed": [], "label": "身份认定，不发放现金"}

PROGRAMS = [
    {"code": "orphan", "name": "孤儿基本生活费", "application_name": "孤儿", "eligibility": "orphan",
     "calculator": "orphan", "sort": 70, "quote_inputs": ["support_mode"],
     "ceiling": {"per_person": {}, "fixed": ["orphan_centralized"], "label": "孤儿基本生活费（集中供养标准）"},
     "description": "失去父母或查找不到生父母的未满18周岁儿童；分集中供养（儿童福利机构）与散居两档。"},
    {"code": "de_facto_unattended", "name": "事实无人抚养儿童基本生活补贴", "application_name": "事实无人抚养儿童",
     "eligibility": "de_facto_unattended", "calculator": "de_facto_unattended", "sort": 71, "quote_inputs": [],
     "ceiling": {"per_person": {}, "fixed": ["de_facto_standard"], "label": "事实无人抚养儿童基本生活补贴标准"},
     "description": "父母双方均重残、重病、服刑在押、强制隔离戒毒、撤销监护资格、遣送出境或失联，"
                    "或一方死亡（失踪）另一方符合上述情形之一的儿童（民发〔2019〕62号）。"},
    {"code": "hardship_child", "name": "困境儿童", "application_name": "困境儿童", "eligibility": "hardship_child",
     "calculator": "child_recognition", "sort": 72, "quote_inputs": [], "ceiling": RECOGNITION,
     "description": "因家庭贫困、自身残疾、缺乏有效监护等陷入困境的儿童（类别认定，纳入关爱服务）。"},
    {"code": "left_behind_child", "name": "农村留守儿童", "application_name": "农村留守儿童",
     "eligibility": "left_behind_child", "calculator": "child_recognition", "sort": 73, "quote_inputs": [],
     "ceiling": RECOGNITION, "description": "父母双方外出务工或一方外出务工另一方无监护能力的农村户籍未成年人。"},
    {"code": "migrant_child", "name": "流动儿童", "application_name": "流动儿童", "eligibility": "migrant_child",
     "calculator": "child_recognition", "sort": 74, "quote_inputs": [], "ceiling": RECOGNITION,
     "description": "随父母或监护人离开户籍地在本区居住的儿童（类别认定，纳入关爱服务）。"},
]
CASH = ("orphan", "de_facto_unattended")
ALL = [p["code"] for p in PROGRAMS]

# (program, key, value, valid_from, valid_to, source, verified, note)
FIGURES = [
    ("orphan", "orphan_centralized", "1477", date(2021, 9, 1), date(2022, 6, 30), S12, True, ""),
    ("orphan", "orphan_centralized", "1582", date(2022, 7, 1), date(2023, 8, 31),
     f"{S13}所述调整前标准", False, "调整前标准的起始日期未找到，按2022-07-01暂记"),
    ("orphan", "orphan_centralized", "1605", date(2023, 9, 1), date(2024, 8, 31), S13, True,
     "执行日期未核实，按发文次月暂记"),
    ("orphan", "orphan_centralized", "1825", date(2024, 9, 1), None, S7, True, "执行日期未核实，按发文次月暂记"),
    ("orphan", "orphan_dispersed", "1277", date(2021, 9, 1), date(2024, 8, 31), S12, True, ""),
    ("orphan", "orphan_dispersed", "1625", date(2024, 9, 1), None, f"{S7}（散居标准原文未找到）", False,
     "占位值：2021年标准1277加集中供养标准同期增幅348，请按本市文件更正"),
    ("de_facto_unattended", "de_facto_standard", "1225", date(2021, 9, 1), date(2024, 8, 31), S12, True, ""),
    ("de_facto_unattended", "de_facto_standard", "1573", date(2024, 9, 1), None,
     f"{S7}（事实无人抚养标准原文未找到；{S12}：与孤儿标准同步同额提高）", False,
     "占位值：2021年标准1225加孤儿集中供养标准同期增幅348，请按本市文件更正"),
]
for code in CASH:
    FIGURES.append((code, "continue_in_education", "1", date(2019, 7, 1), None,
                    f"{MZ62}（年满18周岁后仍在全日制学校就读的继续发放，原文未核对）", False,
                    "1：继续发放至毕业；0：年满18周岁即停发"))
for code in ALL:
    FIGURES += [
        (code, "deadline_town_review_wd", "15", date(2019, 7, 1), None, f"{MZ62}（乡镇15个工作日内查验，原文未核对）",
         False, ""),
        (code, "deadline_confirm_wd", "15", date(2019, 7, 1), None, f"{MZ62}（县级15个工作日内确认，原文未核对）",
         False, ""),
    ]
    for key in ("recheck_months_stable", "recheck_months_unstable", "recheck_months_unemployed_urban",
                "recheck_months_unemployed_rural"):
        FIGURES.append((code, key, "12", date(2019, 7, 1), None, f"{MZ62}（每年复核，原文未核对）", False,
                        "儿童类别每年复核一次"))
    FIGURES.append((code, "home_visit_months", "1" if code in CASH else "3", date(2019, 7, 1), None,
                    "儿童主任走访要求（原文未核对）", False,
                    "事实无人抚养儿童、散居孤儿至少每月走访一次；其他类别按季度（本系统设定）"))

REASONS = [
    ("dead", "死亡（含宣告死亡）", "dead", "死亡证明、户籍注销证明或人民法院宣告死亡判决书", False, ""),
    ("declared_missing", "宣告失踪或查找不到", "missing", "人民法院宣告失踪判决书或公安机关查找不到的证明", True, "寻回"),
    ("lost_contact", "失联（超过6个月）", "lost_contact", "公安机关出具的失联报案证明", True, "寻回"),
    ("severely_disabled", "重残（一级、二级或三四级精神、智力残疾）", "disabled", "残疾人证", True, "残疾等级调整"),
    ("seriously_ill", "重病", "ill", "二级以上医院诊断证明", True, "康复"),
    ("imprisoned", "服刑在押", "restricted", "监狱管理机关出具的服刑证明", True, "刑满释放"),
    ("compulsory_rehab", "强制隔离戒毒", "restricted", "强制隔离戒毒决定书", True, "解除强制隔离戒毒"),
    ("other_restriction", "被执行其他限制人身自由的措施", "restricted", "执行机关出具的证明", True, "解除措施"),
    ("guardianship_revoked", "被撤销监护资格", "deported", "人民法院撤销监护资格判决书", True, "恢复监护资格"),
    ("deported", "被遣送（驱逐）出境", "deported", "公安机关出具的遣送（驱逐）出境证明", False, ""),
    ("working_away", "外出务工", "away", "村（居）委会出具的外出务工情况说明", True, "返乡"),
]


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    AbsenceReason = apps.get_model("children", "AbsenceReason")
    for row in PROGRAMS:
        fields = {k: v for k, v in row.items() if k != "code"}
        Program.objects.get_or_create(code=row["code"], defaults={
            **fields, "unit": "person", "recurring": True, "means_tested": True, "workflow": "children",
            "legal_basis": BASIS, "start_month": "next"})
    orphan, de_facto = Program.objects.get(code="orphan"), Program.objects.get(code="de_facto_unattended")
    orphan.excludes.add(de_facto, *Program.objects.filter(code="tekun"))
    de_facto.excludes.add(*Program.objects.filter(code="tekun"))
    for program, key, value, start, end, source, verified, note in FIGURES:
        PolicyParameter.objects.get_or_create(program_id=program, key=key, area_code=CQ, valid_from=start, defaults={
            "value": Decimal(value), "valid_to": end, "source": source, "verified": verified, "note": note})
    for sort, (code, name, condition, evidence, can_end, end_label) in enumerate(REASONS):
        AbsenceReason.objects.get_or_create(code=code, defaults={
            "name": name, "condition": condition, "evidence": evidence, "can_end": can_end, "end_label": end_label,
            "source": f"{MZ62}（情形列举，原文未核对）", "verified": False, "sort": sort})


def unseed(apps, schema_editor):
    apps.get_model("programs", "PolicyParameter").objects.filter(program_id__in=ALL, created_by__isnull=True).delete()
    apps.get_model("programs", "Program").objects.filter(code__in=ALL, enrolments__isnull=True).delete()
    apps.get_model("children", "AbsenceReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial"), ("programs", "0007_program_means_tested")]
    operations = [migrations.RunPython(seed, unseed)]
