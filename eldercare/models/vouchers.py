"""养老服务消费补贴 (consumption subsidy for people assessed 中度失能 or worse): monthly electronic vouchers,
each redeemed once against one service order; what is redeemed is settled through the payroll once."""

from django.db import models
from django.db.models import Q

from areas.models import Area


class Voucher(models.Model):
    """养老服务消费券: one per enrolled person and month, worth a share of a service fee up to a monthly cap."""

    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="享受对象")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="care_vouchers",
                               verbose_name="持券人")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    month = models.DateField("月份")
    share = models.DecimalField("补贴比例", max_digits=5, decimal_places=4)
    cap = models.DecimalField("每月上限（元）", max_digits=10, decimal_places=2)
    calculation = models.JSONField("依据", default=dict, blank=True)
    issued_at = models.DateTimeField("发券时间", auto_now_add=True)

    class Meta:
        verbose_name = "养老服务消费券"
        verbose_name_plural = "养老服务消费券"
        ordering = ["-month", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="voucher_one_per_month")]
        indexes = [models.Index(fields=["area", "id"], name="voucher_area_keyset")]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m}"


class VoucherRedemption(models.Model):
    """核销: the voucher used against one service order. One per voucher (the database refuses a second); the
    settlement line of the payroll is written once (a redemption already settled is never settled again), payable
    to the provider."""

    voucher = models.OneToOneField(Voucher, on_delete=models.PROTECT, related_name="redemption",
                                   verbose_name="消费券")
    order = models.OneToOneField("eldercare.ServiceOrder", on_delete=models.PROTECT, related_name="redemption",
                                 verbose_name="服务订单")
    provider = models.ForeignKey("eldercare.ServiceProvider", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="服务机构")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    fee = models.DecimalField("服务费用（元）", max_digits=10, decimal_places=2)
    amount = models.DecimalField("抵扣金额（元）", max_digits=10, decimal_places=2)
    redeemed_at = models.DateTimeField("核销时间", auto_now_add=True)
    redeemed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="核销人")
    # The settlement line. Since issue 13 a 服务结算 line payable to the provider's 收款单位, one per redemption:
    # the partial unique key below (a line settles one redemption) and the claim `payment_line IS NULL` (a
    # redemption is settled once). Before, an adjustment line paid to the older person could settle several of
    # one enrolment's redemptions; those keep `to_provider` false and are never settled again.
    payment_line = models.ForeignKey("payments.PaymentLine", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="结算明细")
    to_provider = models.BooleanField("结算给服务机构", default=False)

    class Meta:
        verbose_name = "消费券核销"
        verbose_name_plural = "消费券核销"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(amount__lte=models.F("fee")),
                                   name="redemption_amount_within_fee"),
            models.UniqueConstraint(fields=["payment_line"], condition=Q(to_provider=True),
                                    name="redemption_one_line_each"),
            models.CheckConstraint(condition=Q(to_provider=False) | Q(payment_line__isnull=False),
                                   name="redemption_to_provider_has_line"),
        ]
        indexes = [models.Index(fields=["provider", "payment_line"], name="redemption_provider_line")]

    def __str__(self) -> str:
        return f"{self.voucher} {self.amount}"
