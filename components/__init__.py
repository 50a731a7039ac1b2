"""Reusable parts of the Streamlit dashboard (app.py, app_pages/): data access, filters, charts, export, i18n."""
