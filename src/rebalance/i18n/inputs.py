"""Messages about the input: data files, cells, headers, plans and scenario files.

Every problem the readers and the scenario loader report, in English and Chinese. The place
(file, row, column) is added by ``rebalance.errors.Issue``; these are the words after it.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "inputs.where.row": ("row {row}", "第 {row} 行"),
    # files and encodings
    "inputs.file.missing": ("file {path!r} does not exist", "文件 {path!r} 不存在"),
    "inputs.file.folder": ("{path!r} is a folder, not a table", "{path!r} 是文件夹，不是表格"),
    "inputs.file.unreadable": ("cannot read the file: {reason}", "无法读取文件：{reason}"),
    "inputs.file.type": (
        'unsupported file type "{suffix}": use .csv, .xlsx or .parquet',
        '不支持的文件类型 "{suffix}"：请使用 .csv、.xlsx 或 .parquet',
    ),
    "inputs.file.type_xls": (
        'unsupported file type "{suffix}" (save it as .xlsx): use .csv, .xlsx or .parquet',
        '不支持的文件类型 "{suffix}"（请另存为 .xlsx）：请使用 .csv、.xlsx 或 .parquet',
    ),
    "inputs.encoding.unknown": (
        'unknown encoding "{encoding}" (try utf-8 or gb18030)',
        '未知编码 "{encoding}"（可尝试 utf-8 或 gb18030）',
    ),
    "inputs.encoding.wrong": (
        "cannot be read as {encoding}: {reason} (check the file's encoding)",
        "无法按 {encoding} 读取：{reason}（请检查文件编码）",
    ),
    "inputs.encoding.bom": (
        "starts with a {codec} byte-order mark but cannot be read as {codec}: {reason}",
        "文件以 {codec} 字节顺序标记开头，但无法按 {codec} 读取：{reason}",
    ),
    "inputs.encoding.neither": (
        "is neither UTF-8 nor GB18030 text; set data.encoding in the scenario (e.g. big5)",
        "既不是 UTF-8 也不是 GB18030 文本；请在场景中设置 data.encoding（例如 big5）",
    ),
    "inputs.csv.unreadable": (
        "is not a readable CSV file: {reason}",
        "不是可读取的 CSV 文件：{reason}",
    ),
    "inputs.excel.unreadable": (
        "is not a readable Excel workbook ({reason})", "不是可读取的 Excel 工作簿（{reason}）"),
    "inputs.excel.no_sheet": (
        'has no sheet "{sheet}" (sheets: {sheets})',
        '没有名为 "{sheet}" 的工作表（现有工作表：{sheets}）',
    ),
    "inputs.parquet.unreadable": (
        "is not a readable Parquet file ({reason})", "不是可读取的 Parquet 文件（{reason}）"),
    "inputs.excel.merged": (
        'sheet "{sheet}", cells {range} ({heading}) are merged, so all but the first would be '
        "read as blank; unmerge them, or set data.fill_merged: true to fill the value down",
        '工作表 "{sheet}" 的单元格 {range}（{heading}）是合并单元格，除第一个外都会被读成空白；'
        "请取消合并，或在场景中设置 data.fill_merged: true 向下填充",
    ),
    "inputs.excel.uncalculated": (
        "cell {ref} holds a formula whose value was never calculated (the file was written by "
        "a program, not saved by Excel), so it would read as blank; open and save the file in "
        "Excel, or paste the values",
        "单元格 {ref} 是从未计算过的公式（文件由程序生成，未经 Excel 保存），会被读成空白；"
        "请用 Excel 打开并保存，或粘贴为数值",
    ),
    "inputs.excel.other_sheet": (
        'the columns seem to be on sheet "{sheet}", but the first sheet ("{first}") is the '
        "one read: move that sheet to the front",
        '列名似乎在工作表 "{sheet}" 中，但读取的是第一个工作表（"{first}"）：'
        "请把该工作表移到最前面",
    ),
    # headers
    "inputs.header.lower": (
        "the column names seem to be on row {header_row}: delete the {above} row(s) above them "
        "(a title row) so that row 1 holds the column names",
        "列名似乎在第 {header_row} 行：请删除其上方的 {above} 行（标题行），使第 1 行为列名",
    ),
    "inputs.header.empty": (
        "the first row must hold the column names, but it is empty",
        "第一行应为列名，但它是空的",
    ),
    "inputs.header.missing": (
        'missing required column "{what}" (accepted names: {names})',
        '缺少必需的列 "{what}"（可用列名：{names}）',
    ),
    "inputs.header.twice": (
        'columns "{first}" and "{second}" both mean {meaning}; keep only one',
        '列 "{first}" 和 "{second}" 都表示 {meaning}；请只保留一列',
    ),
    "inputs.header.unit": (
        'the header names the unit "{unit}", which is not one the reader knows (元, 千元, '
        "万元, 百万元, 亿元); convert the column to 元 or rename the header",
        '列名中的单位 "{unit}" 无法识别（可用：元、千元、万元、百万元、亿元）；'
        "请把该列换算为元，或修改列名",
    ),
    # rows and cells
    "inputs.row.stray_cells": (
        "has a value where the header row has no column name ({cells}, cell {position}; the "
        "header has {columns} columns): an unquoted 1,234,567 splits into several cells; "
        "quote it or remove the thousands separators",
        "有单元格位于没有列名的位置（{cells}，第 {position} 个单元格；表头共 {columns} 列）："
        "未加引号的 1,234,567 会被拆成多个单元格；请加引号或去掉千位分隔符",
    ),
    "inputs.cell.too_long": (
        "the cell holds {n:,} characters, more than Excel's limit of {limit:,}; shorten it "
        "(it would be cut when the plan is written)",
        "单元格有 {n:,} 个字符，超过 Excel 单元格上限 {limit:,}；请缩短（否则写出方案时会被截断）",
    ),
    "inputs.cell.inexact_id": (
        '"{text}" was stored by Excel as a number, which keeps only {digits} significant '
        "digits, so the id may have lost digits; format the column as text and type the ids "
        "again",
        '"{text}" 被 Excel 存成了数字，只保留 {digits} 位有效数字，编码可能已丢失数位；'
        "请把该列设为文本格式并重新输入编码",
    ),
    "inputs.cell.date_id": (
        '"{text}" is a date: Excel turned the id into a date as it was typed; format the '
        "column as text and type the id again",
        '"{text}" 是日期：Excel 在输入时把编码转成了日期；请把该列设为文本格式并重新输入编码',
    ),
    "inputs.cell.empty": ("is empty", "为空"),
    "inputs.cell.not_number": ('"{text}" is not a number', '"{text}" 不是数字'),
    "inputs.cell.number_with_unit": (
        '"{text}" is not a number (write it in 元, or put the unit in the header, e.g. '
        "收入(万元))",
        '"{text}" 不是数字（请以元填写，或把单位写在列名中，例如 收入(万元)）',
    ),
    "inputs.cell.too_large": (
        '"{text}" is too large or not finite (at most {limit})',
        '"{text}" 过大或不是有限数（最大 {limit}）',
    ),
    "inputs.cell.negative": ('{what} must be 0 or more, got "{text}"',
                             '{what} 必须大于或等于 0，实际为 "{text}"'),
    "inputs.cell.importance": (
        'importance must be 1-5 or a tier letter S/A/B/C/D, got "{text}"',
        '重要程度必须为 1-5 或等级字母 S/A/B/C/D，实际为 "{text}"',
    ),
    "inputs.cell.relationship": (
        'relationship must be between 0 and 1, got "{text}"',
        '关系强度必须在 0 到 1 之间，实际为 "{text}"',
    ),
    "inputs.cell.bool": (
        '"{text}" is not yes/no (use 是/否, yes/no, true/false or 1/0)',
        '"{text}" 不是是/否（请使用 是/否、yes/no、true/false 或 1/0）',
    ),
    "inputs.cell.status": (
        'unknown status "{text}" (use active/在岗, leaving/离职/调出 or new/新入职)',
        '未知状态 "{text}"（请使用 在岗/active、离职/调出/leaving 或 新入职/new）',
    ),
    "inputs.cell.not_whole": ('"{text}" is not a whole number', '"{text}" 不是整数'),
    "inputs.cell.capacity_whole": (
        'capacity must be a whole number, got "{text}"', '容量必须为整数，实际为 "{text}"'),
    "inputs.cell.fte": ('fte must be greater than 0, got "{text}"',
                        '人力系数必须大于 0，实际为 "{text}"'),
    "inputs.cell.fte_range": (
        'fte must be between {low:g} and {high:g}, got "{text}"',
        '人力系数必须在 {low:g} 到 {high:g} 之间，实际为 "{text}"',
    ),
    # ids
    "inputs.manager.unknown": (
        '"{id}" is not a manager id in {table}', '"{id}" 不是 {table} 中的客户经理编码'),
    "inputs.manager.unknown_near": (
        '"{id}" is not a manager id in {table}; did you mean {label}?',
        '"{id}" 不是 {table} 中的客户经理编码；是否指 {label}？',
    ),
    "inputs.pair.unknown_client": (
        "{section} entry {n} names client {client!r}, which is not in the clients table",
        "{section} 第 {n} 项的客户 {client!r} 不在客户表中",
    ),
    "inputs.pair.unknown_client_near": (
        "{section} entry {n} names client {client!r}, which is not in the clients table; "
        "did you mean {label}?",
        "{section} 第 {n} 项的客户 {client!r} 不在客户表中；是否指 {label}？",
    ),
    "inputs.pair.unknown_manager": (
        "{section} entry {n} names manager {manager!r}, which is not in the managers table",
        "{section} 第 {n} 项的客户经理 {manager!r} 不在客户经理表中",
    ),
    "inputs.pair.unknown_manager_near": (
        "{section} entry {n} names manager {manager!r}, which is not in the managers table; "
        "did you mean {label}?",
        "{section} 第 {n} 项的客户经理 {manager!r} 不在客户经理表中；是否指 {label}？",
    ),
    "inputs.pair.lock_leaving": (
        "locks entry {n} puts client {client!r} on manager {manager!r}, who is leaving",
        "locks 第 {n} 项把客户 {client!r} 锁定给即将离职的客户经理 {manager!r}",
    ),
    # plans
    "inputs.plan.client_empty": ("client id is empty", "客户编码为空"),
    "inputs.plan.client_unknown": (
        'client "{id}" is not in the clients table ({table})',
        '客户 "{id}" 不在客户表（{table}）中',
    ),
    "inputs.plan.client_unknown_near": (
        'client "{id}" is not in the clients table ({table}); did you mean {label}?',
        '客户 "{id}" 不在客户表（{table}）中；是否指 {label}？',
    ),
    "inputs.plan.client_twice": (
        'client "{id}" appears more than once (first in row {first})',
        '客户 "{id}" 出现了多次（首次在第 {first} 行）',
    ),
    "inputs.plan.manager_empty": (
        'no manager given for client "{id}"', '客户 "{id}" 没有填写客户经理'),
    "inputs.plan.missing": (
        "clients of the clients table missing from the plan ({n}): {ids}",
        "客户表中有 {n} 个客户不在方案中：{ids}",
    ),
    "inputs.plan.lost_zeros": (
        '{n} ids in the plan lost their leading zeros (e.g. "{short}" is "{full}"), as '
        "happens when a CSV is opened and saved in Excel; use the file rebalance wrote, or "
        "add --set data.restore_zeros=true to put the zeros back",
        '方案中有 {n} 个编码丢失了前导零（例如 "{short}" 应为 "{full}"），通常是 CSV 被 Excel '
        "打开并保存所致；请使用 rebalance 写出的原文件，或加上 --set data.restore_zeros=true "
        "补回前导零",
    ),
    # scenario files
    "inputs.scenario.missing": (
        "scenario file {path!r} does not exist",
        "场景文件 {path!r} 不存在",
    ),
    "inputs.scenario.unreadable": (
        "cannot read scenario file: {reason}", "无法读取场景文件：{reason}"),
    "inputs.scenario.too_large": (
        "the scenario file is larger than {limit:,} bytes; a scenario names its data files "
        "rather than holding them",
        "场景文件超过 {limit:,} 字节；场景应引用数据文件，而不是包含数据",
    ),
    "inputs.scenario.encoding": (
        "the scenario file is neither UTF-8 nor GB18030/GBK text; save it as UTF-8",
        "场景文件既不是 UTF-8 也不是 GB18030/GBK 文本；请另存为 UTF-8",
    ),
    "inputs.scenario.not_yaml": ("not valid YAML: {problem}", "不是有效的 YAML：{problem}"),
    "inputs.scenario.not_mapping": (
        "a scenario must be a mapping of fields", "场景必须是由字段组成的映射"),
    "inputs.scenario.too_big": (
        "anchors and aliases (&/*) would expand to more than {limit:,} values; write the "
        "values out or use fewer aliases",
        "锚点和别名（&/*）展开后超过 {limit:,} 个值；请直接写出取值或减少别名",
    ),
    "inputs.scenario.too_deep": (
        "nested more than {limit} levels deep", "嵌套超过 {limit} 层"),
    "inputs.scenario.recursive": (
        "an alias (*) refers to the anchor (&) that contains it",
        "别名（*）引用了包含它自身的锚点（&）",
    ),
    "inputs.scenario.duplicate_key": (
        'the key "{key}" is given twice (first on line {first}); keep one',
        '键 "{key}" 出现了两次（首次在第 {first} 行）；请只保留一个',
    ),
    "inputs.scenario.extends_cycle": (
        "extends forms a cycle: {chain}",
        "extends 形成了循环：{chain}",
    ),
    "inputs.scenario.extends_type": ("extends must be a file name", "extends 必须是文件名"),
    "inputs.scenario.extends_missing": (
        "extends names {parent!r}, which does not exist", "extends 指向的 {parent!r} 不存在"),
    "inputs.scenario.unknown_key": ("unknown key {key!r}", "未知的键 {key!r}"),
    "inputs.scenario.missing_key": ("missing required key {key!r}", "缺少必需的键 {key!r}"),
    "inputs.scenario.invalid": ("{key}: {detail}", "{key}：取值无效（{detail}）"),
    "inputs.scenario.invalid_got": (
        "{key}: {detail} (got {got})", "{key}：取值无效（{detail}），实际为 {got}"),
    "inputs.set.no_equals": (
        "--set {text!r}: expected key=value, e.g. solver.time_limit=10",
        "--set {text!r}：应为 键=值，例如 solver.time_limit=10",
    ),
    "inputs.set.empty_key": ("--set {text!r}: the key is empty", "--set {text!r}：键为空"),
    "inputs.set.bad_value": (
        "--set {text!r}: cannot read the value ({reason})",
        "--set {text!r}：无法读取取值（{reason}）",
    ),
    # warnings: legal, but probably a mistake
    "inputs.warn.tolerance": (
        "balance.{metric}.tolerance is {tolerance:g}, a band of ±{tolerance:.0%} around the "
        "fair share that almost every manager is inside; did you mean {percent:g}?",
        "balance.{metric}.tolerance 为 {tolerance:g}，即公平份额上下 ±{tolerance:.0%} 的区间，"
        "几乎所有客户经理都在区间内；是否想写 {percent:g}？",
    ),
    "inputs.warn.no_balance": (
        "every balance weight is 0: the plan will not balance anything",
        "所有均衡权重都为 0：方案不会做任何均衡",
    ),
    "inputs.warn.lone_part_time": (
        "{id} (fte {fte:g}) is the only manager of its pool ({industries}; clients: {n}): it "
        "holds the pool's whole share whatever its fte; give the pool another manager or "
        "check the fte",
        "{id}（人力系数 {fte:g}）是其均衡池（{industries}，{n} 个客户）中唯一的客户经理："
        "无论人力系数多少都要承担整个池的份额；请为该池增加客户经理或检查人力系数",
    ),
    "inputs.warn.wan": (
        "revenue looks like 万元 (the median client has {median:,.4g}) while targets.round_to "
        "is {round_to:,.0f}: targets would be rounded to steps of {round_to:,.0f} 万元; write "
        "revenue in 元, name the unit in the header (收入(万元)), or lower targets.round_to",
        "收入看起来是以万元为单位（客户收入中位数为 {median:,.4g}），而 targets.round_to 为 "
        "{round_to:,.0f}：指标会按 {round_to:,.0f} 万元取整；请以元填写收入、在列名中注明单位"
        "（收入(万元)），或调小 targets.round_to",
    ),
    "inputs.warn.title": ("Warnings (the plan is still made):", "提醒（不影响生成方案）："),
    # the book as a whole (rebalance.data.Problem)
    "inputs.book.manager_id_empty": ("manager id is empty", "客户经理编码为空"),
    "inputs.book.manager_id_twice": (
        'duplicate manager id "{id}" (first seen in row {first})',
        '客户经理编码 "{id}" 重复（首次出现在第 {first} 行）',
    ),
    "inputs.book.client_id_twice": (
        'duplicate client id "{id}" (first seen in row {first})',
        '客户编码 "{id}" 重复（首次出现在第 {first} 行）',
    ),
    "inputs.book.no_industry": ("no industry group given", "没有填写行业组"),
    "inputs.book.industry_unserved": (
        'no staying manager serves industry "{industry}" (served: {known})',
        '没有在岗客户经理负责行业 "{industry}"（已覆盖的行业：{known}）',
    ),
    "inputs.book.locked_new": (
        "locked, but the client has no current manager to stay with",
        "已锁定，但该客户没有可保留的现客户经理",
    ),
    "inputs.book.locked_leaving": (
        'locked to manager "{id}", who is leaving', '锁定给即将离职的客户经理 "{id}"'),
    # scenario values (pydantic error types)
    "inputs.value.finite_number": ("{key}: must be a finite number (got {got})",
                                   "{key}：必须是有限数（实际为 {got}）"),
    "inputs.value.greater_than": ("{key}: must be greater than {gt} (got {got})",
                                  "{key}：必须大于 {gt}（实际为 {got}）"),
    "inputs.value.greater_than_equal": ("{key}: must be {ge} or more (got {got})",
                                        "{key}：必须大于或等于 {ge}（实际为 {got}）"),
    "inputs.value.less_than": ("{key}: must be less than {lt} (got {got})",
                               "{key}：必须小于 {lt}（实际为 {got}）"),
    "inputs.value.less_than_equal": ("{key}: must be at most {le} (got {got})",
                                     "{key}：不能超过 {le}（实际为 {got}）"),
    "inputs.value.literal_error": ("{key}: must be {expected} (got {got})",
                                   "{key}：只能是 {expected}（实际为 {got}）"),
    "inputs.value.int_parsing": ("{key}: must be a whole number (got {got})",
                                 "{key}：必须是整数（实际为 {got}）"),
    "inputs.value.int_from_float": ("{key}: must be a whole number (got {got})",
                                    "{key}：必须是整数（实际为 {got}）"),
    "inputs.value.float_parsing": ("{key}: must be a number (got {got})",
                                   "{key}：必须是数字（实际为 {got}）"),
    "inputs.value.bool_parsing": ("{key}: must be true or false (got {got})",
                                  "{key}：必须是 true 或 false（实际为 {got}）"),
    "inputs.value.string_type": ("{key}: must be text (got {got})",
                                 "{key}：必须是文本（实际为 {got}）"),
    "inputs.value.dict_type": ("{key}: must be a mapping of fields (got {got})",
                               "{key}：必须是由字段组成的映射（实际为 {got}）"),
    "inputs.value.tuple_type": ("{key}: must be a list (got {got})",
                                "{key}：必须是列表（实际为 {got}）"),
    "inputs.value.list_type": ("{key}: must be a list (got {got})",
                               "{key}：必须是列表（实际为 {got}）"),
}
