-- 汇总 (combined tables): the reports of one region and year that the sums add up.
-- Grain: one row per report of $year whose agency lies in the region (an agency of unknown region is in none).
-- Parameters: $year (required); $province, $city, $county (the region's levels, NULL = any; a province or
--   city includes every agency inside it), $include_demo (NULL = true).
-- Output: report_id, agency_id, agency, kind, county, template (the report's format; an unrecognised one
--   is taken as the format in force that year), is_demo, source_file.
WITH scope AS (
    SELECT r.report_id, r.agency_id, a.name AS agency, a.kind::VARCHAR AS kind, g.county,
           coalesce(r.template::VARCHAR, CASE WHEN r.year >= 2021 THEN '2021' ELSE '2019' END) AS template,
           r.is_demo, r.source_file
    FROM reports r
    JOIN agencies a USING (agency_id)
    JOIN regions g ON g.adcode = a.adcode
    WHERE r.year = $year
      AND ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND (coalesce($include_demo, true) OR NOT r.is_demo)
)
SELECT report_id, agency_id, agency, kind, county, template, is_demo, source_file
FROM scope
ORDER BY county NULLS FIRST, agency, report_id
