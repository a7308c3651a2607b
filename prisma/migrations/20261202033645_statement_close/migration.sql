-- CreateIndex
CREATE INDEX "invoices_closed_at_period_idx" ON "invoices"("closed_at", "period");

-- A closed statement never changes (app/invoice: the month-end close). The invoice service puts a
-- late call on the next open statement; these triggers make any other path fail loudly instead of
-- changing a closed one: no update or delete of a closed invoice, no line added to, changed on or
-- removed from one.
CREATE FUNCTION invoices_closed_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'statement % is closed and cannot change', OLD.id USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER invoices_closed_immutable BEFORE UPDATE OR DELETE ON "invoices"
  FOR EACH ROW WHEN (OLD.closed_at IS NOT NULL) EXECUTE FUNCTION invoices_closed_refuse();

-- One check per statement (not per row): the invoice consumer adds up to a thousand lines at once.
CREATE FUNCTION invoice_lines_added_to_closed_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM added_lines a JOIN "invoices" i ON i.id = a.invoice_id WHERE i.closed_at IS NOT NULL) THEN
    RAISE EXCEPTION 'a line cannot be added to a closed statement' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER invoice_lines_closed_insert AFTER INSERT ON "invoice_lines"
  REFERENCING NEW TABLE AS added_lines FOR EACH STATEMENT EXECUTE FUNCTION invoice_lines_added_to_closed_refuse();

CREATE FUNCTION invoice_lines_of_closed_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "invoices" WHERE id = OLD.invoice_id AND closed_at IS NOT NULL) THEN
    RAISE EXCEPTION 'a line of closed statement % cannot change', OLD.invoice_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER invoice_lines_closed_change BEFORE UPDATE OR DELETE ON "invoice_lines"
  FOR EACH ROW EXECUTE FUNCTION invoice_lines_of_closed_refuse();
