"""The domain's Chinese labels, one place for the web, the API, PDFs, exports and commands.

Identifiers are English per the glossary of docs/MISSION.md; what people read is here. A label has
a full form (decisions, letters, notices) and, where tables are narrow, a short form."""

from __future__ import annotations

# 二(二)1(1) one scope: the five categories, 单人保 inside 边缘/刚性 households, and "none".
CATEGORY_LABELS = {
    "tekun": "特困人员",
    "dibao": "低保",
    "dibao_edge": "低保边缘家庭",
    "rigid_hardship": "刚性支出困难家庭",
    "other_low_income": "其他低收入人口",
    "individual_dibao": "单人保（低保）",
    "none": "不符合条件",
}
# Column heads of the policy pages and the simulation (a household table, where "none" is 未纳入).
CATEGORY_SHORT_LABELS = {
    "tekun": "特困人员",
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "rigid_hardship": "刚性支出困难",
    "other_low_income": "其他低收入",
    "none": "未纳入",
    "individual_dibao": "单人保",
}
# The terse form of the command line's tables.
CATEGORY_TERSE_LABELS = {**CATEGORY_SHORT_LABELS, "tekun": "特困"}

MONITORING_TYPES = {
    "unstable_alleviated": "脱贫不稳定户",
    "edge_prone": "边缘易致贫户",
    "sudden_hardship": "突发严重困难户",
}
HARDSHIP_CAUSES = {
    "illness": "因病",
    "disability": "因残",
    "education": "因学",
    "disaster": "因灾",
    "accident": "意外事故",
    "unemployment": "失业或务工就业不稳",
    "old_age": "年老体弱",
    "lack_of_labour": "缺劳动力",
    "other": "其他",
}
RISK_EVENTS = {
    "illness": "重病",
    "disaster": "自然灾害",
    "accident": "意外事故",
    "unemployment": "失业",
    "education": "子女上学负担",
}
# The monthly change report (reports/, docs/monthly-report.md).
REPORT_CHANGE_LABELS = {"new": "新增", "changed": "变更", "stopped": "减少（退出）"}
REPORT_STATUS_LABELS = {
    "draft": "已编制（待报送）",
    "submitted": "已报送（待审批）",
    "approved": "已审批（锁定）",
}
# The report's by-mark breakdown: each monitoring type, a mark without a type, no mark.
MONITORING_GROUP_LABELS = {
    **MONITORING_TYPES,
    "marked": "防返贫监测对象（未分类型）",
    "none": "非防返贫监测对象",
}
REPORT_FIELD_LABELS = {
    "category": "认定类别",
    "monitoring_marked": "防返贫监测标识",
    "monitoring_type": "监测类型",
    "amount": "月救助金额",
}

