-- 汇总 (combined tables): the years a region has reports for (what the 汇总 page and `gongkai summary` offer).
-- Grain: one row per year with at least one report of an agency in the region.
-- Parameters: $province, $city, $county (the region's levels, NULL = any), $include_demo (NULL = true).
-- Output: year, reports, reports_2019_format, reports_2021_format.
WITH scope AS (
    SELECT r.year, coalesce(r.template::VARCHAR, CASE WHEN r.year >= 2021 THEN '2021' ELSE '2019' END) AS template
    FROM reports r
    JOIN agencies a USING (agency_id)
    JOIN regions g ON g.adcode = a.adcode
    WHERE ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND (coalesce($include_demo, true) OR NOT r.is_demo)
),
by_year AS (
    SELECT year::INTEGER AS year, count(*) AS reports,
           count(*) FILTER (WHERE template = '2019') AS reports_2019_format,
           count(*) FILTER (WHERE template = '2021') AS reports_2021_format
    FROM scope
    GROUP BY year
)
SELECT year, reports, reports_2019_format, reports_2021_format
FROM by_year
ORDER BY year
