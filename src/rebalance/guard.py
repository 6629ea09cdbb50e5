"""The time limit as a promise: run the engine where the deadline can stop it.

Inside the engine every CP-SAT call and every search loop has a budget, but the phases around
them (greedy plan, starts, bounds, checking) are plain Python whose cost grows with the book;
on a 200,000-client book they alone can take minutes. ``solve_within`` therefore runs the
engine in a forked child process and waits at most ``solver.time_limit`` plus a small margin
for handing the plan back. If the child is not done by then it is killed (its memory goes
with it) and the answer is "no plan in N s" — a clean ``UNKNOWN`` result, exit 1 on the
command line. Where ``fork`` is not available (Windows, macOS default) the engine runs in
this process without the hard stop.
"""

from __future__ import annotations

import multiprocessing
import pickle
import time
from collections.abc import Callable, Sequence
from typing import Any

from rebalance.findings import Finding, finding
from rebalance.scenario import Solver

# What the child may use beyond the time limit to check, pickle and send the plan back:
# measured on a 200,000-client book (about 1 s); a tenth of the limit on long runs.
HANDBACK_SECONDS = 2.0
HANDBACK_SHARE = 0.1


def deadline_seconds(settings: Solver) -> float:
    """How long the parent waits for the engine: the limit plus the hand-back margin."""
    return settings.time_limit + max(HANDBACK_SECONDS, HANDBACK_SHARE * settings.time_limit)


def _child(engine: Callable[..., Any], args: Sequence[Any], conn: Any) -> None:
    try:
        payload: tuple[str, Any] = ("ok", engine(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        payload = ("error", exc)
    try:
        conn.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
        conn.send_bytes(pickle.dumps(("error", RuntimeError(repr(exc)))))
    conn.close()


def solve_within(engine: Callable[..., Any], args: Sequence[Any], settings: Solver,
                 no_plan: Callable[[list[Finding]], Any]) -> Any:
    """``engine(*args)``, or ``no_plan([finding])`` when it is not done by the deadline.

    An exception raised by the engine is raised here; a child that dies without answering
    (killed by the system, out of memory) is a ``RuntimeError``.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return engine(*args)
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(engine, args, writer), daemon=True)
    started = time.monotonic()
    child.start()
    writer.close()
    try:
        wait = deadline_seconds(settings) - (time.monotonic() - started)
        if not reader.poll(max(0.0, wait)):
            seconds = settings.time_limit
            return no_plan([finding("outputs.no_plan_in_time", seconds=seconds)])
        try:
            status, value = pickle.loads(reader.recv_bytes())
        except EOFError:
            child.join()
            raise RuntimeError(f"the engine process ended without a plan "
                               f"(exit code {child.exitcode})") from None
        if status == "error":
            raise value
        return value
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        reader.close()
