-- 汇总 (combined tables): the errors the parser's rules found in the reports being summed, so that a rule
-- the sums break can name the reports that break it.
-- Grain: one row per error finding (source 'parse': the template's arithmetic, missing tables and rows) of a
--   report of $year in the region.
-- Parameters: $year (required); $province, $city, $county (the region's levels, NULL = any),
--   $include_demo (NULL = true).
-- Output: report_id, agency, rule, table, row, column, message.
WITH scope AS (
    -- the same reports as summary_reports.sql
    SELECT r.report_id, a.name AS agency
    FROM reports r
    JOIN agencies a USING (agency_id)
    JOIN regions g ON g.adcode = a.adcode
    WHERE r.year = $year
      AND ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND (coalesce($include_demo, true) OR NOT r.is_demo)
),
errors AS (
    SELECT f.report_id, s.agency, f.rule, f."table", f."row", f."column", f.message, f.finding_id
    FROM findings f
    JOIN scope s USING (report_id)
    WHERE f.severity = 'error' AND f.source = 'parse'
)
SELECT report_id, agency, rule, "table", "row", "column", message
FROM errors
ORDER BY agency, rule, finding_id
