SELECT
    m.mention_id,
    m.article_id,
    m.entity_id,
    e.name AS entity,
    e.label,
    m.sentence_no,
    m.start_char,
    m.end_char,
    a.publisher,
    CAST(coalesce(a.published_at, a.updated_at) AS DATE) AS article_date
FROM entity_mentions AS m
JOIN entities AS e USING (entity_id)
JOIN articles AS a USING (article_id)
