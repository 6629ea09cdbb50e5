"""Every bad-input check of the design: one tiny broken file each, named file, row, column.

The files are in tests/data/io; each is tests/data/io/clients.csv (or managers.csv) with one
cell changed, so the expected row numbers can be read off the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rebalance.errors import InputError, Issue
from rebalance.io.read import load_book, load_problem
from rebalance.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "io"


def scenario_file(tmp_path: Path, clients: str = "clients.csv",
                  managers: str = "managers.csv", extra: str = "") -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(f"name: t\ndata:\n  clients: {DATA / clients}\n  managers: {DATA / managers}\n"
                    f"{extra}", encoding="utf-8")
    return path


def issues_of(tmp_path: Path, clients: str = "clients.csv", managers: str = "managers.csv",
              extra: str = "") -> list[Issue]:
    """The issues load_book reports (it must report some)."""
    with pytest.raises(InputError) as exc:
        load_book(load_scenario(scenario_file(tmp_path, clients, managers, extra)))
    return exc.value.issues


def only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_the_reference_book_is_valid(tmp_path: Path) -> None:
    """The file every broken one is derived from loads, so each failure below is its one cell."""
    problem, rules = load_book(load_scenario(scenario_file(tmp_path)))
    assert problem.num_clients == 6 and len(rules.pools) == 1


def test_missing_required_column_lists_the_accepted_names(tmp_path: Path) -> None:
    """No revenue column: say so, and list every header that would have been accepted."""
    issue = only(issues_of(tmp_path, clients="clients_missing_revenue.csv"))
    assert issue.file == "clients_missing_revenue.csv" and issue.row is None
    assert 'missing required column "revenue"' in issue.message
    for alias in ("收入", "年收入", "业务收入"):
        assert f'"{alias}"' in issue.message


def test_duplicate_client_id(tmp_path: Path) -> None:
    """A repeated id names both rows."""
    issue = only(issues_of(tmp_path, clients="clients_duplicate_id.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_duplicate_id.csv", 5, "client_id")
    assert issue.message == 'duplicate client id "C02" (first seen in row 3)'


def test_empty_client_id(tmp_path: Path) -> None:
    """A row with data but no id is reported at its row."""
    issue = only(issues_of(tmp_path, clients="clients_empty_id.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_empty_id.csv", 5, "client_id")
    assert "empty" in issue.message


def test_non_numeric_revenue(tmp_path: Path) -> None:
    """The design's own example: "12万" is not a number."""
    issue = only(issues_of(tmp_path, clients="clients_revenue_wan.csv"))
    assert str(issue).startswith(
        'clients_revenue_wan.csv row 4, revenue: "12万" is not a number (write it in 元')


