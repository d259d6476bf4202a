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
    "county_filing": "县级备案",
    "archived": "已录入建档",
    "refused": "不予认定",
    "withdrawn": "申请人撤回",
}

# Units of the parameters (policy/parameters/*.yaml), as people read them.
UNIT_LABELS = {
    "yuan": "元",
    "yuan/month": "元/月",
    "yuan/year": "元/年",
    "ratio": "倍",
    "percent": "%",
    "years": "岁",
    "months": "个月",
    "days": "天",
    "working_days": "个工作日",
    "count": "人（个）",
    "grade": "级",
    "date": "日期",
}
