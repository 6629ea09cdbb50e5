"""Tiny books built in code, shared by the tests (keep this interface stable).

- ``make_problem(clients=[{...}], managers=[{...}])``: a validated ``Problem`` from plain dicts.
  Client dicts take ``Client`` field names (``client_id``, ``industry``, ``revenue``,
  ``importance``, ``manager``, ``relationship``, ``locked`` …); defaults: industry ``"A"``,
  revenue 100. Manager dicts take ``Manager`` field names; ``industry`` may be given as text
  (``"A;B"``) or ``industries`` as a list; default industry ``"A"``.
- ``make_scenario(**overrides)``: a ``Scenario`` whose data paths point at dummy files;
  keyword arguments are scenario fields (plain dicts are fine, e.g.
  ``continuity={"max_moves": 2}``).
- ``random_problem(seed, num_clients, num_managers, ...)``: a random but realistic book
  (heavy-tailed revenue, industry groups, an unbalanced current assignment).
- ``benchmark_generator()``: ``benchmarks/generate.py`` loaded as a module (it is a script,
  not part of the package).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from rebalance.data import Client, Manager, Problem
from rebalance.scenario import Scenario

DUMMY_DATA = {"clients": "clients.csv", "managers": "managers.csv"}
ROOT = Path(__file__).resolve().parent.parent


def benchmark_generator() -> ModuleType:
    """``benchmarks/generate.py`` as a module (loaded once, then reused)."""
    name = "bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def make_client(spec: Mapping[str, Any]) -> Client:
    """A ``Client`` from a dict of field values (industry "A" and revenue 100 by default)."""
    fields = {"industry": "A", "revenue": 100.0, **spec}
    fields["client_id"] = str(fields["client_id"])
    return Client(**fields)


def make_manager(spec: Mapping[str, Any]) -> Manager:
    """A ``Manager`` from a dict; ``industry`` may be ``"A;B"`` text."""
    fields = dict(spec)
    if "industry" in fields:
        text = str(fields.pop("industry"))
        fields["industries"] = tuple(p.strip() for p in text.split(";") if p.strip())
    fields["industries"] = tuple(fields.get("industries", ("A",)))
    fields["manager_id"] = str(fields["manager_id"])
    return Manager(**fields)


def make_problem(
    clients: Iterable[Mapping[str, Any]], managers: Iterable[Mapping[str, Any]]
) -> Problem:
    """A validated ``Problem`` from client and manager dicts."""
    return Problem(
        clients=tuple(make_client(c) for c in clients),
        managers=tuple(make_manager(m) for m in managers),
    )


def make_scenario(**overrides: Any) -> Scenario:
    """A ``Scenario`` with dummy data paths and the given fields overridden."""
    data = {"data": dict(DUMMY_DATA), **overrides}
    return Scenario.model_validate(data)


INDUSTRIES = ("政府", "金融", "教育", "医疗", "制造", "交通", "中小企业")


def random_problem(
    seed: int,
    num_clients: int = 173,
    num_managers: int = 18,
    industries: tuple[str, ...] = INDUSTRIES,
    *,
    num_new_clients: int = 0,
    leaving: int = 0,
    dual_industry: int = 2,
) -> Problem:
    """A random book shaped like the department's: few big clients, skewed current portfolios.

    Managers are spread over the industries (every industry gets at least one); the first
    ``dual_industry`` managers also serve the next industry; the last ``leaving`` managers
    are leaving (their industries keep at least one staying manager).
    """
    rng = random.Random(seed)
    n_ind = min(len(industries), max(1, num_managers - leaving))
    inds = industries[:n_ind]
    managers: list[dict[str, Any]] = []
    for j in range(num_managers):
        own = [inds[j % n_ind]]
        if j < dual_industry and n_ind > 1:
            own.append(inds[(j + 1) % n_ind])
        status = "leaving" if j >= num_managers - leaving and j >= n_ind else "active"
        managers.append({"manager_id": f"M{j + 1:03d}", "industries": tuple(own),
                         "status": status})
    serving: dict[str, list[str]] = {ind: [] for ind in inds}
    for m in managers:
        for ind in m["industries"]:
            serving[ind].append(m["manager_id"])
    clients: list[dict[str, Any]] = []
    for i in range(num_clients):
        ind = inds[rng.randrange(n_ind)]
        revenue = round(rng.lognormvariate(4.0, 1.1), 1)
        importance = min(5, 1 + int(revenue // 60) + (rng.random() < 0.2))
        # Skewed current portfolios: the first manager of an industry tends to hold more.
        options = serving[ind]
        weights = [2.5 if k == 0 else 1.0 for k in range(len(options))]
        manager = None if i >= num_clients - num_new_clients else rng.choices(options, weights)[0]
        clients.append({
            "client_id": f"{i + 1:06d}",
            "industry": ind,
            "revenue": revenue,
            "importance": importance,
            "manager": manager,
            "relationship": round(rng.random(), 2),
        })
    return make_problem(clients, managers)
