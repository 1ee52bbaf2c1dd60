-- Name search at scale, for `make bench`: one organization grows to 1,000,000
-- patients and the list's name-prefix search (api/src/patients/store.rs:
-- `family_key LIKE 'pre%' OR given_key LIKE 'pre%'`, ordered by name) is
-- EXPLAIN ANALYZEd.
\set ON_ERROR_STOP on
SELECT id AS org FROM organizations WHERE name = 'Lakeside Health Home' \gset
INSERT INTO patients (id, organization_id, given_name, family_name, birth_date, sex, preferred_language,
                      interpreter_needed, insurance_medicaid, status, risk_level, version, created_at, updated_at)
SELECT gen_random_uuid(), :'org',
       (ARRAY['Maria','James','Linh','Omar','Grace','Tomas','Aisha','Wei'])[1 + n % 8] || (n % 997),
       (ARRAY['Garcia','Nguyen','Smith','Okafor','Kim','Johnson','Lopez','Patel'])[1 + (n / 8) % 8] || (n % 1009),
       date '1950-01-01' + n % 20000, 'unknown', 'en', false, false, 'active', 'low', 1, now(), now()
  FROM generate_series(1, 1000000) AS n;
ANALYZE patients;
\echo '== family or given name prefix "okafor12", first page of 25'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id, family_name, given_name FROM patients
 WHERE organization_id = :'org' AND (family_key LIKE 'okafor12%' OR given_key LIKE 'okafor12%')
 ORDER BY family_key, given_key, id LIMIT 26;
\echo '== "given family" search: given "linh4", family "kim"'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id, family_name, given_name FROM patients
 WHERE organization_id = :'org'
   AND ((given_key LIKE 'linh4%' AND family_key LIKE 'kim%') OR (family_key LIKE 'linh4%' AND given_key LIKE 'kim%'))
 ORDER BY family_key, given_key, id LIMIT 26;
