-- One report's figures, long, for 报告详情 (laid out as the template prints them by the page).
-- Grain: one row per figure the report prints (a blank cell is a row with value NULL), plus one row per cell
--   a finding says was not read (missing_row, unreadable_row, ambiguous_cells), whose value is NULL too:
--   status tells them apart, because a cell not read is not a blank (未读取 is not 未填报).
-- Parameters: $report_id (required).
-- Output: report_id, agency, year, template, table, row, column, value,
--   status ('printed' | 'blank' = printed empty | 'unread' = printed but not read),
--   findings (the messages of the findings that name this cell, as a list; empty when none).
WITH report AS (
    SELECT r.report_id, a.name AS agency, r.year, r.template::VARCHAR AS template
    FROM reports r
    JOIN agencies a USING (agency_id)
    WHERE r.report_id = $report_id
),
cell_findings AS (
    -- a finding names its cells as "table/row/column" keys
    SELECT unnest(cells) AS cell, message, rule
    FROM findings
    WHERE report_id = $report_id
),
cell_messages AS (
    SELECT cell, list(message ORDER BY message) AS findings
    FROM cell_findings
    GROUP BY cell
),
read_cells AS (
    SELECT f."table", f."row", f."column", f.value,
           CASE WHEN f.value IS NULL THEN 'blank' ELSE 'printed' END AS status
    FROM figures f
    WHERE f.report_id = $report_id
),
unread_keys AS (
    SELECT DISTINCT
        TRY_CAST(split_part(cell, '/', 1) AS figure_table) AS "table",
        TRY_CAST(split_part(cell, '/', 2) AS figure_row) AS "row",
        TRY_CAST(split_part(cell, '/', 3) AS figure_column) AS "column"
    FROM cell_findings
    WHERE rule IN ('missing_row', 'unreadable_row', 'ambiguous_cells')
),
unread_cells AS (
    -- the ENUM casts keep the template's order below; a key that is not a figure is left out
    SELECT u."table", u."row", u."column", CAST(NULL AS DOUBLE) AS value, 'unread' AS status
    FROM unread_keys u
    ANTI JOIN read_cells c ON c."table" = u."table" AND c."row" = u."row" AND c."column" = u."column"
    WHERE u."table" IS NOT NULL AND u."row" IS NOT NULL AND u."column" IS NOT NULL
),
report_cells AS (
    SELECT * FROM read_cells
    UNION ALL
    SELECT * FROM unread_cells
)
SELECT
    p.report_id, p.agency, p.year, p.template,
    c."table"::VARCHAR AS "table", c."row"::VARCHAR AS "row", c."column"::VARCHAR AS "column", c.value,
    c.status,
    coalesce(m.findings, []) AS findings
FROM report p
CROSS JOIN report_cells c
LEFT JOIN cell_messages m
    ON m.cell = c."table"::VARCHAR || '/' || c."row"::VARCHAR || '/' || c."column"::VARCHAR
ORDER BY c."table", c."row", c."column"
