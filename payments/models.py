"""Payments (资金发放): one monthly cycle per district, its lines, the checks' exceptions, bank accounts and
overpayments recovered in instalments.

Every programme pays through these tables: a line names the enrolment, the programme and the payee, and keeps
the parameters and the formula that produced it (`PaymentLine.formula`). Lines are written set-based by
`payments.generation` (never one query per row); the unique constraint on (enrolment, covered month, kind,
cycle) is what makes generation idempotent. `PaymentLine` is append-only and designed for partitioning by `month`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area
from minzheng.files import bank_file_name, file_read


def _exactly_one(a: str, b: str) -> Q:
    """Exactly one of the two keys is set (a payee is a person or an organisation, never both, never none)."""
    return (Q(**{f"{a}__isnull": False}) & Q(**{f"{b}__isnull": True})) | (
        Q(**{f"{a}__isnull": True}) & Q(**{f"{b}__isnull": False}))


class PaymentCycle(models.Model):
    """发放批次: the payroll of one month for one district. Maker opens and generates; a checker approves."""

    class Status(models.TextChoices):
        OPEN = "open", "待生成"
        GENERATING = "generating", "生成中"
        GENERATED = "generated", "已生成待审批"
        APPROVED = "approved", "已审批"
        EXPORTED = "exported", "已导出银行文件"
        CLOSED = "closed", "已结束"

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    month = models.DateField("发放月份", help_text="所在月的第一天")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="建立人（经办）")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="生成人（经办）")
    # When the last complete generation STARTED: an enrolment decided after it was not in that payroll, which is
    # what makes its months arrears in a later cycle.
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    generation_started_at = models.DateTimeField("本次生成开始时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审批人（复核）")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name="生成任务")
    line_count = models.PositiveIntegerField("明细条数", default=0)
    total_amount = models.DecimalField("发放总额（元）", max_digits=16, decimal_places=2, default=0)
    totals = models.JSONField("分类合计", default=dict, blank=True,
                              help_text="{kind: {count, amount}}，生成后缓存")

    class Meta:
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["district", "month"], name="payment_cycle_one_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}发放批次"

    @property
    def is_editable(self) -> bool:
        """Lines may change only before approval (and not while a generation job writes them)."""
        return self.status in (self.Status.OPEN, self.Status.GENERATED)


class OrganisationPayee(models.Model):
    """收款单位: an organisation the payroll pays — a home-care service provider settled for the vouchers it
    redeemed, for instance. It has bank accounts as a person has (one valid at a time, a change for a current
    payee confirmed by a second person) and is scoped by its own area, as persons are. Domain apps link their own
    records to it (the kernel knows nothing of them)."""

    name = models.CharField("单位名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True,
                                   help_text="18位，按 GB 32100-2015 校验")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在村社区")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "收款单位"
        verbose_name_plural = "收款单位"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["area", "id"], name="organisation_payee_area")]

    def __str__(self) -> str:
        return self.name


class BankAccount(models.Model):
    """银行账户 (代发账户/社保卡/单位对公账户): where a payee is paid — a person, or an organisation (收款单位); exactly
    one of the two. One valid account per payee; an old one is kept, invalid."""

    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="bank_accounts", verbose_name="人员")
    organisation = models.ForeignKey(OrganisationPayee, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="bank_accounts", verbose_name="收款单位")
    # The payee's area, copied so account lists scope without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    bank_name = models.CharField("开户银行", max_length=60)
    account_number = models.CharField("账号", max_length=40)
    valid = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "银行账户"
        verbose_name_plural = "银行账户"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(valid=True), name="bank_account_one_valid"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(valid=True),
                                    name="bank_account_one_valid_organisation"),
            models.CheckConstraint(condition=_exactly_one("person", "organisation"),
                                   name="bank_account_one_payee"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask_account(self.account_number)


class BankAccountChange(models.Model):
    """银行账户变更待确认: a new account for a current payee, entered by one person and put into effect only when a
    second person confirms it (经办与复核分离) — a wrong or fraudulent account diverts the money."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认生效"
        REJECTED = "rejected", "已退回"

    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="bank_account_changes", verbose_name="人员")
    organisation = models.ForeignKey(OrganisationPayee, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="bank_account_changes", verbose_name="收款单位")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    old_account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="原账户")
    bank_name = models.CharField("开户银行", max_length=60)
    account_number = models.CharField("账号", max_length=40)
    reason = models.CharField("变更原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="录入人")
    requested_at = models.DateTimeField("录入时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="确认人")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    note = models.CharField("确认意见", max_length=200, blank=True)
    account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="生效账户")

    class Meta:
        verbose_name = "银行账户变更"
        verbose_name_plural = "银行账户变更"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(status="pending"),
                                    name="bank_account_change_one_pending"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(status="pending"),
                                    name="bank_account_change_one_pending_org"),
            models.CheckConstraint(condition=_exactly_one("person", "organisation"),
                                   name="bank_account_change_one_payee"),
        ]
        indexes = [models.Index(fields=["area", "id"], name="bank_account_change_area")]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_number}（{self.get_status_display()}）"

    @property
    def masked_number(self) -> str:
        return mask_account(self.account_number)


