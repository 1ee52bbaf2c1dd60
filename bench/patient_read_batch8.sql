-- pgbench script: the statements of eight `GET /api/v1/patients/{id}`
-- reads sent as one: the sign-in check and the patient with its
-- identifiers for each of eight (sign-in, user, organization, patient)
-- rows of `unnest`, then their eight audit events in one INSERT. The
-- server does not send this; it measures how far batching the reads
-- themselves, not only their audit events (audit::writer), would move the
-- read's own ceiling (bench/RESULTS.md, "The patient read's SQL,
-- batched"). Reads per second are tps × 8. Same variables as
-- patient_read.sql; run with -M prepared.
SELECT q.n, c.*, r.*
  FROM unnest(ARRAY[:sid,:sid,:sid,:sid,:sid,:sid,:sid,:sid]::uuid[], ARRAY[:user,:user,:user,:user,:user,:user,:user,:user]::uuid[], ARRAY[:org,:org,:org,:org,:org,:org,:org,:org]::uuid[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::uuid[]) WITH ORDINALITY AS q(sid, uid, org, pid, n)
  LEFT JOIN LATERAL (SELECT users.id, users.organization_id, users.email, users.name, users.role,
               users.active, users.session_epoch, organizations.time_zone,
               sign_ins.last_active_at, sign_ins.expires_at, sign_ins.end_reason
          FROM sign_ins
          JOIN users ON users.id = sign_ins.user_id AND users.organization_id = sign_ins.organization_id
          JOIN organizations ON organizations.id = users.organization_id
         WHERE sign_ins.organization_id = q.org AND sign_ins.id = q.sid AND users.id = q.uid) c ON true
  LEFT JOIN LATERAL (SELECT patients.*, patient_identifiers.system, patient_identifiers.value
          FROM patients
          LEFT JOIN patient_identifiers
            ON patient_identifiers.patient_id = patients.id
           AND patient_identifiers.organization_id = patients.organization_id
         WHERE patients.organization_id = q.org AND patients.id = q.pid
         ORDER BY patient_identifiers.system, patient_identifiers.value) r ON true;
INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_label, action, patient_id,
                          resource_type, resource_id, request_id, client_addr, details)
SELECT * FROM unnest(ARRAY[:org,:org,:org,:org,:org,:org,:org,:org]::uuid[], ARRAY['user','user','user','user','user','user','user','user']::text[], ARRAY[:user,:user,:user,:user,:user,:user,:user,:user]::uuid[],
                     ARRAY['cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example','cm1@riverside.example']::text[], ARRAY['patient.read','patient.read','patient.read','patient.read','patient.read','patient.read','patient.read','patient.read']::text[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::uuid[],
                     ARRAY['patient','patient','patient','patient','patient','patient','patient','patient']::text[], ARRAY[:patient,:patient,:patient,:patient,:patient,:patient,:patient,:patient]::text[], ARRAY['pgbench','pgbench','pgbench','pgbench','pgbench','pgbench','pgbench','pgbench']::text[], ARRAY['127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1','127.0.0.1']::text[],
                     ARRAY['{}','{}','{}','{}','{}','{}','{}','{}']::jsonb[]);
