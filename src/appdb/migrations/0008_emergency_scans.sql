-- Emergencies (spec 40 §4.7): what a scan saw besides its emergency list — the local
-- instant it evaluated, each store's summary (profile, factor, counts) and its anomalies —
-- so the latest scan of every store answers the dashboard whole after a restart.
ALTER TABLE emergencias_scans ADD COLUMN evaluado_en TEXT
    CHECK (evaluado_en IS NULL OR evaluado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]');
ALTER TABLE emergencias_scans ADD COLUMN resumen_tiendas TEXT
    CHECK (resumen_tiendas IS NULL OR (json_valid(resumen_tiendas) AND json_type(resumen_tiendas) = 'array'));
ALTER TABLE emergencias_scans ADD COLUMN anomalias TEXT
    CHECK (anomalias IS NULL OR (json_valid(anomalias) AND json_type(anomalias) = 'array'));

-- Emergencies already mailed to a store's recipients, one row per local day, store,
-- product and type: a later scan of the same day mails only what is new (a CRITICO that
-- becomes a STOCKOUT is new; the same STOCKOUT half an hour later is not).
CREATE TABLE emergencias_notificadas (
    fecha            TEXT    NOT NULL CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    ubicacion_id     TEXT    NOT NULL,
    producto_codigo  TEXT    NOT NULL,
    tipo             TEXT    NOT NULL CHECK (tipo IN ('STOCKOUT', 'CRITICO')),
    scan_id          TEXT    NOT NULL REFERENCES emergencias_scans (id) ON DELETE CASCADE,
    outbox_id        INTEGER,
    PRIMARY KEY (fecha, ubicacion_id, producto_codigo, tipo)
) STRICT;
