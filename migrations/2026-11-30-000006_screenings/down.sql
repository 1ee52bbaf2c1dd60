DELETE FROM alerts WHERE kind = 'safety';
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN
    ('admission', 'discharge', 'missed_appointment', 'disengagement'));
DROP TABLE screening_answers;
DROP TABLE screenings;
