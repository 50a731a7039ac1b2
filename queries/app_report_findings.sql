-- Every finding about one report (those naming a cell and those about the whole report), for 报告详情.
-- Grain: one row per finding.
-- Parameters: $report_id (required).
-- Output: finding_id, source, rule, severity, message, table, row, column, cells.
SELECT
    finding_id, source::VARCHAR AS source, rule, severity::VARCHAR AS severity, message,
    "table", "row", "column", cells
FROM findings
WHERE report_id = $report_id
ORDER BY severity, rule, finding_id
