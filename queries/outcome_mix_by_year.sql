-- Outcome mix of the requests handled, by year: the groups of 表三 三、本年度办理结果 (without （七）总计).
-- Grain: one row per year × outcome group (a group with nothing printed that year is left out).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, outcome_key, outcome, position, requests, share.
-- Comparable across formats: the groups are. （六）其他处理 is the one 2019 row or the sum of the three 2021 rows
-- (t3_other_combined_total); （三）（四）（五） are the sums of their numbered rows (the template prints no subtotal).
-- share = requests / the sum of all groups that year (the shares of a year add up to 1).
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, t3_granted_total, t3_partial_total, denied_total, unable_total, refused_total,
           t3_other_combined_total
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
-- Summing per year first keeps the work proportional to years, not to reports × groups.
sums AS (
    SELECT
        year,
        sum(t3_granted_total) AS granted,
        sum(t3_partial_total) AS partial,
        sum(denied_total) AS denied,
        sum(unable_total) AS unable,
        sum(refused_total) AS refused,
        sum(t3_other_combined_total) AS other
    FROM scope
    GROUP BY year
),
cells AS (
    UNPIVOT sums ON granted, partial, denied, unable, refused, other INTO NAME outcome_key VALUE requests
),
outcome_label (outcome_key, outcome, position) AS (
    VALUES ('granted', '予以公开', 1), ('partial', '部分公开', 2), ('denied', '不予公开', 3),
           ('unable', '无法提供', 4), ('refused', '不予处理', 5), ('other', '其他处理', 6)
)
SELECT
    c.year, c.outcome_key, l.outcome, l.position, c.requests,
    c.requests / nullif(sum(c.requests) OVER (PARTITION BY c.year), 0) AS share
FROM cells c
JOIN outcome_label l USING (outcome_key)
ORDER BY c.year, l.position
