"""`gongkai demo generate` and `gongkai demo build`: the demo corpus (模拟数据) from the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gongkai.defaults import DEFAULT_DB, DEMO_OUT, DEMO_SEED

demo_app = typer.Typer(
    help="模拟数据：生成虚构城市的年度报告文件，并与真实报告样本一起导入数据库，用于演示和测试。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@demo_app.command("generate")
def generate_command(
    out: Path = typer.Option(DEMO_OUT, "--out", help="输出文件夹"),
    seed: int = typer.Option(DEMO_SEED, "--seed", help="随机种子：种子相同，生成的文件逐字节相同"),
) -> None:
    """生成模拟报告文件（文本、Markdown、HTML、DOCX、PDF）和答案（answer_key.json，列出预埋的每处错误）。"""
    from gongkai.demo import generate as G

    console = Console()
    with _progress(console) as bar:
        task = bar.add_task("生成模拟报告", total=None)

        def step(i: int, n: int, name: str) -> None:
            bar.update(task, total=n, completed=i, description=f"生成 {name}")

        corpus = G.generate(out, seed, progress=step)
    formats: dict[str, int] = {}
    for r in corpus.reports:
        formats[r.file_format] = formats.get(r.file_format, 0) + 1
    console.print(
        f"已在 {out} 生成 {len(corpus.reports)} 份模拟报告（{G.CITY}，{len(G.DISTRICTS)} 个区县，"
        f"{G.YEARS[0]}–{G.YEARS[-1]} 年）：" + "，".join(f"{k} {v} 份" for k, v in sorted(formats.items())),
        highlight=False,
    )
    console.print(
        f"预埋错误 {len(corpus.errors)} 处、评估问题（照搬上年、缺少部分、未说明信息处理费）{len(corpus.defects)} 处，"
        f"见 {out / G.ANSWER_KEY}；"
        f"导入时请用 gongkai demo build，或 gongkai ingest {out} --manifest {out / G.MANIFEST}（标记为模拟数据）。",
        highlight=False,
    )


@demo_app.command("build")
def build_command(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    out: Path = typer.Option(DEMO_OUT, "--out", help="模拟报告的输出文件夹"),
    seed: int = typer.Option(DEMO_SEED, "--seed", help="随机种子"),
) -> None:
    """生成模拟报告，并与 data/samples/real/ 中的真实报告一起导入数据库（模拟数据均带“模拟数据”标记）。"""
    from gongkai.demo.build import build_demo
    from gongkai.ingest import IngestError

    console = Console()
    with _progress(console) as bar:
        task = bar.add_task("准备", total=1.0)
        try:
            result = build_demo(
                db, lambda f, message: bar.update(task, completed=f, description=message), out=out, seed=seed
            )
        except IngestError as exc:
            Console(stderr=True).print(f"[bold red]错误：[/]{exc}", highlight=False)
            raise typer.Exit(1) from None
    for line in result.lines():
        console.print(line, highlight=False)
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")
