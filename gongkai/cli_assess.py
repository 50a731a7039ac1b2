"""`gongkai assess`: the annual assessment of every agency-year in the database (registered by gongkai.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from gongkai.cli_data import fail, open_read_only
from gongkai.defaults import DEFAULT_DB

def region_filters(region: str | None) -> dict[str, str | None]:
    """--region "省/市/区县" (as `ingest --region` takes it, fewer levels allowed) → the queries' filters.
    Names are matched as the database stores them, so a region the national code does not know (the demo's
    青岚市) can be chosen too."""
    parts = [p.strip() for p in (region or "").replace("／", "/").split("/") if p.strip()]
    if len(parts) > 3:
        raise ValueError(f"地区“{region}”应写作 省/市/区县，最多三级")
    parts += [None] * (3 - len(parts))  # type: ignore[list-item]
    return {"province": parts[0], "city": parts[1], "county": parts[2]}


def assess(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="数据库文件"),
    year: int | None = typer.Option(None, "--year", help="只评这一年度"),
    region: str | None = typer.Option(None, "--region", help="只评这一地区：省/市/区县，如 江苏省/淮安市/洪泽区"),
    config: Path | None = typer.Option(None, "--config", help="本单位的评估规则（TOML，格式见 gongkai/assess_default.toml）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON：对象列表（agency, year, score, reasons）"),
) -> None:
    """年报评估：为每个单位每个年度打分，并列出每一处扣分的理由（分值与阈值可用 --config 自定）。"""
    import duckdb

    from gongkai.assess import ConfigError, assess_store, load_config

    try:
        rules = load_config(config)
        params = region_filters(region)
    except (ConfigError, ValueError) as exc:
        fail(str(exc))
        return
    con = open_read_only(db)
    try:
        frame = assess_store(con, {**params, "year_from": year, "year_to": year}, rules)
    except duckdb.Error as exc:
        fail(f"数据库 {db} 无法评估（是否为旧版本数据库？请重新导入）：{exc}")
        return
    finally:
        con.close()
    records = [
        {"agency": r.agency, "year": int(r.year), "score": int(r.score) if float(r.score).is_integer() else r.score,
         "reasons": list(r.reasons)}
        for r in frame.itertuples()
    ]
    if as_json:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    console = Console(highlight=False)
    if not records:
        console.print("没有可评估的报告（检查 --year、--region 是否与数据库中的一致）。")
        return
    table = RichTable(title=f"年报评估（{len(records)} 个单位年度，满分 {rules.full_marks:g}）")
    for header in ("单位", "年度", "得分"):
        table.add_column(header, no_wrap=True)
    table.add_column("扣分理由", overflow="fold", ratio=1)
    for r in records:
        color = "green" if r["score"] >= rules.full_marks else "red" if r["score"] < 60 else "yellow"
        table.add_row(r["agency"], str(r["year"]), f"[{color}]{r['score']}[/]", "\n".join(r["reasons"]) or "—")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
