"""Children's welfare records (儿童福利): the child's file (儿童档案) with each parent's situation and its evidence,
the child-director network, care records (assessments, screenings, home visits, support) and adoption
registration (收养登记).

Recognition itself is a Case on the kernel (`children.workflows`) and its outcome an `programs.Enrolment` in the
category's programme: a child is "recognised" while an enrolment is open, so nothing here duplicates it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from areas.models import Area


class Category(models.TextChoices):
    """儿童类别; each is a programme (`Program.code`) whose recognition is a case."""

    ORPHAN = "orphan", "孤儿"
    DE_FACTO = "de_facto_unattended", "事实无人抚养儿童"
    HARDSHIP = "hardship_child", "困境儿童"
    LEFT_BEHIND = "left_behind_child", "农村留守儿童"
    MIGRANT = "migrant_child", "流动儿童"


class ParentCondition(models.TextChoices):
    DEAD = "dead", "死亡（含宣告死亡）"
    MISSING = "missing", "失踪（宣告失踪或查找不到）"
    LOST_CONTACT = "lost_contact", "失联"
    DISABLED = "disabled", "重残"
    ILL = "ill", "重病"
    RESTRICTED = "restricted", "服刑在押、强制隔离戒毒或被执行其他限制人身自由的措施"
    DEPORTED = "deported", "被撤销监护资格或被遣送（驱逐）出境"
    AWAY = "away", "外出务工（留守、流动儿童）"


class AbsenceReason(models.Model):
    """父母缺位情形 (data): a reason a parent does not raise the child, the evidence it needs and whether it can end
    (a parent released, found, recovered — which brings the child's re-check forward)."""

    code = models.SlugField("代码", max_length=40, primary_key=True)
    name = models.CharField("情形", max_length=80)
    condition = models.CharField("类别", max_length=12, choices=ParentCondition.choices)
    evidence = models.CharField("应提供的证明", max_length=200)
    can_end = models.BooleanField("情形可能消失", default=False, help_text="如刑满释放、寻回、康复")
    end_label = models.CharField("情形消失的说法", max_length=40, blank=True, help_text="如“刑满释放”")
    source = models.CharField("依据", max_length=200)
    verified = models.BooleanField("已核实", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "父母缺位情形"
        verbose_name_plural = "父母缺位情形"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class ChildFile(models.Model):
    """儿童档案: one per child, kept by the child director; the facts the recognitions read (placement,
    full-time education, guardian) beside the registry's person."""

    class Placement(models.TextChoices):
        INSTITUTION = "institution", "儿童福利机构集中养育（集中供养）"
        FAMILY = "family", "亲属抚养或家庭寄养（散居）"

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="child_file",
                                  verbose_name="儿童")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    categories = models.JSONField("类别（摸底）", default=list, blank=True, help_text="儿童类别代码列表")
    placement = models.CharField("养育方式", max_length=12, choices=Placement.choices, default=Placement.FAMILY)
    guardian = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="监护人或实际抚养人")
    full_time_education = models.BooleanField("在全日制学校就读", default=False,
                                              help_text="年满18周岁后仍在校的，按政策参数继续发放")
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="建档人")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    class Meta:
        verbose_name = "儿童档案"
        verbose_name_plural = "儿童档案"
        indexes = [models.Index(fields=["area", "id"], name="child_file_area_keyset")]

    def __str__(self) -> str:
        return f"儿童档案 {self.person_id}"


