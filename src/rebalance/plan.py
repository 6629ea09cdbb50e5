"""A solved scenario with everything derived from it (``Plan``), and the hash of its book.

``pipeline.run`` builds a ``Plan``; the report (``report/``), the what-if figures and the
review loop read it. It lives below them all so that none of them imports the pipeline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rebalance.backup import BackupPlan
from rebalance.check import Verdict
from rebalance.data import Problem
from rebalance.pools import Rules
from rebalance.result import Result
from rebalance.scenario import Scenario
from rebalance.targets import TargetPlan


@dataclass(frozen=True)
class Plan:
    """A solved scenario with everything derived from it."""

    scenario: Scenario
    problem: Problem
    rules: Rules
    result: Result
    verdict: Verdict  # check()'s independent verdict on the plan: the contract's numbers
    targets: TargetPlan
    backups: BackupPlan | None
    fairness: dict[str, Any]  # metrics.before_after
    input_hash: str
    intake: Any = None  # rebalance.intake.IntakeOutcome when the scenario names candidates

    @property
    def client_to_manager(self) -> dict[str, str]:
        return dict(self.result.client_to_manager)


def input_hash(scenario: Scenario) -> str:
    """sha256 of the data files' bytes (clients, managers, candidates): the book solved."""
    digest = hashlib.sha256()
    paths = [scenario.data.clients, scenario.data.managers]
    if scenario.data.candidates is not None:
        paths.append(scenario.data.candidates)
    for path in paths:
        digest.update(Path(path).name.encode("utf-8") + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
