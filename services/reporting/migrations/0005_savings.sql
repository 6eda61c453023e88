-- Validated savings (kpo.kaizen.v1 realized savings once finance validated them;
-- kpo.daily.v1 ideas' actual impact once validated), one row per amount, replaced with
-- their event or idea's newer revision. Counted when validated, at the event's or idea's
-- site and area.
CREATE TABLE r_savings (
  org TEXT NOT NULL,
  -- The kaizen event or idea.
  source TEXT NOT NULL,
  seq INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  objective TEXT NOT NULL,
  currency TEXT NOT NULL,
  minor_units INTEGER NOT NULL,
  -- kpo.kaizen.v1.Recurrence / SavingsKind (ideas' ImpactRecurrence / ImpactKind have the
  -- same numbers).
  recurrence INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  from_event INTEGER NOT NULL,
  validate_us INTEGER NOT NULL,
  PRIMARY KEY (org, source, seq)
);
CREATE INDEX r_savings_validated ON r_savings (org, site, validate_us);
