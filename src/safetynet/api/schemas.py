"""Request and response shapes of the API.

Input schemas only check types and spelling (unknown fields are refused, so a typo is an error and
not a silently ignored value); every rule about what a value means stays in the registry
services, which the views call with the services' own input dataclasses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from safetynet.registry import inputs, services
from safetynet.registry.models import (
    SELF_CARE_ACTIVITIES,
    DisabilityKind,
    Hukou,
    LabourCapacity,
    NotCountedReason,
    Relation,
    Sex,
)


def _choices(values, *, blank: bool = False):
    """A Literal of a model's choice values, so the OpenAPI schema lists them."""
    return Literal[tuple(([""] if blank else []) + list(values))]  # type: ignore[valid-type]


# Paging bounds shared by every list endpoint. The offset's bound keeps it a 32-bit integer on
# every database (an offset at 2^63 once reached SQLite and answered 500); no list comes near it.
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MAX_OFFSET = 2**31 - 1


SexChoice = _choices(Sex.values)
HukouChoice = _choices(Hukou.values)
RelationChoice = _choices(Relation.values)
ReasonChoice = _choices(NotCountedReason.values, blank=True)
DisabilityChoice = _choices(DisabilityKind.values, blank=True)
LabourChoice = _choices(LabourCapacity.values)
SelfCareChoice = _choices(SELF_CARE_ACTIVITIES.keys())

VILLAGE_CODE = r"^\d{12}$"
TOWNSHIP_CODE = r"^\d{9}$"

