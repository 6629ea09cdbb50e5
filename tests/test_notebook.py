"""notebooks/explore.ipynb runs from a fresh kernel, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    """Outputs and execution counts are stripped, so diffs show only what the cells say."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def test_notebook_runs_from_a_fresh_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell executes without error (cwd notebooks/, outputs to a temporary folder)."""
    from nbclient import NotebookClient

    monkeypatch.setenv("REBALANCE_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    written = sorted(p.name for p in (tmp_path / "baseline").iterdir())
    assert written == ["assignment.csv", "assignment.xlsx", "managers.csv", "moves.csv",
                       "report.html", "summary.json"]
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # before/after and the trade-off curve were drawn
