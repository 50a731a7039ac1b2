-- The reports of the agencies inside the filters (drill-down from an agency to its reports).
-- Grain: one row per report (at most $limit, NULL = 1000, in region and agency order).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: report_id, agency_id, agency, province, city, county, year, template, source_file, format, sha256,
--   ingested_at, is_demo, errors, warnings.
WITH scope AS (
    SELECT report_id, agency_id, agency, province, city, county, year, template, source_file, is_demo,
           errors, warnings
    FROM report_wide
    WHERE ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
      AND ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
    ORDER BY province, city, county, agency, year
    LIMIT coalesce($limit, 1000)
)
SELECT
    s.report_id, s.agency_id, s.agency, s.province, s.city, s.county, s.year, s.template::VARCHAR AS template,
    s.source_file, r.format, r.sha256, r.ingested_at, s.is_demo, s.errors, s.warnings
FROM scope s
JOIN reports r USING (report_id)
ORDER BY s.province, s.city, s.county, s.agency, s.year
