"""Leads (线索) from every channel; the case workflow builds on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safetynet.cases.workflow import APPLICATION_PATH, FINAL, STATE_LABELS, State
from safetynet.registry.fields import EncryptedTextField, encrypted_storage
from safetynet.registry.models import Household


class Channel(models.TextChoices):
    SELF_DECLARED = "self_declared", "自主申报"
    GRASSROOTS = "grassroots", "基层排查"
    DEPARTMENT_WARNING = "department_warning", "部门预警"
    DATA_COMPARISON = "data_comparison", "大数据比对"


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "待处理"
        IN_CASE = "in_case", "已并入案件"
        DISMISSED = "dismissed", "经核实排除"

    reference = models.CharField("线索编号", max_length=24, unique=True)
    channel = models.CharField("来源渠道", max_length=24, choices=Channel.choices)
    village = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="leads")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, related_name="leads"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, related_name="leads")
    subject_name = models.CharField("当事人姓名", max_length=64, blank=True)
    subject_id_number = EncryptedTextField("当事人身份证号码", blank=True, default="")
    subject_id_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    summary = models.TextField("情况说明")
    rule = models.CharField("比对规则", max_length=64, blank=True)  # data comparison / department warnings
    department = models.CharField("来源部门", max_length=32, blank=True)
    evidence = models.JSONField("依据", default=dict)
    # Same rule, same person, same period → same key: re-running a comparison raises no duplicate.
    dedup_key = models.CharField(max_length=200, unique=True, null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="leads")
    received_at = models.DateTimeField("收到时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The village officer sent to check the lead on site (cases.services.leads.assign_leads); the
    # lead is in their 待办 until it is accepted or dismissed.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="分派给",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_leads",
    )
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]


# The open states, listed once: the workflow's (cases.workflow.OPEN), in the workflow's order.
OPEN_STATES = tuple(s.value for s in State if s not in FINAL)


class _GuardedState:
    """`Case.state` is set when a case is created or loaded; after that only the workflow moves it
    (`Case.move_to`, called by the case services after their conditional UPDATE). Assigning it
    anywhere else raises, so no view, form or script can skip the guards."""

    def __init__(self, attname: str):
        self.attname = attname

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance.__dict__.get(self.attname)

    def __set__(self, instance, value):
        current = instance.__dict__.get(self.attname)
        if (
            self.attname in instance.__dict__
            and value != current
            and not instance.__dict__.get("_state_moving")
        ):
            raise AttributeError("案件状态只能通过办理流程改变。")
        instance.__dict__[self.attname] = value


class StateField(models.CharField):
    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, _GuardedState(self.attname))


class Case(models.Model):
    """One application's way through the single procedure (workflow in `cases.workflow`).

    `state` and `version` change only through `cases.services` (a conditional UPDATE on the
    version the actor saw), never by assignment and save.
    """

    class Kind(models.TextChoices):
        APPLICATION = "application", "申请认定"
        CHANGE = "change", "家庭变化"
        REVIEW = "review", "复核"
        STOP = "stop", "停发（退出）"
        RISK_CLOSURE = "risk_closure", "风险消除"

    reference = models.CharField("案件编号", max_length=24, unique=True)
    kind = models.CharField("案件类型", max_length=12, choices=Kind.choices, default=Kind.APPLICATION)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases")
    # The household's village, kept with it (a household moved to another village moves its cases,
    # `registry.services.hooks.village_followers`), so the cases of an area are found through their
    # own index instead of a probe per household of the area (worklists, docs/scale.md).
    village = models.ForeignKey(
        "registry.Area", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）", db_index=False
    )
    state = StateField(
        "办理环节",
        max_length=32,
        choices=[(s.value, STATE_LABELS[s]) for s in State],
        default=State.ACCEPTED.value,
    )
    version = models.PositiveIntegerField(default=1)
    accepted_on = models.DateField("受理日期")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Re-investigation (failed vote, objection) starts a new round; records carry their round.
    round = models.PositiveSmallIntegerField("调查轮次", default=1)
    deadline = models.DateField("办结时限", null=True)
    deadline_provisional = models.BooleanField("时限含无官方日历的年份（暂按周末计算）", default=False)
    extended = models.BooleanField("已延长时限", default=False)
    state_changed_at = models.DateTimeField(null=True)
    closed_on = models.DateField("办结日期", null=True)
    applicant_name = models.CharField("申请人", max_length=64, blank=True)
    applicant_phone = EncryptedTextField("申请人联系电话", blank=True, default="")
    summary = models.TextField("申请事由", blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["village", "state"], name="case_village_state")]
        constraints = [
            # Leads about the same family merge into one open case.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_case_per_household",
            )
        ]

    def save(self, *args, **kwargs):
        """A case saved without its village (the services give it) takes its household's."""
        if self.village_id is None and self.household_id is not None:
            self.village_id = Household.objects.values_list("village_id", flat=True).get(pk=self.household_id)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def whole_procedure(self) -> bool:
        """An application or a risk closure: village review and notice (workflow.APPLICATION_PATH);
        a change, review or stop is decided by the township on the re-verified facts."""
        return self.kind in APPLICATION_PATH

    def move_to(self, state: str) -> None:
        """Reflect in memory a move the workflow has just written (see `_GuardedState`)."""
        self.__dict__["_state_moving"] = True
        try:
            self.state = State(state).value
        finally:
            self.__dict__["_state_moving"] = False

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__["_state_moving"] = True
        try:
            super().refresh_from_db(*args, **kwargs)
        finally:
            self.__dict__["_state_moving"] = False


