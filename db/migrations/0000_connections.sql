CREATE TABLE "autotask_connections" (
	"org_id" text PRIMARY KEY NOT NULL,
	"attempt_id" uuid NOT NULL,
	"status" text NOT NULL,
	"username" text NOT NULL,
	"credentials_sealed" text NOT NULL,
	"zone_name" text,
	"zone_api_url" text,
	"zone_web_url" text,
	"failure_code" text,
	"failure_message" text,
	"failure_detail" text,
	"requested_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
