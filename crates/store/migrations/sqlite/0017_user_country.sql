-- The country whose crisis lines a member is shown (ISO 3166-1 alpha-2, or another value for
-- "somewhere else"); NULL: suggested by their time zone.
ALTER TABLE users ADD COLUMN country TEXT;
