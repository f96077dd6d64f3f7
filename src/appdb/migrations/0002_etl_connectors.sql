-- =============================================================================
-- Fluxion app-state store — migration 0002: ETL connector state (spec 20 §6.3,
-- §8, §11). Conventions as in 0001 (STRICT tables, UTC instants
-- 'YYYY-MM-DDTHH:MM:SSZ', local dates 'YYYY-MM-DD').
-- =============================================================================

-- Historical backfill / manual re-sync tasks: one row per (location, local
-- day), resumable after a restart (spec 20 §6.3). Re-enqueueing a finished day
-- puts it back to 'pendiente'.
-- origen: manual (admin/CLI request), catchup (48 h clamp of the hourly job,
-- §6.1), gap (automatic re-extraction of a detected gap, §7).
CREATE TABLE etl_backfill_tareas (
    id              INTEGER NOT NULL PRIMARY KEY,
    ubicacion_id    TEXT    NOT NULL REFERENCES ubicaciones (id),
    fecha           TEXT    NOT NULL
                    CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    estado          TEXT    NOT NULL DEFAULT 'pendiente'
                    CHECK (estado IN ('pendiente', 'en_proceso', 'ok', 'error')),
    intentos        INTEGER NOT NULL DEFAULT 0 CHECK (intentos >= 0),
    ultimo_error    TEXT    CHECK (ultimo_error IS NULL OR length(ultimo_error) <= 500),
    execution_id    INTEGER REFERENCES etl_executions (id) ON DELETE SET NULL,
    origen          TEXT    NOT NULL DEFAULT 'manual' CHECK (origen IN ('manual', 'catchup', 'gap')),
    creado_en       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (creado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    actualizado_en  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    UNIQUE (ubicacion_id, fecha)
) STRICT;

CREATE INDEX idx_etl_backfill_tareas_estado ON etl_backfill_tareas (estado, fecha);

-- Source rows refused by validation (spec 20 §11): never silently dropped.
-- categoria: missing_fields | data_format | data_validation | encoding_error.
-- registro: the source row as JSON (truncated), for diagnosis.
CREATE TABLE etl_cuarentena (
    id              INTEGER NOT NULL PRIMARY KEY,
    execution_id    INTEGER REFERENCES etl_executions (id) ON DELETE CASCADE,
    etl_name        TEXT    NOT NULL CHECK (etl_name IN ('ventas', 'inventario')),
    tienda_id       TEXT    NOT NULL,
    fuente          TEXT    NOT NULL CHECK (fuente IN ('klk', 'stellar')),
    ventana         TEXT,                  -- request window or warehouse of the row
    categoria       TEXT    NOT NULL,
    motivo          TEXT    NOT NULL CHECK (length(motivo) <= 500),
    clave           TEXT    CHECK (clave IS NULL OR length(clave) <= 200),
    registro        TEXT    CHECK (registro IS NULL OR length(registro) <= 4000),
    creado_en       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (creado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_etl_cuarentena_execution ON etl_cuarentena (execution_id);
CREATE INDEX idx_etl_cuarentena_tienda ON etl_cuarentena (tienda_id, creado_en);

-- Scheduler-level notices that have no execution row (spec 20 §8.1, §8.2):
-- a slot omitted because the same job was still running, a missed slot, the
-- start-up recovery run, orphaned executions marked killed.
CREATE TABLE etl_avisos (
    id              INTEGER NOT NULL PRIMARY KEY,
    creado_en       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (creado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    etl_name        TEXT    NOT NULL,
    tipo            TEXT    NOT NULL
                    CHECK (tipo IN ('omitida_por_solape', 'ejecucion_perdida', 'recuperacion_al_iniciar', 'huerfana')),
    mensaje         TEXT    NOT NULL CHECK (length(mensaje) <= 500)
) STRICT;

CREATE INDEX idx_etl_avisos_creado ON etl_avisos (creado_en);
