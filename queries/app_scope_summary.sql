-- What the current filters select (dashboard: the 模拟数据 badge, "nothing matches" messages).
-- Grain: one row.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: reports, agencies, demo_reports, first_year, last_year.
WITH scope AS (
    SELECT agency_id, year, is_demo
    FROM report_wide
    WHERE ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
      AND ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
)
SELECT
    count(*) AS reports,
    count(DISTINCT agency_id) AS agencies,
    count(*) FILTER (WHERE is_demo) AS demo_reports,
    min(year) AS first_year,
    max(year) AS last_year
FROM scope
