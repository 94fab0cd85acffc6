-- 021_write_path: two changes for the worker's write, each measured in
-- bench/RESULTS.md (2026-12-07, "calls").
--
-- planq_search_text, the expression of the trigram index on initiatives
-- (sql/B014_baseline.sql), normalises only a text that is not NFKC
-- already.  normalize() decomposes and recomposes every character of
-- every initiative's title and body on each insert; the IS NFKC
-- NORMALIZED quick check is a table look-up per character, and most of
-- the text is NFKC as written.  The value is the same for every text
-- (x IS NFKC NORMALIZED means normalize(x, NFKC) = x), so the index needs
-- no REINDEX.
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

-- The ids of issues, strategies and initiatives come 64 at a time into
-- each session's cache (planq_store_plans draws one per row first): a
-- nextval from the cache takes neither the sequence's buffer lock nor a
-- WAL record.  So ids of rows that different workers store interleave
-- (each worker's follow the order it drew them in) and a session that
-- ends loses the rest of its 64; nothing orders these rows by id (the
-- views use seq and ordinal).  documents and plans keep CACHE 1: a
-- document's id is its arrival order, the last tie-break between
-- versions of a plan (planq_offer_current_batch).
ALTER TABLE issues ALTER COLUMN id SET CACHE 64;
ALTER TABLE strategies ALTER COLUMN id SET CACHE 64;
ALTER TABLE initiatives ALTER COLUMN id SET CACHE 64;