# The six sources of the 经济状况核对 record (二(三)).
VERIFICATION_SOURCES = {
    "hukou": "户籍",
    "social_insurance": "社会保险",
    "real_estate": "不动产",
    "market_entity": "市场主体",
    "vehicles": "车船",
    "financial_assets": "金融资产",
}
# The states of the one procedure (二(三)), by their stored value.
STATE_LABELS = {
    "accepted": "已受理",
    "investigation": "入户调查",
    "verification": "经济状况核对",
    "village_review": "村级初审（民主评议）",
    "township_decision": "乡镇审核确认",
    "leading_group": "县领导小组认定",
    "notice": "公示",
    "stop_notice": "停发告知（申辩期）",
    "county_filing": "县级备案",
    "archived": "已录入建档",
    "refused": "不予认定",
    "withdrawn": "申请人撤回",
}
# The transitions of the one procedure (cases/workflow.py takes its labels from here) and the
# acceptance, which opens a case and is no transition of the machine.
TRANSITION_LABELS = {
    "accept": "受理申请",
    "start_investigation": "开始入户调查",
    "start_verification": "提交经济状况核对",
    "complete_verification": "核对完成，提交村级初审",
    "village_review_passed": "民主评议通过，报乡镇审核确认",
    "village_review_reinvestigate": "评议未通过但收入财产符合条件，重新入户调查",
    "decide_with_notice": "审核确认（享受待遇，进入公示）",
    "decide_without_notice": "审核确认（不享受待遇，不公示）",
    "refer_leading_group": "提请县领导小组认定其他低收入人口",
    "leading_group_with_notice": "县领导小组认定（享受待遇，进入公示）",
    "leading_group_without_notice": "县领导小组认定（不公示，报县级备案）",
    "objection": "公示期内有异议，退回重新调查",
    "close_notice": "公示期满无异议，报县级备案",
    "county_file": "县级备案并录入建档",
    "refuse": "不予认定",
    "refuse_by_township": "审核确认不予认定",
    "refuse_by_leading_group": "县领导小组不予认定",
    "refuse_filing": "县级备案不予通过",
    "withdraw": "申请人撤回申请",
    "start_reverification": "提交经济状况核对（复核、变更）",
    "complete_reverification": "核对完成，报乡镇审核确认（复核、变更）",
    "decide_unchanged": "复核结果无变化，确认继续享受",
    "decide_change": "决定变更待遇，报县级备案",
    "decide_stop": "决定停发（退出），告知本人",
    "stop_objection": "对象提出申辩，重新审核确认",
    "close_stop_notice": "申辩期满无申辩，报县级备案",
}
# The kinds of case on the one procedure (二(六)2 动态管理).
CASE_KIND_LABELS = {
    "application": "申请认定",
    "change": "家庭变化",
    "review": "复核",
    "stop": "停发（退出）",
    "risk_closure": "风险消除",
}
CHANGE_OUTCOME_LABELS = {"unchanged": "无变化，继续享受", "change": "变更待遇", "stop": "停发（退出）"}

# Paying the benefits (payments/).
FUNDING_LABELS = {"dibao": "最低生活保障资金", "tekun": "特困人员救助供养资金"}
PAYROLL_STATUS_LABELS = {
    "draft": "草稿",
    "submitted": "乡镇已提交",
    "approved": "县民政局已审批",
    "released": "已发放至银行",
    "reconciled": "已对账",
}
LINE_KIND_LABELS = {"regular": "当月", "back_pay": "补发", "reissue": "重发", "adjustment": "差额补发"}
LINE_STATUS_LABELS = {"pending": "待发", "paid": "已到账", "failed": "发放失败"}
ACCOUNT_KIND_LABELS = {
    "social_security_card": "社会保障卡（金融账户）",
    "bank_card": "银行借记卡",
    "yikatong": "惠民惠农财政补贴资金“一卡通”",
}
PAYROLL_FLAG_LABELS = {
    "two_households": "同一人计入两户",
    "deceased_payee": "领取人已死亡",
    "shared_account": "账户与无关家庭共用",
    "no_account": "领取人无发放账户（本月未列入，补账户后补发）",
}
RECEIVABLE_STATUS_LABELS = {"proposed": "待审批", "open": "待追回", "recovered": "已追回", "waived": "核销"}

