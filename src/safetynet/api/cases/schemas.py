"""The case API's request and response shapes: leads, cases and their records, the steps, inbox.

Inputs refuse unknown fields (`In`). Outputs are what the renderers in `render` build, declared
field by field so that the OpenAPI document says what each endpoint returns; free-form JSON that
the procedure stores as it came (an engine trace, a verification report, department evidence) is an
object with any keys. A transition record's `from` is a Python keyword: the field is `from_`,
aliased, and the case routers render by alias.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from safetynet.api.cases.change_schemas import ChangeDecisionOut, EntitlementOut, LetterOut
from safetynet.api.schemas import In
from safetynet.cases import workflow
from safetynet.cases.models import Channel

ChannelChoice = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
TransitionName = Literal[tuple(t.name for t in workflow.TRANSITIONS if not t.internal)]  # type: ignore[valid-type]
JSONObject = dict[str, Any]

# ---- requests -----------------------------------------------------------------------------------


class LeadIn(In):
    channel: ChannelChoice
    village: str = Field(..., pattern=r"^\d{12}$")
    summary: str = Field(..., description="情况说明")
    household_id: int | None = Field(None, description="已建档户（机构用户）")
    subject_name: str = ""
    subject_id_number: str = Field("", description="当事人身份证号码：按盲索引匹配计入该人的户")
    contact_phone: str = ""
    department: str = ""
    rule: str = Field("", description="比对或预警规则")
    evidence: dict = Field(default_factory=dict)
    dedup_key: str | None = Field(None, description="同一规则、同一人、同一期间使用同一键：重复提交不再新增")


class ReasonIn(In):
    reason: str


class LeadsAssignIn(In):
    lead_ids: list[int] = Field(
        ..., min_length=1, max_length=500, description="要分派的线索（id），全部成功或全部不变"
    )
    officer: int = Field(..., description="村救助帮扶专干的用户 id（其所在村须包含每条线索）")


class LeadsDismissIn(In):
    lead_ids: list[int] = Field(
        ..., min_length=1, max_length=500, description="要排除的线索（id），全部成功或全部不变"
    )
    reason: str = Field(..., description="排除理由（必填）")


class VersionReasonIn(In):
    version: int = Field(..., description="读取时的案件版本号（乐观锁）")
    reason: str = ""


class AcceptIn(In):
    household_id: int
    lead_ids: list[int] = Field(default_factory=list)
    summary: str = ""
    applicant_phone: str = ""
    kind: Literal["", "application", "change", "review", "stop", "risk_closure"] = Field(
        "",
        description="案件类型：空则按该户是否享受待遇自动确定（申请认定/复核/家庭变化）；risk_closure 风险消除",
    )


class MemberFactsIn(In):
    membership_id: int
    income_wage_12m: str | None = None
    income_business_12m: str | None = None
    income_property_12m: str | None = None
    income_transfer_12m: str | None = None
    income_excluded_12m: str | None = None
    disability_kind: str | None = None
    disability_grade: int | None = None
    major_illness: bool | None = None
    fulltime_education: bool | None = None
    labour_capacity: str | None = None
    self_care_failed: list[str] | None = None
    notes: str = ""


class InvestigationIn(In):
    version: int
    visited_on: dt.date
    investigators: str
    members: list[MemberFactsIn] = Field(default_factory=list)
    household_facts: dict = Field(
        default_factory=dict, description="金融资产、车辆、住房、刚性支出、赡养人等"
    )
    hardship_causes: list[str]
    risk: list[str] = Field(default_factory=list)
    living_conditions: str = ""
    notes: str = ""


class ResultIn(In):
    person_id: int | None = None
    id_number: str | None = None
    outcome: Literal["consistent", "discrepancy", "no_data"]
    sources: dict = Field(default_factory=dict)
    summary: str = ""


class ResultsIn(In):
    version: int | None = None
    results: list[ResultIn]


class VersionIn(In):
    version: int | None = Field(None, description="读取时的案件版本号（乐观锁，可省略）")


class VillageReviewIn(In):
    version: int
    held_on: dt.date
    attendees: str
    attendee_count: int
    votes_for: int
    votes_against: int
    abstentions: int = 0
    record_id: int = Field(
        ..., description="已上传的民主评议签字记录（attachments, kind=village_review_record）"
    )
    notes: str = ""


class DecisionMemberIn(In):
    person_id: int
    category: Literal["individual_dibao", "tekun"]
    benefit_monthly: str = "0"


class DecisionValuesIn(In):
    category: Literal["tekun", "dibao", "dibao_edge", "rigid_hardship", "other_low_income", "none"]
    monitoring_marked: bool = False
    monitoring_type: Literal["", "unstable_alleviated", "edge_prone", "sudden_hardship"] = ""
    benefit_monthly: str = "0"
    members: list[DecisionMemberIn] = Field(default_factory=list)


class ChangeDecisionIn(In):
    version: int
    action: Literal["confirm", "change", "stop"] = Field(
        ..., description="confirm 复核无变化 / change 变更待遇 / stop 停发（退出）"
    )
    values: DecisionValuesIn | None = Field(None, description="改变测算建议时的类别、金额（须写明理由）")
    reason: str = ""


class StopObjectionIn(In):
    version: int
    content: str


class DecisionIn(In):
    version: int
    action: Literal["confirm", "override", "refuse"]
    assessment_id: int | None = Field(None, description="所依据的测算（默认为当前测算）")
    values: DecisionValuesIn | None = None
    reason: str = ""
    panel: str = Field("", description="参会审核确认小组成员")


class LeadingGroupIn(In):
    version: int
    approved: bool
    meeting: str
    opinion: str


class ObjectionIn(In):
    version: int
    content: str
    raised_by: str = ""
    received_on: dt.date | None = None


class FilingIn(In):
    version: int
    note: str = ""


class ExtensionDecisionIn(In):
    approve: bool
    note: str = ""
    version: int | None = None


# ---- leads --------------------------------------------------------------------------------------


class AreaRefOut(Schema):
    code: str
    name: str


class LeadOut(Schema):
    id: int
    reference: str
    channel: str
    channel_label: str
    village: AreaRefOut | None
    household_id: int | None
    case_id: int | None
    subject_name: str = Field(..., description="当事人姓名（遮蔽）")
    summary: str
    department: str
    rule: str
    status: str
    received_at: dt.datetime
    days_since: int | None = Field(None, description="收到以来的天数（仅线索工作台）")
    assigned_to: str | None = Field(None, description="分派给的村救助帮扶专干（用户名）")
    assigned_to_name: str | None = Field(None, description="分派给的专干姓名")
    assigned_at: dt.datetime | None = None


class LeadFiledOut(LeadOut):
    created: bool = Field(..., description="false：相同去重键的线索已登记，返回已有线索")


class LeadImportOut(Schema):
    rows: int
    created: int
    duplicates: int


class LeadListOut(Schema):
    items: list[LeadOut]
    count: int


class LeadBatchOut(Schema):
    items: list[LeadOut] = Field(..., description="本批线索（处理后）")
    count: int = Field(..., description="本批线索条数")
    changed: int = Field(..., description="实际写入的条数（重复分派给同一专干不再写入）")


# ---- cases --------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    reference: str
    kind: str = Field(
        ...,
        description="application 申请认定 / change 家庭变化 / review 复核 / stop 停发 / risk_closure 风险消除",
    )
    state: str
    state_label: str
    version: int = Field(..., description="案件版本号：写入时作为 version 提交（乐观锁）")
    round: int
    household_id: int
    village: AreaRefOut
    township: AreaRefOut | None
    applicant_name: str = Field(..., description="申请人（遮蔽）")
    accepted_on: dt.date
    deadline: dt.date | None
    deadline_provisional: bool
    extended: bool
    remaining_working_days: int | None
    due_soon: bool
    overdue: bool
    closed_on: dt.date | None
    allowed_transitions: list[str] = Field(..., description="当前用户可触发的转换")


class CaseAcceptedOut(CaseOut):
    created: bool = Field(..., description="false：线索并入该户在办案件")


class CaseListOut(Schema):
    items: list[CaseOut]
    count: int


class TransitionRecordOut(Schema):
    name: str
    from_: str = Field(..., alias="from")
    to: str
    round: int
    actor: str
    role: str
    on: dt.date
    at: dt.datetime
    reason: str


class AttachmentRecordOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    round: int
    uploaded_at: dt.datetime


class InvestigationRecordOut(Schema):
    id: int
    round: int
    visited_on: dt.date
    investigators: str
    hardship_causes: list[str]
    risk: list[str]
    members: int = Field(..., description="调查的成员人数")
    notes: str


class VerificationResultRecordOut(Schema):
    id: int
    round: int
    person_id: int
    outcome: str
    sources: JSONObject
    summary: str
    origin: str
    external_ref: str


class VillageReviewRecordOut(Schema):
    id: int
    round: int
    held_on: dt.date
    attendee_count: int
    votes_for: int
    votes_against: int
    abstentions: int
    result: str
    qualifies: bool
    record_id: int


class DecisionMemberOut(Schema):
    person_id: int
    name: str = Field(..., description="姓名（遮蔽）")
    category: str
    benefit_monthly: str


class DecisionRecordOut(Schema):
    id: int
    round: int
    outcome: str
    overridden: bool
    override_reason: str
    category: str
    monitoring_marked: bool
    monitoring_type: str
    benefit_monthly: str = Field(..., description="元/月，十进制字符串")
    members: list[DecisionMemberOut] = Field(..., description="单独认定的单人保、特困成员")
    publishes: bool
    assessment_id: int
    parameters_version: str
    parameters_digest: str
    rule_set_version: str
    proposal: JSONObject | None = Field(..., description="决定时的测算建议值")
    verification: JSONObject
    decided_on: dt.date


class LeadingGroupRecordOut(Schema):
    id: int
    round: int
    approved: bool
    meeting: str
    opinion: str
    decided_on: dt.date


class NoticeEntryOut(Schema):
    name: str = Field(..., description="姓名（遮蔽）")
    village: str
    scope: str = Field(..., description="全户或单人")
    family_size: int
    category: str
    benefit_monthly: str


class NoticeRecordOut(Schema):
    id: int
    round: int
    starts_on: dt.date
    earliest_close: dt.date
    min_days: int
    status: str
    closed_on: dt.date | None
    entries: list[NoticeEntryOut] = Field(
        ..., description="公示名单：不含身份证号码、联系电话、银行账户和健康状况"
    )


class ObjectionRecordOut(Schema):
    id: int
    received_on: dt.date
    content: str


class ExtensionRecordOut(Schema):
    id: int
    status: str
    reason: str
    new_deadline: dt.date | None


class RefusalLetterOut(Schema):
    step: str
    reason: str
    issued_on: dt.date
    explain_by: dt.date
    explain_by_provisional: bool
    text: str


class MessageOut(Schema):
    id: int
    kind: str
    recipient: str = Field(..., description="收件人（遮蔽）")
    body: str
    status: str
    channel: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class CaseRecordsOut(Schema):
    leads: list[LeadOut]
    transitions: list[TransitionRecordOut]
    attachments: list[AttachmentRecordOut]
    investigations: list[InvestigationRecordOut]
    verification_results: list[VerificationResultRecordOut] = Field(..., description="每名成员本轮的现行结果")
    village_reviews: list[VillageReviewRecordOut]
    decisions: list[DecisionRecordOut]
    leading_group_decisions: list[LeadingGroupRecordOut]
    notices: list[NoticeRecordOut]
    objections: list[ObjectionRecordOut]
    extensions: list[ExtensionRecordOut]
    refusal_letter: RefusalLetterOut | None
    entitlements: list[EntitlementOut] = Field(..., description="本案件产生的待遇记录（待遇时间轴）")
    change_decisions: list[ChangeDecisionOut] = Field(..., description="复核、变更、停发的审核确认决定")
    letters: list[LetterOut] = Field(..., description="告知书")
    messages: list[MessageOut]


class CaseDetailOut(CaseOut):
    records: CaseRecordsOut


class VerificationRequestedOut(CaseDetailOut):
    report: JSONObject = Field(..., description="经济状况核对报告（各部门、各成员）")
    comparison: list[JSONObject] = Field(..., description="申报与核对值的比较")


class WorkflowStateOut(Schema):
    name: str
    label: str
    final: bool


class WorkflowTransitionOut(Schema):
    name: str
    label: str
    sources: list[str]
    target: str
    perm: str
    record: str
    guards: list[str]


class WorkflowOut(Schema):
    states: list[WorkflowStateOut]
    transitions: list[WorkflowTransitionOut]


class DashboardRowOut(Schema):
    code: str
    name: str
    open: int
    due_soon: int
    overdue: int


class DashboardOut(Schema):
    items: list[DashboardRowOut]


class HouseholdCasesOut(Schema):
    current_status: EntitlementOut | None = Field(..., description="当前（或下月起）享受的待遇")
    cases: list[CaseDetailOut]


# ---- steps --------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    version: int = Field(..., description="上传后的案件版本号")


class AssessmentOut(Schema):
    id: int
    assessed_on: dt.date
    category: str
    monitoring_type: str
    benefit_monthly: str
    refer_other_low_income: bool
    parameters_version: str
    parameters_digest: str
    rule_set_version: str
    verification: JSONObject
    result: JSONObject = Field(
        ...,
        description="测算结果及其依据（trace：每步规则的结构化输入与结果，并附一句中文说明 sentence）",
    )


class ExplanationOut(Schema):
    decision: int
    parameters_version: str
    parameters_digest: str
    rule_set_version: str
    identical: bool = Field(..., description="复算结果与决定时冻结的结果一致（不比较说明文字 sentence）")
    recomputed: JSONObject
    frozen: JSONObject


class ExtensionOut(Schema):
    id: int
    status: str


class ExtensionDecidedOut(ExtensionOut):
    new_deadline: dt.date | None


class MessageListOut(Schema):
    items: list[MessageOut]


# ---- inbox --------------------------------------------------------------------------------------


class InboxItemOut(Schema):
    id: int
    kind: str
    title: str
    case_id: int | None
    created_at: dt.datetime
    read: bool


class InboxOut(Schema):
    items: list[InboxItemOut]


class OkOut(Schema):
    ok: bool
