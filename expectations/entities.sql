-- The frame the entities suite validates: each entity with the number of mentions that point to it.
SELECT e.*, coalesce(m.mentions, 0) AS mentions_found
FROM entities AS e
LEFT JOIN (SELECT entity_id, count(*) AS mentions FROM entity_mentions GROUP BY entity_id) AS m USING (entity_id)
