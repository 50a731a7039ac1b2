-- Administrative review and litigation (表四) by agency, over the years inside the filters.
-- Grain: one row per agency × case type (review = 行政复议; suit = 行政诉讼, 未经复议直接起诉 + 复议后起诉),
--   for the $top agencies (NULL = all) with the most cases.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $top.
-- Output: agency_id, agency, case_type, case_label, upheld, corrected, other, pending, total, correction_rate.
-- correction_rate = 结果纠正 / 总计 (总计 includes 尚未审结), summed first; NULL when 总计 is 0.
-- Only agencies with at least one case are listed, busiest first. Comparable across formats: 表四 is the same in both.
WITH scope AS NOT MATERIALIZED (  -- read twice: by `busiest`, then for those agencies only
    SELECT agency_id, agency, t4_review_upheld, t4_review_corrected, t4_review_other, t4_review_pending,
           t4_review_total, t4_suit_direct_upheld, t4_suit_after_review_upheld, t4_suit_direct_corrected,
           t4_suit_after_review_corrected, t4_suit_direct_other, t4_suit_after_review_other,
           t4_suit_direct_pending, t4_suit_after_review_pending, t4_suit_direct_total, t4_suit_after_review_total
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
-- The $top agencies with most cases first (one sum per agency: review + both suit totals, blank as no
-- case), then every sum for those only. Grouping by the integer id only keeps a national scope fast.
busiest_ids AS (
    SELECT agency_id,
           sum(coalesce(t4_review_total, 0) + coalesce(t4_suit_direct_total, 0)
               + coalesce(t4_suit_after_review_total, 0)) AS cases
    FROM scope
    GROUP BY agency_id
    HAVING cases > 0
    ORDER BY cases DESC, agency_id
    LIMIT $top
),
by_agency AS (
    SELECT
        agency_id, any_value(agency) AS agency,
        sum(t4_review_upheld) AS review_upheld, sum(t4_review_corrected) AS review_corrected,
        sum(t4_review_other) AS review_other, sum(t4_review_pending) AS review_pending,
        sum(t4_review_total) AS review_total,
        sum(coalesce(t4_suit_direct_upheld, 0) + coalesce(t4_suit_after_review_upheld, 0)) AS suit_upheld,
        sum(coalesce(t4_suit_direct_corrected, 0) + coalesce(t4_suit_after_review_corrected, 0)) AS suit_corrected,
        sum(coalesce(t4_suit_direct_other, 0) + coalesce(t4_suit_after_review_other, 0)) AS suit_other,
        sum(coalesce(t4_suit_direct_pending, 0) + coalesce(t4_suit_after_review_pending, 0)) AS suit_pending,
        sum(coalesce(t4_suit_direct_total, 0) + coalesce(t4_suit_after_review_total, 0)) AS suit_total
    FROM scope
    WHERE agency_id IN (SELECT agency_id FROM busiest_ids)
    GROUP BY agency_id
),
busiest AS (
    SELECT b.*, i.cases
    FROM by_agency b
    JOIN busiest_ids i USING (agency_id)
),
cases AS (
    SELECT agency_id, agency, cases, 'review' AS case_type, '行政复议' AS case_label, 1 AS position,
           review_upheld AS upheld, review_corrected AS corrected, review_other AS other,
           review_pending AS pending, review_total AS total
    FROM busiest
    UNION ALL
    SELECT agency_id, agency, cases, 'suit', '行政诉讼', 2,
           suit_upheld, suit_corrected, suit_other, suit_pending, suit_total
    FROM busiest
)
SELECT
    agency_id, agency, case_type, case_label, upheld, corrected, other, pending, total,
    corrected / nullif(total, 0) AS correction_rate
FROM cases
ORDER BY cases DESC, agency, position
