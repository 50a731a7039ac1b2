"""导入 (admin only): log in with the admin password, upload report files, see what was stored and what failed.

app.py lists this page only when a password is configured; the login is checked here again, so reaching
the script some other way changes nothing. Everything from the uploaded files (names, messages) is shown in
a dataframe, i.e. as text."""

import pandas as pd
import streamlit as st

from components import access, uploads
from components.i18n import t
from components.page import guarded
from gongkai.parser import max_file_bytes

RESULT_KEY = "_upload_result"


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
