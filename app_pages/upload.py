"""导入 (admin only): log in with the admin password, upload report files, or paste portal column addresses to
fetch their reports (components/fetching.py); see what was stored and what failed.

app.py lists this page only when a password is configured; the login is checked here again, so reaching
the script some other way changes nothing. Everything from the uploaded files (names, messages) is shown in
a dataframe, i.e. as text."""

import pandas as pd
import streamlit as st

from components import access, fetching, uploads
from components.i18n import t
from components.page import guarded
from gongkai.parser import max_file_bytes

RESULT_KEY = "_upload_result"
FETCH_RESULT_KEY = "_fetch_result"


def _login() -> None:
    st.info(t("upload.login_needed"))
    with st.form("admin_login", clear_on_submit=True):
        password = st.text_input(t("upload.password"), type="password", key="admin_password")
        submitted = st.form_submit_button(t("upload.login"))
    if submitted:
        ok, message = access.try_login(password or "")
        if ok:
            st.rerun()
        st.error(message)


def _show_result() -> None:
    shown = st.session_state.get(RESULT_KEY)
    if not shown:
        return
    results, headline = shown
    st.subheader(t("upload.result"))
    if headline:
        st.text(headline)
    failed = sum(1 for r in results if r.status == "failed")
    if failed:
        st.warning(t("upload.failed_count", n=failed))
    st.dataframe(pd.DataFrame({
        t("upload.col_file"): [r.client_name for r in results],
        t("upload.col_status"): [t(f"upload.status.{r.status}") for r in results],
        t("upload.col_message"): [r.message for r in results],
        t("upload.col_saved"): [r.saved_as.name if r.saved_as else "" for r in results],
    }), hide_index=True, key="upload_results")


def _fetch() -> None:
    st.subheader(t("fetch.title"))
    st.caption(t("fetch.intro", folder=str(fetching.fetch_dir())))
    with st.form("fetch_form"):
        text = st.text_area(t("fetch.urls"), key="fetch_urls", height=120)
        submitted = st.form_submit_button(t("fetch.submit"), type="primary")
    if submitted:
        columns, problems = fetching.parse_columns(text)
        for problem in problems:
            st.error(problem)
        if not columns and not problems:
            st.warning(t("fetch.none"))
        elif columns and not problems:
            bar = st.progress(0.0, text=t("fetch.running"))
            st.session_state[FETCH_RESULT_KEY] = fetching.fetch_and_ingest(
                columns, progress=lambda fraction, label: bar.progress(min(fraction, 1.0), text=label))
            st.rerun()  # the sidebar and every page read the swapped database from the next run on
    outcome = st.session_state.get(FETCH_RESULT_KEY)
    if not outcome:
        return
    st.markdown(f"**{t('fetch.result')}**")
    if not outcome.ok:
        st.warning(t("fetch.failed"))
    st.text("\n".join(outcome.lines))
    st.dataframe(pd.DataFrame({
        t("fetch.col_title"): [i[0] for i in outcome.items],
        t("fetch.col_status"): [i[1] for i in outcome.items],
        t("fetch.col_message"): [i[2] for i in outcome.items],
        t("fetch.col_url"): [i[3] for i in outcome.items],
    }), hide_index=True, key="fetch_results")


def _upload() -> None:
    st.caption(t("upload.limits", mb=f"{max_file_bytes() / 1048576:g}", folder=str(uploads.upload_dir())))
    with st.form("upload_form", clear_on_submit=True):
        files = st.file_uploader(t("upload.files"), type=uploads.UPLOAD_TYPES, accept_multiple_files=True,
                                 key="upload_files")
        submitted = st.form_submit_button(t("upload.submit"), type="primary")
    if submitted:
        if not files:
            st.warning(t("upload.none"))
        else:
            bar = st.progress(0.0, text=t("upload.running"))
            received = [(f.name, f.getvalue()) for f in files]
            st.session_state[RESULT_KEY] = uploads.store_uploads(
                received, progress=lambda fraction, text: bar.progress(fraction, text=text))
            st.rerun()  # the sidebar and every page read the swapped database from the next run on
    _show_result()
    _fetch()
    if st.button(t("upload.logout"), key="admin_logout"):
        access.log_out()
        st.rerun()


with guarded():
    st.title(t("page.upload"))
    if not access.upload_enabled():
        st.info("未配置管理员密码，导入功能未开放。")
    elif not access.logged_in():
        _login()
    else:
        st.markdown(t("upload.intro"))
        _upload()
