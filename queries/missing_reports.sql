-- Missing-report matrix: for each agency inside the filters, which years of the range have a report.
-- Grain: one row per agency × year of the range ($year_from..$year_to; NULL ends = the first/last year
--   any report inside the region filters has), for the first $limit agencies in region and name order
--   (NULL = 200: a matrix is read for a district, not for the country).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, province, city, county, year, has_report, report_id, template.
WITH agencies_in_scope AS (
    SELECT DISTINCT agency_id, agency, province, city, county
    FROM report_wide
    WHERE ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
    ORDER BY province, city, county, agency
    LIMIT coalesce($limit, 200)
),
year_range AS (
    SELECT
        coalesce($year_from, min(w.year)) AS first_year,
        coalesce($year_to, max(w.year)) AS last_year
    FROM report_wide w
    WHERE w.agency_id IN (SELECT agency_id FROM agencies_in_scope)
),
years AS (
    SELECT unnest(range(first_year, last_year + 1)) AS year
    FROM year_range
)
SELECT
    a.agency_id, a.agency, a.province, a.city, a.county, y.year,
    w.report_id IS NOT NULL AS has_report,
    w.report_id,
    w.template::VARCHAR AS template
FROM agencies_in_scope a
CROSS JOIN years y
LEFT JOIN report_wide w ON w.agency_id = a.agency_id AND w.year = y.year
ORDER BY a.province, a.city, a.county, a.agency, y.year
