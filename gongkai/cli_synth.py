"""`gongkai synth`: a national-scale 模拟数据 database, written directly (for scale tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gongkai.defaults import SYNTH_REPORTS, SYNTH_SEED


def synth_command(
    reports: int = typer.Option(SYNTH_REPORTS, "--reports", help="报告份数（全国约 60 万份：2019–2025 年）"),
    db: Path = typer.Option(..., "--db", help="要写入的数据库文件（已存在时需加 --replace）"),
    seed: int = typer.Option(SYNTH_SEED, "--seed", help="随机种子：种子和份数相同，数据相同"),
    replace: bool = typer.Option(False, "--replace", help="数据库已存在时整个替换它"),
) -> None:
    """生成全国规模的模拟数据库（31 个省级行政区、各市、区县，2019–2025 年，全部标记为模拟数据），不经过文件解析。"""
    from gongkai import synth

    console = Console()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("准备", total=1.0)
        try:
            summary = synth.synthesize(db, reports, seed, replace=replace,
                                       progress=lambda f, message: bar.update(task, completed=f, description=message))
        except synth.SynthError as exc:
            Console(stderr=True).print(f"[bold red]错误：[/]{exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    for line in summary.lines():
        console.print(line, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth_command)
