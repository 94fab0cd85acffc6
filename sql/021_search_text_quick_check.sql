-- 021_search_text_quick_check: planq_search_text, the expression of the
-- trigram index on initiatives (sql/B014_baseline.sql), normalises only a
-- text that is not NFKC already.  normalize() decomposes and recomposes
-- every character of every initiative's title and body on each insert;
-- the IS NFKC NORMALIZED quick check is a table look-up per character, and
-- most of the text is NFKC as written (bench/RESULTS.md, 2026-12-07
-- "calls").  The value is the same for every text (x IS NFKC NORMALIZED
-- means normalize(x, NFKC) = x), so the index needs no REINDEX.
CREATE OR REPLACE FUNCTION planq_search_text(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN ((COALESCE(title, ''::text) || '
'::text) || COALESCE(body, ''::text)) IS NFKC NORMALIZED
        THEN ((COALESCE(title, ''::text) || '
'::text) || COALESCE(body, ''::text))
        ELSE NORMALIZE(((COALESCE(title, ''::text) || '
'::text) || COALESCE(body, ''::text)), NFKC)
    END;
