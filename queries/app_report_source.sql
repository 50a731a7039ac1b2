-- One report's provenance for 报告详情: agency, region, template, the source file and when it was ingested.
-- Grain: one row (none when the report does not exist).
-- Parameters: $report_id (required).
-- Output: report_id, agency_id, agency, agency_printed, kind, province, city, county, year, template,
--   source_file, format, sha256, ingested_at, is_demo.
SELECT
    r.report_id, r.agency_id, a.name AS agency, r.agency_printed, a.kind::VARCHAR AS kind,
    g.province, g.city, g.county, r.year, r.template::VARCHAR AS template,
    r.source_file, r.format, r.sha256, r.ingested_at, r.is_demo
FROM reports r
JOIN agencies a USING (agency_id)
LEFT JOIN regions g ON g.adcode = a.adcode
WHERE r.report_id = $report_id
