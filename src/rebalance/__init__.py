"""rebalance: re-assign group clients to account managers and derive fair targets."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rebalance")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
