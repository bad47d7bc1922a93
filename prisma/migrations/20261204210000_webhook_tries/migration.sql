-- CreateTable
CREATE TABLE "WebhookDeliveryTry" (
    "id" UUID NOT NULL,
    "deliveryId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "WebhookDeliveryTry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookDeliveryTry_deliveryId_at_idx" ON "WebhookDeliveryTry"("deliveryId", "at");

-- AddForeignKey
ALTER TABLE "WebhookDeliveryTry" ADD CONSTRAINT "WebhookDeliveryTry_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

