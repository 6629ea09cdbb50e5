"""Time the intake engine: choosing and placing candidates with the rebalancing.

    python benchmarks/intake.py [--only baseline|medium] [--time-limit S]
    python benchmarks/intake.py --write DIR    # the medium book as files, for the CLI:
    rebalance solve DIR/intake.yaml --out DIR/out

1. baseline: scenarios/intake.yaml (the bundled 173 × 18 book, managers capped at 12
   clients, 60 seeded candidates, at most 20 taken; target: proven optimal in ≤ 5 s);
2. medium: the generated 1,730 × 180 book (benchmarks/generate.py, seed 0) with 600 seeded
   candidates drawn like the book's clients, at most 200 taken (target: best plan and bound
   within 60 s; it goes the big-book way, intake/scale.py: chosen by score, then balanced by
   the scale engine).

Prints each stage's status, objective, bound, gap and time, the total, and the machine's
load (``os.getloadavg``: the machine is shared, say so beside the numbers). A benchmark,
not a test: the numbers go into docs/intake.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from rebalance.data import Client, Problem
from rebalance.intake import Candidate, CandidateBook, IntakeOutcome, run_intake, run_scenario
from rebalance.pipeline import load
from rebalance.scenario import Scenario
from rebalance.scenario.intake import Intake

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py, run from anywhere)

NUM_CANDIDATES = 600
MAX_TAKEN = 200


def candidates_for(problem: Problem, num: int, seed: int = 0) -> CandidateBook:
    """``num`` seeded candidates in the book's industries, revenue like the industry's
    clients (0.4–1.2 ×), quality fields like the bundled candidates file."""
    rng = random.Random(f"rebalance-candidates-{seed}-{num}")
    by_industry: dict[str, list[float]] = {}
    for c in problem.clients:
        by_industry.setdefault(c.industry, []).append(c.revenue)
    industries = sorted(by_industry)
    out = []
    for n in range(num):
        industry = industries[n % len(industries)]
        revenue = round(rng.choice(by_industry[industry]) * rng.uniform(0.4, 1.2), -2)
        arrears = rng.uniform(0.06, 0.15) if rng.random() < 0.17 else rng.uniform(0, 0.04)
        client = Client(client_id=f"N{n:05d}", industry=industry, revenue=revenue,
                                 name=f"candidate {n}", importance=rng.choice([2, 3, 3, 4, 5]),
                                 potential=round(revenue * rng.uniform(1.1, 1.9), -3),
                                 row=n + 2)
        out.append(Candidate(client, arrears_rate=round(arrears, 3),
                             growth=round(rng.uniform(-0.05, 0.35), 3),
                             tenure_years=round(rng.uniform(0.5, 15), 1)))
    columns = frozenset({"client_id", "name", "industry", "revenue", "importance",
                         "potential", "arrears_rate", "growth", "tenure_years"})
    return CandidateBook(tuple(out), "candidates.csv", columns)


def report(title: str, outcome: IntakeOutcome, seconds: float) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{title}: {outcome.status} in {seconds - outcome.explain_seconds:.1f} s, then "
          f"{outcome.explain_seconds:.1f} s proving why {len(outcome.left_out)} candidates "
          f"were left out (load average {load}, {os.cpu_count()} cores)")
    for st in outcome.stages:
        print(f"  stage {st.name:<10} {st.status:<9} objective {st.objective:.4f} "
              f"bound {st.best_bound:.4f} gap {st.gap:.2%} {st.wall_time:.1f} s")
    if outcome.result.has_plan:
        print(f"  taken {len(outcome.taken)} of {len(outcome.candidates.candidates)} "
              f"(score {outcome.total_score}), {len(outcome.screened)} screened out; "
              f"balance excess {outcome.result.balance_excess:.4f}, continuity cost "
              f"{outcome.result.continuity_cost:.3f} (check)")


def baseline(time_limit: float) -> None:
    scenario, problem, _ = load(HERE.parent / "scenarios" / "intake.yaml",
                                [f"solver.time_limit={time_limit}"])
    started = time.perf_counter()
    outcome = run_scenario(problem, scenario)
    report("baseline + 60 candidates", outcome, time.perf_counter() - started)


def medium(time_limit: float) -> None:
    book = generate.generate_book("medium", seed=0, time_limit=time_limit)
    problem = book.problem
    candidates = candidates_for(problem, NUM_CANDIDATES)
    scenario: Scenario = book.scenario.model_copy(update={
        "priorities": ("balance", "intake", "continuity"),
        "intake": Intake(max_clients=MAX_TAKEN,
                         score={"revenue": 0.4, "importance": 0.2, "potential": 0.1,
                                "growth": 0.2, "tenure_years": 0.1, "arrears_rate": -0.2}),
    })
    started = time.perf_counter()
    outcome = run_intake(problem, scenario, candidates)
    report(f"1,730 × 180 + {NUM_CANDIDATES} candidates", outcome,
           time.perf_counter() - started)


INTAKE_YAML = f"""extends: scenario.yaml
name: medium_intake
data:
  candidates: candidates.csv
priorities: [balance, intake, continuity]
intake:
  max_clients: {MAX_TAKEN}
"""


def write_medium(directory: Path) -> Path:
    """The medium book (generate.write_book), its candidates.csv and intake.yaml."""
    import csv

    book = generate.generate_book("medium", seed=0)
    generate.write_book(book, directory)
    candidates = candidates_for(book.problem, NUM_CANDIDATES)
    with open(directory / "candidates.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["client_id", "name", "industry", "revenue", "importance", "potential",
                      "arrears_rate", "growth", "tenure_years"])
        for cand in candidates.candidates:
            c = cand.client
            out.writerow([c.client_id, c.name, c.industry, c.revenue, c.importance,
                          c.potential, cand.arrears_rate, cand.growth, cand.tenure_years])
    (directory / "intake.yaml").write_text(INTAKE_YAML, encoding="utf-8")
    return directory / "intake.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("baseline", "medium"))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--write", type=Path, default=None,
                        help="write the medium book with its candidates into this folder")
    args = parser.parse_args(argv)
    if args.write is not None:
        print(f"wrote {write_medium(args.write)}")
        return 0
    if args.only in (None, "baseline"):
        baseline(args.time_limit or 60.0)
    if args.only in (None, "medium"):
        medium(args.time_limit or 60.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
