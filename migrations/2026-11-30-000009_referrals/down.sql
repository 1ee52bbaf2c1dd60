DELETE FROM alerts WHERE kind = 'referral_overdue';
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement', 'safety', 'risk_increase'));
DELETE FROM scheduled_duties WHERE kind = 'enrollment_renewal';
ALTER TABLE scheduled_duties DROP CONSTRAINT IF EXISTS scheduled_duties_kind_check;
ALTER TABLE scheduled_duties ADD CONSTRAINT scheduled_duties_kind_check CHECK (kind IN
    ('phq9_routine', 'phq9_six_month', 'phq9_twelve_month', 'care_plan_review'));
DROP TABLE enrollments;
DROP TABLE programs;
DROP TABLE referral_barriers;
DROP TABLE referral_status_changes;
DROP TABLE referrals;
DROP TABLE service_criteria;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_provider_fk;
ALTER TABLE api_keys DROP COLUMN provider_id;
DROP TABLE provider_credentials;
DROP TABLE provider_activities;
DROP TABLE providers;
DROP TABLE postal_code_centroids;
