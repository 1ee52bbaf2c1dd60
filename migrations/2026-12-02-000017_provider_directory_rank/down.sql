DROP FUNCTION directory_score(boolean, boolean, boolean, boolean, float8, float8, float8);
DROP FUNCTION directory_miles(float8, float8, float8, float8);
DROP TRIGGER referrals_insert_refresh_provider_quality ON referrals;
DROP TRIGGER referrals_update_refresh_provider_quality ON referrals;
DROP TRIGGER referrals_delete_refresh_provider_quality ON referrals;
DROP FUNCTION referrals_refresh_provider_quality();
DROP FUNCTION provider_quality_refresh(uuid[], uuid[]);
DROP TABLE provider_quality;
