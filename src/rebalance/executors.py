"""Running independent tasks — sweep points, compared scenarios, pools of a book — in one place:
here (``local``), on every core of this machine (``processes``) or on a Ray cluster (``ray``).

``run_tasks(tasks, executor)`` runs a list of ``Task``s and returns one ``Outcome`` per task, in
the order of the tasks whatever order they finish in. A task that raises or whose worker dies
(killed, out of memory) is an ``Outcome`` with an ``error`` naming what happened; the other
tasks still finish. ``on_done`` hears about each task as it finishes (progress lines).

Cores are never oversubscribed: at most ``cores`` tasks run at once, and each task is told how
many threads it may use (``task_threads()``: cores ÷ tasks running at once), which the code
inside a task reads instead of the machine's core count. A task that fans out itself (the
pools of a sweep point) runs its sub-tasks in its own process (``in_task()``).

``auto`` (the default of ``solver.executor``) picks what was measured fastest on a 2-core
machine for the job at hand (docs/fanout.md): ``processes`` when at least two *heavy* tasks
(sweep points or scenarios whose books reach the scale engine), each running for tens of
seconds, can overlap on at least two cores; ``local`` otherwise (small books are solved in a
second or so, less than a worker's start-up, and one long solve among short ones is the
whole wall time wherever it runs). Ray is never
picked by itself: it needs the ``rebalance[ray]`` extra and pays a start-up of seconds, which
only a cluster repays.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, get_args

from rebalance.errors import InputError, Issue
from rebalance.i18n import t

Executor = Literal["auto", "local", "processes", "ray"]  # the setting (solver.executor)
EXECUTORS: tuple[str, ...] = get_args(Executor)
# Modules a worker process imports once, before any task: the forkserver forks workers from a
# process that already has them, so a task does not pay pandas' and OR-Tools' import time.
PRELOAD = ["rebalance.pipeline", "rebalance.whatif", "rebalance.scale.decompose"]

# Set in a worker while it runs a task: the threads the task may use. Also tells code that
# it runs inside a task (then its own fan-out stays in its process).
_task_threads: int | None = None


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(*args)``, named ``label`` as the user knows it (a grid point,
    a scenario, a pool). ``fn`` must be a module-level function (it is pickled by name)."""

    label: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one task gave: its ``value``, or ``error`` (a readable sentence) when it failed."""

    label: str
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


OnDone = Callable[[int, Outcome], None]  # (task index, outcome), as tasks finish


def cores() -> int:
    """The cores this code may use: its task's share inside a task, else the machine's."""
    if _task_threads is not None:
        return _task_threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def task_threads() -> int:
    """Threads the current task may use (all the machine's cores outside a task)."""
    return cores()


def in_task() -> bool:
    """True inside a task run by ``run_tasks`` (nested fan-out then runs locally)."""
    return _task_threads is not None


def choose(executor: str, num_tasks: int, heavy: bool = True) -> str:
    """The executor that runs ``num_tasks`` tasks: ``executor`` itself, except that ``auto``
    becomes ``processes`` (``heavy`` tasks, two cores) or ``local`` (see the module doc) and
    anything nested in a task is ``local``."""
    if executor not in EXECUTORS:
        raise InputError([Issue(t("fanout.unknown_executor", "en", executor=executor,
                                  choices=", ".join(EXECUTORS)))])
    if in_task() or num_tasks <= 1:
        return "local"
    if executor == "auto":
        return "processes" if heavy and cores() >= 2 else "local"
    return executor


def run_tasks(tasks: Sequence[Task], executor: str = "auto", address: str | None = None,
              on_done: OnDone | None = None, heavy: bool = True) -> list[Outcome]:
    """Run ``tasks`` on ``executor``; one ``Outcome`` per task, in the tasks' order.

    ``address`` is Ray's (``auto``, ``ray://host:10001``; none starts a local instance).
    Raises ``InputError`` only when the executor itself cannot start (unknown name, Ray not
    installed or not reachable); a failing task is an ``Outcome`` with an error. ``heavy``
    says the tasks run long enough for ``auto`` to fan them out (see ``choose``).
    """
    kind = choose(executor, len(tasks), heavy)
    if kind == "processes":
        return _run_processes(tasks, on_done)
    if kind == "ray":
        return _run_ray(tasks, address, on_done)
    return _run_local(tasks, on_done)


def _share(num_tasks: int, total: int) -> tuple[int, int]:
    """(tasks at once, threads per task) so that their product never exceeds ``total``."""
    at_once = max(1, min(num_tasks, total))
    return at_once, max(1, total // at_once)


def _call(fn: Callable[..., Any], args: tuple[Any, ...], threads: int) -> tuple[bool, Any]:
    """Run one task where it lands: (True, value), or (False, the error as text). Errors come
    back as text because an exception object may not survive the trip between processes."""
    global _task_threads
    before = _task_threads
    _task_threads = threads
    try:
        return True, fn(*args)
    except Exception as exc:  # noqa: BLE001 - reported with the task's name, never hidden
        return False, describe(exc)
    finally:
        _task_threads = before


def describe(exc: BaseException) -> str:
    """An exception as one line: its kind, its message and where it was raised."""
    last = traceback.extract_tb(exc.__traceback__)[-1:]
    where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _outcome(label: str, result: tuple[bool, Any]) -> Outcome:
    ok, value = result
    return Outcome(label, value=value) if ok else Outcome(label, error=str(value))


def _run_local(tasks: Sequence[Task], on_done: OnDone | None) -> list[Outcome]:
    """One task after another in this process, each with every core of its caller."""
    outcomes = []
    for i, task in enumerate(tasks):
        # A local task may fan out itself (the pools of a point): it is not marked as nested.
        try:
            outcome = Outcome(task.label, value=task.fn(*task.args))
        except Exception as exc:  # noqa: BLE001 - same reporting as in a worker
            outcome = Outcome(task.label, error=describe(exc))
        outcomes.append(outcome)
        if on_done is not None:
            on_done(i, outcome)
    return outcomes


def _context() -> Any:
    """Forkserver (not fork: the parent may run OR-Tools threads) with the modules preloaded."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _run_processes(tasks: Sequence[Task], on_done: OnDone | None) -> list[Outcome]:
    """Every core of this machine: a process pool, ``_share`` tasks at once."""
    at_once, threads = _share(len(tasks), cores())
    outcomes: list[Outcome | None] = [None] * len(tasks)
    broken: list[int] = []
    with ProcessPoolExecutor(max_workers=at_once, mp_context=_context()) as pool:
        futures: dict[Future[tuple[bool, Any]], int] = {
            pool.submit(_call, task.fn, task.args, threads): i for i, task in enumerate(tasks)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f]):
                i = futures[future]
                try:
                    outcomes[i] = _outcome(tasks[i].label, future.result())
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                if on_done is not None:
                    on_done(i, outcomes[i])  # type: ignore[arg-type]
    # A worker that dies breaks the whole pool and every task still in it: run each of those
    # again in a process of its own, so that only the task that kills its worker fails.
    for i in sorted(broken):
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as alone:
            try:
                outcomes[i] = _outcome(tasks[i].label, alone.submit(
                    _call, tasks[i].fn, tasks[i].args, threads).result())
            except BrokenProcessPool:
                outcomes[i] = Outcome(tasks[i].label, error=t("fanout.worker_died", "en"))
        if on_done is not None:
            on_done(i, outcomes[i])  # type: ignore[arg-type]
    return [o for o in outcomes if o is not None]


def ray_module() -> Any:
    """The ``ray`` package, or ``InputError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise InputError([Issue(t("fanout.no_ray", "en"))]) from None
    return ray


def start_ray(address: str | None = None) -> Any:
    """Connect to Ray at ``address`` (``auto``, ``ray://…``), or start a local instance with
    this machine's cores when there is none; returns the ``ray`` module."""
    ray = ray_module()
    if not ray.is_initialized():
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=cores(), include_dashboard=False, log_to_driver=False)
        except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; all mean "not reachable"
            raise InputError([Issue(t("fanout.ray_unreachable", "en", address=address or "local",
                                      error=f"{type(exc).__name__}: {exc}"))]) from None
    return ray


def _ray_cores(ray: Any) -> tuple[int, int]:
    """(CPUs of the cluster, CPUs of its biggest node): a task cannot span nodes."""
    total = int(ray.cluster_resources().get("CPU", 1))
    per_node = [int(n.get("Resources", {}).get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]
    return max(1, total), max(1, max(per_node, default=1))


def _run_ray(tasks: Sequence[Task], address: str | None, on_done: OnDone | None
             ) -> list[Outcome]:
    """Ray tasks, one CPU share each; Ray's scheduler keeps them within the cluster's CPUs."""
    ray = start_ray(address)
    total, biggest = _ray_cores(ray)
    _, threads = _share(len(tasks), total)
    threads = min(threads, biggest)
    # No retries: a task that kills its worker is reported, not run again behind the user's back.
    remote = ray.remote(_call).options(num_cpus=threads, max_retries=0)
    refs = [remote.remote(task.fn, task.args, threads) for task in tasks]
    index = {ref: i for i, ref in enumerate(refs)}
    outcomes: list[Outcome | None] = [None] * len(tasks)
    pending = list(refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        for ref in done:
            i = index[ref]
            try:
                outcomes[i] = _outcome(tasks[i].label, ray.get(ref))
            except ray.exceptions.WorkerCrashedError:
                outcomes[i] = Outcome(tasks[i].label, error=t("fanout.worker_died", "en"))
            except ray.exceptions.RayError as exc:
                outcomes[i] = Outcome(tasks[i].label, error=f"{type(exc).__name__}: {exc}")
            if on_done is not None:
                on_done(i, outcomes[i])  # type: ignore[arg-type]
    return [o for o in outcomes if o is not None]
