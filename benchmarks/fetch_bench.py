"""Fetch throughput against the local mock portal (tests/mock_portal.py on 127.0.0.1): pages/s.

    python benchmarks/fetch_bench.py [--columns 20] [--pages 3] [--per-page 10] [--concurrency 4]

Builds a portal of `columns` columns, each `pages` numbered list pages (TRS pager) of `per-page` report links;
each report is one of the real report pages of tests/fixtures (40–270 KB), made unique by a comment so that
every one is saved. Runs `gongkai.fetch.run.fetch` with no rate limit (the default 1 request/s per host is
what a real portal gets; here the point is the client's own cost) and prints, as `name: value unit`:
- fetch_pages_per_s: HTTP requests answered per second on the first run (list pages + report pages);
- fetch_rerun_pages_per_s: the same on a re-run (conditional requests: every report answers 304);
- fetch_items / fetch_new_on_rerun: report items, and how many a re-run fetched again (0 expected).
The server runs in the same process (threads), so both share the 2 cores: a lower bound.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gongkai.fetch.manifest import Column  # noqa: E402
from gongkai.fetch.run import FETCHED, FetchConfig, fetch  # noqa: E402
from mock_portal import FIXTURES, MockPortal, Route  # noqa: E402

PAGES = [FIXTURES / "pingtan_2019.html", FIXTURES / "pingtan_2022.html", FIXTURES / "shanghai_bgt_2019.html"]


def build_routes(columns: int, pages: int, per_page: int) -> dict[str, Route]:
    bodies = [p.read_bytes() for p in PAGES]
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    n = 0
    for c in range(columns):
        for p in range(pages):
            items = []
            for i in range(per_page):
                n += 1
                year = 2019 + n % 6
                path = f"/c{c}/art/{n}.html"
                routes[path] = Route(bodies[n % len(bodies)] + f"<!-- {n} -->".encode())
                items.append(f'<li><a href="{path}" title="第{c}单位{year}年度政府信息公开工作年度报告">'
                             f"第{c}单位{year}年度政府信息公开工作年度报告</a><span>{year + 1}-01-20</span></li>")
            name = "index.html" if p == 0 else f"index_{p}.html"
            html = (f'<html><head><meta charset="utf-8"></head><body><ul>{"".join(items)}</ul>'
                    f'<script>createPageHTML({pages}, {p}, "index", "html");</script></body></html>')
            routes[f"/c{c}/{name}"] = Route(html.encode("utf-8"))
    return routes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    config = FetchConfig(rate=1e9, concurrency=args.concurrency, per_host=args.concurrency, backoff=0.01)
    with MockPortal(build_routes(args.columns, args.pages, args.per_page)) as portal, \
            tempfile.TemporaryDirectory() as tmp:
        columns = [Column(f"{portal.base}/c{c}/index.html") for c in range(args.columns)]
        start, hits = time.perf_counter(), portal.hit_count()
        first = fetch(columns, tmp, config)
        first_s, first_hits = time.perf_counter() - start, portal.hit_count() - hits
        start, hits = time.perf_counter(), portal.hit_count()
        again = fetch(columns, tmp, config)
        again_s, again_hits = time.perf_counter() - start, portal.hit_count() - hits
    print(f"fetch_items: {len(first.results)} items")
    print(f"fetch_pages_per_s: {first_hits / first_s:.0f} pages/s ({first_hits} requests in {first_s:.2f} s)")
    print(f"fetch_rerun_pages_per_s: {again_hits / again_s:.0f} pages/s ({again_hits} requests in {again_s:.2f} s)")
    print(f"fetch_new_on_rerun: {sum(1 for r in again.results if r.status == FETCHED)} items")


if __name__ == "__main__":
    main()
