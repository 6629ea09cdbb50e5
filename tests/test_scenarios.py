"""The bundled what-if scenarios: each validates, asks what it says, and all of them solve."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from rebalance.errors import InputError
from rebalance.io.read import load_book
from rebalance.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
WHATIF = ("leave_km012", "hires", "plus20", "capped_moves", "pooled")
INTAKE = ("intake", "intake_off")  # candidates brought into the pool (docs/intake.md)
ROLLOUT = ("rollout",)  # the baseline plan phased in waves (docs/rollout.md)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_whatif",
                                                  SCENARIOS / "generate_whatif.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_scenario_file_is_bundled() -> None:
    """The scenarios folder holds the baseline, exactly the five what-ifs of the issue and
    the intake scenario with its candidate-free twin, and the rollout example."""
    names = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    assert names == sorted(["baseline", *WHATIF, *INTAKE, *ROLLOUT])


@pytest.mark.parametrize("name", WHATIF)
def test_whatif_extends_the_baseline_with_a_description(name: str) -> None:
    """Each what-if file names the baseline as its parent and says what it asks."""
    raw = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert raw["extends"] == "baseline.yaml"
    assert raw["name"] == name
    assert len(raw["description"]) > 20


@pytest.mark.parametrize("name", ["baseline", *WHATIF, *INTAKE, *ROLLOUT])
def test_scenario_validates(name: str) -> None:
    """The scenario and its data load without a single input problem."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    problem, rules = load_book(scenario)
    assert problem.num_clients >= 173
    assert rules.pools


def test_leave_scenario_hands_over_one_managers_clients() -> None:
    """KM012 is leaving (and only KM012); her clients have to be placed elsewhere."""
    problem, rules = load_book(load_scenario(SCENARIOS / "leave_km012.yaml"))
    leaving = [m.manager_id for m in problem.managers if not m.staying]
    assert leaving == ["KM012"]
    held = [c for c in problem.clients if c.manager == "KM012"]
    assert len(held) >= 5
    assert all("KM012" not in rules.eligible[c.client_id] for c in held)


def test_hires_scenario_adds_two_empty_half_time_managers() -> None:
    """Two new managers at fte 0.5 join with no clients and half a fair share."""
    problem, rules = load_book(load_scenario(SCENARIOS / "hires.yaml"))
    new = [m for m in problem.managers if m.status == "new"]
    assert [(m.manager_id, m.fte) for m in new] == [("KM019", 0.5), ("KM020", 0.5)]
    assert not any(c.manager in {"KM019", "KM020"} for c in problem.clients)
    km001 = rules.fair_share("KM001", "clients")  # same pool as KM019, fte 1
    assert rules.fair_share("KM019", "clients") == pytest.approx(km001 / 2)


def test_plus20_scenario_adds_twenty_unassigned_high_quality_clients() -> None:
    """20 new clients without a manager, importance A/S, revenue above their group's median."""
    base, _ = load_book(load_scenario(SCENARIOS / "baseline.yaml"))
    plus, _ = load_book(load_scenario(SCENARIOS / "plus20.yaml"))
    old_ids = {c.client_id for c in base.clients}
    new = [c for c in plus.clients if c.client_id not in old_ids]
    assert len(new) == 20 and plus.num_clients == base.num_clients + 20
    assert all(c.manager is None and c.importance >= 4 for c in new)
    for c in new:
        group = sorted(b.revenue for b in base.clients if b.industry == c.industry)
        assert c.revenue > group[len(group) // 2], c.client_id
    assert plus.clients[: base.num_clients] == base.clients  # the baseline rows, unchanged


def test_capped_and_pooled_scenarios_change_only_their_rules() -> None:
    """capped_moves caps moves at 10 and protects importance 5; pooled makes one pool."""
    base = load_scenario(SCENARIOS / "baseline.yaml")
    capped = load_scenario(SCENARIOS / "capped_moves.yaml")
    assert (capped.continuity.max_moves, capped.continuity.protect_importance) == (10, 5)
    assert capped.data == base.data and capped.balance == base.balance
    pooled = load_scenario(SCENARIOS / "pooled.yaml")
    assert pooled.eligibility == "any"
    _, rules = load_book(pooled)
    assert len(rules.pools) == 1


def test_generator_reproduces_the_bundled_data_files(tmp_path: Path) -> None:
    """generate_whatif.py, run again, writes byte-identical files (and leaves inputs alone)."""
    before = {p.name: p.read_bytes() for p in (SCENARIOS / "data").iterdir()}
    written = _generator().write_all(SCENARIOS / "data", tmp_path)
    assert len(written) == 3
    for path in written:
        assert path.read_bytes() == before[path.name], path.name
    after = {p.name: p.read_bytes() for p in (SCENARIOS / "data").iterdir()}
    assert after == before


def test_intake_generator_reproduces_the_candidates_file(tmp_path: Path) -> None:
    """generate_intake.py, run again, writes a byte-identical candidates.csv: 60 candidates
    in every industry group, some above the 5 % arrears limit (inputs left alone)."""
    spec = importlib.util.spec_from_file_location("generate_intake",
                                                  SCENARIOS / "generate_intake.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = {p.name: p.read_bytes() for p in (SCENARIOS / "data").iterdir()}
    (written,) = module.write_all(SCENARIOS / "data", tmp_path)
    assert written.read_bytes() == before["candidates.csv"]
    assert {p.name: p.read_bytes() for p in (SCENARIOS / "data").iterdir()} == before
    scenario = load_scenario(SCENARIOS / "intake.yaml")
    from rebalance.intake import load_candidates
    from rebalance.intake.engine import screen

    book = load_candidates(scenario, load_book(scenario)[0])
    assert len(book.candidates) == 60
    assert len({c.client.industry for c in book.candidates}) == 7
    assert any(key == "intake.reason.arrears" for key, _ in screen(book, scenario).values())


def test_unknown_key_in_a_child_scenario_names_file_and_line(tmp_path: Path) -> None:
    """A misspelt key in a child of the baseline is reported at the child's file and line."""
    child = tmp_path / "typo.yaml"
    child.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: typo\n"
                     "continuity:\n  max_move: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    message = str(info.value)
    assert f"{child}:4" in message and "continuity.max_move" in message


def test_every_scenario_solves_within_the_rules() -> None:
    """All six scenarios give a plan that check() finds breaking no hard rule (short solves)."""
    from rebalance.whatif import compare_scenarios

    paths = [SCENARIOS / f"{n}.yaml" for n in ["baseline", *WHATIF]]
    table = compare_scenarios(paths, ["solver.time_limit=8", "solver.workers=2"])
    assert list(table["scenario"]) == ["baseline", *WHATIF]
    assert set(table["status"]) <= {"OPTIMAL", "FEASIBLE"}, table[["scenario", "status", "note"]]
    by_name = table.set_index("scenario")
    # the rules each scenario sets hold in its plan
    assert by_name.loc["capped_moves", "moves"] <= 10
    assert by_name.loc["baseline", "managers_outside_after"] < by_name.loc[
        "baseline", "managers_outside_before"]
    assert table["hard_rules_ok"].all()  # check()'s independent verdict on every plan
