-- `directory_miles` as a function Postgres inlines into the directory's
-- page query (issue 11). Declared STRICT, its body had to be strict too
-- for the planner to inline it, and `least` is not (it skips NULLs), so
-- every provider a search scored paid a call into the SQL-function
-- executor, twice (the score and the distance each use it): about 8 µs of
-- a search's 9.5 µs per provider at 5,000 providers. The NULL case STRICT
-- gave is now written out: a point not located has no distance, where
-- `least(NULL, 1)` would have made it half the globe away.
--
-- The arithmetic is `shared::directory::miles_between`'s, unchanged, so
-- the scenario test that compares both to the last bit still holds; a
-- second one checks that the planner inlines it.
CREATE OR REPLACE FUNCTION directory_miles(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN lat1 IS NOT NULL AND lon1 IS NOT NULL AND lat2 IS NOT NULL AND lon2 IS NOT NULL
    THEN 2 * 3958.8::float8 * asin(least(sqrt(
        sin((radians(lat2) - radians(lat1)) / 2) * sin((radians(lat2) - radians(lat1)) / 2)
        + cos(radians(lat1)) * cos(radians(lat2))
          * (sin(radians(lon2 - lon1) / 2) * sin(radians(lon2 - lon1) / 2))), 1))
    END;
