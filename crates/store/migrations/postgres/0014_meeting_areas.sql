-- The directory's areas, kept by its admins: regions, their sub-regions and their districts
-- (three levels at most). A meeting belongs to the area its region, sub-region and district
-- name, a group to the one its path names; an area's time zone is the one its meetings take when a feed names none (a district
-- without one takes its sub-region's, then its region's).
CREATE TABLE meeting_areas (
    id UUID PRIMARY KEY NOT NULL,
    parent_id UUID REFERENCES meeting_areas (id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_areas_parent ON meeting_areas (parent_id);
CREATE UNIQUE INDEX meeting_areas_name ON meeting_areas (COALESCE(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

ALTER TABLE meetings ADD COLUMN district TEXT NOT NULL DEFAULT '';
-- A group's area, as its path of names ("Illinois > Chicago"); its meetings that name none
-- are in it.
ALTER TABLE meeting_groups ADD COLUMN area TEXT NOT NULL DEFAULT '';
