/** Crossing the Json column boundary: plain data in, typed data out (written by us, so trusted). */
import type { Prisma } from '../generated/prisma/client.js';

/** toJson(v): v as a Prisma Json input (dates and undefined dropped as JSON would). */
export function toJson(v: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
}

/** fromJson<T>(v): a Json column this service wrote with shape T. */
export function fromJson<T>(v: Prisma.JsonValue): T {
  return v as unknown as T;
}
