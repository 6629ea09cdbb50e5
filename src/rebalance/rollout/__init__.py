"""Phased rollout (issue 18): a plan's changes in waves with effective dates, capped per wave,
ordered by CP-SAT so fairness arrives early and nobody's handover load piles up; prorated
targets over the year. docs/rollout.md is the user's page.

- ``calendar``: effective dates and each period's share of the year;
- ``schedule``: changes, exchanges, caps, the books after each wave and ``check_schedule``
  (the solver-free oracle);
- ``model``: the CP-SAT ordering (``phase``);
- ``plan``: ``roll_out`` (phase, check, prorate; ``NoPlanError`` with the smallest caps);
- ``tables``: schedule, waves and load tables, the workbook sheet, summary and report parts;
- ``plots``: the waves chart; ``read``: a schedule file read back; ``report``: what the
  terminal shows (``rollout``, ``check --schedule``).
"""
