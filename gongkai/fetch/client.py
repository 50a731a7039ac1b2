"""A polite HTTP client for government portals: robots.txt, a per-host rate and concurrency limit, retries
with backoff, conditional requests and a size cap.

Every failure a portal can cause (a timeout, a 500 that does not go away, a redirect loop, a file over the
size limit) becomes a FetchError with a Chinese reason, for one line of the closing summary: the run goes on.
httpx does the HTTP; this module only decides when to ask and what to make of the answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from gongkai.parser import max_file_bytes

USER_AGENT = "gongkai/0.1 (annual government disclosure report collector)"  # header values must be ASCII
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_REDIRECTS = 10
REFUSED = "服务器拒绝"
MAX_RETRY_AFTER = 30.0  # seconds: a Retry-After longer than this is not waited for (the item fails, the run goes on)


class FetchError(Exception):
    """One request that failed for good; the message is Chinese, for the user."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids the address: not a failure of the portal, the item is skipped."""


@dataclass(slots=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when the stored copy is current
    content: bytes
    content_type: str  # the header's media type, lower case, without parameters
    charset: str | None  # the header's charset parameter
    etag: str | None
    last_modified: str | None


@dataclass(slots=True)
class _Redirect:
    location: str


class RateLimiter:
    """At most `rate` requests per second to one host: each request takes the next free slot.

    The clock and the sleep are injectable so the spacing can be tested without timing anything."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._intervals: dict[str, float] = {}  # hosts whose robots.txt asks for a longer Crawl-delay
        self._lock = threading.Lock()

    def slow_down(self, host: str, interval: float) -> None:
        """robots.txt's Crawl-delay: never faster than it asks."""
        with self._lock:
            self._intervals[host] = max(interval, self.interval)

    def wait(self, host: str) -> float:
        """Block until this host may be asked again; returns the time waited."""
        with self._lock:
            interval = self._intervals.get(host, self.interval)
            now = self.clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + interval
        delay = slot - now
        if delay > 0:
            self.sleep(delay)
        return delay


def _media_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip().strip("\"'") or None
    return parts[0].lower(), charset


def _megabytes(n: int) -> str:
    return f"{n / 1048576:.1f}"


class PoliteClient:
    """One httpx.Client shared by the worker threads, with the limits kept per host."""

    def __init__(self, *, rate: float = 1.0, per_host: int = 2, timeout: float = 20.0, retries: int = 3,
                 backoff: float = 1.0, max_bytes: int | None = None, user_agent: str = USER_AGENT,
                 transport: httpx.BaseTransport | None = None):
        self.limiter = RateLimiter(rate)
        self.per_host = max(1, per_host)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_bytes = max_file_bytes() if max_bytes is None else max_bytes
        self.user_agent = user_agent
        self.requests = 0  # sent, for the benchmark and the summary
        self._client = httpx.Client(timeout=timeout, follow_redirects=False,
                                    headers={"User-Agent": user_agent}, transport=transport)
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._lock = threading.Lock()  # the per-host slots
        self._robots_lock = threading.Lock()  # held while robots.txt is read, which takes a slot

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ robots.txt
    def _robots_for(self, url: str) -> RobotFileParser | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
            # one thread reads it; the others wait on the lock (robots is read once per host)
            parser = self._read_robots(origin, parts.netloc)
            self._robots[origin] = parser
            return parser

    def _read_robots(self, origin: str, host: str) -> RobotFileParser | None:
        try:
            got = self._request(origin + "/robots.txt", {})
        except FetchError:
            return None  # unreachable robots.txt: as if there were none (the pages will fail on their own)
        if got.status != 200:
            return None  # 404 and friends: no rules
        parser = RobotFileParser()
        parser.parse(got.content.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            self.limiter.slow_down(host, float(delay))
        return parser

    def allowed(self, url: str) -> bool:
        robots = self._robots_for(url)
        return robots is None or robots.can_fetch(self.user_agent, url)

    # ------------------------------------------------------------ requests
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET with the limits; 304 (status of the result) when the validators say the stored copy is current."""
        if not self.allowed(url):
            raise RobotsDisallowed("网站的 robots.txt 不允许抓取此地址，已跳过")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers)

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return self._slots[host]

    def _request(self, url: str, headers: dict[str, str]) -> Fetched:
        """Follow redirects here rather than in httpx, so each hop is rate-limited and checked against
        robots.txt, and a loop is named as one."""
        visited = [url]
        for _ in range(MAX_REDIRECTS + 1):
            result = self._with_retries(url, headers)
            if isinstance(result, Fetched):
                return result
            target = urldefrag(urljoin(url, result.location))[0]
            if target in visited:
                raise FetchError("重定向循环（网址在重定向中重复出现），未获取")
            if urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(f"重定向到了不支持的地址：{target[:100]}")
            if not self.allowed(target):
                raise RobotsDisallowed("重定向后的地址被网站的 robots.txt 禁止抓取，已跳过")
            visited.append(target)
            url = target
        raise FetchError(f"重定向次数过多（超过 {MAX_REDIRECTS} 次），未获取")

    def _with_retries(self, url: str, headers: dict[str, str]) -> Fetched | _Redirect:
        host = urlsplit(url).netloc
        last_reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            with self._slot(host):
                self.limiter.wait(host)
                with self._lock:
                    self.requests += 1
                try:
                    result, retry_after = self._once(url, headers)
                except httpx.TimeoutException:
                    last_reason = "请求超时"
                    continue
                except httpx.TransportError as exc:
                    last_reason = f"网络错误（{type(exc).__name__}）"
                    continue
            if isinstance(result, (Fetched, _Redirect)):
                return result
            last_reason = result
            if result.startswith(REFUSED):
                break  # a 4xx other than 429 does not get better by asking again
            if retry_after is not None:
                if retry_after > MAX_RETRY_AFTER:
                    break
                time.sleep(retry_after)
        tries = f"（共尝试 {attempt + 1} 次）" if attempt else ""
        raise FetchError(f"{last_reason}{tries}")

    def _once(self, url: str, headers: dict[str, str]) -> tuple[Fetched | _Redirect | str, float | None]:
        """One request: the result, a redirect, or the reason it failed and a Retry-After to honour."""
        with self._client.stream("GET", url, headers=headers) as response:
            final = str(response.url)
            if response.has_redirect_location:
                return _Redirect(response.headers["Location"]), None
            if response.status_code == 304:
                return Fetched(final, 304, b"", "", None, response.headers.get("ETag"),
                               response.headers.get("Last-Modified")), None
            if response.status_code >= 400:
                retry_after = None
                if response.status_code in (429, 503):
                    try:
                        retry_after = float(response.headers.get("Retry-After", ""))
                    except ValueError:
                        retry_after = None
                if response.status_code in RETRY_STATUSES:
                    return f"服务器错误（HTTP {response.status_code}）", retry_after
                return f"{REFUSED}（HTTP {response.status_code}）", None
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"文件过大（{_megabytes(int(declared))} MB，上限 {_megabytes(self.max_bytes)} MB），未下载")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"文件过大（超过上限 {_megabytes(self.max_bytes)} MB），已停止下载")
                chunks.append(chunk)
            media, charset = _media_type(response.headers.get("Content-Type"))
            return Fetched(final, response.status_code, b"".join(chunks), media, charset,
                           response.headers.get("ETag"), response.headers.get("Last-Modified")), None