# What the audit trail stores as `action`, beyond the registry's own (web/labels.py ACTION_LABELS).
AUDIT_ACTION_LABELS = {
    "assessment.create": "保存统一核算测算",
    "assessment.run": "批量测算",
    "calendar.mark_year": "标记年度节假日安排",
    "calendar.set_day": "设置工作日/节假日",
    "case.accept": "受理申请",
    "case.extension_decide": "审批延期申请",
    "case.extension_request": "申请延长办理时限",
    "case.investigation": "录入入户调查记录",
    "case.leading_group_decision": "录入县领导小组认定意见",
    "case.township_decision": "录入乡镇审核确认意见",
    "case.upload": "上传案件材料",
    "case.verification_results": "录入经济状况核对结果",
    "case.village_review": "录入民主评议结果",
    "demo.load": "载入演示数据",
    "payroll.generate": "生成发放名册",
    "payroll.submit": "乡镇提交发放名册",
    "payroll.return": "退回发放名册",
    "payroll.approve": "县民政局审批发放名册",
    "payroll.release": "发放至银行",
    "payroll.bank_file": "生成银行代发文件（解密账号）",
    "payroll.bank_result": "导入银行发放结果",
    "payroll.reconciled": "发放名册对账完成",
    "payroll.reissue": "发放失败转重发",
    "payee.account": "变更发放账户",
    "payee.designate": "指定代领人",
    "receivable.recovery": "登记追回款",
    "exchange.compare": "大数据比对",
    "exchange.compare_interrupted": "大数据比对中断",
    "exchange.liaison_source": "指定部门联络员数据来源",
    "exchange.records_replaced": "部门数据替换",
    "exchange.upload": "上传部门数据",
    "exchange.upload_repeated": "重复上传部门数据（未更改）",
    "household.export": "导出户档案",
    "roster.export": "导出花名册（脱敏）",
    "roster.export_unmasked": "导出花名册（未脱敏）",
    "visit.record": "记录巡访探视",
    "visit.photo_view": "查看探访照片",
    "monthly_report.prepare": "编制变化情况月报",
    "monthly_report.submit": "报送变化情况月报",
    "monthly_report.approve": "审批变化情况月报",
    "monthly_report.return": "退回变化情况月报",
    "monthly_report.export": "导出变化情况月报",
    "keys.rotate": "轮换加密密钥",
    "lead.assign": "分派线索给村救助帮扶专干",
    "lead.create": "登记线索",
    "lead.dismiss": "线索不予受理",
    "lead.merge": "合并重复线索",
    "parameter.add": "新增救助参数取值",
    "verification.request": "发起经济状况核对",
    **{f"case.{name}": label for name, label in TRANSITION_LABELS.items()},
}

# Units of the dated parameters (policy/params.py UNITS).
UNIT_LABELS = {
    "yuan": "元",
    "yuan/month": "元/月",
    "yuan/year": "元/年",
    "ratio": "比例",
    "percent": "%",
    "months": "月",
    "days": "天",
    "working_days": "个工作日",
    "years": "年",
    "count": "个",
    "grade": "级",
    "date": "日期",
}

