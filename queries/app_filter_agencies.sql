-- The agencies the filter bar offers inside the chosen region (and kind), or checks a URL's agency names.
-- Grain: one row per agency with at least one report; at most $limit rows (a national list has ~100,000).
-- Parameters (NULL = no filter): $province, $city, $county, $kind, $agencies (VARCHAR[]: only these names),
--   $limit (NULL = all).
-- Output: agency_id, agency, kind, province, city, county.
-- Read from agencies × regions (one row per agency) rather than report_wide (one row per report): a seventh
-- of the rows at national scale.
SELECT a.agency_id, a.name AS agency, a.kind::VARCHAR AS kind, g.province, g.city, g.county
FROM agencies a
LEFT JOIN regions g ON g.adcode = a.adcode
WHERE ($province IS NULL OR g.province = $province)
  AND ($city IS NULL OR g.city = $city)
  AND ($county IS NULL OR g.county = $county)
  AND ($kind IS NULL OR a.kind::VARCHAR = $kind)
  AND ($agencies IS NULL OR list_contains($agencies, a.name))
  AND a.agency_id IN (SELECT agency_id FROM reports)
ORDER BY g.province, g.city, g.county NULLS FIRST, a.name
LIMIT $limit
