"""The text of the 说明 sheet, built from the schema (sheet purposes and how
to fill them) and the ribbon/command list of interfaces.md.

It says only what exists: the Excel add-in (the ribbon) and the commands
`dj export` and `dj split` come in a later version and are
marked so (:data:`LATER`); the `dj` commands are installed from the package
file or repository the organisers provide (dj-addin is not on PyPI).

Kept apart from :mod:`dj_addin.template.build` so that the words can be reviewed
without reading styling code. Each line is ``(kind, first, second)`` with kind
``title`` / ``section`` / ``text`` / ``item``.
"""

from __future__ import annotations

from dj_addin import schema
from dj_addin.schema import SheetKind

Line = tuple[str, str, str]

LATER = "后续版本提供"

# Ribbon groups and buttons (interfaces.md), with what each does and the
# `dj` command that does the same without Excel (WPS users, servers).
RIBBON: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("数据校验", (
        ("校验全部", "检查所有工作表：必填项、日期、下拉选项、编号是否对得上等；问题写入「问题清单」，"
                  "并在出错的单元格标色、加批注。", "dj validate 工作簿.xlsx --in-place"),
        ("清除标记", "去掉「校验全部」留下的颜色和批注，数据不变。", "dj clear-marks 工作簿.xlsx --in-place"),
    )),
    ("统计考评", (
        ("指标汇总", "按「指标设置」统计每名党员每项指标的完成情况，写入「指标汇总」。",
         "dj rollup 工作簿.xlsx --in-place"),
        ("考评计分", "按「评分规则」计算综合得分、测算等次和最终等次，写入「考评结果」。",
         "dj score 工作簿.xlsx --in-place"),
        ("一键处理", "依次完成校验、指标汇总和考评计分。", "dj run 工作簿.xlsx --in-place"),
        ("打印评议票", "按党员名册生成党员互评票（每名党员一份）、群众评议票和计票表，用 A4 纸直接打印（党员多时一份票分几页，"
                    "字不缩小）；计票表的各列与「评议」相同，数好票后可整块复制到「评议」。", "dj ballots 工作簿.xlsx"),
    )),
    ("上报汇总", (
        ("导出上报", "生成报送上级的工作簿（联系电话等个人信息自动打码）；仍有错误时会先提醒。",
         "dj export 工作簿.xlsx -o 上报.xlsx"),
        ("汇总下级", "选择存放下级工作簿的文件夹（也可以是 .zip 压缩包或保存的邮件 .eml），合并成一个本级工作簿，"
                     "并列出退回的文件、未报送单位和冲突。",
         "dj aggregate 文件夹 -o 汇总.xlsx --template 本级工作簿.xlsx"),
        ("拆分下发", "按「下级单位」把本工作簿拆成每个下级一份，预先填好基本信息和指标。",
         "dj split 工作簿.xlsx --out 下发文件夹"),
    )),
    ("帮助", (
        ("使用说明", "打开本说明。", "dj --help"),
        ("关于", "显示插件、xlwings 和 Python 的版本。", "dj --version"),
    )),
)

PILLARS: tuple[tuple[str, str], ...] = (
    ("制度", "调查研究、领导干部接待日、干部联系点、党务公开、党员联系群众（联系记载）和听取党内外意见的座谈会，"
           "每项都有年度指标，写在「指标设置」里。"),
    ("载体", "十百千工程、爱心助成才、共产党员示范岗、党员责任区等主题服务活动及其成效，记在「载体活动」里。"),
    ("考评", "年度民主评议（「评议」）、指标完成情况和群众评价一起计算综合得分和等次，"
           "结果用于表彰激励或提醒谈话。"),
)


