DROP INDEX "audit_events_created_idx";--> statement-breakpoint
DROP INDEX "objects_outstanding_name_idx";