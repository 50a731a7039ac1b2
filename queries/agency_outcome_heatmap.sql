-- Agency × outcome share: how each agency's handled requests split over the outcome groups of 表三.
-- Grain: one row per agency × outcome group with a printed value, summed over the years inside the filters;
--   the $limit agencies with most requests handled (NULL = 50: a heatmap row per agency must stay readable).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: agency_id, agency, outcome_key, outcome, position, requests, share.
-- Parameter: $limit (see Grain).
-- share = requests / the sum of the agency's groups (an agency's row adds up to 1).
-- Comparable across formats: yes; （六）其他处理 is the 2019 row or the sum of the three 2021 rows.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT agency_id, agency, t3_granted_total, t3_partial_total, denied_total, unable_total, refused_total,
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
sums AS (
    SELECT
        agency_id,
        any_value(agency) AS agency,
        sum(t3_granted_total) AS granted,
        sum(t3_partial_total) AS partial,
        sum(denied_total) AS denied,
        sum(unable_total) AS unable,
        sum(refused_total) AS refused,
        sum(t3_other_combined_total) AS other
    FROM scope
    GROUP BY agency_id
    ORDER BY list_sum([granted, partial, denied, unable, refused, other]) DESC NULLS LAST, agency
    LIMIT coalesce($limit, 50)
),
cells AS (
    UNPIVOT sums ON granted, partial, denied, unable, refused, other INTO NAME outcome_key VALUE requests
),
outcome_label (outcome_key, outcome, position) AS (
    VALUES ('granted', '予以公开', 1), ('partial', '部分公开', 2), ('denied', '不予公开', 3),
           ('unable', '无法提供', 4), ('refused', '不予处理', 5), ('other', '其他处理', 6)
)
SELECT
    c.agency_id, c.agency, c.outcome_key, l.outcome, l.position, c.requests,
    c.requests / nullif(sum(c.requests) OVER (PARTITION BY c.agency_id), 0) AS share
FROM cells c
JOIN outcome_label l USING (outcome_key)
ORDER BY c.agency, l.position
