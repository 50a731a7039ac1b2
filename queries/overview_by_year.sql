-- 总览 KPIs by year: reports, agencies, requests, 公开率, review and litigation with correction rates, findings.
-- Grain: one row per year with at least one report inside the filters.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, reports, agencies, demo_reports, new_received, disclosed, handled, disclosure_rate,
--   review_total, review_corrected, review_correction_rate, suit_total, suit_corrected, suit_correction_rate,
--   errors, warnings.
-- 公开率 = (予以公开 + 部分公开) / （七）总计, over reports printing all three; 纠错率 = 结果纠正 / 总计 (表四);
-- errors / warnings count the findings of those reports (cross-year findings included, missing_year not).
-- Comparable across formats: all of these.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, agency_id, is_demo, t3_new_received_total, disclosed, handled,
           t4_review_total, t4_review_corrected, suit_total, suit_corrected, errors, warnings
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
by_year AS (
    SELECT
        s.year,
        count(*) AS reports,
        count(*) AS agencies,  -- one report per agency and year (UNIQUE), so no DISTINCT is needed
        count(*) FILTER (WHERE s.is_demo) AS demo_reports,
        sum(s.t3_new_received_total) AS new_received,
        sum(s.disclosed) FILTER (WHERE s.handled IS NOT NULL) AS disclosed,
        sum(s.handled) FILTER (WHERE s.disclosed IS NOT NULL) AS handled,
        sum(s.t4_review_total) AS review_total,
        sum(s.t4_review_corrected) AS review_corrected,
        sum(s.suit_total) AS suit_total,
        sum(s.suit_corrected) AS suit_corrected,
        sum(s.errors)::INTEGER AS errors,
        sum(s.warnings)::INTEGER AS warnings
    FROM scope s
    GROUP BY s.year
)
SELECT
    year, reports, agencies, demo_reports, new_received, disclosed, handled,
    disclosed / nullif(handled, 0) AS disclosure_rate,
    review_total, review_corrected, review_corrected / nullif(review_total, 0) AS review_correction_rate,
    suit_total, suit_corrected, suit_corrected / nullif(suit_total, 0) AS suit_correction_rate,
    errors, warnings
FROM by_year
ORDER BY year