class ParentSituation(models.Model):
    """父母情况: one parent's situation with the reason, the evidence seen and since when; ended when the reason
    ends (released, found, recovered)."""

    class Role(models.TextChoices):
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"

    file = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="situations", verbose_name="儿童档案")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    role = models.CharField("父或母", max_length=6, choices=Role.choices)
    parent = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="父或母（人口库）")
    reason = models.ForeignKey(AbsenceReason, on_delete=models.PROTECT, related_name="+", verbose_name="情形")
    evidence = models.CharField("证明材料", max_length=300)
    document_number = models.CharField("证明文书编号", max_length=80, blank=True)
    since = models.DateField("情形发生日期")
    ended_on = models.DateField("情形消失日期", null=True, blank=True)
    end_note = models.CharField("情形消失说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "父母情况"
        verbose_name_plural = "父母情况"
        constraints = [models.UniqueConstraint(fields=["file", "role"], condition=Q(ended_on__isnull=True),
                                               name="parent_situation_one_current")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.reason}"


# ---- 儿童关爱服务网络 ------------------------------------------------------------------------------------------

class NetworkRole(models.Model):
    """儿童主任 (per village/community) or 儿童督导员 (per town): a person appointed to an area, from a date."""

    class Kind(models.TextChoices):
        DIRECTOR = "director", "儿童主任"
        SUPERVISOR = "supervisor", "儿童督导员"

    kind = models.CharField("岗位", max_length=12, choices=Kind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区或乡镇（街道）")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    appointed_on = models.DateField("任命日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="系统账号")

    class Meta:
        verbose_name = "儿童主任与儿童督导员"
        verbose_name_plural = "儿童主任与儿童督导员"
        ordering = ["area_id", "kind", "appointed_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Training(models.Model):
    """培训记录 of a child director or supervisor."""

    role = models.ForeignKey(NetworkRole, on_delete=models.PROTECT, related_name="trainings", verbose_name="人员")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    title = models.CharField("培训名称", max_length=100)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"

    def __str__(self) -> str:
        return self.title


class ProtectionStation(models.Model):
    """未成年人保护工作站 of a town (乡镇（街道）)."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）")
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    opened_on = models.DateField("建成日期")
    closed_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "未成年人保护工作站"
        verbose_name_plural = "未成年人保护工作站"

    def __str__(self) -> str:
        return self.name


# ---- 关爱服务记录 ----------------------------------------------------------------------------------------------

class Assessment(models.Model):
    """监护评估 or 心理健康筛查 of a child: the score, and whether it calls for follow-up (a Task)."""

    class Kind(models.TextChoices):
        GUARDIANSHIP = "guardianship", "监护状况评估"
        MENTAL_HEALTH = "mental_health", "心理健康筛查"

    file = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="assessments", verbose_name="儿童档案")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    assessed_on = models.DateField("评估日期")
    score = models.DecimalField("得分", max_digits=6, decimal_places=1)
    threshold = models.DecimalField("需跟进的分数线", max_digits=6, decimal_places=1)
    follow_up = models.BooleanField("需跟进", default=False)
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="跟进任务")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")

    class Meta:
        verbose_name = "评估与筛查"
        verbose_name_plural = "评估与筛查"
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessed_on}"


class HomeVisit(models.Model):
    """走访记录 by the child director."""

    file = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="visits", verbose_name="儿童档案")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    visited_on = models.DateField("走访日期")
    visitor = models.ForeignKey(NetworkRole, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                                verbose_name="儿童主任")
    findings = models.CharField("走访情况", max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"走访 {self.visited_on}"


class Support(models.Model):
    """教育、医疗帮扶记录 against the child."""

    class Kind(models.TextChoices):
        EDUCATION = "education", "教育资助"
        MEDICAL = "medical", "医疗救助与康复"
        OTHER = "other", "其他帮扶"

    file = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="supports", verbose_name="儿童档案")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="村社区")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    programme = models.CharField("帮扶项目", max_length=100)
    provided_on = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "教育医疗帮扶"
        verbose_name_plural = "教育医疗帮扶"
        ordering = ["-provided_on", "-id"]

    def __str__(self) -> str:
        return self.programme


# ---- 收养登记 -----------------------------------------------------------------------------------------------

class Adoption(models.Model):
    """收养登记 (区民政局): the adopter(s), the child, the checks of 民法典 with their results, and the
    registration number; refused applications are kept with the article that failed."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "已登记"
        REFUSED = "refused", "不予登记"

    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="被收养人")
    adopter = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="收养人")
    spouse = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="收养人配偶（共同收养）")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="收养人家庭")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="收养人村社区")
    status = models.CharField("结果", max_length=12, choices=Status.choices)
    checks = models.JSONField("法定条件审查", default=list,
                              help_text="[{article, label, passed, basis: registry|attested, detail}]")
    attestations = models.JSONField("申请人声明与证明", default=dict, blank=True)
    refusal = models.CharField("不予登记理由", max_length=500, blank=True)
    certificate_number = models.CharField("收养登记证字号", max_length=40, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记员")
    decided_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "收养登记"
        verbose_name_plural = "收养登记"
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["certificate_number"], condition=~Q(certificate_number=""),
                                               name="adoption_certificate_unique")]

    def __str__(self) -> str:
        return f"收养登记 {self.certificate_number or self.get_status_display()}"
