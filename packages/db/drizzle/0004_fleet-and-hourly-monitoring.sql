CREATE TABLE "monitoring_hourly" (
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
	CONSTRAINT "monitoring_hourly_unit_id_series_at_pk" PRIMARY KEY("unit_id","series","at")
);
--> statement-breakpoint
ALTER TABLE "monitoring_hourly" ADD CONSTRAINT "monitoring_hourly_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monitoring_hourly_at_brin" ON "monitoring_hourly" USING brin ("at");--> statement-breakpoint
CREATE INDEX "subject_units_unit_idx" ON "subject_units" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "unit_set_units_unit_idx" ON "unit_set_units" USING btree ("unit_id");--> statement-breakpoint
-- Hand-written: hourly averages of the five-minute ones already stored, so week and month charts keep their history.
INSERT INTO "monitoring_hourly" ("unit_id", "series", "at", "item_id", "samples", "cpu_sum", "ram_sum", "download_sum", "upload_sum", "pids_sum", "pids_samples", "partitions", "partitions_at")
SELECT "unit_id", "series", date_bin('1 hour'::interval, "at", timestamptz 'epoch'), max("item_id"), sum("samples"), sum("cpu_sum"), sum("ram_sum"), sum("download_sum"), sum("upload_sum"), sum("pids_sum"), sum("pids_samples"), (array_agg("partitions" ORDER BY "partitions_at" DESC))[1], max("partitions_at")
FROM "monitoring_rollups" GROUP BY 1, 2, 3;
