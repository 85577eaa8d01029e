"""特殊困难老年人探访关爱: the roster (名册), visits and calls (探访记录), smart water meters (智能水表), their readings
and alarms (告警).

The roster is refreshed from the registry by one set-based job (`carevisits.roster.roster_refresh`); the flags say
why a person is on it and are recomputed on every run, so the roster follows the registry. A manual entry (人工
纳入) stays while the person is alive and 60+, whatever the flags say.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area

# 名册类别: flag column → label shown to people. The order is the order of the labels on the pages.
CATEGORY_LABELS = {
    "living_alone": "独居",
    "empty_nest": "空巢",
    "disabled": "残疾",
    "very_old": "高龄",
    "dibao": "低保",
    "tekun": "特困",
    "manual": "人工纳入",
}
CATEGORY_FLAGS = tuple(k for k in CATEGORY_LABELS if k != "manual")


class RosterEntry(models.Model):
    """特殊困难老年人名册: one row per person ever on the roster; `active` says whether they are on it now."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="care_roster",
                                  db_constraint=False, verbose_name="人员")
    # The person's community, copied by the refresh so the roster scopes (and counts by community) without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    active = models.BooleanField("在册", default=True)
    living_alone = models.BooleanField("独居", default=False)
    empty_nest = models.BooleanField("空巢", default=False)
    disabled = models.BooleanField("残疾", default=False)
    very_old = models.BooleanField("高龄", default=False)
    dibao = models.BooleanField("低保", default=False)
    tekun = models.BooleanField("特困", default=False)
    manual = models.BooleanField("人工纳入", default=False)
    manual_reason = models.CharField("纳入原因", max_length=200, blank=True)
    # 探访计划: empty = the policy parameters in force (每周1次上门、3次电话).
    home_visits_per_week = models.PositiveSmallIntegerField("每周上门探访次数", null=True, blank=True)
    phone_calls_per_week = models.PositiveSmallIntegerField("每周电话探访次数", null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_constraint=False, verbose_name="责任探访人")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", db_index=False, db_constraint=False, verbose_name="纳入人")
    created_at = models.DateTimeField("纳入时间", auto_now_add=True)
    refreshed_at = models.DateTimeField("最近比对时间", null=True, blank=True)
    left_at = models.DateTimeField("移出时间", null=True, blank=True)

    class Meta:
        verbose_name = "特殊困难老年人名册"
        verbose_name_plural = "特殊困难老年人名册"
        indexes = [models.Index(fields=["area", "id"], name="roster_area_keyset",
                                condition=Q(active=True))]

    def __str__(self) -> str:
        return f"名册 · {self.person_id}"

    @property
    def category_labels(self) -> list[str]:
        return [label for flag, label in CATEGORY_LABELS.items() if getattr(self, flag)]


class Visit(models.Model):
    """探访记录: one home visit (上门) or phone call (电话) to a person on the roster, with what was found."""

    class Kind(models.TextChoices):
        HOME = "home", "上门探访"
        PHONE = "phone", "电话探访"

    class Health(models.TextChoices):
        GOOD = "good", "良好"
        FAIR = "fair", "一般"
        POOR = "poor", "较差"

    class Safety(models.TextChoices):
        SAFE = "safe", "无安全隐患"
        HAZARD = "hazard", "有安全隐患"

    class Need(models.TextChoices):
        NONE = "none", "无"
        MEDICAL = "medical", "就医"
        CARE = "care", "生活照料"
        MEALS = "meals", "助餐"
        REPAIR = "repair", "维修"
        FINANCIAL = "financial", "经济困难"
        COMPANY = "company", "精神慰藉"

    # Written on phones, read by week and community: no constraints to check per row; persons, areas, users and
    # roster rows are never deleted.
    entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="visits", db_constraint=False,
                              verbose_name="名册对象")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False, verbose_name="人员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    kind = models.CharField("方式", max_length=6, choices=Kind.choices)
    at = models.DateTimeField("探访时间")
    reached = models.BooleanField("已联系上本人", default=True)
    health = models.CharField("身体状况", max_length=6, choices=Health.choices, blank=True)
    safety = models.CharField("居住安全", max_length=8, choices=Safety.choices, blank=True)
    need = models.CharField("需求", max_length=10, choices=Need.choices, default=Need.NONE)
    note = models.CharField("情况说明", max_length=500, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False, verbose_name="探访人")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "探访记录"
        verbose_name_plural = "探访记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area", "at"], name="visit_area_at"),  # a community's week
            # the district's week (compliance over every community): a year holds ~50 weeks of visits
            models.Index(fields=["at", "area"], name="visit_at_area"),
            models.Index(fields=["entry", "at"], name="visit_entry_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person_id}"


class Meter(models.Model):
    """智能水表: a device (its number as the platform sends it), bound to one person on the roster."""

    code = models.CharField("设备编号", max_length=40)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_constraint=False, verbose_name="绑定老人")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    installed_at = models.DateTimeField("安装时间")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "智能水表"
        verbose_name_plural = "智能水表"
        constraints = [models.UniqueConstraint(fields=["code"], name="meter_code_unique")]
        indexes = [models.Index(fields=["area", "id"], name="meter_area_keyset")]

    def __str__(self) -> str:
        return self.code


