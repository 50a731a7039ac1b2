-- Districts side by side (map-free): one row per county (or per city for city-level agencies) over the years.
-- Grain: one row per province × city × county inside the filters (county NULL = city- or province-level bodies).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: province, city, county, reports, agencies, new_received, disclosed, handled, disclosure_rate,
--   review_total, review_corrected, suit_total, suit_corrected.
-- 公开率 = (予以公开 + 部分公开) / （七）总计 over reports printing all three. Comparable across formats: all.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT adcode, agency_id, t3_new_received_total, disclosed, handled,
           t4_review_total, t4_review_corrected, suit_total, suit_corrected
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
-- Grouped by adcode first: one short key instead of three names (at national scale the grouping is most of
-- the cost), then named. An agency has one adcode, so agencies per adcode add up per district.
by_adcode AS (
    SELECT
        adcode,
        count(*) AS reports,
        count(DISTINCT agency_id) AS agencies,
        sum(t3_new_received_total) AS new_received,
        sum(disclosed) FILTER (WHERE handled IS NOT NULL) AS disclosed,
        sum(handled) FILTER (WHERE disclosed IS NOT NULL) AS handled,
        sum(t4_review_total) AS review_total,
        sum(t4_review_corrected) AS review_corrected,
        sum(suit_total) AS suit_total,
        sum(suit_corrected) AS suit_corrected
    FROM scope
    GROUP BY adcode
),
by_district AS (
    SELECT
        g.province, g.city, g.county,
        sum(reports) AS reports,
        sum(agencies) AS agencies,
        sum(new_received) AS new_received,
        sum(disclosed) AS disclosed,
        sum(handled) AS handled,
        sum(review_total) AS review_total,
        sum(review_corrected) AS review_corrected,
        sum(suit_total) AS suit_total,
        sum(suit_corrected) AS suit_corrected
    FROM by_adcode a
    LEFT JOIN regions g USING (adcode)
    GROUP BY g.province, g.city, g.county
)
SELECT
    province, city, county, reports, agencies, new_received, disclosed, handled,
    disclosed / nullif(handled, 0) AS disclosure_rate,
    review_total, review_corrected, suit_total, suit_corrected
FROM by_district
ORDER BY new_received DESC NULLS LAST, province, city, county NULLS FIRST
