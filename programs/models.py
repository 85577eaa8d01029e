"""Programmes (项目), their policy parameters (政策参数) and who is enrolled (享受对象/名单).

A new subsidy is a `Program` row plus, at most, one eligibility function and one amount function registered with
`programs.calculations` (their keys are `Program.eligibility` and `Program.calculator`). Everything else the
platform needs to know about it — the legal basis its decisions cite, the month payment starts, the inputs an
officer enters, the case workflow it uses, the ceiling the payroll check compares with — is a field of the row.
Every figure it needs is a `PolicyParameter` row with a validity period, an area and the document it comes from.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# Division-code helpers live in areas.codes; these names stay importable from here for older callers.
from areas.codes import (  # noqa: F401
    AREA_CODE_VALIDATOR,
    AREA_PREFIX_LENGTHS,
    CHONGQING,
    area_ancestor_codes,
    area_code_prefix,
)
from areas.models import Area


class Program(models.Model):
    """项目: a benefit, subsidy or service programme (低保, 特困, 临时救助 …)."""

    class Unit(models.TextChoices):
        HOUSEHOLD = "household", "家庭"
        PERSON = "person", "个人"

    class StartMonth(models.TextChoices):
        APPROVAL = "approval", "审核确认当月"
        NEXT = "next", "审核确认次月"
        VARIANT = "variant", "按办理规则（重庆规则当月，全国规则次月）"

    code = models.SlugField("代码", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=60)
    unit = models.CharField("享受单位", max_length=10, choices=Unit.choices,
                            help_text="以家庭（户）为单位享受，或以个人为单位享受")
    calculator = models.CharField("金额计算函数", max_length=40, help_text="programs.calculations 中登记的键")
    eligibility = models.CharField("条件判断函数", max_length=40, help_text="programs.calculations 中登记的键")
    recurring = models.BooleanField("按月发放", default=True, help_text="否：一次性发放（如临时救助）")
    active = models.BooleanField("启用", default=True)
    means_tested = models.BooleanField(
        "需家庭经济状况核查", default=False,
        help_text="是：享受期间定期核查家庭经济状况，部门数据比对预警时提前复核（如低保、特困）；"
                  "否：按身份或年龄享受（如高龄津贴），不做经济状况复核")
    excludes = models.ManyToManyField("self", blank=True, verbose_name="不可同时享受的项目")
    monthly_payment_day = models.PositiveSmallIntegerField(
        "每月发放日", default=10, validators=[MinValueValidator(1), MaxValueValidator(28)])
    description = models.TextField("说明", blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    # How a case of this programme is handled (the kernel builds its workflow from this row on first use).
    workflow = models.CharField("办理流程", max_length=40, blank=True,
                                help_text="已登记的流程类型，如 assistance（社会救助审核确认）；为空表示不受理申请")
    application_name = models.CharField("申请事项名称", max_length=60, blank=True,
                                        help_text="流程与页面中的事项名称，如“最低生活保障”；为空时用项目名称")
    legal_basis = models.TextField("法律依据", blank=True, help_text="审核确认决定书引用的依据")
    legal_basis_chongqing = models.TextField("重庆规则另加依据", blank=True,
                                             help_text="按重庆规则办理的案件，决定书在法律依据后另加引用")
    start_month = models.CharField("起始发放月份", max_length=10, choices=StartMonth.choices,
                                   default=StartMonth.APPROVAL)
    quote_inputs = models.JSONField("经办人录入事项", default=list, blank=True,
                                    help_text="测算需要的录入项代码列表，如 [\"care_level\", \"no_supporter\"]；"
                                              "申请与入户调查表单据此显示相应字段")
    ceiling = models.JSONField(
        "发放金额上限规则", default=dict, blank=True,
        help_text="发放前核查“金额超过标准”所用：{\"per_person\": {户籍类型: 参数代码}, \"fixed\": [参数代码], "
                  "\"label\": 说明}，户籍类型 urban、rural 或 *（不限）；不发放现金的身份认定填 "
                  "{\"per_person\": {}, \"fixed\": [], \"label\": \"身份认定，不发放现金\"}；为空表示不核查")

    class Meta:
        verbose_name = "救助与补贴项目"
        verbose_name_plural = "救助与补贴项目"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def application_label(self) -> str:
        return self.application_name or self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from casework.workflows import families
        from programs.calculations import registered

        eligibility, calculators = registered()
        errors = ceiling_errors(self.ceiling)
        if self.workflow and self.workflow not in families():
            options = "、".join(f"{k}（{v}）" for k, v in families().items())
            errors["workflow"] = [f"未登记的办理流程：{self.workflow}（可选：{options}）"]
        if not isinstance(self.quote_inputs, list) or not all(isinstance(k, str) for k in self.quote_inputs):
            errors["quote_inputs"] = ["经办人录入事项应为录入项代码的列表"]
        if self.eligibility not in eligibility:
            options = "、".join(sorted(eligibility))
            errors["eligibility"] = [f"未登记的条件判断函数：{self.eligibility}（可选：{options}）"]
        if self.calculator not in calculators:
            options = "、".join(sorted(calculators))
            errors["calculator"] = [f"未登记的金额计算函数：{self.calculator}（可选：{options}）"]
        if errors:
            raise ValidationError(errors)


def ceiling_errors(ceiling) -> dict[str, list[str]]:
    """Shape errors of `Program.ceiling` (empty = no ceiling)."""
    if ceiling in (None, {}):
        return {}
    ok = (isinstance(ceiling, dict) and set(ceiling) <= {"per_person", "fixed", "label"}
          and isinstance(ceiling.get("per_person", {}), dict)
          and set(ceiling.get("per_person", {})) <= {"urban", "rural", "*"}
          and all(isinstance(v, str) for v in ceiling.get("per_person", {}).values())
          and isinstance(ceiling.get("fixed", []), list) and all(isinstance(v, str) for v in ceiling.get("fixed", []))
          and isinstance(ceiling.get("label", ""), str))
    return {} if ok else {"ceiling": [
        "上限规则应为 {\"per_person\": {\"urban\"/\"rural\"/\"*\": 参数代码}, \"fixed\": [参数代码], \"label\": 说明}"]}


# Names and units of the known parameter keys, for lines and pages; a new key works without an entry here.
PARAMETER_KEYS: dict[str, tuple[str, str]] = {
    "standard_urban": ("城市低保标准", "元/人/月"),
    "standard_rural": ("农村低保标准", "元/人/月"),
    "tekun_standard": ("特困人员基本生活标准", "元/人/月"),
    "tekun_multiplier": ("特困基本生活标准与城市低保标准之比", "倍"),
    "care_full": ("照料护理补贴（全护理）", "元/人/月"),
    "care_half": ("照料护理补贴（半护理）", "元/人/月"),
    "care_self": ("照料护理补贴（全自理）", "元/人/月"),
    "bianyuan_multiplier": ("低保边缘家庭认定标准与低保标准之比", "倍"),
    "town_limit": ("乡镇（街道）临时救助审批限额", "元/次"),
    "disposable_income": ("上年度当地居民人均可支配收入", "元/人/年"),
    "rigid_ratio": ("刚性支出占家庭总收入比例", "比例"),
    "phase_out_max_months": ("渐退期最长月数", "个月"),
    "death_recheck_months": ("家庭成员死亡后重新核定时限", "个月"),
    "deadline_investigation_start_wd": ("启动家庭经济状况调查期限", "个工作日"),
    "deadline_town_review_wd": ("乡镇（街道）初审期限", "个工作日"),
    "deadline_confirm_wd": ("审核确认期限", "个工作日"),
    "deadline_overall_wd": ("办结期限", "个工作日"),
    "deadline_overall_extended_wd": ("延长后的办结期限", "个工作日"),
    "publicity_days": ("公示天数", "天"),
    "publicity_days_after_objection": ("异议处理后重新公示天数", "天"),
    "recheck_months_stable": ("定期核查间隔（收入稳定家庭）", "个月"),
    "recheck_months_unstable": ("定期核查间隔（收入不稳定家庭）", "个月"),
    "recheck_months_unemployed_urban": ("定期核查间隔（有劳动能力未就业，城市）", "个月"),
    "recheck_months_unemployed_rural": ("定期核查间隔（有劳动能力未就业，农村）", "个月"),
    "gaoling_80_89": ("高龄津贴（80至89岁）", "元/人/月"),
    "gaoling_90_99": ("高龄津贴（90至99岁）", "元/人/月"),
    "gaoling_100": ("高龄津贴（100岁及以上）", "元/人/月"),
    "gaoling_80_89_assisted": ("高龄津贴（80至89岁，低保、特困对象）", "元/人/月"),
    "gaoling_90_99_assisted": ("高龄津贴（90至99岁，低保、特困对象）", "元/人/月"),
    "gaoling_100_assisted": ("高龄津贴（100岁及以上，低保、特困对象）", "元/人/月"),
    "voucher_share": ("养老服务消费券抵扣比例", "比例"),
    "voucher_cap": ("养老服务消费券每月上限", "元/人/月"),
    "xiaofei_min_level": ("养老服务消费补贴最低能力等级", "级"),
    "ability_reassess_months": ("老年人能力常规评估间隔", "个月"),
    "custody_check_working_days": ("卡折代管月度核对期限（次月第几个工作日前）", "个工作日"),
}


class PolicyParameter(models.Model):
    """政策参数: one figure for one programme, area and period, with its source.

    History is kept by never editing a row in place: a new value end-dates the current row and adds a new one
    (`services.policy_parameter_set`). `area_code` is a 12-digit division code, not a foreign key, because the
    city or province a figure comes from (重庆市 500000000000) is usually not in the installation's area tree.
    A parameter applies to every division whose code starts with its significant prefix (`area_code_prefix`);
    where several apply, the most specific wins (`selectors.parameter_at`).
    """

    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.PROTECT, related_name="parameters",
                                verbose_name="项目", help_text="为空表示通用参数")
    key = models.SlugField("参数", max_length=40)
    area_code = models.CharField("适用区划代码", max_length=12, validators=[AREA_CODE_VALIDATOR],
                                 help_text="12位代码；重庆市全市适用填 500000000000")
    value = models.DecimalField("数值", max_digits=12, decimal_places=4)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="含当日；为空表示现行有效")
    source = models.CharField("依据文件", max_length=200)
    verified = models.BooleanField("已核实", default=True, help_text="否：未找到或未核对原文，使用处显示“未核实”")
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["program_id", "key", "area_code", "valid_from"]
        constraints = [
            # One open-ended row per figure and area: a new value always end-dates the one in force.
            models.UniqueConstraint(fields=["program", "key", "area_code"], name="policy_parameter_one_open",
                                    condition=Q(program__isnull=False, valid_to__isnull=True)),
            models.UniqueConstraint(fields=["key", "area_code"], name="policy_parameter_general_one_open",
                                    condition=Q(program__isnull=True, valid_to__isnull=True)),
        ]
        indexes = [models.Index(fields=["program", "key", "area_code", "valid_from"], name="policy_parameter_lookup")]

    def __str__(self) -> str:
        return f"{self.label} {self.area_code} {self.valid_from:%Y-%m-%d}起 {self.value}"

    @property
    def label(self) -> str:
        return PARAMETER_KEYS.get(self.key, (self.key, ""))[0]

    @property
    def unit(self) -> str:
        return PARAMETER_KEYS.get(self.key, (self.key, ""))[1]


class AmountTier(models.Model):
    """分档补助 (《最低生活保障审核确认办法》第二十三条: 低保金 may be paid 按差额 or 按分档, as the county decides):
    one tier of a programme's amount rule — a per-capita income range and the amount per person for it — for an
    area and a period, with the document it comes from.

    A programme's tiered rule is on in an area and month exactly when tiers are in force there (the most specific
    area with any wins, as for parameters); otherwise its ordinary amount function (the gap formula) applies. No
    district figures were found, so none are seeded: the gap formula is the default. Set through
    `programs.services.amount_tiers_set`, which end-dates the area's tiers in force and adds the new set."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="amount_tiers", verbose_name="项目")
    area_code = models.CharField("适用区划代码", max_length=12, validators=[AREA_CODE_VALIDATOR])
    income_from = models.DecimalField("月人均收入自（含，元）", max_digits=12, decimal_places=2)
    income_to = models.DecimalField("月人均收入至（不含，元）", max_digits=12, decimal_places=2, null=True, blank=True,
                                    help_text="为空表示不设上限")
    amount = models.DecimalField("每人每月补助（元）", max_digits=12, decimal_places=2)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="含当日；为空表示现行有效")
    source = models.CharField("依据文件", max_length=200)
    verified = models.BooleanField("已核实", default=False, help_text="否：使用处显示“未核实”")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "分档补助标准"
        verbose_name_plural = "分档补助标准"
        ordering = ["program_id", "area_code", "valid_from", "income_from"]
        indexes = [models.Index(fields=["program", "area_code", "valid_from"], name="amount_tier_lookup")]

    def __str__(self) -> str:
        upper = f"{self.income_to}" if self.income_to is not None else "以上"
        return f"{self.program_id} 月人均收入 {self.income_from}–{upper}：{self.amount} 元/人"

    def covers(self, income) -> bool:
        return self.income_from <= income and (self.income_to is None or income < self.income_to)


