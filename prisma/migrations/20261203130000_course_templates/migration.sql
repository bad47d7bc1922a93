-- CreateEnum
CREATE TYPE "TemplateVersionStatus" AS ENUM ('DRAFT', 'PUBLISHED');

-- AlterTable
ALTER TABLE "ProblemTemplate" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3),
ADD COLUMN     "copiedFromId" TEXT,
ADD COLUMN     "courseId" UUID,
ADD COLUMN     "slug" TEXT;

-- Built-ins keep their id as their slug.
UPDATE "ProblemTemplate" SET "slug" = "id";
ALTER TABLE "ProblemTemplate" ALTER COLUMN "slug" SET NOT NULL;

-- AlterTable
ALTER TABLE "TemplateVersion" ADD COLUMN     "createdById" UUID,
ADD COLUMN     "selfTest" JSONB,
ADD COLUMN     "selfTestPassed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sourceText" TEXT,
ADD COLUMN     "status" "TemplateVersionStatus" NOT NULL DEFAULT 'PUBLISHED';

-- CreateIndex
CREATE UNIQUE INDEX "ProblemTemplate_courseId_slug_key" ON "ProblemTemplate"("courseId", "slug");

-- AddForeignKey
ALTER TABLE "ProblemTemplate" ADD CONSTRAINT "ProblemTemplate_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;
