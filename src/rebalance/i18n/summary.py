"""What `rebalance validate` prints about a book that has no problems, in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "summary.title": (
        'Scenario {name}: {clients} clients, {managers} managers, revenue {revenue}',
        '场景 {name}：{clients} 个客户，{managers} 名客户经理，收入 {revenue}',
    ),
    "summary.ok": (
        'No problems found in the data or the scenario.',
        '数据和场景未发现问题。',
    ),
    "summary.industries": (
        'Industry groups',
        '行业组',
    ),
    "summary.industry": (
        'Industry group',
        '行业组',
    ),
    "summary.clients": (
        'Clients',
        '客户数',
    ),
    "summary.revenue": (
        'Revenue',
        '收入',
    ),
    "summary.revenue_pct": (
        '% of revenue',
        '收入占比',
    ),
    "summary.managers": (
        'Managers',
        '客户经理',
    ),
    "summary.importance": (
        'Importance',
        '重要程度',
    ),
    "summary.pools": (
        'Balancing pools',
        '均衡池',
    ),
    "summary.pool": (
        'Pool',
        '池',
    ),
    "summary.fte": (
        'FTE',
        '人力系数',
    ),
    "summary.today": (
        'Managers today against their fair share (dev = (load − share) / share)',
        '客户经理现状与公平份额对比（偏差 = （现值 − 份额） / 份额）',
    ),
    "summary.manager": (
        'Manager',
        '客户经理',
    ),
    "summary.name": (
        'Name',
        '姓名',
    ),
    "summary.status": (
        'Status',
        '状态',
    ),
    "summary.share": (
        'share',
        '份额',
    ),
    "summary.dev": (
        'dev',
        '偏差',
    ),
    "summary.outside": (
        'Outside (R/I/C)',
        '超容差区间（收/重/数）',
    ),
    "summary.none_outside": (
        'Every manager is inside every band already.',
        '所有客户经理均已在各项容差区间内。',
    ),
    "summary.n_outside": (
        'Managers outside at least one band before rebalancing: {n} of {total}.',
        '调整前 {total} 名客户经理中有 {n} 名至少一项超出容差区间。',
    ),
    "summary.big": (
        "Clients bigger than the whole revenue band of any manager who may serve them "
        "(no plan can put their manager inside the band):",
        "以下客户单个收入已超过可服务客户经理的整个收入容差区间（任何方案都无法使其经理回到容差区间内）：",
    ),
    "summary.big_row": (
        '  {cid} {name}: revenue {revenue}, band up to {upper} ({managers})',
        '  {cid} {name}：收入 {revenue}，容差区间上限 {upper}（{managers}）',
    ),
    "summary.new_clients": (
        'New clients without a manager, to be placed: {n}.',
        '{n} 个无客户经理的新客户待分配。',
    ),
    "summary.leaving": (
        'Clients of leaving managers, to be handed over: {n}.',
        '{n} 个客户属于离职客户经理，需移交。',
    ),
    "summary.locked": (
        'Fixed clients (locked or protected): {n}; forbidden pairs: {f}.',
        '{n} 个客户固定不动（锁定或受保护），{f} 个禁止配对。',
    ),
    "summary.leaving_note": (
        'leaving: hands over {n}',
        '离职：移交 {n} 个',
    ),
    "summary.short_revenue": (
        'R',
        '收',
    ),
    "summary.short_importance": (
        'I',
        '重',
    ),
    "summary.short_clients": (
        'C',
        '数',
    ),
}
