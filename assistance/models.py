"""Records of a social-assistance application (社会救助申请) beside the kernel's Case: the application itself
(what a 低保/特困/… case keeps beyond the kernel: authorisation, one-time notice, publication and objection
dates, extension, amount and its calculation, decision reasons), the home investigation (入户调查), the
economic-status verification (信息核对) and the public evaluation (群众评议, Chongqing)."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from areas.models import Area
from casework.models import Case


class Application(models.Model):
    """社会救助申请事项: one per case of an assistance workflow, created with the case (`Workflow.detail`).

    The kernel reads `confirmation_base_on`, `restarted_on` and `extended` only as the declared bases and flag of
    the deadlines; everything else here is this app's own.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="application",
                                verbose_name="案件")
    authorised_data_check = models.BooleanField("已授权核对经济状况", default=False)
    authorised_at = models.DateTimeField("授权时间", null=True, blank=True)
    authorised_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+", verbose_name="授权登记人")
    missing_materials = models.JSONField("一次性告知补正材料", default=list, blank=True)
    materials_requested_on = models.DateField("告知补正日期", null=True, blank=True)
    restarted_on = models.DateField("重新调查日期", null=True, blank=True, help_text="公示异议成立之日")
    confirmation_base_on = models.DateField("报送审核确认日期", null=True, blank=True,
                                            help_text="公示期满之日，审核确认期限由此起算")
    verification_requested_on = models.DateField("提请信息核对日期", null=True, blank=True,
                                                 help_text="入户调查录入之日，信息核对期限由此起算")
    extended = models.BooleanField("已延期", default=False)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    monthly_amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    calculation = models.JSONField("金额计算过程", default=dict, blank=True,
                                   help_text="初审（review）、先行审批（advance）与审核确认（confirmation）时的测算")
    advance_approved_on = models.DateField("先行审批日期", null=True, blank=True)
    decision_reasons = models.TextField("不予确认理由", blank=True)
    certificate_number = models.CharField("证件编号", max_length=30, blank=True,
                                          help_text="低保证、特困人员救助供养证编号，审核确认时发给（assistance.certificates）")

    class Meta:
        verbose_name = "社会救助申请事项"
        verbose_name_plural = "社会救助申请事项"
        constraints = [models.UniqueConstraint(fields=["certificate_number"],
                                               condition=~models.Q(certificate_number=""),
                                               name="application_certificate_number_unique")]

    def __str__(self) -> str:
        return f"申请事项（案件{self.case_id}）"

    @property
    def not_counted_days(self) -> int:
        """Calendar days of 群众评议 and 公示 (every notice, withdrawn ones included: the days were spent), each
        day once — the Chongqing overall limit does not count them (条例第十九条)."""
        days = set(self.case.evaluations.values_list("held_on", flat=True))
        for start, end in self.case.notices.values_list("starts_on", "ends_on"):
            days |= {start + timedelta(days=i) for i in range((end - start).days + 1)}
        return len(days)


