"""Audit (审计): the change log, domain events, and the access log of personal data."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    PAGE = "page", "页面"
    API = "api", "接口"
    IMPORT = "import", "导入"
    JOB = "job", "后台任务"
    COMMAND = "command", "命令"


class ChangeLog(models.Model):
    """变更记录: who changed which record, when, through what, with the fields before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DEACTIVATE = "deactivate", "停用"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="操作人", related_name="+")
    request_id = models.CharField("请求标识", max_length=40, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.COMMAND)
    model = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象标识", max_length=40)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("动作", max_length=12, choices=Action.choices)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        indexes = [models.Index(fields=["model", "object_id", "time"], name="changelog_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model}#{self.object_id}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
        return [(k, before.get(k), after.get(k)) for k in keys]


class EventType(models.TextChoices):
    """业务事件类型: every kind of domain event, one lower-case spelling each (the stored value), a Chinese label
    for pages. A new kind of event is a member here. A case step of any workflow is one kind (`CASE_STEP`, the
    action in `params`), so a new case type needs no new member."""

    # 人员与家庭 (registry; the set-based import writes the two import kinds in SQL)
    PERSON_REGISTERED = "person_registered", "登记人员"
    PERSON_DIED = "person_died", "登记死亡"
    HOUSEHOLD_CREATED = "household_created", "新建家庭"
    MEMBER_JOINED = "member_joined", "加入家庭"
    MEMBER_LEFT = "member_left", "离开家庭"
    INCOME_RECORDED = "income_recorded", "登记收入"
    ASSET_RECORDED = "asset_recorded", "登记财产"
    DISABILITY_RECORDED = "disability_recorded", "登记残疾信息"
    HOUSEHOLD_IMPORTED = "household_imported", "导入家庭"
    MEMBERS_IMPORTED = "members_imported", "导入家庭成员"
    PERSON_FACT_RECORDED = "person_fact_recorded", "登记人员情况"
    PERSONS_MERGED = "persons_merged", "合并重复人员"
    # 办件 (casework)
    CASE_SUBMITTED = "case_submitted", "提交申请"
    CASE_STEP = "case_step", "办理环节"
    # 享受名单 (programs: one per EnrolmentChange kind, then the notices)
    ENROLMENT_START = "enrolment_start", "纳入"
    ENROLMENT_CHANGE = "enrolment_change", "调整金额"
    ENROLMENT_PHASE_OUT = "enrolment_phase_out", "渐退"
    ENROLMENT_SUSPEND = "enrolment_suspend", "暂停发放"
    ENROLMENT_RESUME = "enrolment_resume", "恢复发放"
    ENROLMENT_END = "enrolment_end", "终止"
    ENROLMENT_RECHECK_NEEDED = "enrolment_recheck_needed", "需重新核定"
    ENROLMENT_AMOUNT_KEPT = "enrolment_amount_kept", "未能自动重新测算金额"
    ENROLMENTS_RERATED = "enrolments_rerated", "调整待遇（按新标准重新核定金额）"
    AUTO_ENROL_NOTICE = "auto_enrol_notice", "免申即享纳入告知"
    # 复核 (assistance)
    RECHECK_SCHEDULED = "recheck_scheduled", "安排复核"
    RECHECK_NOTICE = "recheck_notice", "复核结果告知"
    SPOT_CHECK_DRAWN = "spot_check_drawn", "特困认定抽查"
    TERMINATION_NOTICE = "termination_notice", "终止公示"
    # 发放 (payments)
    PAYMENT_CYCLE_OPENED = "payment_cycle_opened", "建立发放批次"
    PAYMENT_CYCLE_APPROVED = "payment_cycle_approved", "审批发放批次"
    PAYMENT_BANK_FILES_EXPORTED = "payment_bank_files_exported", "导出银行代发文件"
    PAYMENT_BANK_RETURN_IMPORTED = "payment_bank_return_imported", "导入银行回盘"
    PAYMENT_REISSUED = "payment_reissued", "发放失败重发"
    PAYMENT_CYCLE_CLOSED = "payment_cycle_closed", "结束发放批次"
    # 卡折代管 (payments.custody)
    CUSTODY_STARTED = "custody_started", "登记卡折代管"
    CUSTODY_CHECKED = "custody_checked", "卡折代管月度核对"
    CUSTODY_ENDED = "custody_ended", "终止卡折代管"
    ORGANISATION_PAYEE_REGISTERED = "organisation_payee_registered", "登记收款单位"
    # 儿童福利 (children)
    CHILD_FILE_RECORDED = "child_file_recorded", "建立或更新儿童档案"
    PARENT_SITUATION_RECORDED = "parent_situation_recorded", "登记父母情况"
    PARENT_SITUATION_ENDED = "parent_situation_ended", "父母情形消失"
    CHILD_CARE_RECORDED = "child_care_recorded", "登记儿童关爱服务"
    ADOPTION_DECIDED = "adoption_decided", "收养登记"
    # 养老服务 (eldercare)
    ABILITY_ASSESSED = "ability_assessed", "老年人能力评估"
    CARE_LEVEL_CHANGED = "care_level_changed", "特困人员照料护理等级变更"
    RESIDENT_ADMITTED = "resident_admitted", "入住养老机构"
    RESIDENT_DISCHARGED = "resident_discharged", "离开养老机构"
    ADAPTATION_STEP = "adaptation_step", "适老化改造办理环节"
    TIME_BANK_ENTRY = "time_bank_entry", "时间银行存取"
    VOUCHERS_ISSUED = "vouchers_issued", "发放养老服务消费券"
    VOUCHER_REDEEMED = "voucher_redeemed", "核销养老服务消费券"
    VOUCHERS_SETTLED = "vouchers_settled", "结算养老服务消费券"
    SURVIVAL_CHECK_FAILED = "survival_check_failed", "生存认证未通过"
    # 探访关爱 (carevisits)
    CARE_ROSTER_ADDED = "care_roster_added", "纳入探访关爱名册"
    CARE_PLAN_SET = "care_plan_set", "调整探访计划"
    CARE_VISIT_RECORDED = "care_visit_recorded", "探访关爱记录"
    METER_BOUND = "meter_bound", "绑定智能水表"
    # 平台运维 (minzheng.orphan_files)
    ORPHAN_FILES_SWEPT = "orphan_files_swept", "清理无主文件"


