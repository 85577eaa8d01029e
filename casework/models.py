"""Case (案件/申请): an application or matter moving through a declared workflow (`casework.workflows`).

The kernel keeps what every kind of case has — who applied for whom, where, the state and its history
(CaseStep), the statutory deadlines in working days (CaseDeadline), documents, public notices and the
objections to them, and the close-relative declarations (近亲属备案) that decide who may not handle a case.
Domain apps (assistance, place names …) add their own records — a one-to-one record of what their case type
keeps (`Workflow.detail`, e.g. assistance.Application), an investigation, a verification — and the hooks of
their actions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area
from minzheng.files import case_file_name


class Channel(models.TextChoices):
    ONLINE = "online", "居民网上申请"
    WORKER = "worker", "工作人员代为申请"


class Case(models.Model):
    """案件（申请）: one application for one programme by one household or person."""

    workflow = models.CharField("办理流程", max_length=60)
    variant = models.CharField("适用规则", max_length=20, blank=True, help_text="chongqing（重庆）或 national（全国）")
    program = models.ForeignKey("programs.Program", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="cases", verbose_name="项目")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="cases", verbose_name="家庭")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cases", verbose_name="对象（个人项目）")
    applicant = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="申请人")
    # The community, copied from the household (or person) so lists scope by prefix without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices, default=Channel.WORKER)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="录入人")
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    # The day the applicant applied: the entry day, or the day stated for a paper application entered later (补录).
    submitted_on = models.DateField("申请日期", null=True, blank=True)
    # False: 申请日期 was left at its default (the day of entry), so it bounds nothing; a paper application entered
    # afterwards (补录) states it, and then every later step's date must follow it.
    submitted_on_stated = models.BooleanField("申请日期为填报日期", default=False)
    state = models.CharField("状态", max_length=30)
    inputs = models.JSONField("申请与调查事项", default=dict, blank=True,
                              help_text="测算所需的经办人录入事项，如护理等级、临时救助类型与金额")
    accepted_on = models.DateField("受理日期", null=True, blank=True, help_text="法定受理日期，各项期限由此起算")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="经办人")
    # The current deadline, copied from the CaseDeadline rows (the work queue sorts and the overdue counts
    # filter on it without a join).
    next_due = models.DateField("当前环节期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False,
                                               help_text="期限跨入尚未发布节假日安排的年份，暂按周末计算")
    close_relative_filed = models.BooleanField("近亲属备案", default=False)
    # A programme case ends in an enrolment (享受记录, programs — the kernel of every benefit); the amounts and
    # their calculation at each stage belong to the domain's record.
    enrolment = models.ForeignKey("programs.Enrolment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="cases", verbose_name="享受记录")
    decided_on = models.DateField("决定日期", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        indexes = [
            models.Index(fields=["area", "id"], name="case_area_keyset"),
            models.Index(fields=["next_due", "id"], name="case_next_due"),
            models.Index(fields=["workflow", "state"], name="case_workflow_state"),
            models.Index(fields=["handler", "next_due"], name="case_handler_due"),
            models.Index(fields=["household", "workflow"], name="case_household"),
        ]

    def __str__(self) -> str:
        return f"案件{self.pk}（{self.workflow}）"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def deadline_rows(self) -> dict[str, "CaseDeadline"]:
        """The case's deadlines by kind: the ones just computed (`casework.deadlines.case_deadlines_compute`,
        not yet written) if any, else the stored rows (prefetched `deadlines` when the list prefetched them)."""
        pending = getattr(self, "_pending_deadlines", None)
        if pending is not None:
            return pending
        if self.pk is None:
            return {}
        return {row.kind: row for row in self.deadlines.all()}

    def due(self, kind: str):
        """The date of one deadline (None when the case has no such deadline now)."""
        row = self.deadline_rows.get(kind)
        return row.due if row is not None else None


class CaseDeadline(models.Model):
    """办理期限: one statutory deadline of a case, written by the kernel from the workflow's DeadlineRules.

    `kind` is the rule's name ("overall_due"); `basis` keeps how the date was reached (working days, the date
    the count starts, the PolicyParameter and its source) so a page can show it. A row goes away when its
    starting date does (a notice withdrawn after an upheld objection); it stays, marked `closed_at`, when the
    case ends, so the page of a closed case still shows the limits it ran under.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name="案件")
    kind = models.CharField("期限类别", max_length=40)
    label = models.CharField("期限名称", max_length=60)
    due = models.DateField("期限")
    basis = models.JSONField("计算依据", default=dict, blank=True)
    provisional = models.BooleanField("暂定", default=False, help_text="跨入尚未发布节假日安排的年份，暂按周末计算")
    closed_at = models.DateTimeField("案件办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "办理期限"
        verbose_name_plural = "办理期限"
        ordering = ["case_id", "due", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_deadline_kind")]

    def __str__(self) -> str:
        return f"{self.label} {self.due:%Y-%m-%d}"


class CaseStep(models.Model):
    """办理记录: one step of the case's timeline — from which state to which, by whom, when, with what."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps", verbose_name="案件")
    action = models.CharField("环节", max_length=30)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="经办人")
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)
    params = models.JSONField("办理内容", default=dict, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "at", "id"]
        indexes = [models.Index(fields=["case", "action"], name="casestep_case_action")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state}→{self.to_state}"


class CaseDocument(models.Model):
    """案件文书: material received, or a notice the case produced (告知书、决定书) — content kept as data so the
    printable PDF can be rendered from it later."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "申请材料"
        MATERIALS_NOTICE = "materials_notice", "一次性告知书（补正材料）"
        INVESTIGATION_FORM = "investigation_form", "入户调查表"
        PUBLIC_NOTICE = "public_notice", "公示"
        DECISION_NOTICE = "decision_notice", "审核确认决定书"
        REJECTION_NOTICE = "rejection_notice", "不予确认通知书"
        OTHER = "other", "其他"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents", verbose_name="案件")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=100)
    file = models.FileField("文件", upload_to=case_file_name, max_length=200, blank=True)
    content = models.JSONField("内容", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "案件文书"
        verbose_name_plural = "案件文书"
        ordering = ["case_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class PublicNotice(models.Model):
    """公示: posted in the case's village/community for `days` days, `starts_on`…`ends_on` inclusive."""

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        ENDED = "ended", "公示结束"
        WITHDRAWN = "withdrawn", "因异议成立撤回"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices", verbose_name="案件")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止（含）")
    days = models.PositiveSmallIntegerField("公示天数")
    republication = models.BooleanField("异议处理后重新公示", default=False)
    content = models.JSONField("公示内容", default=dict, blank=True, help_text="仅姓名、家庭人数、金额")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="公示村社区")

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["case_id", "starts_on", "id"]
        indexes = [models.Index(fields=["area", "ends_on"], name="notice_area_ends")]

    def __str__(self) -> str:
        return f"公示 {self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}"


class Objection(models.Model):
    """公示异议: raised by anyone during the notice; handled as upheld (成立) or dismissed (不成立)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections", verbose_name="案件")
    notice = models.ForeignKey(PublicNotice, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="objections", verbose_name="公示")
    objector = models.CharField("异议人", max_length=50, blank=True, help_text="可匿名")
    content = models.TextField("异议内容")
    received_on = models.DateField("收到日期")
    status = models.CharField("处理结果", max_length=10, choices=Status.choices, default=Status.OPEN)
    handling = models.TextField("处理情况", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="处理人")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["case_id", "received_on", "id"]

    def __str__(self) -> str:
        return f"异议（{self.get_status_display()}）"


class CloseRelation(models.TextChoices):
    SPOUSE = "spouse", "配偶"
    PARENT = "parent", "父母"
    CHILD = "child", "子女"
    SIBLING = "sibling", "兄弟姐妹"
    GRANDPARENT = "grandparent", "祖父母、外祖父母"
    GRANDCHILD = "grandchild", "孙子女、外孙子女"
    OTHER = "other", "其他近亲属"


class CloseRelativeDeclaration(models.Model):
    """近亲属备案: `relative` is a close relative of a staff member (a user) or of a named village/community
    committee member (村/居委会成员, who may have no account). A case whose household includes the relative is
    registered as such, cannot be handled by that staff member, and needs the district's own home
    investigation (《最低生活保障审核确认办法》第十一条、第二十条；《重庆市城乡居民最低生活保障条例》第三十三条)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="close_relatives", verbose_name="工作人员")
    committee_member_name = models.CharField("村（居）委会成员姓名", max_length=50, blank=True)
    committee_area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name="所在村（居）委会")
    relative = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="close_relative_of",
                                 verbose_name="近亲属")
    relation = models.CharField("关系", max_length=12, choices=CloseRelation.choices)
    # The relative's community, copied so the register scopes by prefix like every other record.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="近亲属所在村社区")
    note = models.CharField("备注", max_length=200, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="登记人")
    declared_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_active = models.BooleanField("有效", default=True)
    ended_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "近亲属备案"
        verbose_name_plural = "近亲属备案"
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(committee_member_name=""))
                | (Q(staff__isnull=True) & ~Q(committee_member_name="")),
                name="close_relative_staff_or_member"),
        ]
        indexes = [models.Index(fields=["relative", "is_active"], name="close_relative_person"),
                   models.Index(fields=["area", "id"], name="close_relative_area_keyset")]

    def __str__(self) -> str:
        who = (self.staff.get_full_name() or self.staff.username) if self.staff_id else self.committee_member_name
        return f"{who} 的{self.get_relation_display()}"


