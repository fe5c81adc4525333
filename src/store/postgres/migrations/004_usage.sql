-- 004: what each request costs (fal's billing units), and the index the usage summary reads
-- (SQLite's 004). SQLite's back-fill from old inputs is left out: no PostgreSQL store predates it.

ALTER TABLE requests ADD COLUMN units double precision NOT NULL DEFAULT 0;  -- set at submit (src/endpoints/cost.ts)

CREATE INDEX requests_owner_created ON requests (owner, created_at);
