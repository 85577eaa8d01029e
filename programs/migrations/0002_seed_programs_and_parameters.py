"""Seed the five social-assistance programmes and the Chongqing parameters of RULES.md §2–4, with sources.

Rows marked verified=False are [U] in RULES.md: the pages that use them show 未核实 until a district officer
confirms them through `policy_parameter_set`. Effective dates that no source states are assumed and say so.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import migrations

CQ = "500000000000"  # 重庆市: city-wide figures

PROGRAMS = [
    # code, name, unit, calculator, eligibility, recurring, sort, description
    ("dibao", "最低生活保障（低保）", "household", "dibao", "dibao", True, 10,
     "差额补助：（低保标准 − 家庭月人均收入）× 家庭人数。依据《最低生活保障审核确认办法》《重庆市城乡居民最低生活保障条例》。"),
    ("tekun", "特困人员救助供养", "person", "tekun", "tekun", True, 20,
     "基本生活标准 + 照料护理补贴（全自理/半护理/全护理）；集中或分散供养。依据《特困人员认定办法》。"),
    ("dibao_bianyuan", "低保边缘家庭", "household", "recognition", "dibao_bianyuan", True, 30,
     "身份认定，不发放现金：不符合低保条件、家庭月人均收入低于低保边缘认定标准（低保标准的1.5倍，未核实）。"),
    ("gangxing_zhichu", "刚性支出困难家庭", "household", "recognition", "gangxing_zhichu", True, 40,
     "身份认定，不发放现金，有效期不超过12个月。依据《刚性支出困难家庭认定办法》（民发〔2024〕57号）、"
     "《重庆市刚性支出困难家庭认定办法（试行）》（渝民规〔2025〕1号，具体标准未核实）。"),
    ("linshi", "临时救助", "household", "linshi", "linshi", False, 50,
     "急难型（可先行救助，乡镇限额内先行审批）与支出型；一次性发放，金额由经办人核定。"),
]
EXCLUDES = [("dibao", "tekun"), ("dibao", "dibao_bianyuan"), ("dibao", "gangxing_zhichu"),
            ("tekun", "dibao_bianyuan"), ("tekun", "gangxing_zhichu"), ("dibao_bianyuan", "gangxing_zhichu")]

DOC_2023 = "渝民发〔2023〕10号"
DOC_2024 = "渝民发〔2024〕9号"
DOC_2025 = "渝民规〔2025〕6号"
NOTE_2023 = "生效日期为推定：按“从发文之日次月起执行”（渝民〔2021〕143号的规定）取2023年9月1日，原文生效日期未核实"
NOTE_2024 = "生效日期为推定：成文日期2024年8月30日，取次月1日；原文生效日期未核实"
NOTE_2025 = "生效日期为推定：发布日期2025年12月10日，取2026年1月1日；原文生效日期未核实"
PERIODS = [(date(2023, 9, 1), DOC_2023, NOTE_2023), (date(2024, 9, 1), DOC_2024, NOTE_2024),
           (date(2026, 1, 1), DOC_2025, NOTE_2025)]

# program, key, values per period (2023, 2024, 2025 documents)
STANDARDS = [
    ("dibao", "standard_urban", ("735", "750", "770")),
    ("dibao", "standard_rural", ("600", "610", "630")),
    ("tekun", "tekun_standard", ("955", "975", "1001")),
]
CARE = [("care_full", "300", "500"), ("care_half", "200", "300"), ("care_self", "50", "100")]
CARE_BEFORE_SOURCE = "渝民发〔2024〕9号所列调整前标准"
CARE_BEFORE_NOTE = "调整前标准；起始日期取与渝民发〔2023〕10号相同的推定日期，原起始日期未核实"
CARE_NOTE = NOTE_2024 + "；渝民规〔2025〕6号明确照料护理补贴标准不变，故本行继续有效"

# program, key, value, valid_from, source, verified, note
OTHERS = [
    ("tekun", "tekun_multiplier", "1.3", date(2023, 9, 1), "《特困人员认定办法》（民政部，2021）及通行做法", False,
     "“不低于低保标准1.3倍”的国家文本未找到；重庆各年特困标准均恰为城市低保标准的1.3倍。仅在无 tekun_standard 时使用"),
    ("dibao_bianyuan", "bianyuan_multiplier", "1.5", date(2023, 9, 1),
     "《最低生活保障审核确认办法》第八条；国办发〔2023〕39号", False,
     "1.5倍为通行做法，重庆低保边缘认定标准未核实（RULES.md §3、§10）"),
    ("linshi", "town_limit", "1000", date(2023, 9, 1), "县级民政部门委托乡镇（街道）审批的小额临时救助限额", False,
     "占位值：重庆及本区的乡镇先行救助限额未找到，请按本区文件更正"),
    ("gangxing_zhichu", "disposable_income", "36000", date(2025, 1, 1),
     "《刚性支出困难家庭认定办法》（民发〔2024〕57号）：上年度当地居民人均可支配收入", False,
     "占位值，非官方数据：请按统计部门公布的上年度当地居民人均可支配收入（元/人/年）更正"),
    ("gangxing_zhichu", "rigid_ratio", "0.5", date(2025, 1, 1),
     "《刚性支出困难家庭认定办法》（民发〔2024〕57号）：刚性支出占家庭总收入比例超过当地规定比例", False,
     "占位值，非官方数据：渝民规〔2025〕1号的认定比例未找到，请按原文更正"),
    (None, "phase_out_max_months", "6", date(2022, 10, 1),
     "民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》（2022年）", True,
     "渐退期最长6个月；生效日期取通知发布当月1日（推定）"),
    (None, "death_recheck_months", "3", date(2021, 7, 1), "《最低生活保障审核确认办法》（民政部，2021）动态管理", True,
     "家庭成员死亡后3个月内重新核定并办理"),
]


def _row(PolicyParameter, program, key, value, valid_from, valid_to, source, verified, note):
    return PolicyParameter(program_id=program, key=key, area_code=CQ, value=Decimal(value), valid_from=valid_from,
                           valid_to=valid_to, source=source, verified=verified, note=note)


def _standard_rows(PolicyParameter):
    for program, key, values in STANDARDS:
        for index, ((start, source, note), value) in enumerate(zip(PERIODS, values, strict=True)):
            end = PERIODS[index + 1][0] - timedelta(days=1) if index + 1 < len(PERIODS) else None
            yield _row(PolicyParameter, program, key, value, start, end, source, True, note)
    for key, before, after in CARE:
        yield _row(PolicyParameter, "tekun", key, before, PERIODS[0][0], PERIODS[1][0] - timedelta(days=1),
                   CARE_BEFORE_SOURCE, True, CARE_BEFORE_NOTE)
        yield _row(PolicyParameter, "tekun", key, after, PERIODS[1][0], None, DOC_2024, True, CARE_NOTE)


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    PolicyParameter = apps.get_model("programs", "PolicyParameter")
    for code, name, unit, calculator, eligibility, recurring, sort, description in PROGRAMS:
        Program.objects.update_or_create(code=code, defaults={
            "name": name, "unit": unit, "calculator": calculator, "eligibility": eligibility,
            "recurring": recurring, "sort": sort, "description": description})
    # Historical models do not mirror a symmetrical self-relation, so both directions are added.
    for a, b in EXCLUDES:
        Program.objects.get(code=a).excludes.add(b)
        Program.objects.get(code=b).excludes.add(a)
    if PolicyParameter.objects.exists():
        return
    rows = list(_standard_rows(PolicyParameter))
    rows += [_row(PolicyParameter, p, k, v, start, None, s, ver, n) for p, k, v, start, s, ver, n in OTHERS]
    PolicyParameter.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
