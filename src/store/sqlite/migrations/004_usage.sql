-- 004: what each request costs (fal's billing units), and the index the usage summary reads.

ALTER TABLE requests ADD COLUMN units REAL NOT NULL DEFAULT 0;  -- set at submit from the input (src/endpoints/cost.ts)

-- Requests made before this migration: Ray 2's rule, read from the input they still have
-- (a purged input counts as the base: 540p, 5 s).
UPDATE requests
   SET units = (CASE json_extract(input, '$.resolution') WHEN '720p' THEN 2 WHEN '1080p' THEN 4 ELSE 1 END)
             * (CASE json_extract(input, '$.duration') WHEN '9s' THEN 2 ELSE 1 END)
 WHERE endpoint_id LIKE 'fal-ai/luma-dream-machine/ray-2%';

CREATE INDEX requests_owner_created ON requests (owner, created_at);
