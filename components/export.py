"""Download buttons under every chart and table: exactly the dataframe drawn, as CSV and as XLSX.

CSV is UTF-8 with a BOM so that Excel on a Chinese Windows opens the characters correctly. The XLSX holds
the data on its first sheet and, on a second sheet (说明), the filters, the query, the data source and the
time of export, so a file passed around by e-mail still says what it shows.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import pandas as pd
import streamlit as st

from components import db
from components.filters import Filters
from components.i18n import t


# A text cell starting with one of these is a formula to Excel (=HYPERLINK(…) in an agency name would become a
# live link, =cmd|… worse). Numbers are not text cells, so a negative change stays a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for Excel: text that Excel would evaluate gets a leading apostrophe (shown as text, not computed)."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if _is_formula_like(v) else v)
    return out.to_csv(index=False).encode("utf-8-sig")


def about_rows(filters: Filters | None, query: str, demo: bool, now: datetime | None = None) -> list[tuple[str, str]]:
    now = now or datetime.now()
    rows = [(t("export.query"), query), (t("export.source"), db.db_path().name)]
    rows += [(f"{t('export.filters')}：{label}", value) for label, value in (filters.describe() if filters else [])]
    rows += [(t("export.demo"), t("yes") if demo else t("no")), (t("export.time"), now.strftime("%Y-%m-%d %H:%M:%S"))]
    return rows


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """openpyxl cannot write lists or timezone-aware times; a list of messages becomes one line of text."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, (list, tuple))).any():
            out[col] = out[col].map(lambda v: "；".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        elif isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def _text_not_formulas(sheet) -> None:
    """openpyxl stores any string starting with "=" as a formula; names from report files are text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def xlsx_bytes(df: pd.DataFrame, about: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _excel_safe(df).to_excel(writer, sheet_name=t("export.sheet_data"), index=False)
        _text_not_formulas(writer.sheets[t("export.sheet_data")])
        pd.DataFrame(about, columns=[t("export.item"), t("export.value")]).to_excel(
            writer, sheet_name=t("export.sheet_about"), index=False
        )
    return buffer.getvalue()


def _file_stem(name: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name).strip("_") or "gongkai"


def export_buttons(df: pd.DataFrame, *, name: str, query: str, filters: Filters | None, demo: bool, key: str) -> None:
    """Two download buttons for `df`. The XLSX is built only when clicked (a callable `data`), so a page with
    ten charts does not pay for ten workbooks on every rerun."""
    stem = _file_stem(name)
    about = about_rows(filters, query, demo)
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        t("export.csv"), data=lambda: csv_bytes(df), file_name=f"{stem}.csv", mime="text/csv",
        key=f"csv_{key}", on_click="ignore", icon=":material/download:",
    )
    row.download_button(
        t("export.xlsx"), data=lambda: xlsx_bytes(df, about), file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}", on_click="ignore", icon=":material/download:",
    )
