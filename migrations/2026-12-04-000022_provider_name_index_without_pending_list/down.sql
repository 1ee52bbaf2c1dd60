ALTER INDEX providers_name_trgm_idx RESET (fastupdate);
