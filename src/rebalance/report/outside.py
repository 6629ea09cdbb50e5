"""Why each manager left outside a band stays there, in plain words (summary.json, the
terminal, report.html and the workbook's summary)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rebalance.i18n import t
from rebalance.pools import client_load
from rebalance.report.labels import band, client_label, pct, who

if TYPE_CHECKING:
    from rebalance.plan import Plan


def outside_band_reasons(plan: Plan, lang: str = "en") -> list[str]:
    """Why each manager that stays outside a band does so, in plain words.

    The common cause is a client bigger than the whole band (it cannot be split); otherwise the
    plan is the balance optimum, so moving more would cost more excess elsewhere, or a hard rule
    holds the clients that would close the gap. Deviations are shown so that they never read
    as inside the band (``labels.pct``).
    """
    bands = plan.scenario.balance.bands()
    assignment = plan.client_to_manager
    held: dict[str, list[str]] = {}
    for cid, mid in assignment.items():
        held.setdefault(mid, []).append(cid)
    problem = plan.problem

    known: dict[tuple[str, str], list[str]] = {}

    def too_big(manager_id: str, metric: str) -> list[str]:
        """Clients of ``manager_id`` whose load alone exceeds the manager's band (each
        manager worked out once: the pool lists below ask for every manager again)."""
        if (manager_id, metric) not in known:
            edge = plan.verdict.shares[(manager_id, metric)] * (1 + bands[metric].tolerance)
            known[(manager_id, metric)] = [c for c in sorted(held.get(manager_id, []))
                                           if client_load(problem.client(c), metric) > edge]
        return known[(manager_id, metric)]

    found: dict[tuple[int, str], list[tuple[str, str]]] = {}

    def big_in_pool(pool_index: int, metric: str) -> list[tuple[str, str]]:
        """(manager, client) pairs of a pool's too-big clients, worked out once per pool:
        at 200,000 clients, once per outside manager took many minutes."""
        if (pool_index, metric) not in found:
            pool = plan.rules.pools[pool_index]
            found[(pool_index, metric)] = [(other, c) for other in pool.manager_ids
                                           for c in too_big(other, metric)]
        return found[(pool_index, metric)]

    lines = []
    for mid, metric in plan.verdict.outside_band:
        dev = plan.verdict.devs[(mid, metric)]
        tol = bands[metric].tolerance
        edge = plan.verdict.shares[(mid, metric)] * (1 + tol)
        common = {"m": who(problem, mid), "metric": t(f"common.metric.{metric}", lang),
                  "dev": pct(dev, tol), "band": band(tol)}
        big = too_big(mid, metric)
        if dev > 0 and big:
            load = client_load(problem.client(big[0]), metric)
            lines.append(t("engine.band.big", lang, c=client_label(problem, big[0]),
                           load=f"{load:,.0f}", edge=f"{edge:,.0f}", **common))
            continue
        elsewhere = [(other, c) for other, c in big_in_pool(plan.rules.pool_of_manager[mid],
                                                            metric) if other != mid]
        if dev < 0 and elsewhere:
            holder, client = elsewhere[0]
            lines.append(t("engine.band.under_big", lang, c=client_label(problem, client),
                           holder=who(problem, holder), **common))
        else:
            lines.append(t("engine.band.over" if dev > 0 else "engine.band.under", lang,
                           **common))
    return lines
