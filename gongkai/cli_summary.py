"""`gongkai summary`: a region's 汇总表 (表二, 表三, 表四 summed over its agencies) for one year, written as
DOCX, XLSX or HTML (registered on the app by gongkai.cli)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from gongkai.cli_data import fail, open_read_only
from gongkai.defaults import DEFAULT_DB

FORMATS = ("docx", "xlsx", "html")


def summary(
    region: str = typer.Option(..., "--region", help="地区：省/市/区县，如 江苏省/淮安市 或 江苏省/淮安市/洪泽区"),
    year: int = typer.Option(..., "--year", help="年度"),
    fmt: str = typer.Option("docx", "--format", help="docx、xlsx 或 html"),
    out: Path = typer.Option(..., "--out", help="输出文件"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    no_demo: bool = typer.Option(False, "--no-demo", help="不汇总模拟数据"),
) -> None:
    """汇总一个地区某年度各单位的表二、表三、表四（含未填报提示与勾稽核对），输出 Word、Excel 或网页。"""
    import duckdb

    from gongkai import summary as S
    from gongkai.summary_write import write

    fmt = fmt.lower()
    if fmt not in FORMATS:
        fail(f"不支持的格式“{fmt}”：请用 docx、xlsx 或 html")
    con = open_read_only(db)
    try:
        try:
            scope = S.resolve_region(region, S.regions(con))
            result = S.load(con, scope, year, include_demo=False if no_demo else None)
        except duckdb.Error as exc:
            fail(f"数据库 {db} 不是 gongkai 数据库或版本不符：{exc}")
            return
    except S.SummaryError as exc:
        fail(str(exc))
        return
    finally:
        con.close()
    try:
        write(result, fmt, out)
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
        return
    console = Console(highlight=False)
    console.print(result.title, style="bold")
    console.print(result.lead(), soft_wrap=True)
    for note in result.notes()[1:]:
        console.print(f"说明：{note}", soft_wrap=True)
    errors = [c for c in result.checks if c.finding.severity == "error"]
    for check in errors:
        who = f"（自身违反该等式的单位：{'、'.join(check.agencies)}）" if check.agencies else ""
        console.print(f"[red]汇总数不平[/]：{check.finding.message}{who}", soft_wrap=True)
    console.print(f"已写入 {out}（{result.report_count} 个单位）")


def register(app: typer.Typer) -> None:
    app.command("summary")(summary)
