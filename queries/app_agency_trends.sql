-- Each agency's series (small multiples on 单位对比): requests received and 公开率 by year, for the $limit
-- agencies (NULL = 24) that received the most requests over the years inside the filters.
-- Grain: one row per agency × year with a report inside the filters, for those agencies.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $limit.
-- Output: agency_id, agency, year, new_received, handled, disclosure_rate, agency_new_received.
-- Comparable across formats: all columns.
WITH scope AS (
    SELECT agency_id, agency, year, t3_new_received_total, t3_total_total, disclosure_rate
    FROM report_wide
    WHERE ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
      AND ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
),
busiest AS (
    SELECT agency_id, sum(t3_new_received_total) AS agency_new_received
    FROM scope
    GROUP BY agency_id
    ORDER BY agency_new_received DESC NULLS LAST, agency_id
    LIMIT coalesce($limit, 24)
)
SELECT
    s.agency_id, s.agency, s.year,
    s.t3_new_received_total AS new_received,
    s.t3_total_total AS handled,
    s.disclosure_rate,
    b.agency_new_received
FROM scope s
JOIN busiest b USING (agency_id)
ORDER BY b.agency_new_received DESC NULLS LAST, s.agency, s.year
