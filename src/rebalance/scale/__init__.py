"""The scale engine: big pools searched without one whole model.

``ledger`` (a plan's loads and move costs as arrays, filtered by the hard rules), ``greedy``
(the greedy repair: a baseline and a start), ``local_search`` (moves and swaps), ``lns``
(CP-SAT neighbourhoods over the same rule objects as the exact model), ``bounds`` (honest
lower bounds without the whole model) and ``decompose`` (the pool search that runs them).
``rebalance.solve.solve`` chooses this engine for big pools and builds its ``Result``.
"""
