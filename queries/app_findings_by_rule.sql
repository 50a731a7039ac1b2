-- Findings counted by rule and severity (数据质量 page), aggregated in SQL so a national scope stays fast.
-- Grain: one row per rule × severity with at least one finding inside the filters.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true; when false, findings without a report are left out too).
-- Output: rule, severity, findings.
-- Same scope as findings_list.sql (the finding's year, the agency's region).
WITH agency_region AS (
    SELECT a.agency_id, a.name AS agency, a.kind, g.province, g.city, g.county
    FROM agencies a
    LEFT JOIN regions g ON g.adcode = a.adcode
),
scoped AS (
    SELECT f.rule, f.severity::VARCHAR AS severity, f.agency_id, ar.agency
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
      -- a finding without a report (missing_year) follows its agency: kept unless demo data is excluded
      AND (coalesce($include_demo, true) OR NOT coalesce(r.is_demo, true))
)
SELECT rule, severity, count(*) AS findings
FROM scoped
GROUP BY rule, severity
ORDER BY findings DESC, rule, severity
