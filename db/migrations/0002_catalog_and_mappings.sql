CREATE TABLE "autotask_catalog_state" (
	"org_id" text PRIMARY KEY NOT NULL,
	"run_id" uuid,
	"run_mode" text,
	"run_started_at" timestamp with time zone,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"pages_expected" integer,
	"last_mode" text,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_outcome" text,
	"last_error" text,
	"last_company_rows" integer,
	"last_picklist_values" integer,
	"last_page_calls" integer,
	"companies_watermark" timestamp (3) with time zone,
	"last_full_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "autotask_companies" (
	"org_id" text NOT NULL,
	"company_id" integer NOT NULL,
	"name" text NOT NULL,
	"company_type" integer,
	"is_active" boolean NOT NULL,
	"web_address" text,
	"last_modified_at" timestamp with time zone,
	"present" boolean DEFAULT true NOT NULL,
	"seen_in_run" uuid NOT NULL,
	CONSTRAINT "autotask_companies_org_id_company_id_pk" PRIMARY KEY("org_id","company_id")
);
--> statement-breakpoint
CREATE TABLE "autotask_configuration" (
	"org_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"queue" integer,
	"creation_status" integer,
	"update_status" integer,
	"resolution_status" integer,
	"priority_low" integer,
	"priority_medium" integer,
	"priority_high" integer,
	"priority_critical" integer,
	"issue_type" integer,
	"sub_issue_type" integer,
	"source" integer,
	"ticket_type" integer,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "autotask_picklist_values" (
	"org_id" text NOT NULL,
	"field" text NOT NULL,
	"value" integer NOT NULL,
	"label" text NOT NULL,
	"is_active" boolean NOT NULL,
	"is_default" boolean NOT NULL,
	"sort_order" integer NOT NULL,
	"parent_value" integer,
	"present" boolean DEFAULT true NOT NULL,
	CONSTRAINT "autotask_picklist_values_org_id_field_value_pk" PRIMARY KEY("org_id","field","value")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"org_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"domains" text[] NOT NULL,
	"company_id" integer,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tenants_org_id_tenant_id_pk" PRIMARY KEY("org_id","tenant_id")
);
--> statement-breakpoint
CREATE INDEX "autotask_companies_by_name" ON "autotask_companies" USING btree ("org_id",lower("name"),"company_id");