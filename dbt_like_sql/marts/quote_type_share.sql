SELECT
    coalesce(publisher, '(unknown)') AS publisher,
    quote_type,
    count(*) AS quotes,
    round(count(*) / sum(count(*)) OVER (PARTITION BY coalesce(publisher, '(unknown)')), 4) AS share
FROM stg_quotes
GROUP BY 1, 2
ORDER BY publisher, quote_type
