-- The frame the entities suite validates: each entity with the number of mentions that point to it, and
-- whether its gender is where it may be (PERSON only, always with the evidence that decided it).
SELECT
    e.*,
    coalesce(m.mentions, 0) AS mentions_found,
    e.gender IS NULL OR e.label = 'PERSON' AS gender_only_for_person,
    e.gender IS NULL OR e.gender_evidence IS NOT NULL AS gender_has_evidence
FROM entities AS e
LEFT JOIN (SELECT entity_id, count(*) AS mentions FROM entity_mentions GROUP BY entity_id) AS m USING (entity_id)
