-- Findings counted by agency and severity (数据质量 page): the $top agencies with the most findings.
-- Grain: one row per agency × severity, for the $top agencies (NULL = all) with the most findings.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $top.
-- Output: agency_id, agency, severity, findings, agency_findings.
-- Same scope as findings_list.sql.
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
),
by_agency AS (
    SELECT agency_id, agency, severity, count(*) AS findings
    FROM scoped
    GROUP BY agency_id, agency, severity
),
ranked AS (
    SELECT agency_id, sum(findings) AS agency_findings
    FROM by_agency
    GROUP BY agency_id
    ORDER BY agency_findings DESC, agency_id
    LIMIT $top
)
SELECT b.agency_id, b.agency, b.severity, b.findings, r.agency_findings
FROM by_agency b
JOIN ranked r USING (agency_id)
ORDER BY r.agency_findings DESC, b.agency, b.severity
