"""养老机构: the care-home registry, its provider accounts, residents, monthly figures and safety checks."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from areas.models import Area


class CareHome(models.Model):
    """养老机构: beds, nursing-type beds, star rating, fire-safety acceptance, the prepaid-fee custody account."""

    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在村社区")
    public = models.BooleanField("公办", default=False)
    beds = models.PositiveIntegerField("床位数")
    nursing_beds = models.PositiveIntegerField("护理型床位数")
    star_rating = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    fire_acceptance = models.BooleanField("消防验收合格", default=False)
    fire_acceptance_date = models.DateField("消防验收日期", null=True, blank=True)
    custody_bank = models.CharField("预收费监管账户开户行", max_length=60, blank=True)
    custody_account = models.CharField("预收费监管账号", max_length=40, blank=True)
    staff_total = models.PositiveIntegerField("工作人员数", default=0)
    staff_carers = models.PositiveIntegerField("养老护理员数", default=0)
    providers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="care_homes",
                                       verbose_name="机构填报账号")

    class Meta:
        verbose_name = "养老机构"
        verbose_name_plural = "养老机构"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(nursing_beds__lte=F("beds")), name="care_home_nursing_within_beds"),
            models.CheckConstraint(condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                                   name="care_home_star_1_5"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def nursing_share(self):
        return None if not self.beds else round(self.nursing_beds * 100 / self.beds, 1)


class CareHomeResident(models.Model):
    """入住老人: a person living in a care home, at a care level (0–4 as assessed)."""

    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="residents", verbose_name="养老机构")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="care_home_stays",
                               verbose_name="老人")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="机构所在村社区")
    care_level = models.PositiveSmallIntegerField("照护等级", help_text="能力等级 0–4")
    admitted_on = models.DateField("入住日期")
    left_on = models.DateField("离院日期", null=True, blank=True)

    class Meta:
        verbose_name = "入住老人"
        verbose_name_plural = "入住老人"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(left_on__isnull=True), name="resident_one_home"),
            models.CheckConstraint(condition=Q(care_level__lte=4), name="resident_care_level_range"),
        ]


    def __str__(self) -> str:
        return f"{self.person} @ {self.home}"

class CareHomeMonthlyReport(models.Model):
    """机构月报: the figures a home reports for a month (occupancy by care level, staff)."""

    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="reports", verbose_name="养老机构")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    month = models.DateField("月份")
    residents_by_level = models.JSONField("按照护等级入住人数", default=dict)
    residents = models.PositiveIntegerField("入住人数")
    staff_total = models.PositiveIntegerField("工作人员数")
    staff_carers = models.PositiveIntegerField("养老护理员数")
    prepaid_balance = models.DecimalField("预收费监管账户余额（元）", max_digits=14, decimal_places=2, default=0)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="填报人")
    reported_at = models.DateTimeField("填报时间", auto_now=True)

    class Meta:
        verbose_name = "机构月报"
        verbose_name_plural = "机构月报"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["home", "month"], name="care_home_report_once")]


    def __str__(self) -> str:
        return f"{self.home} {self.month:%Y-%m}"

class SafetyChecklistItem(models.Model):
    """一日十问: one question of the daily self-inspection checklist (data, editable)."""

    code = models.SlugField("代码", max_length=40, primary_key=True)
    question = models.CharField("检查事项", max_length=200)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "一日十问检查项"
        verbose_name_plural = "一日十问检查项"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.question


class SafetyCheck(models.Model):
    """安全检查: a home's daily self-inspection (一日十问) or the bureau's monthly inspection."""

    class Kind(models.TextChoices):
        DAILY = "daily", "每日自查（一日十问）"
        BUREAU = "bureau", "民政部门月度检查"

    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="checks", verbose_name="养老机构")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    kind = models.CharField("检查类型", max_length=8, choices=Kind.choices)
    date = models.DateField("检查日期")
    answers = models.JSONField("检查结果", default=dict, help_text="{检查项代码: true 正常 / false 有隐患}")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="检查人")

    class Meta:
        verbose_name = "安全检查"
        verbose_name_plural = "安全检查"
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["home", "kind", "date"], name="safety_check_once_a_day")]


    def __str__(self) -> str:
        return f"{self.home} {self.get_kind_display()} {self.date:%Y-%m-%d}"

class Hazard(models.Model):
    """隐患: found in a check, rectified by a deadline; its Task (tasks app) is closed with evidence."""

    check_record = models.ForeignKey(SafetyCheck, on_delete=models.PROTECT, related_name="hazards",
                                     verbose_name="安全检查")
    home = models.ForeignKey(CareHome, on_delete=models.PROTECT, related_name="hazards", verbose_name="养老机构")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    description = models.CharField("隐患描述", max_length=300)
    deadline = models.DateField("整改期限")
    task = models.OneToOneField("tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="整改任务")

    class Meta:
        verbose_name = "安全隐患"
        verbose_name_plural = "安全隐患"


    def __str__(self) -> str:
        return self.description

class HomeAdaptation(models.Model):
    """适老化改造: one plan per home (家庭), through assessment → plan → works → acceptance → subsidy."""

    class Stage(models.TextChoices):
        ASSESSED = "assessed", "入户评估"
        PLANNED = "planned", "改造方案"
        WORKS = "works", "施工"
        ACCEPTED = "accepted", "竣工验收"
        SUBSIDISED = "subsidised", "补贴发放"

    household = models.OneToOneField("registry.Household", on_delete=models.PROTECT, related_name="adaptation",
                                     verbose_name="家庭")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="老人")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default=Stage.ASSESSED)
    needs = models.TextField("评估需求", blank=True)
    plan = models.TextField("改造方案", blank=True)
    cost = models.DecimalField("改造费用（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    subsidy = models.DecimalField("补贴金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    dates = models.JSONField("各阶段日期", default=dict, blank=True)

    class Meta:
        verbose_name = "适老化改造"
        verbose_name_plural = "适老化改造"

    def __str__(self) -> str:
        return f"{self.person} {self.get_stage_display()}"


class TimeBankEntry(models.Model):
    """时间银行: hours a volunteer earned (+) or spent (−); `balance_after` is the running balance, never negative."""

    volunteer = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="time_bank_entries",
                                  verbose_name="志愿者")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    hours = models.DecimalField("小时数", max_digits=7, decimal_places=2, help_text="存入为正，支取为负")
    balance_after = models.DecimalField("结余（小时）", max_digits=9, decimal_places=2)
    note = models.CharField("说明", max_length=200)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="经办人")

    class Meta:
        verbose_name = "时间银行记录"
        verbose_name_plural = "时间银行记录"
        ordering = ["volunteer_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="time_bank_never_negative"),
            models.CheckConstraint(condition=~Q(hours=0), name="time_bank_hours_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours}"


class HomeAdaptationStep(models.Model):
    """适老化改造办理环节: each stage reached, on which date, entered by whom, with the clerk's note."""

    adaptation = models.ForeignKey(HomeAdaptation, on_delete=models.PROTECT, related_name="steps",
                                   verbose_name="适老化改造")
    stage = models.CharField("阶段", max_length=12, choices=HomeAdaptation.Stage.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="经办人")
    at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "适老化改造办理环节"
        verbose_name_plural = "适老化改造办理环节"
        ordering = ["adaptation_id", "id"]
        constraints = [models.UniqueConstraint(fields=["adaptation", "stage"], name="adaptation_step_once")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.on:%Y-%m-%d}"
