-- CreateTable
CREATE TABLE "FormatError" (
    "id" UUID NOT NULL,
    "variantId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "attemptQuestionId" UUID,
    "parts" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FormatError_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FormatError_attemptQuestionId_idx" ON "FormatError"("attemptQuestionId");

-- CreateIndex
CREATE INDEX "FormatError_variantId_idx" ON "FormatError"("variantId");

-- AddForeignKey
ALTER TABLE "FormatError" ADD CONSTRAINT "FormatError_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "Variant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FormatError" ADD CONSTRAINT "FormatError_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FormatError" ADD CONSTRAINT "FormatError_attemptQuestionId_fkey" FOREIGN KEY ("attemptQuestionId") REFERENCES "AttemptQuestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