class DocumentSeries(models.Model):
    """文号序列: how a district numbers one kind of document (e.g. 审核确认决定书), editable in the admin. The template
    takes {year} and {seq}: "沙民救〔{year}〕{seq}号". Numbers restart each year."""

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    kind = models.CharField("文书种类", max_length=20, help_text="如 decision（审核确认决定书）")
    template = models.CharField("文号格式", max_length=60, help_text="可用 {year}（年份）与 {seq}（序号）")

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [models.UniqueConstraint(fields=["district", "kind"], name="document_series_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.kind}: {self.template}"


class DocumentNumber(models.Model):
    """文号: the number a document of a case carries, given once (the first time it is issued) and printed on every
    copy after; sequential per district, kind and year."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="document_numbers", verbose_name="案件")
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    kind = models.CharField("文书种类", max_length=20)
    year = models.PositiveSmallIntegerField("年份")
    seq = models.PositiveIntegerField("序号")
    text = models.CharField("文号", max_length=80)
    issued_at = models.DateTimeField("编号时间", auto_now_add=True)

    class Meta:
        verbose_name = "文书文号"
        verbose_name_plural = "文书文号"
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "year", "seq"], name="document_number_unique"),
            models.UniqueConstraint(fields=["case", "kind"], name="document_number_one_per_case"),
        ]

    def __str__(self) -> str:
        return self.text
