SELECT
    q.speaker,
    q.speaker_entity_id,
    m.entity AS about,
    m.entity_id AS about_entity_id,
    m.label AS about_label,
    count(DISTINCT q.quote_id) AS quotes,
    count(DISTINCT q.article_id) AS articles
FROM stg_quotes AS q
JOIN stg_mentions AS m
    ON m.article_id = q.article_id
    AND m.start_char >= q.start_char
    AND m.end_char <= q.end_char
WHERE q.speaker IS NOT NULL
    AND m.entity_id IS DISTINCT FROM q.speaker_entity_id
GROUP BY ALL
ORDER BY quotes DESC, q.speaker, about
