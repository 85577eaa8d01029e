"""Indicators (指标): a named, documented formula over the data, computed by area and month, kept as snapshots.

An `Indicator` row is the definition (data, seeded by a migration): what it measures in words, its unit and
direction, the target with its year and source document, the levels and period it is reported at, and whether the
platform collects its data yet. Its computation is one registered function (`indicators.registry`); a row without
one is "not collected" and says what would feed it — never a typed-in figure.
"""

from django.db import models

from areas.codes import AREA_CODE_VALIDATOR


class Indicator(models.Model):
    """指标: one figure of the plans or the annual assessment, or an operational one."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "越高越好"
        LOWER = "lower", "越低越好"

    class Period(models.TextChoices):
        MONTH = "month", "月"
        QUARTER = "quarter", "季"
        YEAR = "year", "年"

    class Status(models.TextChoices):
        COLLECTED = "collected", "已采集"
        NOT_COLLECTED = "not_collected", "尚未采集"

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", "不低于"
        ABOVE = ">", "高于"
        AT_MOST = "<=", "不高于"
        EQUAL = "=", "达到"

    code = models.CharField("代码", max_length=60, primary_key=True)
    name = models.CharField("名称", max_length=100)
    group = models.CharField("类别", max_length=40, help_text="如 规划指标、考核指标、运行指标")
    definition = models.TextField("定义与口径")
    numerator_text = models.CharField("分子", max_length=300, blank=True)
    denominator_text = models.CharField("分母", max_length=300, blank=True)
    unit = models.CharField("单位", max_length=20)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices)
    target_comparator = models.CharField("目标比较", max_length=2, choices=Comparator.choices, blank=True)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    target_text = models.CharField("目标（文字）", max_length=200, blank=True,
                                   help_text="目标不是一个数字时的表述，如“不低于上年度城镇居民人均消费支出增速”")
    target_year = models.PositiveSmallIntegerField("目标年份", null=True, blank=True)
    source = models.CharField("目标来源", max_length=200, help_text="文件（种子文件）与条目")
    levels = models.CharField("适用层级", max_length=40, default="district,town,community",
                              help_text="district、town、community，以逗号分隔")
    period = models.CharField("统计周期", max_length=8, choices=Period.choices, default=Period.MONTH)
    status = models.CharField("采集状态", max_length=14, choices=Status.choices, default=Status.NOT_COLLECTED)
    feed_text = models.CharField("数据来源", max_length=300, blank=True,
                                 help_text="尚未采集时：由什么数据计算（哪个业务模块、哪份部门数据）")
    key = models.BooleanField("驾驶舱关键指标", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def target_label(self) -> str:
        """The target in words: "≥85%（2025年）" or the text target."""
        if self.target_value is None:
            text = self.target_text
        else:
            value = f"{self.target_value.normalize():f}"
            text = f"{self.get_target_comparator_display()}{value}{self.unit}"
        if text and self.target_year:
            text = f"{text}（{self.target_year}年）"
        return text

    def meets_target(self, value) -> bool | None:
        """Does `value` reach the target (None when there is no numeric target or no value)?"""
        if value is None or self.target_value is None:
            return None
        target = self.target_value
        return {">=": value >= target, ">": value > target, "<=": value <= target,
                "=": value >= target if self.direction == "higher" else value <= target}.get(
            self.target_comparator, None)


class Reading(models.Model):
    """One computed figure of an indicator for one area and one month (读数): what a snapshot and a breakdown row
    both hold."""

    area_code = models.CharField("区划代码", max_length=12, validators=[AREA_CODE_VALIDATOR])
    period_start = models.DateField("统计月份", help_text="所在月的第一天")
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=4)
    denominator = models.DecimalField("分母", max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField("指标值", max_digits=18, decimal_places=4, null=True, blank=True,
                                help_text="分母为零时为空")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        abstract = True


class IndicatorValue(Reading):
    """指标快照: an indicator's value for one area and one month, written by the snapshot job (re-run updates)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", db_index=False,
                                  verbose_name="指标")

    class Meta:
        verbose_name = "指标快照"
        verbose_name_plural = "指标快照"
        # One index: the unique one, in the order the reads use (an indicator, a month or a few, one area or the
        # children of one). A second index on the same columns in another order cost a quarter of the snapshot
        # run's upsert (bench/cockpit.py) and served no read the first does not.
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start", "area_code"],
                                               name="indicator_value_once")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_code} {self.period_start:%Y-%m}"


class IndicatorBreakdown(Reading):
    """指标分项快照: an indicator's value for one area, one month and one key of one of its breakdowns (one
    programme, one stage, one age band, one category), written by the snapshot job with the figure itself. The
    key's Chinese label is stored with it, so a page or an export never shows the key."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="breakdowns", db_index=False,
                                  verbose_name="指标")
    dimension = models.CharField("分项维度", max_length=30)
    key = models.CharField("分项", max_length=60, help_text="空为未分类")
    label = models.CharField("分项名称", max_length=100)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "指标分项快照"
        verbose_name_plural = "指标分项快照"
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start", "dimension", "area_code", "key"],
                                               name="indicator_breakdown_once")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.dimension} {self.label} {self.area_code} {self.period_start:%Y-%m}"
