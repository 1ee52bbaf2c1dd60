-- The provider directory ranked in SQL (issue 11): a search reads one page
-- in `shared::directory::rank`'s order instead of loading up to 2,000
-- candidates with their referral figures and ranking them in Rust.
--
-- Two things make that possible: each provider's referral figures kept in
-- a row of their own (the ranking reads the completion rate and the
-- satisfaction of every candidate; aggregating every referral of the
-- organization on each search would cost more than the ranking saves),
-- and the score and the distance as SQL functions that `shared` specifies.
-- A scenario test compares both functions with `shared` on a grid of
-- inputs, and the directory property test holds the page order to `rank`.

-- The figures `GET /providers/{id}` shows and the ranking reads, one row
-- per provider that has had a referral. Triggers on `referrals` keep it,
-- so every way a referral is written (the API, FHIR, a data load, a test
-- back-dating one) keeps it without remembering to.
CREATE TABLE provider_quality (
    organization_id  uuid NOT NULL,
    provider_id      uuid NOT NULL,
    referrals        bigint NOT NULL,
    completion_rate  double precision,
    median_days      double precision,
    no_show_rate     double precision,
    satisfaction     double precision,
    ratings          bigint NOT NULL,
    PRIMARY KEY (organization_id, provider_id),
    FOREIGN KEY (organization_id, provider_id) REFERENCES providers (organization_id, id) ON DELETE CASCADE
);

-- Recomputes the figures of providers `ids` (of organizations `orgs`, pair
-- by pair) from their referrals. Of the referrals that ended (completed, closed
-- after the provider answered, declined, no-show) the share completed; the
-- median days from sending to the appointment; of those scheduled the
-- share that were no-shows; the mean rating.
--
-- Two transactions changing referrals of one provider at once would each
-- aggregate without the other's change, and the later commit would keep a
-- figure missing one. So the providers' rows are locked first, in id
-- order, and the aggregate is a statement of its own: under READ COMMITTED
-- it takes its snapshot after the lock, when the other's change is in.
CREATE FUNCTION provider_quality_refresh(orgs uuid[], ids uuid[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1
       FROM providers p
       JOIN unnest(orgs, ids) AS t (organization_id, provider_id)
         ON p.organization_id = t.organization_id AND p.id = t.provider_id
      ORDER BY p.id
        FOR NO KEY UPDATE OF p;
    INSERT INTO provider_quality AS q
           (organization_id, provider_id, referrals, completion_rate, median_days,
            no_show_rate, satisfaction, ratings)
    SELECT t.organization_id, t.provider_id, f.*
      FROM unnest(orgs, ids) AS t (organization_id, provider_id)
      JOIN providers p ON p.organization_id = t.organization_id AND p.id = t.provider_id
     CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE r.sent_at IS NOT NULL),
               (count(*) FILTER (WHERE r.completed_at IS NOT NULL))::float8
                   / NULLIF(count(*) FILTER (WHERE r.completed_at IS NOT NULL
                       OR r.status IN ('declined', 'no_show')
                       OR (r.status = 'closed' AND r.responded_at IS NOT NULL)), 0),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY
                   extract(epoch FROM r.appointment_at - r.sent_at) / 86400.0)
                   FILTER (WHERE r.appointment_at IS NOT NULL AND r.sent_at IS NOT NULL),
               (count(*) FILTER (WHERE r.status = 'no_show'
                   OR (r.status = 'closed' AND r.completed_at IS NULL AND r.scheduled_at IS NOT NULL)))::float8
                   / NULLIF(count(*) FILTER (WHERE r.scheduled_at IS NOT NULL), 0),
               avg(r.satisfaction_rating)::float8,
               count(r.satisfaction_rating)
          FROM referrals r
         WHERE r.organization_id = t.organization_id AND r.provider_id = t.provider_id
       ) AS f
        ON CONFLICT (organization_id, provider_id) DO UPDATE
       SET referrals = excluded.referrals,
           completion_rate = excluded.completion_rate,
           median_days = excluded.median_days,
           no_show_rate = excluded.no_show_rate,
           satisfaction = excluded.satisfaction,
           ratings = excluded.ratings;
