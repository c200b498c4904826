-- The frame the quotes suite validates: the staged quotes plus audit columns derived from their article.
SELECT
    q.*,
    a.article_id IS NOT NULL AS article_exists,
    coalesce(q.end_char <= length(a.body), false) AS offsets_inside_body,
    coalesce(substr(a.body, q.start_char + 1, q.end_char - q.start_char) = q.text, false) AS text_matches_body,
    q.speaker_entity_id IS NULL OR e.entity_id IS NOT NULL AS speaker_entity_exists,
    q.speaker_gender IS NOT DISTINCT FROM e.gender AS speaker_gender_matches_entity
FROM quotes AS q
LEFT JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e ON e.entity_id = q.speaker_entity_id
