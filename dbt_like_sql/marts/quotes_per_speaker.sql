SELECT
    coalesce(speaker, '(unknown)') AS speaker,
    speaker_entity_id,
    coalesce(publisher, '(unknown)') AS publisher,
    count(*) AS quotes,
    count(*) FILTER (WHERE quote_type = 'direct') AS direct_quotes,
    count(*) FILTER (WHERE quote_type = 'partial') AS partial_quotes,
    count(*) FILTER (WHERE quote_type = 'indirect') AS indirect_quotes,
    count(DISTINCT article_id) AS articles
FROM stg_quotes
GROUP BY ALL
ORDER BY quotes DESC, speaker
