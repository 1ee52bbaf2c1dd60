CREATE OR REPLACE FUNCTION directory_miles(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN 2 * 3958.8::float8 * asin(least(sqrt(
        sin((radians(lat2) - radians(lat1)) / 2) * sin((radians(lat2) - radians(lat1)) / 2)
        + cos(radians(lat1)) * cos(radians(lat2))
          * (sin(radians(lon2 - lon1) / 2) * sin(radians(lon2 - lon1) / 2))), 1));