def mask_account(number: str) -> str:
    """`6222********1234`: the bank's prefix and the last four stay visible in lists."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


class Overpayment(models.Model):
    """多发追回: an amount an enrolment was overpaid, deducted from its monthly payment in instalments."""

    class Status(models.TextChoices):
        OPEN = "open", "追回中"
        CLOSED = "closed", "已追回"

    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="overpayments",
                                  verbose_name="享受对象")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    total = models.DecimalField("应追回总额（元）", max_digits=12, decimal_places=2)
    instalment = models.DecimalField("每月扣回（元）", max_digits=12, decimal_places=2)
    # Updated when a cycle is approved; generation itself counts the earlier cycles' recovery lines.
    recovered = models.DecimalField("已追回（元）", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "多发追回"
        verbose_name_plural = "多发追回"
        constraints = [
            # One recovery line per enrolment and cycle: a second overpayment is added to the open one.
            models.UniqueConstraint(fields=["enrolment"], condition=Q(status="open"), name="overpayment_one_open"),
            models.CheckConstraint(condition=Q(total__gt=0) & Q(instalment__gt=0), name="overpayment_positive"),
        ]

    def __str__(self) -> str:
        return f"追回 {self.total} 元（每月 {self.instalment} 元）"


class PaymentLine(models.Model):
    """发放明细: one amount for one enrolment, one covered month and one kind, in one cycle.

    The statuses after `pending` are set by the bank disbursement and return files (later): paid, failed, and
    `reissued` for a failed line paid again after the account was fixed.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", "当月发放"
        ARREARS = "arrears", "补发"
        RECOVERY = "recovery", "扣回"
        ADJUSTMENT = "adjustment", "调整"
        SETTLEMENT = "settlement", "服务结算"

    class Status(models.TextChoices):
        PENDING = "pending", "待发放"
        PAID = "paid", "已发放"
        FAILED = "failed", "发放失败"
        REISSUED = "reissued", "已重发"

    # Foreign keys without their own index where a composite index below (or none) serves the queries: every
    # index is paid for on each of hundreds of thousands of inserts a month. No key keeps a database constraint:
    # every key is copied, in the same INSERT … SELECT, from the cycle, enrolment, person and bank-account rows
    # that exist at that moment and are never deleted (PROTECT, still enforced by Django; no hard delete of
    # personal records). Each constraint is a trigger per inserted row, run at COMMIT (Django makes them
    # deferred): measured 30 s of a 300,000-line generation for eight of them, and still 2.3 s — a third of
    # the hand-written INSERT … SELECT — for the last two, cycle and enrolment (the enrolment check also
    # locks, and so rewrites, every enrolment row). A table distributed by area (Citus) cannot keep them either.
    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="lines", db_index=False,
                              db_constraint=False, verbose_name="发放批次")
    enrolment = models.ForeignKey("programs.Enrolment", on_delete=models.PROTECT, related_name="payment_lines",
                                  db_index=False, db_constraint=False, verbose_name="享受对象")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False, verbose_name="项目")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="payment_lines", db_index=False, db_constraint=False,
                               verbose_name="收款人")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False, db_constraint=False, verbose_name="家庭")
    # 收款单位: a line payable to an organisation instead of the enrolment's person or household (a provider
    # settled for the vouchers of that enrolment). No constraint either, for the same reason: copied from a row
    # that exists, in the statement that writes the line. Its area is the organisation's.
    organisation = models.ForeignKey(OrganisationPayee, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="payment_lines", db_index=False, db_constraint=False,
                                     verbose_name="收款单位")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    month = models.DateField("发放月份")
    covered_month = models.DateField("所属月份", help_text="补发为所补月份，其余为发放月份")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    formula = models.JSONField("计算依据", default=dict, blank=True)
    overpayment = models.ForeignKey(Overpayment, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False, verbose_name="追回记录")
    bank_account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False, db_constraint=False, verbose_name="银行账户")
    bank_name = models.CharField("开户银行（快照）", max_length=60, blank=True)
    account_number = models.CharField("账号（快照）", max_length=40, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("调整原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        constraints = [
            # Idempotent generation: INSERT … ON CONFLICT DO NOTHING against this. Enrolment first, so the same
            # index answers "was this enrolment paid for that month" (arrears, last month's line).
            models.UniqueConstraint(fields=["enrolment", "covered_month", "kind", "cycle"], name="payment_line_once"),
            # One payee: a line paid to an organisation names no person or household (a line of a person or
            # household programme always names its subject: `enrolment_has_subject`). A CHECK costs no trigger.
            models.CheckConstraint(condition=Q(organisation__isnull=True)
                                   | (Q(person__isnull=True) & Q(household__isnull=True)),
                                   name="payment_line_one_payee"),
            # A service settlement is always paid to an organisation.
            models.CheckConstraint(condition=~Q(kind="settlement") | Q(organisation__isnull=False),
                                   name="payment_line_settlement_to_organisation"),
        ]
        indexes = [
            models.Index(fields=["cycle", "area", "id"], name="payment_line_cycle_area"),
            models.Index(fields=["person", "covered_month"], name="payment_line_person"),
            # Partial: person lines (all but a few) never enter it, so the payroll's inserts do not pay for it.
            models.Index(fields=["organisation", "cycle"], name="payment_line_organisation",
                         condition=Q(organisation__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.covered_month:%Y-%m} {self.amount}"

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_number)


class PaymentException(models.Model):
    """发放异常: a line a check flagged; it must be resolved (fixed, then re-checked) or accepted with a reason
    before the cycle can be approved."""

    class Kind(models.TextChoices):
        PAID_AFTER_DEATH = "paid_after_death", "死亡后仍发放"
        MUTUALLY_EXCLUSIVE = "mutually_exclusive", "重复享受互斥项目"
        ABOVE_STANDARD = "above_standard", "金额超过标准"
        BANK_ACCOUNT_MISSING = "bank_account_missing", "银行账户缺失或无效"
        NOT_IN_REGISTRY = "not_in_registry_or_outside_district", "不在居民信息库或不在本区"
        LARGE_CHANGE = "large_change", "与上月相比变动过大"
        AMOUNT_NOT_CURRENT_QUOTE = "amount_not_current_quote", "金额与现行标准测算不符"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        RESOLVED = "resolved", "已更正"
        ACCEPTED = "accepted", "已核实认可"

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="exceptions",
                              verbose_name="发放批次")
    # SET_NULL: a regeneration removes a line that is no longer due, and the exception then reads as resolved.
    line = models.ForeignKey(PaymentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="exceptions",
                             verbose_name="发放明细")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    kind = models.CharField("类型", max_length=40, choices=Kind.choices)
    detail = models.CharField("说明", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField("处理说明", max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="处理人")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    found_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "发放异常"
        verbose_name_plural = "发放异常"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind", "line"], condition=Q(line__isnull=False),
                                    name="payment_exception_once"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="payment_exception_cycle")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.detail}"


