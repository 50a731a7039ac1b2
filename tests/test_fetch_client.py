"""The polite client: the rate limiter's spacing (a fake clock: no timing), retries with backoff on 5xx and
not on 4xx, Retry-After, robots.txt and its Crawl-delay — on httpx's MockTransport, no network."""

from __future__ import annotations

import httpx
import pytest

from gongkai.fetch.client import FetchError, PoliteClient, RateLimiter, RobotsDisallowed


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_rate_limiter_spaces_requests_per_host():
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)  # 2 per second: one every 0.5 s
    for _ in range(3):
        limiter.wait("a.gov.cn")
    limiter.wait("b.gov.cn")  # another host has its own slots
    assert clock.slept == [0.5, 0.5]
    clock.now += 10  # after a pause no wait
    assert limiter.wait("a.gov.cn") == 0


def test_crawl_delay_slows_one_host():
    clock = FakeClock()
    limiter = RateLimiter(10.0, clock=clock, sleep=clock.sleep)
    limiter.slow_down("a.gov.cn", 3.0)
    limiter.wait("a.gov.cn")
    limiter.wait("a.gov.cn")
    limiter.wait("b.gov.cn")
    limiter.wait("b.gov.cn")
    assert clock.slept == [3.0, 0.1]


def client_for(handler, **kw) -> PoliteClient:
    return PoliteClient(rate=1000, backoff=0.001, retries=2, transport=httpx.MockTransport(handler), **kw)


def test_5xx_is_retried_and_4xx_is_not():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/flaky":
            return httpx.Response(503 if calls.count("/flaky") < 3 else 200, content=b"ok")
        if request.url.path == "/down":
            return httpx.Response(502)
        return httpx.Response(404)

    with client_for(handler) as client:
        assert client.get("http://a.gov.cn/flaky").content == b"ok"
        with pytest.raises(FetchError, match=r"^服务器错误（HTTP 502）（共尝试 3 次）$"):
            client.get("http://a.gov.cn/down")
        with pytest.raises(FetchError, match=r"^服务器拒绝（HTTP 404）$"):
            client.get("http://a.gov.cn/gone")
    assert calls.count("/flaky") == 3 and calls.count("/down") == 3 and calls.count("/gone") == 1
    assert calls.count("/robots.txt") == 1  # read once per host


def test_a_long_retry_after_is_not_waited_for():
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(429, headers={"Retry-After": "3600"})

    with client_for(handler) as client, pytest.raises(FetchError, match=r"^服务器错误（HTTP 429）$"):
        client.get("http://a.gov.cn/busy")


def test_robots_txt_and_conditional_requests():
    seen_headers: list[dict] = []

    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n")
        seen_headers.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, content=b"%PDF-1.4", headers={"ETag": '"v1"', "Content-Type": "application/pdf"})

    with client_for(handler) as client:
        with pytest.raises(RobotsDisallowed):
            client.get("http://a.gov.cn/private/x.pdf")
        client.limiter.sleep = lambda s: None  # Crawl-delay 2 s is honoured (set below), not waited in a test
        first = client.get("http://a.gov.cn/r.pdf")
        again = client.get("http://a.gov.cn/r.pdf", etag=first.etag)
        assert client.limiter._intervals["a.gov.cn"] == 2.0
    assert (first.status, first.content_type, first.etag) == (200, "application/pdf", '"v1"')
    assert (again.status, again.content) == (304, b"")
    assert seen_headers[1]["if-none-match"] == '"v1"'


def test_declared_size_over_the_limit_is_not_downloaded():
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=b"x" * 3_000_000)

    with client_for(handler, max_bytes=2 * 1048576) as client, \
            pytest.raises(FetchError, match=r"^文件过大（2.9 MB，上限 2.0 MB），未下载$"):
        client.get("http://a.gov.cn/big.pdf")


def test_redirects_are_followed_hop_by_hop_under_robots():
    def handler(request):
        path = request.url.path
        if path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
        if path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        if path == "/new":
            return httpx.Response(200, content=b"%PDF-1.4")
        if path == "/sneaky":
            return httpx.Response(302, headers={"Location": "http://a.gov.cn/private/x"})
        return httpx.Response(404)

    with client_for(handler) as client:
        got = client.get("http://a.gov.cn/old")
        assert (got.url, got.content) == ("http://a.gov.cn/new", b"%PDF-1.4")
        with pytest.raises(RobotsDisallowed, match="重定向后的地址被网站的 robots.txt 禁止抓取"):
            client.get("http://a.gov.cn/sneaky")