class DomainEvent(models.Model):
    """业务事件: a readable step in a person's or household's timeline (e.g. 登记死亡, 加入家庭).

    Each event names its subject — the record it is about (an enrolment, a case, a payment cycle, or the person
    or household itself) — by model label and id, besides the person and household whose timelines show it."""

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="操作人", related_name="+")
    type = models.CharField("事件类型", max_length=40, choices=EventType.choices)
    # db_default too: a set-based INSERT written before these columns still works.
    subject_type = models.CharField("对象类型", max_length=60, blank=True, default="", db_default="",
                                    help_text="如 programs.enrolment")
    subject_id = models.CharField("对象标识", max_length=40, blank=True, default="", db_default="")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="events", verbose_name="人员")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="events", verbose_name="家庭")
    message = models.CharField("说明", max_length=300)
    params = models.JSONField("参数", default=dict, blank=True)

    class Meta:
        verbose_name = "业务事件"
        verbose_name_plural = "业务事件"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="domainevent_subject")]

    def __str__(self) -> str:
        return self.message


class AccessLog(models.Model):
    """个人信息访问记录: every full view of an ID number and every export of personal data."""

    class Kind(models.TextChoices):
        REVEAL_ID = "reveal_id", "查看完整身份证号"
        REVEAL_PHONE = "reveal_phone", "查看完整联系电话"
        REVEAL_CERT = "reveal_cert", "查看完整残疾人证号"
        REVEAL_ACCOUNT = "reveal_acct", "查看完整银行账号"
        DENIED = "denied", "查看个人信息被拒绝"
        EXPORT = "export", "导出个人信息"
        API_CLIENT = "api_client", "接口客户端调用"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="操作人",
                             related_name="+")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="人员")
    detail = models.JSONField("详情", default=dict, blank=True)
    request_id = models.CharField("请求标识", max_length=40, blank=True)

    class Meta:
        verbose_name = "访问记录"
        verbose_name_plural = "访问记录"
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user_id}→{self.person_id}"
