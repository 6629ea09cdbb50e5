"""What the engine answers: ``Result`` (never raised), its stages and progress events.

Only ``rebalance.solve.solve`` builds a ``Result`` (with ``with_plan`` / ``without_plan``);
both engines (``exact`` whole-pool models and the ``scale`` pool search) hand it their plan
and stages. This module imports no engine, so every engine may import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rebalance.check import Verdict
from rebalance.findings import Finding


@dataclass(frozen=True)
class ProgressEvent:
    """The solver improved its plan or its bound (contract units, seconds since the start).

    ``objective`` and ``bound`` add up the parts of the book solved so far in this stage.
    A big book searched pool by pool (the scale engine, ``scale.decompose``) reports each pool on
    its own instead: ``part`` is the pool and the figures are that pool's, every few seconds.
    """

    stage: str
    objective: float
    bound: float
    elapsed: float
    part: int = 1
    num_parts: int = 1


@dataclass(frozen=True)
class StageResult:
    """How one stage ended. ``objective`` / ``best_bound`` are in contract units (the model's
    scaled integers converted back); ``gap`` = (objective − bound) / objective, 0 when proven."""

    name: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time: float


@dataclass(frozen=True)
class PoolBound:
    """One balancing pool's figures, bounds and what proved them (scale engine).

    Statuses follow ``contract.within_tolerance``; methods name the bound's source:
    ``cp-sat``, ``oversize``, ``company``, ``release``, ``colgen`` or ``none``."""

    pool: int
    balance_status: str
    balance_excess: float
    balance_bound: float
    balance_method: str
    continuity_status: str
    continuity_cost: float
    continuity_bound: float
    continuity_method: str


@dataclass(frozen=True)
class Result:
    """The engine's answer. Never raised: a missing plan is a status with coded findings.

    - ``status``: ``OPTIMAL`` (every stage proven), ``FEASIBLE`` (a plan, not proven best),
      ``INFEASIBLE`` (the hard rules contradict each other, see ``findings``), ``UNKNOWN``
      (no plan found in time);
    - ``findings``: why there is no plan, coded (``rebalance.findings``; the report renders
      them in English or Chinese: ``report.findings.render_all``);
    - ``balance_excess`` / ``continuity_cost``: the contract's figures, recomputed by
      ``check`` from the plan (``verdict``);
    - ``objective`` / ``best_bound`` / ``gap``: those of the first stage not proven optimal,
      else of the last stage (so ``gap`` > 0 exactly when the status is ``FEASIBLE``).
    """

    status: str
    client_to_manager: Mapping[str, str]
    stages: tuple[StageResult, ...]
    balance_excess: float | None
    continuity_cost: float | None
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_time: float
    findings: tuple[Finding, ...]
    seed: int
    verdict: Verdict | None = None
    num_parts: int = 1
    pools: tuple[PoolBound, ...] = ()  # per pool, when the scale engine planned the book

    @property
    def has_plan(self) -> bool:
        """True when ``client_to_manager`` is a complete plan that satisfies the hard rules."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    def checked(self) -> Verdict:
        """``check``'s verdict on the plan (``solve`` ran it once); only results with a plan."""
        if self.verdict is None:
            raise ValueError(f"a {self.status} result has no plan to have checked")
        return self.verdict

    def summary(self) -> str:
        """One line for logs: status, figures and time."""
        if not self.has_plan:
            return f"{self.status}: " + (", ".join(f.code for f in self.findings) or "no plan")
        stages = ", ".join(f"{s.name} {s.status} {s.objective:.6g}" for s in self.stages
                           if s.objective is not None)
        return (f"{self.status}: balance excess {self.balance_excess:.6g}, continuity cost "
                f"{self.continuity_cost:.6g} ({stages}; {self.wall_time:.2f} s)")


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / |objective|, at most 1; 0 when the bound meets the objective."""
    if objective is None or bound is None:
        return None
    diff = objective - bound
    if diff <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    return min(1.0, diff / abs(objective)) if objective else 1.0


def with_plan(client_to_manager: dict[str, str], verdict: Verdict,
              stages: Sequence[StageResult], seed: int, wall_time: float,
              num_parts: int, pools: Sequence[PoolBound] = ()) -> Result:
    """A result with a checked plan; its headline is the first stage not proven optimal."""
    headline = next((st for st in stages if st.status != "OPTIMAL"), stages[-1])
    return Result(
        status="OPTIMAL" if all(st.status == "OPTIMAL" for st in stages) else "FEASIBLE",
        client_to_manager=client_to_manager,
        stages=tuple(stages),
        balance_excess=verdict.balance_excess,
        continuity_cost=verdict.continuity_cost,
        objective=headline.objective,
        best_bound=headline.best_bound,
        gap=headline.gap,
        wall_time=wall_time,
        findings=(),
        seed=seed,
        verdict=verdict,
        num_parts=num_parts,
        pools=tuple(pools),
    )


def without_plan(status: str, findings: Sequence[Finding], seed: int, wall_time: float,
                 stages: Sequence[StageResult] = ()) -> Result:
    """A result with no plan: its status, the coded reasons, the stages run."""
    return Result(
        status=status,
        client_to_manager={},
        stages=tuple(stages),
        balance_excess=None,
        continuity_cost=None,
        objective=None,
        best_bound=None,
        gap=None,
        wall_time=wall_time,
        findings=tuple(findings),
        seed=seed,
    )
