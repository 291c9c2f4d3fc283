-- Every change to a link wakes the API's long-polls in any process: the payload is the org id.
CREATE FUNCTION notify_autotask_connection_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('autotask_connection_changed', COALESCE(NEW.org_id, OLD.org_id));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER autotask_connection_changed
AFTER INSERT OR UPDATE OR DELETE ON autotask_connections
FOR EACH ROW EXECUTE FUNCTION notify_autotask_connection_change();
