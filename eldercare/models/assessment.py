"""老年人能力评估 (GB/T 42195-2022 《老年人能力评估规范》): the standard's items and level bands as data, and the
assessments made with them.

The standard is rows, not code: `AbilityStandard` (with its source and the adjustment figures of its 等级变更
rules), its `AbilityDimension`s and `AbilityItem`s with their maximum points, and the `AbilityLevelBand`s of the
初步等级 by total. A revised standard is a new set of rows marked current; old assessments keep theirs.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from areas.models import Area
from programs.models import CareLevel


class AbilityStandard(models.Model):
    """能力评估标准 (e.g. GB/T 42195-2022), with the figures of its 等级变更 (level adjustment) rules."""

    code = models.SlugField("代码", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=300)
    verified = models.BooleanField("已核实", default=False, help_text="否：未与标准原文逐项核对")
    current = models.BooleanField("现行", default=False)
    risk_events_raise = models.PositiveSmallIntegerField(
        "照护风险事件升级阈值", default=2, help_text="近30天发生照护风险事件达到此次数，等级提高一级")
    diagnosis_prefixes = models.JSONField(
        "升级诊断", default=list, help_text="痴呆或精神和行为障碍的ICD-10编码前缀（如 F），确诊者等级提高一级")
    max_level = models.PositiveSmallIntegerField("最高等级", default=4)

    class Meta:
        verbose_name = "能力评估标准"
        verbose_name_plural = "能力评估标准"
        constraints = [models.UniqueConstraint(fields=["current"], condition=Q(current=True),
                                               name="ability_standard_one_current")]

    def __str__(self) -> str:
        return self.name


class AbilityDimension(models.Model):
    """一级指标 (自理能力, 基础运动能力, 精神状态, 感知觉与社会参与)."""

    standard = models.ForeignKey(AbilityStandard, on_delete=models.PROTECT, related_name="dimensions",
                                 verbose_name="标准")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=40)
    max_score = models.PositiveSmallIntegerField("满分")
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        ordering = ["standard_id", "sort"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="ability_dimension_unique")]

    def __str__(self) -> str:
        return self.name


class AbilityItem(models.Model):
    """二级指标: one scored item (进食, 洗澡 …) with its maximum points."""

    standard = models.ForeignKey(AbilityStandard, on_delete=models.PROTECT, related_name="items",
                                 verbose_name="标准")
    dimension = models.ForeignKey(AbilityDimension, on_delete=models.PROTECT, related_name="items",
                                  verbose_name="一级指标")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=60)
    max_score = models.PositiveSmallIntegerField("最高分")
    guide = models.CharField("评分说明", max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["standard_id", "sort"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="ability_item_unique")]

    def __str__(self) -> str:
        return self.name


class AbilityLevelBand(models.Model):
    """初步等级: the total-score band of one level (0 能力完好 … 4 能力完全丧失)."""

    standard = models.ForeignKey(AbilityStandard, on_delete=models.PROTECT, related_name="bands",
                                 verbose_name="标准")
    level = models.PositiveSmallIntegerField("等级")
    name = models.CharField("名称", max_length=40)
    short_name = models.CharField("简称", max_length=20, help_text="如 中度失能")
    min_total = models.PositiveSmallIntegerField("总分下限（含）")
    max_total = models.PositiveSmallIntegerField("总分上限（含）")

    class Meta:
        verbose_name = "能力等级"
        verbose_name_plural = "能力等级"
        ordering = ["standard_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "level"], name="ability_band_unique"),
            models.CheckConstraint(condition=Q(min_total__lte=F("max_total")), name="ability_band_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class Assessment(models.Model):
    """老年人能力评估记录: two assessors, the item scores, the dimension scores and the level."""

    class Reason(models.TextChoices):
        FIRST = "first", "首次评估"
        ROUTINE = "routine", "常规评估"
        IMMEDIATE = "immediate", "即时评估"
        REVIEW = "review", "复评"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="ability_assessments",
                               verbose_name="被评估人")
    # Copied from the person, so lists scope by area without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    standard = models.ForeignKey(AbilityStandard, on_delete=models.PROTECT, related_name="+", verbose_name="标准")
    date = models.DateField("评估日期")
    reason = models.CharField("评估原因", max_length=10, choices=Reason.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="评估员")
    second_assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="第二评估员")
    diagnoses = models.JSONField("疾病诊断（ICD-10）", default=list, blank=True)
    health_problems = models.JSONField("健康问题", default=list, blank=True)
    risk_events_30d = models.PositiveSmallIntegerField("近30天照护风险事件次数", default=0)
    coma = models.BooleanField("昏迷", default=False)
    scores = models.JSONField("二级指标得分", default=dict)
    dimension_scores = models.JSONField("一级指标得分", default=dict)
    total = models.PositiveSmallIntegerField("总分")
    preliminary_level = models.PositiveSmallIntegerField("初步等级")
    level = models.PositiveSmallIntegerField("能力等级")
    adjustments = models.JSONField("等级变更依据", default=list, blank=True)
    next_due = models.DateField("下次常规评估日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "老年人能力评估"
        verbose_name_plural = "老年人能力评估"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(second_assessor__isnull=True) | ~Q(second_assessor=F("assessor")),
                                   name="assessment_two_assessors"),
            models.CheckConstraint(condition=Q(level__lte=4) & Q(preliminary_level__lte=4),
                                   name="assessment_level_range"),
        ]
        indexes = [
            models.Index(fields=["area", "id"], name="assessment_area_keyset"),
            models.Index(fields=["person", "date"], name="assessment_person_date"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d} 等级{self.level}"


class CareLevelMapping(models.Model):
    """能力等级与特困人员照料护理等级对应: which 照料护理等级 (全自理 / 半护理 / 全护理, 《特困人员认定办法》第二十一至
    二十三条) an ability level (GB/T 42195 0–4) stands for, for a period and an area (the most specific area code
    in force wins). Data with its source: no primary text found gives this mapping, so the seeded rows are marked
    unverified and shown so until a district officer confirms or corrects them."""

    ability_level = models.PositiveSmallIntegerField("能力等级", help_text="GB/T 42195 能力等级 0–4")
    care_level = models.CharField("照料护理等级", max_length=8,
                                  choices=CareLevel.choices)
    area_code = models.CharField("适用区划代码", max_length=12, default="500000000000",
                                 help_text="12位区划代码：重庆市 500000000000，或本区、镇街的代码")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    source = models.CharField("依据", max_length=300)
    verified = models.BooleanField("已核实", default=False, help_text="否：未找到规定此对应关系的文件")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "能力等级与照料护理等级对应"
        verbose_name_plural = "能力等级与照料护理等级对应"
        ordering = ["area_code", "ability_level", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["ability_level", "area_code", "valid_from"],
                                    name="care_level_mapping_unique"),
            models.CheckConstraint(condition=Q(ability_level__lte=4), name="care_level_mapping_level_0_4"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="care_level_mapping_period"),
        ]

    def __str__(self) -> str:
        return f"能力等级{self.ability_level} → {self.get_care_level_display()}"