class MeterReading(models.Model):
    """水表读数: the cumulative volume in litres (升) at a time. A narrow table — (meter, time) is the primary key,
    so a reading sent twice is one row and the index serves "the latest reading before t" for the detection."""

    pk = models.CompositePrimaryKey("meter_id", "time")
    # No index of its own: the primary key (meter, time) serves every lookup by meter (each index is paid on
    # every one of millions of inserts).
    meter = models.ForeignKey(Meter, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="+", verbose_name="水表")
    time = models.DateTimeField("读数时间")
    litres = models.BigIntegerField("累计用水量（升）")

    class Meta:
        verbose_name = "水表读数"
        verbose_name_plural = "水表读数"

    def __str__(self) -> str:
        return f"{self.meter_id} {self.time:%Y-%m-%d %H:%M} {self.litres}升"


class MeterAlert(models.Model):
    """水表告警: no use for N hours, continuous use for M hours (about the person), or offline (about the device).
    One open alert per meter and kind; each owns one task (source "carevisits.meteralert")."""

    class Kind(models.TextChoices):
        NO_USE = "no_use", "长时间未用水"
        CONTINUOUS = "continuous", "持续异常用水"
        OFFLINE = "offline", "设备离线（无读数上报）"

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="alerts", db_constraint=False,
                              verbose_name="水表")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False, db_constraint=False, verbose_name="人员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    kind = models.CharField("告警类型", max_length=10, choices=Kind.choices)
    raised_at = models.DateTimeField("告警时间")
    last_reading_at = models.DateTimeField("最近读数时间", null=True, blank=True)
    resolved_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "水表告警"
        verbose_name_plural = "水表告警"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["meter", "kind"], condition=Q(resolved_at__isnull=True),
                                               name="meteralert_one_open_per_kind")]
        indexes = [models.Index(fields=["area", "id"], name="meteralert_area_keyset")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.meter_id}"


class ComplianceCell(models.Model):
    """每周探访达标快照: the figures of one (week, community, responsible worker) — what the compliance page reads,
    so it adds up a few hundred rows instead of the district's roster and visits on every request. Rewritten for a
    community by every visit, plan change or manual addition there, and for the whole district by the roster
    refresh (`carevisits.snapshot`)."""

    week = models.DateField("周一日期")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False, db_constraint=False, verbose_name="责任探访人")
    people = models.PositiveIntegerField("名册人数")
    met = models.PositiveIntegerField("达标人数")
    unreached = models.PositiveIntegerField("未探访到人数")
    home_done_total = models.PositiveIntegerField("上门完成")
    home_planned = models.PositiveIntegerField("上门计划")
    calls_done_total = models.PositiveIntegerField("电话完成")
    calls_planned = models.PositiveIntegerField("电话计划")
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "每周探访达标快照"
        verbose_name_plural = "每周探访达标快照"
        indexes = [models.Index(fields=["week", "area"], name="compliancecell_week_area")]

    def __str__(self) -> str:
        return f"{self.week} {self.area_id}"
