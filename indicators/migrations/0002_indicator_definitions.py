"""The indicators of the plans, the annual assessment and the daily work (指标定义), as data.

Seed 003 (沙坪坝区民政事业发展"十四五"规划) 三(七) table: the 20 indicators with their 2025 targets. Seed 001
annex 1 items 14–16 (市级考核: 低收入人口认定、监测管理、资金管理) and annex 2 item 25 (老年人综合能力评估率).
The operational figures of assistance, monitoring and payments. An indicator whose data the platform does not
collect yet is a row with status "not_collected" and what would feed it: never a typed-in figure.
"""

from decimal import Decimal

from django.db import migrations

S003 = "种子003《沙坪坝区民政事业发展“十四五”规划》三（七）主要指标表第{}项"
S001 = "种子001 附件1《2025年度市级考核指标责任分解方案》第{}项"
PLAN, ASSESS, OPS = "规划指标", "考核指标", "运行指标"
D, DT, DTC = "district", "district,town", "district,town,community"
HI, LO = "higher", "lower"
C, N = "collected", "not_collected"

# code, name, group, definition, numerator, denominator, unit, direction, comparator, target, target_text,
# target_year, source, levels, period, status, feed_text, key
ROWS = [
    ("dibao_standard_growth_urban", "城市低保标准年度增速", PLAN,
     "城乡低保标准年度增速（城市）：当月执行的城市低保标准较上年同月执行标准的增长幅度。",
     "当月城市低保标准 − 上年同月城市低保标准", "上年同月城市低保标准", "%", HI, "", None,
     "不低于上年度城镇居民人均消费支出增速", 2025, S003.format(1), D, "year", C, "", True),
    ("dibao_standard_growth_rural", "农村低保标准年度增速", PLAN,
     "城乡低保标准年度增速（农村）：当月执行的农村低保标准较上年同月执行标准的增长幅度。",
     "当月农村低保标准 − 上年同月农村低保标准", "上年同月农村低保标准", "%", HI, "", None,
     "不低于上年度城镇居民人均消费支出增速", 2025, S003.format(1), D, "year", C, "", False),
    ("dibao_rural_urban_ratio", "农村低保标准占城市低保标准比例", PLAN,
     "当月执行的农村低保标准除以城市低保标准。", "农村低保标准（元/人·月）", "城市低保标准（元/人·月）", "%", HI,
     ">=", Decimal("85"), "", 2025, S003.format(2), D, "year", C, "", True),
    ("disability_living_subsidy_coverage", "困难残疾人生活补贴覆盖率", PLAN,
     "享受困难残疾人生活补贴的人数占符合条件的困难残疾人数的比例。", "享受生活补贴人数", "符合条件的困难残疾人数",
     "%", HI, ">=", Decimal("100"), "", 2025, S003.format(3), DTC, "month", N,
     "残疾人两项补贴项目（享受记录）与居民信息库残疾信息、低保/特困在册对象：残疾人补贴模块合并后计算", False),
    ("disability_care_subsidy_coverage", "重度残疾人护理补贴覆盖率", PLAN,
     "享受重度残疾人护理补贴的人数占一、二级重度残疾人数的比例。", "享受护理补贴人数", "一、二级重度残疾人数",
     "%", HI, ">=", Decimal("100"), "", 2025, S003.format(4), DTC, "month", N,
     "残疾人两项补贴项目（享受记录）与居民信息库残疾等级：残疾人补贴模块合并后计算", False),
    ("lottery_outlets", "福利彩票销售网点数", PLAN, "全区福利彩票销售网点个数。", "销售网点数", "", "个", HI,
     ">=", Decimal("350"), "", 2025, S003.format(5), D, "year", N, "区福彩中心销售网点名录（尚无采集渠道）", False),
    ("community_facility_area_per_100", "每百户居民拥有的城乡社区综合服务设施面积", PLAN,
     "社区综合服务设施面积除以居民户数再乘以100。", "社区综合服务设施面积（平方米）", "居民户数（百户）",
     "平方米", HI, ">", Decimal("30"), "", 2025, S003.format(6), DTC, "year", N,
     "社区综合服务设施台账（面积）与居民户数：基层治理模块", False),
    ("social_workers", "社会工作专业人才数", PLAN, "持证社会工作者人数。", "持证社工人数", "", "人", HI,
     ">=", Decimal("1500"), "", 2025, S003.format(7), D, "year", N, "社会工作人才登记（尚无采集渠道）", False),
    ("charity_donations", "慈善组织接受社会捐赠总额", PLAN, "全区慈善组织当年接受社会捐赠金额合计。",
     "捐赠金额（万元）", "", "万元", HI, ">=", Decimal("400"), "", 2025, S003.format(8), D, "year", N,
     "慈善组织年度报告（社会组织模块）", False),
    ("volunteer_station_coverage", "志愿服务站点在社区综合服务设施中的覆盖率", PLAN,
     "设有志愿服务站点的社区综合服务设施占全部设施的比例。", "设有志愿服务站点的设施数", "社区综合服务设施数",
     "%", HI, ">=", Decimal("80"), "", 2025, S003.format(9), DT, "year", N, "社区综合服务设施台账：基层治理模块", False),
    ("marriage_cross_province", "婚姻登记“跨省通办”实施率", PLAN, "可跨省通办的婚姻登记事项实施比例。",
     "已实施跨省通办的登记事项", "应实施事项", "%", HI, ">=", Decimal("100"), "", 2025, S003.format(10), D, "year", N,
     "婚姻登记模块（社会事务）", False),
    ("minor_protection_station_coverage", "镇（街道）未成年人保护工作站覆盖率", PLAN,
     "已设立未成年人保护工作站的镇街占全部镇街的比例。", "设立工作站的镇街数", "镇街数", "%", HI,
     ">=", Decimal("100"), "", 2025, S003.format(11), D, "year", N,
     "儿童福利与未成年人保护模块（工作站台账）：合并后计算", False),
    ("vagrant_return_rate", "查明身份信息流浪乞讨受助人员接送返回率", PLAN,
     "查明身份的流浪乞讨受助人员中已接送返回的比例。", "已接送返回人数", "查明身份的受助人数", "%", HI,
     ">=", Decimal("100"), "", 2025, S003.format(12), D, "year", N, "救助管理站受助人员台账（社会事务）", False),
    ("burial_facility_coverage", "镇街城乡公益性安葬（放）设施覆盖率", PLAN,
     "建有公益性安葬（放）设施的镇街占全部镇街的比例。", "建有设施的镇街数", "镇街数", "%", HI,
     ">=", Decimal("100"), "", 2025, S003.format(13), D, "year", N, "殡葬设施台账（殡葬模块）", False),
    ("nursing_bed_share", "养老机构护理型床位占比", PLAN, "养老机构护理型床位数占床位总数的比例。",
     "护理型床位数", "养老机构床位总数", "%", HI, ">=", Decimal("65"), "", 2025, S003.format(14), DT, "year", N,
     "养老服务模块（养老机构与床位台账）：合并后计算", True),
    ("care_home_quality_rate", "养老机构服务基本质量达标率", PLAN, "服务质量基本达标的养老机构占全部机构的比例。",
     "达标机构数", "养老机构数", "%", HI, ">=", Decimal("100"), "", 2025, S003.format(15), D, "year", N,
     "养老服务模块（机构质量检查记录）", False),
    ("town_care_centre_coverage", "镇（街道）具备综合功能的养老服务机构覆盖率", PLAN,
     "建有综合功能养老服务机构的镇街占全部镇街的比例。", "建有机构的镇街数", "镇街数", "%", HI,
     ">=", Decimal("90"), "", 2025, S003.format(16), D, "year", N, "养老服务模块（养老服务中心台账）", False),
    ("registered_social_orgs", "登记类社会组织数量", PLAN, "在民政部门登记的社会组织数。", "社会组织数", "", "个",
     HI, ">=", Decimal("600"), "", 2025, S003.format(17), D, "year", N, "社会组织登记模块", False),
    ("social_orgs_3a_share", "登记类社会组织3A级及以上占比", PLAN, "评估等级3A及以上的社会组织占比。",
     "3A级及以上社会组织数", "登记类社会组织数", "%", HI, ">=", Decimal("5"), "", 2025, S003.format(18), D, "year", N,
     "社会组织登记与评估模块", False),
    ("community_staff_certified", "社区工作人员社工证持证率", PLAN, "持社会工作者职业资格证书的社区工作人员占比。",
     "持证社区工作人员数", "社区工作人员数", "%", HI, ">", Decimal("80"), "", 2025, S003.format(19), DT, "year", N,
     "社区工作者台账（基层治理模块）", False),
    ("home_care_facility_coverage", "社区居家养老服务设施覆盖率", PLAN, "建有居家养老服务设施的村（社区）占比。",
     "建有设施的村（社区）数", "村（社区）数", "%", HI, ">", Decimal("95"), "", 2025, S003.format(20), DT, "year", N,
     "养老服务模块（社区养老服务站台账）", False),
    # seed 001 annex 1 — the city's assessment of the district
    ("applications_over_deadline", "救助申请办理超期率", ASSESS,
     "办结期限在当月的救助申请中，到期未办结（仍在办或期满后才办结）的比例。",
     "办结期限在当月且超期的申请数", "办结期限在当月的申请数", "%", LO, "<=", Decimal("0"), "", 2025,
     S001.format("15（救助申请办理超期）"), DTC, "month", C, "", True),
    ("applications_rejected_reapplied", "不予确认后再次申请比例", ASSESS,
     "当月不予确认的申请中，同一家庭（个人）此后又申请同一项目的比例（应保未保的线索）。",
     "当月不予确认且再次申请的数", "当月不予确认的申请数", "%", LO, "", None, "", None,
     S001.format("14（违规施保或应保未保）"), DTC, "month", C, "", False),
    ("gangxing_recognised", "刚性支出困难家庭认定数", ASSESS, "当月在册的刚性支出困难家庭数。", "在册家庭数", "", "户",
     HI, "", None, "", None, S001.format("14（开展刚性支出困难家庭认定）"), DTC, "month", C, "", False),
    ("warnings_handled_late", "预警信息逾期处置率", ASSESS,
     "当月办结的预警核查任务中，超过办理期限（或曾因超期升级）才办结的比例。",
     "当月逾期办结的预警任务数", "当月办结的预警任务数", "%", LO, "<=", Decimal("0"), "", 2025,
     S001.format("15（预警信息逾期处置）"), DTC, "month", C, "", True),
    ("communities_with_worker", "三级网络：配备协理员的村（社区）比例", ASSESS,
     "至少有一名在岗村社区协理员账号的村（社区）占全部村（社区）的比例。",
     "配备协理员的村（社区）数", "村（社区）数", "%", HI, ">=", Decimal("100"), "", 2025,
     S001.format("15（三级联合救助服务网络）"), DTC, "month", C, "", True),
    ("payments_on_time_rate", "救助资金按时发放率", ASSESS,
     "当月已到发放日的发放明细中按时发放（批次在发放日前审批、银行未退回、已回盘的在发放日前到账）的比例。",
     "按时发放条数", "已到发放日的发放条数", "%", HI, ">=", Decimal("100"), "", 2025,
     S001.format("16（未按规定及时足额发放）"), DTC, "month", C, "", True),
    ("payments_late", "逾期发放笔数", ASSESS, "当月已到发放日而未按时发放的发放明细条数。", "逾期发放条数", "", "笔",
     LO, "<=", Decimal("0"), "", 2025, S001.format("16（未按规定及时足额发放）"), DTC, "month", C, "", False),
    ("payments_amount_mismatch", "金额不符（未足额或超标准）发放笔数", ASSESS,
     "当月发放批次检查发现金额与现行标准测算不符或超过标准的明细数。", "异常条数", "", "笔", LO, "<=", Decimal("0"),
     "", 2025, S001.format("16（足额发放）"), DTC, "month", C, "", False),
    ("exceptions_accepted_without_reason", "无理由认可的发放异常数", ASSESS,
     "当月发放批次中被“核实认可”但未填写处理说明的异常数。", "无说明的认可异常数", "", "条", LO, "<=", Decimal("0"),
     "", 2025, S001.format("16（违规使用困难群众救助补助资金）"), DTC, "month", C, "", False),
    ("elderly_ability_assessment_rate", "老年人综合能力评估率", ASSESS,
     "老年人综合能力评估数 ÷ 本区县60周岁以上常住老年人数 × 100%。", "老年人综合能力评估数",
     "60周岁以上常住老年人数", "%", HI, "", None, "目标排名（中心城区）第3", 2025,
     "种子001 附件2《2025年超大城市现代化治理工作考核指标》第25项", DT, "year", N,
     "养老服务模块（老年人能力评估记录）与居民信息库60周岁以上常住人口：合并后计算", True),
    # operational
    ("applications_open", "在办救助申请数", OPS, "月末尚未办结的救助申请数。", "在办申请数", "", "件", LO, "", None,
     "", None, "运行监测", DTC, "month", C, "", False),
    ("warnings_open", "未办结预警数", OPS, "月末尚未办结的预警数。", "未办结预警数", "", "条", LO, "", None, "", None,
     "运行监测", DTC, "month", C, "", False),
    ("warnings_overdue", "逾期未办结预警数", OPS, "月末未办结且已过办理期限（或已超期升级）的预警核查任务数。",
     "逾期未办结任务数", "", "条", LO, "<=", Decimal("0"), "", None, "运行监测", DTC, "month", C, "", True),
    ("monitored_persons", "监测对象人数", OPS, "月末有未办结预警的人数（按本人所在村社区）。", "监测对象人数", "", "人",
     LO, "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("monitored_death_stop", "监测对象：死亡停发", OPS, "月末有未办结“死亡停发”预警的人数。", "人数", "", "人", LO,
     "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("monitored_no_longer_eligible", "监测对象：可能不再符合条件", OPS, "月末有未办结“可能不再符合条件”预警的人数。",
     "人数", "", "人", LO, "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("monitored_possibly_eligible", "监测对象：可能符合条件未纳入", OPS, "月末有未办结“主动发现”预警的人数。", "人数", "",
     "人", LO, "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("monitored_policy_not_applied", "监测对象：政策未落实", OPS, "月末有未办结“已纳入但政策未落实”预警的人数。", "人数",
     "", "人", LO, "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("monitored_auto_enrol", "监测对象：免申即享", OPS, "月末有未办结“免申即享”预警的人数。", "人数", "", "人", LO,
     "", None, "", None, "运行监测", DTC, "month", C, "", False),
    ("payroll_amount", "当月发放总额", OPS, "当月发放明细（当月发放、补发、调整）金额合计，不含扣回。", "发放金额（元）",
     "", "元", HI, "", None, "", None, "运行监测", DTC, "month", C, "", True),
    ("payroll_recipients", "当月发放对象数", OPS, "当月有发放明细的享受记录数。", "发放对象数", "", "户/人", HI, "",
     None, "", None, "运行监测", DTC, "month", C, "", False),
    ("phase_outs_month", "当月渐退数", OPS, "生效月份在当月的渐退变更数。", "渐退数", "", "户/人", LO, "", None, "",
     None, "运行监测", DTC, "month", C, "", False),
    ("stops_month", "当月停保（终止）数", OPS, "生效月份在当月的终止变更数。", "终止数", "", "户/人", LO, "", None, "",
     None, "运行监测", DTC, "month", C, "", False),
    ("elderly_visits_against_plan", "独居老人探访完成率", OPS, "当月完成的独居老年人探访次数占计划次数的比例。",
     "完成探访次数", "计划探访次数", "%", HI, ">=", Decimal("100"), "", None, "运行监测", DTC, "month", N,
     "养老服务模块（独居老人探访计划与记录）：合并后计算", False),
]

FIELDS = ("code", "name", "group", "definition", "numerator_text", "denominator_text", "unit", "direction",
          "target_comparator", "target_value", "target_text", "target_year", "source", "levels", "period", "status",
          "feed_text", "key")


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for sort, row in enumerate(ROWS, start=1):
        values = dict(zip(FIELDS, row, strict=True))
        code = values.pop("code")
        Indicator.objects.update_or_create(code=code, defaults={**values, "sort": sort * 10})


def unseed(apps, schema_editor):
    apps.get_model("indicators", "Indicator").objects.filter(code__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
