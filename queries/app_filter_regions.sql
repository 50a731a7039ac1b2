-- The 省/市/县 the filter bar offers: every region some report belongs to.
-- Grain: one row per province × city × county (county NULL = city- or province-level bodies).
-- Parameters: none.
-- Output: province, city, county, reports.
SELECT province, city, county, count(*) AS reports
FROM report_wide
WHERE province IS NOT NULL
GROUP BY province, city, county
ORDER BY province, city NULLS FIRST, county NULLS FIRST
