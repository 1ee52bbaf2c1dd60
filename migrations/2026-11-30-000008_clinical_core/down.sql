DROP TABLE education_records;
DROP TABLE chart_review_findings;
DROP TABLE chart_reviews;
DROP TABLE scheduler_runs;
DROP TABLE scheduled_duties;
DROP TABLE care_plan_versions;
DROP TABLE care_plans;
