-- The frame the captions suite validates: each caption, whether its article exists and whether its line
-- is recorded in boilerplate_lines as a caption (captions are an index into the audit table, not a copy).
SELECT
    c.*,
    a.article_id IS NOT NULL AS article_exists,
    coalesce(b.kind = 'caption', false) AS is_a_caption_line
FROM captions AS c
LEFT JOIN articles AS a USING (article_id)
LEFT JOIN boilerplate_lines AS b USING (article_id, line_no)
