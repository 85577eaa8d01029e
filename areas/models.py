"""Area (行政区划): district → town/street → village/community, keyed by the 12-digit NBS code.

The code is the primary key so every scoped record stores the code itself: scoping is a prefix match
(`area_id LIKE '500106001%'`) with no join, which is also the distribution key a Citus cluster would use.
"""

from django.db import models

from areas.codes import COMMUNITY_PREFIX_LENGTH, DISTRICT_PREFIX_LENGTH, TOWN_PREFIX_LENGTH


class AreaLevel(models.TextChoices):
    DISTRICT = "district", "区县"
    TOWN = "town", "镇街"
    COMMUNITY = "community", "村社区"


# How many leading digits of a 12-digit code identify the subtree at each level.
SCOPE_PREFIX_LENGTH = {AreaLevel.DISTRICT: DISTRICT_PREFIX_LENGTH, AreaLevel.TOWN: TOWN_PREFIX_LENGTH,
                       AreaLevel.COMMUNITY: COMMUNITY_PREFIX_LENGTH}


class Area(models.Model):
    """区划: one NBS division. Old codes are end-dated, never deleted, so records keep their history."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True)
    edition = models.CharField("区划版本", max_length=10, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_prefix(self) -> str:
        """The code prefix shared by this area and everything under it."""
        return self.code[: SCOPE_PREFIX_LENGTH[self.level]]

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class AreaChange(models.Model):
    """区划变更: one line of a new NBS edition applied to the tree (rename, merge, split, new, retire)."""

    class Kind(models.TextChoices):
        NEW = "new", "新设"
        RENAME = "rename", "更名"
        MERGE = "merge", "合并"
        SPLIT = "split", "拆分"
        RETIRE = "retire", "撤销"

    edition = models.CharField("区划版本", max_length=10)
    kind = models.CharField("变更类型", max_length=10, choices=Kind.choices)
    old_code = models.CharField("原代码", max_length=12, blank=True)
    new_code = models.CharField("新代码", max_length=12, blank=True)
    old_name = models.CharField("原名称", max_length=100, blank=True)
    new_name = models.CharField("新名称", max_length=100, blank=True)
    records_moved = models.PositiveIntegerField("迁移记录数", default=0)
    applied_at = models.DateTimeField("执行时间", auto_now_add=True)

    class Meta:
        verbose_name = "区划变更"
        verbose_name_plural = "区划变更"
        ordering = ["-applied_at", "id"]

    def __str__(self) -> str:
        return f"{self.edition} {self.get_kind_display()} {self.old_code}→{self.new_code}"
