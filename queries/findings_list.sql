-- Findings: every rule a report or an agency's series breaks, for the 数据质量 page.
-- Grain: one row per finding (a missing_year finding has no report: report_id and source_file are NULL).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $rule, $severity ('error' | 'warning').
-- Output: finding_id, province, city, county, agency_id, agency, year, rule, severity, message, source,
--   table, row, column, report_id, source_file, is_demo.
WITH agency_region AS (
    SELECT
        a.agency_id, a.name AS agency, a.kind, g.province, g.city, g.county,
        -- an agency is demo data when its reports are (a missing year has no report of its own)
        coalesce((SELECT bool_or(r.is_demo) FROM reports r WHERE r.agency_id = a.agency_id), false) AS agency_is_demo
    FROM agencies a
    LEFT JOIN regions g ON g.adcode = a.adcode
),
scoped_findings AS (
    SELECT
        f.finding_id, ar.province, ar.city, ar.county, f.agency_id, ar.agency, f.year, f.rule,
        f.severity::VARCHAR AS severity, f.message, f.source::VARCHAR AS source,
        f."table", f."row", f."column", f.report_id, r.source_file,
        coalesce(r.is_demo, ar.agency_is_demo) AS is_demo
    FROM findings f
    JOIN agency_region ar USING (agency_id)
    LEFT JOIN reports r USING (report_id)
    WHERE ($year_from IS NULL OR f.year >= $year_from)
      AND ($year_to IS NULL OR f.year <= $year_to)
      AND ($province IS NULL OR ar.province = $province)
      AND ($city IS NULL OR ar.city = $city)
      AND ($county IS NULL OR ar.county = $county)
      AND ($kind IS NULL OR ar.kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, ar.agency))
      AND ($rule IS NULL OR f.rule = $rule)
      AND ($severity IS NULL OR f.severity::VARCHAR = $severity)
)
SELECT *
FROM scoped_findings
WHERE coalesce($include_demo, true) OR NOT is_demo
ORDER BY province, city, county, agency, year, severity, rule, finding_id
