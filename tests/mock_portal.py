"""A government portal on 127.0.0.1 for the fetch tests and benchmark: the list pages of
tests/fixtures/portal/ around real report pages, with a portal's bad habits (see its README.md).

The server honours If-None-Match / If-Modified-Since (ETag = sha256 of the body), counts every request per
path, and lets a test change a page's body (a report edited after publication) or slow a page down."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PORTAL = FIXTURES / "portal"
HTML = "text/html; charset=utf-8"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Route:
    body: bytes = b""
    content_type: str = HTML
    status: int = 200
    location: str | None = None  # a redirect
    delay: float = 0.0  # seconds before answering (a slow page)
    fail_first: int = 0  # answer 500 to this many requests first
    validators: bool = True  # ETag and Last-Modified


@dataclass
class Portal:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    times: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, path) of every request
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit_count(self, prefix: str = "/") -> int:
        return sum(n for p, n in self.hits.items() if p.startswith(prefix) and p != "/robots.txt")


def _read(name: str) -> bytes:
    return (PORTAL / name).read_bytes()


def standard_routes(slow: float = 0.05) -> dict[str, Route]:
    pingtan = "/pingtan/nj/"
    shanghai = (FIXTURES / "shanghai_bgt_2019.html").read_text(encoding="utf-8")
    return {
        "/robots.txt": Route(_read("robots.txt"), "text/plain"),
        # 平潭: TRS pager, the article pages are the reports; 2019 is slow and fails once
        pingtan + "index.html": Route(_read("pingtan_index.html")),
        pingtan + "index_1.html": Route(_read("pingtan_index_1.html")),
        pingtan + "202302/t20230220_6004.htm": Route((FIXTURES / "pingtan_2022.html").read_bytes()),
        pingtan + "202001/t20200120_80576.htm": Route((FIXTURES / "pingtan_2019.html").read_bytes(),
                                                      delay=slow, fail_first=1),
        pingtan + "202210/t20221012_5000.htm": Route(b"<html><body>notice</body></html>"),
        # 洪泽: 下一页, an attachment-only article, the attachment behind a redirect, robots-disallowed 2023
        "/hongze/list.html": Route(_read("hongze_list.html")),
        "/hongze/list_2.html": Route(_read("hongze_list_2.html").decode("utf-8").encode("gb18030")),  # GBK, says UTF-8
        "/hongze/art/2024.html": Route(_read("hongze_article_2024.html")),
        "/hongze/att/download": Route(status=302, location="/hongze/att/hongze_2024.pdf"),
        "/hongze/att/hongze_2024.pdf": Route((FIXTURES / "hongze_2024.pdf").read_bytes(), "application/pdf"),
        "/private/hz2023.html": Route((FIXTURES / "pingtan_2022.html").read_bytes()),
        # 上海: JS data + a JSON list; GBK bytes declared UTF-8; a redirect loop; a fake PDF; a 200 error page
        "/shanghai/nj/index.html": Route(_read("shanghai_index.html")),
        "/shanghai/nj/data/list.json": Route(_read("shanghai_list.json"), "application/json"),
        "/shanghai/nj/2019.html": Route(shanghai.encode("gb18030"), HTML),
        "/loop/a.html": Route(status=302, location="/loop/b.html"),
        "/loop/b.html": Route(status=302, location="/loop/a.html"),
        "/shanghai/nj/2021.pdf": Route(_read("error_page.html"), HTML),
        "/shanghai/nj/2018.html": Route(_read("error_page.html")),
        # 财政金融局: a column without any report
        "/caijin/index.html": Route(_read("caijin_index.html")),
    }


def column_list_csv(base: str) -> str:
    """The 栏目清单 of the mock portal: region and agency per column."""
    return (
        "栏目地址,单位,省,市,区县\n"
        f"{base}/pingtan/nj/index.html,平潭综合实验区,福建省,福州市,平潭县\n"
        f"{base}/hongze/list.html,淮安市洪泽区人民政府,江苏省,淮安市,洪泽区\n"
        f"{base}/shanghai/nj/index.html,上海市人民政府办公厅,上海市,上海市,\n"
        f"{base}/caijin/index.html,平潭综合实验区财政金融局,福建省,福州市,平潭县\n"
    )


def _handler(portal: Portal):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: with Nagle's algorithm each response would wait for the
        # client's delayed ACK (40 ms), which is the server's cost, not the fetcher's
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:  # quiet tests
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = self.path.split("?", 1)[0] if not self.path.startswith("/hongze/att/download") else "/hongze/att/download"
            with portal.lock:
                portal.hits[path] = portal.hits.get(path, 0) + 1
                portal.times.append((time.monotonic(), path))
                route = portal.routes.get(path)
                failing = route is not None and route.fail_first > 0
                if failing:
                    route.fail_first -= 1
            if route is None:
                return self._send(404, b"<html><body>404</body></html>", HTML)
            if route.delay:
                time.sleep(route.delay)
            if failing:
                return self._send(500, b"<html><body>500 Internal Server Error</body></html>", HTML)
            if route.location:
                return self._send(route.status, b"", HTML, {"Location": route.location})
            headers = {}
            if route.validators:
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", None, headers)
            self._send(route.status, route.body, route.content_type, headers)

        def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


class MockPortal:
    """Context manager: the portal served on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, routes: dict[str, Route] | None = None):
        self.portal = Portal(routes if routes is not None else standard_routes())

    def __enter__(self) -> Portal:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.portal))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.portal.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.portal

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