def readme_lines() -> list[Line]:
    """Every line of 说明, in order: plain words for a secretary first, the command line in an appendix."""
    lines: list[Line] = [
        ("title", "党员联系服务群众工作簿 使用说明", ""),
        ("text", "本工作簿用于记录和统计党员联系服务群众的工作。请按下面的说明填写各表；填好后，点击"
                 "「党建助手」选项卡上的按钮（或请负责信息工作的同志运行党建助手），即可检查填写是否有误、"
                 "统计指标完成情况、计算考评得分。不安装任何软件也能填写和查看，「概览」中的数字会自动计算。", ""),
        ("section", "一、工作机制的三个方面", ""),
    ]
    lines += [("item", name, text) for name, text in PILLARS]
    lines.append(("section", "二、各工作表怎么填", ""))
    for sheet in schema.SHEETS:
        if sheet.kind is SheetKind.INFO:
            continue
        text = sheet.purpose
        if sheet.how_to_fill:
            text += "。" + sheet.how_to_fill
        if sheet.required:
            text += "（必备工作表）"
        lines.append(("item", sheet.name, text))
    lines += [
        ("section", "三、填写规则", ""),
        ("item", "表头", "第 1 行是表头，请不要改动或删除；数据从第 2 行开始，每行一条记录，中间可以有空行。"
                         "红底白字的列为必填，浅色表头的列可以不填。"),
        ("item", "日期", f"可以填写 {schema.DATE_FORMS_TEXT}，建议统一写成 2026-03-05。"),
        ("item", "下拉选项", "带下拉箭头的列请从列表中选择；“是/否”列也可填 Y/N、1/0、√/×。"),
        ("item", "编号", "党员编号、对象编号等按文本保存，前面的 0 不会丢失；英文字母不区分大小写。"
                         "多个编号之间用顿号、逗号或空格分隔。"),
        ("item", "个人信息", "联系电话等个人信息在导出上报时会自动打码（如 138****5678）；评议票上不印电话。"),
        ("item", "自动生成的表", "问题清单、指标汇总、考评结果（以及汇总下级时的汇总来源、单位对比）由党建助手生成，每次运行都会重新生成，"
                              "请不要在其中填写内容。"),
        ("section", "四、功能按钮（选项卡「党建助手」）", ""),
        ("text", "装好党建助手加载项后，Excel 的功能区多出「党建助手」选项卡，下列按钮都在其中。使用 WPS 或没有"
                 "安装加载项时，可请负责信息工作的同志用附录中的命令完成同样的工作。", ""),
    ]
    for group, buttons in RIBBON:
        for name, what, _ in buttons:
            lines.append(("item", f"{group}｜{name}", what))
    lines += [
        ("section", "五、打印", ""),
        ("item", "打印效果", "党建助手生成的表都按 A4 纸排版：每页页眉印有单位名称、考核年度和表名，页脚印有"
                           "“第 N 页 共 M 页”，表头每页重复。"),
        ("item", "考评结果", "按支部和排名排列，表尾留有支部书记签字、审核人和日期（盖章）的位置，打印后签字归档。"),
        ("item", "指标汇总", "第一页是各指标达标率的图和表，之后是每名党员的明细，未达标的行标为红色。"),
        ("item", "空表不打印", "没有数据的表在打印整个工作簿时不打印，评议只打印到最后一个填了数据的行（其下预置公式的空行不打印）；"
                           "新填的数据点一次“校验全部”或“一键处理”后打印（或“页面布局 → 打印区域 → 取消打印区域”）。"),
        ("section", "附录：命令行（供负责信息工作的同志使用）", ""),
        ("text", "没有 Excel 插件时，可以在命令行运行下列 dj 命令，效果与对应按钮相同；"
                 "安装方法见党建助手随附的 README 说明。", ""),
    ]
    for group, buttons in RIBBON:
        for name, _, command in buttons:
            lines.append(("item", f"{group}｜{name}", f"命令：{command}"))
    lines += [
        ("item", "新建模板", "生成一份空白工作簿；不会覆盖已有的文件（确需覆盖时加 --force）。\n"
                             "命令：dj template -o 工作簿.xlsx"),
        ("section", "版本", ""),
        ("item", "模板版本", schema.TEMPLATE_VERSION),
    ]
    return lines


# One line per 评分规则 item (scoring.md), shown beside the value.
SCORING_NOTES: dict[str, str] = {
    "w_quota": "综合得分中指标完成分的权重",
    "w_org": "综合得分中组织评价分的权重",
    "w_mass": "综合得分中群众评议分的权重",
    "w_peer": "综合得分中党员互评分的权重",
    "excellent_line": "综合得分达到此分数测算为优秀",
    "pass_line": "综合得分达到此分数测算为合格",
    "basic_line": "综合得分达到此分数测算为基本合格，低于此分为不合格",
    "excellent_needs_quota": "评为优秀还需指标完成分不低于此分",
    "excellent_cap": "每个支部优秀人数不超过评定等次党员的比例（1/3 显示为 33.3%，填 0.3333）",
    "mass_min_votes": "群众评议票数少于此数时不计群众评议分",
    "mass_unsatisfied_cap": "群众不满意票超过此比例的，最高评为基本合格",
    "mass_satisfied_value": "每张满意票的分值",
    "mass_basic_value": "每张基本满意票的分值",
    "mass_unsatisfied_value": "每张不满意票的分值",
    "peer_excellent_value": "每张互评优秀票的分值",
    "peer_pass_value": "每张互评合格票的分值",
    "peer_basic_value": "每张互评基本合格票的分值",
    "peer_fail_value": "每张互评不合格票的分值",
    "overdue_days": "意见诉求“办理中”超过此天数的，校验时提醒督办",
}
