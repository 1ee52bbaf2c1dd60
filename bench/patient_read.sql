-- pgbench script: exactly the statements GET /api/v1/patients/{id} sends
-- for a signed-in user (read off Postgres' statement log), so `make bench`
-- shows the request next to the ceiling of its own SQL. Variables (-D):
-- sid (the sign-in), user, org, patient. Run with -M prepared, as diesel
-- prepares its statements.
SELECT users.id, users.organization_id, users.email, users.name, users.role, users.password_hash,
       users.active, users.session_epoch, organizations.time_zone,
       sign_ins.last_active_at, sign_ins.expires_at, sign_ins.end_reason
  FROM sign_ins
  JOIN users ON users.id = sign_ins.user_id AND users.organization_id = sign_ins.organization_id
  JOIN organizations ON organizations.id = users.organization_id
 WHERE sign_ins.id = :sid AND users.id = :user;
SELECT * FROM patients WHERE organization_id = :org AND id = :patient;
SELECT patient_id, system, value FROM patient_identifiers
 WHERE organization_id = :org AND patient_id = ANY (ARRAY[:patient]::uuid[])
 ORDER BY system, value;
INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_label, action, patient_id,
                          resource_type, resource_id, request_id, client_addr, details)
VALUES (:org, 'user', :user, 'cm1@riverside.example', 'patient.read', :patient,
        'patient', :patient, 'pgbench', '127.0.0.1', '{}');
