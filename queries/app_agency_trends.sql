-- Each agency's series (small multiples on 单位对比): requests received and 公开率 by year.
-- Grain: one row per agency × year with a report inside the filters.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, year, new_received, handled, disclosure_rate.
-- Comparable across formats: all columns.
SELECT
    agency_id, agency, year,
    t3_new_received_total AS new_received,
    t3_total_total AS handled,
    disclosure_rate
FROM report_metrics
    WHERE ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
      AND ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
ORDER BY agency, year
