-- Proactive disclosure (表二, 第二十条) by agency, over the years inside the filters.
-- Grain: one row per agency, the $top agencies (NULL = all) by 行政许可 decisions.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true), $top.
-- Output: agency_id, agency, reports, license_decisions, penalty_decisions, coercion_decisions,
--   reports_2021_format, normative_issued, normative_in_force, fee_amount_wan.
-- Comparable across formats: only the 处理决定数量 columns. normative_* and fee_amount_wan sum 2021-format
-- reports only (reports_2021_format says how many); see proactive_disclosure_by_year.sql.
WITH scope AS NOT MATERIALIZED (  -- read twice: by `top`, then for those agencies only
    SELECT agency_id, agency, template, t2_license_decisions, t2_penalty_decisions, t2_coercion_decisions,
           t2_normative_doc_issued, t2_normative_doc_in_force, t2_fee_amount
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
top AS (
    -- the $top agencies by 行政许可 decisions first (one sum per agency), then every sum for those only:
    -- at national scale one aggregate over ~100,000 agencies instead of nine
    SELECT agency_id, sum(t2_license_decisions) AS license_decisions
    FROM scope
    GROUP BY agency_id
    ORDER BY license_decisions DESC NULLS LAST, agency_id
    LIMIT $top
)
SELECT
    agency_id, any_value(agency) AS agency,
    count(*) AS reports,
    sum(t2_license_decisions) AS license_decisions,
    sum(t2_penalty_decisions) AS penalty_decisions,
    sum(t2_coercion_decisions) AS coercion_decisions,
    count(*) FILTER (WHERE template = '2021') AS reports_2021_format,
    sum(t2_normative_doc_issued) FILTER (WHERE template = '2021') AS normative_issued,
    sum(t2_normative_doc_in_force) FILTER (WHERE template = '2021') AS normative_in_force,
    sum(t2_fee_amount) FILTER (WHERE template = '2021') AS fee_amount_wan
FROM scope
WHERE agency_id IN (SELECT agency_id FROM top)
GROUP BY agency_id
ORDER BY license_decisions DESC NULLS LAST, agency_id
