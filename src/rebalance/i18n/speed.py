"""What `solve` prints about a book too big to list in full on a terminal, in English and
Chinese (the full tables are in the output files)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "speed.table.title_top": (
        "Managers before → after: the {n} of {m} furthest from their share "
        "({k} outside a band)",
        "客户经理调整前 → 调整后：{m} 名中偏离份额最多的 {n} 名（{k} 名在区间外）",
    ),
    "speed.table.full": (
        "All {m} managers are in {file}",
        "全部 {m} 名客户经理见 {file}",
    ),
    "speed.more_outside": (
        "… and {k} more managers outside a band: every reason is in {file} (outside_band)",
        "… 另有 {k} 名客户经理在区间外：全部原因见 {file}（outside_band）",
    ),
}
