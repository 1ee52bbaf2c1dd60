-- The keys the provider directory compares a search with, stored with each
-- provider (issue 11). A search that wants a language (every search near a
-- patient, and `language=`) asked of each provider it scored whether any of
-- its tags had that primary subtag, with `EXISTS (SELECT … FROM
-- unnest(languages) …)`: a subplan per provider, about 1.2 µs each, a third
-- of such a search's time. Payers were compared the same way. Stored, each
-- is one `= ANY` over a short array.
--
-- Both follow `shared::directory`: a language matches on its primary
-- subtag ("es" for "es-MX") and a payer whatever its ASCII case, so the
-- lowering is the "C" collation's, whatever the database's.

CREATE FUNCTION directory_language_codes(languages text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT split_part(lower(l COLLATE "C"), '-', 1) FROM unnest(languages) WITH ORDINALITY AS t(l, n) ORDER BY n);

CREATE FUNCTION directory_payer_keys(payers text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT lower(y COLLATE "C") FROM unnest(payers) WITH ORDINALITY AS t(y, n) ORDER BY n);

ALTER TABLE providers
    ADD COLUMN language_codes text[] NOT NULL GENERATED ALWAYS AS (directory_language_codes(languages)) STORED,
    ADD COLUMN payer_keys text[] NOT NULL GENERATED ALWAYS AS (directory_payer_keys(payers)) STORED;
