"""Write the bundled baseline book: scenarios/data/clients.csv and scenarios/data/managers.xlsx.

Run by hand from the repository root (the outputs are committed):

    python scenarios/generate_baseline.py

The book is synthetic but shaped like the department's real one: 173 group clients and 18
account managers (KM001..KM018) in 7 industry groups, some managers serving two groups;
heavy-tailed revenue (the top tenth of clients hold about half of it, and two clients are
bigger than a whole fair-share band); six-digit client codes with leading zeros; importance
as tier letters or digits; a lopsided current assignment (5 to 15 clients, some managers
with two to three times the revenue of others in their group); 4 locked clients; potential
revenue for most clients. The clients table is a GB18030 CSV with Chinese headers and an
extra 备注 column, as internal systems export it; the managers table is an .xlsx with English
headers. The same seed always gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xlsxwriter

SEED = 20240601
HERE = Path(__file__).resolve().parent
OUT = HERE / "data"

INDUSTRIES = ("政府", "金融", "教育", "医疗", "制造", "交通", "中小企业")
# Client counts follow the number of managers serving a group (a manager serving two groups
# counts half in each), and groups that share a manager have the same revenue scale, so every
# balancing pool can be balanced except for the two clients that are bigger than a band.
CLIENTS_PER_INDUSTRY = {"政府": 38, "金融": 24, "教育": 24, "医疗": 24, "制造": 24,
                        "交通": 14, "中小企业": 25}
REVENUE_SCALE = {"政府": 1.3, "金融": 1.6, "交通": 1.6, "教育": 0.8, "医疗": 0.8,
                 "制造": 0.6, "中小企业": 0.6}
MEAN_REVENUE = 800_000  # a client of scale 1.0, in yuan per year
# (industry, share of its balancing pool's revenue): clients bigger than a whole band
GIANTS = (("政府", 0.33, "省大数据发展管理局"), ("金融", 0.29, "工商银行江西省分行"))

# (id, name, industry cell as written, capacity, fte, status, seniority weight for today's
# lopsided assignment: senior managers were given the big clients over the years)
ManagerRow = tuple[str, str, str, int | None, float, str, float]
MANAGERS: tuple[ManagerRow, ...] = (
    ("KM001", "张伟", "政府", 18, 1.0, "active", 3.0),
    ("KM002", "王芳", "政府", None, 1.0, "active", 1.0),
    ("KM003", "李娜", "政府", None, 1.0, "active", 0.6),
    ("KM004", "刘洋", "政府", None, 0.8, "active", 0.8),
    ("KM005", "陈静", "金融", 18, 1.0, "active", 3.0),
    ("KM006", "杨磊", "金融", None, 1.0, "active", 0.8),
    ("KM007", "赵敏", "金融;交通", None, 1.0, "在岗", 1.0),
    ("KM008", "黄强", "交通", None, 1.0, "active", 2.0),
    ("KM009", "周杰", "教育", 20, 1.0, "active", 2.5),
    ("KM010", "吴婷", "教育", None, 1.0, "active", 0.7),
    ("KM011", "徐涛", "教育、医疗", None, 1.0, "active", 0.8),
    ("KM012", "孙丽", "医疗", None, 1.0, "active", 2.5),
    ("KM013", "马超", "医疗", 18, 1.0, "active", 0.7),
    ("KM014", "朱琳", "制造", None, 1.0, "active", 2.5),
    ("KM015", "胡斌", "制造", None, 1.0, "active", 0.8),
    ("KM016", "郭敏", "制造,中小企业", None, 1.0, "active", 1.0),
    ("KM017", "何勇", "中小企业", None, 1.0, "active", 2.0),
    ("KM018", "高洁", "中小企业", 18, 1.0, "active", 0.6),
)
POOLS = (("政府",), ("金融", "交通"), ("教育", "医疗"), ("制造", "中小企业"))

CITIES = ("南昌", "九江", "赣州", "吉安", "宜春", "上饶", "抚州", "萍乡", "新余", "景德镇", "鹰潭")
NAME_PARTS = {
    "政府": ("市人民政府", "市公安局", "市税务局", "市自然资源局", "市人社局", "市财政局",
             "市大数据中心", "市政务服务中心", "市应急管理局", "市民政局", "市生态环境局",
             "市水利局"),
    "金融": ("工商银行{}分行", "建设银行{}分行", "农业银行{}分行", "中国银行{}分行",
             "交通银行{}分行", "招商银行{}分行", "{}农商银行", "中国人寿{}分公司",
             "平安保险{}中心支公司", "国泰君安{}营业部"),
    "教育": ("{}第一中学", "{}实验小学", "{}职业技术学院", "{}师范学院", "{}外国语学校",
             "{}教育局", "{}第二中学"),
    "医疗": ("{}市人民医院", "{}市中医院", "{}妇幼保健院", "{}疾控中心", "{}第二人民医院",
             "{}卫生健康委员会"),
    "制造": ("{}华能机械有限公司", "{}恒通化工有限公司", "{}赣锋材料有限公司",
             "{}长兴电子有限公司", "{}远大建材有限公司", "{}金桥纺织有限公司",
             "{}江铜冶炼厂"),
    "交通": ("{}高速公路管理处", "{}公交集团", "{}港务集团", "{}机场集团", "{}轨道交通公司",
             "{}长运物流有限公司"),
    "中小企业": ("{}万家商贸有限公司", "{}智联科技有限公司", "{}味道餐饮管理有限公司",
                 "{}安居物业服务有限公司", "{}绿源农业合作社", "{}启航教育咨询有限公司",
                 "{}顺达快递服务部"),
}
NOTES = ("重点客户", "续约谈判中", "2024年新签", "有欠费记录", "需上门拜访", "专线扩容意向")
TIER_LETTERS = {5: "S", 4: "A", 3: "B", 2: "C", 1: "D"}
CLIENT_HEADER = ("客户编码", "客户名称", "行业", "年收入", "重要程度", "客户经理", "关系强度",
                 "潜在收入", "锁定", "备注")


@dataclass
class _Client:
    """One generated client row (mutable while the book is being built)."""

    code: str
    name: str
    industry: str
    revenue: float
    importance: int = 1
    manager: str = ""
    relationship: float = 0.5
    potential: float | None = None
    locked: bool = False
    note: str | None = None


def _names(rng: np.random.Generator, industry: str, n: int) -> list[str]:
    parts = NAME_PARTS[industry]
    names: list[str] = []
    while len(names) < n:
        city = CITIES[int(rng.integers(len(CITIES)))]
        part = parts[int(rng.integers(len(parts)))]
        name = part.format(city) if "{}" in part else city + part
        if name not in names:
            names.append(name)
    return names


def _importance(revenue: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Importance follows revenue rank (S for the top 5 %), with some noise."""
    rank = np.argsort(np.argsort(-revenue)) / len(revenue)
    tier = np.select([rank < 0.05, rank < 0.20, rank < 0.50, rank < 0.80], [5, 4, 3, 2], 1)
    noise = rng.choice([-1, 0, 0, 0, 0, 0, 1], size=len(revenue))
    return np.clip(tier + noise, 1, 5)


