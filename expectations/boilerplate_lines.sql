-- The frame the boilerplate_lines suite validates: the staged lines plus whether their article exists.
SELECT b.*, a.article_id IS NOT NULL AS article_exists
FROM boilerplate_lines AS b
LEFT JOIN articles AS a USING (article_id)
