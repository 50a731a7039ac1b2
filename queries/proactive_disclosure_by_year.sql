-- Proactive disclosure (表二, 第二十条), by year.
-- Grain: one row per year with at least one report inside the filters.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, reports, license_decisions, penalty_decisions, coercion_decisions, reports_2021_format,
--   regulation_issued, regulation_in_force, normative_issued, normative_repealed, normative_in_force, fee_amount_wan.
-- Comparable across formats: only the 处理决定数量 of 行政许可/行政处罚/行政强制. The 2019 format counts 规章/规范性文件
-- as 新制作/新公开/对外公开总数 and fees as 项目数, the 2021 format as 制发/废止/现行有效 and 收费金额 (万元): those
-- columns sum 2021-format reports only (reports_2021_format says how many) and are NULL for a year without any.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, template, t2_license_decisions, t2_penalty_decisions, t2_coercion_decisions,
           t2_regulation_issued, t2_regulation_in_force, t2_normative_doc_issued, t2_normative_doc_repealed,
           t2_normative_doc_in_force, t2_fee_amount
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
        sum(t2_license_decisions) AS license_decisions,
        sum(t2_penalty_decisions) AS penalty_decisions,
        sum(t2_coercion_decisions) AS coercion_decisions,
        count(*) FILTER (WHERE template = '2021') AS reports_2021_format,
        sum(t2_regulation_issued) FILTER (WHERE template = '2021') AS regulation_issued,
        sum(t2_regulation_in_force) FILTER (WHERE template = '2021') AS regulation_in_force,
        sum(t2_normative_doc_issued) FILTER (WHERE template = '2021') AS normative_issued,
        sum(t2_normative_doc_repealed) FILTER (WHERE template = '2021') AS normative_repealed,
        sum(t2_normative_doc_in_force) FILTER (WHERE template = '2021') AS normative_in_force,
        sum(t2_fee_amount) FILTER (WHERE template = '2021') AS fee_amount_wan
    FROM scope
    GROUP BY year
)
SELECT *
FROM by_year
ORDER BY year
