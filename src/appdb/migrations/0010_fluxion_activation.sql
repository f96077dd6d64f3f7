-- *Impacto Fluxion* (spec 40 §3.8): the stores working with Fluxion, since when, and the stock
-- value at cost frozen at the end of the day before activation (the baseline the capital
-- freed is measured against). Deactivating keeps the row (activo = 0) with its baseline.

CREATE TABLE tiendas_fluxion_activacion (
    ubicacion_id      TEXT    NOT NULL PRIMARY KEY
                      CHECK (length(ubicacion_id) BETWEEN 1 AND 50 AND ubicacion_id NOT GLOB '*[^a-z0-9_]*'),
    fecha_activacion  TEXT    NOT NULL
                      CHECK (fecha_activacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    stock_baseline    REAL    NOT NULL CHECK (stock_baseline >= 0),   -- USD at cost
    -- historico: end of the day before, from the stock history; actual: no load before that day.
    baseline_origen   TEXT    NOT NULL CHECK (baseline_origen = 'historico' OR baseline_origen = 'actual'),
    activo            INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    actualizado_por   TEXT    NOT NULL,
    actualizado_en    TEXT    NOT NULL
) STRICT;
