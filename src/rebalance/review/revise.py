"""Decisions → locks → a plan proven optimal given them, and what changed against the
reviewed plan.

A rejected move and a pin are both a lock in the scenario (the client must end with that
manager); everything else is re-optimised by the same pipeline as ``solve``, so the revised
plan is optimal given the decisions in exactly the sense a solved plan is optimal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from rebalance import pipeline
from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.pools import Rules, build_rules, change_kind
from rebalance.review.diff import book_view, clients_table, translate
from rebalance.review.workbook import Decisions
from rebalance.scenario import Pair, Scenario

CHANGE_COLUMNS: tuple[str, ...] = ("kind", "decision")


def decided_scenario(scenario: Scenario, decisions: Decisions) -> Scenario:
    """The scenario with every decision added as a lock (after its own locks).

    Decisions on intake candidates go to the ``intake:`` section instead: a rejected
    placement leaves the candidate out (``excluded``), a pin takes it in with that manager
    (``placed``, which makes it ``required``); either overrides what the scenario said of
    that candidate."""
    have = {(p.client, p.manager) for p in scenario.locks}
    added = [Pair(client=d.client_id, manager=d.manager) for d in decisions.holds
             if (d.client_id, d.manager) not in have and d.client_id not in decisions.candidates]
    decided = scenario.model_copy(update={"locks": (*scenario.locks, *added)})
    on_candidates = [d for d in decisions.holds if d.client_id in decisions.candidates]
    if not on_candidates:
        return decided
    intake = scenario.intake
    out = {d.client_id for d in on_candidates if d.kind == "exclude"}
    placed = {**{c: m for c, m in intake.placed.items() if c not in out},
              **{d.client_id: d.manager for d in on_candidates if d.kind == "pin"}}
    decided_ids = {d.client_id for d in on_candidates}
    required = dict.fromkeys([*(c for c in intake.required if c not in decided_ids), *placed])
    excluded = [c for c in intake.excluded if c not in decided_ids] + sorted(out)
    changed = intake.model_copy(update={"placed": placed, "required": tuple(required),
                                        "excluded": tuple(excluded)})
    return decided.model_copy(update={"intake": changed})


def revise(scenario: Scenario, problem: Problem, decisions: Decisions,
           progress: Callable[[Any], None] | None = None) -> tuple[pipeline.Plan, Rules]:
    """Solve ``scenario`` with the decisions held. NoPlanError when they contradict the rules."""
    decided = decided_scenario(scenario, decisions)
    rules = build_rules(problem, decided)
    return pipeline.run(decided, problem, rules, progress=progress), rules


def changes_table(problem: Problem, decisions: Decisions, revised: Mapping[str, str],
                  lang: str) -> pd.DataFrame:
    """Clients whose manager differs between the reviewed and the revised plan: managers
    before and after revision, the kind of change against the book, and the decision that
    holds the client (blank: re-optimised)."""
    a = book_view(problem, decisions.reviewed, t("review.revise.reviewed", lang))
    b = book_view(problem, revised, t("review.revise.revised", lang))
    df = clients_table(a, b)
    held = {d.client_id: d.kind for d in decisions.holds}
    kinds = [change_kind(problem, cid, revised.get(cid)) for cid in df["client_id"]]
    # a candidate the reviewed plan took in and the revised one leaves out
    left = {c for c in decisions.candidates if c not in revised}
    df["kind"] = [t(f"term.{k}", lang) if k else
                  t("intake.kind.left_out", lang) if c in left else ""
                  for c, k in zip(df["client_id"], kinds, strict=True)]
    df["decision"] = [t(f"review.revise.held.{held[c]}", lang) if c in held else ""
                      for c in df["client_id"]]
    out = translate(df.drop(columns=list(CHANGE_COLUMNS)), lang, a.label, b.label)
    out[t("tables.client.kind", lang)] = df["kind"].to_numpy()
    out[t("review.col.decision", lang)] = df["decision"].to_numpy()
    return out


def scenario_yaml(scenario: Scenario, folder: Path, comment: str,
                  **fields: Any) -> str:
    """The resolved scenario as a YAML file for ``folder``: data paths relative to it,
    ``fields`` replacing top-level keys (``None`` removes one)."""
    data = scenario.resolved()
    data.pop("extends", None)
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    paths = data.get("data", {})
    for key in ("clients", "managers", "subscribers", "candidates"):
        value = paths.get(key)
        if isinstance(value, str) and os.path.isabs(value):
            paths[key] = os.path.relpath(value, folder.resolve())
    if not paths.get("subscribers"):
        paths.pop("subscribers", None)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    lines = "".join(f"# {line}\n" for line in comment.splitlines())
    return lines + body
