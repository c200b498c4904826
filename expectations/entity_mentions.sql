-- The frame the entity_mentions suite validates: the staged mentions plus audit columns.
SELECT
    m.*,
    a.article_id IS NOT NULL AS article_exists,
    coalesce(m.end_char <= length(a.body), false) AS offsets_inside_body,
    coalesce(substr(a.body, m.start_char + 1, m.end_char - m.start_char) = m.text, false) AS text_matches_body,
    e.entity_id IS NOT NULL AS entity_exists
FROM entity_mentions AS m
LEFT JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e USING (entity_id)
