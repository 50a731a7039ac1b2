-- Administrative review and litigation outcomes (表四), by year, with correction rates and their counts.
-- Grain: one row per year × case type (review = 行政复议; suit = 行政诉讼, 未经复议直接起诉 + 复议后起诉).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, case_type, case_label, upheld, corrected, other, pending, total, correction_rate.
-- Comparable across formats: 表四 is the same in both.
-- correction_rate = 结果纠正 / 总计 (总计 includes 尚未审结), summed over reports first; NULL when 总计 is 0.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, t4_review_upheld, t4_review_corrected, t4_review_other, t4_review_pending, t4_review_total,
           suit_upheld, suit_corrected, suit_other, suit_pending, suit_total
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
sums AS (
    SELECT
        year,
        sum(t4_review_upheld) AS review_upheld,
        sum(t4_review_corrected) AS review_corrected,
        sum(t4_review_other) AS review_other,
        sum(t4_review_pending) AS review_pending,
        sum(t4_review_total) AS review_total,
        sum(suit_upheld) AS suit_upheld,
        sum(suit_corrected) AS suit_corrected,
        sum(suit_other) AS suit_other,
        sum(suit_pending) AS suit_pending,
        sum(suit_total) AS suit_total
    FROM scope
    GROUP BY year
),
by_case AS (
    SELECT year, 'review' AS case_type, '行政复议' AS case_label, 1 AS position,
           review_upheld AS upheld, review_corrected AS corrected, review_other AS other,
           review_pending AS pending, review_total AS total
    FROM sums
    UNION ALL
    SELECT year, 'suit', '行政诉讼', 2,
           suit_upheld, suit_corrected, suit_other, suit_pending, suit_total
    FROM sums
)
SELECT
    year, case_type, case_label, upheld, corrected, other, pending, total,
    corrected / nullif(total, 0) AS correction_rate
FROM by_case
ORDER BY year, position
