"""Seeded books of clients and managers, shaped like the department's baseline, at any scale.

``generate_book(size, seed)`` returns a validated ``Problem`` and a ``Scenario`` (in memory);
``write_book(book, directory)`` writes them as ``clients.csv``, ``managers.csv`` and
``scenario.yaml`` so that the command line can run them too::

    python benchmarks/generate.py medium --seed 1 --out /tmp/medium
    rebalance solve /tmp/medium/scenario.yaml --out /tmp/medium/out

The shape is the same at every size (only the counts are multiplied):

- seven industry groups with uneven sizes; three pairs of groups share a few managers, so
  the book has four balancing pools (as the baseline has);
- about 9.6 clients per manager; heavy-tailed revenue (log-normal, a few clients bring most of
  it, and the biggest cannot fit in any band); importance correlated with revenue;
- a lopsided current assignment (some managers hold three times what others hold);
- about 5 % of managers leaving, 6 % newly hired (half of them at fte 0.5), a few part-time;
- about 5 % new clients without a manager, 2 % locked clients, a quarter of the managers
  with a capacity (about twice the average book) and a few forbidden pairs in the scenario.

Python's ``random.Random`` drives everything, so a seed gives the same book on every platform.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rebalance.data import Client, Manager, Problem
from rebalance.scenario import DataPaths, Pair, Scenario, Solver

# Clients x managers of each named size: the baseline, ten and a hundred times it.
SIZES: dict[str, tuple[int, int]] = {
    "small": (173, 18),
    "medium": (1_730, 180),
    "large": (17_300, 1_800),
}

# Industry group -> (share of clients, revenue multiplier). Shares sum to 1. Groups that share
# managers have the same multiplier: a manager who serves only one of them can still reach a
# fair share of the pool's revenue (else the book would be out of band by construction).
INDUSTRIES: tuple[tuple[str, float, float], ...] = (
    ("government", 0.15, 1.4),
    ("finance", 0.11, 1.5),
    ("education", 0.14, 0.8),
    ("health", 0.11, 0.8),
    ("manufacturing", 0.19, 0.7),
    ("transport", 0.10, 1.5),
    ("SME", 0.20, 0.7),
)
# Managers who serve two groups; they join those groups into one balancing pool, so the book
# has four pools, as the baseline has.
SHARED_GROUPS: tuple[tuple[str, str], ...] = (
    ("finance", "transport"), ("education", "health"), ("manufacturing", "SME"),
)

MEDIAN_REVENUE = 800_000.0  # yuan per year, before the industry multiplier
REVENUE_SIGMA = 1.15  # log-normal shape: the top 10 % of clients bring about half the revenue
LEAVING_RATE = 0.05
NEW_MANAGER_RATE = 0.06
PART_TIME_RATE = 0.04
SHARED_MANAGER_RATE = 0.05
NEW_CLIENT_RATE = 0.05
LOCK_RATE = 0.02
CAPACITY_RATE = 0.25
FORBID_RATE = 0.005


@dataclass(frozen=True)
class Book:
    """A generated instance: the validated problem, the scenario to solve it with, its name."""

    name: str
    seed: int
    problem: Problem
    scenario: Scenario


def generate_book(size: str | tuple[int, int], seed: int = 0, time_limit: float = 30.0,
                  workers: int = 2) -> Book:
    """A seeded book of ``size`` (a name in ``SIZES`` or ``(clients, managers)``)."""
    num_clients, num_managers = SIZES[size] if isinstance(size, str) else size
    name = size if isinstance(size, str) else f"{num_clients}x{num_managers}"
    if num_managers < 2 * len(INDUSTRIES) or num_clients < num_managers:
        raise ValueError(f"need at least {2 * len(INDUSTRIES)} managers and as many clients")
    rng = random.Random(f"rebalance-book-{seed}-{num_clients}-{num_managers}")
    managers = _managers(rng, num_managers, num_clients)
    clients = _clients(rng, num_clients, managers)
    managers = _room_for_current(managers, clients)
    problem = Problem(clients=tuple(clients), managers=tuple(managers),
                      clients_source="clients.csv", managers_source="managers.csv")
    forbid = _forbidden_pairs(rng, problem)
    scenario = Scenario(
        name=f"bench-{name}-seed{seed}",
        description=f"Generated book {num_clients} clients x {num_managers} managers, seed {seed}",
        data=DataPaths(clients=Path("clients.csv"), managers=Path("managers.csv")),
        forbid=tuple(forbid),
        solver=Solver(time_limit=time_limit, workers=workers, seed=0),
    )
    return Book(name=name, seed=seed, problem=problem, scenario=scenario)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _managers(rng: random.Random, num_managers: int, num_clients: int) -> list[Manager]:
    shares = [share for _, share, _ in INDUSTRIES]
    counts = [max(2, c) for c in _split(num_managers, shares)]
    while sum(counts) > num_managers:  # the minimum of two per group may overshoot
        counts[counts.index(max(counts))] -= 1
    groups: list[tuple[str, ...]] = []
    for (industry, _, _), count in zip(INDUSTRIES, counts, strict=True):
        groups.extend([(industry,)] * count)
    rng.shuffle(groups)
    # A few managers serve a second, related group.
    num_shared = max(1, round(SHARED_MANAGER_RATE * num_managers))
    for first, second in SHARED_GROUPS:
        candidates = [i for i, g in enumerate(groups) if g == (first,)]
        for i in rng.sample(candidates, min(num_shared, len(candidates) - 1)):
            groups[i] = (first, second)

    statuses = ["active"] * num_managers
    order = list(range(num_managers))
    rng.shuffle(order)
    num_leaving = max(1, round(LEAVING_RATE * num_managers))
    num_new = max(1, round(NEW_MANAGER_RATE * num_managers))
    for i in order[:num_leaving]:
        statuses[i] = "leaving"
    for i in order[num_leaving: num_leaving + num_new]:
        statuses[i] = "new"

    per_manager = num_clients / num_managers
    managers = []
    for j, (industries, status) in enumerate(zip(groups, statuses, strict=True)):
        fte = 1.0
        if status == "new" and rng.random() < 0.5:
            fte = 0.5  # ramping up
        elif status == "active" and rng.random() < PART_TIME_RATE:
            fte = 0.8
        capacity = None
        if status != "leaving" and rng.random() < CAPACITY_RATE:
            capacity = math.ceil(1.9 * per_manager * fte)
        managers.append(Manager(
            manager_id=f"M{j + 1:04d}", industries=industries, name=f"Manager {j + 1}",
            capacity=capacity, fte=fte, status=status,  # type: ignore[arg-type]
            row=j + 2,
        ))
    return managers


def _clients(rng: random.Random, num_clients: int, managers: list[Manager]) -> list[Client]:
    shares = [share for _, share, _ in INDUSTRIES]
    counts = _split(num_clients, shares)
    industries: list[str] = []
    for (industry, _, _), count in zip(INDUSTRIES, counts, strict=True):
        industries.extend([industry] * count)
    rng.shuffle(industries)
    multiplier = {industry: mult for industry, _, mult in INDUSTRIES}

    # Lopsided current book: each holder's pull is log-normal, so some hold three times others.
    pull = {m.manager_id: rng.lognormvariate(0.0, 0.55) * m.fte for m in managers}
    holders = {
        industry: [m for m in managers if m.status != "new" and m.serves(industry)]
        for industry, _, _ in INDUSTRIES
    }

    revenues = [
        round(MEDIAN_REVENUE * multiplier[ind] * rng.lognormvariate(0.0, REVENUE_SIGMA), -3)
        for ind in industries
    ]
    # Importance follows revenue with noise: top 5 % -> 5, next 10 % -> 4, 25 % -> 3, 30 % -> 2.
    score = [math.log(max(r, 1000.0)) + rng.gauss(0.0, 0.8) for r in revenues]
    ranked = sorted(range(num_clients), key=lambda i: (-score[i], i))
    importance = [1] * num_clients
    cuts = ((0.05, 5), (0.15, 4), (0.40, 3), (0.70, 2))
    for rank, i in enumerate(ranked):
        importance[i] = next((tier for cut, tier in cuts if rank < cut * num_clients), 1)

    staying = {m.manager_id for m in managers if m.staying}
    clients = []
    for i, industry in enumerate(industries):
        manager: str | None = None
        if rng.random() >= NEW_CLIENT_RATE:
            options = holders[industry]
            manager = rng.choices(options, weights=[pull[m.manager_id] for m in options])[0]\
                .manager_id
        locked = manager in staying and rng.random() < LOCK_RATE
        clients.append(Client(
            client_id=f"C{i + 1:06d}", industry=industry, revenue=revenues[i],
            name=f"Client {i + 1}", importance=importance[i], manager=manager,
            relationship=round(0.1 + 0.9 * rng.betavariate(2.0, 2.0), 2) if manager else 0.5,
            locked=locked, row=i + 2,
        ))
    return clients


def _room_for_current(managers: list[Manager], clients: list[Client]) -> list[Manager]:
    """Raise a capacity to the manager's current number of clients where it is lower."""
    count: dict[str, int] = {}
    for c in clients:
        if c.manager is not None:
            count[c.manager] = count.get(c.manager, 0) + 1
    return [
        replace(m, capacity=max(m.capacity, count.get(m.manager_id, 0)))
        if m.capacity is not None else m
        for m in managers
    ]