class CaseTransition(models.Model):
    """Every move of a case, with who, when and why (the audit trail holds the same)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    round = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField()
    reason = models.TextField(blank=True)
    record = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]


class Attachment(models.Model):
    class Kind(models.TextChoices):
        CONSENT = "consent", "承诺授权书（签字）"
        VILLAGE_REVIEW = "village_review_record", "民主评议签字记录"
        OTHER = "other", "其他材料"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    file = models.FileField(upload_to="cases/%Y/%m/", storage=encrypted_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    round = models.PositiveSmallIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Investigation(models.Model):
    """入户调查: what the officer found at the home, as recorded (the registry gets the facts too)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    round = models.PositiveSmallIntegerField()
    visited_on = models.DateField("入户日期")
    investigators = models.CharField("调查人员", max_length=200)
    members = models.JSONField("家庭成员情况", default=list)  # [{membership, incomes…, notes}]
    household_facts = models.JSONField("家庭财产与支出", default=dict)
    hardship_causes = models.JSONField("致困原因", default=list)
    risk = models.JSONField("返贫致贫风险", default=list)
    living_conditions = models.TextField("生活状况", blank=True)
    notes = models.TextField("调查意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class VerificationResult(models.Model):
    """经济状况核对: one result per member and round, entered by hand or attached from a verification
    report (`origin` automatic, `external_ref` = the report's id). A later result for the same member
    and round supersedes the earlier one (`superseded_by`); the current results are those without."""

    class Outcome(models.TextChoices):
        CONSISTENT = "consistent", "与申报一致"
        DISCREPANCY = "discrepancy", "与申报不一致"
        NO_DATA = "no_data", "未查询到数据"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="verification_results")
    round = models.PositiveSmallIntegerField()
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    sources = models.JSONField("核对来源", default=dict)  # {"hukou": {...}, "social_insurance": {...}, …}
    summary = models.TextField("核对结论", blank=True)
    origin = models.CharField(max_length=16, default="manual")  # manual / automatic
    external_ref = models.CharField(max_length=64, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class VillageReview(models.Model):
    """村级初审 / 民主评议."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="village_reviews")
    round = models.PositiveSmallIntegerField()
    held_on = models.DateField("评议日期")
    attendees = models.TextField("参会人员")
    attendee_count = models.PositiveSmallIntegerField("参会人数")
    votes_for = models.PositiveSmallIntegerField("赞成票")
    votes_against = models.PositiveSmallIntegerField("反对票")
    abstentions = models.PositiveSmallIntegerField("弃权票", default=0)
    result = models.CharField(max_length=8, choices=[("passed", "通过"), ("failed", "未通过")])
    notes = models.TextField("评议情况", blank=True)
    record = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    qualifies = models.BooleanField("收入财产符合条件")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class TownshipDecision(models.Model):
    """乡镇审核确认: one decision for both regimes, freezing the proposal it was made on."""

    class Outcome(models.TextChoices):
        GRANT = "grant", "认定"
        REFER = "refer", "提请县领导小组认定其他低收入人口"
        REFUSE = "refuse", "不予认定"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    overridden = models.BooleanField("改变测算建议", default=False)
    override_reason = models.TextField("改变理由", blank=True)
    category = models.CharField(max_length=20)
    monitoring_marked = models.BooleanField(default=False)
    monitoring_type = models.CharField(max_length=24, blank=True)
    benefit_monthly = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    members = models.JSONField(default=list)  # [{"person_id", "name", "category", "benefit_monthly"}]
    publishes = models.BooleanField(default=False)
    proposal = models.JSONField()  # the engine's result as shown (trace included)
    inputs = models.JSONField()
    # The verification the inputs reflect (the assessment's `verification`: report, declared vs
    # verified values, which was used, provenance); {} when decided on the declared facts.
    verification = models.JSONField(default=dict)
    parameters_version = models.CharField(max_length=40)
    parameters_digest = models.CharField(max_length=64)
    rule_set_version = models.CharField(max_length=40)
    panel = models.TextField("参会审核确认小组成员", blank=True)
    # Recorded at a sitting of the review group, the decision is pending until the group's leader
    # confirms the sitting (`Sitting`); only an effective decision moves the case or is read by
    # the later steps. `decided_on` is then the day of the confirmation.
    effective = models.BooleanField("经组长确认生效", default=False)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Sitting(models.Model):
    """A sitting (会议) of the township 低收入人口审核确认领导小组 (seed 二(二)2): who attended, the
    cases on its agenda with the decision proposed and the vote on each, and the leader's
    confirmation, which alone makes its passed decisions take effect."""

    class Status(models.TextChoices):
        OPEN = "open", "待组长确认"
        CONFIRMED = "confirmed", "组长已确认"

    township = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("会议日期")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    notes = models.TextField("会议记录", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmed_on = models.DateField("组长确认日期", null=True)
    confirmed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class SittingItem(models.Model):
    """One case on a sitting's agenda: the decision proposed (what `TownshipDecision` freezes, or a
    refusal with its reason) and the group's vote on it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待表决"
        PASSED = "passed", "表决通过，待组长确认"
        FAILED = "failed", "表决未通过"
        EFFECTIVE = "effective", "已生效"
        CARRIED_OVER = "carried_over", "未通过或未表决，留待下次会议"

    LIVE = ("pending", "passed", "failed")  # statuses of an item of a sitting not yet confirmed

    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sitting_items")
    round = models.PositiveSmallIntegerField()
    action = models.CharField(
        max_length=12,
        blank=True,
        choices=[("confirm", "确认测算建议"), ("override", "改变测算建议"), ("refuse", "不予认定")],
    )
    reason = models.TextField(blank=True)
    decision = models.ForeignKey(TownshipDecision, on_delete=models.PROTECT, null=True, related_name="+")
    votes_for = models.PositiveSmallIntegerField("赞成票", null=True)
    votes_against = models.PositiveSmallIntegerField("反对票", null=True)
    abstentions = models.PositiveSmallIntegerField("弃权票", null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    case_version = models.PositiveIntegerField(null=True)  # the case's version after the last record
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "case"], name="one_item_per_case_and_sitting"),
            # A case waits on the agenda of one sitting at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=("pending", "passed", "failed")),
                name="one_live_agenda_item_per_case",
            ),
        ]


