"""Resident registry (居民信息库): persons, households, members, income, assets, disability.

Nothing personal is hard-deleted: a death, a move or a departure from a household is a status with a date.
Derived figures (age, household size, per-capita income) are computed in queries, never stored.
"""

from django.db import models
from django.db.models import Q

from areas.divisions import division_name
from areas.models import Area
from minzheng.lookups import Reversed


class HukouType(models.TextChoices):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """人员: one resident. `id_number` is the 18-digit 居民身份证号码 (GB 11643), or empty with a reason."""

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DECEASED = "deceased", "死亡"
        MOVED_OUT = "moved_out", "迁出"
        MERGED = "merged", "已合并（重复登记）"

    class NoIdReason(models.TextChoices):
        UNIDENTIFIED = "unidentified", "身份不明"
        NEWBORN = "newborn", "新生儿未落户"
        FOREIGNER = "foreigner", "外籍人员（护照）"
        OTHER = "other", "其他"

    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True)
    no_id_reason = models.CharField("无身份证号原因", max_length=20, choices=NoIdReason.choices, blank=True)
    other_document = models.CharField("其他证件号", max_length=40, blank=True, help_text="如护照号")
    name = models.CharField("姓名", max_length=50)
    # Search keys for 拼音 and 首字母 search; filled from the name by the service, not by hand.
    name_pinyin = models.CharField("姓名拼音", max_length=200, blank=True, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=50, blank=True, db_index=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="居住村社区", related_name="+")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    # 重复登记合并: the record this one was merged into (registry.merge); every link now points there.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from",
                                    verbose_name="已合并至")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=Q(id_number__isnull=False),
                                    name="person_id_number_unique"),
            models.CheckConstraint(condition=Q(id_number__isnull=False) | ~Q(no_id_reason=""),
                                   name="person_id_or_reason"),
            models.CheckConstraint(condition=~Q(status="deceased") | Q(death_date__isnull=False),
                                   name="person_death_has_date"),
        ]
        indexes = [
            models.Index(fields=["area", "id"], name="person_area_keyset"),
            models.Index(fields=["name"], name="person_name"),
            # 尾号: a clerk types the last 4–6 digits; reversed, they are a prefix this index serves.
            models.Index(Reversed("id_number", length=18), name="person_id_reversed"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        from registry.identity import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        from registry.identity import mask_phone

        return mask_phone(self.phone)


class Household(models.Model):
    """家庭（户）: the people who live and keep their income together, at one community."""

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DISSOLVED = "dissolved", "已注销"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="所在村社区", related_name="+")
    hukou_type = models.CharField("户籍类型", max_length=10, choices=HukouType.choices)
    address = models.CharField("住址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "家庭"
        verbose_name_plural = "家庭"
        indexes = [models.Index(fields=["area", "id"], name="household_area_keyset")]

    def __str__(self) -> str:
        """张三户 — named by the head; after the head dies (or leaves) by a remaining member (李四家庭). Never by the
        database id: readers know a household by its people."""
        members = self.active_members()
        head = next((m.person.name for m in members if m.relation == Relation.HEAD), None)
        if head:
            return f"{head}户"
        return f"{members[0].person.name}家庭" if members else "无在册成员的家庭"

    def active_members(self):
        return [m for m in self.members.all() if m.is_active]


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    SIBLING = "sibling", "兄弟姐妹"
    GRANDCHILD = "grandchild", "孙子女"
    OTHER = "other", "其他"


class HouseholdMember(models.Model):
    """家庭成员: a person's membership of a household, with the relation to the head (与户主关系)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", verbose_name="家庭")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="人员")
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices)
    # The member's area is the household's, copied so membership rows scope without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="村社区", related_name="+")
    joined_on = models.DateField("加入日期", null=True, blank=True)
    left_on = models.DateField("离开日期", null=True, blank=True)
    is_active = models.BooleanField("在户", default=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        constraints = [
            # One person cannot be an active member of two households (一人不能同时在两户).
            models.UniqueConstraint(fields=["person"], condition=Q(is_active=True), name="member_one_active_household"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_relation_display()}"


class IncomeCategory(models.Model):
    """收入类别: whether it counts toward household income is policy, so it is data with its source."""

    class Kind(models.TextChoices):
        COUNTED = "counted", "计入家庭收入"
        EXCLUDED = "excluded", "不计入家庭收入"
        DEDUCTIBLE = "deductible", "可扣减的刚性支出"

    code = models.CharField("代码", max_length=30, primary_key=True)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("计算方式", max_length=12, choices=Kind.choices)
    source = models.CharField("依据", max_length=200)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "收入类别"
        verbose_name_plural = "收入类别"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Income(models.Model):
    """收入: a monthly amount of one category for one member, over a span of months."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="incomes", verbose_name="家庭")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incomes", verbose_name="成员")
    category = models.ForeignKey(IncomeCategory, on_delete=models.PROTECT, verbose_name="类别")
    monthly_amount = models.DecimalField("月收入（元）", max_digits=12, decimal_places=2)
    start_month = models.DateField("起始月份", help_text="所在月的第一天")
    end_month = models.DateField("截止月份", null=True, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="村社区", related_name="+")
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "收入"
        verbose_name_plural = "收入"
        constraints = [models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="income_not_negative")]

    def __str__(self) -> str:
        return f"{self.category_id} {self.monthly_amount}"


