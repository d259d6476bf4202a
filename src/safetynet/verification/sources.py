"""The thirteen department sources and their file formats (seed 二(三)2 核对, 二(六) 部门预警).

Six verification sources answer "what does this family own and earn" (户籍, 社会保险, 不动产登记,
市场主体登记, 车船登记, 金融资产); seven warning sources signal hardship or a 两不愁三保障 gap (医保,
残联, 教育, 住建, 应急管理, 人社, 水利). Each file is keyed by resident ID (`id_number`) and carries its
own as-of date per row. Column headers may be given by code (`id_number`) or by the Chinese label
(`身份证号码`); enumerations accept the code or the label. The human-readable format documents in
`docs/data-exchange/` are generated from this table (`safetynet exchange formats`), so the code and
the documents cannot drift apart.

Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from safetynet.core.areas import configured_county
from safetynet.core.resident_id import make_resident_id


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # id | text | enum | decimal | int | date | bool | village
    required: bool = True
    choices: dict[str, str] = field(default_factory=dict)  # code -> Chinese label
    min: float | None = None
    max: float | None = None
    max_length: int = 200
    stored: bool = True  # False: accepted and checked, never stored (the name, personal data)
    help: str = ""


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    department: str
    kind: str  # verification | warning
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # what makes a row unique within one file
    description: str
    meaning: str  # what a finding means for the family's income / assets / hardship

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


ID = Column("id_number", "身份证号码", "id", help="18位居民身份证号码，末位可为X；XLSX中须为文本格式")
NAME = Column(
    "name", "姓名", "text", required=False, max_length=64, stored=False, help="仅用于人工核对，不入库"
)
AS_OF = Column("as_of", "数据截至日期", "date", help="本行数据的截至日期，YYYY-MM-DD")


def _src(code, label, department, kind, columns, key, description, meaning) -> Source:
    return Source(code, label, department, kind, (ID, NAME, *columns, AS_OF), key, description, meaning)


SOURCES: dict[str, Source] = {
    s.code: s
    for s in [
        _src(
            "hukou",
            "户籍",
            "县公安局",
            "verification",
            [
                Column(
                    "status",
                    "户籍状态",
                    "enum",
                    choices={"normal": "正常", "deceased": "死亡", "moved_out": "迁出", "cancelled": "注销"},
                ),
                Column("death_date", "死亡日期", "date", required=False),
                Column("village_code", "户籍地村（社区）代码", "village", required=False),
            ],
            ("id_number",),
            "户籍登记：在册人口、死亡注销、迁出；户籍地村（社区）代码用于把名册外人员的线索派到所在村。",
            "死亡或迁出的成员不再计入共同生活家庭成员；在保对象死亡仍领取救助金须停发追回。",
        ),
        _src(
            "social_insurance",
            "社会保险",
            "县人力资源和社会保障局（社保中心）",
            "verification",
            [
                Column("wage_12m", "近12个月申报工资（元）", "decimal", min=0),
                Column("pension_12m", "近12个月领取养老金（元）", "decimal", min=0, required=False),
                Column("contribution_12m", "近12个月个人缴费（元）", "decimal", min=0, required=False),
            ],
            ("id_number",),
            "社会保险参保缴费与待遇领取：单位申报工资、养老金、个人缴费。",
            "工资计入工资性收入，养老金计入转移净收入（城乡居民基础养老金不计，POLICY.md §2）。",
        ),
        _src(
            "real_estate",
            "不动产登记",
            "县自然资源局（不动产登记中心）",
            "verification",
            [
                Column("unit_no", "不动产单元号", "text", max_length=40),
                Column(
                    "use",
                    "用途",
                    "enum",
                    choices={
                        "residential": "住宅",
                        "commercial": "商业",
                        "industrial": "工业",
                        "other": "其他",
                    },
                ),
                Column("area_m2", "建筑面积（平方米）", "decimal", min=0, required=False),
                Column("registered_on", "登记日期", "date"),
            ],
            ("id_number", "unit_no"),
            "不动产权利人登记：每处不动产一行。",
            "住宅计入住房套数（上限见参数 assets.homes_max）；申请前一年内登记的住宅为一年内购房。",
        ),
        _src(
            "business",
            "市场主体登记",
            "县市场监督管理局",
            "verification",
            [
                Column("credit_code", "统一社会信用代码", "text", max_length=18),
                Column("entity_name", "市场主体名称", "text", max_length=120),
                Column(
                    "entity_kind",
                    "主体类型",
                    "enum",
                    choices={
                        "company": "公司",
                        "individual": "个体工商户",
                        "cooperative": "农民专业合作社",
                        "other": "其他",
                    },
                ),
                Column(
                    "role",
                    "任职或出资身份",
                    "enum",
                    choices={
                        "legal_rep": "法定代表人",
                        "shareholder": "股东",
                        "manager": "高管",
                        "owner": "经营者",
                    },
                ),
                Column("share_pct", "出资比例（%）", "decimal", min=0, max=100, required=False),
                Column("registered_capital", "注册资本（元）", "decimal", min=0, required=False),
            ],
            ("id_number", "credit_code", "role"),
            "市场主体登记：成员在企业、个体工商户、合作社中的任职与出资，每个身份一行。",
            "成员任公司法定代表人或控股股东（出资比例≥50%）的，家庭不符合低保财产条件（POLICY.md §3）。",
        ),
        _src(
            "vehicle",
            "车船登记",
            "县公安局交通警察大队、县交通运输局",
            "verification",
            [
                Column("plate", "号牌或船舶登记号", "text", max_length=20),
                Column(
                    "kind",
                    "类型",
                    "enum",
                    choices={
                        "car": "小型汽车",
                        "truck": "货车",
                        "motorcycle": "摩托车",
                        "boat": "船舶",
                        "farm_machinery": "大型农机",
                        "other": "其他",
                    },
                ),
                Column("value", "评估价值（元）", "decimal", min=0),
                Column("registered_on", "登记日期", "date", required=False),
            ],
            ("id_number", "plate"),
            "机动车、船舶、大型农机登记，含评估价值，每辆（艘、台）一行。",
            "非豁免车辆（家庭唯一生产经营用车、残疾人代步车除外）使家庭不符合低保财产条件。",
        ),
        _src(
            "financial",
            "金融资产",
            "人民银行乡宁县支行（各金融机构）",
            "verification",
            [
                Column("institution", "金融机构", "text", max_length=80),
                Column(
                    "kind",
                    "资产类别",
                    "enum",
                    choices={
                        "deposit": "存款",
                        "securities": "证券",
                        "fund": "基金",
                        "wealth": "理财",
                        "insurance": "商业保险现金价值",
                        "other": "其他",
                    },
                ),
                Column("balance", "余额（元）", "decimal", min=0),
            ],
            ("id_number", "institution", "kind"),
            "存款、证券、基金、理财、商业保险现金价值，每个机构每个类别一行。",
            "家庭金融资产合计不得超过 低保标准×人数×月数（参数 assets.financial_months）。",
        ),
        _src(
            "medical",
            "医保",
            "县医疗保障局",
            "warning",
            [
                Column("total_cost_12m", "近12个月医疗总费用（元）", "decimal", min=0),
                Column("self_paid_12m", "近12个月个人自付（元）", "decimal", min=0),
            ],
            ("id_number",),
            "医保结算：近12个月医疗总费用与政策范围内外个人自付。",
            "个人自付计入刚性支出（医疗）；自付过高的未救助人员为应保未保线索。",
        ),
        _src(
            "disability",
            "残联",
            "县残疾人联合会",
            "warning",
            [
                Column(
                    "kind",
                    "残疾类别",
                    "enum",
                    choices={
                        "physical": "肢体",
                        "visual": "视力",
                        "hearing": "听力",
                        "speech": "言语",
                        "intellectual": "智力",
                        "mental": "精神",
                        "multiple": "多重",
                    },
                ),
                Column("grade", "残疾等级", "int", min=1, max=4),
                Column("certified_on", "发证（评定）日期", "date"),
            ],
            ("id_number",),
            "第二代残疾人证：类别、等级（一级最重）、发证日期。",
            "新评定的一、二级重度残疾人，家庭未纳入救助的，为应保未保线索。",
        ),
        _src(
            "education",
            "教育",
            "县教育科技局",
            "warning",
            [
                Column("school", "学校", "text", max_length=80),
                Column(
                    "stage",
                    "学段",
                    "enum",
                    choices={
                        "preschool": "学前",
                        "primary": "小学",
                        "junior": "初中",
                        "senior": "高中",
                        "vocational": "中职",
                        "higher": "高等教育",
                    },
                ),
                Column(
                    "status",
                    "学籍状态",
                    "enum",
                    choices={
                        "enrolled": "在校",
                        "dropped_out": "辍学",
                        "suspended": "休学",
                        "graduated": "毕业",
                    },
                ),
                Column("cost_12m", "近12个月教育支出（元）", "decimal", min=0, required=False),
            ],
            ("id_number",),
            "学籍：在校、辍学、休学；教育支出。",
            "义务教育阶段辍学为“三保障”（义务教育）预警；教育支出计入刚性支出。",
        ),
        _src(
            "housing",
            "住建",
            "县住房和城乡建设局",
            "warning",
            [
                Column(
                    "grade",
                    "房屋安全等级",
                    "enum",
                    choices={"A": "A级", "B": "B级", "C": "C级（局部危房）", "D": "D级（整栋危房）"},
                ),
                Column("assessed_on", "鉴定日期", "date"),
            ],
            ("id_number",),
            "农村房屋安全鉴定：户主（产权人）一行。",
            "C、D级危房为“三保障”（住房安全）预警。",
        ),
        _src(
            "emergency",
            "应急管理",
            "县应急管理局",
            "warning",
            [
                Column(
                    "event",
                    "灾害类型",
                    "enum",
                    choices={
                        "flood": "洪涝",
                        "drought": "干旱",
                        "hail": "冰雹",
                        "landslide": "滑坡泥石流",
                        "fire": "火灾",
                        "earthquake": "地震",
                        "other": "其他",
                    },
                ),
                Column("event_date", "受灾日期", "date"),
                Column("loss", "直接经济损失（元）", "decimal", min=0),
            ],
            ("id_number", "event", "event_date"),
            "自然灾害与事故受灾登记：每次受灾一行。",
            "损失较大且未纳入救助的，为应保未保（突发严重困难）线索。",
        ),
        _src(
            "unemployment",
            "人社",
            "县人力资源和社会保障局（就业服务中心）",
            "warning",
            [
                Column("status", "就业状态", "enum", choices={"unemployed": "失业", "reemployed": "已就业"}),
                Column("registered_on", "失业登记日期", "date"),
                Column("benefit_monthly", "失业保险金（元/月）", "decimal", min=0, required=False),
            ],
            ("id_number",),
            "失业登记与失业保险金领取。",
            "失业且收入低的未救助人员为应保未保线索。",
        ),
        _src(
            "water",
            "水利",
            "县水利局",
            "warning",
            [
                Column("safe", "饮水安全", "bool"),
                Column("issue", "问题说明", "text", required=False, max_length=200),
                Column("assessed_on", "核查日期", "date", required=False),
            ],
            ("id_number",),
            "农村饮水安全核查：按户主身份证号码一行。",
            "饮水不安全为“两不愁三保障”（饮水安全）预警。",
        ),
    ]
}

VERIFICATION_SOURCES = tuple(c for c, s in SOURCES.items() if s.kind == "verification")
WARNING_SOURCES = tuple(c for c, s in SOURCES.items() if s.kind == "warning")

TRUE_WORDS = {"1", "true", "t", "yes", "y", "是", "安全", "达标"}
FALSE_WORDS = {"0", "false", "f", "no", "n", "否", "不安全", "不达标"}


def get_source(code: str) -> Source | None:
    return SOURCES.get(code)


def format_markdown(source: Source) -> str:
    """The format document of one source (docs/data-exchange/<code>.md)."""
    kinds = {
        "id": "身份证号码",
        "text": "文本",
        "enum": "代码",
        "decimal": "金额/数值（最多两位小数）",
        "int": "整数",
        "date": "日期 YYYY-MM-DD",
        "bool": "是/否",
        "village": "12位村（社区）代码",
    }
    lines = [
        f"# {source.label}（`{source.code}`）— {source.department}",
        "",
        f"类别：{'核对数据' if source.kind == 'verification' else '预警数据'}。{source.description}",
        "",
        f"用途：{source.meaning}",
        "",
        "接受格式：CSV（UTF-8 或 GBK，首行为列名）、XLSX（第一个工作表，首行为列名）、Parquet。"
        "列名可用代码或中文名；列的顺序不限；不得缺少必填列，不得有多余的列。",
        "",
        f"记录的身份：{' + '.join(f'`{k}`' for k in source.key)}。同一文件中不得重复；同一数据期别"
        "再次上传同一身份的记录（另存为其他编码、XLSX 副本、仅导入有效行、更正文件）时，以最后上传的为准"
        "替换此前的记录，不重复计算；更正文件只替换其中列出的记录，其余记录不变。同一文件内容重复上传不作任何更改。",
        "",
        "| 列名（代码） | 中文列名 | 类型 | 必填 | 取值 / 说明 |",
        "|---|---|---|---|---|",
    ]
    for c in source.columns:
        note = "；".join(f"`{k}` {v}" for k, v in c.choices.items()) if c.choices else ""
        if c.min is not None or c.max is not None:
            rng = f"范围 {'' if c.min is None else f'≥{c.min:g}'} {'' if c.max is None else f'≤{c.max:g}'}".strip()
            note = f"{note}；{rng}" if note else rng
        if c.help:
            note = f"{note}；{c.help}" if note else c.help
        lines.append(
            f"| `{c.name}` | {c.label} | {kinds[c.kind]} | {'是' if c.required else '否'} | {note} |"
        )
    county = configured_county()
    sample = {
        "id": make_resident_id(county, date(1970, 5, 17), 1),
        "text": "示例",
        "date": "2026-05-01",
        "decimal": "1200.00",
        "int": "2",
        "bool": "否",
        "village": f"{county}100201",
    }
    lines += [
        "",
        "示例（CSV）：",
        "",
        "```csv",
        ",".join(c.name for c in source.columns),
        ",".join(next(iter(c.choices)) if c.choices else sample[c.kind] for c in source.columns),
        "```",
        "",
    ]
    return "\n".join(lines)


ENCODING_LABELS = {"auto": "自动识别", "utf-8": "UTF-8", "gbk": "GBK"}
