DROP TRIGGER provider_quality_copy_to_provider ON provider_quality;
DROP FUNCTION provider_quality_copy_to_provider();
DROP TRIGGER postal_code_centroids_insert_locate_providers ON postal_code_centroids;
DROP TRIGGER postal_code_centroids_update_locate_providers ON postal_code_centroids;
DROP TRIGGER postal_code_centroids_delete_locate_providers ON postal_code_centroids;
DROP FUNCTION postal_code_centroids_locate_providers();
DROP TRIGGER providers_locate ON providers;
DROP FUNCTION providers_locate();
ALTER TABLE providers
    DROP COLUMN located_latitude,
    DROP COLUMN located_longitude,
    DROP COLUMN quality_completion_rate,
    DROP COLUMN quality_satisfaction;