class Asset(models.Model):
    """家庭财产: deposits, securities, vehicles, houses, businesses, debts (RULES §1.1 Art.14)."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "存款"
        SECURITIES = "securities", "有价证券"
        INSURANCE = "insurance", "商业保险"
        VEHICLE = "vehicle", "机动车辆"
        HOUSE = "house", "房产"
        BUSINESS = "business", "市场主体（经营实体）"
        DEBT = "debt", "债务"
        OTHER = "other", "其他"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assets", verbose_name="家庭")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="assets",
                               verbose_name="所有人")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    value = models.DecimalField("价值（元）", max_digits=14, decimal_places=2)
    exempt = models.BooleanField("生产生活必需（豁免）", default=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="村社区", related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "家庭财产"
        verbose_name_plural = "家庭财产"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Disability(models.Model):
    """残疾情况: category and grade as on the 残疾人证 (GB/T 26341)."""

    class Category(models.TextChoices):
        VISUAL = "visual", "视力残疾"
        HEARING = "hearing", "听力残疾"
        SPEECH = "speech", "言语残疾"
        PHYSICAL = "physical", "肢体残疾"
        INTELLECTUAL = "intellectual", "智力残疾"
        MENTAL = "mental", "精神残疾"
        MULTIPLE = "multiple", "多重残疾"

    class Grade(models.IntegerChoices):
        ONE = 1, "一级"
        TWO = 2, "二级"
        THREE = 3, "三级"
        FOUR = 4, "四级"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disabilities", verbose_name="人员")
    category = models.CharField("残疾类别", max_length=12, choices=Category.choices)
    grade = models.PositiveSmallIntegerField("残疾等级", choices=Grade.choices)
    certificate_number = models.CharField("残疾人证号", max_length=30, blank=True)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    is_current = models.BooleanField("有效", default=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="村社区", related_name="+")

    class Meta:
        verbose_name = "残疾情况"
        verbose_name_plural = "残疾情况"

    def __str__(self) -> str:
        return f"{self.get_category_display()}{self.get_grade_display()}"

    @property
    def masked_certificate_number(self) -> str:
        from registry.identity import mask_certificate_number

        return mask_certificate_number(self.certificate_number)

    @property
    def is_severe(self) -> bool:
        """重度残疾: grade 1 or 2."""
        return self.grade <= 2


class PersonFact(models.Model):
    """人员情况（有效期）: a fact about a person that rules read as of a date — 户籍地, 婚姻状况, 劳动能力, 就业状况,
    重特大疾病 — kept as rows with a validity period so a rule asks "on that day" and the history is the rows.

    Why rows and not the change log: the change log records when a record was *written*, but a feed reports a
    marriage registered last month and an officer back-dates a diagnosis; rules (高龄津贴 needs 重庆户籍 in the
    month paid, 单人户 needs the illness on the application date) read the fact's own dates. One open row per
    person and kind (valid_to empty); a new value closes it the day before. Each row's write is still in the
    change log (who, when, before/after)."""

    class Kind(models.TextChoices):
        HUKOU_PLACE = "hukou_place", "户籍地"
        MARITAL = "marital", "婚姻状况"
        LABOUR = "labour", "劳动能力"
        EMPLOYMENT = "employment", "就业状况"
        SERIOUS_ILLNESS = "serious_illness", "重特大疾病"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="facts", verbose_name="人员")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    # 户籍地: a 12-digit division code that may lie outside the district (not a key to local areas);
    # 婚姻状况 / 劳动能力 / 就业状况: a value of its choices below; 重特大疾病: the disease's name.
    value = models.CharField("内容", max_length=100)
    diagnosed_on = models.DateField("确诊日期", null=True, blank=True)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    source = models.CharField("来源", max_length=40, blank=True, help_text="登记、导入或部门数据类型")
    # The person's area, copied so facts scope without a join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name="村社区", related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "人员情况"
        verbose_name_plural = "人员情况"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], condition=Q(valid_to__isnull=True),
                                    name="person_fact_one_open"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="person_fact_period"),
        ]
        indexes = [models.Index(fields=["person", "kind", "valid_from"], name="person_fact_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.value_label}"

    @property
    def value_label(self) -> str:
        """The value as a person reads it (a label, never the stored code of a choice; a 户籍地 by its name)."""
        if self.kind == self.Kind.HUKOU_PLACE:
            return division_name(self.value) or f"未知区划（{self.value}）"
        choices = FACT_CHOICES.get(self.kind)
        return str(choices(self.value).label) if choices and self.value in choices.values else self.value


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", "未婚"
    MARRIED = "married", "已婚"
    DIVORCED = "divorced", "离婚"
    WIDOWED = "widowed", "丧偶"


class LabourCapacity(models.TextChoices):
    ABLE = "able", "有劳动能力"
    PARTIAL = "partial", "部分丧失劳动能力"
    NONE = "none", "无劳动能力"


class Employment(models.TextChoices):
    EMPLOYED = "employed", "就业"
    FLEXIBLE = "flexible", "灵活就业"
    FARMING = "farming", "务农"
    UNEMPLOYED = "unemployed", "失业（无业）"
    STUDENT = "student", "在校学生"
    RETIRED = "retired", "退休"


FACT_CHOICES = {PersonFact.Kind.MARITAL: MaritalStatus, PersonFact.Kind.LABOUR: LabourCapacity,
                PersonFact.Kind.EMPLOYMENT: Employment}
