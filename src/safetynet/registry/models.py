"""Areas (county → township → village), households, persons and dated household membership."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from safetynet.core.glossary import CHANGE_KINDS as _CHANGE
from safetynet.registry.fields import EncryptedTextField


class Area(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"
        TOWNSHIP = "township", "乡镇"
        VILLAGE = "village", "村（社区）"

    code = models.CharField("统计用区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField(max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="children")
    pinyin = models.CharField(max_length=64, blank=True)
    code_assumed = models.BooleanField("代码为推定值，待核实", default=False)
    synthetic = models.BooleanField("演示用虚构区划", default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: Area) -> bool:
        return other.code.startswith(self.code)


class Hukou(models.TextChoices):
    RURAL = "rural", "农业户口（农村）"
    URBAN = "urban", "非农业户口（城镇）"


class Household(models.Model):
    village = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="households")
    address = models.CharField("住址", max_length=200)
    hukou = models.CharField("户籍性质", max_length=8, choices=Hukou.choices)
    alleviated = models.BooleanField("脱贫户", default=False)
    head = models.ForeignKey("Person", on_delete=models.PROTECT, null=True, related_name="+")
    # Declared economic facts (POLICY.md §3, §7), the inputs of the policy engine until verified.
    financial_assets = models.DecimalField("金融资产（元）", max_digits=14, decimal_places=2, default=0)
    vehicles = models.JSONField("车辆", default=list)  # [{"value": "86000.00", "exempt": false}]
    homes = models.PositiveSmallIntegerField("住房套数", default=1)
    home_bought_within_year = models.BooleanField("申请前一年内购房", default=False)
    company_roles = models.PositiveSmallIntegerField("成员任企业法人或控股股东数", default=0)
    rigid_medical_12m = models.DecimalField(
        "近12个月医疗自付（元）", max_digits=12, decimal_places=2, default=0
    )
    rigid_education_12m = models.DecimalField(
        "近12个月教育支出（元）", max_digits=12, decimal_places=2, default=0
    )
    rigid_rehabilitation_12m = models.DecimalField(
        "近12个月康复支出（元）", max_digits=12, decimal_places=2, default=0
    )
    # Legal supporters living outside the household (POLICY.md §5): [{"relation": "child", "able": true}]
    supporters = models.JSONField("户外法定赡养、抚养、扶养义务人", default=list)
    # Events behind return-to-poverty risk (POLICY.md §8): illness, disaster, accident, unemployment, education
    risk_events = models.JSONField("致贫返贫风险事件", default=list)
    # The investigating officer's judgement of return-to-poverty risk (POLICY.md §8): True at risk,
    # False not at risk, None not judged (the declared risk events then decide).
    risk_judgement = models.BooleanField("返贫致贫风险研判", null=True, default=None)
    risk_judgement_reason = models.TextField("风险研判理由", blank=True, default="")
    # 单人户 (民发〔2021〕57号 第九条): the member who applies as a one-person household.
    single_person_applicant = models.ForeignKey(
        "registry.Person",
        verbose_name="单人户申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    # 合户: the household whose members all joined another is closed, never deleted.
    closed_on = models.DateField("销户日期", null=True, blank=True)
    closed_reason = models.CharField("销户原因", max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"户{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class DisabilityKind(models.TextChoices):
    PHYSICAL = "physical", "肢体"
    VISUAL = "visual", "视力"
    HEARING = "hearing", "听力"
    SPEECH = "speech", "言语"
    INTELLECTUAL = "intellectual", "智力"
    MENTAL = "mental", "精神"
    MULTIPLE = "multiple", "多重"


class LabourCapacity(models.TextChoices):
    FULL = "full", "有劳动能力"
    PARTIAL = "partial", "部分丧失劳动能力"
    NONE = "none", "无劳动能力"


# 特困人员认定办法: the six daily activities that grade self-care.
SELF_CARE_ACTIVITIES = {
    "eating": "吃饭",
    "dressing": "穿衣",
    "transfer": "上下床",
    "toileting": "如厕",
    "walking": "室内行走",
    "bathing": "洗澡",
}


class Person(models.Model):
    id_number = EncryptedTextField("身份证号码")
    id_index = models.CharField(max_length=64, unique=True)  # blind index of id_number
    name = models.CharField("姓名", max_length=64)
    # Not indexed: a search by initials reads the membership's copy (Membership.name_initials).
    name_initials = models.CharField(max_length=32)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    disability_kind = models.CharField("残疾类别", max_length=16, choices=DisabilityKind.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True)
    major_illness = models.BooleanField("重大疾病", default=False)
    fulltime_education = models.BooleanField("全日制在校", default=False)
    self_care_failed = models.JSONField("不能自理的日常活动", default=list)
    labour_capacity = models.CharField(
        "劳动能力", max_length=8, choices=LabourCapacity.choices, default=LabourCapacity.FULL
    )
    # Income of the 12 months before application, by type (POLICY.md §2), yuan.
    income_wage_12m = models.DecimalField("工资性收入", max_digits=12, decimal_places=2, default=0)
    income_business_12m = models.DecimalField("经营净收入", max_digits=12, decimal_places=2, default=0)
    income_property_12m = models.DecimalField("财产净收入", max_digits=12, decimal_places=2, default=0)
    income_transfer_12m = models.DecimalField("转移净收入", max_digits=12, decimal_places=2, default=0)
    income_excluded_12m = models.DecimalField("不计入的收入", max_digits=12, decimal_places=2, default=0)
    phone = EncryptedTextField("联系电话", blank=True, default="")
    bank_account = EncryptedTextField("银行账号", blank=True, default="")
    died_on = models.DateField("死亡日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class NotCountedReason(models.TextChoices):
    """POLICY.md §1: who is not a member of the family unit although registered in the household."""

    PRISON = "prison", "服刑人员"
    REHAB = "rehab", "强制隔离戒毒"
    MISSING = "missing", "宣告失踪"
    CLERGY = "clergy", "出家三年以上的宗教教职人员"
    CONSCRIPT = "conscript", "服现役的义务兵"
    NOT_CORESIDENT = "not_coresident", "未共同生活"


class ChangeKind(models.TextChoices):
    """家庭变化: what happened to a household's membership (registry/services/changes.py). The
    same codes name a membership row's start (`joined_kind`) or end (`left_kind`) and are sent with
    the `household_changed` signal. Labels: core.glossary.CHANGE_KINDS."""

    HEAD_CHANGE = "head_change", _CHANGE["head_change"]
    # 成员减少
    DEATH = "death", _CHANGE["death"]
    MARRIAGE_OUT = "marriage_out", _CHANGE["marriage_out"]
    MOVE_OUT = "move_out", _CHANGE["move_out"]
    PRISON = "prison", _CHANGE["prison"]
    STUDY = "study", _CHANGE["study"]
    OTHER = "other", _CHANGE["other"]
    # 状态恢复 (the member stays; counted again or no longer a student)
    RELEASE = "release", _CHANGE["release"]
    STUDY_END = "study_end", _CHANGE["study_end"]
    # 成员增加
    BIRTH = "birth", _CHANGE["birth"]
    MARRIAGE_IN = "marriage_in", _CHANGE["marriage_in"]
    MOVE_IN = "move_in", _CHANGE["move_in"]
    # Whole households
    SPLIT = "split", _CHANGE["split"]
    MERGE = "merge", _CHANGE["merge"]
    # A membership row closed and re-opened with another counting status (e.g. 服刑).
    STATUS = "status", _CHANGE["status"]


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    # The household's village, kept with it (filled from the household when a row is saved without
    # it; a household moved to another village moves its rows, `services.households`), so a
    # search finds the area's current members through their own index instead of a probe per
    # household of the area (migrations 0011, 0013, `selectors.search_households`, docs/scale.md).
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）", db_index=False
    )
    # The person's pinyin initials, kept with the row (taken from the person when a row is saved;
    # a person's new name is written to their rows, `services.households`), so a search by
    # initials in an area reads one range of an index per village (migration 0013) instead of
    # following each of the province's people with those initials to their household.
    name_initials = models.CharField("姓名拼音首字母", max_length=32, blank=True, default="")
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    co_resident = models.BooleanField("共同生活", default=True)
    not_counted_reason = models.CharField(
        "不计入共同生活家庭成员的原因", max_length=16, choices=NotCountedReason.choices, blank=True
    )
    counted = models.BooleanField("计入共同生活家庭成员", default=True)
    joined_on = models.DateField("加入日期")
    joined_kind = models.CharField(
        "加入方式", max_length=16, choices=ChangeKind.choices, blank=True, default=""
    )  # blank: registered with the household, or added before changes were recorded by kind
    left_on = models.DateField("离开日期", null=True)
    left_kind = models.CharField(
        "离开方式", max_length=16, choices=ChangeKind.choices, blank=True, default=""
    )
    left_reason = models.CharField("离开原因", max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A person is a counted member of at most one household at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(counted=True, left_on__isnull=True),
                name="one_counted_household",
            ),
            models.UniqueConstraint(
                fields=["household", "person"],
                condition=Q(left_on__isnull=True),
                name="one_current_membership",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.village_id is None and self.household_id is not None:
            self.village_id = self.household.village_id
        if self.person_id is not None and (
            not self.name_initials or self._meta.get_field("person").is_cached(self)
        ):
            self.name_initials = self.person.name_initials  # the person in hand is the newest
        super().save(*args, **kwargs)

    @property
    def current(self) -> bool:
        return self.left_on is None
