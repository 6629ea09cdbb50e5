"""Messages of coded findings (``rebalance.findings``) that name a part of the engine's work."""

MESSAGES = {
    "findings.part": ("part {k} ({n} clients, managers {first}…)",
                      "第 {k} 部分（{n} 个客户，客户经理 {first}…）"),
    "findings.nobody": ("nobody", "无人"),
}
