-- One report's figures, long, for 报告详情 (laid out as the template prints them by the page).
-- Grain: one row per figure the report prints (a blank cell is a row with value NULL).
-- Parameters: $report_id (required).
-- Output: report_id, agency, year, template, table, row, column, value, findings (the messages of the
--   findings that name this cell, as a list; empty when none).
WITH report AS (
    SELECT r.report_id, a.name AS agency, r.year, r.template::VARCHAR AS template
    FROM reports r
    JOIN agencies a USING (agency_id)
    WHERE r.report_id = $report_id
),
cell_findings AS (
    -- a finding names its cells as "table/row/column" keys
    SELECT unnest(cells) AS cell, message
    FROM findings
    WHERE report_id = $report_id
),
cell_messages AS (
    SELECT cell, list(message ORDER BY message) AS findings
    FROM cell_findings
    GROUP BY cell
)
SELECT
    p.report_id, p.agency, p.year, p.template,
    f."table"::VARCHAR AS "table", f."row"::VARCHAR AS "row", f."column"::VARCHAR AS "column", f.value,
    coalesce(m.findings, []) AS findings
FROM report p
JOIN figures f USING (report_id)
LEFT JOIN cell_messages m
    ON m.cell = f."table"::VARCHAR || '/' || f."row"::VARCHAR || '/' || f."column"::VARCHAR
ORDER BY f."table", f."row", f."column"
