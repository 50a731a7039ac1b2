-- 汇总 (combined tables): every region the database knows, at each level, for resolving "省/市/县".
-- Grain: one row per distinct province × city × county of the regions table (county NULL: a city's own
--   bodies; city NULL: a province's own bodies).
-- Parameters: none.
-- Output: province, city, county.
WITH known AS (
    SELECT DISTINCT province, city, county
    FROM regions
)
SELECT province, city, county
FROM known
ORDER BY province, city NULLS FIRST, county NULLS FIRST
