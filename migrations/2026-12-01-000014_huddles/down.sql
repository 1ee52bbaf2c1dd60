DROP TABLE huddle_action_items;
DROP TABLE huddle_patients;
DROP TABLE huddle_attendees;
DROP TABLE huddles;
