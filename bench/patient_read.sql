-- pgbench script: exactly the statements GET /api/v1/patients/{id} sends
-- for a signed-in user reading alone (read off Postgres' statement log):
-- the patient batcher's statement for a batch of one
-- (patients::store::read_many: the sign-in check and the patient with its
-- identifiers), then the batch's audit events as one INSERT, which
-- commits. So `make bench` shows the request next to the ceiling of its
-- own SQL when no two reads meet; bench/patient_read_batch8.sql is the
-- same for eight. Variables (-D): sid (the sign-in), user, org, patient.
-- Run with -M prepared, as diesel prepares its statements.
SELECT q.n, users.id, users.organization_id, users.email, users.name, users.role,
       users.active, users.session_epoch, organizations.time_zone,
       sign_ins.last_active_at, sign_ins.expires_at, sign_ins.end_reason,
       patients.*, patient_identifiers.system, patient_identifiers.value
  FROM unnest(ARRAY[:org]::uuid[], ARRAY[:user]::uuid[],
              ARRAY[:sid]::uuid[], ARRAY[:patient]::uuid[])
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
SELECT * FROM unnest(ARRAY[:org]::uuid[], ARRAY['user']::text[], ARRAY[:user]::uuid[],
                     ARRAY['cm1@riverside.example']::text[], ARRAY['patient.read']::text[], ARRAY[:patient]::uuid[],
                     ARRAY['patient']::text[], ARRAY[:patient]::text[], ARRAY['pgbench']::text[], ARRAY['127.0.0.1']::text[],
                     ARRAY['{}']::jsonb[]);
