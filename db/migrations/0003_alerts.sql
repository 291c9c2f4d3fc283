CREATE TABLE "alert_syncs" (
	"org_id" text NOT NULL,
	"alert_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"state" text NOT NULL,
	"received_revision" integer NOT NULL,
	"applied_revision" integer,
	"applied" jsonb,
	"company_id" integer,
	"ticket_id" integer,
	"ticket_number" text,
	"generation" integer DEFAULT 1 NOT NULL,
	"previous_ticket_number" text,
	"ticket_status" integer,
	"pending_create" jsonb,
	"note_pending_revision" integer,
	"pending_since" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_syncs_org_id_alert_id_pk" PRIMARY KEY("org_id","alert_id")
);
--> statement-breakpoint
CREATE TABLE "autotask_request_counts" (
	"org_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "autotask_request_counts_org_id_minute_pk" PRIMARY KEY("org_id","minute")
);
--> statement-breakpoint
ALTER TABLE "autotask_configuration" ADD COLUMN "note_type" integer;--> statement-breakpoint
ALTER TABLE "autotask_configuration" ADD COLUMN "note_publish" integer;--> statement-breakpoint
ALTER TABLE "autotask_configuration" ADD COLUMN "catch_all_company" integer;--> statement-breakpoint
ALTER TABLE "autotask_configuration" ADD COLUMN "reopen_policy" text;--> statement-breakpoint
ALTER TABLE "autotask_connections" ADD COLUMN "request_threshold" integer;--> statement-breakpoint
CREATE INDEX "alert_syncs_by_state" ON "alert_syncs" USING btree ("org_id","state","alert_id");
--> statement-breakpoint
-- Spends one request of an org's hourly Autotask budget: NULL when granted, else when the oldest counted minute leaves
-- the rolling hour. The advisory lock makes check-and-count atomic across every worker; each statement in a plpgsql
-- function sees what committed before it, so the count read after the lock is current.
CREATE FUNCTION spend_autotask_request(p_org text, p_budget integer) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
  v_used integer;
  v_oldest timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('autotask-budget:' || p_org));
  SELECT coalesce(sum(count), 0), min(minute) INTO v_used, v_oldest
    FROM autotask_request_counts WHERE org_id = p_org AND minute >= date_trunc('minute', now() - interval '1 hour');
  IF v_used >= p_budget THEN
    RETURN v_oldest + interval '1 hour' + interval '1 minute';
  END IF;
  INSERT INTO autotask_request_counts (org_id, minute, count) VALUES (p_org, date_trunc('minute', now()), 1)
    ON CONFLICT (org_id, minute) DO UPDATE SET count = autotask_request_counts.count + 1;
  DELETE FROM autotask_request_counts WHERE org_id = p_org AND minute < now() - interval '2 hours';
  RETURN NULL;
END $$;
