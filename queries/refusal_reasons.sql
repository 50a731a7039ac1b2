-- Reasons for not disclosing: the numbered rows of 表三 （三）不予公开, （四）无法提供, （五）不予处理, by year.
-- Grain: one row per year × reason with a printed value.
-- Parameters (NULL = no filter): $year_from, $year_to, $province, $city, $county, $kind, $agencies (VARCHAR[]),
--   $include_demo (NULL = true).
-- Output: year, group_key, group_label, reason_key, reason, position, requests, share_of_group.
-- Comparable across formats: all sixteen rows are printed by both formats with the same meaning.
-- share_of_group = requests / the sum of the group's reasons that year.
WITH scope AS (
    -- only the columns used: report_wide has ~260
    SELECT year, t3_denied_secret_total, t3_denied_law_total, t3_denied_safety_total, t3_denied_third_party_total,
           t3_denied_internal_total, t3_denied_process_total, t3_denied_case_file_total, t3_denied_query_total,
           t3_unable_not_held_total, t3_unable_need_create_total, t3_unable_unclear_total,
           t3_refused_petition_total, t3_refused_repeat_total, t3_refused_publication_total,
           t3_refused_mass_total, t3_refused_confirm_total
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
sums AS (
    SELECT
        year,
        sum(t3_denied_secret_total) AS denied_secret,
        sum(t3_denied_law_total) AS denied_law,
        sum(t3_denied_safety_total) AS denied_safety,
        sum(t3_denied_third_party_total) AS denied_third_party,
        sum(t3_denied_internal_total) AS denied_internal,
        sum(t3_denied_process_total) AS denied_process,
        sum(t3_denied_case_file_total) AS denied_case_file,
        sum(t3_denied_query_total) AS denied_query,
        sum(t3_unable_not_held_total) AS unable_not_held,
        sum(t3_unable_need_create_total) AS unable_need_create,
        sum(t3_unable_unclear_total) AS unable_unclear,
        sum(t3_refused_petition_total) AS refused_petition,
        sum(t3_refused_repeat_total) AS refused_repeat,
        sum(t3_refused_publication_total) AS refused_publication,
        sum(t3_refused_mass_total) AS refused_mass,
        sum(t3_refused_confirm_total) AS refused_confirm
    FROM scope
    GROUP BY year
),
items AS (
    UNPIVOT sums ON COLUMNS(* EXCLUDE (year)) INTO NAME reason_key VALUE requests
),
reason_label (reason_key, group_key, group_label, reason, position) AS (
    VALUES ('denied_secret', 'denied', '不予公开', '属于国家秘密', 1),
           ('denied_law', 'denied', '不予公开', '其他法律行政法规禁止公开', 2),
           ('denied_safety', 'denied', '不予公开', '危及“三安全一稳定”', 3),
           ('denied_third_party', 'denied', '不予公开', '保护第三方合法权益', 4),
           ('denied_internal', 'denied', '不予公开', '属于三类内部事务信息', 5),
           ('denied_process', 'denied', '不予公开', '属于四类过程性信息', 6),
           ('denied_case_file', 'denied', '不予公开', '属于行政执法案卷', 7),
           ('denied_query', 'denied', '不予公开', '属于行政查询事项', 8),
           ('unable_not_held', 'unable', '无法提供', '本机关不掌握相关政府信息', 9),
           ('unable_need_create', 'unable', '无法提供', '没有现成信息需要另行制作', 10),
           ('unable_unclear', 'unable', '无法提供', '补正后申请内容仍不明确', 11),
           ('refused_petition', 'refused', '不予处理', '信访举报投诉类申请', 12),
           ('refused_repeat', 'refused', '不予处理', '重复申请', 13),
           ('refused_publication', 'refused', '不予处理', '要求提供公开出版物', 14),
           ('refused_mass', 'refused', '不予处理', '无正当理由大量反复申请', 15),
           ('refused_confirm', 'refused', '不予处理', '要求行政机关确认或重新出具已获取信息', 16)
)
SELECT
    i.year, l.group_key, l.group_label, i.reason_key, l.reason, l.position, i.requests,
    i.requests / nullif(sum(i.requests) OVER (PARTITION BY i.year, l.group_key), 0) AS share_of_group
FROM items i
JOIN reason_label l USING (reason_key)
ORDER BY i.year, l.position
