ALTER TABLE providers DROP COLUMN specialty_text;
DROP FUNCTION directory_specialty_text(text[]);
