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
ALTER TABLE "monitoring_latest" ADD CONSTRAINT "monitoring_latest_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_rollups" ADD CONSTRAINT "monitoring_rollups_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_samples" ADD CONSTRAINT "monitoring_samples_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monitoring_latest_item_idx" ON "monitoring_latest" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "monitoring_rollups_at_brin" ON "monitoring_rollups" USING brin ("at");--> statement-breakpoint
CREATE INDEX "monitoring_samples_at_brin" ON "monitoring_samples" USING brin ("at");