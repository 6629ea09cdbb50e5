"""Generate the bundled sample subscribers table for the baseline book (seeded, reproducible).

    python scenarios/generate_subscribers.py            # writes scenarios/data/subscribers.csv
    python scenarios/generate_subscribers.py --seed 7 --out /tmp/subs.csv

Each subscriber belongs to one of the current clients of a baseline manager (read from
scenarios/data/clients.csv and managers.xlsx), so a manager's subscriber base grows with the
portfolio they hold. The evaluation period is 12 months; ``revenue`` is what was billed in
that period (arrears included), ``terminal_cost`` the handset subsidy of bundled 3G handsets
(0 otherwise) and ``arrears`` what is still unpaid.

The mix is meant to exercise every branch of the incentive scheme: most managers sell few
bundled handsets and have arrears rates of 1-3 %; a few (``HANDSET_SELLERS``) sell many, with
a share of the buyers stopping payment after a few months, which puts their arrears rate
around or above the 5 % threshold; a few subscribers joined this month and have no revenue yet.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
from pathlib import Path

import numpy as np

from rebalance.io.read import clients_from_table, managers_from_table, read_table

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PERIOD_MONTHS = 12
TARGET_SUBSCRIBERS = 3000

# Heavy bundled-handset sellers (by position in the managers table) and the share of their
# handset buyers who stop paying: around and above the 5 % arrears-rate threshold.
HANDSET_SELLERS: dict[int, float] = {1: 0.14, 4: 0.16, 8: 0.22, 13: 0.30}
PLANS = (96.0, 126.0, 156.0, 186.0, 286.0)  # 3G plan fees, yuan per month
SUBSIDY = {96.0: 600.0, 126.0: 800.0, 156.0: 1000.0, 186.0: 1200.0, 286.0: 2000.0}

# Chinese headers, as the billing system exports them (the reader maps them to subscriber_id,
# manager, client_id, tenure_months, revenue, terminal_cost, arrears).
COLUMNS = ("用户编码", "客户经理", "客户编码", "在网月数", "收入", "终端成本", "欠费")


def _book() -> tuple[list[str], dict[str, list[tuple[str, float]]]]:
    """Manager ids in table order and each manager's (client_id, revenue)."""
    managers_file = next(DATA / f"managers{ext}" for ext in (".xlsx", ".csv", ".parquet")
                         if (DATA / f"managers{ext}").exists())
    managers, _ = managers_from_table(read_table(managers_file, kind="managers"))
    clients, _ = clients_from_table(read_table(DATA / "clients.csv", kind="clients"))
    by_manager: dict[str, list[tuple[str, float]]] = {m.manager_id: [] for m in managers}
    for c in clients:
        if c.manager in by_manager:
            by_manager[c.manager].append((c.client_id, c.revenue))
    return [m.manager_id for m in managers], by_manager


def _money(x: float) -> str:
    return f"{round(x, 2):.2f}"


def generate(seed: int = 2024) -> str:
    """The sample table as CSV text (without BOM)."""
    rng = np.random.default_rng(seed)
    manager_ids, portfolio = _book()
    weights = {m: math.sqrt(sum(r for _, r in portfolio[m])) for m in manager_ids}
    total_weight = sum(weights.values()) or 1.0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    serial = 0
    for index, manager in enumerate(manager_ids):
        clients = portfolio[manager]
        if not clients:
            continue  # e.g. a new hire without a portfolio yet
        n = max(20, round(TARGET_SUBSCRIBERS * weights[manager] / total_weight))
        churn = HANDSET_SELLERS.get(index)
        bundled_share = rng.uniform(0.35, 0.55) if churn is not None else rng.uniform(0.02, 0.1)
        client_p = np.array([max(r, 1.0) for _, r in clients])
        client_p = client_p / client_p.sum()
        for _ in range(n):
            serial += 1
            client_id = clients[int(rng.choice(len(clients), p=client_p))][0]
            bundled = rng.random() < bundled_share
            if bundled:
                fee = float(rng.choice(PLANS))
                subsidy = SUBSIDY[fee]
                # handset sales are recent: most bundled subscribers joined in the last 2 years
                tenure = int(rng.choice([rng.integers(0, 12), rng.integers(12, 24),
                                         rng.integers(24, 48)], p=[0.5, 0.3, 0.2]))
                defaulter = rng.random() < (churn if churn is not None else 0.05)
            else:
                fee = float(np.round(rng.lognormal(math.log(55), 0.5), 0))
                subsidy = 0.0
                tenure = int(rng.choice([rng.integers(0, 12), rng.integers(12, 24),
                                         rng.integers(24, 96)], p=[0.25, 0.2, 0.55]))
                defaulter = rng.random() < 0.01
            arrears = 0.0
            if defaulter:
                # stopped paying after a few months and was cut off with 2-4 months unpaid
                tenure = int(rng.integers(3, 11))
                arrears = fee * int(rng.integers(2, 5))
            elif rng.random() < 0.06:
                arrears = fee * float(rng.uniform(0.2, 1.0))  # a late bill
            billed_months = min(tenure, PERIOD_MONTHS)
            revenue = fee * billed_months
            arrears = min(arrears, revenue)
            writer.writerow((f"S{serial:05d}", manager, client_id, tenure, _money(revenue),
                             _money(subsidy), _money(arrears)))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=DATA / "subscribers.csv")
    args = parser.parse_args()
    text = generate(args.seed)
    args.out.write_bytes(("\ufeff" + text).encode("utf-8"))
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} subscribers)")


if __name__ == "__main__":
    main()
