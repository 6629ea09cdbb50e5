"""Column headers and cell labels of the output tables, in English and Chinese.

The English names are the contract (DESIGN.md "Outputs"). Chinese headers that overlap an
input column use a name the input reader accepts as an alias (``客户编码`` → client_id,
``客户经理`` → manager, ``客户经理编码`` → manager_id, ``锁定`` → locked …), so a Chinese
``assignment.csv`` can be read back by ``rebalance check --assignment``.
"""

from __future__ import annotations

from rebalance.data import Problem

LANGS: tuple[str, ...] = ("en", "zh")

ZH_COLUMNS: dict[str, str] = {
    # assignment.csv
    "client_id": "客户编码",
    "name": "客户名称",
    "industry": "行业",
    "revenue": "收入",
    "importance": "重要程度",
    "previous_manager": "原客户经理",
    "previous_manager_name": "原客户经理姓名",
    "manager": "客户经理",
    "manager_name": "客户经理姓名",
    "moved": "是否调整",
    "kind": "变动类型",
    "exchange": "交换编号",
    "locked": "锁定",
    "reason": "调整原因",
    "backup_manager": "B角客户经理",
    # moves.csv
    "from_manager": "调出客户经理",
    "to_manager": "调入客户经理",
    "from_manager_name": "调出客户经理姓名",
    "to_manager_name": "调入客户经理姓名",
}

ZH_MANAGER_COLUMNS: dict[str, str] = {
    "manager_id": "客户经理编码",
    "name": "姓名",
    "industry": "行业组",
    "status": "状态",
    "clients_before": "调整前客户数",
    "clients_after": "调整后客户数",
    "revenue_before": "调整前收入",
    "revenue_after": "调整后收入",
    "revenue_share": "收入公平份额",
    "revenue_dev": "收入偏差",
    "importance_before": "调整前重要程度",
    "importance_after": "调整后重要程度",
    "importance_share": "重要程度公平份额",
    "importance_dev": "重要程度偏差",
    "target": "指标",
    "equal_split_target": "平均分配指标",
    "required_growth": "所需增长率",
    "equal_split_growth": "平均分配所需增长率",
    "backup_clients": "B角客户数",
    "backup_importance": "B角重要程度",
}

# Sheet titles of assignment.xlsx, keyed by output table name.
SHEET_NAMES: dict[str, dict[str, str]] = {
    "en": {"assignment": "assignment", "managers": "managers", "moves": "moves"},
    "zh": {"assignment": "客户分配", "managers": "客户经理", "moves": "调整清单"},
}

# Excel number formats by English column name (values stay plain numbers; only display).
NUMBER_FORMATS: dict[str, str] = {
    "revenue": "#,##0.00",
    "revenue_before": "#,##0.00",
    "revenue_after": "#,##0.00",
    "revenue_share": "#,##0.00",
    "revenue_dev": "0.0%",
    "importance_share": "0.00",
    "importance_dev": "0.0%",
    "target": "#,##0",
    "equal_split_target": "#,##0",
    "required_growth": "0.0%",
    "equal_split_growth": "0.0%",
}


def column_names(table: str, lang: str) -> dict[str, str]:
    """English column name -> header in ``lang`` for ``table`` (assignment/managers/moves)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use 'en' or 'zh')")
    mapping = ZH_MANAGER_COLUMNS if table == "managers" else ZH_COLUMNS
    if lang == "en":
        return {en: en for en in mapping}
    return dict(mapping)


def number_formats(lang: str) -> dict[str, str]:
    """Excel number formats keyed by the headers used in ``lang`` (both tables' names)."""
    if lang == "en":
        return dict(NUMBER_FORMATS)
    formats: dict[str, str] = {}
    for mapping in (ZH_COLUMNS, ZH_MANAGER_COLUMNS):
        for en, spec in NUMBER_FORMATS.items():
            if en in mapping:
                formats[mapping[en]] = spec
    return formats


# Punctuation between the parts of a sentence (not messages: no words to translate).
PUNCT: dict[str, dict[str, str]] = {
    "en": {"colon": ": ", "sep": "; ", "arrow": " → "},
    "zh": {"colon": "：", "sep": "；", "arrow": " → "},
}

MINUS = "−"  # U+2212: a minus sign, not a hyphen


def pct(dev: float | None, tolerance: float | None = None) -> str:
    """A signed percentage with one decimal (``+35.7%``, ``−10.0%``, ``—`` when None).

    With ``tolerance``, the figure never contradicts its band: a deviation outside the band
    (``metrics.outside_band``) gets as many decimals as it takes to show a value beyond the
    band (``−10.01%`` against ±10 %, never ``−10.0%``).
    """
    from rebalance.metrics import outside_band

    if dev is None:
        return "—"
    digits = 1
    if tolerance is not None and outside_band(dev, tolerance):
        while digits < 6 and round(abs(dev) * 100, digits) <= tolerance * 100:
            digits += 1
    value = round(dev * 100, digits)
    if value == 0:
        return f"{0:.{digits}f}%"
    return f"{'+' if value > 0 else MINUS}{abs(value):.{digits}f}%"


def band(tolerance: float) -> str:
    """``±10%``: a tolerance as the band around the fair share."""
    return f"±{tolerance * 100:g}%"


def who(problem: Problem, manager_id: str | None) -> str:
    """``KM001 张伟``: a manager's id with its name beside it (the id alone when unnamed)."""
    if manager_id is None:
        return ""
    name = problem.manager(manager_id).name if manager_id in problem.manager_index else ""
    return f"{manager_id} {name}" if name else manager_id


def client_label(problem: Problem, client_id: str) -> str:
    """``510997 南昌地铁集团``: a client's id with its name beside it."""
    name = problem.client(client_id).name if client_id in problem.client_index else ""
    return f"{client_id} {name}" if name else client_id
