"""``rebalance validate`` and ``rebalance init`` as a user types them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from rebalance.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DATA = Path(__file__).parent / "data" / "io"

runner = CliRunner()


def broken_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(f"name: broken\ndata:\n  clients: {DATA / 'clients_three_problems.csv'}\n"
                    f"  managers: {DATA / 'managers_fte_zero.csv'}\n", encoding="utf-8")
    return path


def test_validate_baseline_summarises_the_book() -> None:
    """The bundled baseline validates (exit 0) with groups, pools and managers outside band."""
    result = runner.invoke(app, ["validate", str(BASELINE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "No problems found" in out
    assert "173 clients, 18 managers" in out
    for word in ("Industry groups", "Balancing pools", "KM001", "KM018", "政府", "中小企业"):
        assert word in out
    assert "Managers outside at least one band before rebalancing:" in out
    assert "bigger than the whole revenue band" in out


def test_validate_in_chinese() -> None:
    """--lang zh prints Chinese headers."""
    result = runner.invoke(app, ["validate", str(BASELINE), "--lang", "zh"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for word in ("行业组", "均衡池", "客户经理", "份额", "偏差"):
        assert word in result.output


def test_validate_set_changes_the_bands() -> None:
    """--set reaches the summary: with a 1000 % revenue band nobody is outside on revenue
    alone, so the count of managers outside a band drops."""
    def outside(*extra: str) -> str:
        result = runner.invoke(app, ["validate", str(BASELINE), *extra], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        line = next(x for x in result.output.splitlines() if "Managers outside" in x)
        return line.rsplit(":", 1)[1].strip()

    wide = ["--set", "balance.revenue.tolerance=10", "--set", "balance.importance.tolerance=10",
            "--set", "balance.clients.tolerance=10"]
    assert outside() != "0 of 18."
    result = runner.invoke(app, ["validate", str(BASELINE), *wide], env={"COLUMNS": "200"})
    assert "Every manager is inside every band already." in result.output


def test_validate_broken_book_exits_2_with_every_problem(tmp_path: Path) -> None:
    """Bad input: exit 2, every problem with file and row, and no traceback."""
    result = runner.invoke(app, ["validate", str(broken_scenario(tmp_path))])
    assert result.exit_code == 2
    text = result.output + (result.stderr or "")
    assert "4 problems in the input" in text
    assert 'clients_three_problems.csv row 4, revenue: "12万" is not a number' in text
    assert "managers_fte_zero.csv row 4, fte" in text
    assert "Traceback" not in text


def test_validate_missing_scenario_exits_2(tmp_path: Path) -> None:
    """A scenario path that does not exist is bad input, not a crash."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml' does not exist" in result.output


def test_init_writes_files_that_validate(tmp_path: Path) -> None:
    """init DIR gives a scenario and two tables that validate out of the box."""
    target = tmp_path / "dept"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for rel in ("scenario.yaml", "data/clients.csv", "data/managers.csv"):
        assert (target / rel).is_file()
    assert "客户编码" in (target / "data" / "clients.csv").read_text(encoding="utf-8-sig")
    check = runner.invoke(app, ["validate", str(target / "scenario.yaml")])
    assert check.exit_code == 0, check.output + (check.stderr or "")
    assert "No problems found" in check.output


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing file is never overwritten silently: exit 2, nothing written; --force does."""
    target = tmp_path / "dept"
    (target / "data").mkdir(parents=True)
    mine = target / "data" / "clients.csv"
    mine.write_text("my own data\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert "--force" in result.output + (result.stderr or "")
    assert mine.read_text(encoding="utf-8") == "my own data\n"
    assert not (target / "scenario.yaml").exists()
    forced = runner.invoke(app, ["init", str(target), "--force"])
    assert forced.exit_code == 0
    assert mine.read_text(encoding="utf-8-sig").startswith("客户编码")
