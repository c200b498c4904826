-- description: Pairs of entities mentioned together: in how many sentences and in how many articles.
-- materialized: table
WITH pairs AS (
    SELECT
        a.entity_id AS entity_id_a,
        b.entity_id AS entity_id_b,
        a.article_id,
        a.sentence_no = b.sentence_no AS same_sentence,
        a.sentence_no
    FROM stg_mentions AS a
    JOIN stg_mentions AS b
        ON a.article_id = b.article_id
        AND a.entity_id < b.entity_id
)
SELECT
    p.entity_id_a,
    ea.name AS entity_a,
    p.entity_id_b,
    eb.name AS entity_b,
    count(DISTINCT (p.article_id, p.sentence_no)) FILTER (WHERE p.same_sentence) AS sentences,
    count(DISTINCT p.article_id) AS articles
FROM pairs AS p
JOIN entities AS ea ON ea.entity_id = p.entity_id_a
JOIN entities AS eb ON eb.entity_id = p.entity_id_b
GROUP BY ALL
ORDER BY articles DESC, sentences DESC, entity_a, entity_b
