"""Fan-out (``rebalance.executors``): sweep points, compared scenarios and pools run locally, on
every core (processes) and on a local Ray instance, with the same answers, in a fixed order,
and a failed task named while the others finish."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from rebalance import executors, whatif  # noqa: E402
from rebalance.cli import app  # noqa: E402
from rebalance.errors import InputError  # noqa: E402
from rebalance.executors import Outcome, Task, choose, run_tasks  # noqa: E402
from rebalance.scale import lanes  # noqa: E402
from rebalance.scenario import Scenario  # noqa: E402

from helpers import benchmark_generator  # noqa: E402

DATA = Path(__file__).parent / "data" / "whatif"
TINY = DATA / "tiny.yaml"
CAPPED = DATA / "tiny_capped.yaml"
# Every point and scenario stops on deterministic work: the same plan on every executor.
WORK = ["--set", "solver.work_limit=2", "--set", "solver.workers=2"]
OUTPUTS = ("assignment.csv", "managers.csv", "moves.csv")


def _run(*args: str | Path) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) with line wrapping folded into spaces."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """One local Ray instance with 2 CPUs for the whole session (Ray's start-up is seconds)."""
    import ray  # installed with the test extras: a missing Ray fails here, it never skips

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def pooled_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 600 × 60 book: four pools big enough for the scale engine (two lanes)."""
    generator = benchmark_generator()
    folder = tmp_path_factory.mktemp("pooled")
    return Path(generator.write_book(generator.generate_book((600, 60), seed=3), folder))


# --------------------------------------------------------------------------- the executor


def square(x: int) -> int:
    """A task: x², or an error for negative x."""
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x * x


def die(x: int) -> int:
    """A task whose worker process is killed (as by the out-of-memory killer) when x == 3."""
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def threads_seen(_x: int) -> tuple[int, bool]:
    """A task reporting the threads it may use and whether it knows it is a task."""
    return executors.task_threads(), executors.in_task()


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_results_come_back_in_task_order_and_an_error_is_named(executor: str) -> None:
    """Outcomes follow the tasks' order whatever order they finish in; a task that raises is
    an outcome with the error, and the tasks after it still run."""
    finished: list[int] = []
    tasks = [Task(f"point {x}", square, (x,)) for x in (4, -1, 2, 3)]
    outcomes = run_tasks(tasks, executor, on_done=lambda i, _o: finished.append(i))
    assert [o.label for o in outcomes] == ["point 4", "point -1", "point 2", "point 3"]
    assert [o.value for o in outcomes if o.ok] == [16, 4, 9]
    assert not outcomes[1].ok and "negative input -1" in (outcomes[1].error or "")
    assert sorted(finished) == [0, 1, 2, 3]


def test_a_killed_worker_fails_its_task_only() -> None:
    """A worker killed mid-task breaks the process pool; only that task is reported (as a
    worker that died), every other task is run again and finishes."""
    outcomes = run_tasks([Task(f"pool {x}", die, (x,)) for x in range(1, 6)], "processes")
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    assert [o.value for o in outcomes if o.ok] == [1, 2, 4, 5]
    assert "died" in (outcomes[2].error or "")


def test_ray_names_an_error_and_a_dead_worker_and_finishes_the_rest(local_ray: Any) -> None:
    """On Ray, a task that raises and one whose worker exits are reported as such (not
    retried), and the other tasks still finish, in the tasks' order. (Builtins as tasks:
    Ray workers import them without this test module.)"""
    tasks = [Task("ok", abs, (-3,)), Task("dies", os._exit, (1,)),
             Task("raises", int, ("twelve",)), Task("ok too", abs, (4,))]
    outcomes = run_tasks(tasks, "ray")
    assert [o.label for o in outcomes] == ["ok", "dies", "raises", "ok too"]
    assert [o.value for o in outcomes if o.ok] == [3, 4]
    assert "died" in (outcomes[1].error or "")
    assert "ValueError" in (outcomes[2].error or "")


def test_tasks_times_threads_never_exceed_the_cores() -> None:
    """Each task is told its share of the cores and that it is a task (so it does not fan
    out again); the shares of the tasks running at once add up to at most the cores."""
    cores = executors.cores()
    outcomes = run_tasks([Task(str(i), threads_seen, (i,)) for i in range(5)], "processes")
    at_once = min(5, cores)
    for outcome in outcomes:
        threads, nested = outcome.value
        assert nested and threads * at_once <= max(cores, at_once)


def test_auto_picks_local_for_one_task_and_inside_a_task() -> None:
    """``auto`` runs a single task or light tasks here, fans out heavy ones with two tasks and
    two cores, and
    anything asked for inside a task runs in that task's process; a bad name is bad input."""
    assert choose("auto", 1) == "local"
    assert choose("processes", 1) == "local"
    assert choose("auto", 6) == ("processes" if executors.cores() >= 2 else "local")
    assert choose("auto", 6, heavy=False) == "local"  # small books: start-up costs more
    assert choose("ray", 3) == "ray"
    with pytest.raises(InputError):
        choose("threads", 3)


def test_the_executor_is_a_scenario_setting_and_a_bad_one_exits_2(tmp_path: Path) -> None:
    """``solver.executor`` accepts auto, local, processes and ray (default auto); anything
    else is bad input (exit 2) naming the field, before anything is solved."""
    assert Scenario.model_validate({"data": {"clients": "c", "managers": "m"}}).solver.executor \
        == "auto"
    code, output = _run("sweep", TINY, "--grid", "continuity.max_moves=0,2",
                        "--executor", "threads", "--out", tmp_path / "s")
    assert code == 2 and "executor" in output
    assert not (tmp_path / "s").exists()


# --------------------------------------------------------------------------- the same answers


