-- The agencies the filter bar offers inside the chosen region (and kind), or checks a URL's agency names.
-- Grain: one row per agency with at least one report; at most $limit rows (a national list has ~100,000).
-- Parameters (NULL = no filter): $province, $city, $county, $kind, $agencies (VARCHAR[]: only these names),
--   $limit (NULL = all).
-- Output: agency_id, agency, kind, province, city, county, reports, first_year, last_year.
SELECT
    agency_id, agency, kind::VARCHAR AS kind, province, city, county,
    count(*) AS reports, min(year) AS first_year, max(year) AS last_year
FROM report_wide
WHERE ($province IS NULL OR province = $province)
  AND ($city IS NULL OR city = $city)
  AND ($county IS NULL OR county = $county)
  AND ($kind IS NULL OR kind::VARCHAR = $kind)
  AND ($agencies IS NULL OR list_contains($agencies, agency))
GROUP BY agency_id, agency, kind, province, city, county
ORDER BY province, city, county NULLS FIRST, agency
LIMIT $limit
