-- The whole database in one row (dashboard: is there anything to show, which years exist).
-- Grain: one row.
-- Parameters: none.
-- Output: reports, agencies, demo_reports, first_year, last_year.
SELECT
    count(*) AS reports,
    count(DISTINCT agency_id) AS agencies,
    count(*) FILTER (WHERE is_demo) AS demo_reports,
    min(year) AS first_year,
    max(year) AS last_year
FROM reports
