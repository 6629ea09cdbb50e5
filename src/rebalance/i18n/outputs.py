"""Messages about where outputs go: path problems found before solving, write failures."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "outputs.title": ("Cannot write the outputs", "无法写入输出文件"),
    "outputs.not_a_folder": (
        "--out {path}: a file is in the way (the output must be a folder); "
        "choose another path or move the file",
        "--out {path}：此处已有同名文件（输出位置须为文件夹）；请换一个路径或移走该文件",
    ),
    "outputs.file_is_folder": (
        "--out {path}: a folder is in the way (the output must be a file); choose another path",
        "--out {path}：此处已有同名文件夹（输出位置须为文件）；请换一个路径",
    ),
    "outputs.dangling_link": (
        "--out {path}: a symbolic link that points nowhere; remove it or point it at a folder",
        "--out {path}：符号链接指向不存在的位置；请删除该链接或让它指向一个文件夹",
    ),
    "outputs.parent_not_folder": (
        "--out {path}: {parent} is a file, not a folder; choose another path",
        "--out {path}：{parent} 是文件而不是文件夹；请换一个路径",
    ),
    "outputs.not_writable": (
        "--out: cannot write in folder {path} ({reason}); choose a folder you may write to",
        "--out：无法在文件夹 {path} 中写入（{reason}）；请选择有写入权限的文件夹",
    ),
    "outputs.in_the_way": (
        "--out: {path} is a folder (or link) where the output file {name} goes; "
        "move it away or choose another output folder",
        "--out：{path} 是文件夹（或链接），而输出文件 {name} 需要写在这里；"
        "请移走它或换一个输出文件夹",
    ),
    "outputs.write_failed": (
        "could not write the outputs to {path}: {reason}; nothing was changed there",
        "无法将输出写入 {path}：{reason}；该位置的原有文件未作任何改动",
    ),
    "outputs.no_plan_in_time": (
        "no plan in {seconds:g} s: the book is too big to finish within solver.time_limit; "
        "allow more time (--time-limit)",
        "在 {seconds:g} 秒内没有得到方案：数据规模过大，无法在 solver.time_limit 内完成；"
        "请放宽时间限制（--time-limit）",
    ),
}
