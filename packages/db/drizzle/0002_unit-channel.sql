CREATE TABLE "provisioning_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"unit_id" uuid NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "unit_desired_statuses" (
	"unit_id" uuid PRIMARY KEY NOT NULL,
	"generation" bigint NOT NULL,
	"digest" text NOT NULL,
	"document" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_instance_statuses" (
	"unit_id" uuid NOT NULL,
	"item_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"instance" bigint NOT NULL,
	"version" text NOT NULL,
	"state" text NOT NULL,
	"error_info" jsonb,
	"reported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unit_instance_statuses_unit_id_item_id_subject_id_instance_pk" PRIMARY KEY("unit_id","item_id","subject_id","instance")
);
--> statement-breakpoint
CREATE TABLE "unit_item_statuses" (
	"unit_id" uuid NOT NULL,
	"item_id" text NOT NULL,
	"version" text NOT NULL,
	"state" text NOT NULL,
	"error_info" jsonb,
	"reported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unit_item_statuses_unit_id_item_id_version_pk" PRIMARY KEY("unit_id","item_id","version")
);
--> statement-breakpoint
CREATE TABLE "unit_status_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unit_status_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"unit_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"state" text NOT NULL,
	"version" text,
	"error_info" jsonb
);
--> statement-breakpoint
ALTER TABLE "service_versions" ADD COLUMN "index_digest" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "connected_process" uuid;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "certificate_fingerprint" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "certificate_pem" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "provisioned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "node_info" jsonb;--> statement-breakpoint
ALTER TABLE "provisioning_tokens" ADD CONSTRAINT "provisioning_tokens_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_tokens" ADD CONSTRAINT "provisioning_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_desired_statuses" ADD CONSTRAINT "unit_desired_statuses_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_instance_statuses" ADD CONSTRAINT "unit_instance_statuses_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_item_statuses" ADD CONSTRAINT "unit_item_statuses_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_status_events" ADD CONSTRAINT "unit_status_events_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provisioning_tokens_unit_idx" ON "provisioning_tokens" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "unit_instance_statuses_item_idx" ON "unit_instance_statuses" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "unit_item_statuses_item_idx" ON "unit_item_statuses" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "unit_status_events_unit_at_idx" ON "unit_status_events" USING btree ("unit_id","at");--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_connected_process_cloud_processes_id_fk" FOREIGN KEY ("connected_process") REFERENCES "public"."cloud_processes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_certificate_fingerprint_unique" UNIQUE("certificate_fingerprint");