CREATE TYPE "public"."rollout_status" AS ENUM('running', 'paused', 'completed', 'aborted', 'superseded');--> statement-breakpoint
CREATE TABLE "instance_states" (
	"unit_id" uuid NOT NULL,
	"service_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"instance" integer NOT NULL,
	"content" text NOT NULL,
	"checksum" text NOT NULL,
	"size" integer NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "instance_states_unit_id_service_id_subject_id_instance_pk" PRIMARY KEY("unit_id","service_id","subject_id","instance")
);
--> statement-breakpoint
CREATE TABLE "monitoring_latest" (
	"unit_id" uuid NOT NULL,
	"series" text NOT NULL,
	"node" text NOT NULL,
	"item_id" text,
	"subject_id" text,
	"instance" integer,
	"at" timestamp with time zone NOT NULL,
	"cpu" bigint NOT NULL,
	"ram" bigint NOT NULL,
	"download" bigint,
	"upload" bigint,
	"pids" integer,
	"partitions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "monitoring_latest_unit_id_series_pk" PRIMARY KEY("unit_id","series")
);
--> statement-breakpoint
CREATE TABLE "monitoring_rollups" (
	"unit_id" uuid NOT NULL,
	"series" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"item_id" text,
	"samples" integer NOT NULL,
	"cpu_sum" double precision NOT NULL,
	"ram_sum" double precision NOT NULL,
	"download_sum" double precision DEFAULT 0 NOT NULL,
	"upload_sum" double precision DEFAULT 0 NOT NULL,
	"pids_sum" double precision DEFAULT 0 NOT NULL,
	"pids_samples" integer DEFAULT 0 NOT NULL,
	"partitions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"partitions_at" timestamp with time zone NOT NULL,
	CONSTRAINT "monitoring_rollups_unit_id_series_at_pk" PRIMARY KEY("unit_id","series","at")
);
--> statement-breakpoint
CREATE TABLE "monitoring_samples" (
	"unit_id" uuid NOT NULL,
	"series" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"item_id" text,
	"cpu" bigint NOT NULL,
	"ram" bigint NOT NULL,
	"download" bigint,
	"upload" bigint,
	"pids" integer,
	"partitions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "monitoring_samples_unit_id_series_at_pk" PRIMARY KEY("unit_id","series","at")
);
--> statement-breakpoint
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
CREATE TABLE "unit_alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unit_alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"unit_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"tag" text NOT NULL,
	"service_id" text,
	"subject_id" text,
	"instance" integer,
	"node_id" text,
	"parameter" text,
	"value" bigint,
	"peak" bigint,
	"message" text,
	"state" text,
	"active" boolean DEFAULT false NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"fallen_at" timestamp with time zone,
	"events" integer DEFAULT 1 NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "version_default_states" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"content" text,
	"read_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "instance_states" ADD CONSTRAINT "instance_states_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_states" ADD CONSTRAINT "instance_states_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_latest" ADD CONSTRAINT "monitoring_latest_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_rollups" ADD CONSTRAINT "monitoring_rollups_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_samples" ADD CONSTRAINT "monitoring_samples_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_events" ADD CONSTRAINT "rollout_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_units" ADD CONSTRAINT "rollout_units_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_units" ADD CONSTRAINT "rollout_units_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_version_id_service_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."service_versions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_alerts" ADD CONSTRAINT "unit_alerts_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_default_states" ADD CONSTRAINT "version_default_states_version_id_service_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."service_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "instance_states_service_idx" ON "instance_states" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "monitoring_latest_item_idx" ON "monitoring_latest" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "monitoring_rollups_at_brin" ON "monitoring_rollups" USING brin ("at");--> statement-breakpoint
CREATE INDEX "monitoring_samples_at_brin" ON "monitoring_samples" USING brin ("at");--> statement-breakpoint
CREATE INDEX "rollout_events_rollout_idx" ON "rollout_events" USING btree ("rollout_id");--> statement-breakpoint
CREATE INDEX "rollout_units_unit_idx" ON "rollout_units" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "rollouts_service_idx" ON "rollouts" USING btree ("service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_active_idx" ON "rollouts" USING btree ("service_id","subject_id") WHERE "rollouts"."status" in ('running', 'paused');--> statement-breakpoint
CREATE INDEX "unit_alerts_unit_last_idx" ON "unit_alerts" USING btree ("unit_id","last_at");--> statement-breakpoint
CREATE INDEX "unit_alerts_service_last_idx" ON "unit_alerts" USING btree ("service_id","last_at");--> statement-breakpoint
CREATE INDEX "unit_alerts_last_idx" ON "unit_alerts" USING btree ("last_at");