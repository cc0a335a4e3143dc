"""The one source of truth for the workbook: sheets, columns, types, lists,
aliases, synonyms and sensitivity (docs/workbook.md is generated from it).

Every other module refers to sheets and columns through the English keys
defined here (``ROSTER``, ``"member_id"``); the Chinese names users see are
spelled only in this file. The template, the reader, validation, the
drop-downs and the output sheets all come from these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Mapping

TEMPLATE_VERSION = "1.0"


class ColType(str, Enum):
    """Column types of workbook.md."""

    TEXT = "text"
    ID = "id"
    DATE = "date"
    INT = "int"
    NUMBER = "number"
    ENUM = "enum"
    BOOL = "bool"
    IDS = "ids"


class SheetKind(str, Enum):
    INFO = "info"  # 说明: instructions, not data
    FORMULA = "formula"  # 概览: native formulas only
    KV = "kv"  # two columns: item | value
    DATA = "data"  # a table with a header row
    OUTPUT = "output"  # written by the tool, recreated on every run


@dataclass(frozen=True)
class Column:
    """One column of a data sheet (or one item of a key–value sheet)."""

    key: str  # English identifier used by the code
    header: str  # the exact Chinese header users see
    type: ColType = ColType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed values of an enum column
    aliases: tuple[str, ...] = ()  # other headers accepted for this column
    sensitive: bool = False  # personal data, masked for the level above
    unique: bool = False
    ref: str | None = None  # sheet key this ID column points to
    default: object = None  # value used when the cell is blank
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False  # "number > 0" rather than ">= 0"
    not_above: str | None = None  # key of the count this count may not exceed
    # (ID column of this sheet, column of the sheet that ID refers to): the
    # template fills the column with a lookup formula (评议.姓名 from 党员名册),
    # so the value is there to read and print, and validation checks a typed one.
    lookup: tuple[str, str] | None = None
    width: float = 12  # column width in the template (Excel character units)
    hint: str = ""  # input message shown in Excel when the cell is selected
    note: str = ""  # a line for the 说明 sheet

    @property
    def is_numeric(self) -> bool:
        return self.type in (ColType.INT, ColType.NUMBER)


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str  # exact Chinese sheet name
    kind: SheetKind
    columns: tuple[Column, ...] = ()
    required: bool = False  # must be present in every workbook
    key_column: str | None = None  # unique key of the table
    unit_column: str | None = None  # column that names the row's unit
    purpose: str = ""  # one line for the 说明 sheet
    how_to_fill: str = ""  # instructions for the 说明 sheet
    kv_headers: tuple[str, str] = ("项目", "内容")  # key–value sheets only

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key}.{key}")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


# --------------------------------------------------------------------------
# Lists (drop-downs) and their synonyms
# --------------------------------------------------------------------------

UNIT_LEVELS = ("党支部", "党总支", "学院党委", "校党委")
GENDERS = ("男", "女")
MEMBER_CATEGORIES = ("教职工党员", "学生党员", "离退休党员")
MEMBER_STATUSES = ("正式党员", "预备党员")
CADRE_LEVELS = ("校级干部", "处级干部", "无")
BRANCH_POSTS = ("书记", "副书记", "支委", "无")
TARGET_TYPES = (
    "入党积极分子", "发展对象", "党外中青年骨干", "民主党派人士", "学科带头人",
    "普通教职工", "学生", "困难学生", "其他",
)
POLITICAL_STATUSES = ("群众", "共青团员", "民主党派", "无党派人士", "中共党员", "其他")
CONTACT_METHODS = ("谈心谈话", "走访", "座谈", "电话/网络", "帮扶活动", "其他")
HANDLING_STATES = ("无需办理", "办理中", "已办结", "已反馈上级")
BRIEFING_TYPES = ("重大决策", "重要决定", "党的建设", "群众切身利益", "其他")
BRIEFING_FORMS = ("通报会", "公开栏", "个别访问", "网络平台", "其他")
FORUM_REASONS = ("民主生活会前", "组织生活会前", "民主评议党员", "发展党员", "重大节日", "部署重要任务", "其他")
ACTIVITY_BRANDS = ("十百千工程", "爱心助成才", "共产党员示范岗", "党员责任区", "其他")
QUOTA_SCOPES = ("全体党员", "教职工党员", "学生党员", "校级干部", "处级干部", "支部书记", "支委")
QUOTA_PERIODS = ("年度", "季度")
GRADES = ("优秀", "合格", "基本合格", "不合格")
NOT_GRADED = "不评定等次"
LEVELS = ("错误", "警告", "提示")  # finding levels, most severe first
BOOL_VALUES = ("是", "否")

# Metrics of 统计口径 (workbook.md), in the order of the spec.
METRICS = (
    "联系次数", "联系对象人数", "结对对象覆盖率", "调研天数", "调研次数", "调研报告数",
    "接待日次数", "联系点走访次数", "主持座谈会次数", "载体活动次数", "意见办结率",
)
RATIO_METRICS = ("结对对象覆盖率", "意见办结率")

# Common variants typed by users, mapped to the list value (applied after
# trimming and width folding). Keys are looked up case-insensitively.
SYNONYMS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "contact_method": MappingProxyType({
        "微信": "电话/网络", "电话": "电话/网络", "网络": "电话/网络", "qq": "电话/网络",
        "短信": "电话/网络", "邮件": "电话/网络", "电子邮件": "电话/网络", "视频": "电话/网络",
        "电话网络": "电话/网络", "电话／网络": "电话/网络", "线上": "电话/网络", "网上": "电话/网络",
        "谈心": "谈心谈话", "谈话": "谈心谈话", "面谈": "谈心谈话", "谈心谈话会": "谈心谈话",
        "家访": "走访", "走访慰问": "走访", "上门走访": "走访", "座谈会": "座谈",
        "帮扶": "帮扶活动", "结对帮扶": "帮扶活动",
    }),
    "handling": MappingProxyType({
        "已解决": "已办结", "办结": "已办结", "已完成": "已办结", "完成": "已办结", "已处理": "已办结",
        "正在办理": "办理中", "处理中": "办理中", "在办": "办理中", "未办结": "办理中",
        "无": "无需办理", "不需办理": "无需办理", "无需处理": "无需办理", "不需要办理": "无需办理",
        "已上报": "已反馈上级", "反馈上级": "已反馈上级", "已转上级": "已反馈上级",
    }),
    "gender": MappingProxyType({"男性": "男", "女性": "女", "m": "男", "f": "女"}),
    "member_category": MappingProxyType({
        "教职工": "教职工党员", "教工党员": "教职工党员", "教工": "教职工党员", "在职教职工党员": "教职工党员",
        "学生": "学生党员", "离退休": "离退休党员", "退休党员": "离退休党员", "离退休教职工党员": "离退休党员",
    }),
    "member_status": MappingProxyType({"正式": "正式党员", "预备": "预备党员", "中共党员": "正式党员",
                                       "中共正式党员": "正式党员", "中共预备党员": "预备党员"}),
    "cadre_level": MappingProxyType({"校级": "校级干部", "校领导": "校级干部", "处级": "处级干部",
                                     "中层干部": "处级干部", "否": "无", "-": "无", "/": "无"}),
    "branch_post": MappingProxyType({"支部书记": "书记", "党支部书记": "书记", "支部副书记": "副书记",
                                     "支部委员": "支委", "委员": "支委", "组织委员": "支委", "宣传委员": "支委",
                                     "纪检委员": "支委", "党员": "无", "-": "无", "/": "无"}),
    "political": MappingProxyType({"团员": "共青团员", "党员": "中共党员", "中共预备党员": "中共党员",
                                   "中共正式党员": "中共党员", "无党派": "无党派人士",
                                   # the democratic parties' own member terms (workbook.md)
                                   "民革党员": "民主党派", "民盟盟员": "民主党派", "民建会员": "民主党派",
                                   "民进会员": "民主党派", "农工党党员": "民主党派", "致公党党员": "民主党派",
                                   "九三学社社员": "民主党派", "台盟盟员": "民主党派"}),
    "grade": MappingProxyType({"良好": "合格", "称职": "合格", "基本称职": "基本合格", "不称职": "不合格"}),
    "unit_level": MappingProxyType({"支部": "党支部", "党委": "学院党委", "院党委": "学院党委", "总支": "党总支",
                                    "学校党委": "校党委"}),
    "quota_period": MappingProxyType({"年": "年度", "全年": "年度", "季": "季度", "每季度": "季度"}),
})

# 是/否 columns also accept these (compared after folding and lower-casing).
BOOL_TRUE = frozenset({"是", "y", "yes", "1", "√", "✓", "✔", "true", "t", "对", "有"})
BOOL_FALSE = frozenset({"否", "n", "no", "0", "×", "✗", "✘", "x", "false", "f", "无", "不是"})

# Separators of an ``ids`` cell: 、 , ， ; ； or white space.
IDS_SEPARATORS = "、,，;；"

# Accepted date forms, shown in messages.
DATE_FORMS_TEXT = "2026-03-05、2026/3/5、2026.3.5、2026年3月5日、20260305 或 Excel 日期"


def _c(key: str, header: str, type: ColType = ColType.TEXT, **kw) -> Column:
    return Column(key=key, header=header, type=type, **kw)


def _enum(key: str, header: str, choices: tuple[str, ...], synonyms: str | None = None, **kw) -> Column:
    return Column(key=key, header=header, type=ColType.ENUM, choices=choices, **kw)


# Which SYNONYMS table each enum column uses (by column key).
ENUM_SYNONYMS: Mapping[str, str] = MappingProxyType({
    "method": "contact_method", "handling": "handling", "gender": "gender",
    "category": "member_category", "status": "member_status", "cadre_level": "cadre_level",
    "branch_post": "branch_post", "political": "political", "self_grade": "grade",
    "unit_level": "unit_level", "period": "quota_period",
})

# Headers other systems use for the branch a member belongs to; they mostly hold
# the branch's name, which the reader translates to its code (workbook.md).
BRANCH_NAME_ALIASES = ("所在党支部", "所在支部", "所属党支部", "党支部", "党支部名称")
# Of those, the ones that always hold names: a value that matches no known unit
# is reported (C005 with the known names). 所在支部 may hold codes as well.
NAME_VALUED_ALIASES = frozenset({"所在党支部", "所属党支部", "党支部", "党支部名称"})
# 联系方式 is a phone number on 党员名册 and 联系对象 only when its values are
# numbers (on 联系记载 it is the contact method): values decide (tables.py).
PHONE_ALIASES = ("电话", "电话号码", "手机", "手机号", "手机号码", "联系方式")

# Headers that may hold a key when rows are imported from another system
# (dj import): a students' list or a list of 入党积极分子 names its people by 学号/工号.
# An ID-card number (身份证号码) is never a key.
IMPORT_KEY_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "targets": ("学号/工号", "学工号", "工号", "学号", "编号"),
})
ID_CARD_HEADERS = ("身份证号码", "身份证号", "身份证", "公民身份号码")

_T, _ID, _D, _I, _N, _E, _B, _IDS = (ColType.TEXT, ColType.ID, ColType.DATE, ColType.INT,
                                    ColType.NUMBER, ColType.ENUM, ColType.BOOL, ColType.IDS)

# --------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------

README = Sheet("readme", "说明", SheetKind.INFO, purpose="使用说明、模板版本和功能按钮一览")

OVERVIEW = Sheet("overview", "概览", SheetKind.FORMULA,
                 purpose="自动统计的关键数字（公式计算，不装插件也能看）",
                 how_to_fill="不用填写。数字由公式从各表自动计算，打开即更新。")

META = Sheet(
    "meta", "基本信息", SheetKind.KV, required=True,
    purpose="本单位的基本情况和考核年度",
    how_to_fill="在「内容」列填写本单位的编码、名称、层级和考核年度；上报前填写报送日期。",
    kv_headers=("项目", "内容"),
    columns=(
        _c("unit_code", "单位编码", _ID, required=True, hint="上级统一分配的单位编码，如 D0101"),
        _c("unit_name", "单位名称", _T, required=True),
        _enum("unit_level", "单位层级", UNIT_LEVELS, required=True),
        _c("parent_code", "上级单位编码", _ID),
        _c("parent_name", "上级单位名称", _T),
        _c("year", "考核年度", _I, required=True, minimum=2000, maximum=2100, hint="四位年份，如 2026"),
        _c("secretary", "书记", _T),
        _c("filler", "填报人", _T),
        _c("phone", "联系电话", _T, sensitive=True),
        _c("report_date", "报送日期", _D),
        _c("template_version", "模板版本", _T, default=None),
    ),
)

UNITS = Sheet(
    "units", "下级单位", SheetKind.DATA, key_column="unit_code",
    purpose="下级党组织名单（党总支、学院党委、校党委填写；党支部留空）",
    how_to_fill="每行一个下级单位。「应报送」为“是”的单位未交表时，汇总会列为未报送。",
    columns=(
        _c("unit_code", "单位编码", _ID, required=True, unique=True, width=14, hint="下级单位的编码，不能重复"),
        _c("unit_name", "单位名称", _T, required=True, width=24),
        _enum("unit_level", "单位层级", UNIT_LEVELS, required=True, width=12),
        _c("leader", "负责人", _T, width=10),
        _c("must_report", "应报送", _B, default=True, width=8),
    ),
)

ROSTER = Sheet(
    "roster", "党员名册", SheetKind.DATA, required=True, key_column="member_id", unit_column="branch_code",
    purpose="本单位全体党员名单",
    how_to_fill="每名党员一行；党员编号填学号或工号，不能重复。干部层级、支部职务留空视为“无”。",
    columns=(
        _c("member_id", "党员编号", _ID, required=True, unique=True, width=14,
           aliases=("学号/工号", "学工号", "工号", "学号", "编号"), hint="学号或工号，全表唯一"),
        _c("name", "姓名", _T, required=True, aliases=("党员姓名",), width=10),
        _enum("gender", "性别", GENDERS, width=6),
        _enum("category", "党员类别", MEMBER_CATEGORIES, required=True, aliases=("类别", "人员类别"), width=14),
        _enum("status", "党员身份", MEMBER_STATUSES, required=True, aliases=("党籍状态", "身份", "人员类别"),
              width=12),
        _enum("cadre_level", "干部层级", CADRE_LEVELS, default="无", width=12),
        _enum("branch_post", "支部职务", BRANCH_POSTS, default="无", aliases=("党内职务", "职务"), width=10),
        _c("branch_code", "所在支部编码", _ID, aliases=("支部编码",) + BRANCH_NAME_ALIASES, width=14,
           hint="留空表示本表的单位编码"),
        _c("department", "所在学院部门", _T, width=20),
        _c("join_date", "入党日期", _D, aliases=("入党时间", "加入党组织日期", "确定为预备党员时间", "确定为预备党员日期"),
           width=12),
        _c("phone", "联系电话", _T, sensitive=True, aliases=PHONE_ALIASES, width=14),
        _c("note", "备注", _T, width=20),
    ),
)

TARGETS = Sheet(
    "targets", "联系对象", SheetKind.DATA, required=True, key_column="target_id",
    purpose="每名党员结对联系的群众",
    how_to_fill="每个联系对象一行；「联系党员编号」填负责联系他的党员编号（须在党员名册中）。",
    columns=(
        _c("target_id", "对象编号", _ID, required=True, unique=True, width=14, hint="联系对象的编号，全表唯一"),
        _c("name", "姓名", _T, required=True, width=10),
        _enum("target_type", "对象类别", TARGET_TYPES, required=True, width=16),
        _enum("political", "政治面貌", POLITICAL_STATUSES, width=12),
        _c("org", "所在单位", _T, width=20),
        _c("member_id", "联系党员编号", _ID, required=True, ref="roster", width=14,
           hint="负责联系的党员编号，须在党员名册中"),
        _c("pair_date", "结对日期", _D, width=12),
        _c("phone", "联系电话", _T, sensitive=True, aliases=PHONE_ALIASES, width=14),
        _c("note", "备注", _T, width=20),
    ),
)

CONTACT_LOG = Sheet(
    "contact_log", "联系记载", SheetKind.DATA, required=True,
    purpose="联系服务群众记录，每次联系一行（最重要的表）",
    how_to_fill="每次联系填一行：日期、党员编号、对象编号、方式和内容必填；有意见诉求的，跟踪填写办理情况，已办结的填写办结日期。",
    columns=(
        _c("date", "联系日期", _D, required=True, aliases=("日期", "联系时间"), width=12,
           hint="如 2026-03-05"),
        _c("member_id", "党员编号", _ID, required=True, ref="roster", width=14, hint="须在党员名册中"),
        _c("member_name", "党员姓名", _T, width=10),
        _c("target_id", "对象编号", _ID, required=True, ref="targets", width=14, hint="须在联系对象表中"),
        _c("target_name", "对象姓名", _T, width=10),
        _enum("method", "联系方式", CONTACT_METHODS, required=True, aliases=("联系形式", "方式"), width=12),
        _c("content", "联系内容", _T, required=True, aliases=("主要内容", "谈话内容", "内容"), width=36,
           hint="至少 4 个字"),
        _c("request", "意见诉求", _T, aliases=("群众意见", "意见建议", "诉求"), width=28),
        _enum("handling", "办理情况", HANDLING_STATES, default="无需办理", aliases=("办理结果", "处理情况"),
              width=12),
        _c("closed_date", "办结日期", _D, width=12, hint="办理情况为“已办结”时必填"),
        _c("reported", "已向组织汇报", _B, width=12),
        _c("note", "备注", _T, width=20),
    ),
)

RESEARCH = Sheet(
    "research", "调查研究", SheetKind.DATA,
    purpose="干部和党员开展调查研究的记录",
    how_to_fill="每次调研一行；调研天数留空时按开始到结束日期（含首尾）计算；有书面报告的填写报告题目。",
    columns=(
        _c("member_id", "党员编号", _ID, required=True, ref="roster", width=14),
        _c("start_date", "开始日期", _D, required=True, width=12),
        _c("end_date", "结束日期", _D, required=True, width=12),
        _c("days", "调研天数", _N, minimum=0, min_exclusive=True, width=10, hint="留空按日期自动计算"),
        _c("place", "调研单位", _T, width=20),
        _c("topic", "调研主题", _T, required=True, width=30),
        _c("has_report", "书面报告", _B, required=True, width=10),
        _c("report_title", "报告题目", _T, width=30, hint="书面报告为“是”时必填"),
        _c("note", "备注", _T, width=20),
    ),
)

RECEPTION = Sheet(
    "reception", "接待日", SheetKind.DATA,
    purpose="领导干部接待日记录",
    how_to_fill="每次接待一行；已办结数不能大于反映问题数。",
    columns=(
        _c("date", "接待日期", _D, required=True, width=12),
        _c("leader_id", "接待领导编号", _ID, required=True, ref="roster", width=14),
        _c("visitors", "来访人数", _I, required=True, minimum=0, width=10),
        _c("issues", "反映问题数", _I, minimum=0, width=10),
        _c("resolved", "已办结数", _I, minimum=0, not_above="issues", width=10),
        _c("main_issues", "主要问题", _T, width=30),
        _c("handling", "办理情况", _T, width=24),
    ),
)

CONTACT_POINTS = Sheet(
    "contact_points", "联系点", SheetKind.DATA,
    purpose="校级、处级干部的固定联系点",
    how_to_fill="每名校级、处级干部一行，写明联系的学院部门和支部编码。",
    columns=(
        _c("cadre_id", "干部编号", _ID, required=True, ref="roster", width=14),
        _c("department", "联系学院部门", _T, required=True, width=20),
        _c("branch_code", "联系支部编码", _ID, required=True, width=14),
        _c("start_date", "起始日期", _D, width=12),
    ),
)

POINT_VISITS = Sheet(
    "point_visits", "联系点走访", SheetKind.DATA,
    purpose="干部到联系点走访的记录",
    how_to_fill="每次走访一行。",
    columns=(
        _c("cadre_id", "干部编号", _ID, required=True, ref="roster", width=14),
        _c("date", "走访日期", _D, required=True, width=12),
        _c("place", "走访单位", _T, width=20),
        _c("content", "走访内容", _T, required=True, width=36),
        _c("solved", "解决问题数", _I, minimum=0, width=10),
    ),
)

BRIEFINGS = Sheet(
    "briefings", "党务公开", SheetKind.DATA,
    purpose="党务公开和情况通报",
    how_to_fill="每次公开一行；已反馈数不能大于收集意见数。",
    columns=(
        _c("date", "公开日期", _D, required=True, width=12),
        _c("item", "公开事项", _T, required=True, width=30),
        _enum("item_type", "事项类别", BRIEFING_TYPES, required=True, width=14),
        _enum("form", "公开形式", BRIEFING_FORMS, required=True, width=12),
        _c("coverage", "覆盖人数", _I, minimum=0, width=10),
        _c("opinions", "收集意见数", _I, minimum=0, width=10),
        _c("answered", "已反馈数", _I, minimum=0, not_above="opinions", width=10),
        _c("note", "备注", _T, width=20),
    ),
)

FORUMS = Sheet(
    "forums", "座谈会", SheetKind.DATA,
    purpose="听取党内外意见的座谈会",
    how_to_fill="每次座谈会一行；民主生活会、组织生活会前和民主评议、发展党员的座谈会应有党外人士参加。",
    columns=(
        _c("date", "召开日期", _D, required=True, width=12),
        _c("topic", "主题", _T, required=True, width=30),
        _enum("reason", "事由", FORUM_REASONS, required=True, width=14),
        _c("host_id", "主持人编号", _ID, ref="roster", width=14),
        _c("inside", "党内人数", _I, minimum=0, width=10),
        _c("outside", "党外人数", _I, minimum=0, width=10),
        _c("opinions", "征求意见数", _I, minimum=0, width=10),
        _c("rectified", "整改落实数", _I, minimum=0, not_above="opinions", width=10),
        _c("note", "备注", _T, width=20),
    ),
)

ACTIVITIES = Sheet(
    "activities", "载体活动", SheetKind.DATA,
    purpose="十百千工程、爱心助成才等载体活动及成效",
    how_to_fill="每次活动一行；参与党员编号可填多个，用顿号、逗号或空格分隔。",
    columns=(
        _c("date", "活动日期", _D, required=True, width=12),
        _c("name", "活动名称", _T, required=True, width=24),
        _enum("brand", "活动品牌", ACTIVITY_BRANDS, required=True, width=14),
        _c("member_ids", "参与党员编号", _IDS, required=True, ref="roster", width=28,
           hint="可填多个编号，用顿号、逗号或空格分隔"),
        _c("beneficiaries", "受益人数", _I, minimum=0, width=10),
        _c("outcome", "成果说明", _T, width=30),
        _c("outcome_qty", "成果数量", _N, minimum=0, width=10),
        _c("outcome_unit", "成果单位", _T, width=10),
    ),
)

QUOTAS = Sheet(
    "quotas", "指标设置", SheetKind.DATA, key_column="code",
    purpose="考核指标（由上级设定下发，一般不要改动）",
    how_to_fill="每个指标一行。适用对象、统计口径、统计周期请从下拉列表选择；权重决定该指标在指标完成分中的比重。",
    columns=(
        _c("code", "指标代码", _ID, required=True, unique=True, width=10),
        _c("name", "指标名称", _T, required=True, width=20),
        _enum("applies_to", "适用对象", QUOTA_SCOPES, required=True, width=12),
        _enum("metric", "统计口径", METRICS, required=True, width=16),
        _enum("period", "统计周期", QUOTA_PERIODS, required=True, width=10),
        _c("target", "目标值", _N, required=True, minimum=0, min_exclusive=True, width=10),
        _c("weight", "权重", _N, required=True, minimum=0, width=8),
    ),
)

# A vote count above this is a typing slip (a branch meeting has dozens of voters, a
# mass evaluation hundreds): R017 reports it and scoring does not count it.
MAX_VOTES = 100_000

EVALUATION = Sheet(
    "evaluation", "评议", SheetKind.DATA, key_column="member_id",
    purpose="年度民主评议的票数和组织评价",
    how_to_fill="每名党员一行，填写互评票数、群众评议票数和支部委员会的组织评价分（0–100）。",
    columns=(
        _c("member_id", "党员编号", _ID, required=True, unique=True, ref="roster", width=14),
        _c("name", "姓名", _T, lookup=("member_id", "name"), width=10,
           hint="按党员编号从党员名册自动带出；手工填写的须与名册一致"),
        _enum("self_grade", "自评等次", GRADES, width=10),
        _c("peer_excellent", "互评优秀票", _I, minimum=0, maximum=MAX_VOTES, width=10),
        _c("peer_pass", "互评合格票", _I, minimum=0, maximum=MAX_VOTES, width=10),
        _c("peer_basic", "互评基本合格票", _I, minimum=0, maximum=MAX_VOTES, width=12),
        _c("peer_fail", "互评不合格票", _I, minimum=0, maximum=MAX_VOTES, width=11),
        _c("mass_satisfied", "群众满意票", _I, minimum=0, maximum=MAX_VOTES, width=10),
        _c("mass_basic", "群众基本满意票", _I, minimum=0, maximum=MAX_VOTES, width=12),
        _c("mass_unsatisfied", "群众不满意票", _I, minimum=0, maximum=MAX_VOTES, width=11),
        _c("org_score", "组织评价分", _N, minimum=0, maximum=100, width=10, hint="0–100 分"),
        _c("violation", "违纪违规", _B, width=10, hint="本年度有违纪违规处理的填“是”"),
        _c("note", "备注", _T, width=20),
    ),
)


@dataclass(frozen=True)
class RuleSetting:
    """One key of 评分规则 with its default (scoring.md)."""

    key: str
    name: str
    default: float


SCORING_SETTINGS: tuple[RuleSetting, ...] = (
    RuleSetting("w_quota", "权重_指标完成", 40),
    RuleSetting("w_org", "权重_组织评价", 30),
    RuleSetting("w_mass", "权重_群众评议", 20),
    RuleSetting("w_peer", "权重_党员互评", 10),
    RuleSetting("excellent_line", "优秀分数线", 90),
    RuleSetting("pass_line", "合格分数线", 75),
    RuleSetting("basic_line", "基本合格分数线", 60),
    RuleSetting("excellent_needs_quota", "优秀需指标完成分", 90),
    RuleSetting("excellent_cap", "优秀比例上限", 0.3333),
    RuleSetting("mass_min_votes", "群众评议最少票数", 5),
    RuleSetting("mass_unsatisfied_cap", "群众不满意率上限", 0.3333),
    RuleSetting("mass_satisfied_value", "满意票分值", 100),
    RuleSetting("mass_basic_value", "基本满意票分值", 60),
    RuleSetting("mass_unsatisfied_value", "不满意票分值", 0),
    RuleSetting("peer_excellent_value", "互评优秀分值", 100),
    RuleSetting("peer_pass_value", "互评合格分值", 80),
    RuleSetting("peer_basic_value", "互评基本合格分值", 60),
    RuleSetting("peer_fail_value", "互评不合格分值", 0),
    RuleSetting("overdue_days", "办理中督办天数", 30),
)

SCORING_RULES = Sheet(
    "scoring_rules", "评分规则", SheetKind.KV,
    purpose="考评计分的权重、分数线和比例（一般不要改动）",
    how_to_fill="在「值」列修改数值；删去某项则按默认值计算。",
    kv_headers=("项目", "值"),
    columns=tuple(_c(s.key, s.name, _N, default=s.default) for s in SCORING_SETTINGS),
)

# Output sheets (written by the tool; recreated on every run).
FINDINGS = Sheet(
    "findings", "问题清单", SheetKind.OUTPUT, purpose="校验发现的问题（由「校验全部」生成）",
    columns=(
        _c("level", "级别", width=8), _c("sheet", "工作表", width=12), _c("row", "行", _I, width=7),
        _c("column", "列", width=6), _c("field", "字段", width=14), _c("value", "当前值", width=18),
        _c("message", "问题", width=60), _c("suggestion", "修改建议", width=50),
    ),
)

ROLLUP = Sheet(
    "rollup", "指标汇总", SheetKind.OUTPUT, purpose="每名党员每项指标的完成情况（由「指标汇总」生成）",
    columns=(
        _c("member_id", "党员编号", _ID, width=14), _c("name", "姓名", width=10),
        _c("branch_code", "所在支部编码", _ID, width=14), _c("quota_code", "指标代码", _ID, width=10),
        _c("quota_name", "指标名称", width=18), _c("period_kind", "统计周期", width=10),
        _c("period", "期间", width=10), _c("target", "目标值", _N, width=8), _c("actual", "实际值", _N, width=8),
        _c("rate", "完成率", _N, width=9), _c("rate_capped", "计分完成率", _N, width=10),
        _c("state", "状态", width=8),
    ),
)

RESULTS = Sheet(
    "results", "考评结果", SheetKind.OUTPUT, purpose="每名党员的考评得分和等次（由「考评计分」生成）",
    columns=(
        _c("member_id", "党员编号", _ID, width=14), _c("name", "姓名", width=10),
        _c("branch_code", "所在支部编码", _ID, width=14), _c("quota_score", "指标完成分", _N, width=10),
        _c("org_score", "组织评价分", _N, width=10), _c("mass_score", "群众评议分", _N, width=10),
        _c("peer_score", "党员互评分", _N, width=10), _c("total", "综合得分", _N, width=10),
        _c("rank", "支部内排名", _I, width=10), _c("computed_grade", "测算等次", width=10),
        _c("final_grade", "最终等次", width=10), _c("reasons", "否决或调整原因", width=40),
        _c("advice", "激励建议", width=40),
    ),
)

SOURCES = Sheet(
    "sources", "汇总来源", SheetKind.OUTPUT, purpose="汇总时每个来源文件的情况",
    columns=(
        _c("file", "文件名", width=30), _c("unit_code", "单位编码", _ID, width=12),
        _c("unit_name", "单位名称", width=20), _c("report_date", "报送日期", _D, width=12),
        _c("template_version", "模板版本", width=10), _c("sha256", "SHA-256", width=20),
        _c("row_counts", "各表行数", width=30), _c("check", "校验结果", width=14),
        _c("outcome", "处理结果", width=12), _c("reason", "原因", width=40),
    ),
)

COMPARISON = Sheet("comparison", "单位对比", SheetKind.OUTPUT, purpose="下级单位之间的对比")

# Order of the template's sheets.
SHEETS: tuple[Sheet, ...] = (
    README, OVERVIEW, META, UNITS, ROSTER, TARGETS, CONTACT_LOG, RESEARCH, RECEPTION,
    CONTACT_POINTS, POINT_VISITS, BRIEFINGS, FORUMS, ACTIVITIES, QUOTAS, EVALUATION, SCORING_RULES,
)
OUTPUT_SHEETS: tuple[Sheet, ...] = (FINDINGS, ROLLUP, RESULTS, SOURCES, COMPARISON)
ALL_SHEETS: tuple[Sheet, ...] = SHEETS + OUTPUT_SHEETS

SHEETS_BY_KEY: Mapping[str, Sheet] = MappingProxyType({s.key: s for s in ALL_SHEETS})
SHEETS_BY_NAME: Mapping[str, Sheet] = MappingProxyType({s.name: s for s in ALL_SHEETS})

DATA_SHEETS: tuple[Sheet, ...] = tuple(s for s in SHEETS if s.kind is SheetKind.DATA)
KV_SHEETS: tuple[Sheet, ...] = tuple(s for s in SHEETS if s.kind is SheetKind.KV)
REQUIRED_SHEETS: tuple[Sheet, ...] = tuple(s for s in SHEETS if s.required)
# Sheets read as data (tables or key–value); 说明 and 概览 are never read.
READ_SHEETS: tuple[Sheet, ...] = DATA_SHEETS + KV_SHEETS

# Default quotas of workbook.md (the template's 指标设置).
DEFAULT_QUOTAS: tuple[tuple[str, str, str, str, str, float, float], ...] = (
    ("Q01", "每季度联系群众", "全体党员", "联系次数", "季度", 2, 3),
    ("Q02", "年度联系群众人数", "全体党员", "联系对象人数", "年度", 3, 2),
    ("Q03", "结对对象全覆盖", "全体党员", "结对对象覆盖率", "年度", 1, 2),
    ("Q04", "群众意见办结", "全体党员", "意见办结率", "年度", 0.9, 1),
    ("Q05", "参加载体活动", "全体党员", "载体活动次数", "年度", 2, 1),
    ("Q06", "支委联系群众", "支委", "联系对象人数", "年度", 5, 2),
    ("Q07", "书记主持座谈会", "支部书记", "主持座谈会次数", "年度", 2, 2),
    ("Q08", "处级干部调研", "处级干部", "调研天数", "年度", 20, 3),
    ("Q09", "处级干部调研报告", "处级干部", "调研报告数", "年度", 1, 2),
    ("Q10", "校级干部调研", "校级干部", "调研天数", "年度", 30, 3),
    ("Q11", "校级干部调研报告", "校级干部", "调研报告数", "年度", 2, 2),
    ("Q12", "校级干部接待日", "校级干部", "接待日次数", "年度", 2, 2),
    ("Q13", "联系点走访", "处级干部", "联系点走访次数", "年度", 4, 2),
    ("Q14", "校领导联系点走访", "校级干部", "联系点走访次数", "年度", 4, 2),
)

# Columns added at the right of every data sheet of a merged workbook
# (aggregation.md): the unit whose workbook first held the row, and its row there.
SOURCE_UNIT_HEADER = "来源单位编码"
SOURCE_ROW_HEADER = "来源行"

# Prefix of the notes that validation writes into marked cells.
MARK_NOTE_PREFIX = "【校验】"

# The per-unit summary written beside the rows of 指标汇总 (a table inside that
# sheet, not a sheet of its own): RollupTable.unit_summary's columns.
ROLLUP_SUMMARY_COLUMNS: tuple[Column, ...] = (
    _c("branch_code", "所在支部编码", _ID, width=14), _c("unit_members", "党员人数", _I, width=9),
    _c("quota_code", "指标代码", _ID, width=10),
    _c("quota_name", "指标名称", width=18), _c("period", "期间", width=10),
    _c("members", "应达标人数", _I, width=10), _c("met", "达标人数", _I, width=10),
    _c("rate", "达标率", _N, width=10),
)


def sheet(key: str) -> Sheet:
    """The sheet definition for an English key (``"roster"``)."""
    return SHEETS_BY_KEY[key]


def header_index(sh: Sheet) -> dict[str, str]:
    """Folded header or alias → column key, for matching a sheet's header row.

    Names are folded the way the reader folds what it finds (see
    ``normalize.fold_header``), so ``' 联系 日期 '`` and ``'联系日期'`` match.
    """
    from dj_addin.normalize import fold_header

    index: dict[str, str] = {}
    for col in sh.columns:
        index[fold_header(col.header)] = col.key
    for col in sh.columns:  # aliases never override a real header
        for alias in col.aliases:
            index.setdefault(fold_header(alias), col.key)
    return index


def header_candidates(sh: Sheet) -> dict[str, tuple[str, ...]]:
    """Folded alias → the column keys it may stand for, in schema order.

    Unlike ``header_index`` an alias may name several columns (人员类别 is
    党员类别 in one system and 党员身份 in another): the reader lets the
    column's values decide. The sheet's own headers are not included.
    """
    from dj_addin.normalize import fold_header

    own = {fold_header(c.header) for c in sh.columns}
    out: dict[str, tuple[str, ...]] = {}
    for col in sh.columns:
        for alias in col.aliases:
            folded = fold_header(alias)
            if folded not in own and col.key not in out.get(folded, ()):
                out[folded] = out.get(folded, ()) + (col.key,)
    return out


def synonyms_for(col: Column) -> Mapping[str, str]:
    """The synonym table of an enum column (empty when it has none)."""
    name = ENUM_SYNONYMS.get(col.key)
    return SYNONYMS.get(name, MappingProxyType({})) if name else MappingProxyType({})