def _forbidden_pairs(rng: random.Random, problem: Problem) -> list[Pair]:
    """A few clients that must not go to one particular (eligible, not current) manager."""
    pairs = []
    by_industry: dict[str, list[str]] = {}
    for m in problem.managers:
        if m.staying:
            for ind in m.industries:
                by_industry.setdefault(ind, []).append(m.manager_id)
    for c in problem.clients:
        if c.locked or rng.random() >= FORBID_RATE:
            continue
        options = [mid for mid in by_industry[c.industry] if mid != c.manager]
        if len(options) > 2:
            pairs.append(Pair(client=c.client_id, manager=rng.choice(options)))
    return pairs


# --------------------------------------------------------------------------- files


def write_book(book: Book, directory: str | Path) -> Path:
    """Write ``clients.csv``, ``managers.csv`` and ``scenario.yaml``; return the scenario path."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "clients.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["client_id", "name", "industry", "revenue", "importance", "manager",
                         "relationship", "locked"])
        for c in book.problem.clients:
            writer.writerow([c.client_id, c.name, c.industry, f"{c.revenue:.0f}", c.importance,
                             c.manager or "", f"{c.relationship:g}", "yes" if c.locked else ""])
    with (out / "managers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["manager_id", "name", "industry", "capacity", "fte", "status"])
        for m in book.problem.managers:
            writer.writerow([m.manager_id, m.name, ";".join(m.industries),
                             "" if m.capacity is None else m.capacity, f"{m.fte:g}", m.status])
    scenario = book.scenario
    lines = [
        f"name: {scenario.name}",
        f"description: {scenario.description}",
        "data:",
        "  clients: clients.csv",
        "  managers: managers.csv",
        "forbid:" if scenario.forbid else "forbid: []",
        *(f"  - {{client: {p.client}, manager: {p.manager}}}" for p in scenario.forbid),
        "solver:",
        f"  time_limit: {scenario.solver.time_limit:g}",
        f"  workers: {scenario.solver.workers}",
        f"  seed: {scenario.solver.seed}",
    ]
    path = out / "scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write one generated book as CSV files and a scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="small, medium, large or CLIENTSxMANAGERS (e.g. 500x50)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="directory to write the files into")
    args = parser.parse_args(argv)
    size: str | tuple[int, int] = args.size
    if args.size not in SIZES:
        nc, nm = args.size.lower().split("x")
        size = (int(nc), int(nm))
    book = generate_book(size, seed=args.seed)
    path = write_book(book, args.out)
    print(f"{book.problem.num_clients} clients, {book.problem.num_managers} managers -> {path}")


if __name__ == "__main__":
    main()
