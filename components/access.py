"""Who may change data: the dashboard is read-only for everyone; the 导入 page exists only when an admin
password is configured, and only a session that gave it may upload.

The password comes from the environment (GONGKAI_ADMIN_PASSWORD, for servers started by a service manager)
or from `admin_password` in .streamlit/secrets.toml. It is compared in constant time, so the time an answer
takes says nothing about how much of a guess was right.

Guessing is slowed twice over, because a single counter is easy to get around:
- per session, each failure makes the next answer wait longer (1, 2, 4 … 30 s);
- per server process, after MAX_FAILURES failures within FAILURE_WINDOW seconds (from any number of
  sessions — opening a new tab resets nothing) login is refused for everyone until LOCKOUT seconds after the
  last failure. This also locks the admin out for a while: a brute-force attempt costs a wait, not data.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections import deque

import streamlit as st

PASSWORD_ENV = "GONGKAI_ADMIN_PASSWORD"
SECRET_KEY = "admin_password"
ADMIN_KEY = "_admin_logged_in"
SESSION_FAILURES_KEY = "_admin_failures"

MAX_DELAY = 30.0  # seconds a session waits after its failures, at most
MAX_FAILURES = 10  # failures in the whole process ...
FAILURE_WINDOW = 15 * 60  # ... within this many seconds ...
LOCKOUT = 15 * 60  # ... lock the login for this long after the last one

# Patched by the tests (the delays are real in the app).
sleep = time.sleep
clock = time.monotonic


def admin_password() -> str | None:
    """The configured admin password, or None: then there is no upload page at all.

    A missing or broken secrets file means "not configured", never an error on the page (st.secrets would
    print one when read without a file, hence the probe first)."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        value = st.secrets.get(SECRET_KEY)
    except Exception:  # noqa: BLE001 — an unreadable secrets.toml: no admin, the dashboard stays read-only
        return None
    return str(value) if value else None


def upload_enabled() -> bool:
    return admin_password() is not None


class Throttle:
    """Failed logins of the whole server process (Streamlit runs every session in one process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures: deque[float] = deque()

    def reset(self) -> None:
        with self.lock:
            self.failures.clear()

    def _prune(self, now: float) -> None:
        while self.failures and now - self.failures[0] > max(FAILURE_WINDOW, LOCKOUT):
            self.failures.popleft()

    def locked_for(self) -> float:
        """Seconds until login is possible again (0 when it is)."""
        now = clock()
        with self.lock:
            self._prune(now)
            recent = [f for f in self.failures if now - f <= FAILURE_WINDOW]
            if len(recent) < MAX_FAILURES:
                return 0.0
            return max(0.0, self.failures[-1] + LOCKOUT - now)

    def fail(self) -> None:
        with self.lock:
            self.failures.append(clock())


THROTTLE = Throttle()


def session_delay(failures: int) -> float:
    """Seconds to wait before answering a session's `failures`-th failure: 1, 2, 4, 8, 16, 30, 30 …"""
    return min(MAX_DELAY, 2.0 ** (failures - 1)) if failures > 0 else 0.0


def logged_in() -> bool:
    return bool(st.session_state.get(ADMIN_KEY)) and upload_enabled()


def log_out() -> None:
    st.session_state[ADMIN_KEY] = False


def try_login(given: str) -> tuple[bool, str]:
    """Check a password; (True, "") on success, else (False, a Chinese sentence saying why and what to do)."""
    expected = admin_password()
    if expected is None:
        return False, "未配置管理员密码，导入功能未开放。"
    locked = THROTTLE.locked_for()
    if locked > 0:
        minutes = max(1, round(locked / 60))
        return False, f"密码错误次数过多，登录已暂停，请约 {minutes} 分钟后再试。"
    # Compared as bytes: compare_digest on str accepts ASCII only and would raise on a Chinese password.
    if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        st.session_state[ADMIN_KEY] = True
        st.session_state[SESSION_FAILURES_KEY] = 0
        return True, ""
    THROTTLE.fail()
    failures = int(st.session_state.get(SESSION_FAILURES_KEY, 0)) + 1
    st.session_state[SESSION_FAILURES_KEY] = failures
    delay = session_delay(failures)
    sleep(delay)  # the answer itself is late: a script cannot guess faster than this
    return False, (f"密码错误（本次会话已失败 {failures} 次）。为防止猜测密码，每次失败后等待时间加倍"
                   f"（本次等待 {delay:g} 秒）；多次失败后将暂停登录 {LOCKOUT // 60} 分钟。")
