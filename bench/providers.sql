-- The provider directory at a large county's size, for `make bench`: 5,000
-- providers in the demo organization, each with one to three services,
-- one or two specialties, languages, payers, a network status and a ZIP
-- code the seed knows the centre of. scripts/bench.sh then times the
-- directory's searches through the API (step 7); each scores in SQL the
-- providers its filters match that can still reach its page, and reads
-- one page (api/src/providers/store/directory.rs).
\set ON_ERROR_STOP on
SELECT o.id AS org FROM organizations o JOIN users u ON u.organization_id = o.id
 WHERE u.email = 'cm1@riverside.example' \gset
SELECT setseed(0.2202);
INSERT INTO providers (id, organization_id, name, kind, services, specialties, languages, payers, medicaid,
                       accepting_new_clients, address_line1, address_city, address_state, address_postal_code,
                       phone, network_status, version, created_at, updated_at)
SELECT gen_random_uuid(), :'org',
       (ARRAY['Riverbend','Cedar','Harbor','Summit','Lakeview','Oak Grove','Northside','Unity','Bridgeway','New Path',
              'Sunrise','Willow','Valley','Crossroads','Beacon','Hope','Pioneer','Greenway','Maple','Horizon'])[1 + floor(random() * 20)::int]
         || ' ' ||
       (ARRAY['Counseling','Behavioral Health','Recovery Center','Family Services','Clinic','Psychiatry',
              'Wellness','Peer Network','Housing Partners','Health Center'])[1 + floor(random() * 10)::int]
         || ' ' || n,
       CASE WHEN random() < 0.3 THEN 'practitioner' ELSE 'organization' END,
       ARRAY(SELECT DISTINCT s FROM unnest(ARRAY[
               (ARRAY['inpatient_psychiatric','partial_hospitalization','intensive_outpatient','outpatient_therapy',
                      'psychiatry','substance_use_treatment','withdrawal_management','crisis_services','primary_care',
                      'peer_support','housing_support','other'])[1 + (n * 7) % 12],
               (ARRAY['outpatient_therapy','psychiatry','substance_use_treatment','peer_support'])[1 + n % 4],
               (ARRAY['outpatient_therapy','primary_care','housing_support','intensive_outpatient'])[1 + (n / 4) % 4]
             ]) AS s),
       -- Specialties as a county's directory lists them: most see adults, a
       -- few of the rest each, so a specialty search matches a few hundred.
       ARRAY(SELECT DISTINCT s FROM unnest(ARRAY[
               (ARRAY['adults','adults','adults','children','adolescents','older adults'])[1 + n % 6],
               (ARRAY['trauma','co-occurring disorders','serious mental illness','eating disorders','perinatal',
                      'veterans','LGBTQ+ affirming','autism','grief','adults','adults'])[1 + (n * 5) % 11]
             ]) AS s),
       CASE WHEN n % 3 = 0 THEN ARRAY['en', 'es'] WHEN n % 11 = 0 THEN ARRAY['en', 'vi'] ELSE ARRAY['en'] END,
       CASE WHEN n % 2 = 0 THEN ARRAY['Aetna', 'BlueCross'] ELSE ARRAY['Providence'] END,
       random() < 0.6, random() < 0.7,
       n || ' Main St', 'Portland', 'OR',
       (SELECT postal_code FROM postal_code_centroids ORDER BY postal_code OFFSET (n % (SELECT count(*) FROM postal_code_centroids)) LIMIT 1),
       '503-555-' || lpad((n % 10000)::text, 4, '0'),
       (ARRAY['in_network','in_network','in_network','prospect','credentialing'])[1 + n % 5],
       1, now(), now()
  FROM generate_series(1, 5000) AS n;
ANALYZE providers;
SELECT count(*) AS providers_in_the_organization FROM providers WHERE organization_id = :'org';

-- 25,000 referrals of the organization's patients to them, a fifth each
-- still open, declined, no-shows, and completed with a rating, so that the
-- ranking reads real figures: the referral triggers compute each
-- provider's (provider_quality) once for the whole statement.
WITH patient_ids AS (
    SELECT array_agg(id) AS ids FROM (SELECT id FROM patients WHERE organization_id = :'org' LIMIT 2000) p
), provider_ids AS (
    SELECT array_agg(id) AS ids FROM providers WHERE organization_id = :'org'
), drawn AS (
    SELECT n, floor(random() * 5)::int AS outcome, now() - (random() * 300 + 20) * interval '1 day' AS sent_at,
           patient_ids.ids[1 + floor(random() * cardinality(patient_ids.ids))::int] AS patient_id,
           provider_ids.ids[1 + floor(random() * cardinality(provider_ids.ids))::int] AS provider_id
      FROM generate_series(1, 25000) AS n, patient_ids, provider_ids
)
INSERT INTO referrals (id, organization_id, patient_id, provider_id, service, priority, reason, due_date, status,
                       sent_at, responded_at, scheduled_at, appointment_at, completed_at, closed_at,
                       satisfaction_rating, version, created_at, updated_at)
SELECT gen_random_uuid(), :'org', patient_id, provider_id, 'outpatient_therapy', 'routine', 'Bench referral',
       (sent_at + interval '14 days')::date,
       (ARRAY['sent', 'declined', 'no_show', 'closed', 'closed'])[outcome + 1],
       sent_at,
       CASE WHEN outcome > 0 THEN sent_at + interval '2 days' END,
       CASE WHEN outcome > 1 THEN sent_at + interval '3 days' END,
       CASE WHEN outcome > 1 THEN sent_at + (3 + n % 20) * interval '1 day' END,
       CASE WHEN outcome > 2 THEN sent_at + (3 + n % 20) * interval '1 day' END,
       CASE WHEN outcome > 2 THEN sent_at + (4 + n % 20) * interval '1 day' END,
       CASE WHEN outcome = 4 THEN 1 + floor(random() * 5)::smallint END,
       1, sent_at, sent_at
  FROM drawn;
-- The bench caseload's patients live in ZIP codes the seed knows the
-- centre of, so a search near one of them (step 7) measures each
-- provider's distance. Without an address a patient has no location:
-- the distance term was never computed and `within_miles` matched
-- nothing, so the bench timed an empty page.
UPDATE patients p
   SET address_line1 = n || ' Bench Street', address_city = 'Portland', address_state = 'OR',
       address_postal_code = (SELECT postal_code FROM postal_code_centroids ORDER BY postal_code
                              OFFSET (n % (SELECT count(*) FROM postal_code_centroids)) LIMIT 1)
  FROM (SELECT id, row_number() OVER (ORDER BY family_name) AS n
          FROM patients WHERE organization_id = :'org' AND family_name LIKE 'Caseload%') b
 WHERE p.id = b.id;
SELECT count(*) AS providers_with_referral_figures FROM provider_quality WHERE organization_id = :'org';
