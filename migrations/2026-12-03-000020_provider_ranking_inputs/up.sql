-- Everything the directory's score reads about a provider, on its own row
-- (issue 11). A search scores every provider its filters match, and two
-- joins per provider cost more than the scoring itself: the ZIP-code
-- centre that locates a provider without coordinates (about 1 ms of a
-- search near a patient over 2,520 providers) and the referral figures in
-- `provider_quality` (a hash over every provider's figures, about 2.5 ms).
-- Kept on the row, they are read with it.
--
-- `located_latitude`/`located_longitude`: the provider's own coordinates,
-- else its ZIP code's centre (each coordinate apart, as the search's
-- `coalesce` had it), set whenever the provider's coordinates or ZIP code
-- are written and whenever a ZIP code's centre is added, changed or
-- removed. `quality_completion_rate`/`quality_satisfaction`: copies of
-- `provider_quality`'s, which stays the record (reports and the API read
-- it); its upsert, which the referral triggers run with the providers'
-- rows already locked, writes them.
--
-- The values are the ones the joins produced, so the score still agrees
-- with `shared::directory::assess` to the last bit.

ALTER TABLE providers
    ADD COLUMN located_latitude double precision,
    ADD COLUMN located_longitude double precision,
    ADD COLUMN quality_completion_rate double precision,
    ADD COLUMN quality_satisfaction double precision;

CREATE FUNCTION providers_locate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    SELECT coalesce(NEW.latitude, c.latitude), coalesce(NEW.longitude, c.longitude)
      INTO NEW.located_latitude, NEW.located_longitude
      FROM (SELECT) AS one
      LEFT JOIN postal_code_centroids c ON c.postal_code = left(NEW.address_postal_code, 5);
    RETURN NEW;
END
$$;

CREATE TRIGGER providers_locate
    BEFORE INSERT OR UPDATE OF latitude, longitude, address_postal_code ON providers
    FOR EACH ROW EXECUTE FUNCTION providers_locate();

CREATE FUNCTION postal_code_centroids_locate_providers() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(postal_code) INTO codes FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(postal_code) INTO codes FROM old_rows;
    ELSE
        SELECT array_agg(postal_code) INTO codes
          FROM (SELECT postal_code FROM old_rows UNION SELECT postal_code FROM new_rows) c;
    END IF;
    UPDATE providers p
       SET located_latitude = coalesce(p.latitude, c.latitude),
           located_longitude = coalesce(p.longitude, c.longitude)
      FROM unnest(codes) AS z (postal_code)
      LEFT JOIN postal_code_centroids c ON c.postal_code = z.postal_code
     WHERE left(p.address_postal_code, 5) = z.postal_code
       AND (p.located_latitude, p.located_longitude)
           IS DISTINCT FROM (coalesce(p.latitude, c.latitude), coalesce(p.longitude, c.longitude));
    RETURN NULL;
END
$$;

CREATE TRIGGER postal_code_centroids_insert_locate_providers
    AFTER INSERT ON postal_code_centroids REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION postal_code_centroids_locate_providers();
CREATE TRIGGER postal_code_centroids_update_locate_providers
    AFTER UPDATE ON postal_code_centroids REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION postal_code_centroids_locate_providers();
CREATE TRIGGER postal_code_centroids_delete_locate_providers
    AFTER DELETE ON postal_code_centroids REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION postal_code_centroids_locate_providers();

CREATE FUNCTION provider_quality_copy_to_provider() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE providers p
       SET quality_completion_rate = NEW.completion_rate,
           quality_satisfaction = NEW.satisfaction
     WHERE p.organization_id = NEW.organization_id AND p.id = NEW.provider_id
       AND (p.quality_completion_rate, p.quality_satisfaction)
           IS DISTINCT FROM (NEW.completion_rate, NEW.satisfaction);
    RETURN NULL;
END
$$;

CREATE TRIGGER provider_quality_copy_to_provider
    AFTER INSERT OR UPDATE OF completion_rate, satisfaction ON provider_quality
    FOR EACH ROW EXECUTE FUNCTION provider_quality_copy_to_provider();

UPDATE providers p
   SET located_latitude = coalesce(p.latitude, c.latitude),
       located_longitude = coalesce(p.longitude, c.longitude),
       quality_completion_rate = q.completion_rate,
       quality_satisfaction = q.satisfaction
  FROM providers self
  LEFT JOIN postal_code_centroids c ON c.postal_code = left(self.address_postal_code, 5)
  LEFT JOIN provider_quality q ON q.organization_id = self.organization_id AND q.provider_id = self.id
 WHERE self.organization_id = p.organization_id AND self.id = p.id;
