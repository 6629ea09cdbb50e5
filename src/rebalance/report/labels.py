"""Column headers and cell labels of the output tables, in English and Chinese.

The English names are the contract (DESIGN.md "Outputs"). Chinese headers that overlap an
input column use a name the input reader accepts as an alias (``客户编码`` → client_id,
``客户经理`` → manager, ``客户经理编码`` → manager_id, ``锁定`` → locked …), so a Chinese
``assignment.csv`` can be read back by ``rebalance check --assignment``.
"""

from __future__ import annotations

from rebalance.data import Problem
from rebalance.i18n import catalog, check_lang

LANGS: tuple[str, ...] = ("en", "zh")


def _headers(table: str) -> dict[str, str]:
    """English column name -> Chinese header, from the catalog (``tables.<table>.<column>``)."""
    prefix = f"tables.{table}."
    return {key[len(prefix):]: zh for key, (_, zh) in catalog().items() if key.startswith(prefix)}


# assignment.csv and moves.csv (client rows), managers.csv (manager rows)
ZH_COLUMNS: dict[str, str] = _headers("client")
ZH_MANAGER_COLUMNS: dict[str, str] = _headers("manager")

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
    check_lang(lang)
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
    return f"{manager_id} {name}" if name and name != manager_id else manager_id


def client_label(problem: Problem, client_id: str) -> str:
    """``510997 南昌地铁集团``: a client's id with its name beside it."""
    name = problem.client(client_id).name if client_id in problem.client_index else ""
    return f"{client_id} {name}" if name else client_id