def test_negative_revenue(tmp_path: Path) -> None:
    """Revenue below zero is refused."""
    issue = only(issues_of(tmp_path, clients="clients_revenue_negative.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_revenue_negative.csv", 4, "revenue")
    assert issue.message == 'revenue must be 0 or more, got "-30"'


def test_importance_out_of_range(tmp_path: Path) -> None:
    """Importance 7 is neither 1-5 nor a tier letter."""
    issue = only(issues_of(tmp_path, clients="clients_importance_7.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_importance_7.csv", 5, "importance")
    assert '"7"' in issue.message and "1-5" in issue.message


def test_current_manager_not_in_managers_table(tmp_path: Path) -> None:
    """A client whose manager M9 is nobody in the managers table."""
    issue = only(issues_of(tmp_path, clients="clients_unknown_manager.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_unknown_manager.csv", 5, "manager")
    assert '"M9"' in issue.message and "managers.csv" in issue.message


def test_client_industry_nobody_serves(tmp_path: Path) -> None:
    """A health client when no manager serves health."""
    issue = only(issues_of(tmp_path, clients="clients_industry_unserved.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients_industry_unserved.csv", 6,
                                                     "industry")
    assert '"health"' in issue.message


def test_fte_not_positive(tmp_path: Path) -> None:
    """fte 0 in the managers table."""
    issue = only(issues_of(tmp_path, managers="managers_fte_zero.csv"))
    assert (issue.file, issue.row, issue.column) == ("managers_fte_zero.csv", 4, "fte")
    assert issue.message == 'fte must be greater than 0, got "0"'


def test_table_lock_to_a_leaving_manager(tmp_path: Path) -> None:
    """C01 is locked (locked = yes) to M1, who is leaving."""
    issue = only(issues_of(tmp_path, managers="managers_m1_leaving.csv"))
    assert (issue.file, issue.row, issue.column) == ("clients.csv", 2, "locked")
    assert "M1" in issue.message and "leaving" in issue.message


def test_scenario_lock_to_a_leaving_manager(tmp_path: Path) -> None:
    """A scenario lock that puts a client on a leaving manager."""
    issue = only(issues_of(tmp_path, clients="clients.csv", managers="managers_m1_leaving.csv",
                           extra="locks: [{client: C04, manager: M1}]\n")[1:])
    assert issue.file is not None and issue.file.endswith("scenario.yaml")
    assert "'C04'" in issue.message and "'M1'" in issue.message and "leaving" in issue.message


def test_scenario_locks_and_forbid_naming_unknown_ids(tmp_path: Path) -> None:
    """Locks and forbidden pairs that name a client or manager the tables do not have."""
    issues = issues_of(tmp_path, extra="locks: [{client: C77, manager: M1}]\n"
                                       "forbid: [{client: C01, manager: M8}]\n")
    text = [i.message for i in issues]
    assert text == [
        "locks entry 1 names client 'C77', which is not in the clients table",
        "forbid entry 1 names manager 'M8', which is not in the managers table",
    ]
    assert all(i.file and i.file.endswith("scenario.yaml") for i in issues)


def test_three_problems_in_one_file_are_three_issues(tmp_path: Path) -> None:
    """All problems at once, in row order: a bad number, a bad importance, an unknown manager."""
    issues = issues_of(tmp_path, clients="clients_three_problems.csv")
    assert [(i.row, i.column) for i in issues] == [(4, "revenue"), (5, "importance"),
                                                   (6, "manager")]
    assert {i.file for i in issues} == {"clients_three_problems.csv"}


def test_problems_in_both_tables_and_the_scenario_come_together(tmp_path: Path) -> None:
    """Cell errors, cross-table errors, manager errors and scenario errors in one report."""
    issues = issues_of(tmp_path, clients="clients_three_problems.csv",
                       managers="managers_fte_zero.csv",
                       extra="forbid: [{client: C99, manager: M1}]\n")
    places = [(i.file, i.row) for i in issues]
    assert places[:4] == [("clients_three_problems.csv", 4), ("clients_three_problems.csv", 5),
                          ("clients_three_problems.csv", 6), ("managers_fte_zero.csv", 4)]
    assert len(issues) == 5 and "'C99'" in issues[4].message


def test_unreadable_managers_table_still_reports_client_cells(tmp_path: Path) -> None:
    """A missing managers file does not hide the cell errors of the clients file."""
    issues = issues_of(tmp_path, clients="clients_three_problems.csv", managers="nope.csv")
    assert [(i.file, i.row) for i in issues] == [
        ("clients_three_problems.csv", 4), ("clients_three_problems.csv", 5), ("nope.csv", None)]
    assert "does not exist" in issues[2].message


def test_rendered_message_reads_like_the_design(tmp_path: Path) -> None:
    """The whole report: a count, then one line per problem with file, row and column."""
    with pytest.raises(InputError) as exc:
        load_problem(load_scenario(scenario_file(tmp_path, clients="clients_three_problems.csv")))
    lines = exc.value.render().splitlines()
    assert lines[0] == "3 problems in the input:"
    assert lines[1].startswith(
        '  - clients_three_problems.csv row 4, revenue: "12万" is not a number')


def test_input_files_are_never_modified(tmp_path: Path) -> None:
    """Reading, even a broken book, leaves the files byte-identical."""
    before = {p.name: p.read_bytes() for p in DATA.iterdir()}
    issues_of(tmp_path, clients="clients_three_problems.csv", managers="managers_fte_zero.csv")
    load_book(load_scenario(scenario_file(tmp_path)))
    assert {p.name: p.read_bytes() for p in DATA.iterdir()} == before
