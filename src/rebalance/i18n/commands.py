"""Messages of the small commands (`init`), in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "init.not_a_folder": ("{path} is not a folder", "{path} 不是文件夹"),
    "init.exists": (
        "these files exist already, nothing was written: {files} (use --force to overwrite them)",
        "文件已存在，未写入任何文件：{files}（使用 --force 覆盖）",
    ),
    "init.wrote": ("Wrote:", "已写入："),
    "init.next": ("Fill in your data, then check it with: {command}",
                  "请填写数据后检查：{command}"),
}