def test_sweep_gives_the_same_table_on_every_executor(tmp_path: Path, local_ray: Any) -> None:
    """A sweep stopped by work gives the same sweep.csv (every column but the solve time)
    locally, on processes and on a local Ray instance (2 CPUs); rows keep the grid's order."""
    tables = {}
    for executor in ("local", "processes", "ray"):
        out = tmp_path / executor
        code, output = _run("sweep", CAPPED, "--grid", "continuity.max_moves=0,1,2,4", *WORK,
                            "--executor", executor, "--out", out)
        assert code == 0, output
        tables[executor] = (out / "sweep.csv").read_bytes()
    assert _without_time(tables["local"]) == _without_time(tables["processes"]) \
        == _without_time(tables["ray"])
    assert [line.split(",")[0] for line in _without_time(tables["local"])[1:]] == \
        ["0", "1", "2", "4"]


def _without_time(data: bytes) -> list[str]:
    """A CSV's lines without its wall_time column (it differs from run to run)."""
    lines = data.decode("utf-8-sig").splitlines()
    column = lines[0].split(",").index("wall_time")
    return [",".join(v for k, v in enumerate(line.split(",")) if k != column) for line in lines]


def test_pooled_solve_gives_the_same_plan_on_every_executor(pooled_book: Path, tmp_path: Path,
                                                            local_ray: Any) -> None:
    """The pools of one book searched in threads, in processes and as Ray tasks give
    byte-identical assignment, managers and moves tables under ``solver.work_limit``, and the
    terminal shows a line per pool."""
    written = {}
    for executor in ("local", "processes", "ray"):
        out = tmp_path / executor
        code, output = _run("solve", pooled_book, "--set", "solver.work_limit=1",
                            "--set", "solver.workers=2", "--executor", executor, "--out", out)
        assert code == 0, output
        assert "pool 4/4" in output
        written[executor] = [(out / name).read_bytes() for name in OUTPUTS]
    assert written["local"] == written["processes"] == written["ray"]


def test_compare_on_processes_matches_local(tmp_path: Path) -> None:
    """compare solves its scenarios on processes with the same figures as one after the
    other, and prints a line as each one finishes."""
    frames = {}
    for executor in ("local", "processes"):
        out = tmp_path / f"{executor}.csv"
        code, output = _run("compare", TINY, CAPPED, *WORK, "--executor", executor, "--out", out)
        assert code == 0, output
        assert "Solved tiny" in output
        frames[executor] = out.read_bytes()
    assert _without_time(frames["local"]) == _without_time(frames["processes"])


# --------------------------------------------------------------------------- failures


def test_a_failed_point_is_named_and_the_sweep_exits_1(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A point whose solve raises becomes a FAILED row with the error; the other points are
    still solved and written, and the sweep exits 1 naming the point."""
    real = whatif.solve_row

    def flaky(scenario: Scenario, problem: Any, rules: Any) -> dict[str, Any]:
        if scenario.continuity.max_moves == 2:
            raise RuntimeError("solver crashed")
        return real(scenario, problem, rules)

    monkeypatch.setattr(whatif, "solve_row", flaky)
    out = tmp_path / "sweep"
    code, output = _run("sweep", CAPPED, "--grid", "continuity.max_moves=0,2,4", *WORK,
                        "--executor", "local", "--out", out)
    assert code == 1
    assert "continuity.max_moves=2: failed: RuntimeError: solver crashed" in output
    rows = (out / "sweep.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 4 and ",FAILED," in rows[2] and ",FAILED," not in rows[1] + rows[3]


def test_a_failed_pool_is_named_and_the_others_finish() -> None:
    """A lane of pools that fails in its worker is reported with its pools' numbers, after
    the other lanes have finished."""
    book = benchmark_generator().generate_book((600, 60), seed=3)
    from rebalance.pools import build_rules
    from rebalance.scale.ledger import Ledger

    rules = build_rules(book.problem, book.scenario)
    ledger = Ledger(book.problem, book.scenario, rules)
    ledger.load_plan(dict(book.problem.current_assignment))
    good = [(0, ledger, 1, 1)]
    broken = [(1, None, 1, 2)]  # no ledger: the search raises in the worker
    heard: list[int] = []
    with pytest.raises(lanes.PoolFailure) as info:
        lanes.fan_out([good, broken], 0.2, True, 0, 2, "processes", None, lambda _m: None,
                           lambda step: heard.append(step.part))
    assert [(k, n) for k, n, _ in info.value.pools] == [(2, 2)]
    assert heard == [1]  # the good lane finished and was reported


def test_a_pool_failing_in_a_thread_is_named_and_solve_exits_1(
        pooled_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the lanes in threads, a pool whose search raises is named (``pool K/N could not
    be searched``), the other lanes finish, solve exits 1 and writes nothing."""
    from rebalance.scale import pool_search

    real = pool_search.PoolSearch.run

    def flaky(self: Any) -> Any:
        if self.index == 2:
            raise RuntimeError("search crashed")
        return real(self)

    monkeypatch.setattr(pool_search.PoolSearch, "run", flaky)
    out = tmp_path / "out"
    code, output = _run("solve", pooled_book, "--set", "solver.work_limit=0.5",
                        "--set", "solver.workers=2", "--executor", "local", "--out", out)
    assert code == 1, output
    assert "could not be searched: RuntimeError: search crashed" in output
    assert not out.exists()


def test_ray_without_the_package_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for Ray where it is not installed says how to install it (no traceback)."""
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(InputError) as info:
        executors.ray_module()
    assert "rebalance[ray]" in str(info.value.issues[0])


def test_outcome_ok_means_no_error() -> None:
    """An outcome is ok exactly when it carries no error."""
    assert Outcome("a", value=0).ok and not Outcome("a", error="boom").ok