class GenerationChunk(models.Model):
    """生成分块: one key range [lo, hi) of enrolment ids of a cycle's generation. Done in one transaction with
    its lines, so a re-run after a crash continues from the first chunk not done."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.CASCADE, related_name="chunks", verbose_name="发放批次")
    lo = models.BigIntegerField("起始编号（含）")
    hi = models.BigIntegerField("截止编号（不含）")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    lines = models.PositiveIntegerField("写入条数", default=0)
    # Planned when the cycle already had lines: the chunk also removes lines no longer due (a regeneration).
    resync = models.BooleanField("重新生成", default=False)
    error = models.TextField("错误", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "生成分块"
        verbose_name_plural = "生成分块"
        ordering = ["cycle_id", "lo"]
        constraints = [models.UniqueConstraint(fields=["cycle", "lo"], name="generation_chunk_once")]

    def __str__(self) -> str:
        return f"[{self.lo}, {self.hi}) {self.get_status_display()}"


# --- Bank disbursement (银行代发) and bank return (银行回盘) ---------------------------------------------------------


class BankFileLayout(models.Model):
    """银行代发文件格式: which columns, in which order, under which headers, in which file format and encoding a
    bank wants. Data, edited in the admin; the layout whose bank is empty is the default for every other bank."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel（XLSX）"

    class Encoding(models.TextChoices):
        GBK = "gbk", "GBK"
        GB18030 = "gb18030", "GB18030"
        UTF8 = "utf-8", "UTF-8"
        UTF8_BOM = "utf-8-sig", "UTF-8（带BOM）"

    name = models.CharField("格式名称", max_length=60, unique=True)
    bank_name = models.CharField("适用银行", max_length=60, blank=True,
                                 help_text="与账户的开户银行名称一致；留空为默认格式")
    format = models.CharField("文件格式", max_length=4, choices=Format.choices, default=Format.CSV)
    encoding = models.CharField("CSV编码", max_length=10, choices=Encoding.choices, default=Encoding.GBK,
                                help_text="仅CSV使用；XLSX总是UTF-8")
    totals_row = models.BooleanField("末尾加合计行", default=True, help_text="合计行：笔数与合计金额")
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "银行代发文件格式"
        verbose_name_plural = "银行代发文件格式"
        constraints = [models.UniqueConstraint(fields=["bank_name"], condition=Q(active=True),
                                               name="bank_file_layout_one_active")]

    def __str__(self) -> str:
        return self.name