class LeadingGroupDecision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="leading_group_decisions")
    round = models.PositiveSmallIntegerField()
    approved = models.BooleanField()
    meeting = models.CharField("会议及文号", max_length=200)
    opinion = models.TextField("认定意见")
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)


class Notice(models.Model):
    """公示: one round in the village. `entries` hold only what may be published."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    round = models.PositiveSmallIntegerField()
    village = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("公示开始")
    min_days = models.PositiveSmallIntegerField()
    entries = models.JSONField(default=list)
    status = models.CharField(
        max_length=12,
        choices=[("open", "公示中"), ("closed", "期满无异议"), ("interrupted", "因异议中止")],
        default="open",
    )
    closed_on = models.DateField(null=True)

    class Meta:
        ordering = ["id"]

    @property
    def earliest_close(self):
        import datetime as dt

        return self.starts_on + dt.timedelta(days=self.min_days)


class Objection(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField()
    content = models.TextField("异议内容")
    raised_by = models.CharField("异议人（可匿名）", max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class RefusalLetter(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="refusal_letter")
    step = models.CharField(max_length=32)
    reason = models.TextField()
    issued_on = models.DateField()
    explain_by = models.DateField("书面说明期限")  # 3 working days (POLICY §9)
    explain_by_provisional = models.BooleanField(default=False)
    text = models.TextField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class DeadlineExtension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10,
        choices=[("pending", "待审批"), ("approved", "已批准"), ("rejected", "未批准")],
        default="pending",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)
    new_deadline = models.DateField(null=True)


class Message(models.Model):
    """A message to the applicant, kept with the case whatever the channel did with it."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "受理告知"
        REFUSAL = "refusal", "不予认定告知"
        APPROVAL = "approval", "认定告知"
        NOTICE = "notice", "公示告知"
        CHANGE = "change", "变更告知"

    # A message of a case, or of a household without a case (a batch decision such as 提标).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, related_name="messages")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, null=True, related_name="messages"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient_name = models.CharField(max_length=64)
    recipient_phone = EncryptedTextField(blank=True, default="")
    body = models.TextField()
    channel = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=12,
        choices=[
            ("queued", "待发送"),
            ("sending", "发送中"),
            ("sent", "已发送"),
            ("failed", "发送失败"),
            ("no_phone", "无联系电话"),
        ],
        default="queued",
    )
    provider_ref = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["id"]


class InboxItem(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "待办"
        DUE = "due", "即将到期"
        OVERDUE = "overdue", "已超期"
        EXTENSION = "extension", "延期申请"
        LEAD = "lead", "新线索"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    key = models.CharField(max_length=120)  # one item per user and key (due/overdue scans repeat)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_inbox_item_per_key")]


class PublicAttempt(models.Model):
    """Public (no account) requests per client address, for throttling."""

    client = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


# The decisions and letters of the cases after admission (change, review, stop): cases/change_models.py.
from safetynet.cases.change_models import ChangeDecision, Letter, StandardChange  # noqa: E402,F401