END
$$;

-- The providers whose figures a statement on `referrals` may have moved:
-- every provider of a row inserted or deleted, and of an updated row
-- whose figures' columns changed (both its old and its new provider).
-- Once per statement, so a data load of many referrals recomputes each
-- provider once.
CREATE FUNCTION referrals_refresh_provider_quality() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    orgs uuid[];
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(organization_id ORDER BY provider_id), array_agg(provider_id ORDER BY provider_id) INTO orgs, ids
          FROM (SELECT DISTINCT organization_id, provider_id FROM new_rows) n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(organization_id ORDER BY provider_id), array_agg(provider_id ORDER BY provider_id) INTO orgs, ids
          FROM (SELECT DISTINCT organization_id, provider_id FROM old_rows) o;
    ELSE
        SELECT array_agg(organization_id ORDER BY provider_id), array_agg(provider_id ORDER BY provider_id) INTO orgs, ids
          FROM (SELECT o.organization_id, o.provider_id
                  FROM old_rows o JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
                 WHERE (o.provider_id, o.status, o.sent_at, o.responded_at, o.scheduled_at,
                        o.appointment_at, o.completed_at, o.satisfaction_rating)
                       IS DISTINCT FROM
                       (n.provider_id, n.status, n.sent_at, n.responded_at, n.scheduled_at,
                        n.appointment_at, n.completed_at, n.satisfaction_rating)
                UNION
                SELECT n.organization_id, n.provider_id
                  FROM old_rows o JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
                 WHERE (o.provider_id, o.status, o.sent_at, o.responded_at, o.scheduled_at,
                        o.appointment_at, o.completed_at, o.satisfaction_rating)
                       IS DISTINCT FROM
                       (n.provider_id, n.status, n.sent_at, n.responded_at, n.scheduled_at,
                        n.appointment_at, n.completed_at, n.satisfaction_rating)) c;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM provider_quality_refresh(orgs, ids);
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables answers one event, hence three.
CREATE TRIGGER referrals_insert_refresh_provider_quality
    AFTER INSERT ON referrals REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_refresh_provider_quality();
CREATE TRIGGER referrals_update_refresh_provider_quality
    AFTER UPDATE ON referrals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_refresh_provider_quality();
CREATE TRIGGER referrals_delete_refresh_provider_quality
    AFTER DELETE ON referrals REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_refresh_provider_quality();

SELECT provider_quality_refresh(array_agg(organization_id), array_agg(provider_id))
  FROM (SELECT DISTINCT organization_id, provider_id FROM referrals) r
HAVING count(*) > 0;

-- `shared::directory::miles_between`: great-circle miles (haversine), its
-- operations grouped as there so that both round alike.
CREATE FUNCTION directory_miles(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN 2 * 3958.8::float8 * asin(least(sqrt(
        sin((radians(lat2) - radians(lat1)) / 2) * sin((radians(lat2) - radians(lat1)) / 2)
        + cos(radians(lat1)) * cos(radians(lat2))
          * (sin(radians(lon2 - lon1) / 2) * sin(radians(lon2 - lon1) / 2))), 1));

-- `shared::directory::rank`'s score, its terms added in `rank`'s order so
-- that the floating-point sum is the same to the last bit: in network 40,
-- accepting new clients 20, the patient's language 25, their coverage 15,
-- up to 10 for closeness (one fewer per mile), 10 times the completion
-- rate, the mean satisfaction. An unknown figure adds nothing.
CREATE FUNCTION directory_score(in_network boolean, accepting boolean, speaks boolean, covers boolean,
                                miles float8, completion_rate float8, satisfaction float8) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 0::float8
        + CASE WHEN in_network THEN 40 ELSE 0 END
        + CASE WHEN accepting THEN 20 ELSE 0 END
        + CASE WHEN speaks THEN 25 ELSE 0 END
        + CASE WHEN covers THEN 15 ELSE 0 END
        + coalesce(greatest(10 - miles, 0), 0)
        + coalesce(10 * completion_rate, 0)
        + coalesce(satisfaction, 0);
