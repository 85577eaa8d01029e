"""Working-day calendar (工作日历): the State Council's holiday arrangement for years the library does not know.

`chinesecalendar` ships the official arrangement up to the year it was released for. When the State Council
publishes a new year's notice (国务院办公厅关于××年部分节假日安排的通知), an administrator records it here:
one CalendarYear row saying "this year is published" plus one CalendarDay row per adjusted day.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    WORKDAY = "workday", "调休上班日"


class CalendarDay(models.Model):
    """节假日调整: one day whose status differs from (or confirms) the plain Monday–Friday rule.

    A row wins over both the library and the weekday rule, so it can also correct the library.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=40, help_text="例如：春节、国庆节")
    source = models.CharField("依据文件", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        # 调休上班日 only exists on a weekend: a Monday–Friday "workday" row would be a typo in the date.
        if self.kind == DayKind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"date": "调休上班日应为周六或周日；周一至周五本来就是工作日。"})


class CalendarYear(models.Model):
    """已发布日历年份: the administrator has entered every CalendarDay row of this year's official notice.

    Without this row a year the library does not cover is "not published" and deadlines cannot be computed.
    """

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField("依据文件", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知")
    published_on = models.DateField("发布日期", help_text="通知的发布日期")

    class Meta:
        verbose_name = "已发布日历年份"
        verbose_name_plural = "已发布日历年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"
