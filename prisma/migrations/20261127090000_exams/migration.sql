-- CreateEnum
CREATE TYPE "ExamStatus" AS ENUM ('DRAFT', 'PUBLISHED', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "AttemptStatus" AS ENUM ('OPEN', 'FINISHED');

-- AlterTable
ALTER TABLE "Variant" ADD COLUMN     "attemptQuestionId" UUID;

-- AlterTable
ALTER TABLE "Submission" ADD COLUMN     "attemptQuestionId" UUID;

-- CreateTable
CREATE TABLE "Exam" (
    "id" UUID NOT NULL,
    "courseId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "status" "ExamStatus" NOT NULL DEFAULT 'DRAFT',
    "blueprint" JSONB NOT NULL,
    "copiedFromId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "publishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Exam_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExamOverride" (
    "examId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "extraMinutes" INTEGER NOT NULL DEFAULT 0,
    "closesAt" TIMESTAMPTZ(3),
    "extraAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExamOverride_pkey" PRIMARY KEY ("examId","userId")
);

-- CreateTable
CREATE TABLE "Attempt" (
    "id" UUID NOT NULL,
    "examId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "status" "AttemptStatus" NOT NULL DEFAULT 'OPEN',
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "deadline" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "finishedBy" TEXT,
    "points" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "maxPoints" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "Attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AttemptQuestion" (
    "id" UUID NOT NULL,
    "attemptId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "sectionIndex" INTEGER NOT NULL,
    "templateId" TEXT NOT NULL,
    "maxPoints" DOUBLE PRECISION NOT NULL,
    "triesUsed" INTEGER NOT NULL DEFAULT 0,
    "earned" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "overridePoints" DOUBLE PRECISION,
    "savedAnswers" JSONB,
    "savedAt" TIMESTAMPTZ(3),

    CONSTRAINT "AttemptQuestion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PointsOverrideAudit" (
    "id" UUID NOT NULL,
    "attemptQuestionId" UUID NOT NULL,
    "byUserId" UUID NOT NULL,
    "previousPoints" DOUBLE PRECISION,
    "newPoints" DOUBLE PRECISION,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PointsOverrideAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Regrade" (
    "id" UUID NOT NULL,
    "examId" UUID NOT NULL,
    "byUserId" UUID NOT NULL,
    "spec" JSONB NOT NULL,
    "changes" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Regrade_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Exam_courseId_status_idx" ON "Exam"("courseId", "status");

-- CreateIndex
CREATE INDEX "Attempt_status_deadline_idx" ON "Attempt"("status", "deadline");

-- CreateIndex
CREATE UNIQUE INDEX "Attempt_examId_userId_number_key" ON "Attempt"("examId", "userId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "AttemptQuestion_attemptId_position_key" ON "AttemptQuestion"("attemptId", "position");

-- CreateIndex
CREATE INDEX "Regrade_examId_idx" ON "Regrade"("examId");

-- CreateIndex
CREATE INDEX "Variant_attemptQuestionId_idx" ON "Variant"("attemptQuestionId");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_attemptQuestionId_tryNumber_key" ON "Submission"("attemptQuestionId", "tryNumber");

-- AddForeignKey
ALTER TABLE "Variant" ADD CONSTRAINT "Variant_attemptQuestionId_fkey" FOREIGN KEY ("attemptQuestionId") REFERENCES "AttemptQuestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_attemptQuestionId_fkey" FOREIGN KEY ("attemptQuestionId") REFERENCES "AttemptQuestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Exam" ADD CONSTRAINT "Exam_courseId_fkey" FOREIGN KEY ("courseId") REFERENCES "Course"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExamOverride" ADD CONSTRAINT "ExamOverride_examId_fkey" FOREIGN KEY ("examId") REFERENCES "Exam"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExamOverride" ADD CONSTRAINT "ExamOverride_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attempt" ADD CONSTRAINT "Attempt_examId_fkey" FOREIGN KEY ("examId") REFERENCES "Exam"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attempt" ADD CONSTRAINT "Attempt_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AttemptQuestion" ADD CONSTRAINT "AttemptQuestion_attemptId_fkey" FOREIGN KEY ("attemptId") REFERENCES "Attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointsOverrideAudit" ADD CONSTRAINT "PointsOverrideAudit_attemptQuestionId_fkey" FOREIGN KEY ("attemptQuestionId") REFERENCES "AttemptQuestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Regrade" ADD CONSTRAINT "Regrade_examId_fkey" FOREIGN KEY ("examId") REFERENCES "Exam"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one open attempt per student and exam: two tabs starting at once cannot both win.
-- (Prisma's schema language cannot express a partial unique index.)
CREATE UNIQUE INDEX "Attempt_one_open_per_student" ON "Attempt"("examId", "userId") WHERE "status" = 'OPEN';
