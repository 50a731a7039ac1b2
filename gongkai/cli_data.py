"""The data commands of the `gongkai` CLI: ingest, check, export (registered on the app by gongkai.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from gongkai.defaults import DEFAULT_DB

EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
SEVERITY_ZH = {"error": "错误", "warning": "提示"}


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """One Chinese line on stderr and the exit status: how every command refuses (the other command modules
    import it from here)."""
    Console(stderr=True).print(f"[bold red]错误：[/]{message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_read_only(db: Path):
    """The database a read-only command (check, summary, assess) reads, or exit 2 with a line saying why not.
    DuckDB is imported here, not at start-up: `gongkai parse` never needs it."""
    import duckdb

    if not db.exists():
        fail(f"找不到数据库 {db}：请先用 gongkai ingest 导入报告")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        fail(f"无法打开数据库 {db}：{exc}")


def ingest(
    paths: list[Path] = typer.Argument(..., help="报告文件或文件夹（递归读取子文件夹）"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    region: str | None = typer.Option(None, "--region", help="为这批报告指定地区：省/市/区县，如 江苏省/淮安市/洪泽区"),
    manifest: Path | None = typer.Option(None, "--manifest", help="清单 CSV：逐个文件指定地区（列：文件,省,市,区县[,单位][,模拟数据]）"),
    demo: bool = typer.Option(False, "--demo", help="把这批报告标记为模拟数据"),
    replace: bool = typer.Option(False, "--replace", help="此前因与同一单位同一年度的报告冲突而未导入的文件，这次导入并替换"),
    workers: int | None = typer.Option(None, "--workers", help="并行解析的进程数（默认按 CPU 核数）"),
) -> None:
    """导入年度报告到数据库：逐个文件解析、核对并保存，重复导入不会产生重复数据。"""
    from gongkai.ingest import IngestError, ingest as run_ingest
    from gongkai.regions import RegionError, parse_region

    if region:
        try:
            parse_region(region)  # a typo in --region is reported before any work starts
        except RegionError as exc:
            fail(str(exc))
    console = Console(highlight=False)
    progress = Progress(
        TextColumn("[bold]导入[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeRemainingColumn(), console=console, transient=False,
    )
    task = progress.add_task("", total=None)

    def on_start(total: int) -> None:
        progress.update(task, total=total)

    def on_file(result) -> None:  # failures are listed, with their reasons, in the closing summary
        progress.update(task, advance=1, description=result.path.name[-40:])

    try:
        with progress:
            summary = run_ingest(paths, db, region=region, manifest=manifest, demo=demo, replace=replace, workers=workers,
                                 on_start=on_start, on_file=on_file)
    except (IngestError, RegionError) as exc:
        fail(str(exc))
        return
    for line in summary.lines():
        console.print(line, soft_wrap=True)
    console.print(f"数据库：{db}")
    if not summary.ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def check(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON：对象列表（agency, year, rule, severity, message）"),
    severity: str | None = typer.Option(None, "--severity", help="只看 error 或 warning"),
    rule: str | None = typer.Option(None, "--rule", help="只看某条规则，如 carry_chain"),
) -> None:
    """列出数据库中所有报告与跨年度核对发现的问题。"""
    from gongkai import store

    con = open_read_only(db)
    try:
        findings = store.run_query(con, "findings_list", {"severity": severity, "rule": rule})
    finally:
        con.close()
    records = [
        {"agency": r.agency, "year": int(r.year), "rule": r.rule, "severity": r.severity, "message": r.message}
        for r in findings.itertuples()
    ]
    if as_json:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console(highlight=False)
    if not records:
        console.print("[green]没有发现问题。[/]")
        return
    table = RichTable(title=f"核对结果（{len(records)} 条）", show_lines=False)
    for header in ("单位", "年度", "规则", "级别"):
        table.add_column(header, no_wrap=True)
    table.add_column("说明", overflow="fold", ratio=1)
    for r in records:
        color = "red" if r["severity"] == "error" else "yellow"
        table.add_row(r["agency"], str(r["year"]), r["rule"],
                      f"[{color}]{SEVERITY_ZH.get(r['severity'], r['severity'])}[/]", r["message"])
    console.print(table)


def export(
    fmt: str = typer.Option(..., "--format", help="csv、xlsx 或 parquet"),
    out: Path = typer.Option(..., "--out", help="输出文件（parquet 为文件夹）"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    year_from: int | None = typer.Option(None, "--year-from", help="起始年度"),
    year_to: int | None = typer.Option(None, "--year-to", help="截止年度"),
    province: str | None = typer.Option(None, "--province", help="省"),
    city: str | None = typer.Option(None, "--city", help="市"),
    county: str | None = typer.Option(None, "--county", help="区县"),
) -> None:
    """导出全部数字（长表）：csv（带 BOM，Excel 可直接打开）、xlsx（含“说明”表）、parquet（按年度、省分区）。"""
    from gongkai.export import ExportError, Filters, export as run_export

    filters = Filters(year_from, year_to, province, city, county)
    try:
        rows = run_export(db, fmt.lower(), out, filters)
    except ExportError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
        return
    Console(highlight=False).print(f"已导出 {rows} 行到 {out}")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("check")(check)
    app.command("export")(export)
