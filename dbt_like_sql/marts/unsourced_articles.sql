SELECT
    a.article_id,
    a.source_path,
    a.title,
    a.publisher,
    a.word_count
FROM articles AS a
WHERE NOT EXISTS (SELECT 1 FROM quotes AS q WHERE q.article_id = a.article_id)
ORDER BY a.source_path
