DELETE FROM alerts WHERE kind = 'risk_increase';
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement', 'safety'));
DROP TABLE risk_overrides;
DROP TABLE risk_assessments;
ALTER TABLE patients DROP COLUMN risk_factors;
ALTER TABLE patients DROP COLUMN assessed_risk_level;
