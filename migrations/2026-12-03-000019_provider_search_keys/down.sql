ALTER TABLE providers DROP COLUMN language_codes, DROP COLUMN payer_keys;
DROP FUNCTION directory_language_codes(text[]);
DROP FUNCTION directory_payer_keys(text[]);
