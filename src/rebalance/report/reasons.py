"""A reason a department head can check for every client's outcome, in English or Chinese.

Reasons are statements about the *final* plan, each number recomputable by the solver-free
checker (``report.counterfactual`` has the numbers, ``tests/test_reasons.py`` re-checks them):

- a **move** (its previous manager stays): what undoing it alone would do — which manager's
  band breaks, by how much in 元 / clients / importance points, and how much the balance
  excess rises — or which hard rule undoing it would break (a scenario lock, a forbidden
  pair, an industry the old manager no longer serves, a capacity). Moves that only make sense
  together share an ``exchange`` id and are explained as one exchange (what each manager gives
  and takes, and what undoing the whole exchange would do). A move into a manager that is
  over its revenue share names that share and the oversize client the manager keeps. Then
  why *this* client: the cheapest of the giver's clients the taker may serve, or what the
  cheaper ones would have cost in balance.
- a **handover** (its previous manager leaves) and a **placement** (a new client): why this
  manager — what the best other eligible manager would have cost in balance.
- a client that keeps its manager: ``locked`` / ``locked in scenario`` / ``protected`` when a
  rule held it, nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rebalance.check import Verdict
from rebalance.data import Problem
from rebalance.i18n import check_lang, t
from rebalance.metrics import Assignment, outside_band
from rebalance.pools import HANDOVER, MOVE, PLACEMENT, Rules, change_kind
from rebalance.report.counterfactual import (
    EPS,
    BandChange,
    Choice,
    Ledger,
    Pick,
    WhatIf,
    choice,
    exchanges,
    move_cost,
    pick,
)
from rebalance.report.labels import PUNCT, client_label, pct, who
from rebalance.scenario import Scenario

KEPT_KEYS = {"locked": "explain.kept.locked", "lock in scenario": "explain.kept.lock_in_scenario",
             "protected": "explain.kept.protected"}


@dataclass(frozen=True)
class Explanation:
    """Why one client ends where it does, as numbers (``text`` renders them)."""

    client_id: str
    kind: str | None  # move / handover / placement / None (kept)
    from_manager: str | None
    to_manager: str | None
    text: str
    exchange: str | None = None
    rule: str | None = None  # the hard rule that forces the change, if one does
    undo: WhatIf | None = None  # undoing the move (or its whole exchange) on the final plan
    over_share: tuple[float, str | None, str] | None = None  # taker's revenue dev,
    # the oversize client it keeps, the metric the move lifts instead
    pick: Pick | None = None
    choice: Choice | None = None


def _change(frm: str, to: str, why: str, lang: str) -> str:
    """``KM001 张伟 → KM003 李娜: why``."""
    p = PUNCT[lang]
    return f"{frm}{p['arrow']}{to}{p['colon']}{why}"


def _number(value: float, metric: str) -> str:
    return f"{value:,.0f}"


def _edge(value: float, metric: str) -> str:
    return f"{value:,.0f}" if metric == "revenue" else f"{value:,.1f}"


def _band_claim(b: BandChange, it: str, problem: Problem, lang: str) -> str:
    side = "explain.undo.under" if b.dev_then < 0 else "explain.undo.over"
    return t(side, lang, it=it, who=who(problem, b.manager_id),
             amount=t(f"explain.amount.{b.metric}", lang, v=_number(b.load_then, b.metric)),
             range=t(f"explain.range.{b.metric}", lang, lo=_edge(b.low, b.metric),
                     hi=_edge(b.high, b.metric)),
             dev_now=pct(b.dev_now, b.tolerance), dev=pct(b.dev_then, b.tolerance))


def _undo_text(undo: WhatIf, exchange: bool, total: float, problem: Problem, lang: str) -> str:
    it = t("explain.it.exchange" if exchange else "explain.it.move", lang)
    worst = undo.worst
    if worst is not None:
        return PUNCT[lang]["sep"].join([
            _band_claim(worst, it, problem, lang),
            t("explain.undo.excess", lang, delta=f"{undo.excess_delta:.4f}",
              now=f"{total:.4f}", then=f"{total + undo.excess_delta:.4f}"),
        ])
    if undo.excess_delta < -EPS:
        return t("explain.undo.better", lang, it=it, delta=f"{-undo.excess_delta:.4f}")
    return t("explain.undo.neutral", lang, it=it)


def _rule_text(rule: str, undo: WhatIf | None, client_id: str, frm: str | None, to: str | None,
               problem: Problem, lang: str) -> str:
    f, tt = who(problem, frm), who(problem, to)
    if rule == "capacity" and undo is not None:
        cap = problem.manager(undo.rule_manager or "").capacity
        return t("explain.rule.capacity", lang, frm=f, n=undo.rule_count, cap=cap)
    if rule in ("lock", "protected"):
        return t(f"explain.rule.{rule}", lang, to=tt)
    return t(f"explain.rule.{rule}", lang, frm=f,
             industry=problem.client(client_id).industry)


def _pick_text(p: Pick, client_id: str, frm: str, to: str, problem: Problem, lang: str) -> str:
    f, tt = who(problem, frm), who(problem, to)
    if not p.cheaper:
        if p.num_candidates == 0:
            return t("explain.pick.only", lang, frm=f, to=tt)
        return t("explain.pick.cheapest", lang, n=p.num_candidates + 1, frm=f, to=tt,
                 cost=f"{p.cost:.2f}")
    alt = client_label(problem, p.best_alternative or "")
    if p.best_delta > EPS:
        return t("explain.pick.fits", lang, k=len(p.cheaper), n=p.num_candidates + 1, frm=f,
                 to=tt, alt=alt, delta=f"{p.best_delta:.4f}")
    return t("explain.pick.tie", lang, alt=alt, cost=f"{p.cost:.2f}",
             alt_cost=f"{move_cost(problem, p.best_alternative or client_id):.2f}")


def _choice_text(c: Choice, to: str, problem: Problem, lang: str) -> str:
    if c.best_alternative is None:
        return t("explain.choice.only", lang, to=who(problem, to))
    alt = who(problem, c.best_alternative)
    if c.best_delta > EPS:
        key = "explain.choice.one_other" if c.num_others == 1 else "explain.choice.best"
        return t(key, lang, n=c.num_others, alt=alt, delta=f"{c.best_delta:.4f}")
    return t("explain.choice.tie", lang, alt=alt)


def _exchange_text(eid: str, moves: list[tuple[str, str, str]], problem: Problem,
                   lang: str) -> str:
    """A swap from the side of the manager giving more revenue; a chain as its loop."""
    flows: dict[tuple[str, str], list[float]] = {}  # (giver, taker) -> [clients, revenue]
    for cid, frm, to in moves:
        flow = flows.setdefault((frm, to), [0, 0.0])
        flow[0] += 1
        flow[1] += problem.client(cid).revenue
    managers = sorted({m for edge in flows for m in edge})
    if len(managers) == 2:
        a, b = managers
        ab, ba = flows[(a, b)], flows[(b, a)]
        if ba[1] > ab[1]:
            a, b, ab, ba = b, a, ba, ab
        return t("explain.swap", lang, id=eid, a=who(problem, a), b=who(problem, b),
                 n_out=int(ab[0]), rev_out=f"{ab[1]:,.0f}", n_in=int(ba[0]),
                 rev_in=f"{ba[1]:,.0f}")
    loop = [managers[0]]
    while len(loop) < len(managers):
        loop.append(next(b for (a, b) in sorted(flows) if a == loop[-1]))
    return t("explain.chain", lang, id=eid, loop=" → ".join([*loop, loop[0]]),
             n=sum(int(f[0]) for f in flows.values()),
             revenue=f"{sum(f[1] for f in flows.values()):,.0f}")


def _over_share(ledger: Ledger, client_id: str, frm: str,
                to: str) -> tuple[float, str | None, str] | None:
    """When the taker is above its revenue band: its revenue deviation, the oversize client it
    keeps (if any) and the band the move lifts instead (the taker's metric that undoing the
    move alone would worsen most, else the one it is furthest under)."""
    key = (to, "revenue")
    if key not in ledger.verdict.devs or not ledger.rated(to, "revenue"):
        return None
    dev = ledger.verdict.devs[key]
    if dev <= 0 or not outside_band(dev, ledger.bands["revenue"].tolerance):
        return None
    others = [b for b in ledger.what_if({client_id: frm}).bands
              if b.manager_id == to and b.metric != "revenue"]
    if not others:
        return None
    lifted = max(others, key=lambda b: (b.worsening, -b.dev_now))
    big = ledger.oversize(to, "revenue")
    return dev, (big[0] if big else None), lifted.metric


def _over_share_text(note: tuple[float, str | None, str], to: str, ledger: Ledger,
                     lang: str) -> str:
    problem = ledger.problem
    dev, big, metric = note
    tol = ledger.bands["revenue"].tolerance
    common = {"to": who(problem, to), "dev": pct(dev, tol),
              "metric": t(f"common.metric.{metric}", lang),
              "metric_dev": pct(ledger.verdict.devs[(to, metric)], ledger.bands[metric].tolerance)}
    if big is None:
        return t("explain.over_share", lang, **common)
    edge = ledger.verdict.shares[(to, "revenue")] * (1 + tol)
    return t("explain.over_share.keeps", lang, client=client_label(problem, big),
             load=f"{problem.client(big).revenue:,.0f}", edge=f"{edge:,.0f}", **common)


def explain(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    client_to_manager: Assignment,
    lang: str = "en",
    verdict: Verdict | None = None,
) -> dict[str, Explanation]:
    """client_id -> ``Explanation`` for every client, in input order (see module docstring)."""
    check_lang(lang)
    ledger = Ledger(problem, scenario, rules, client_to_manager, verdict)
    total = ledger.verdict.balance_excess
    exchange_of = exchanges(problem, client_to_manager)
    members: dict[str, list[tuple[str, str, str]]] = {}
    for cid, eid in exchange_of.items():
        members.setdefault(eid, []).append(
            (cid, problem.client(cid).manager or "", client_to_manager[cid] or ""))
    undo_exchange = {eid: ledger.what_if({cid: frm for cid, frm, _ in ms})
                     for eid, ms in members.items()}
    exchange_text = {eid: _exchange_text(eid, ms, problem, lang) for eid, ms in members.items()}
    sep = PUNCT[lang]["sep"]
    protect = scenario.continuity.protect_importance

    out: dict[str, Explanation] = {}
    for c in problem.clients:
        cid, frm = c.client_id, c.manager
        to = client_to_manager.get(cid)
        kind = change_kind(problem, cid, to)
        if to is None:
            out[cid] = Explanation(cid, kind, frm, to, t("explain.unassigned", lang))
            continue
        if kind is None:
            why = rules.fixed_reason.get(cid) if rules.fixed.get(cid) == to else None
            text = t(KEPT_KEYS[why], lang, level=protect) if why in KEPT_KEYS else ""
            out[cid] = Explanation(cid, kind, frm, to, text)
            continue
        if kind in (HANDOVER, PLACEMENT):
            locked = rules.fixed.get(cid) == to
            forced = "leaving" if kind == HANDOVER else ("lock" if locked else None)
            parts = [_rule_text(forced, None, cid, frm, to, problem, lang)] if forced else []
            pick_manager = None if locked else choice(ledger, cid, to)
            if pick_manager is not None:
                parts.append(_choice_text(pick_manager, to, problem, lang))
            why_text = sep.join(parts)
            text = (t("explain.new", lang, to=who(problem, to), why=why_text)
                    if kind == PLACEMENT else
                    _change(who(problem, frm), who(problem, to), why_text, lang))
            out[cid] = Explanation(cid, kind, frm, to, text, rule=forced, choice=pick_manager)
            continue
        assert kind == MOVE and frm is not None
        in_exchange = exchange_of.get(cid)
        undo = undo_exchange[in_exchange] if in_exchange else ledger.what_if({cid: frm})
        parts = []
        rule = undo.broken_rule
        if in_exchange:
            parts.append(exchange_text[in_exchange])
        if rule is not None:
            parts.append(_rule_text(rule, undo, cid, frm, to, problem, lang))
        else:
            parts.append(_undo_text(undo, bool(in_exchange), total, problem, lang))
        note = _over_share(ledger, cid, frm, to) if rule is None else None
        if note is not None:
            parts.append(_over_share_text(note, to, ledger, lang))
        chosen = pick(ledger, cid, frm, to) if rule is None else None
        if chosen is not None:
            parts.append(_pick_text(chosen, cid, frm, to, problem, lang))
        text = _change(who(problem, frm), who(problem, to), sep.join(parts), lang)
        out[cid] = Explanation(cid, kind, frm, to, text, exchange=in_exchange, rule=rule, undo=undo,
                               over_share=note, pick=chosen)
    return out


def move_reasons(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    client_to_manager: Assignment,
    lang: str = "en",
    verdict: Verdict | None = None,
) -> dict[str, str]:
    """client_id -> reason text for every client (empty when nothing needs saying)."""
    return {cid: e.text for cid, e in
            explain(problem, scenario, rules, client_to_manager, lang, verdict).items()}


def exchange_ids(explanations: Mapping[str, Explanation]) -> dict[str, str]:
    """client_id -> exchange id, for the moves that belong to an exchange."""
    return {cid: e.exchange for cid, e in explanations.items() if e.exchange}