PERSON_FIELDS = inputs.PERSON_FIELDS
MEMBERSHIP_FIELDS = inputs.MEMBERSHIP_FIELDS


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str = Field(..., examples=["invalid_id_number"])
    message: str = Field(..., examples=["身份证号码校验位错误，请核对。"])
    field: str | None = Field(None, examples=["members.0.id_number"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# ---- auth -----------------------------------------------------------------------------------


class TokenIn(In):
    username: str
    password: str


class TokenOut(Schema):
    token: str


# ---- households: input ----------------------------------------------------------------------


class MemberIn(In):
    """One member: the person's facts and their membership of this household."""

    id_number: str = Field(..., description="18位居民身份证号码", examples=["141029197005170014"])
    name: str = Field(..., examples=["张小明"])
    sex: SexChoice | None = Field(None, description="可省略；填写时须与身份证号码一致")
    birth_date: dt.date | None = Field(None, description="可省略；填写时须与身份证号码一致")
    disability_kind: DisabilityChoice = ""
    disability_grade: int | None = Field(None, description="残疾等级 1–4，须同时填写残疾类别")
    major_illness: bool = False
    fulltime_education: bool = False
    self_care_failed: list[SelfCareChoice] = Field(default_factory=list, description="不能自理的日常活动")
    labour_capacity: LabourChoice = "full"
    phone: str = ""
    bank_account: str = ""
    income_wage_12m: Decimal = Field(Decimal(0), ge=0, description="近12个月工资性收入（元）")
    income_business_12m: Decimal = Field(Decimal(0), ge=0, description="近12个月经营净收入（元）")
    income_property_12m: Decimal = Field(Decimal(0), ge=0, description="近12个月财产净收入（元）")
    income_transfer_12m: Decimal = Field(Decimal(0), ge=0, description="近12个月转移净收入（元）")
    income_excluded_12m: Decimal = Field(Decimal(0), ge=0, description="近12个月不计入的收入（元）")
    relation: RelationChoice
    co_resident: bool = True
    not_counted_reason: ReasonChoice = ""
    joined_on: dt.date | None = Field(None, description="默认为今天")

    def person_input(self) -> inputs.PersonInput:
        return inputs.PersonInput(**{f: getattr(self, f) for f in PERSON_FIELDS})

    def membership_input(self) -> inputs.MembershipInput:
        return inputs.MembershipInput(**{f: getattr(self, f) for f in MEMBERSHIP_FIELDS})

    def member_input(self) -> services.MemberInput:
        return services.MemberInput(person=self.person_input(), membership=self.membership_input())


class HouseholdIn(In):
    village: str = Field(..., pattern=VILLAGE_CODE, description="村（社区）12位统计用区划代码")
    address: str
    hukou: HukouChoice
    alleviated: bool = False
    members: list[MemberIn] = Field(..., description="恰有一名 relation=head 的户主")


class HouseholdPatch(In):
    """Only the fields given change; `version` is the one the client last read."""

    version: int = Field(..., description="读取时的版本号（乐观锁）；已被他人修改时返回 409")
    village: str | None = Field(None, pattern=VILLAGE_CODE)
    address: str | None = None
    hukou: HukouChoice | None = None
    alleviated: bool | None = None


class MemberAddIn(MemberIn):
    version: int | None = Field(None, description="读取时的版本号（乐观锁），可省略")


class MemberPatch(In):
    """Only the fields given change (null counts as not given). The ID number cannot change."""

    version: int | None = Field(None, description="读取时的版本号（乐观锁），可省略")
    id_number: str | None = None
    name: str | None = None
    sex: SexChoice | None = None
    birth_date: dt.date | None = None
    disability_kind: DisabilityChoice | None = Field(None, description="空字符串表示无残疾（同时清除等级）")
    disability_grade: int | None = None
    major_illness: bool | None = None
    fulltime_education: bool | None = None
    self_care_failed: list[SelfCareChoice] | None = None
    labour_capacity: LabourChoice | None = None
    phone: str | None = None
    bank_account: str | None = None
    income_wage_12m: Decimal | None = Field(None, ge=0)
    income_business_12m: Decimal | None = Field(None, ge=0)
    income_property_12m: Decimal | None = Field(None, ge=0)
    income_transfer_12m: Decimal | None = Field(None, ge=0)
    income_excluded_12m: Decimal | None = Field(None, ge=0)
    relation: RelationChoice | None = None
    co_resident: bool | None = None
    not_counted_reason: ReasonChoice | None = None


class VehicleIn(In):
    value: Decimal = Field(..., ge=0)
    exempt: bool = False


class SupporterIn(In):
    relation: str = "other"
    able: bool


RiskChoice = _choices(services.RISK_EVENTS)


class FactsPatch(In):
    """Declared assets, rigid expenditure, outside supporters and risk events; only given fields change."""

    version: int | None = Field(None, description="读取时的版本号（乐观锁），可省略")
    financial_assets: Decimal | None = Field(None, ge=0)
    vehicles: list[VehicleIn] | None = None
    homes: int | None = Field(None, ge=0, le=50)
    home_bought_within_year: bool | None = None
    company_roles: int | None = Field(None, ge=0, le=50)
    rigid_medical_12m: Decimal | None = Field(None, ge=0)
    rigid_education_12m: Decimal | None = Field(None, ge=0)
    rigid_rehabilitation_12m: Decimal | None = Field(None, ge=0)
    supporters: list[SupporterIn] | None = None
    risk_events: list[RiskChoice] | None = None
    risk_judgement: bool | None = Field(
        None, description="入户调查的风险研判：true 有风险，false 无风险，null 撤回研判（按风险事件）"
    )
    risk_judgement_reason: str | None = Field(None, max_length=2000, description="风险研判理由（研判时必填）")
    single_person_applicant: int | None = Field(
        None, ge=0, description="单人户申请人（本户计入成员的人员编号；0 撤回单人户申请）"
    )

    def facts(self) -> dict:
        facts = self.model_dump(exclude_none=True, exclude={"version"})
        if "risk_judgement" in self.model_fields_set:  # an explicit null withdraws the judgement
            facts["risk_judgement"] = self.risk_judgement
        return facts


class FactsOut(Schema):
    financial_assets: Decimal
    vehicles: list[dict]
    homes: int
    home_bought_within_year: bool
    company_roles: int
    rigid_medical_12m: Decimal
    rigid_education_12m: Decimal
    rigid_rehabilitation_12m: Decimal
    supporters: list[dict]
    risk_events: list[str]
    risk_judgement: bool | None
    risk_judgement_reason: str
    single_person_applicant: int | None


class LeaveIn(In):
    left_on: dt.date
    reason: str = Field(..., description="离开原因，如迁出、死亡、分户")
    version: int | None = Field(None, description="读取时的版本号（乐观锁），可省略")


# ---- family changes (家庭变化) -----------------------------------------------------------------

ChangeRelation = _choices([r for r in Relation.values if r != Relation.HEAD])
MoverRelation = _choices([r for r in Relation.values if r != Relation.HEAD], blank=True)
LeaveKind = Literal["death", "marriage_out", "move_out", "prison", "study", "other", "release", "study_end"]
JoinKind = Literal["birth", "marriage_in", "move_in"]
VERSION = Field(None, description="读取时的版本号（乐观锁），可省略")
RELATIONS = Field(
    None, description="其他成员与（新）户主的关系，键为成员关系（membership）编号", examples=[{"12": "child"}]
)


class HeadChangeIn(In):
    new_head: int = Field(..., description="新户主的成员关系（membership）编号，须为本户现有成员")
    old_head_relation: ChangeRelation = Field(..., description="原户主与新户主的关系")
    changed_on: dt.date = Field(..., description="变更日期，不晚于今天")
    reason: str = Field(..., description="变更原因（必填，记入审计）")
    relations: dict[str, ChangeRelation] | None = RELATIONS
    version: int | None = VERSION


class MemberLeaveIn(In):
    kind: LeaveKind = Field(
        ...,
        description="死亡、婚出、迁出、服刑（仍在户、不计入）、全日制就读（仍计入）、其他（须写原因）；"
        "刑满释放（服刑成员重新计入）、结束全日制就读",
    )
    left_on: dt.date = Field(..., description="变化日期：不晚于今天，不早于加入本户的日期")
    reason: str = Field("", description="说明；kind=other 时必填")
    new_head: int | None = Field(None, description="户主离开本户时必填：新户主的成员关系编号")
    relations: dict[str, ChangeRelation] | None = RELATIONS
    version: int | None = VERSION


class MemberJoinIn(MemberIn):
    kind: JoinKind = Field(..., description="出生（新生儿，子女或孙子女）、婚入、迁入")
    relation: ChangeRelation
    joined_on: dt.date = Field(..., description="加入日期：不晚于今天，不早于出生日期")
    reason: str = Field("", description="说明（可省略）")
    version: int | None = VERSION


class MoverIn(In):
    membership: int = Field(..., description="分出成员的成员关系编号")
    relation: MoverRelation = Field("", description="与新户户主的关系（新户主本人可省略）")


class SplitIn(In):
    members: list[MoverIn] = Field(..., description="分出的成员（不含原户户主）")
    new_head: int = Field(..., description="新户户主（分出成员之一）的成员关系编号")
    split_on: dt.date
    reason: str
    village: str = Field("", pattern=r"^(\d{12})?$", description="新户所在村（社区），默认与原户相同")
    address: str = Field("", max_length=200, description="新户住址，默认与原户相同")
    version: int | None = VERSION


class MergeIn(In):
    other: int = Field(..., description="并入本户的户编号（该户销户）")
    relations: dict[str, ChangeRelation] = Field(
        ..., description="并入的每一名成员与本户户主的关系，键为其在原户的成员关系编号"
    )
    merged_on: dt.date
    reason: str
    version: int | None = VERSION
    other_version: int | None = Field(None, description="并入户读取时的版本号，可省略")


class RevealIn(In):
    reason: str = Field(..., description="查看完整个人信息的原因（记入审计）")


# ---- households: output ---------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: str


class HouseholdSummary(Schema):
    id: int
    village: AreaOut
    township: AreaOut
    address: str
    hukou: str
    alleviated: bool
    head_name: str = Field(..., description="户主姓名（脱敏）")
    member_count: int = Field(..., description="当前成员数")
    version: int


class HouseholdList(Schema):
    items: list[HouseholdSummary]
    count: int = Field(..., description="符合条件的总户数（不受 limit/offset 影响）")


class MemberOut(Schema):
    id: int = Field(..., description="成员关系（membership）编号")
    person_id: int
    name: str = Field(..., description="姓名（脱敏）")
    id_number: str = Field(..., description="身份证号码（脱敏）")
    sex: str
    birth_date: dt.date
    relation: str
    co_resident: bool
    counted: bool
    not_counted_reason: str
    disability_kind: str
    disability_grade: int | None
    major_illness: bool
    fulltime_education: bool
    self_care_failed: list[str]
    labour_capacity: str
    phone: str = Field(..., description="联系电话（脱敏）")
    bank_account: str = Field(..., description="银行账号（脱敏）")
    joined_on: dt.date
    joined_kind: str = Field(
        ..., description="加入方式：birth、marriage_in、move_in、split、merge、status 或空"
    )
    left_on: dt.date | None
    left_kind: str = Field(
        ..., description="离开方式：death、marriage_out、move_out、prison、split、merge、other 或空"
    )
    left_reason: str
    died_on: dt.date | None
    income_wage_12m: Decimal
    income_business_12m: Decimal
    income_property_12m: Decimal
    income_transfer_12m: Decimal
    income_excluded_12m: Decimal


class HouseholdDetail(HouseholdSummary):
    head_person_id: int | None
    closed_on: dt.date | None = Field(..., description="销户日期（合户后）")
    closed_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime
    facts: FactsOut
    members: list[MemberOut]
    past_members: list[MemberOut]


class SplitOut(Schema):
    household: HouseholdDetail = Field(..., description="原户（分户后）")
    new_household: HouseholdDetail = Field(..., description="分出的新户")


class RevealOut(Schema):
    name: str
    id_number: str
    phone: str
    bank_account: str
