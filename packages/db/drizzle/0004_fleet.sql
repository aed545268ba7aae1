CREATE INDEX "subject_units_unit_idx" ON "subject_units" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "unit_set_units_unit_idx" ON "unit_set_units" USING btree ("unit_id");