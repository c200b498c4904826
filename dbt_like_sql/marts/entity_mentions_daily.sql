SELECT
    article_date AS day,
    coalesce(publisher, '(unknown)') AS publisher,
    entity_id,
    entity,
    label,
    count(*) AS mentions,
    count(DISTINCT article_id) AS articles
FROM stg_mentions
GROUP BY ALL
ORDER BY day DESC NULLS LAST, mentions DESC, entity
