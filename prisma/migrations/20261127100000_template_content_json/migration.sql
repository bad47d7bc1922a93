-- Template content keeps its key order: parameters are drawn in the order they are written,
-- and jsonb (the previous type) reorders object keys. Versions stored before this migration keep
-- jsonb's order; none had been deployed.
-- AlterTable
ALTER TABLE "TemplateVersion" ALTER COLUMN "content" SET DATA TYPE JSON;

