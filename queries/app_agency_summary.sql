-- Agencies inside the filters over the whole year range (drill-down from a district to its agencies).
-- Grain: one row per agency.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, kind, province, city, county, reports, first_year, last_year, new_received,
--   disclosure_rate, review_total, suit_total, demo_reports.
-- 公开率 = (予以公开 + 部分公开) / （七）总计 over reports printing all three, summed first.
WITH scope AS (
    SELECT *
    FROM report_metrics
    WHERE ($year_from IS NULL OR year >= $year_from)
      AND ($year_to IS NULL OR year <= $year_to)
      AND ($province IS NULL OR province = $province)
      AND ($city IS NULL OR city = $city)
      AND ($county IS NULL OR county = $county)
      AND ($kind IS NULL OR kind::VARCHAR = $kind)
      AND ($agencies IS NULL OR list_contains($agencies, agency))
      AND (coalesce($include_demo, true) OR NOT is_demo)
)
SELECT
    agency_id, agency, kind::VARCHAR AS kind, province, city, county,
    count(*) AS reports, min(year) AS first_year, max(year) AS last_year,
    sum(t3_new_received_total) AS new_received,
    sum(disclosed) FILTER (WHERE handled IS NOT NULL)
        / nullif(sum(handled) FILTER (WHERE disclosed IS NOT NULL), 0) AS disclosure_rate,
    sum(t4_review_total) AS review_total,
    sum(suit_total) AS suit_total,
    count(*) FILTER (WHERE is_demo) AS demo_reports
FROM scope
GROUP BY agency_id, agency, kind, province, city, county
ORDER BY new_received DESC NULLS LAST, agency
