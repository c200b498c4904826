SELECT
    q.quote_id,
    q.article_id,
    a.publisher,
    CAST(coalesce(a.published_at, a.updated_at) AS DATE) AS article_date,
    q.quote_type,
    q.speaker,
    q.speaker_entity_id,
    q.cue,
    q.text,
    q.start_char,
    q.end_char
FROM quotes AS q
JOIN articles AS a USING (article_id)
