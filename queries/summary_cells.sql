-- 汇总 (combined tables): every figure of the template summed over the reports of one region and year, per
-- format, reading the long `figures` table (report_wide cannot tell a blank cell from one not printed).
-- Grain: one row per format × figure key printed by at least one report in scope, plus row
--   'other_combined' of 表三: （六）其他处理 as one figure (the one printed row, or the three 2021 rows added).
-- Parameters: $year (required); $province, $city, $county (the region's levels, NULL = any),
--   $include_demo (NULL = true).
-- Output: template, table, row, column, printed (reports printing the cell, blank or not), numbers (reports
--   printing a number in it), total (the sum of those numbers, NULL when none: a blank is never 0).
-- gongkai.summary turns these into sums marked complete or not (reports in scope − numbers = not filled in).
WITH scope AS (
    -- the same reports as summary_reports.sql
    SELECT r.report_id,
           coalesce(r.template::VARCHAR, CASE WHEN r.year >= 2021 THEN '2021' ELSE '2019' END) AS template
    FROM reports r
    JOIN agencies a USING (agency_id)
    JOIN regions g ON g.adcode = a.adcode
    WHERE r.year = $year
      AND ($province IS NULL OR g.province = $province)
      AND ($city IS NULL OR g.city = $city)
      AND ($county IS NULL OR g.county = $county)
      AND (coalesce($include_demo, true) OR NOT r.is_demo)
),
cells AS (
    SELECT s.template, f.report_id, f."table"::VARCHAR AS "table", f."row"::VARCHAR AS "row",
           f."column"::VARCHAR AS "column", f.value
    FROM figures f
    JOIN scope s USING (report_id)
),
per_figure AS (
    SELECT template, "table", "row", "column",
           count(*) AS printed, count(value) AS numbers, sum(value) AS total
    FROM cells
    GROUP BY template, "table", "row", "column"
),
-- （六）其他处理 per report and column: its one printed row, else its 2021 rows added. It counts as a number
-- only when the one row, or all three rows, hold numbers; otherwise what is printed is a lower bound.
other_per_report AS (
    SELECT template, report_id, "column",
           coalesce(max(value) FILTER (WHERE "row" = 'other'),
                    sum(value) FILTER (WHERE "row" <> 'other')) AS known,
           CASE WHEN count(*) FILTER (WHERE "row" = 'other') > 0
                THEN count(value) FILTER (WHERE "row" = 'other') = 1
                ELSE count(value) FILTER (WHERE "row" <> 'other') = 3 END AS complete
    FROM cells
    WHERE "table" = 't3' AND "row" IN ('other', 'other_no_correction', 'other_fee_unpaid', 'other_other')
    GROUP BY template, report_id, "column"
),
other_combined AS (
    SELECT template, 't3' AS "table", 'other_combined' AS "row", "column",
           count(*) AS printed, count(*) FILTER (WHERE complete) AS numbers, sum(known) AS total
    FROM other_per_report
    GROUP BY template, "column"
)
SELECT template, "table", "row", "column", printed, numbers, total FROM per_figure
UNION ALL
SELECT template, "table", "row", "column", printed, numbers, total FROM other_combined
ORDER BY template, "table", "row", "column"
