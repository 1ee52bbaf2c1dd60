-- A GIN index with `fastupdate` (the default) puts new entries in an
-- unsorted pending list, which every search reads in full until a VACUUM
-- (or 4 MB of entries) merges it into the index. The directory is read far
-- more than it is written, so a provider's name goes straight into the
-- index and searches never scan a list: after 5,000 providers were added,
-- `q=harbor counseling` ran at 341 req/s with the list (139 pages) and 722
-- to 869 without it (bench/RESULTS.md). Turning it off keeps what is
-- already listed, so the list is merged here.
ALTER INDEX providers_name_trgm_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('providers_name_trgm_idx');
