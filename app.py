"""gongkai dashboard: `streamlit run app.py` (database: env GONGKAI_DB, default data/gongkai.duckdb).

This entrypoint runs on every rerun before the page: it opens the database (building the demo database on
the very first start), draws the filters shared by all pages in the sidebar, and hands the page its context.
The pages live in app_pages/ (not pages/, which Streamlit would turn into a second, automatic navigation).
"""

from __future__ import annotations

import streamlit as st

from components import access, db
from gongkai import store
from components.filters import filter_bar
from components.fmt import md_text
from components.i18n import LANG_KEY, t
from components.page import CONTEXT_KEY, PageContext, guarded

st.set_page_config(page_title="gongkai 公开", page_icon=":material/account_balance:", layout="wide")

# The language must be known before the navigation is drawn; the URL decides it on a session's first run.
if LANG_KEY not in st.session_state:
    st.session_state[LANG_KEY] = "en" if st.query_params.get("lang") == "en" else "zh"

PAGES = [
    ("app_pages/overview.py", "page.overview", "overview", ":material/dashboard:"),
    ("app_pages/requests.py", "page.requests", "requests", ":material/inbox:"),
    ("app_pages/review.py", "page.review", "review", ":material/gavel:"),
    ("app_pages/proactive.py", "page.proactive", "proactive", ":material/campaign:"),
    ("app_pages/compare.py", "page.compare", "compare", ":material/compare_arrows:"),
    ("app_pages/quality.py", "page.quality", "quality", ":material/fact_check:"),
    ("app_pages/assessment.py", "page.assessment", "assessment", ":material/grading:"),
    ("app_pages/report.py", "page.report", "report", ":material/description:"),
    ("app_pages/summary.py", "page.summary", "summary", ":material/table_view:"),
]
# Read-only unless an admin password is configured: without one, the 导入 page does not exist at all
# (its URL falls back to the first page).
if access.upload_enabled():
    PAGES.append(("app_pages/upload.py", "page.upload", "upload", ":material/upload_file:"))
navigation = st.navigation(
    [st.Page(path, title=t(key), url_path=url, icon=icon, default=(i == 0))
     for i, (path, key, url, icon) in enumerate(PAGES)]
)


def _open_database() -> bool:
    """True when there are reports to show; otherwise says why, in words."""
    path = db.db_path()
    if not path.exists():
        if not db.demo_builder_available():
            st.warning(t("empty.db_missing", path=md_text(path)))
            return False
        bar = st.progress(0.0, text=t("demo.building"))
        try:
            summary = db.build_demo_if_missing(lambda fraction, text: bar.progress(fraction, text=text))
        except Exception as exc:  # noqa: BLE001 — shown to the user in Chinese, never as a traceback
            st.error(t("demo.failed", error=md_text(exc)))
            return False
        bar.empty()
        if summary:
            st.success(t("demo.built") + "\n\n" + summary)
    found = db.schema_version()
    if found is not None and found != str(store.SCHEMA_VERSION):
        st.error(t("empty.db_outdated", path=md_text(path), found=found, current=store.SCHEMA_VERSION))
        return False
    count = db.report_count()
    if not count:
        st.info(t("empty.db"))
        return False
    return True


st.session_state[CONTEXT_KEY] = None
with guarded():
    if _open_database():
        filters, notices = filter_bar()
        for notice in notices:
            st.warning(notice, icon=":material/link_off:")
        scope = db.query("app_scope_summary", filters.params())
        st.session_state[CONTEXT_KEY] = PageContext(
            filters=filters,
            reports=int(scope.loc[0, "reports"]),
            demo_reports=int(scope.loc[0, "demo_reports"]),
            agencies=int(scope.loc[0, "agencies"]),
        )

with guarded():  # a page that fails even before its own guard (an import) still gets a sentence, not a traceback
    navigation.run()
