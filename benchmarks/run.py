"""Side-by-side benchmark: rebalance's CP-SAT engine, HiGHS on the same model, and a greedy.

One command::

    python benchmarks/run.py [--sizes small,medium,large] [--time-limit S] [--seed N]
                             [--methods cp-sat,highs,greedy] [--out benchmarks/results.md]

For each size the seeded book (``benchmarks/generate.py``) is solved by every method, each in
a fresh process (so peak memory is the method's own: ``ru_maxrss`` of that process, which
includes Python, OR-Tools and the book itself). Every plan is judged by ``rebalance.check``
(the solver-free oracle), so the balance excess, continuity cost, moves and managers outside
a band are the same numbers for all methods. Bounds and gaps are what each solver proved
(the greedy proves nothing). The Markdown table (with the machine it ran on) is printed and
written to ``--out``; the raw rows go to the same name with ``.json``.

Methods:

- ``cp-sat``: ``rebalance.solve.solve`` — the engine as the command line runs it;
- ``lns``: ``rebalance.solve.solve(..., engine="scale")``: the scale engine forced (pools +
  greedy start + large-neighbourhood search + release bound), whatever the book's size;
- ``highs``: the same MIP solved by HiGHS through OR-Tools (``benchmarks/highs.py``);
- ``greedy``: the greedy repair (``rebalance.scale.greedy``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

# Default time limit per size (seconds): the issue's goals for the engine. The large one
# leaves 15 s of the 10 minutes for building the rules and checking the plan, which the
# wall time includes.
DEFAULT_TIME = {"small": 10.0, "medium": 60.0, "large": 585.0}
METHODS = ("cp-sat", "highs", "greedy")
ALL_METHODS = ("cp-sat", "lns", "highs", "greedy")


def run_method(method: str, size: str, seed: int, time_limit: float, workers: int,
               work_limit: float | None = None) -> dict[str, Any]:
    """Generate the book, solve it with ``method``, judge the plan with ``check``.

    Runs inside the child process; returns plain data for the table.
    """
    from benchmarks.generate import generate_book
    from rebalance.check import check
    from rebalance.pools import build_rules
    from rebalance.scenario import with_overrides

    book = generate_book(size, seed=seed, time_limit=time_limit, workers=workers)
    scenario = book.scenario
    if work_limit is not None:
        scenario = with_overrides(scenario, [f"solver.work_limit={work_limit}"])
    problem = book.problem
    rss_before = _peak_rss_mib()
    start = time.monotonic()
    rules = build_rules(problem, scenario)
    row: dict[str, Any] = {"size": size, "method": method, "clients": problem.num_clients,
                           "managers": problem.num_managers}
    if method == "greedy":
        from rebalance.scale.greedy import greedy_plan
        plan = dict(greedy_plan(problem, scenario, rules).client_to_manager)
        row.update(status="HEURISTIC")
    elif method == "highs":
        from benchmarks.highs import solve_highs
        highs = solve_highs(problem, scenario, rules, time_limit=time_limit)
        plan = dict(highs.client_to_manager)
        stages = {s.name: s for s in highs.stages}
        last = highs.stages[-1] if highs.stages else None
        row.update(
            status=last.status if last else "NOT_RUN",
            balance_bound=_get(stages.get("balance"), "best_bound"),
            continuity_bound=_get(stages.get("continuity"), "best_bound"),
            stages=[vars(s) for s in highs.stages],
        )
    elif method == "lns":
        from rebalance.solve import solve
        result = solve(problem, scenario, rules, engine="scale")
        plan = dict(result.client_to_manager)
        row.update(status=str(getattr(result, "status", "")), **_engine_bounds(result))
    elif method == "cp-sat":
        from rebalance.solve import solve
        result = solve(problem, scenario, rules)
        plan = dict(result.client_to_manager)
        row.update(status=str(getattr(result, "status", "")), **_engine_bounds(result))
    else:
        raise ValueError(f"unknown method {method!r}")
    wall = time.monotonic() - start
    verdict = check(problem, scenario, plan, rules)
    managers_out = sorted({mid for mid, _ in verdict.outside_band})
    row["managers_outside_oversize"] = _holding_oversize(problem, scenario, rules, plan,
                                                         managers_out)
    row.update(
        plan_found=bool(plan),
        violations=len(verdict.violations),
        balance_excess=verdict.balance_excess if plan else None,
        continuity_cost=verdict.continuity_cost if plan else None,
        moves=verdict.num_moves if plan else None,
        managers_outside=len(managers_out) if plan else None,
        wall_time=wall,
        peak_rss_mib=_peak_rss_mib(),
        rss_before_mib=rss_before,
    )
    if plan:
        from rebalance.result import relative_gap

        row["gap"] = relative_gap(verdict.continuity_cost, row.get("continuity_bound"))
        row["balance_gap"] = relative_gap(verdict.balance_excess, row.get("balance_bound"))
        for stage in ("balance", "continuity"):
            if row.get(f"{stage}_bound") is not None:
                row.setdefault(f"{stage}_source", method)
    return row


def _holding_oversize(problem: Any, scenario: Any, rules: Any, plan: dict[str, str],
                      managers: list[str]) -> int:
    """How many of ``managers`` hold a client too big for any band it may sit in (their
    band cannot be met, see ``rebalance.scale.bounds``)."""
    from rebalance.scale.bounds import oversize_clients
    from rebalance.scale.ledger import Ledger

    ledger = Ledger(problem, scenario, rules)
    big = oversize_clients(ledger)
    holders = {plan.get(ledger.client_ids[c]) for c in big.nonzero()[0].tolist()}
    return sum(m in holders for m in managers)


def _get(obj: object, name: str) -> Any:
    return getattr(obj, name, None) if obj is not None else None


def _engine_bounds(result: object) -> dict[str, Any]:
    """Balance and continuity bounds from the engine's ``Result`` (its per-stage report)."""
    out: dict[str, Any] = {}
    for stage in getattr(result, "stages", ()) or ():
        name = getattr(stage, "name", None)
        bound = getattr(stage, "best_bound", None)
        if name in ("balance", "continuity"):
            out[f"{name}_bound"] = bound
    if "continuity_bound" not in out:
        out["continuity_bound"] = getattr(result, "best_bound", None)
    pools = getattr(result, "pools", ()) or ()
    for stage in ("balance", "continuity"):
        # Which methods proved the pools' bounds, e.g. "release 3, cp-sat 1".
        counts: dict[str, int] = {}
        for pool in pools:
            method = getattr(pool, f"{stage}_method")
            counts[method] = counts.get(method, 0) + 1
        out[f"{stage}_source"] = ", ".join(f"{m} {n}" for m, n in sorted(
            counts.items(), key=lambda item: (-item[1], item[0]))) if pools else "cp-sat"
    return out


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _child(conn: Any, args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", run_method(*args)))
    except MemoryError:
        conn.send(("error", "out of memory"))
    except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _rss_mib(pid: int) -> float | None:
    """Resident memory of a live process in MiB (Linux), None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def run_isolated(method: str, size: str, seed: int, time_limit: float, workers: int,
                 work_limit: float | None = None, memory_cap_gib: float | None = 16.0,
                 grace: float = 120.0) -> dict[str, Any]:
    """``run_method`` in a fresh (spawned) process.

    The process is killed when it overruns its time limit by ``grace`` seconds or when its
    resident memory passes ``memory_cap_gib`` (polled twice a second, so that a method that
    needs more memory than the machine has is reported instead of taking the machine down).
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    args = (method, size, seed, time_limit, workers, work_limit)
    proc = ctx.Process(target=_child, args=(child, args))
    start = time.monotonic()
    proc.start()
    child.close()
    outcome: tuple[str, Any] | None = None
    peak, reason = 0.0, ""
    deadline = start + time_limit * 1.5 + grace
    while time.monotonic() < deadline:
        if parent.poll(0.5):
            try:
                outcome = parent.recv()
            except EOFError:
                outcome = None
            break
        if not proc.is_alive():
            break
        rss = _rss_mib(proc.pid) if proc.pid is not None else None
        peak = max(peak, rss or 0.0)
        if memory_cap_gib and rss is not None and rss > memory_cap_gib * 1024:
            reason = f"killed: resident memory above {memory_cap_gib:g} GiB"
            break
    else:
        reason = f"killed: no answer {time_limit * 1.5 + grace:.0f} s after the start"
    proc.join(timeout=1 if reason else 10)
    if proc.is_alive():
        proc.kill()
        proc.join()
    base = {"size": size, "method": method, "wall_time": time.monotonic() - start,
            "peak_rss_mib": peak or None}
    if outcome is None:
        reason = reason or f"crashed (exit code {proc.exitcode})"
        return {**base, "error": reason}
    kind, payload = outcome
    return payload if kind == "ok" else {**base, "error": payload}


# --------------------------------------------------------------------------- report


def machine() -> str:
    """One line naming the machine and the versions the figures come from."""
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        ram = "RAM unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {ram}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}; load average at start {load}")


