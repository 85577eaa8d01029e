"""居家和社区养老服务: providers, their priced service items, orders and delivery records, and the year's targets."""

from django.db import models
from django.db.models import Q

from areas.models import Area


class ServiceProvider(models.Model):
    """服务机构 (居家社区养老服务机构, or a care home offering home services)."""

    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在村社区")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在营", default=True)
    # 收款单位: the payroll pays the vouchers this provider redeemed to this payee's account (the kernel's
    # organisation payee, with its own confirmed bank account). Empty: its redemptions wait, unsettled.
    payee = models.OneToOneField("payments.OrganisationPayee", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="care_provider", verbose_name="收款单位")

    class Meta:
        verbose_name = "养老服务机构"
        verbose_name_plural = "养老服务机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """服务项目 with its price (助餐, 助浴, 助洁, 家庭养老照护床位 …)."""

    class Category(models.TextChoices):
        MEAL = "meal", "助餐"
        BATH = "bath", "助浴"
        CLEAN = "clean", "助洁"
        CARE_BED = "care_bed", "家庭养老照护床位"
        CARE = "care", "生活照料"
        OTHER = "other", "其他"

    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="items",
                                 verbose_name="服务机构")
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    name = models.CharField("名称", max_length=60)
    price = models.DecimalField("单价（元）", max_digits=10, decimal_places=2)
    unit = models.CharField("计价单位", max_length=10, default="次")

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["provider_id", "category", "name"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="service_item_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.name}（{self.price}元/{self.unit}）"


class ServiceOrder(models.Model):
    """服务订单: an item ordered for an older person."""

    class Status(models.TextChoices):
        ORDERED = "ordered", "已下单"
        DELIVERED = "delivered", "已服务"
        CANCELLED = "cancelled", "已取消"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="care_orders",
                               verbose_name="服务对象")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name="服务机构")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name="服务项目")
    quantity = models.PositiveSmallIntegerField("数量", default=1)
    fee = models.DecimalField("费用（元）", max_digits=10, decimal_places=2)
    ordered_on = models.DateField("下单日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ORDERED)

    class Meta:
        verbose_name = "服务订单"
        verbose_name_plural = "服务订单"
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["area", "id"], name="service_order_area_keyset")]

    def __str__(self) -> str:
        return f"{self.person} {self.item.name}"


class ServiceDelivery(models.Model):
    """服务记录: who served, when, for how long."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="deliveries",
                              verbose_name="服务订单")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    worker = models.CharField("服务人员", max_length=50)
    started_at = models.DateTimeField("开始时间")
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-started_at"]


    def __str__(self) -> str:
        return f"{self.order} {self.started_at:%Y-%m-%d}"

class ServiceTarget(models.Model):
    """年度服务目标: the number of services of a category a town is to deliver in a year."""

    town = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）")
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=10, choices=ServiceItem.Category.choices)
    target = models.PositiveIntegerField("目标（人次）")

    class Meta:
        verbose_name = "年度服务目标"
        verbose_name_plural = "年度服务目标"
        constraints = [models.UniqueConstraint(fields=["town", "year", "category"], name="service_target_unique")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.year} {self.category}"
