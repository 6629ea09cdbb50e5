"""The lanes of a pooled book (``scale.decompose.search_pools``) as executor tasks.

A lane is a list of pools searched one after the other; ``fan_out`` runs each lane as a task
on processes or Ray (``rebalance.executors``) and tells the caller's log and progress hook
about each pool as its lane finishes; ``in_threads`` runs the lanes in threads of this
process. Both raise ``PoolFailure`` naming the pools of every lane that failed, once all lanes
have ended.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rebalance.executors import Outcome, Task, describe, run_tasks
from rebalance.i18n import t
from rebalance.scale.pool_search import LaneItem, LogHook, PoolOutcome, PoolProgress, run_lane


def _lane_task(lane: list[LaneItem], lane_total: float, deterministic: bool, seed: int,
               num_parts: int) -> tuple[list[PoolOutcome], list[str]]:
    """A lane run as an executor task: its outcomes and its log lines (told by the caller)."""
    lines: list[str] = []
    # Ray hands numpy arrays over read-only (zero copy from its object store); the search
    # writes to its ledgers, so it works on its own copy.
    lane = copy.deepcopy(lane)
    return run_lane(lane, lane_total, deterministic, seed, num_parts, lines.append), lines


def fan_out(lane_work: list[list[LaneItem]], lane_total: float, deterministic: bool, seed: int,
            num_parts: int, executor: str, address: str | None, say: LogHook,
            on_step: Callable[[PoolProgress], None] | None) -> list[PoolOutcome]:
    """The lanes as tasks on ``executor`` (processes or Ray): a line per pool as its lane
    finishes; ``PoolFailure`` naming the pools of a lane that failed, once all have ended."""
    def done(i: int, outcome: Outcome) -> None:
        if not outcome.ok:
            return
        found, lines = outcome.value
        for line in lines:
            say(line)
        if on_step is not None:
            for item, pool in zip(lane_work[i], found, strict=True):
                on_step(PoolProgress(item[3], num_parts, "continuity", pool.continuity_cost,
                                     pool.continuity_bound))

    tasks = [Task(", ".join(t("fanout.pool", "en", k=item[3], n=num_parts) for item in lane),
                  _lane_task, (lane, lane_total, deterministic, seed, num_parts))
             for lane in lane_work]
    results = run_tasks(tasks, executor, address=address, on_done=done)
    _raise_failed(lane_work, [r.error for r in results], num_parts)
    return [pool for r in results for pool in r.value[0]]


def in_threads(lane_work: list[list[LaneItem]], threads: int,
               run: Callable[[list[LaneItem]], list[PoolOutcome]], num_parts: int
               ) -> list[PoolOutcome]:
    """The lanes run by ``run`` in ``threads`` threads (one after the other with one);
    ``PoolFailure`` naming the pools of the lanes that raised, once all have ended."""
    def guarded(lane: list[LaneItem]) -> tuple[list[PoolOutcome], str | None]:
        try:
            return run(lane), None
        except Exception as exc:  # noqa: BLE001 - named with its pools, the others finish
            return [], describe(exc)

    if threads <= 1:
        results = [guarded(lane) for lane in lane_work]
    else:
        with ThreadPoolExecutor(max_workers=threads) as runner:
            results = list(runner.map(guarded, lane_work))
    _raise_failed(lane_work, [error for _, error in results], num_parts)
    return [pool for found, _ in results for pool in found]


def _raise_failed(lane_work: list[list[LaneItem]], errors: list[str | None],
                  num_parts: int) -> None:
    """``PoolFailure`` naming every pool of every lane with an error, if any has one."""
    failed = [(item[3], num_parts, error) for lane, error in zip(lane_work, errors, strict=True)
              if error is not None for item in lane]
    if failed:
        raise PoolFailure(failed)


class PoolFailure(Exception):
    """Pools whose search failed (an error, a worker that died): (number, of, error) each."""

    def __init__(self, pools: list[tuple[int, int, str]]) -> None:
        self.pools = pools
        super().__init__("; ".join(f"pool {k}/{n}: {error}" for k, n, error in pools))
