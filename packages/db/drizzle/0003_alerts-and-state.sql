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
ALTER TABLE "unit_alerts" ADD CONSTRAINT "unit_alerts_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_default_states" ADD CONSTRAINT "version_default_states_version_id_service_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."service_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "instance_states_service_idx" ON "instance_states" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "unit_alerts_unit_last_idx" ON "unit_alerts" USING btree ("unit_id","last_at");--> statement-breakpoint
CREATE INDEX "unit_alerts_service_last_idx" ON "unit_alerts" USING btree ("service_id","last_at");--> statement-breakpoint
CREATE INDEX "unit_alerts_last_idx" ON "unit_alerts" USING btree ("last_at");