class Investigation(models.Model):
    """入户调查记录: at least two different investigators visited; what they found.

    The incomes and assets found are written to the registry (registry.services.income_add / asset_add) so the
    quote, the what-if and later re-checks all read one household record; `findings` keeps what was entered
    and the ids of the registry rows it created or confirmed.
    """

    class Method(models.TextChoices):
        HOME = "home", "入户调查"
        REMOTE = "remote", "电话或视频调查（重大突发事件期间）"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations", verbose_name="案件")
    visited_on = models.DateField("调查日期")
    method = models.CharField("调查方式", max_length=10, choices=Method.choices, default=Method.HOME)
    investigators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name="调查人员")
    district_investigation = models.BooleanField("区县民政部门参与入户调查", default=False)
    members_present = models.CharField("在场家庭成员", max_length=200, blank=True)
    findings = models.JSONField("调查结果", default=dict, blank=True)
    note = models.TextField("调查意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "入户调查记录"
        verbose_name_plural = "入户调查记录"
        ordering = ["case_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"入户调查 {self.visited_on:%Y-%m-%d}"


VERIFICATION_SOURCES = {
    "hukou": "户籍", "tax": "纳税", "social_insurance": "社会保险", "real_estate": "不动产", "business": "市场主体",
    "housing_fund": "住房公积金", "vehicle": "车船", "deposit": "存款", "insurance": "商业保险", "securities": "证券",
    "internet_finance": "互联网金融",
}


class Verification(models.Model):
    """信息核对记录 (《最低生活保障审核确认办法》第十七条): which sources were checked and whether they matched what
    the household declared. Entered by an officer here; the monitoring issue will feed it from department data."""

    class Result(models.TextChoices):
        MATCH = "match", "核对相符"
        MISMATCH = "mismatch", "核对不符"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="verifications", verbose_name="案件")
    checked_on = models.DateField("核对日期")
    sources = models.JSONField("核对事项", default=list)
    result = models.CharField("核对结果", max_length=10, choices=Result.choices)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "信息核对记录"
        verbose_name_plural = "信息核对记录"
        ordering = ["case_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"信息核对 {self.get_result_display()}"


class Evaluation(models.Model):
    """群众评议记录 (《重庆市城乡居民最低生活保障条例》第十八条; Chongqing variant only)."""

    class Result(models.TextChoices):
        AGREE = "agree", "评议通过"
        DISAGREE = "disagree", "评议未通过"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evaluations", verbose_name="案件")
    held_on = models.DateField("评议日期")
    participants = models.PositiveSmallIntegerField("参加人数")
    result = models.CharField("评议结果", max_length=10, choices=Result.choices)
    note = models.TextField("评议意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "群众评议记录"
        verbose_name_plural = "群众评议记录"
        ordering = ["case_id", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"群众评议 {self.get_result_display()}"


class Recheck(models.Model):
    """定期核查（复核）of an enrolment: when it is due, why, and what was decided.

    The interval depends on the household's type (《重庆市城乡居民最低生活保障条例》第二十六条; 《最低生活保障
    审核确认办法》动态管理): yearly, every six months, or — for able-bodied members out of work — monthly in town
    and quarterly in the country. The figures are PolicyParameter rows (`recheck_months_*`); the row used is kept
    in `basis`. An enrolment has at most one re-check due at a time.
    """

    class Kind(models.TextChoices):
        STABLE = "stable", "收入基本无变化的家庭（每年核查）"
        UNSTABLE = "unstable", "收入有变化的家庭（每半年核查）"
        UNEMPLOYED = "unemployed", "有劳动能力尚未就业的家庭（城市按月、农村按季核查）"

    class Trigger(models.TextChoices):
        PERIODIC = "periodic", "定期核查"
        MEMBER_DEATH = "member_death", "家庭成员死亡后重新核定"
        PHASE_OUT_END = "phase_out_end", "渐退期满"
        DATA = "data", "部门数据比对预警"
        CARE_CHANGE = "care_change", "生活自理能力变化后重新评估"

    class Status(models.TextChoices):
        DUE = "due", "待复核"
        DONE = "done", "已复核"
        CANCELLED = "cancelled", "已撤销"

    class Outcome(models.TextChoices):
        KEEP = "keep", "维持原待遇"
        CHANGE = "change", "调整金额"
        PHASE_OUT = "phase_out", "渐退"
        END = "end", "终止"

    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="rechecks",
                                  verbose_name="享受对象")
    # The enrolment's community, copied so the due list scopes by prefix without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    kind = models.CharField("家庭类别", max_length=12, choices=Kind.choices)
    trigger = models.CharField("复核原因", max_length=14, choices=Trigger.choices, default=Trigger.PERIODIC)
    due_on = models.DateField("应复核日期")
    basis = models.JSONField("期限依据", default=dict, blank=True, help_text="间隔月数与所用政策参数")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DUE)
    outcome = models.CharField("复核结论", max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField("复核意见", blank=True)
    notice = models.JSONField("变更通知", default=dict, blank=True, help_text="告知家庭的复核结果")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="安排人")
    scheduled_at = models.DateTimeField("安排时间", auto_now_add=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="复核人")
    done_at = models.DateTimeField("录入时间", null=True, blank=True)
    done_on = models.DateField("复核日期", null=True, blank=True, help_text="下次核查由此日起算")

    class Meta:
        verbose_name = "定期核查"
        verbose_name_plural = "定期核查"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=models.Q(status="due"),
                                    name="recheck_one_due_per_enrolment"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on", "id"], name="recheck_status_due"),
            models.Index(fields=["area", "due_on"], name="recheck_area_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.due_on:%Y-%m-%d}"


class SpotCheck(models.Model):
    """特困认定抽查: the district's draw of at least 30 % of a town's 特困 recognitions (《特困人员认定办法》: the
    county spot-checks ≥30 % of the cases the town sends for confirmation).

    The draw is reproducible: every case of the population is ranked by SHA-256 of "seed:case id" and the first
    `ceil(rate × N)` are the sample — the same seed and population always give the same sample, on any machine
    and Python version, so anyone may re-draw it from what is recorded here."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）")
    period_from = models.DateField("受理日期自")
    period_to = models.DateField("受理日期至")
    seed = models.CharField("随机种子", max_length=40)
    rate = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    basis = models.JSONField("比例依据", default=dict, blank=True)
    population = models.JSONField("抽样总体（案件编号）", default=list)
    sample = models.JSONField("抽中案件编号", default=list)
    results = models.JSONField("抽查结果", default=dict, blank=True, help_text="案件编号 → 结论、意见、抽查人、日期")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="抽取人")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "特困认定抽查"
        verbose_name_plural = "特困认定抽查"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"特困认定抽查（{len(self.sample)}/{len(self.population)}）"


class TerminationNotice(models.Model):
    """终止公示: before a 特困 (or other) enrolment ends, the ground is posted for `days` days (《特困人员认定办法》:
    公示7天, support stops from the next month); the enrolment may be ended only after the notice has run."""

    class Ground(models.TextChoices):
        DEATH = "death", "死亡"
        WORK_CAPACITY = "work_capacity", "恢复劳动能力"
        IMPRISONED = "imprisoned", "被判刑收监执行"
        INCOME_PROPERTY = "income_property", "收入或财产超过规定"
        SUPPORTER = "supporter", "有了具备履行能力的法定义务人"
        WORK_REFUSAL = "work_refusal", "无正当理由三次拒绝介绍的就业"
        VOLUNTARY = "voluntary", "自愿申请退出"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        ENDED = "ended", "已终止待遇"
        WITHDRAWN = "withdrawn", "异议成立撤回"

    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="termination_notices",
                                  verbose_name="享受对象")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    ground = models.CharField("终止事由", max_length=20, choices=Ground.choices)
    reason = models.TextField("说明")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止（含）")
    days = models.PositiveSmallIntegerField("公示天数")
    basis = models.JSONField("天数依据", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="经办人")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "终止公示"
        verbose_name_plural = "终止公示"
        constraints = [models.UniqueConstraint(fields=["enrolment"], condition=models.Q(status="open"),
                                               name="termination_notice_one_open")]

    def __str__(self) -> str:
        return f"终止公示：{self.get_ground_display()}"


class WorkRefusal(models.Model):
    """拒绝就业登记: a member able to work refused a suitable job introduced to them. Refusals without a proper
    reason, counted over a window (`work_refusal_window_months`), reach the limit (`work_refusal_limit`, 3:
    《最低生活保障审核确认办法》动态管理) → that member's share of 低保金 is no longer paid (减发), and with
    every member so, the household's (停发)."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="work_refusals",
                               verbose_name="成员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    refused_on = models.DateField("拒绝日期")
    job = models.CharField("介绍的工作岗位", max_length=200)
    reason_given = models.CharField("本人说明的理由", max_length=200, blank=True)
    justified = models.BooleanField("理由正当", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "拒绝就业登记"
        verbose_name_plural = "拒绝就业登记"
        indexes = [models.Index(fields=["person", "refused_on"], name="work_refusal_person")]

    def __str__(self) -> str:
        return f"拒绝就业：{self.job}"


class CareLevelChange(models.Model):
    """特困人员照料护理等级变更: an enrolment's care level changed from a month on, and on what basis (an ability
    assessment mapped through the data table, with that row's source and verified flag). The enrolment's
    `care_level` holds the new level at once; the amount follows from `effective_month` through the re-rating
    of a person's own facts before each payroll (`assistance.calculations.tekun_care_level_changed`)."""

    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="care_level_changes",
                                  verbose_name="享受对象")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    from_level = models.CharField("原护理等级", max_length=8, blank=True)
    to_level = models.CharField("新护理等级", max_length=8)
    effective_month = models.DateField("起始月份", help_text="照料护理补贴自该月起按新等级计发")
    basis = models.JSONField("依据", default=dict, blank=True, help_text="能力评估与所用对应关系")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="经办人")
    recorded_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "照料护理等级变更"
        verbose_name_plural = "照料护理等级变更"
        ordering = ["-effective_month", "-id"]
        indexes = [models.Index(fields=["enrolment", "effective_month"], name="care_change_enrolment_month")]

    def __str__(self) -> str:
        return f"护理等级变更 {self.effective_month:%Y-%m}"