def _fmt(value: Any, spec: str) -> str:
    if value is None:
        return "—"
    return format(value, spec)


def _outside(row: dict[str, Any]) -> str:
    if row.get("managers_outside") is None:
        return "—"
    return f"{row['managers_outside']} ({row.get('managers_outside_oversize', 0)})"


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The Markdown results table."""
    head = ("| size | method | status | outside band (oversize) | balance excess | balance bound "
            "| balance gap | balance bound by | continuity cost | continuity bound | gap "
            "| continuity bound by | moves | wall s | peak MiB |")
    lines = [head, "|" + "---|" * 15]
    for r in rows:
        from benchmarks.generate import SIZES

        nc, nm = SIZES.get(r["size"], (r.get("clients", "?"), r.get("managers", "?")))
        size = f"{r['size']} ({nc:,}×{nm:,})" if isinstance(nc, int) else r["size"]
        if "error" in r:
            lines.append(f"| {size} | {r['method']} | {r['error']} |  |  |  |  |  |  |  |  |  |  "
                         f"| {r['wall_time']:.0f} | {_fmt(r.get('peak_rss_mib'), '.0f')} |")
            continue
        if not r.get("plan_found"):
            status = f"{r.get('status', '')}: no plan"
        else:
            status = r.get("status", "")
            if r.get("violations"):
                status += f" ({r['violations']} broken rules)"
        lines.append(
            f"| {size} | {r['method']} | {status} | {_outside(r)} "
            f"| {_fmt(r.get('balance_excess'), '.4f')} | {_fmt(r.get('balance_bound'), '.4f')} "
            f"| {_fmt(r.get('balance_gap'), '.2%')} | {r.get('balance_source') or '—'} "
            f"| {_fmt(r.get('continuity_cost'), '.2f')} "
            f"| {_fmt(r.get('continuity_bound'), '.2f')} | {_fmt(r.get('gap'), '.2%')} "
            f"| {r.get('continuity_source') or '—'} "
            f"| {_fmt(r.get('moves'), 'd')} | {r['wall_time']:.1f} "
            f"| {_fmt(r.get('peak_rss_mib'), '.0f')} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="rebalance scale benchmark (see module doc)")
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated, from {', '.join(ALL_METHODS)}")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds per method and size (default: small 10, medium 60, "
                             "large 585)")
    parser.add_argument("--work-limit", type=float, default=None,
                        help="deterministic work limit for the CP-SAT methods (reproducible)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-cap", type=float, default=16.0,
                        help="resident-memory cap per method in GiB (0 = none)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args(argv)

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for method in methods:
        if method not in ALL_METHODS:
            parser.error(f"unknown method {method!r}")
    header = machine()
    print(header, flush=True)
    rows: list[dict[str, Any]] = []
    for size in sizes:
        limit = args.time_limit if args.time_limit is not None else DEFAULT_TIME.get(size, 60.0)
        for method in methods:
            print(f"{size}: {method} (time limit {limit:g} s) ...", flush=True)
            row = run_isolated(method, size, args.seed, limit, args.workers, args.work_limit,
                               args.memory_cap or None)
            row["time_limit"] = limit
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
    text = "\n".join([
        f"Machine: {header}", "",
        f"Seed {args.seed}; time limit per method: "
        + ", ".join(f"{s} {args.time_limit or DEFAULT_TIME.get(s, 60.0):g} s" for s in sizes)
        + (f"; work limit {args.work_limit:g}" if args.work_limit else "") + ".", "",
        table(rows), "",
    ])
    print()
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(rows, indent=2, default=str) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
