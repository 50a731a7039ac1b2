-- Requests received and handled, by year (表三 一、二、（七）、四 and 本年新收 by applicant type).
-- Grain: one row per year with at least one report inside the filters.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, reports, new_received, carried_over, handled, carried_forward, carry_forward_rate,
--   natural_person, commercial, research, social_org, legal_service, other_org.
-- Comparable across the 2019 and 2021 formats: every figure here is printed by both.
-- Sums skip blank cells (not reported); carry_forward_rate = 结转下年度 / (本年新收 + 上年结转), summed first.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, t3_new_received_total, t3_carried_over_total, t3_total_total, t3_carried_forward_total, workload,
           t3_new_received_natural_person, t3_new_received_commercial, t3_new_received_research,
           t3_new_received_social_org, t3_new_received_legal_service, t3_new_received_other_org
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
        year,
        count(*) AS reports,
        sum(t3_new_received_total) AS new_received,
        sum(t3_carried_over_total) AS carried_over,
        sum(t3_total_total) AS handled,
        sum(t3_carried_forward_total) AS carried_forward,
        sum(t3_carried_forward_total) FILTER (WHERE workload IS NOT NULL) / nullif(sum(workload), 0)
            AS carry_forward_rate,
        sum(t3_new_received_natural_person) AS natural_person,
        sum(t3_new_received_commercial) AS commercial,
        sum(t3_new_received_research) AS research,
        sum(t3_new_received_social_org) AS social_org,
        sum(t3_new_received_legal_service) AS legal_service,
        sum(t3_new_received_other_org) AS other_org
    FROM scope
    GROUP BY year
)
SELECT *
FROM by_year
ORDER BY year