def build_book(seed: int = SEED) -> list[_Client]:
    """The clients, in file order (the managers are ``MANAGERS``)."""
    rng = np.random.default_rng(seed)
    total = sum(CLIENTS_PER_INDUSTRY.values())
    codes = rng.choice(np.arange(1, 1_000_000), size=total, replace=False)
    # make sure plenty of codes start with 0 (the reason ids must be read as text)
    codes[: total // 6] %= 100_000
    rng.shuffle(codes)

    clients: list[_Client] = []
    k = 0
    for industry in INDUSTRIES:
        n = CLIENTS_PER_INDUSTRY[industry]
        revenue = rng.lognormal(mean=0.0, sigma=1.2, size=n)
        # heavy tail inside the group, but a group total that its managers can share
        revenue *= n * REVENUE_SCALE[industry] * MEAN_REVENUE / revenue.sum()
        names = _names(rng, industry, n)
        for i in range(n):
            clients.append(_Client(code=f"{codes[k]:06d}", name=names[i], industry=industry,
                                   revenue=float(revenue[i])))
            k += 1

    for industry, share, name in GIANTS:
        pool = next(p for p in POOLS if industry in p)
        giant = max((c for c in clients if c.industry == industry), key=lambda c: c.revenue)
        rest = sum(c.revenue for c in clients if c.industry in pool and c is not giant)
        giant.revenue = share / (1 - share) * rest
        giant.name = name

    revenue = np.array([c.revenue for c in clients])
    importance = _importance(revenue, rng)
    for c, rev, imp in zip(clients, revenue, importance, strict=True):
        c.revenue = round(float(rev) / 100) * 100
        c.importance = int(imp)
        c.relationship = round(float(np.clip(rng.beta(4, 2), 0.1, 0.98)), 2)
        c.potential = (round(float(rev) * float(rng.uniform(1.0, 1.6)) / 1000) * 1000
                          if rng.random() > 0.12 else None)
        c.note = NOTES[int(rng.integers(len(NOTES)))] if rng.random() < 0.15 else None

    _assign_today(clients, rng)

    locked_names = {"省大数据发展管理局"}
    by_importance = sorted((c for c in clients if c.name not in locked_names),
                           key=lambda c: (-c.importance, c.code))
    for c in clients:
        c.locked = c.name in locked_names
    for c in (by_importance[3], by_importance[11], by_importance[40]):
        c.locked = True

    clients.sort(key=lambda c: (INDUSTRIES.index(c.industry), c.code))
    return clients


def _serves(cell: str) -> tuple[str, ...]:
    return tuple(p for p in cell.replace("、", ";").replace(",", ";").split(";") if p)


def _assign_today(clients: list[_Client], rng: np.random.Generator) -> None:
    """Today's lopsided assignment: the big clients went to the senior managers.

    Then every manager is topped up to at least 5 clients with small clients from the
    colleague in the same group who has the most.
    """
    counts = {m[0]: 0 for m in MANAGERS}
    for industry in INDUSTRIES:
        group = sorted((c for c in clients if c.industry == industry), key=lambda c: -c.revenue)
        candidates = [m for m in MANAGERS if industry in _serves(m[2])]
        for rank, c in enumerate(group):
            power = 1.0 if rank < len(group) / 3 else 0.3
            weight = np.array([m[6] ** power if counts[m[0]] < 15 else 0.0
                               for m in candidates])
            choice = candidates[int(rng.choice(len(candidates), p=weight / weight.sum()))]
            c.manager = choice[0]
            counts[choice[0]] += 1
    for mid, *_ in MANAGERS:
        serves = _serves(next(m[2] for m in MANAGERS if m[0] == mid))
        while counts[mid] < 5:
            pool = [c for c in clients if c.industry in serves and c.manager != mid]
            donor = max({c.manager for c in pool}, key=lambda d: (counts[d], d))
            smallest = min((c for c in pool if c.manager == donor), key=lambda c: c.revenue)
            smallest.manager = mid
            counts[donor] -= 1
            counts[mid] += 1


def _revenue_text(value: int, i: int) -> str:
    # Exported by hand over the years: some amounts carry thousands separators or cents.
    if i % 9 == 4:
        return f"{value:,}"
    if i % 13 == 7:
        return f"{value:.2f}"
    return str(value)


def clients_csv(clients: list[_Client]) -> bytes:
    """The clients table as GB18030 CSV with Chinese headers."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CLIENT_HEADER)
    for i, c in enumerate(clients):
        writer.writerow([
            c.code, c.name, c.industry, _revenue_text(int(c.revenue), i),
            TIER_LETTERS[c.importance] if i % 3 else str(c.importance),
            c.manager, f"{c.relationship:.2f}",
            "" if c.potential is None else str(c.potential),
            "是" if c.locked else ("否" if i % 4 == 0 else ""),
            c.note or "",
        ])
    return buffer.getvalue().encode("gb18030")


def write_managers_xlsx(managers: tuple[ManagerRow, ...], path: Path) -> None:
    """The managers table as .xlsx with English headers (reproducible: fixed timestamps)."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2024, 6, 1, 9, 0, 0)})
    sheet = workbook.add_worksheet("managers")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(("manager_id", "name", "industry", "capacity", "fte", "status")):
        sheet.write_string(0, col, title, bold)
    for row, (mid, name, industry, capacity, fte, status, _) in enumerate(managers, start=1):
        sheet.write_string(row, 0, mid)
        sheet.write_string(row, 1, name)
        sheet.write_string(row, 2, industry)
        if capacity is not None:
            sheet.write_number(row, 3, capacity)
        sheet.write_number(row, 4, fte)
        sheet.write_string(row, 5, status)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 5, 14)
    workbook.close()


def describe(clients: list[_Client]) -> str:
    """A few figures to check the book has the intended shape."""
    revenue = np.array(sorted((c.revenue for c in clients), reverse=True))
    top = revenue[: len(revenue) // 10].sum() / revenue.sum()
    per_manager: dict[str, list[float]] = {m[0]: [] for m in MANAGERS}
    for c in clients:
        per_manager[c.manager].append(c.revenue)
    lines = [f"{len(clients)} clients, {len(MANAGERS)} managers, top tenth of clients hold "
             f"{top:.0%} of revenue, {sum(c.locked for c in clients)} locked, "
             f"{sum(c.code.startswith('0') for c in clients)} ids with a leading zero"]
    for mid, revs in per_manager.items():
        lines.append(f"  {mid}: {len(revs):2d} clients, revenue {sum(revs):>12,.0f}")
    return "\n".join(lines)


def main() -> None:
    clients = build_book()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "clients.csv").write_bytes(clients_csv(clients))
    write_managers_xlsx(MANAGERS, OUT / "managers.xlsx")
    print(describe(clients))


if __name__ == "__main__":
    main()
