-- One report's figures, long, for 报告详情 (laid out as the template prints them by the page).
-- Grain: one row per figure the report prints (a blank cell is a row with value NULL), plus one row per cell
--   a finding says was not read (missing_row, unreadable_row, ambiguous_cells), whose value is NULL too:
--   status tells them apart, because a cell not read is not a blank (未读取 is not 未填报).
-- Parameters: $report_id (required).
-- Output: report_id, agency, year, template, table, row, column, value,
--   status ('printed' | 'blank' = printed empty | 'unread' = printed but not read),
--   source ('text', or 'ocr' when the value was recognised from a picture; 'text' for an unread cell),
--   confidence (OCR only, 0–1), findings (the messages of the findings that name this cell, as a list; empty when none).
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
    -- ord: the figures' own order (the template's, by their ENUM types), so the unread cells can follow it
    SELECT f."table"::VARCHAR AS "table", f."row"::VARCHAR AS "row", f."column"::VARCHAR AS "column", f.value,
           CASE WHEN f.value IS NULL THEN 'blank' ELSE 'printed' END AS status,
           coalesce(f.source, 'text') AS source, f.confidence,
           row_number() OVER (ORDER BY f."table", f."row", f."column") AS ord
    FROM figures f
    WHERE f.report_id = $report_id
),
unread_keys AS (
    SELECT DISTINCT
        split_part(cell, '/', 1) AS "table", split_part(cell, '/', 2) AS "row", split_part(cell, '/', 3) AS "column"
    FROM cell_findings
    WHERE rule IN ('missing_row', 'unreadable_row', 'ambiguous_cells')
),
unread_cells AS (
    -- after the cells read, in key order; a key already read is not repeated
    SELECT u."table", u."row", u."column", CAST(NULL AS DOUBLE) AS value, 'unread' AS status,
           'text' AS source, CAST(NULL AS DOUBLE) AS confidence,
           1000000 + row_number() OVER (ORDER BY u."table", u."row", u."column") AS ord
    FROM unread_keys u
    ANTI JOIN read_cells c ON c."table" = u."table" AND c."row" = u."row" AND c."column" = u."column"
),
report_cells AS (
    SELECT * FROM read_cells
    UNION ALL
    SELECT * FROM unread_cells
)
SELECT
    p.report_id, p.agency, p.year, p.template,
    c."table", c."row", c."column", c.value, c.status, c.source, c.confidence,
    coalesce(m.findings, []) AS findings
FROM report p
CROSS JOIN report_cells c
LEFT JOIN cell_messages m
    ON m.cell = c."table" || '/' || c."row" || '/' || c."column"
ORDER BY c.ord