# 家庭变化: registry.models.ChangeKind (the household_changed signal's `kind`, a membership row's
# joined_kind / left_kind).
CHANGE_KINDS = {
    "head_change": "户主变更",
    "death": "死亡",
    "marriage_out": "婚出",
    "move_out": "迁出",
    "prison": "服刑",
    "study": "全日制就读",
    "other": "其他",
    "release": "刑满释放",
    "study_end": "结束全日制就读",
    "birth": "出生",
    "marriage_in": "婚入",
    "move_in": "迁入",
    "split": "分户",
    "merge": "合户",
    "status": "成员状态变更",
}
# The household facts the decision trace names (policy/household.py's codes).
RELATION_LABELS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他亲属",
}
DISABILITY_KIND_LABELS = {
    "physical": "肢体",
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
# Which variant of a parameter chosen by hukou applied: 农村低保标准, 上年度农村居民人均可支配收入.
HUKOU_STANDARD_LABELS = {"rural": "农村", "urban": "城市"}
HUKOU_RESIDENT_LABELS = {"rural": "农村居民", "urban": "城镇居民"}
# The care tiers of 特困供养 (the parameters tekun.care_monthly.*).
CARE_TIER_LABELS = {"self_care": "全自理", "partial": "半护理", "total": "全护理"}
# 特困供养方式 (entitlements.models.SupportMode), with the statistics' "not recorded".
SUPPORT_MODE_LABELS = {"centralised": "集中供养", "dispersed": "分散供养", "unrecorded": "供养方式未登记"}
# The groups of 分类施保 (the parameters dibao.classified_increment.*).
INCREMENT_GROUP_LABELS = {
    "old": "老年人",
    "minor": "未成年人",
    "severe_disability": "重度残疾人",
    "serious_illness": "重病患者",
}
# Developer's marks in a rule's clause (policy/rules.py) as a reader of the decision sees them.
CLAUSE_NOTES = {
    "[local pattern]": "（本地做法）",
    "[ratio local]": "（比例为本地规定）",
    "[assumed]": "（本系统解读）",
    "POLICY.md": "本系统政策口径",
}

# What each reason code of a rule (policy/rules.py) means, as the decision trace's sentences say
# it: {rule: {reason: phrase}}. policy/sentences.py builds the sentence around the phrase.
TRACE_REASONS = {
    "counted_member": {
        "core_family": "计入（户主、配偶或未成年、在读子女）",
        "co_resident_with_duty_of_support": "计入（共同生活且负有法定赡养、抚养或扶养义务）",
        "not_co_resident": "不计入（未共同生活）",
        "not_counted_status": "不计入（服刑、强制隔离戒毒、宣告失踪、服现役或出家等情形）",
    },
    "family_size": {"counted_members": "", "no_counted_member": "没有计入的共同生活家庭成员"},
    "assets_within_limits": {
        "within_limits": "财产状况符合规定",
        "financial_assets_over_limit": "金融资产超过上限，财产状况不符合规定",
        "non_exempt_vehicle": "有不予豁免的机动车，财产状况不符合规定",
        "too_many_homes": "住房超过规定套数，财产状况不符合规定",
        "company_role": "有成员担任企业法定代表人或控股股东，财产状况不符合规定",
        "home_bought_within_year": "申请前一年内购买过住房，财产状况不符合规定",
    },
    "no_work_capacity": {
        "old_age": "无劳动能力（老年人）",
        "child": "无劳动能力（未成年人）",
        "severe_disability": "无劳动能力（重度残疾）",
        "continuing_minor_or_student": "无劳动能力（已认定特困的未成年人或在读学生）",
        "has_work_capacity": "有劳动能力",
    },
    "tekun_household": {
        "eligible": "全部计入成员均无劳动能力、无生活来源且无有履行能力的法定义务人，整户认定为特困人员",
        "member_with_work_capacity": "有计入成员具有劳动能力，不能整户认定为特困人员",
        "income_not_below_standard": "家庭人均收入不低于低保标准，不能整户认定为特困人员",
        "assets_over_limits": "家庭财产超过规定，不能整户认定为特困人员",
        "has_able_supporter": "有具备履行能力的法定赡养、抚养、扶养义务人，不能整户认定为特困人员",
    },
    "dibao_household": {
        "eligible": "家庭人均收入低于低保标准且财产符合规定，认定为低保家庭",
        "already_tekun": "已整户认定为特困人员，不再认定为低保家庭",
        "income_not_below_standard": "家庭人均收入不低于低保标准，不认定为低保家庭",
        "assets_over_limits": "家庭财产超过低保规定，不认定为低保家庭",
    },
    "classified_increment": {
        "none": "无分类施保增发",
        "old": "按老年人增发",
        "minor": "按未成年人增发",
        "severe_disability": "按重度残疾人增发",
        "serious_illness": "按重病患者增发",
    },
    "gradual_exit": {
        "income_rose_gradual_exit": "原为低保家庭，因收入增加不再符合低保条件且财产符合规定，给予渐退期",
        "still_assisted": "仍符合低保或特困条件，不适用渐退",
        "assets_over_limits_no_gradual_exit": "原为低保家庭，因财产超过规定退出，不适用渐退",
        "not_current_dibao": "原非低保家庭，不适用渐退",
    },
    "tekun_member": {
        "eligible": "单独认定为特困人员",
        "not_in_edge_or_rigid_household": "家庭不是低保边缘或刚性支出困难家庭，不单独认定",
        "not_counted": "不是计入的家庭成员，不单独认定",
        "has_work_capacity": "有劳动能力，不单独认定为特困人员",
        "own_income_not_below_standard": "本人收入不低于低保标准，不单独认定为特困人员",
        "assets_over_limits": "家庭财产超过规定，不单独认定为特困人员",
        "has_able_supporter": "有具备履行能力的法定义务人，不单独认定为特困人员",
    },
    "individual_dibao_member": {
        "severe_disability": "一、二级重度残疾，单独纳入低保（单人保）",
        "grade3_intellectual_or_mental": "三级智力或精神残疾，单独纳入低保（单人保）",
        "major_illness": "患重病，单独纳入低保（单人保）",
        "no_condition": "无重度残疾或重病，不单独纳入低保",
        "tekun_individually": "已单独认定为特困人员，不再单人保",
        "not_counted": "不是计入的家庭成员，不单人保",
        "not_in_edge_or_rigid_household": "家庭不是低保边缘或刚性支出困难家庭，不单人保",
    },
    "dibao_edge_household": {
        "eligible": "不属于低保、特困，人均收入低于边缘收入线且财产符合规定，认定为低保边缘家庭",
        "already_dibao_or_tekun": "已认定为低保或特困，不再认定为低保边缘家庭",
        "income_not_below_edge_line": "家庭人均收入不低于边缘收入线，不认定为低保边缘家庭",
        "assets_over_edge_limits": "家庭财产超过边缘家庭规定，不认定为低保边缘家庭",
    },
    "rigid_hardship_household": {
        "eligible": "收入低于上年度人均可支配收入、财产符合规定且刚性支出超过规定比例，认定为刚性支出困难家庭",
        "already_assisted": "已认定为低保、特困或低保边缘家庭，不再认定为刚性支出困难家庭",
        "income_not_below_disposable_income": "家庭人均收入不低于上年度人均可支配收入，不认定为刚性支出困难家庭",
        "assets_over_edge_limits": "家庭财产超过规定，不认定为刚性支出困难家庭",
        "rigid_expenditure_not_heavy": "刚性支出未超过规定比例，不认定为刚性支出困难家庭",
    },
    "refer_other_low_income": {
        "has_category": "已有认定类别，无需转县级领导小组",
        "edge_income_assets_over_limits": "人均收入低于边缘收入线但财产超过规定，建议转县级领导小组认定其他低收入人口",
        "risk_event_below_disposable_income": "有风险事件且人均收入低于上年度人均可支配收入，建议转县级领导小组认定其他低收入人口",
        "no_serious_hardship": "未发现严重困难，不转县级领导小组",
    },
    "monitoring_mark": {
        "urban_not_monitored": "城市家庭不纳入防返贫监测",
        "inside_range_at_risk_by_judgement": "在监测范围内，经入户研判有返贫致贫风险",
        "inside_range_at_risk_by_event": "在监测范围内，未作研判但申报了风险事件",
        "inside_range_judged_not_at_risk": "在监测范围内，但经入户研判无返贫致贫风险",
        "inside_range_not_at_risk": "在监测范围内，但无风险事件、也未研判有风险",
        "risk_event_with_heavy_rigid_expenditure": "不在监测范围内，但有风险事件且刚性支出超过规定比例",
        "above_range_no_sudden_hardship": "不在监测范围内，也无突发严重困难",
    },
}

# The dictionaries the template filter `label` (web/templatetags/glossary.py) looks codes up in.
KINDS = {
    "category": CATEGORY_LABELS,
    "category_short": CATEGORY_SHORT_LABELS,
    "monitoring": MONITORING_TYPES,
    "hardship": HARDSHIP_CAUSES,
    "risk": RISK_EVENTS,
    "source": VERIFICATION_SOURCES,
    "state": STATE_LABELS,
    "transition": TRANSITION_LABELS,
    "unit": UNIT_LABELS,
    "case_kind": CASE_KIND_LABELS,
    "change_outcome": CHANGE_OUTCOME_LABELS,
    "change": CHANGE_KINDS,
    "relation": RELATION_LABELS,
    "disability_kind": DISABILITY_KIND_LABELS,
    "report_change": REPORT_CHANGE_LABELS,
    "report_status": REPORT_STATUS_LABELS,
    "monitoring_group": MONITORING_GROUP_LABELS,
    "report_field": REPORT_FIELD_LABELS,
    "funding": FUNDING_LABELS,
    "payroll_status": PAYROLL_STATUS_LABELS,
    "line_kind": LINE_KIND_LABELS,
    "line_status": LINE_STATUS_LABELS,
    "account_kind": ACCOUNT_KIND_LABELS,
    "payroll_flag": PAYROLL_FLAG_LABELS,
    "receivable_status": RECEIVABLE_STATUS_LABELS,
    "care_tier": CARE_TIER_LABELS,
    "support_mode": SUPPORT_MODE_LABELS,
}


def label(kind: str, code) -> str:
    """The Chinese label of a code; an unknown code (or kind) passes through unchanged."""
    if code is None or code == "":
        return ""
    return KINDS.get(kind, {}).get(str(code), str(code))


# The household assistance plan (assistance/, docs/assistance.md): measure kinds in the seed's
# order (二(五): 开发式帮扶, then 政策性救助), their statuses, the departments they are referred to,
# and the 住建 six key groups (建村〔2021〕35号).
MEASURE_KIND_LABELS = {
    "industry": "产业帮扶",
    "employment": "就业帮扶",
    "skills": "技能培训",
    "public_job": "公益性岗位",
    "microcredit": "小额信贷",
    "education_aid": "教育资助",
    "medical_aid": "医疗救助",
    "premium_subsidy": "参保资助",
    "chronic_care": "门诊慢特病",
    "housing_repair": "危房改造",
    "temporary_relief": "临时救助",
    "charity": "慈善帮扶",
    "other": "其他专项",
}
MEASURE_STATUS_LABELS = {
    "suggested": "建议（待乡镇确认）",
    "referred": "已转介",
    "in_progress": "办理中",
    "done": "已完成",
    "declined": "不予实施",
}
DEPARTMENT_LABELS = {
    "agri": "县农业农村局",
    "hrss": "县人力资源和社会保障局",
    "education": "县教育科技局",
    "medical": "县医疗保障局",
    "housing": "县住房和城乡建设局",
    "disability": "县残疾人联合会",
    "civil": "县民政局",
    "township": "乡镇人民政府",
}
SIX_KEY_GROUP_LABELS = {
    "dibao": "农村低保户",
    "tekun": "农村分散供养特困人员",
    "dibao_edge": "农村低保边缘家庭",
    "monitored": "农村易返贫致贫户（防返贫监测对象）",
    "rigid_hardship": "因病因灾因意外事故等刚性支出较大或收入大幅缩减导致基本生活出现严重困难家庭",
    "alleviated": "其他脱贫户（依靠自身力量无法解决住房安全问题）",
}
KINDS.update(
    {
        "measure_kind": MEASURE_KIND_LABELS,
        "measure_status": MEASURE_STATUS_LABELS,
        "department": DEPARTMENT_LABELS,
        "six_key_group": SIX_KEY_GROUP_LABELS,
    }
)
AUDIT_ACTION_LABELS.update(
    {
        "assistance.suggest": "按规则生成帮扶建议",
        "assistance.accept": "确认帮扶建议并转介",
        "assistance.edit": "修改帮扶措施",
        "assistance.decline": "帮扶建议不予实施",
        "assistance.add": "录入帮扶措施",
        "assistance.feedback": "部门反馈办理情况",
        "assistance.feedback_upload": "上传部门反馈文件",
        "assistance.export": "导出部门名单",
    }
)
# Temporary relief (safetynet.relief): its states and kinds, and the funding and category of the
# payroll lines that pay it (key r<application>), so payroll totals read in Chinese.
RELIEF_LABELS = {
    "relief_status": {
        "applied": "已申请",
        "paid_first": "已先行救助（待补办手续）",
        "county": "待县级审批",
        "approved": "已批准（待发放）",
        "paid": "已发放",
        "refused": "不予救助",
    },
    "relief_kind": {"emergency": "急难型", "expenditure": "支出型"},
}
KINDS.update(RELIEF_LABELS)
FUNDING_LABELS["linshi"] = "临时救助资金"
CATEGORY_LABELS["linshi"] = "临时救助"
