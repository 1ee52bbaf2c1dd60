-- The part of a provider's directory score that no search changes (issue
-- 11), stored and indexed, so a search reads the providers that can still
-- reach its page instead of scoring every provider its filters match.
--
-- `directory_score` adds terms that depend on the search (speaks the
-- patient's language: 25, covers their payer: 15, closeness: up to 10) to
-- terms that do not (in network: 40, accepting: 20, completion, mean
-- satisfaction). `base_score` is the score with the search's terms off;
-- a search's score is at most `base_score` plus the most its own terms can
-- add, its headroom (`directory_score` of those terms alone, all met). So
-- once a search knows the score of its page's last provider among some
-- providers, every provider whose `base_score` is lower than that score
-- minus the headroom is out of reach (api/src/providers/store.rs,
-- `DirectoryPage`).
--
-- A generated column of inputs migration `provider_ranking_inputs` already
-- keeps on the row: Postgres computes it again whenever the row is
-- written, including when the referral triggers copy new figures in.

ALTER TABLE providers
    ADD COLUMN base_score double precision NOT NULL GENERATED ALWAYS AS (
        directory_score(network_status = 'in_network', accepting_new_clients, false, false,
                        NULL, quality_completion_rate, quality_satisfaction)) STORED;

CREATE INDEX providers_base_score_idx ON providers (organization_id, base_score, id);

-- A name search (`q`) matches anywhere in the name (`ILIKE '%…%'`), which
-- no B-tree serves: each one read every provider of the organization
-- (2.5 ms at 5,000). A trigram index finds the few that match. pg_trgm
-- ships with Postgres and is a trusted extension (13 and later), so the
-- database's owner may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX providers_name_trgm_idx ON providers USING gin (name gin_trgm_ops);
