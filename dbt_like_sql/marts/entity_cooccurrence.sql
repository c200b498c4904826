-- Pairs are formed from the distinct entities of each article (and of each sentence), not from every pair
-- of mentions: an article naming 30 entities in 100 mentions makes 435 pairs, not 4,950.
WITH article_entities AS (
    SELECT DISTINCT article_id, entity_id FROM stg_mentions
),
sentence_entities AS (
    SELECT DISTINCT article_id, sentence_no, entity_id FROM stg_mentions
),
article_pairs AS (
    SELECT a.entity_id AS entity_id_a, b.entity_id AS entity_id_b, count(*) AS articles
    FROM article_entities AS a
    JOIN article_entities AS b
        ON a.article_id = b.article_id
        AND a.entity_id < b.entity_id
    GROUP BY ALL
),
sentence_pairs AS (
    SELECT a.entity_id AS entity_id_a, b.entity_id AS entity_id_b, count(*) AS sentences
    FROM sentence_entities AS a
    JOIN sentence_entities AS b
        ON a.article_id = b.article_id
        AND a.sentence_no = b.sentence_no
        AND a.entity_id < b.entity_id
    GROUP BY ALL
)
SELECT
    p.entity_id_a,
    ea.name AS entity_a,
    p.entity_id_b,
    eb.name AS entity_b,
    coalesce(s.sentences, 0) AS sentences,
    p.articles
FROM article_pairs AS p
LEFT JOIN sentence_pairs AS s USING (entity_id_a, entity_id_b)
JOIN entities AS ea ON ea.entity_id = p.entity_id_a
JOIN entities AS eb ON eb.entity_id = p.entity_id_b
ORDER BY articles DESC, sentences DESC, entity_a, entity_b
