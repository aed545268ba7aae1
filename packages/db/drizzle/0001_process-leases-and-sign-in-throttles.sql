CREATE TABLE "cloud_processes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"attempts" integer NOT NULL,
	"blocked_until" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "service_versions" ADD COLUMN "processing_owner" uuid;--> statement-breakpoint
CREATE INDEX "sign_in_throttles_last_attempt_idx" ON "sign_in_throttles" USING btree ("last_attempt_at");--> statement-breakpoint
ALTER TABLE "service_versions" ADD CONSTRAINT "service_versions_processing_owner_cloud_processes_id_fk" FOREIGN KEY ("processing_owner") REFERENCES "public"."cloud_processes"("id") ON DELETE set null ON UPDATE no action;