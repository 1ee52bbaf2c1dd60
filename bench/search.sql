-- Name search at scale, for `make bench`: one organization grows to 1,000,000
-- patients with realistic name frequencies, each with an MRN, and the
-- patient list's search parts (api/src/patients/search.rs, store.rs `list`)
-- are EXPLAIN ANALYZEd. scripts/bench.sh then times the same searches
-- through the API (step 6).
--
-- Family names: 60% come from ten common names, each with letter variants
-- ("smith", "smyth", "smithe", "smithson"), picked with a 1/rank skew, so
-- "smith" alone is about 7.5% of the organization and the "smi" prefix more;
-- the other 40% from a tail of about 15,000 three-syllable names. Given
-- names: 70% from 24 common names with the same skew, the rest from a
-- two-syllable tail. Seeded, so every run has the same names.
\set ON_ERROR_STOP on
SELECT id AS org FROM organizations WHERE name = 'Lakeside Health Home' \gset
SELECT setseed(0.1101);
CREATE TEMP TABLE search_names AS
SELECT n,
       CASE WHEN random() < 0.6 THEN
         (ARRAY['Smith','Smyth','Smithe','Smithson',  'Johnson','Johnston','Johnsen','Jonson',
                'Garcia','Garcias','Gracia','Garces',  'Nguyen','Nguen','Ngyuen','Nguyen-Tran',
                'Okafor','Okafo','Okaforr','Okafor-Obi',  'Kim','Kimm','Kimball','Kimura',
                'Lopez','Lopes','Lopez-Diaz','Lopezz',  'Patel','Patell','Patil','Pately',
                'Williams','William','Williamson','Willams',  'Brown','Browne','Browning','Braun'])
           [1 + 4 * (floor(power(11, random()))::int - 1) + (floor(power(5, random()))::int - 1)]
       ELSE
         initcap((ARRAY['ab','bel','cor','dan','el','far','gil','har','is','jor','kel','lan','mor',
                        'nor','os','pel','quin','ros','sal','tor','ul','val','wes','yor','zan'])[1 + floor(random() * 25)::int]
              || (ARRAY['a','e','i','o','u','an','en','in','on','ar','er','or','ul','ay','ey','ia','io','ea','ou','oy',
                        'ab','ed','ig','ot','uz'])[1 + floor(random() * 25)::int]
              || (ARRAY['son','berg','ton','ley','man','ski','ez','ova','ard','ini','sen','well','by','ford','wick',
                        'dale','ham','lund','mark','stad','ow','ett','ich','ian','ope'])[1 + floor(random() * 25)::int])
       END AS family,
       CASE WHEN random() < 0.7 THEN
         (ARRAY['Maria','James','Linh','Omar','Grace','Tomas','Aisha','Wei','Mary','John','Ana','Jose',
                'David','Sarah','Michael','Fatima','Luis','Emily','Daniel','Chen','Ngozi','Robert','Mei','Sofia'])
           [floor(power(25, random()))::int]
       ELSE
         initcap((ARRAY['al','bri','ca','del','em','fra','ga','hel','iv','ja','ka','le','mi','na','ol','pa',
                        'ra','sa','ta','va'])[1 + floor(random() * 20)::int]
              || (ARRAY['na','ra','lie','rin','mon','ton','via','der','den','lyn','ric','mar','sie','tan','la',
                        'bel','dre','ris','na','ren'])[1 + floor(random() * 20)::int])
       END AS given
  FROM generate_series(1, 1000000) AS n;
INSERT INTO patients (id, organization_id, given_name, family_name, birth_date, sex, preferred_language,
                      interpreter_needed, insurance_medicaid, status, risk_level, version, created_at, updated_at)
SELECT md5('search-patient-' || n)::uuid, :'org', given, family,
       date '1940-01-01' + n % 25000, 'unknown', 'en', false, false, 'active', 'low', 1, now(), now()
  FROM search_names;
INSERT INTO patient_identifiers (organization_id, patient_id, system, value)
SELECT :'org', md5('search-patient-' || n)::uuid, 'urn:lakeside:mrn', 'LK' || lpad(n::text, 7, '0')
  FROM search_names;
ANALYZE patients;
ANALYZE patient_identifiers;
\echo '== the ten most common family names and the "smi" prefix'
SELECT family_key, count(*) FROM patients WHERE organization_id = :'org'
 GROUP BY family_key ORDER BY count(*) DESC LIMIT 10;
SELECT count(*) AS smi_prefix FROM patients WHERE organization_id = :'org' AND family_key LIKE 'smi%';
-- The parts of `q=smith` as the list reads them (25 a page, 26 fetched):
-- an exact identifier, then family names (patients_name_idx), then given
-- names (patients_given_idx), each excluding the earlier parts' rows.
\echo '== q=smith, part 1: identifier "smith"'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id FROM patients WHERE organization_id = :'org'
   AND id IN (SELECT patient_id FROM patient_identifiers WHERE organization_id = :'org' AND value = 'smith')
 ORDER BY family_key, given_key, id LIMIT 26;
\echo '== q=smith, part 2: family names from "smith", first page'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id FROM patients WHERE organization_id = :'org' AND family_key LIKE 'smith%'
   AND NOT id IN (SELECT patient_id FROM patient_identifiers WHERE organization_id = :'org' AND value = 'smith')
 ORDER BY family_key, given_key, id LIMIT 26;
\echo '== q=maria, part 3: given names from "maria" (no family name starts so)'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id FROM patients WHERE organization_id = :'org' AND given_key LIKE 'maria%'
   AND NOT family_key LIKE 'maria%'
   AND NOT id IN (SELECT patient_id FROM patient_identifiers WHERE organization_id = :'org' AND value = 'maria')
 ORDER BY given_key, family_key, id LIMIT 26;
\echo '== q=linh smithson, part 1: given "linh", family "smithson"'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id FROM patients WHERE organization_id = :'org' AND family_key LIKE 'smithson%' AND given_key LIKE 'linh%'
 ORDER BY family_key, given_key, id LIMIT 26;
\echo '== q=LK0500000, part 1: the identifier'
EXPLAIN (ANALYZE, BUFFERS, SUMMARY)
SELECT id FROM patients WHERE organization_id = :'org'
   AND id IN (SELECT patient_id FROM patient_identifiers WHERE organization_id = :'org' AND value = 'LK0500000')
 ORDER BY family_key, given_key, id LIMIT 26;
