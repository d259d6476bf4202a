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
}

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
    "exchange.compare": "大数据比对",
    "exchange.compare_interrupted": "大数据比对中断",
    "exchange.liaison_source": "指定部门联络员数据来源",
    "exchange.records_replaced": "部门数据替换",
    "exchange.upload": "上传部门数据",
    "exchange.upload_repeated": "重复上传部门数据（未更改）",
    "household.export": "导出户档案",
    "monthly_report.prepare": "编制变化情况月报",
    "monthly_report.submit": "报送变化情况月报",
    "monthly_report.approve": "审批变化情况月报",
    "monthly_report.return": "退回变化情况月报",
    "monthly_report.export": "导出变化情况月报",
    "keys.rotate": "轮换加密密钥",
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
    "report_change": REPORT_CHANGE_LABELS,
    "report_status": REPORT_STATUS_LABELS,
    "monitoring_group": MONITORING_GROUP_LABELS,
    "report_field": REPORT_FIELD_LABELS,
}


def label(kind: str, code) -> str:
    """The Chinese label of a code; an unknown code (or kind) passes through unchanged."""
    if code is None or code == "":
        return ""
    return KINDS.get(kind, {}).get(str(code), str(code))
