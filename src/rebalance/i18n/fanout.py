"""Messages of the executors (``rebalance.executors``) and of fanned-out runs."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "fanout.unknown_executor": (
        "unknown executor {executor!r}: use one of {choices}",
        "未知的执行方式 {executor!r}：请使用 {choices} 之一",
    ),
    "fanout.no_ray": (
        "executor ray needs Ray: pip install \"rebalance[ray]\" (on this machine and on every "
        "worker of the cluster)",
        "执行方式 ray 需要安装 Ray：pip install \"rebalance[ray]\""
        "（本机和集群的每个工作节点都要安装）",
    ),
    "fanout.ray_unreachable": (
        "Ray at {address} could not be started or reached: {error}",
        "无法启动或连接 Ray（{address}）：{error}",
    ),
    "fanout.worker_died": (
        "its worker process died (killed, or out of memory)",
        "执行该任务的工作进程意外退出（被终止或内存不足）",
    ),
    "fanout.failed": ("{what}: failed: {error}", "{what}：执行失败：{error}"),
    "fanout.pool": ("pool {k}/{n}", "均衡池 {k}/{n}"),
    "fanout.pool_failed": (
        "pool {k}/{n} could not be searched: {error}",
        "均衡池 {k}/{n} 求解失败：{error}",
    ),
    "fanout.solved": ("Solved {name} ({i}/{n}): {status}", "已求解 {name}（{i}/{n}）：{status}"),
    "fanout.option": (
        "Where to run independent solves: auto, local, processes (every core) or ray.",
        "独立求解任务的执行方式：auto、local、processes（使用所有核心）或 ray。",
    ),
}
