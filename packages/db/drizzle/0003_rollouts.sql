CREATE TYPE "public"."rollout_status" AS ENUM('running', 'paused', 'completed', 'aborted', 'superseded');--> statement-breakpoint
CREATE TABLE "rollout_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "rollout_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rollout_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"wave" integer,
	"reason" text NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"user_id" uuid
);
--> statement-breakpoint
CREATE TABLE "rollout_units" (
	"rollout_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"wave" integer NOT NULL,
	"from_version" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"since" timestamp with time zone,
	"reason" text,
	CONSTRAINT "rollout_units_rollout_id_unit_id_pk" PRIMARY KEY("rollout_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"version" text NOT NULL,
	"baseline_version" text,
	"plan" jsonb NOT NULL,
	"status" "rollout_status" DEFAULT 'running' NOT NULL,
	"accepted_failures" integer DEFAULT 0 NOT NULL,
	"current_wave" integer DEFAULT 0 NOT NULL,
	"wave_started_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_units" ADD CONSTRAINT "rollout_units_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_units" ADD CONSTRAINT "rollout_units_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_version_id_service_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."service_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollout_events_rollout_idx" ON "rollout_events" USING btree ("rollout_id");--> statement-breakpoint
CREATE INDEX "rollout_units_unit_idx" ON "rollout_units" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "rollouts_service_idx" ON "rollouts" USING btree ("service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_active_idx" ON "rollouts" USING btree ("service_id","subject_id") WHERE "rollouts"."status" in ('running', 'paused');