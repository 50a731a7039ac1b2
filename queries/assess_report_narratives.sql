-- One report's narrative beside the same agency's previous report's, for 报告详情's side-by-side view.
-- Grain: one row (none when $report_id does not exist).
-- Parameters: $report_id (required).
-- Output: report_id, year, narrative, prev_report_id, prev_year, prev_narrative (the prev_* NULL when the agency
--   has no earlier report).
WITH this_report AS (
    SELECT r.report_id, r.agency_id, r.year
    FROM reports r
    WHERE r.report_id = $report_id
),
previous AS (
    -- the agency's latest report before this one's year (not necessarily the year before)
    SELECT p.report_id AS prev_report_id, p.year AS prev_year
    FROM reports p
    JOIN this_report t ON p.agency_id = t.agency_id AND p.year < t.year
    ORDER BY p.year DESC
    LIMIT 1
)
SELECT
    t.report_id, t.year::INTEGER AS year, tt.narrative,
    p.prev_report_id, p.prev_year::INTEGER AS prev_year, pt.narrative AS prev_narrative
FROM this_report t
LEFT JOIN report_texts tt ON tt.report_id = t.report_id
LEFT JOIN previous p ON true
LEFT JOIN report_texts pt ON pt.report_id = p.prev_report_id
