"""`gongkai fetch`: collect the reports of portal columns into a folder with a manifest (registered by
gongkai.cli). Exit 0 when every item was fetched or unchanged, 1 when some failed, 2 for a usage error."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gongkai.cli_data import fail
from gongkai.defaults import DEFAULT_DB

EXIT_SOME_FAILED = 1
DEFAULT_OUT = Path("data/raw")


def parse_years(text: str | None) -> set[int] | None:
    """--years 2019-2024 or 2022,2023 → the set; ValueError (Chinese) for anything else."""
    if not text:
        return None
    years: set[int] = set()
    for part in re.split(r"[,，\s]+", text.strip()):
        m = re.fullmatch(r"(\d{4})(?:\s*[-–~至]\s*(\d{4}))?", part)
        if not m:
            raise ValueError(f"年度应写作 2019-2024 或 2022,2023，收到：{text}")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise ValueError(f"年度范围 {part} 的起止写反了")
        years.update(range(first, last + 1))
    return years


def fetch(
    urls: list[str] = typer.Argument(None, help="栏目（政府信息公开年报）列表页的网址，可写多个"),
    column_list: Path | None = typer.Option(None, "--list", help="栏目清单 CSV（列：栏目地址,单位,省,市,区县）"),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="保存报告与 manifest.csv 的文件夹"),
    rate: float = typer.Option(1.0, "--rate", help="每个网站每秒最多请求几次"),
    concurrency: int = typer.Option(4, "--concurrency", help="同时下载的条目数"),
    per_host: int = typer.Option(2, "--per-host", help="同一网站同时进行的请求数上限"),
    timeout: float = typer.Option(20.0, "--timeout", help="单次请求超时（秒）"),
    retries: int = typer.Option(3, "--retries", help="超时或服务器错误（5xx）时的重试次数"),
    years: str | None = typer.Option(None, "--years", help="检查“未发布”的年度，如 2019-2024（默认：本次找到报告的各年度）"),
    ingest: bool = typer.Option(False, "--ingest", help="获取后立即导入数据库（按 manifest.csv 指定地区与单位）"),
    db: Path = typer.Option(DEFAULT_DB, "--db", help="--ingest 时导入的数据库文件"),
) -> None:
    """从政府网站的政府信息公开年报栏目收集年度报告：逐页读取列表，保存报告原文件，写出 manifest.csv。"""
    from gongkai.fetch.manifest import Column, ColumnListError, load_column_list
    from gongkai.fetch.run import FetchBusy, FetchConfig, fetch as run_fetch

    columns: list[Column] = []
    if column_list is not None:
        try:
            columns.extend(load_column_list(column_list))
        except ColumnListError as exc:
            fail(str(exc))
    for url in urls or []:
        if not url.startswith(("http://", "https://")):
            fail(f"“{url}”不是网址（应以 http:// 或 https:// 开头）")
        columns.append(Column(url))
    if not columns:
        fail("请给出至少一个栏目网址，或用 --list 指定栏目清单")
    if rate <= 0 or concurrency < 1 or per_host < 1 or timeout <= 0 or retries < 0:
        fail("--rate、--timeout 须大于 0，--concurrency、--per-host 至少为 1，--retries 不能为负")
    try:
        check_years = parse_years(years)
    except ValueError as exc:
        fail(str(exc))
        return
    config = FetchConfig(rate=rate, concurrency=concurrency, per_host=per_host, timeout=timeout, retries=retries,
                         years=check_years)
    console = Console(highlight=False)
    progress = Progress(TextColumn("[bold]获取[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=console)
    task = progress.add_task("读取栏目列表……", total=None)

    def on_event(kind: str, **info) -> None:
        if kind == "column":
            progress.update(task, description=f"已读栏目 {info['url'][-50:]}（{info['pages']} 页）")
        elif kind == "items":
            progress.update(task, total=info["n"], description="")
        elif kind == "item":
            progress.update(task, advance=1, description=info["result"].title[-30:])

    try:
        with progress:
            summary = run_fetch(columns, out, config, on_event=on_event)
    except FetchBusy as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"无法写入 {out}：{exc.strerror or exc}")
        return
    for line in summary.lines():
        console.print(line, soft_wrap=True)
    ok = summary.ok
    if ingest:
        from gongkai.ingest import IngestError, ingest as run_ingest

        try:
            result = run_ingest([out], db, manifest=summary.manifest)
        except IngestError as exc:
            fail(str(exc))
            return
        for line in result.lines():
            console.print(line, soft_wrap=True)
        console.print(f"数据库：{db}")
        ok = ok and result.ok
    if not ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
