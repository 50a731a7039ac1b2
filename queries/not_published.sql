-- Not published: the agencies whose portal column (read by `gongkai fetch`, stored from its manifest at ingest)
-- had no report for a year — the not_published findings, with the column's address.
-- Grain: one row per agency and year; the first $limit (NULL = 1000) in region, agency and year order.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $limit.
-- Output: province, city, county, agency_id, agency, year, column_url.
WITH not_published AS (
    -- the finding keeps the column's address as its `expected` (JSON text)
    SELECT f.agency_id, f.year, json_extract_string(f.expected, '$') AS column_url
    FROM findings f
    WHERE f.rule = 'not_published'
      AND ($year_from IS NULL OR f.year >= $year_from)
      AND ($year_to IS NULL OR f.year <= $year_to)
),
scoped AS (
    SELECT g.province, g.city, g.county, n.agency_id, a.name AS agency, n.year, n.column_url
    FROM not_published n
    JOIN agencies a USING (agency_id)
    LEFT JOIN regions g ON g.adcode = a.adcode
    WHERE ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND ($kind IS NULL OR a.kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, a.name))
)
SELECT province, city, county, agency_id, agency, year, column_url
FROM scoped
ORDER BY province, city, county, agency, year
LIMIT coalesce($limit, 1000)
