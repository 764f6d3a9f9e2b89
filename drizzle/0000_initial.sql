CREATE TABLE "account_definition_groups" (
	"account_definition_id" bigint NOT NULL,
	"group_object_id" bigint NOT NULL,
	CONSTRAINT "account_definition_groups_account_definition_id_group_object_id_pk" PRIMARY KEY("account_definition_id","group_object_id")
);
--> statement-breakpoint
CREATE TABLE "account_definition_manage_levels" (
	"account_definition_id" bigint NOT NULL,
	"manage_level_id" bigint NOT NULL,
	CONSTRAINT "account_definition_manage_levels_account_definition_id_manage_level_id_pk" PRIMARY KEY("account_definition_id","manage_level_id")
);
--> statement-breakpoint
CREATE TABLE "account_definitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "account_definitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"target_system_type_id" bigint NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"default_manage_level_id" bigint NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" text NOT NULL,
	"tenant_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor" text NOT NULL,
	"actor_role" text,
	"action" text NOT NULL,
	"tenant_id" bigint,
	"subject_type" text,
	"subject_id" text,
	"outcome" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bulk_operation_failures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bulk_operation_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"bulk_operation_id" bigint NOT NULL,
	"object_id" bigint,
	"object_display_name" text,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bulk_operation_items" (
	"bulk_operation_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"object_id" bigint NOT NULL,
	"state" text DEFAULT 'PENDING' NOT NULL,
	CONSTRAINT "bulk_operation_items_bulk_operation_id_position_pk" PRIMARY KEY("bulk_operation_id","position")
);
--> statement-breakpoint
CREATE TABLE "bulk_operations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bulk_operations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"method" text NOT NULL,
	"processing" text NOT NULL,
	"continue_on_error" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'QUEUED' NOT NULL,
	"status_reason" text,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"rolled_back" boolean DEFAULT false NOT NULL,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tenant_ids" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "identities_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"first_name" text,
	"last_name" text,
	"display_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"queue" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'QUEUED' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "log_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "log_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"object_id" bigint NOT NULL,
	"method" text NOT NULL,
	"message" text NOT NULL,
	"member_key" text,
	"synchronization_run_id" bigint,
	"bulk_operation_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manage_levels" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "manage_levels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text,
	"inherits_groups" boolean DEFAULT false NOT NULL,
	"is_built_in" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "manage_levels_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "object_claims" (
	"object_id" bigint PRIMARY KEY NOT NULL,
	"bulk_operation_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objects" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "objects_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"target_system_id" bigint NOT NULL,
	"sync_table_id" bigint NOT NULL,
	"key" text NOT NULL,
	"display_name" text NOT NULL,
	"properties" jsonb NOT NULL,
	"container_id" bigint,
	"member_id" bigint,
	"is_indirect" boolean DEFAULT false NOT NULL,
	"inherited_from_account_definition_id" bigint,
	"outstanding_since" timestamp with time zone,
	"outstanding_cause" text,
	"log_purged_at" timestamp with time zone,
	"last_log_at" timestamp with time zone,
	"last_log_method" text,
	"identity_id" bigint,
	"account_definition_id" bigint,
	"manage_level_id" bigint,
	"provisioning_status" text,
	"provisioning_message" text,
	"provisioning_updated_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"directory" text NOT NULL,
	"files" jsonb NOT NULL,
	"size_bytes" bigint NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_tables" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_tables_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"kind" text NOT NULL,
	"object_kind" text NOT NULL,
	"is_custom" boolean DEFAULT false NOT NULL,
	"container_table_id" bigint,
	"member_table_id" bigint,
	"missing_action" text DEFAULT 'MARK_OUTSTANDING' NOT NULL,
	"guard_max_count" integer DEFAULT 500 NOT NULL,
	"guard_max_percent" integer DEFAULT 30 NOT NULL,
	"guard_min_table_size" integer DEFAULT 20 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_tables_name_unique" UNIQUE("name"),
	CONSTRAINT "sync_tables_kind_check" CHECK ("sync_tables"."kind" in ('OBJECT', 'ASSIGNMENT'))
);
--> statement-breakpoint
CREATE TABLE "synchronization_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "synchronization_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"target_system_id" bigint NOT NULL,
	"status" text DEFAULT 'QUEUED' NOT NULL,
	"status_reason" text,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"forced" boolean DEFAULT false NOT NULL,
	"forced_by" text,
	"culture" text,
	"source" jsonb NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"problem" jsonb
);
--> statement-breakpoint
CREATE TABLE "target_system_type_tables" (
	"target_system_type_id" bigint NOT NULL,
	"sync_table_id" bigint NOT NULL,
	"publishing_enabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "target_system_type_tables_target_system_type_id_sync_table_id_pk" PRIMARY KEY("target_system_type_id","sync_table_id")
);
--> statement-breakpoint
CREATE TABLE "target_system_types" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "target_system_types_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"connector_kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "target_system_types_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "target_systems" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "target_systems_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"target_system_type_id" bigint NOT NULL,
	"name" text NOT NULL,
	"connector_mode" text DEFAULT 'SIMULATED' NOT NULL,
	"write_access" boolean DEFAULT true NOT NULL,
	"base_url" text,
	"token_endpoint" text,
	"client_id" text,
	"encrypted_secret" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_claims" (
	"tenant_id" bigint PRIMARY KEY NOT NULL,
	"holder_kind" text NOT NULL,
	"holder_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tenants_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"primary_domain" text NOT NULL,
	"initial_account_definition_id" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "unresolved_references" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unresolved_references_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" bigint NOT NULL,
	"target_system_id" bigint NOT NULL,
	"sync_table_id" bigint NOT NULL,
	"container_key" text NOT NULL,
	"member_key" text NOT NULL,
	"container_id" bigint,
	"properties" jsonb NOT NULL,
	"first_seen_run_id" bigint,
	"last_seen_run_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_definition_groups" ADD CONSTRAINT "account_definition_groups_account_definition_id_account_definitions_id_fk" FOREIGN KEY ("account_definition_id") REFERENCES "public"."account_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_definition_manage_levels" ADD CONSTRAINT "account_definition_manage_levels_account_definition_id_account_definitions_id_fk" FOREIGN KEY ("account_definition_id") REFERENCES "public"."account_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_definition_manage_levels" ADD CONSTRAINT "account_definition_manage_levels_manage_level_id_manage_levels_id_fk" FOREIGN KEY ("manage_level_id") REFERENCES "public"."manage_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_definitions" ADD CONSTRAINT "account_definitions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_definitions" ADD CONSTRAINT "account_definitions_target_system_type_id_target_system_types_id_fk" FOREIGN KEY ("target_system_type_id") REFERENCES "public"."target_system_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_definitions" ADD CONSTRAINT "account_definitions_default_manage_level_id_manage_levels_id_fk" FOREIGN KEY ("default_manage_level_id") REFERENCES "public"."manage_levels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operation_failures" ADD CONSTRAINT "bulk_operation_failures_bulk_operation_id_bulk_operations_id_fk" FOREIGN KEY ("bulk_operation_id") REFERENCES "public"."bulk_operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_operation_items" ADD CONSTRAINT "bulk_operation_items_bulk_operation_id_bulk_operations_id_fk" FOREIGN KEY ("bulk_operation_id") REFERENCES "public"."bulk_operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_entries" ADD CONSTRAINT "log_entries_object_id_objects_id_fk" FOREIGN KEY ("object_id") REFERENCES "public"."objects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objects" ADD CONSTRAINT "objects_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objects" ADD CONSTRAINT "objects_target_system_id_target_systems_id_fk" FOREIGN KEY ("target_system_id") REFERENCES "public"."target_systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objects" ADD CONSTRAINT "objects_sync_table_id_sync_tables_id_fk" FOREIGN KEY ("sync_table_id") REFERENCES "public"."sync_tables"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synchronization_runs" ADD CONSTRAINT "synchronization_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "synchronization_runs" ADD CONSTRAINT "synchronization_runs_target_system_id_target_systems_id_fk" FOREIGN KEY ("target_system_id") REFERENCES "public"."target_systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_system_type_tables" ADD CONSTRAINT "target_system_type_tables_target_system_type_id_target_system_types_id_fk" FOREIGN KEY ("target_system_type_id") REFERENCES "public"."target_system_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_system_type_tables" ADD CONSTRAINT "target_system_type_tables_sync_table_id_sync_tables_id_fk" FOREIGN KEY ("sync_table_id") REFERENCES "public"."sync_tables"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_systems" ADD CONSTRAINT "target_systems_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target_systems" ADD CONSTRAINT "target_systems_target_system_type_id_target_system_types_id_fk" FOREIGN KEY ("target_system_type_id") REFERENCES "public"."target_system_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unresolved_references" ADD CONSTRAINT "unresolved_references_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unresolved_references" ADD CONSTRAINT "unresolved_references_target_system_id_target_systems_id_fk" FOREIGN KEY ("target_system_id") REFERENCES "public"."target_systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unresolved_references" ADD CONSTRAINT "unresolved_references_sync_table_id_sync_tables_id_fk" FOREIGN KEY ("sync_table_id") REFERENCES "public"."sync_tables"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_definitions_tenant_name_key" ON "account_definitions" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "audit_events_created_idx" ON "audit_events" USING btree ("id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor","id");--> statement-breakpoint
