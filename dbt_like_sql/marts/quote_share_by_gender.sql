WITH counted AS (
    SELECT
        coalesce(a.publisher, '(unknown)') AS publisher,
        CAST(date_trunc('month', a.published_at) AS DATE) AS month,
        coalesce(q.speaker_gender, 'unknown') AS speaker_gender,
        count(*) AS quotes,
        count(DISTINCT coalesce(q.speaker_entity_id, q.speaker)) AS speakers
    FROM quotes AS q
    JOIN articles AS a USING (article_id)
    GROUP BY ALL
)
SELECT
    publisher,
    month,
    speaker_gender,
    quotes,
    speakers,
    round(quotes / sum(quotes) OVER (PARTITION BY publisher, month), 4) AS share
FROM counted
ORDER BY publisher, month NULLS LAST, speaker_gender
