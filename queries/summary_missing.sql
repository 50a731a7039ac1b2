-- 汇总 (combined tables): agencies of the region that have reports for other years but none for $year — their
-- figures are not in the sums, and a reader of the 汇总表 must be told.
-- Grain: one row per agency of the region with no report for $year and a report for some other year.
-- Parameters: $year (required); $province, $city, $county (the region's levels, NULL = any),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, county, first_year, last_year (of its reports).
WITH in_region AS (
    SELECT r.agency_id, a.name AS agency, g.county, r.year
    FROM reports r
    JOIN agencies a USING (agency_id)
    JOIN regions g ON g.adcode = a.adcode
    WHERE ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND (coalesce($include_demo, true) OR NOT r.is_demo)
),
per_agency AS (
    SELECT agency_id, agency, county, min(year) AS first_year, max(year) AS last_year,
           bool_or(year = $year) AS reported
    FROM in_region
    GROUP BY agency_id, agency, county
)
SELECT agency_id, agency, county, first_year::INTEGER AS first_year, last_year::INTEGER AS last_year
FROM per_agency
WHERE NOT reported
ORDER BY county NULLS FIRST, agency
