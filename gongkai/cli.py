"""The `gongkai` command line.  Every failure a user can cause ends with one Chinese line on
stderr and a non-zero status — never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from gongkai import template as T
from gongkai.document import ReadError
from gongkai.report import Report

app = typer.Typer(
    help="gongkai（公开）：政府信息公开工作年度报告的读取、核对与分析。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_UNREADABLE = 2


@app.callback()
def _root() -> None:
    """gongkai（公开）：政府信息公开工作年度报告的读取、核对与分析。"""


def fail(message: str, code: int = EXIT_UNREADABLE) -> None:
    Console(stderr=True).print(f"[bold red]错误：[/]{message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def parse(
    file: Path = typer.Argument(..., help="报告文件（文本、Markdown、HTML、DOCX、DOC/WPS、RTF、PDF、扫描件及 PNG/JPEG 图片）"),
    as_json: bool = typer.Option(False, "--json", help="按数据规范输出 JSON"),
) -> None:
    """读取一份年度报告，输出表格数字与核对结果。"""
    from gongkai.parser import parse_file

    try:
        report = parse_file(file)
    except ReadError as exc:
        fail(f"{file}：{exc}")
        return
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    print_report(report, Console())


UNREAD = "（未读取）"  # printed by the report but not read: not a blank (see the missing_row finding)


def _fmt(v) -> str:
    if v is None:
        return "（空白）"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}"
    return f"{int(v):,}"


def print_report(report: Report, console: Console) -> None:
    """The readable summary: metadata, the three tables as the template prints them, findings."""
    fmt_name = {"2021": "2021 年版（国办公开办函〔2021〕30号）", "2019": "2019 年版"}.get(report.template or "", "未识别")
    console.print(f"[bold]{report.agency or '（未识别单位）'} {report.year or '（未识别年度）'} 年政府信息公开工作年度报告[/]")
    console.print(f"文件：{report.file}　格式：{report.format}　模板：{fmt_name}　读取数字：{len(report.figures)} 个")
    if report.ocr:
        console.print(f"其中 {len(report.ocr)} 个数字由文字识别（OCR）从扫描件或图片读取，请对照原件核对")
    fig = report.figures
    # The template cells of the tables this report prints: those not read are shown as 未读取, not blank.
    split = any(k.split("/")[1] in T.T3_OTHER_SPLIT for k in fig) or (
        report.template == "2021" and "t3/other/total" not in fig)
    tables = {k.split("/")[0] for k in fig}
    expected = {k for k in T.figure_keys(report.template, split) if k.split("/")[0] in tables} if report.template else set()

    def cell(key: str) -> str:
        return _fmt(fig[key]) if key in fig else UNREAD

    # 表二
    t2 = RichTable(title=T.TABLE_TITLES["t2"], show_lines=False)
    t2.add_column("信息内容")
    t2.add_column("项目")
    t2.add_column("数值", justify="right")
    for f in T.FIGURES:
        if f.table == "t2" and (f.key in fig or f.key in expected):
            row_label, col_label = (f.label_2021 or f.label_2019).split(" / ", 1)
            if report.template == "2019" and f.label_2019:
                row_label, col_label = f.label_2019.split(" / ", 1)
            t2.add_row(row_label, col_label, cell(f.key))
    console.print(t2)

    # 表三
    t3 = RichTable(title=T.TABLE_TITLES["t3"])
    t3.add_column("", min_width=18, overflow="fold")
    for _, label in T.T3_COLUMNS:
        t3.add_column(label, justify="right")
    for row in T.T3_ROWS:
        keys = [f"t3/{row.key}/{c}" for c in T.T3_COLUMN_KEYS]
        if not any(k in fig or k in expected for k in keys):
            continue
        label = row.label.split("（区分处理")[0]
        if row.item:
            label = "  " + label
        t3.add_row(label, *[cell(k) for k in keys])
    console.print(t3)

    # 表四
    t4 = RichTable(title=T.TABLE_TITLES["t4"])
    t4.add_column("", min_width=12, overflow="fold")
    for _, label in T.T4_COLUMNS:
        t4.add_column(label, justify="right")
    for row, label in T.T4_ROWS:
        keys = [f"t4/{row}/{c}" for c in T.T4_COLUMN_KEYS]
        if any(k in fig or k in expected for k in keys):
            t4.add_row(label, *[cell(k) for k in keys])
    console.print(t4)

    errors = [f for f in report.findings if f.severity == "error"]
    warnings = [f for f in report.findings if f.severity != "error"]
    if not report.findings:
        console.print("[green]核对结果：表内各项勾稽关系均成立。[/]")
        return
    console.print(f"核对结果：[red]{len(errors)} 个错误[/]，[yellow]{len(warnings)} 个提示[/]")
    for f in errors + warnings:
        tag = "[red]错误[/]" if f.severity == "error" else "[yellow]提示[/]"
        # escaped: "[missing_row]" (and any bracket a report's text holds) is text, not Rich markup
        console.print(f"{tag} {escape('[' + f.rule + ']')} {escape(f.message)}", highlight=False)


def main() -> None:  # pragma: no cover - the console script
    app()


# The other command groups live in their own modules (one module per concern); they register here,
# after `app` exists, because each imports heavier packages (DuckDB, the demo renderers) only it needs.
from gongkai import cli_assess, cli_data, cli_demo, cli_fetch, cli_summary, cli_synth  # noqa: E402

cli_data.register(app)
cli_demo.register(app)
cli_synth.register(app)
cli_summary.register(app)
cli_assess.register(app)
cli_fetch.register(app)