CREATE INDEX "audit_events_subject_idx" ON "audit_events" USING btree ("subject_id","id");--> statement-breakpoint
CREATE INDEX "bulk_operation_failures_operation_idx" ON "bulk_operation_failures" USING btree ("bulk_operation_id","id");--> statement-breakpoint
CREATE INDEX "bulk_operations_status_idx" ON "bulk_operations" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "identities_tenant_idx" ON "identities" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "jobs_ready_idx" ON "jobs" USING btree ("queue","run_at","id") WHERE "jobs"."status" = 'QUEUED';--> statement-breakpoint
CREATE INDEX "log_entries_object_idx" ON "log_entries" USING btree ("object_id","created_at","id");--> statement-breakpoint
CREATE INDEX "log_entries_created_idx" ON "log_entries" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "objects_natural_key" ON "objects" USING btree ("target_system_id","sync_table_id","key","is_indirect");--> statement-breakpoint
CREATE INDEX "objects_outstanding_marked_idx" ON "objects" USING btree ("outstanding_since","id") WHERE "objects"."outstanding_since" is not null;--> statement-breakpoint
CREATE INDEX "objects_outstanding_table_marked_idx" ON "objects" USING btree ("sync_table_id","outstanding_since","id") WHERE "objects"."outstanding_since" is not null;--> statement-breakpoint
CREATE INDEX "objects_outstanding_tenant_marked_idx" ON "objects" USING btree ("tenant_id","outstanding_since","id") WHERE "objects"."outstanding_since" is not null;--> statement-breakpoint
CREATE INDEX "objects_outstanding_name_idx" ON "objects" USING btree ("sync_table_id","display_name","id") WHERE "objects"."outstanding_since" is not null;--> statement-breakpoint
CREATE INDEX "objects_outstanding_last_log_idx" ON "objects" USING btree ("sync_table_id","last_log_at","id") WHERE "objects"."outstanding_since" is not null;--> statement-breakpoint
CREATE INDEX "objects_container_idx" ON "objects" USING btree ("container_id");--> statement-breakpoint
CREATE INDEX "objects_member_idx" ON "objects" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "objects_account_idx" ON "objects" USING btree ("tenant_id","sync_table_id","id");--> statement-breakpoint
CREATE INDEX "objects_identity_idx" ON "objects" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "objects_account_definition_idx" ON "objects" USING btree ("account_definition_id");--> statement-breakpoint
CREATE INDEX "synchronization_runs_tenant_idx" ON "synchronization_runs" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "target_systems_tenant_type_key" ON "target_systems" USING btree ("tenant_id","target_system_type_id");--> statement-breakpoint
CREATE UNIQUE INDEX "unresolved_references_key" ON "unresolved_references" USING btree ("target_system_id","sync_table_id","container_key","member_key");--> statement-breakpoint
CREATE INDEX "unresolved_references_tenant_idx" ON "unresolved_references" USING btree ("tenant_id","id");