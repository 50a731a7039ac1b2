-- Findings: every rule a report or an agency's series breaks, for the 数据质量 page.
-- Grain: one row per finding (a missing_year finding has no report: report_id and source_file are NULL);
--   the first $limit (NULL = 1000) in region, agency and year order.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $rule, $severity ('error' | 'warning'), $limit.
-- Output: finding_id, province, city, county, agency_id, agency, year, rule, severity, message, source,
--   table, row, column, report_id, source_file, is_demo.
WITH demo_agencies AS (
    -- demo data is generated per agency: an agency with a 模拟数据 report is a demo agency
    SELECT DISTINCT agency_id FROM reports WHERE is_demo
),
scoped_findings AS (
    SELECT
        f.finding_id, g.province, g.city, g.county, f.agency_id, a.name AS agency, f.year, f.rule,
        f.severity::VARCHAR AS severity, f.message, f.source::VARCHAR AS source,
        f."table", f."row", f."column", f.report_id
    FROM findings f
    JOIN agencies a USING (agency_id)
    LEFT JOIN regions g ON g.adcode = a.adcode
    WHERE ($year_from IS NULL OR f.year >= $year_from)
      AND ($year_to IS NULL OR f.year <= $year_to)
      AND ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND ($kind IS NULL OR a.kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, a.name))
      AND ($rule IS NULL OR f.rule = $rule)
      AND ($severity IS NULL OR f.severity::VARCHAR = $severity)
      AND (coalesce($include_demo, true) OR f.agency_id NOT IN (SELECT agency_id FROM demo_agencies))
),
first_findings AS (
    SELECT *
    FROM scoped_findings
    ORDER BY province, city, county, agency, year, severity, rule, finding_id
    LIMIT coalesce($limit, 1000)
)
-- the report's file and demo flag are looked up for the rows shown only
SELECT
    ff.*, r.source_file,
    coalesce(r.is_demo, ff.agency_id IN (SELECT agency_id FROM demo_agencies)) AS is_demo
FROM first_findings ff
LEFT JOIN reports r USING (report_id)
ORDER BY ff.province, ff.city, ff.county, ff.agency, ff.year, ff.severity, ff.rule, ff.finding_id
