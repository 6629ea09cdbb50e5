"""Write the candidates file of the intake scenario: scenarios/data/candidates.csv.

Run by hand from the repository root after ``generate_baseline.py`` (the output is committed):

    python scenarios/generate_intake.py

60 quality business clients (商客) the department could bring into the group-client pool,
across every industry group: no manager yet; revenue drawn from the lower-to-upper part of the
industry's range in the baseline book (so a few are small enough for ``min_revenue`` to leave
out); importance mostly B/A with some S; potential above revenue; and the quality fields
欠费率 (arrears rate: most 0–4 %, about one in six above the 5 % limit), 增长率 (revenue growth,
−5 % to +35 %) and 在网年限 (years in network). Same GB18030 encoding and Chinese headers as
the baseline clients table. The baseline is read, never modified; the same seed gives
byte-identical files.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_whatif import new_code_and_name  # noqa: E402  (the sibling script)

SEED = 20240621
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ENCODING = "gb18030"
CANDIDATES_PER_INDUSTRY = {"政府": 8, "金融": 10, "交通": 6, "教育": 8, "医疗": 8, "制造": 10,
                           "中小企业": 10}
NUM_CANDIDATES = sum(CANDIDATES_PER_INDUSTRY.values())  # 60
HIGH_ARREARS_SHARE = 0.17
HEADER = ["客户编码", "客户名称", "行业", "年收入", "重要程度", "潜在收入", "欠费率", "增长率",
          "在网年限", "备注"]
NAME_PARTS = {
    "政府": ("{}市政务服务中心", "{}市公共资源交易中心", "{}市城市管理局", "{}区行政审批局"),
    "金融": ("{}村镇银行", "{}小额贷款有限公司", "{}融资担保有限公司", "{}农商银行支行"),
    "交通": ("{}冷链物流有限公司", "{}快运集团有限公司", "{}城际客运有限公司"),
    "教育": ("{}职业技术学院", "{}实验中学", "{}外国语学校", "{}理工学校"),
    "医疗": ("{}口腔医院", "{}妇幼保健院", "{}康复医院", "{}中医院分院"),
    "制造": ("{}新能电池有限公司", "{}精工模具有限公司", "{}晶科光伏有限公司",
             "{}联创光电有限公司", "{}万向汽车零部件有限公司"),
    "中小企业": ("{}云图网络科技有限公司", "{}鑫源商贸有限公司", "{}博远信息技术有限公司",
                 "{}华盛连锁超市有限公司", "{}瑞丰酒店管理有限公司"),
}
TIER_LETTERS = {5: "S", 4: "A", 3: "B", 2: "C"}
NOTE = "商客候选"


def _baseline(source: Path) -> tuple[dict[str, list[float]], set[str], set[str]]:
    """Revenues per industry, client codes and names of the baseline clients table."""
    text = source.read_bytes().decode(ENCODING)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    col = {name: i for i, name in enumerate(rows[0])}
    revenues: dict[str, list[float]] = {}
    for r in rows[1:]:
        revenues.setdefault(r[col["行业"]], []).append(float(r[col["年收入"]].replace(",", "")))
    return (revenues, {r[col["客户编码"]] for r in rows[1:]},
            {r[col["客户名称"]] for r in rows[1:]})


def candidate_rows(source: Path, seed: int = SEED) -> list[list[str]]:
    """The candidates' rows, drawn with ``seed``."""
    revenues, codes, names = _baseline(source)
    rng = np.random.default_rng(seed)
    out: list[list[str]] = []
    for industry, count in CANDIDATES_PER_INDUSTRY.items():
        low, high = np.quantile(np.array(sorted(revenues[industry])), [0.15, 0.85])
        for _ in range(count):
            code, name = new_code_and_name(rng, NAME_PARTS[industry], codes, names)
            revenue = round(float(np.exp(rng.uniform(np.log(low), np.log(high)))) / 100) * 100
            importance = int(rng.choice([2, 3, 4, 5], p=[0.2, 0.4, 0.3, 0.1]))
            potential = round(revenue * float(rng.uniform(1.1, 1.9)) / 1000) * 1000
            if rng.random() < HIGH_ARREARS_SHARE:
                arrears = float(rng.uniform(0.06, 0.15))
            else:
                arrears = float(rng.uniform(0.0, 0.04))
            growth = float(rng.uniform(-0.05, 0.35))
            tenure = float(rng.uniform(0.5, 15.0))
            out.append([code, name, industry, str(revenue), TIER_LETTERS[importance],
                        str(potential), f"{arrears * 100:.1f}%", f"{growth * 100:.1f}%",
                        f"{tenure:.1f}", NOTE])
    return out


def candidates_csv(source: Path, seed: int = SEED) -> bytes:
    """The candidates file's bytes (GB18030, CRLF, Chinese headers)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(candidate_rows(source, seed))
    return buffer.getvalue().encode(ENCODING)


def write_all(source_dir: Path = DATA, out_dir: Path = DATA) -> list[Path]:
    """Write candidates.csv into ``out_dir`` from the baseline clients in ``source_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "candidates.csv"
    path.write_bytes(candidates_csv(source_dir / "clients.csv"))
    return [path]


def main() -> None:
    for path in write_all():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
