-- 汇总 (combined tables): every region the database knows, at each level, for resolving "省/市/县".
-- Grain: one row per distinct province × city × county of the regions table (county NULL: a city's own
--   bodies; city NULL: a province's own bodies), of $province.
-- Parameters: $province (NULL = every province: what a message listing the provinces needs).
-- Output: province, city, county.
WITH known AS (
    SELECT DISTINCT province, city, county
    FROM regions
    WHERE ($province IS NULL OR province = $province)
)
SELECT province, city, county
FROM known
ORDER BY province, city NULLS FIRST, county NULLS FIRST
