-- pgbench script: exactly the statements GET /api/v1/patients/{id} sends
-- for a signed-in user (read off Postgres' statement log): the sign-in
-- check and the patient with its identifiers as one statement
-- (auth::store::with_session_user), then the audit event. So `make bench`
-- shows the request next to the ceiling of its own SQL. Variables (-D):
-- sid (the sign-in), user, org, patient. Run with -M prepared, as diesel
-- prepares its statements. Here each audit INSERT commits alone; the
-- server group-commits the events of concurrent reads (audit::writer).
SELECT c.*, r.*
  FROM (SELECT users.id, users.organization_id, users.email, users.name, users.role,
               users.active, users.session_epoch, organizations.time_zone,
               sign_ins.last_active_at, sign_ins.expires_at, sign_ins.end_reason
          FROM sign_ins
          JOIN users ON users.id = sign_ins.user_id AND users.organization_id = sign_ins.organization_id
          JOIN organizations ON organizations.id = users.organization_id
         WHERE sign_ins.organization_id = :org AND sign_ins.id = :sid AND users.id = :user) c,
       (SELECT patients.*, patient_identifiers.system, patient_identifiers.value
          FROM patients
          LEFT JOIN patient_identifiers
            ON patient_identifiers.patient_id = patients.id
           AND patient_identifiers.organization_id = patients.organization_id
         WHERE patients.organization_id = :org AND patients.id = :patient
         ORDER BY patient_identifiers.system, patient_identifiers.value) r;
INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_label, action, patient_id,
                          resource_type, resource_id, request_id, client_addr, details)
SELECT * FROM unnest(ARRAY[:org]::uuid[], ARRAY['user'], ARRAY[:user]::uuid[],
                     ARRAY['cm1@riverside.example'], ARRAY['patient.read'], ARRAY[:patient]::uuid[],
                     ARRAY['patient'], ARRAY[:patient]::text[], ARRAY['pgbench'], ARRAY['127.0.0.1'],
                     ARRAY['{}']::jsonb[]);
