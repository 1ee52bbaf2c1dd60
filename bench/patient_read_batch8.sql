-- pgbench script: the statements of eight `GET /api/v1/patients/{id}`
-- reads that the patient batcher (http::batch) found waiting together:
-- patients::store::read_many for eight (organization, user, sign-in,
-- patient) rows of `unnest`, then their eight audit events in one INSERT
-- and commit. Reads per second are tps × 8. Same variables as
-- patient_read.sql; run with -M prepared.
SELECT q.n, users.id, users.organization_id, users.email, users.name, users.role,
       users.active, users.session_epoch, organizations.time_zone,
       sign_ins.last_active_at, sign_ins.expires_at, sign_ins.end_reason,
       patients.*, patient_identifiers.system, patient_identifiers.value
  FROM unnest(ARRAY[:org,:org,:org,:org,:org,:org,:org,:org]::uuid[], ARRAY[:user,:user,:user,:user,:user,:user,:user,:user]::uuid[],
              ARRAY[:sid,:sid,:sid,:sid,:sid,:sid,:sid,:sid]::uuid[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::uuid[])
       WITH ORDINALITY AS q(org, uid, sid, pid, n)
  JOIN sign_ins ON sign_ins.organization_id = q.org AND sign_ins.id = q.sid
  JOIN users ON users.id = sign_ins.user_id
   AND users.organization_id = sign_ins.organization_id AND users.id = q.uid
  JOIN organizations ON organizations.id = users.organization_id
  JOIN patients ON patients.organization_id = sign_ins.organization_id
   AND patients.organization_id = q.org AND patients.id = q.pid
  LEFT JOIN patient_identifiers ON patient_identifiers.patient_id = patients.id
   AND patient_identifiers.organization_id = patients.organization_id
 ORDER BY q.n, patient_identifiers.system, patient_identifiers.value;
INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_label, action, patient_id,
                          resource_type, resource_id, request_id, client_addr, details)
SELECT * FROM unnest(ARRAY[:org,:org,:org,:org,:org,:org,:org,:org]::uuid[], ARRAY['user','user','user','user','user','user','user','user']::text[], ARRAY[:user,:user,:user,:user,:user,:user,:user,:user]::uuid[],
                     ARRAY['cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example']::text[], ARRAY['patient.read','patient.read','patient.read','patient.read','patient.read','patient.read','patient.read','patient.read']::text[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::uuid[],
                     ARRAY['patient','patient','patient','patient','patient','patient','patient','patient']::text[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::text[], ARRAY['pgbench','pgbench','pgbench','pgbench','pgbench','pgbench','pgbench','pgbench']::text[], ARRAY['127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1']::text[],
                     ARRAY['{}','{}','{}','{}','{}','{}','{}','{}']::jsonb[]);
