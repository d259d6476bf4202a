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
    "case_kind": CASE_KIND_LABELS,
    "change_outcome": CHANGE_OUTCOME_LABELS,
    "funding": FUNDING_LABELS,
    "payroll_status": PAYROLL_STATUS_LABELS,
    "line_kind": LINE_KIND_LABELS,
    "line_status": LINE_STATUS_LABELS,
    "account_kind": ACCOUNT_KIND_LABELS,
    "payroll_flag": PAYROLL_FLAG_LABELS,
    "receivable_status": RECEIVABLE_STATUS_LABELS,
}


def label(kind: str, code) -> str:
    """The Chinese label of a code; an unknown code (or kind) passes through unchanged."""
    if code is None or code == "":
        return ""
    return KINDS.get(kind, {}).get(str(code), str(code))
