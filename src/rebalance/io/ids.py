"""Ids as the planner typed them: the nearest known id for an unknown one, lost zeros, and the
checks on the ids a scenario's ``locks:`` / ``forbid:`` name.

Ids are text. A spreadsheet that turned ``011045`` into the number ``11045`` (a CSV opened and
saved in Excel), a name typed where an id belongs (``王芳`` for ``00231``), or a different case
or width are recognised here, once, so every message can say "did you mean …".
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from rebalance.data import Client, Manager
from rebalance.errors import Issue
from rebalance.scenario import Scenario

MAX_FUZZY = 5000  # above this many ids, only exact kinds of likeness are tried (fast lookups)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _unzeroed(text: str) -> str:
    return text.lstrip("0") or "0"


class Suggester:
    """Finds the known id a mistyped id or a name most likely means."""

    def __init__(self, names: Mapping[str, str]) -> None:
        """``names``: id -> name (``""`` when there is none), in table order."""
        self.names = dict(names)
        self._folded: dict[str, str] = {}
        self._unzeroed: dict[str, list[str]] = {}
        self._by_name: dict[str, list[str]] = {}
        for key, name in self.names.items():
            self._folded.setdefault(_fold(key), key)
            self._unzeroed.setdefault(_unzeroed(_fold(key)), []).append(key)
            if name:
                self._by_name.setdefault(_fold(name), []).append(key)

    def nearest(self, text: str) -> str | None:
        """The id ``text`` most likely means, or None when nothing is close."""
        folded = _fold(text)
        if folded in self._folded:
            return self._folded[folded]
        for table in (self._by_name, self._unzeroed):
            found = table.get(folded if table is self._by_name else _unzeroed(folded))
            if found and len(found) == 1:
                return found[0]
        if len(self.names) > MAX_FUZZY:
            return None
        close = difflib.get_close_matches(text, list(self.names), n=1, cutoff=0.75)
        if close:
            return close[0]
        by_name = {name: key for key, name in self.names.items() if name}
        close = difflib.get_close_matches(text, list(by_name), n=1, cutoff=0.6)
        return by_name[close[0]] if close else None

    def label(self, key: str) -> str:
        """``00231 王芳``: the id with its name beside it."""
        name = self.names.get(key, "")
        return f"{key} {name}" if name else key


def manager_suggester(managers: Iterable[Manager]) -> Suggester:
    return Suggester({m.manager_id: m.name for m in managers if m.manager_id})


def client_suggester(clients: Iterable[Client]) -> Suggester:
    return Suggester({c.client_id: c.name for c in clients if c.client_id})


def lost_zeros(unknown: Iterable[str], known: Iterable[str]) -> dict[str, str]:
    """unknown id -> the known id it is with its leading zeros put back, for every unknown id
    that is all digits and matches exactly one known id that way."""
    padded: dict[str, list[str]] = {}
    for key in known:
        if key.isdigit() and key.startswith("0"):
            padded.setdefault(_unzeroed(key), []).append(key)
    out: dict[str, str] = {}
    for key in unknown:
        found = padded.get(_unzeroed(key)) if key.isdigit() else None
        if found and len(found) == 1:
            out[key] = found[0]
    return out


def pair_issues(scenario: Scenario, clients: Iterable[Client],
                managers: Iterable[Manager]) -> list[Issue]:
    """Every ``locks:`` / ``forbid:`` entry naming an unknown client or manager, or locking a
    client to a leaving manager; unknown ids come with the nearest known one."""
    where = str(scenario.source) if scenario.source else "scenario"
    clients, managers = list(clients), list(managers)
    client_ids = {c.client_id for c in clients}
    staying = {m.manager_id: m.staying for m in managers}
    suggest_client, suggest_manager = client_suggester(clients), manager_suggester(managers)
    issues: list[Issue] = []

    def unknown(role: str, value: str, suggest: Suggester, section: str, n: int) -> Issue:
        found = suggest.nearest(value)
        key = f"inputs.pair.unknown_{role}" + ("" if found is None else "_near")
        named: dict[str, Any] = {role: value}  # the template's {client} or {manager}
        return Issue.of(key, file=where, section=section, n=n, label=suggest.label(found or ""),
                        **named)

    for section, pairs in (("locks", scenario.locks), ("forbid", scenario.forbid)):
        for n, pair in enumerate(pairs, start=1):
            if pair.client not in client_ids:
                issues.append(unknown("client", pair.client, suggest_client, section, n))
            if pair.manager not in staying:
                issues.append(unknown("manager", pair.manager, suggest_manager, section, n))
            elif section == "locks" and not staying[pair.manager]:
                issues.append(Issue.of("inputs.pair.lock_leaving", file=where, n=n,
                                       client=pair.client, manager=pair.manager))
    return issues