class CareLevel(models.TextChoices):
    """生活自理能力 (《特困人员认定办法》第二十一至二十三条) → 照料护理等级."""

    SELF = "self", "全自理"
    HALF = "half", "半护理"
    FULL = "full", "全护理"


class SupportMode(models.TextChoices):
    CENTRALIZED = "centralized", "集中供养"
    DISPERSED = "dispersed", "分散供养"


OPEN_STATUSES = ("active", "phasing_out")


class Enrolment(models.Model):
    """享受对象: a household or a person enrolled in a programme, at an amount, from a month.

    Months are stored as their first day. The enrolment is payable for every month from `start_month` to
    `end_month` inclusive (`end_month` empty = open-ended).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "正常享受"
        PHASING_OUT = "phasing_out", "渐退期"
        SUSPENDED = "suspended", "暂停"
        ENDED = "ended", "终止"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments", verbose_name="项目")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="enrolments", verbose_name="家庭")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="enrolments", verbose_name="享受人/申请人",
                               help_text="个人项目为享受人；家庭项目为申请人（户主）")
    # Copied from the household (or person) so the roll scopes by area without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    monthly_amount = models.DecimalField("月发放金额（元）", max_digits=12, decimal_places=2)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("最后享受月份", null=True, blank=True)
    phase_out_until = models.DateField("渐退期至（含）", null=True, blank=True)
    care_level = models.CharField("护理等级", max_length=8, choices=CareLevel.choices, blank=True)
    support_mode = models.CharField("供养方式", max_length=12, choices=SupportMode.choices, blank=True)
    calculation = models.JSONField("金额计算过程", default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="决定人")
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "享受对象"
        verbose_name_plural = "享受对象"
        constraints = [
            models.UniqueConstraint(fields=["program", "household"], name="enrolment_one_open_per_household",
                                    condition=Q(status__in=OPEN_STATUSES, household__isnull=False)),
            models.UniqueConstraint(fields=["program", "person"], name="enrolment_one_open_per_person",
                                    condition=Q(status__in=OPEN_STATUSES, person__isnull=False)),
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(person__isnull=False),
                                   name="enrolment_has_subject"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="enrolment_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["area", "id"], name="enrolment_area_keyset"),
            models.Index(fields=["program", "status"], name="enrolment_program_status"),
        ]

    def __str__(self) -> str:
        subject = self.person.name if self.person_id else f"家庭{self.household_id}"
        return f"{self.program_id} · {subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EnrolmentChange(models.Model):
    """享受变更记录: every start, change, 渐退, suspension, resumption and end, with the amounts before and after."""

    class Kind(models.TextChoices):
        START = "start", "纳入"
        CHANGE = "change", "调整金额"
        PHASE_OUT = "phase_out", "渐退"
        SUSPEND = "suspend", "暂停"
        RESUME = "resume", "恢复"
        END = "end", "终止"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="changes", verbose_name="享受对象")
    kind = models.CharField("变更类型", max_length=12, choices=Kind.choices)
    from_amount = models.DecimalField("变更前金额", max_digits=12, decimal_places=2, null=True, blank=True)
    to_amount = models.DecimalField("变更后金额", max_digits=12, decimal_places=2, null=True, blank=True)
    from_status = models.CharField("变更前状态", max_length=12, blank=True)
    to_status = models.CharField("变更后状态", max_length=12)
    reason = models.CharField("原因", max_length=200, blank=True)
    effective_month = models.DateField("生效月份")
    # Same area as the enrolment, so the change list scopes without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+", verbose_name="经办人")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "享受变更记录"
        verbose_name_plural = "享受变更记录"
        ordering = ["enrolment_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_month:%Y-%m}"


class Rerate(models.Model):
    """调整待遇（重新核定）: the enrolments of one programme re-rated from one month, for one cause.

    A new or corrected `PolicyParameter` creates one PENDING per affected programme, with its preview (how many
    enrolments change and by how much a month, by programme and town); a district officer confirms it, and it is
    applied at once (or, for a month still ahead, before the first payroll of that month). A re-rating caused by
    a person's own facts (an age band crossed, a care level changed) is applied by itself before each payroll.
    What each enrolment gets is kept in `RerateItem`; the payroll reads the items to pay back pay (补发).
    """

    class Cause(models.TextChoices):
        PARAMETER = "parameter", "政策参数调整"
        AGE_BAND = "age_band", "年龄段变化"
        CARE_LEVEL = "care_level", "护理等级变化"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认待生效"
        APPLIED = "applied", "已调整"
        CANCELLED = "cancelled", "已撤销"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rerates", verbose_name="项目")
    cause = models.CharField("调整原因", max_length=12, choices=Cause.choices)
    parameter = models.ForeignKey(PolicyParameter, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rerates", verbose_name="引起调整的政策参数")
    # The division the cause applies to (the parameter's area, or the district for a person's own facts), so a
    # list scopes by code without a join.
    area_code = models.CharField("适用区划代码", max_length=12, validators=[AREA_CODE_VALIDATOR])
    valid_from = models.DateField("调整起始月份")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    enrolments = models.PositiveIntegerField("涉及对象数", default=0)
    monthly_difference = models.DecimalField("月发放金额变化合计（元）", max_digits=14, decimal_places=2, default=0)
    # {"by_program": {code: {"enrolments": n, "difference": "…"}}, "by_town": {town code: {…}}}
    preview = models.JSONField("测算预览", default=dict, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    applied_at = models.DateTimeField("调整完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "调整待遇（重新核定）"
        verbose_name_plural = "调整待遇（重新核定）"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_from"], name="rerate_status_month")]

    def __str__(self) -> str:
        return f"{self.program} {self.valid_from:%Y年%m月}起{self.get_cause_display()}"


class RerateItem(models.Model):
    """One enrolment's result of a re-rating: the amount before and after, from the re-rating's month.

    Written set-based (INSERT … SELECT) by `services.enrolments_rerate`; only enrolments whose amount changes
    get a row. The payroll reads the items of APPLIED re-ratings to pay back pay for months already generated
    at the old amount (`payments.generation.backpay_select`)."""

    # No key keeps a database constraint (as PaymentLine): every key is copied, in the same INSERT … SELECT, from
    # rows that exist and are never deleted; each constraint would be a trigger per row at COMMIT (measured: the
    # four of them were a third of a 20,000-enrolment re-rating on PostgreSQL).
    rerate = models.ForeignKey(Rerate, on_delete=models.CASCADE, related_name="items", db_index=False,
                               db_constraint=False, verbose_name="调整待遇")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="rerate_items",
                                  db_constraint=False, verbose_name="享受对象")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False, verbose_name="项目")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    valid_from = models.DateField("调整起始月份")
    from_amount = models.DecimalField("调整前金额", max_digits=12, decimal_places=2)
    to_amount = models.DecimalField("调整后金额", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "调整待遇明细"
        verbose_name_plural = "调整待遇明细"
        constraints = [models.UniqueConstraint(fields=["rerate", "enrolment"], name="rerate_item_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.from_amount} → {self.to_amount}"