class BankFileColumn(models.Model):
    """代发文件列: one column of a layout — its position, the header the bank expects and what it holds."""

    class Source(models.TextChoices):
        SEQ = "seq", "序号"
        NAME = "name", "姓名"
        ID_NUMBER = "id_number", "身份证号"
        ACCOUNT = "account_number", "账号"
        BANK = "bank_name", "开户银行"
        AMOUNT = "amount", "金额"
        PROGRAM = "program", "项目"
        SUMMARY = "summary", "摘要"
        AREA = "area", "村社区"
        MONTH = "month", "发放月份"
        PAYMENT = "payment_id", "明细编号"

    layout = models.ForeignKey(BankFileLayout, on_delete=models.CASCADE, related_name="columns",
                               verbose_name="文件格式")
    position = models.PositiveSmallIntegerField("顺序")
    header = models.CharField("列标题", max_length=40)
    source = models.CharField("取值", max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = "代发文件列"
        verbose_name_plural = "代发文件列"
        ordering = ["layout_id", "position"]
        constraints = [models.UniqueConstraint(fields=["layout", "position"], name="bank_file_column_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.header}"


class BankPayment(models.Model):
    """代发明细: one transfer to one account — the NET of an enrolment's lines in a cycle (regular + arrears +
    adjustment − recovery), since a recovery or a negative adjustment is deducted from that enrolment's payment.

    `round` 1 is the first disbursement; each reissue (重发) adds a round whose payments point at the failed
    payment they replace. The partial unique constraint is the guarantee that a payee is never paid twice for
    the same lines: per cycle and enrolment at most one payment that has not failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待回盘"
        PAID = "paid", "已发放"
        FAILED = "failed", "发放失败"

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="bank_payments",
                              db_index=False, verbose_name="发放批次")
    round = models.PositiveSmallIntegerField("轮次", help_text="1为首次代发，2起为重发")
    bank_name = models.CharField("开户银行", max_length=60)
    seq = models.PositiveIntegerField("序号", help_text="在本轮本银行代发文件中的序号")
    # Empty for a payment to an organisation: it sums the lines of many enrolments (see `organisation`).
    enrolment = models.ForeignKey("programs.Enrolment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False, verbose_name="享受对象")
    organisation = models.ForeignKey(OrganisationPayee, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False, db_constraint=False, verbose_name="收款单位")
    # Copied in the same INSERT … SELECT from the lines, which copied them from rows that carry these constraints
    # (as PaymentLine does): no constraint trigger per inserted row.
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False, verbose_name="项目")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False, verbose_name="收款人")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
                             verbose_name="村社区")
    account_number = models.CharField("账号", max_length=40)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    reissue_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reissue", verbose_name="重发自")
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "代发明细"
        verbose_name_plural = "代发明细"
        ordering = ["cycle_id", "round", "bank_name", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "enrolment"], condition=~Q(status="failed"),
                                    name="bank_payment_never_twice"),
            models.UniqueConstraint(fields=["cycle", "organisation"],
                                    condition=~Q(status="failed") & Q(organisation__isnull=False),
                                    name="bank_payment_never_twice_organisation"),
            models.CheckConstraint(condition=_exactly_one("enrolment", "organisation"),
                                   name="bank_payment_one_payee"),
            models.UniqueConstraint(fields=["cycle", "round", "bank_name", "seq"], name="bank_payment_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_payment_positive"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="bank_payment_cycle_status")]

    def __str__(self) -> str:
        return f"代发明细 {self.round}-{self.seq} {self.amount}"

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_number)


class BankFile(models.Model):
    """银行代发文件: the exact bytes sent to one bank for one round of a cycle, with their SHA-256.

    The bytes are a stored file (minzheng.files: a local folder or a private S3-compatible bucket, shared by every
    machine), downloaded only through the logged service; until December 2026 they were a BinaryField (moved by
    the migration `0008_bank_file_storage`). The checksum stays here, so a file changed in the storage shows."""

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="bank_files",
                              verbose_name="发放批次")
    round = models.PositiveSmallIntegerField("轮次", help_text="1为首次代发，2起为重发")
    bank_name = models.CharField("开户银行", max_length=60)
    layout = models.ForeignKey(BankFileLayout, on_delete=models.PROTECT, related_name="+", verbose_name="文件格式")
    format = models.CharField("文件格式", max_length=4, choices=BankFileLayout.Format.choices)
    encoding = models.CharField("编码", max_length=10)
    filename = models.CharField("文件名", max_length=120)
    item_count = models.PositiveIntegerField("笔数")
    total_amount = models.DecimalField("合计金额（元）", max_digits=16, decimal_places=2)
    checksum = models.CharField("SHA-256 校验值", max_length=64)
    file = models.FileField("文件", upload_to=bank_file_name, max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="导出人")
    created_at = models.DateTimeField("导出时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行代发文件"
        verbose_name_plural = "银行代发文件"
        ordering = ["-id"]
        indexes = [models.Index(fields=["cycle", "round", "bank_name"], name="bank_file_cycle")]

    def __str__(self) -> str:
        return self.filename

    @property
    def content(self) -> bytes:
        """The stored bytes, read from the file storage (each access reads the file)."""
        return file_read(self.file)


class BankReturn(models.Model):
    """银行回盘: a bank's result file for one of our bank files, imported through the staged import."""

    import_batch = models.OneToOneField("imports.ImportBatch", on_delete=models.PROTECT, related_name="bank_return",
                                        verbose_name="导入批次")
    bank_file = models.ForeignKey(BankFile, on_delete=models.PROTECT, related_name="returns",
                                  verbose_name="代发文件")
    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="bank_returns",
                              verbose_name="发放批次")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行回盘"
        verbose_name_plural = "银行回盘"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"回盘#{self.pk}（{self.bank_file}）"


# --- 卡折代管 (custody of a payee's bank card or passbook) -------------------------------------------------------


class BankCardCustody(models.Model):
    """卡折代管: a payee who cannot manage their own card or passbook (特困 in care, severe disability, dementia, a
    minor) has it kept by a guardian, the village/community committee or the care institution, under a written
    custody agreement (代管协议), checked every month (每月核对). The money still goes to the payee's own account
    (`bank_account`, the person's): nothing here holds the custodian's account, so a bank file cannot pay it.

    The signed agreement is kept in the database (a BinaryField), as bank files and uploads are: one store the
    stateless web tier and the workers share, committed or rolled back with its record.
    """

    class CustodianKind(models.TextChoices):
        GUARDIAN = "guardian", "监护人"
        COMMITTEE = "committee", "村（居）民委员会"
        INSTITUTION = "institution", "供养服务机构"

    class Reason(models.TextChoices):
        IN_CARE = "in_care", "特困人员集中供养"
        SEVERE_DISABILITY = "severe_disability", "重度残疾"
        DEMENTIA = "dementia", "失能或认知障碍"
        MINOR = "minor", "未成年人"
        OTHER = "other", "其他无法自行管理卡折的情形"

    class Status(models.TextChoices):
        ACTIVE = "active", "代管中"
        ENDED = "ended", "已终止"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="card_custodies",
                               verbose_name="收款人")
    # The person's community, copied so lists scope by area without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="custodies",
                                     verbose_name="代管的银行账户（收款人本人账户）")
    custodian_kind = models.CharField("代管人类别", max_length=12, choices=CustodianKind.choices)
    custodian_name = models.CharField("代管人（个人姓名或单位名称）", max_length=100)
    custodian_person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="代管人（居民信息库中的监护人）")
    custodian_contact = models.CharField("代管人联系电话", max_length=20, blank=True)
    reason = models.CharField("代管原因", max_length=20, choices=Reason.choices)
    reason_note = models.CharField("原因说明", max_length=200, blank=True)
    agreement_number = models.CharField("代管协议编号", max_length=60)
    agreement_date = models.DateField("协议签订日期")
    agreement_filename = models.CharField("协议文件名", max_length=120)
    agreement_content_type = models.CharField("协议文件类型", max_length=60)
    agreement_sha256 = models.CharField("协议文件 SHA-256", max_length=64)
    agreement_file = models.BinaryField("代管协议（扫描件）", editable=False)
    start_date = models.DateField("代管开始日期")
    end_date = models.DateField("代管终止日期", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    handover_note = models.CharField("卡折交接情况", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="终止登记人")
    ended_at = models.DateTimeField("终止登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "卡折代管"
        verbose_name_plural = "卡折代管"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank_account"], condition=Q(status="active"),
                                    name="card_custody_one_active_per_account"),
            models.UniqueConstraint(fields=["person"], condition=Q(status="active"),
                                    name="card_custody_one_active_per_person"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="card_custody_end_after_start"),
        ]
        indexes = [models.Index(fields=["area", "id"], name="card_custody_area"),
                   models.Index(fields=["status", "start_date"], name="card_custody_status")]

    def __str__(self) -> str:
        return f"卡折代管（{self.get_custodian_kind_display()}：{self.custodian_name}）"


class CustodyCheck(models.Model):
    """卡折代管月度核对: the custodian's use of one month's money, checked and signed off. One per custody and month
    (a database constraint); the monthly job writes a row waiting for the check (待核对) with its task."""

    class Result(models.TextChoices):
        PENDING = "pending", "待核对"
        PROPER = "proper", "资金使用正常"
        ISSUE = "issue", "发现问题"

    custody = models.ForeignKey(BankCardCustody, on_delete=models.PROTECT, related_name="checks",
                                verbose_name="卡折代管")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    month = models.DateField("核对月份", help_text="所在月的第一天")
    result = models.CharField("核对结果", max_length=8, choices=Result.choices, default=Result.PENDING)
    note = models.CharField("核对说明", max_length=300, blank=True)
    custodian_signed = models.BooleanField("代管人已签字确认", default=False)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="核对人")
    checked_at = models.DateTimeField("核对时间", null=True, blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "卡折代管月度核对"
        verbose_name_plural = "卡折代管月度核对"
        ordering = ["custody_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["custody", "month"], name="custody_check_once_per_month")]
        indexes = [models.Index(fields=["area", "month"], name="custody_check_area_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}代管核对（{self.get_result_display()}）"
