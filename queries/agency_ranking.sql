-- Agencies ranked by requests received in one year, with the change on the year before.
-- Grain: one row per agency with a report in $year inside the filters (typically one district).
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
--   $year: the year ranked (NULL = the latest year inside the filters). $year_from/$year_to only bound
--   which years count as "latest". $limit: the top rows returned (NULL = 200; a district has far fewer
--   agencies, the whole country ~100,000 a year).
-- Output: rank, agency_id, agency, kind, province, city, county, year, new_received, previous_new_received,
--   change, change_rate, disclosure_rate, review_total, suit_total.
-- change = this year − last year (NULL when last year has no report or a blank figure); change_rate = change / last year.
-- Comparable across formats: all columns (so a 2021 report can be compared with a 2020 one).
WITH scope AS NOT MATERIALIZED (
    -- only the columns used: report_wide has ~260. Read by two CTEs: NOT MATERIALIZED lets each scan
    -- report_wide for what it needs (the latest year; that year's rows) instead of copying the whole scope
    -- first, which at national scale cost more than the query itself.
    SELECT year, agency_id, agency, kind, province, city, county, t3_new_received_total, disclosure_rate,
           t4_review_total, suit_total
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
ranked_year AS (
    SELECT coalesce($year, max(year)) AS year FROM scope
),
ranked AS (
    -- rank first and keep the top rows, so last year is looked up for those only
    SELECT s.*, rank() OVER (ORDER BY s.t3_new_received_total DESC NULLS LAST) AS rank
    FROM scope s
    JOIN ranked_year r USING (year)
    ORDER BY rank, s.agency
    LIMIT coalesce($limit, 200)
),
last_year AS (
    -- last year is looked up outside the year filter on purpose: the change needs it even when the range starts here
    SELECT w.agency_id, w.t3_new_received_total AS previous_new_received
    FROM report_wide w
    JOIN ranked_year r ON w.year = r.year - 1
    WHERE w.agency_id IN (SELECT agency_id FROM ranked)
)
SELECT
    t.rank,
    t.agency_id, t.agency, t.kind::VARCHAR AS kind, t.province, t.city, t.county, t.year,
    t.t3_new_received_total AS new_received,
    l.previous_new_received,
    t.t3_new_received_total - l.previous_new_received AS change,
    (t.t3_new_received_total - l.previous_new_received) / nullif(l.previous_new_received, 0) AS change_rate,
    t.disclosure_rate,
    t.t4_review_total AS review_total,
    t.suit_total
FROM ranked t
LEFT JOIN last_year l USING (agency_id)
ORDER BY t.rank, t.agency
