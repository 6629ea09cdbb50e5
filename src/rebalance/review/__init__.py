"""The planner's loop: review a plan in Excel, revise, diff, adopt, and keep a history.

- ``overrides``: scenario ``managers:`` / ``unlock:`` applied to the tables as they are read;
- ``workbook``: the ``decision`` / ``pin`` columns of assignment.xlsx, written and read back;
- ``revise``: decisions → locks → a plan proven optimal given them;
- ``diff``: two plans side by side (clients, managers, objectives);
- ``adopt``: a plan → the next book (clients, managers, scenario);
- ``history``: the SQLite store of adopted plans.
"""
