-- The facts the assessment (gongkai.assess) scores: every agency-year that should have a report, with what it has.
-- Grain: one row per agency × expected year. An agency is expected to report every year from its first report
--   to the last year any agency of its area (its city, or its province for a provincial agency) reported; a
--   year without a report is a row with report_id NULL. Only years in $year_from..$year_to are returned.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, kind, province, city, county, year, is_demo, report_id, template, published_on,
--   first_year, narrative, prev_year, prev_narrative, findings (LIST of STRUCT(rule, severity, message)).
WITH scope AS (
    SELECT report_id, agency_id, agency, kind::VARCHAR AS kind, province, city, county, year,
           template::VARCHAR AS template, is_demo
    FROM report_wide
    WHERE ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
),
agency_span AS (
    SELECT agency_id, any_value(agency) AS agency, any_value(kind) AS kind, any_value(province) AS province,
           any_value(city) AS city, any_value(county) AS county, bool_or(is_demo) AS is_demo,
           min(year) AS first_year
    FROM scope
    GROUP BY agency_id
),
area_last AS (
    SELECT province, coalesce(city, '') AS area, max(year) AS last_year
    FROM scope
    GROUP BY ALL
),
expected AS (
    SELECT s.*, unnest(range(s.first_year, l.last_year + 1)) AS year
    FROM agency_span s
    JOIN area_last l ON l.province IS NOT DISTINCT FROM s.province AND l.area = coalesce(s.city, '')
),
chained AS (
    -- each report with the agency's previous report (the latest earlier year it has)
    SELECT report_id, agency_id, year, template, is_demo,
           lag(report_id) OVER (PARTITION BY agency_id ORDER BY year) AS prev_report_id,
           lag(year) OVER (PARTITION BY agency_id ORDER BY year) AS prev_year
    FROM scope
),
chosen AS (
    SELECT e.agency_id, e.agency, e.kind, e.province, e.city, e.county, e.year, e.is_demo, e.first_year,
           c.report_id, c.template, c.prev_report_id, c.prev_year
    FROM expected e
    LEFT JOIN chained c ON c.agency_id = e.agency_id AND c.year = e.year
    WHERE ($year_from IS NULL OR e.year >= $year_from)
      AND ($year_to IS NULL OR e.year <= $year_to)
),
report_findings AS (
    SELECT report_id,
           list({'rule': rule, 'severity': severity::VARCHAR, 'message': message} ORDER BY finding_id) AS findings
    FROM findings
    WHERE report_id IN (SELECT report_id FROM chosen)
    GROUP BY report_id
)
SELECT
    c.agency_id, c.agency, c.kind, c.province, c.city, c.county, c.year::INTEGER AS year, c.is_demo,
    c.report_id, c.template, r.published_on, c.first_year::INTEGER AS first_year,
    t.narrative, c.prev_year::INTEGER AS prev_year, pt.narrative AS prev_narrative,
    coalesce(f.findings, []) AS findings
FROM chosen c
LEFT JOIN reports r ON r.report_id = c.report_id
LEFT JOIN report_texts t ON t.report_id = c.report_id
LEFT JOIN report_texts pt ON pt.report_id = c.prev_report_id
LEFT JOIN report_findings f ON f.report_id = c.report_id
ORDER BY c.province, c.city NULLS FIRST, c.county NULLS FIRST, c.agency, c.year
