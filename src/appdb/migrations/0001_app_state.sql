-- =============================================================================
-- Fluxion app-state store (SQLite, app.db) — migration 0001: initial schema.
--
-- Applied exactly once by the Rust migration runner, inside one transaction.
-- The runner owns `schema_migrations` (version, name, applied_at, checksum);
-- this file must not create it, and never changes once released (its SHA-256
-- is stored). Later changes go into 0002_*.sql and onwards.
--
-- Conventions used throughout (spec 10 §1, spec 50 §1):
--   * Every table is STRICT. Identifiers are the Spanish names from the spec.
--   * ids / codes / enumerations                -> TEXT
--   * booleans                                   -> INTEGER, CHECK (x IN (0,1))
--   * counts, integer days, ms                   -> INTEGER
--   * quantities, money (USD), percentages 0-100 -> REAL. This store only keeps
--     human-entered parameters and order *snapshots*; the exact-decimal
--     analytic truth lives in DuckDB (analytics.duckdb).
--   * business dates (local, America/Caracas)   -> TEXT 'YYYY-MM-DD'
--   * local times of day                         -> TEXT 'HH:MM' ('00:00' as a
--     closing time means midnight / end of day)
--   * system instants                            -> TEXT RFC 3339 UTC with
--     second precision and a literal 'Z': 'YYYY-MM-DDTHH:MM:SSZ'. A single
--     fixed-width format keeps text comparison == time comparison (lockout
--     windows, token expiry, retention). Writers must format exactly like
--     that (chrono: `to_rfc3339_opts(SecondsFormat::Secs, true)`); the
--     CHECKs reject '+00:00', a space separator or fractional seconds.
--   * local timestamps without zone (ETL data windows / watermarks only)
--                                                -> TEXT 'YYYY-MM-DDTHH:MM:SS'
--   * JSON payloads                              -> TEXT, CHECK json_valid().
--   * "who" columns (usuario, creado_por, usuario_creador, ...) hold the
--     username (lower-case, immutable) as text: they are records of an action
--     and must survive user deactivation, so they are not foreign keys.
--   * Foreign keys are declared; the application must open every connection
--     with `PRAGMA foreign_keys = ON` (SQLite default is OFF).
--   * Log-like tables (audit, login attempts, ETL details, scan/anomaly logs,
--     DPD+U log, traffic-generator history) deliberately carry no FK to
--     ubicaciones: writing a log line must never fail.
--   * Locations (ubicaciones) are never deleted (spec 50 §5.4: set
--     activo = 0), so FKs to them use the default NO ACTION.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- 1. Users, roles, sessions (spec 10 §6.1, spec 50 §1, §3, §4)
-- -----------------------------------------------------------------------------

-- The 5 fixed roles. Seeded below; authorisation uses the capability matrix in
-- code, nivel_acceso is informational (sorting, badges).
CREATE TABLE roles (
    id            TEXT    NOT NULL PRIMARY KEY
                  CHECK (id IN ('visualizador', 'gerente_tienda', 'gestor_abastecimiento',
                                'gerente_general', 'super_admin')),
    nombre        TEXT    NOT NULL,
    descripcion   TEXT    NOT NULL,
    nivel_acceso  INTEGER NOT NULL UNIQUE CHECK (nivel_acceso BETWEEN 1 AND 5)
) STRICT;

-- User accounts. No default rows: the first account is created with
-- `fluxion user create` (spec 50 §3.2). password_hash holds either a PHC
-- Argon2id string or an imported bcrypt ($2a$/$2b$/$2y$) string.
-- username is stored trimmed and lower-case; the full pattern
-- ^[a-z0-9._-]{3,50}$ is validated by the API (imported legacy accounts may
-- be shorter), the CHECK only guarantees normalisation and the 50-char limit.
CREATE TABLE usuarios (
    id                    TEXT    NOT NULL PRIMARY KEY,          -- UUID text
    username              TEXT    NOT NULL UNIQUE
                          CHECK (username = lower(trim(username))
                                 AND length(username) BETWEEN 1 AND 50),
    password_hash         TEXT    NOT NULL CHECK (length(password_hash) > 0),
    nombre_completo       TEXT,
    email                 TEXT    CHECK (email IS NULL OR length(email) <= 100),
    activo                INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    rol_id                TEXT    NOT NULL DEFAULT 'visualizador' REFERENCES roles (id),
    -- Incremented on password/role/store-assignment change and deactivation;
    -- a token whose `ver` claim differs is rejected (spec 50 §3.3).
    token_version         INTEGER NOT NULL DEFAULT 0 CHECK (token_version >= 0),
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    ultimo_login          TEXT
                          CHECK (ultimo_login IS NULL OR ultimo_login GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_usuarios_rol ON usuarios (rol_id);

-- Store assignments of store managers (only meaningful for gerente_tienda).
-- Soft delete via activo. Deleting a user (never done by the API, which
-- deactivates) removes the assignments.
CREATE TABLE usuarios_tiendas (
    usuario_id    TEXT    NOT NULL REFERENCES usuarios (id) ON DELETE CASCADE,
    ubicacion_id  TEXT    NOT NULL REFERENCES ubicaciones (id),
    asignado_por  TEXT,                                           -- username of the admin
    asignado_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                  CHECK (asignado_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    activo        INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    PRIMARY KEY (usuario_id, ubicacion_id)
) STRICT;

CREATE INDEX idx_usuarios_tiendas_ubicacion ON usuarios_tiendas (ubicacion_id);

-- Every login attempt, for brute-force throttling (per username and per IP)
-- and for the audit trail. A successful login "clears" failures by making the
-- throttle count only failures after the last success (or by deleting rows).
CREATE TABLE login_attempts (
    id        INTEGER NOT NULL PRIMARY KEY,
    username  TEXT    NOT NULL,            -- as normalised (trim + lower), may be unknown
    ip        TEXT,
    at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
              CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    success   INTEGER NOT NULL CHECK (success IN (0, 1))
) STRICT;

CREATE INDEX idx_login_attempts_username_at ON login_attempts (username, at);
CREATE INDEX idx_login_attempts_ip_at ON login_attempts (ip, at);

-- JWT ids revoked by logout, kept until the token's own expiry, purged daily.
CREATE TABLE revoked_tokens (
    jti         TEXT NOT NULL PRIMARY KEY,
    expires_at  TEXT NOT NULL
                CHECK (expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_revoked_tokens_expires ON revoked_tokens (expires_at);


-- -----------------------------------------------------------------------------
-- 2. Platform tables: audit, e-mail outbox, generic settings (spec 50 §1, §11, §12)
-- -----------------------------------------------------------------------------

-- Who changed what (logins, role changes, product overrides, parameter edits,
-- order transitions, maintenance toggles...). Append-only.
-- AUTOINCREMENT: ids are never reused even after retention deletes.
CREATE TABLE audit_log (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    usuario     TEXT,                      -- username; NULL = system / scheduler
    ip          TEXT,                      -- client address of the request, when there was one
    accion      TEXT    NOT NULL,          -- e.g. login, cambiar_rol, editar_producto
    entidad     TEXT,                      -- e.g. usuario, producto, pedido_sugerido
    entidad_id  TEXT,
    detalle     TEXT    CHECK (detalle IS NULL OR json_valid(detalle))   -- JSON (before/after, ...)
) STRICT;

CREATE INDEX idx_audit_log_at ON audit_log (at);
CREATE INDEX idx_audit_log_entidad ON audit_log (entidad, entidad_id, at);
CREATE INDEX idx_audit_log_usuario ON audit_log (usuario, at);

-- E-mails to send / sent. Every notification is written here first and
-- delivered by a background worker (retries after 1, 5, 15, 60 min, then
-- 'error'). Spec 50 §11.2 also needs a "suppressed" outcome (an identical
-- clave_supresion was *sent* less than repeat_suppress_minutes ago), hence
-- 'suprimido' in addition to pendiente|enviado|error.
-- proximo_intento_en is the worker's retry schedule (NULL = not due / final).
CREATE TABLE notification_outbox (
    id                  INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    creado_en           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                        CHECK (creado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    tipo                TEXT    NOT NULL,        -- e.g. etl_run, etl_recuperado, digest, prueba
    destinatarios       TEXT    NOT NULL
                        CHECK (json_valid(destinatarios) AND json_type(destinatarios) = 'array'),
    asunto              TEXT    NOT NULL,
    cuerpo_html         TEXT    NOT NULL,
    cuerpo_texto        TEXT    NOT NULL,        -- plain-text alternative is always sent
    estado              TEXT    NOT NULL DEFAULT 'pendiente'
                        CHECK (estado IN ('pendiente', 'enviado', 'error', 'suprimido')),
    intentos            INTEGER NOT NULL DEFAULT 0 CHECK (intentos >= 0),
    ultimo_error        TEXT,
    proximo_intento_en  TEXT
                        CHECK (proximo_intento_en IS NULL OR proximo_intento_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    enviado_en          TEXT
                        CHECK (enviado_en IS NULL OR enviado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    -- <job>|<status>|<sorted failing location ids>; NULL = never suppressed.
    clave_supresion     TEXT,
    CHECK (estado <> 'enviado' OR enviado_en IS NOT NULL)
) STRICT;

CREATE INDEX idx_notification_outbox_pendientes ON notification_outbox (estado, proximo_intento_en);
CREATE INDEX idx_notification_outbox_supresion ON notification_outbox (clave_supresion, enviado_en);
CREATE INDEX idx_notification_outbox_creado ON notification_outbox (creado_en);

-- Free-form typed settings kept from the original (e.g. the manual
-- maintenance switch of spec 50 §12.2: {active, message, until}).
CREATE TABLE configuraciones (
    tipo         TEXT    NOT NULL,
    clave        TEXT    NOT NULL,
    nombre       TEXT,
    config       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    activo       INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    descripcion  TEXT,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                 CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                 CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (tipo, clave)
) STRICT;


-- -----------------------------------------------------------------------------
-- 3. Master data written from tenant.toml (spec 10 §3.1-3.3, spec 50 §5.4)
--    Mirrored to DuckDB schema `app` (without secrets).
-- -----------------------------------------------------------------------------

-- Locations: stores (tienda) and distribution centres (cedi). Upserted from
-- [[stores]] at start-up; a location missing from the file is set activo = 0,
-- never deleted. No secrets here: only stellar_credential_ref (the *name* of
-- the credential entry in secrets.toml).
-- Hours: the column defaults are the store defaults (07:00/21:00); CEDIs
-- default to 06:00/22:00, which the sync writes explicitly.
-- stellar_port / stellar_database have no column default: they are only
-- meaningful for sistema_pos = 'stellar' and the sync writes the resolved
-- value ([pos.stellar] default_port 1433 / default_database VAD10).
-- region: NULL is read as 'VALENCIA' (original behaviour). It is deliberately
-- not a FK to regiones so that dropping a region from tenant.toml can never
-- block the sync of inactive locations that still carry it.
CREATE TABLE ubicaciones (
    id                        TEXT    NOT NULL PRIMARY KEY
                              CHECK (length(id) BETWEEN 1 AND 50 AND id NOT GLOB '*[^a-z0-9_]*'),
    nombre                    TEXT    NOT NULL CHECK (length(trim(nombre)) > 0),
    tipo                      TEXT    NOT NULL CHECK (tipo IN ('tienda', 'cedi')),
    region                    TEXT    DEFAULT 'VALENCIA',
    ciudad                    TEXT,
    activo                    INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    hora_apertura             TEXT    NOT NULL DEFAULT '07:00'
                              CHECK (hora_apertura GLOB '[0-2][0-9]:[0-5][0-9]' AND hora_apertura < '24:00'),
    hora_cierre               TEXT    NOT NULL DEFAULT '21:00'
                              CHECK (hora_cierre GLOB '[0-2][0-9]:[0-5][0-9]' AND hora_cierre < '24:00'),
    visible_pedidos           INTEGER NOT NULL DEFAULT 0 CHECK (visible_pedidos IN (0, 1)),
    visible_reportes          INTEGER NOT NULL DEFAULT 1 CHECK (visible_reportes IN (0, 1)),
    visible_dashboards        INTEGER NOT NULL DEFAULT 1 CHECK (visible_dashboards IN (0, 1)),
    sistema_pos               TEXT    NOT NULL CHECK (sistema_pos IN ('klk', 'stellar', 'none')),
    klk_codigo_sucursal       TEXT,                 -- e.g. SUC001
    klk_almacen_ventas        TEXT,                 -- only sales of this almacén count
    stellar_host              TEXT,
    stellar_port              INTEGER CHECK (stellar_port IS NULL OR stellar_port BETWEEN 1 AND 65535),
    stellar_database          TEXT,
    stellar_codigo_deposito   TEXT,
    stellar_credential_ref    TEXT,                 -- name of a secrets.toml entry, never a password
    stellar_timeout_s         INTEGER NOT NULL DEFAULT 90 CHECK (stellar_timeout_s > 0),
    fecha_activacion_fluxion  TEXT                  -- tenant.toml go_live (ROI baseline day)
                              CHECK (fecha_activacion_fluxion IS NULL OR fecha_activacion_fluxion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    stock_baseline_usd        REAL,                 -- valued stock (at cost) frozen on activation
    -- CEDIs only: JSON array of regiones.codigo this CEDI supplies
    -- (tenant.toml serves_regions); '[]' for stores.
    cedi_sirve_regiones       TEXT    NOT NULL DEFAULT '[]'
                              CHECK (json_valid(cedi_sirve_regiones) AND json_type(cedi_sirve_regiones) = 'array'),
    created_at                TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                              CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at                TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                              CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_ubicaciones_tipo_activo ON ubicaciones (tipo, activo);
CREATE INDEX idx_ubicaciones_region ON ubicaciones (region);

-- Warehouses / stock bins inside a location. Composite key: the original's
-- shared code 'STELLAR' for every Stellar store is impossible here.
CREATE TABLE almacenes (
    ubicacion_id        TEXT    NOT NULL REFERENCES ubicaciones (id) ON DELETE CASCADE,
    codigo              TEXT    NOT NULL CHECK (length(codigo) > 0),   -- KLK code or Stellar depot
    nombre              TEXT    NOT NULL,
    tipo                TEXT    NOT NULL
                        CHECK (tipo IN ('piso_venta', 'principal', 'procura', 'produccion',
                                        'devoluciones', 'merma')),
    incluir_en_deficit  INTEGER NOT NULL DEFAULT 1 CHECK (incluir_en_deficit IN (0, 1)),
    activo              INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (ubicacion_id, codigo)
) STRICT;

-- Business regions (tenant.toml [[regions]]). cedi_reposicion_id = the CEDI
-- that replenishes the region's stores (NULL, e.g. VALENCIA: depends on the
-- product's cedi_origen_id). The FK is DEFERRABLE INITIALLY DEFERRED so the
-- start-up sync may upsert regions before the CEDI rows in one transaction.
CREATE TABLE regiones (
    codigo              TEXT NOT NULL PRIMARY KEY CHECK (length(codigo) > 0),   -- e.g. CARACAS
    nombre              TEXT NOT NULL,
    cedi_reposicion_id  TEXT REFERENCES ubicaciones (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;


-- -----------------------------------------------------------------------------
-- 4. Product overrides and physical-count adjustments (spec 10 §3.4, §4.5)
-- -----------------------------------------------------------------------------

-- Admin overrides of the source-derived product master (DuckDB `productos`).
-- A NULL column means "no override"; the effective view productos_v takes the
-- override when present. Traffic-generator flags/dates live only here.
-- unidades_por_bulto is an INTEGER 1-9999 (admin edit range, spec 50 §8);
-- source pack sizes may be fractional in DuckDB and order lines snapshot UPB
-- as REAL.
CREATE TABLE producto_ajustes (
    codigo                            TEXT    NOT NULL PRIMARY KEY
                                      CHECK (length(codigo) > 0 AND codigo = trim(codigo)),
    unidades_por_bulto                INTEGER CHECK (unidades_por_bulto IS NULL OR unidades_por_bulto BETWEEN 1 AND 9999),
    unidad_pedido                     TEXT    CHECK (unidad_pedido IS NULL OR length(unidad_pedido) BETWEEN 1 AND 20),
    cuadrante                         TEXT    CHECK (cuadrante IS NULL OR length(cuadrante) BETWEEN 1 AND 20),
    peso_unitario                     REAL    CHECK (peso_unitario IS NULL OR peso_unitario >= 0),      -- kg
    volumen_unitario                  REAL    CHECK (volumen_unitario IS NULL OR volumen_unitario >= 0), -- m³
    marca                             TEXT    CHECK (marca IS NULL OR length(marca) <= 100),
    presentacion                      TEXT    CHECK (presentacion IS NULL OR length(presentacion) <= 50),
    cedi_origen_id                    TEXT    REFERENCES ubicaciones (id),
    es_generador_trafico              INTEGER CHECK (es_generador_trafico IS NULL OR es_generador_trafico IN (0, 1)),
    generador_trafico_sugerido        INTEGER CHECK (generador_trafico_sugerido IS NULL OR generador_trafico_sugerido IN (0, 1)),
    generador_trafico_ignorado        INTEGER CHECK (generador_trafico_ignorado IS NULL OR generador_trafico_ignorado IN (0, 1)),
    generador_trafico_gap             INTEGER,      -- rank_valor − rank_penetracion when suggested
    generador_trafico_fecha_marcado   TEXT
                                      CHECK (generador_trafico_fecha_marcado IS NULL OR generador_trafico_fecha_marcado GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    generador_trafico_fecha_sugerido  TEXT
                                      CHECK (generador_trafico_fecha_sugerido IS NULL OR generador_trafico_fecha_sugerido GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    actualizado_por                   TEXT,
    actualizado_en                    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                      CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_producto_ajustes_generador ON producto_ajustes (es_generador_trafico, generador_trafico_sugerido);

-- Physical-count adjustments entered by a user (the human side of DuckDB
-- inventario_* rows with origen = 'auditoria'). One row per product whose
-- count differed from stock. lote = batch label 'AUDITORIA_<timestamp>'.
-- diferencia = conteo − stock_anterior.
CREATE TABLE ajustes_auditoria (
    id               INTEGER NOT NULL PRIMARY KEY,
    lote             TEXT    NOT NULL,
    usuario          TEXT    NOT NULL,
    fecha            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    ubicacion_id     TEXT    NOT NULL REFERENCES ubicaciones (id),
    almacen_codigo   TEXT,                 -- NULL = count entered for the whole location
    producto_codigo  TEXT    NOT NULL,
    stock_anterior   REAL    NOT NULL,
    conteo           REAL    NOT NULL,
    diferencia       REAL    NOT NULL,
    observaciones    TEXT
) STRICT;

CREATE INDEX idx_ajustes_auditoria_ubicacion_fecha ON ajustes_auditoria (ubicacion_id, fecha);
CREATE INDEX idx_ajustes_auditoria_producto ON ajustes_auditoria (producto_codigo, fecha);
CREATE INDEX idx_ajustes_auditoria_lote ON ajustes_auditoria (lote);

-- Process metadata of derived-cache runs in DuckDB (ABC caches, product
-- analysis cache): one row per run.
CREATE TABLE abc_cache_control (
    id                    INTEGER NOT NULL PRIMARY KEY,
    proceso               TEXT    NOT NULL,          -- e.g. abc_global, abc_tienda, cache_productos
    inicio                TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (inicio GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fin                   TEXT
                          CHECK (fin IS NULL OR fin GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    estado                TEXT    NOT NULL DEFAULT 'pendiente'
                          CHECK (estado IN ('pendiente', 'en_proceso', 'completado', 'error')),
    productos_procesados  INTEGER CHECK (productos_procesados IS NULL OR productos_procesados >= 0),
    duracion_ms           INTEGER CHECK (duracion_ms IS NULL OR duracion_ms >= 0),
    parametros            TEXT    CHECK (parametros IS NULL OR json_valid(parametros)),  -- model, thresholds, window used
    error                 TEXT
) STRICT;

CREATE INDEX idx_abc_cache_control_proceso ON abc_cache_control (proceso, inicio);


-- -----------------------------------------------------------------------------
-- 5. Orders (spec 10 §6.2, spec 30 §8, §11-§12, spec 31 §2.10, §3.9)
-- -----------------------------------------------------------------------------

-- Transactional counters for order numbers, incremented in the same
-- transaction that inserts the order (replaces MAX()+1):
--   pedido_sugerido   -> PS-NNNNN; also the base NNNNN of a multi-store batch
--                        PS-NNNNN-k (spec 31 §2.10: counter shared with
--                        single-store orders)
--   grupo_pedido      -> available for sequential group ids (spec 31 uses a
--                        random GRUPO-XXXXXXXX; the row is seeded regardless)
--   pedido_inter_cedi -> IC-NNNNN
CREATE TABLE contadores (
    nombre        TEXT    NOT NULL PRIMARY KEY,
    ultimo_valor  INTEGER NOT NULL DEFAULT 0 CHECK (ultimo_valor >= 0)
) STRICT;

-- Store replenishment orders (CEDI -> one store). Values are snapshots taken
-- at creation; orders are never recomputed from analytics.
-- estado uses the rebuild's state machine (spec 30 §11.1); the original's
-- states (pendiente_aprobacion_gerente, aprobado_gerente, rechazado_gerente,
-- solicitado, en_preparacion, en_transito, finalizado) are mapped on import.
-- fecha_aprobacion_gerente is kept only to carry imported history.
CREATE TABLE pedidos_sugeridos (
    id                              TEXT    NOT NULL PRIMARY KEY,     -- UUID
    numero_pedido                   TEXT    NOT NULL UNIQUE
                                    CHECK (numero_pedido GLOB 'PS-[0-9][0-9][0-9][0-9][0-9]*'),
    grupo_pedido_id                 TEXT    CHECK (grupo_pedido_id IS NULL OR grupo_pedido_id GLOB 'GRUPO-?*'),
    orden_en_grupo                  INTEGER CHECK (orden_en_grupo IS NULL OR orden_en_grupo >= 1),
    cedi_origen_id                  TEXT    NOT NULL REFERENCES ubicaciones (id),
    cedi_origen_nombre              TEXT    NOT NULL,
    tienda_destino_id               TEXT    NOT NULL REFERENCES ubicaciones (id),
    tienda_destino_nombre           TEXT    NOT NULL,
    fecha_pedido                    TEXT    NOT NULL      -- business date, America/Caracas
                                    CHECK (fecha_pedido GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    fecha_entrega_solicitada        TEXT
                                    CHECK (fecha_entrega_solicitada IS NULL OR fecha_entrega_solicitada GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    fecha_creacion                  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                    CHECK (fecha_creacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_modificacion              TEXT
                                    CHECK (fecha_modificacion IS NULL OR fecha_modificacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_aprobacion                TEXT
                                    CHECK (fecha_aprobacion IS NULL OR fecha_aprobacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_aprobacion_gerente        TEXT
                                    CHECK (fecha_aprobacion_gerente IS NULL OR fecha_aprobacion_gerente GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_recepcion                 TEXT
                                    CHECK (fecha_recepcion IS NULL OR fecha_recepcion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_inicio_picking            TEXT
                                    CHECK (fecha_inicio_picking IS NULL OR fecha_inicio_picking GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_fin_picking               TEXT
                                    CHECK (fecha_fin_picking IS NULL OR fecha_fin_picking GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_despacho                  TEXT        -- set on the 'enviado' transition
                                    CHECK (fecha_despacho IS NULL OR fecha_despacho GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_cancelacion               TEXT
                                    CHECK (fecha_cancelacion IS NULL OR fecha_cancelacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_entrega_real              TEXT
                                    CHECK (fecha_entrega_real IS NULL OR fecha_entrega_real GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    estado                          TEXT    NOT NULL DEFAULT 'borrador'
                                    CHECK (estado IN ('borrador', 'pendiente_aprobacion', 'aprobado', 'rechazado',
                                                      'enviado', 'recibido', 'cancelado')),
    sub_estado                      TEXT,
    requiere_aprobacion             INTEGER NOT NULL DEFAULT 1 CHECK (requiere_aprobacion IN (0, 1)),
    total_productos                 INTEGER NOT NULL DEFAULT 0 CHECK (total_productos >= 0),
    total_lineas                    INTEGER NOT NULL DEFAULT 0 CHECK (total_lineas >= 0),
    total_bultos                    REAL    NOT NULL DEFAULT 0,
    total_unidades                  REAL    NOT NULL DEFAULT 0,
    total_peso_kg                   REAL,
    total_volumen_m3                REAL,
    tiene_devoluciones              INTEGER NOT NULL DEFAULT 0 CHECK (tiene_devoluciones IN (0, 1)),
    total_productos_devolucion      INTEGER NOT NULL DEFAULT 0 CHECK (total_productos_devolucion >= 0),
    total_bultos_devolucion         REAL    NOT NULL DEFAULT 0,
    total_unidades_devolucion       REAL    NOT NULL DEFAULT 0,
    -- Informational only (the wizard sends it, the engine ignores it).
    dias_cobertura                  INTEGER NOT NULL DEFAULT 3 CHECK (dias_cobertura >= 0),
    tipo_pedido                     TEXT    NOT NULL DEFAULT 'reposicion'
                                    CHECK (tipo_pedido IN ('reposicion', 'urgente', 'promocion', 'nuevo_producto',
                                                           'estacional', 'sugerido_v2')),
    prioridad                       TEXT    NOT NULL DEFAULT 'normal'
                                    CHECK (prioridad IN ('baja', 'normal', 'alta', 'urgente')),
    metodo_calculo                  TEXT,
    referencia_logistica            TEXT,       -- free text: guía / vehículo / transportista
    observaciones                   TEXT,
    observaciones_globales          TEXT,       -- multi-store batch observations, copied to every order of the group
    notas_picking                   TEXT,
    notas_entrega                   TEXT,
    usuario_creador                 TEXT    NOT NULL,
    usuario_aprobador               TEXT,
    usuario_picking                 TEXT,
    usuario_receptor                TEXT,
    version                         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    pedido_padre_id                 TEXT    REFERENCES pedidos_sugeridos (id) ON DELETE SET NULL,
    -- Arrival indicators, from *registered* received quantities (spec 30 §12.3).
    llegada_productos_completos     INTEGER NOT NULL DEFAULT 0 CHECK (llegada_productos_completos >= 0),
    llegada_productos_parciales     INTEGER NOT NULL DEFAULT 0 CHECK (llegada_productos_parciales >= 0),
    llegada_productos_no_llegaron   INTEGER NOT NULL DEFAULT 0 CHECK (llegada_productos_no_llegaron >= 0),
    llegada_pct_completos           REAL    CHECK (llegada_pct_completos IS NULL OR llegada_pct_completos BETWEEN 0 AND 100),
    llegada_pct_parciales           REAL    CHECK (llegada_pct_parciales IS NULL OR llegada_pct_parciales BETWEEN 0 AND 100),
    llegada_pct_no_llegaron         REAL    CHECK (llegada_pct_no_llegaron IS NULL OR llegada_pct_no_llegaron BETWEEN 0 AND 100),
    fecha_ultima_verificacion       TEXT
                                    CHECK (fecha_ultima_verificacion IS NULL OR fecha_ultima_verificacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    tiene_verificacion_llegada      INTEGER NOT NULL DEFAULT 0 CHECK (tiene_verificacion_llegada IN (0, 1)),
    CHECK (tienda_destino_id <> cedi_origen_id),
    CHECK ((grupo_pedido_id IS NULL) = (orden_en_grupo IS NULL)),
    UNIQUE (grupo_pedido_id, orden_en_grupo)
) STRICT;

CREATE INDEX idx_pedidos_sugeridos_tienda_estado ON pedidos_sugeridos (tienda_destino_id, estado, fecha_pedido);
CREATE INDEX idx_pedidos_sugeridos_estado_fecha ON pedidos_sugeridos (estado, fecha_pedido);
CREATE INDEX idx_pedidos_sugeridos_creacion ON pedidos_sugeridos (fecha_creacion);
-- In-transit lookups: open orders for (store, origin CEDI) in the last N days.
CREATE INDEX idx_pedidos_sugeridos_transito ON pedidos_sugeridos (tienda_destino_id, cedi_origen_id, fecha_pedido);
CREATE INDEX idx_pedidos_sugeridos_padre ON pedidos_sugeridos (pedido_padre_id);

-- Order lines: a snapshot of the calculation for one product.
-- Only included lines with cantidad_pedida_bultos > 0 are saved by the
-- rebuild; the CHECK only forbids negatives (imported history may hold 0).
-- cantidad_bultos = pack size (UPB) at creation, REAL because source pack
-- sizes may be fractional; cantidad_pedida_unidades = packs × UPB.
CREATE TABLE pedidos_sugeridos_detalle (
    id                               INTEGER NOT NULL PRIMARY KEY,
    pedido_id                        TEXT    NOT NULL REFERENCES pedidos_sugeridos (id) ON DELETE CASCADE,
    linea_numero                     INTEGER NOT NULL CHECK (linea_numero >= 1),
    -- product snapshot
    codigo_producto                  TEXT    NOT NULL,
    codigo_barras                    TEXT,
    descripcion_producto             TEXT    NOT NULL,
    categoria                        TEXT,
    grupo                            TEXT,
    subgrupo                         TEXT,
    marca                            TEXT,
    modelo                           TEXT,
    presentacion                     TEXT,
    cuadrante_producto               TEXT,
    clasificacion_abc                TEXT    CHECK (clasificacion_abc IS NULL OR clasificacion_abc IN ('A', 'B', 'C', 'D')),
    clase_efectiva                   TEXT    CHECK (clase_efectiva IS NULL OR clase_efectiva IN ('A', 'B', 'C', 'D')),
    matriz_abc_xyz                   TEXT,
    cantidad_bultos                  REAL    NOT NULL DEFAULT 1 CHECK (cantidad_bultos > 0),
    unidad_pedido                    TEXT,
    peso_unitario_kg                 REAL    CHECK (peso_unitario_kg IS NULL OR peso_unitario_kg >= 0),
    -- quantities
    cantidad_sugerida_unid           REAL    NOT NULL DEFAULT 0,
    cantidad_sugerida_bultos         REAL    NOT NULL DEFAULT 0,
    cantidad_necesaria_bultos        REAL,       -- before the CEDI-stock cap
    limitado_por_cedi                INTEGER NOT NULL DEFAULT 0 CHECK (limitado_por_cedi IN (0, 1)),
    cantidad_pedida_bultos           INTEGER NOT NULL DEFAULT 0 CHECK (cantidad_pedida_bultos >= 0),
    cantidad_pedida_unidades         REAL    NOT NULL DEFAULT 0 CHECK (cantidad_pedida_unidades >= 0),
    total_unidades                   REAL    NOT NULL DEFAULT 0,
    -- DPD+U (multi-store batches)
    ajustado_por_dpdu                INTEGER NOT NULL DEFAULT 0 CHECK (ajustado_por_dpdu IN (0, 1)),
    cantidad_original_bultos         REAL,       -- engine packs when adjusted by DPD+U
    razon_ajuste_dpdu                TEXT,
    -- demand snapshot (units/day)
    prom_ventas_5dias_unid           REAL,
    prom_ventas_20dias_unid          REAL,
    prom_ventas_8sem_unid            REAL,
    prom_ventas_8sem_bultos          REAL,
    prom_p75_unid                    REAL,
    -- stock snapshot (units)
    stock_tienda                     REAL,
    stock_cedi_origen                REAL,
    stock_total                      REAL,
    inventario_en_transito           REAL,
    -- parameters (units)
    stock_minimo                     REAL,       -- = punto_reorden (ROP)
    stock_maximo                     REAL,
    punto_reorden                    REAL,
    stock_seguridad                  REAL,
    demanda_ciclo                    REAL,
    nivel_objetivo                   REAL,
    razon_pedido                     TEXT,
    incluido                         INTEGER NOT NULL DEFAULT 1 CHECK (incluido IN (0, 1)),
    observaciones                    TEXT,
    comentario_gerente               TEXT,
    -- picking / reception
    cantidad_pickeada_bultos         REAL,
    cantidad_pickeada_unidades       REAL,
    cantidad_recibida_bultos         REAL    NOT NULL DEFAULT 0 CHECK (cantidad_recibida_bultos >= 0),
    cantidad_recibida_unidades       REAL    NOT NULL DEFAULT 0 CHECK (cantidad_recibida_unidades >= 0),
    cantidad_rechazada_unidades      REAL,
    estado_linea                     TEXT    NOT NULL DEFAULT 'pendiente'
                                     CHECK (estado_linea IN ('pendiente', 'aprobada', 'pickeada', 'empacada',
                                                             'despachada', 'recibida', 'rechazada', 'faltante')),
    motivo_rechazo                   TEXT,
    -- estadistico | padre_prudente | envio_prueba | referencia_regional (not
    -- CHECKed: imported history carries other labels)
    metodo_calculo                   TEXT,
    warnings_calculo                 TEXT    NOT NULL DEFAULT '[]'
                                     CHECK (json_valid(warnings_calculo) AND json_type(warnings_calculo) = 'array'),
    datos_calculo                    TEXT    CHECK (datos_calculo IS NULL OR json_valid(datos_calculo)),  -- explanation block
    UNIQUE (pedido_id, linea_numero),
    UNIQUE (pedido_id, codigo_producto)
) STRICT;

CREATE INDEX idx_pedidos_sugeridos_detalle_producto ON pedidos_sugeridos_detalle (codigo_producto);

-- Returns (store -> CEDI) proposed with an order. Schema only in the
-- original ("later" in the rebuild); kept so the order model is complete.
CREATE TABLE pedidos_sugeridos_devoluciones (
    id                                INTEGER NOT NULL PRIMARY KEY,
    pedido_id                         TEXT    NOT NULL REFERENCES pedidos_sugeridos (id) ON DELETE CASCADE,
    codigo_producto                   TEXT    NOT NULL,
    codigo_barras                     TEXT,
    descripcion_producto              TEXT    NOT NULL,
    categoria                         TEXT,
    grupo                             TEXT,
    subgrupo                          TEXT,
    marca                             TEXT,
    presentacion                      TEXT,
    cuadrante_producto                TEXT,
    cantidad_bultos                   REAL    NOT NULL DEFAULT 1 CHECK (cantidad_bultos > 0),   -- UPB
    stock_actual_tienda               REAL,
    stock_maximo                      REAL,
    stock_optimo                      REAL,
    exceso_unidades                   REAL,
    exceso_bultos                     REAL,
    devolucion_sugerida_unidades      REAL    NOT NULL DEFAULT 0 CHECK (devolucion_sugerida_unidades >= 0),
    devolucion_sugerida_bultos        REAL    NOT NULL DEFAULT 0 CHECK (devolucion_sugerida_bultos >= 0),
    devolucion_confirmada_unidades    REAL    CHECK (devolucion_confirmada_unidades IS NULL OR devolucion_confirmada_unidades >= 0),
    devolucion_confirmada_bultos      REAL    CHECK (devolucion_confirmada_bultos IS NULL OR devolucion_confirmada_bultos >= 0),
    razon_devolucion                  TEXT,
    prioridad_devolucion              TEXT    NOT NULL DEFAULT 'media'
                                      CHECK (prioridad_devolucion IN ('baja', 'media', 'alta', 'urgente')),
    dias_sin_venta                    INTEGER CHECK (dias_sin_venta IS NULL OR dias_sin_venta >= 0),
    prom_ventas_30dias                REAL,
    dias_cobertura_actual             REAL,
    incluido                          INTEGER NOT NULL DEFAULT 1 CHECK (incluido IN (0, 1)),
    UNIQUE (pedido_id, codigo_producto)
) STRICT;

-- One row per state transition (and per approver line edit, with
-- estado_anterior = estado_nuevo). Creation: NULL -> borrador, 'Pedido creado'.
-- usuario is the acting user, never 'sistema'.
CREATE TABLE pedidos_sugeridos_historial (
    id               INTEGER NOT NULL PRIMARY KEY,
    pedido_id        TEXT    NOT NULL REFERENCES pedidos_sugeridos (id) ON DELETE CASCADE,
    estado_anterior  TEXT    CHECK (estado_anterior IS NULL OR estado_anterior IN
                                    ('borrador', 'pendiente_aprobacion', 'aprobado', 'rechazado',
                                     'enviado', 'recibido', 'cancelado')),
    estado_nuevo     TEXT    NOT NULL
                     CHECK (estado_nuevo IN ('borrador', 'pendiente_aprobacion', 'aprobado', 'rechazado',
                                             'enviado', 'recibido', 'cancelado')),
    motivo_cambio    TEXT,
    usuario          TEXT    NOT NULL,
    fecha_cambio     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (fecha_cambio GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_pedidos_sugeridos_historial_pedido ON pedidos_sugeridos_historial (pedido_id, fecha_cambio);

-- Order-level comments (per-line manager comments live on the line).
CREATE TABLE pedidos_sugeridos_comentarios (
    id                INTEGER NOT NULL PRIMARY KEY,
    pedido_id         TEXT    NOT NULL REFERENCES pedidos_sugeridos (id) ON DELETE CASCADE,
    tipo_comentario   TEXT    NOT NULL DEFAULT 'general'
                      CHECK (tipo_comentario IN ('general', 'picking', 'entrega', 'calidad', 'interno')),
    comentario        TEXT    NOT NULL CHECK (length(trim(comentario)) > 0),
    usuario           TEXT    NOT NULL,
    fecha_comentario  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (fecha_comentario GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    es_publico        INTEGER NOT NULL DEFAULT 1 CHECK (es_publico IN (0, 1)),
    es_importante     INTEGER NOT NULL DEFAULT 0 CHECK (es_importante IN (0, 1))
) STRICT;

CREATE INDEX idx_pedidos_sugeridos_comentarios_pedido ON pedidos_sugeridos_comentarios (pedido_id, fecha_comentario);

-- Inter-CEDI orders (supplying CEDI -> receiving CEDI). Rule "1 order = 1
-- origin CEDI": cedi_origen_id is on the header and every line must match it
-- (enforced by the application). The coverage / lead-time / frequency values
-- used are always written by the application (prefilled from the route), so
-- they carry no column default here; ranges follow spec 31 §3.5.
CREATE TABLE pedidos_inter_cedi (
    id                         TEXT    NOT NULL PRIMARY KEY,       -- UUID
    numero_pedido              TEXT    NOT NULL UNIQUE
                               CHECK (numero_pedido GLOB 'IC-[0-9][0-9][0-9][0-9][0-9]*'),
    cedi_destino_id            TEXT    NOT NULL REFERENCES ubicaciones (id),
    cedi_destino_nombre        TEXT    NOT NULL,
    cedi_destino_region        TEXT,
    cedi_origen_id             TEXT    NOT NULL REFERENCES ubicaciones (id),
    cedi_origen_nombre         TEXT    NOT NULL,
    grupo_pedido_id            TEXT    CHECK (grupo_pedido_id IS NULL OR grupo_pedido_id GLOB 'GRUPO-?*'),
    fecha_pedido               TEXT    NOT NULL
                               CHECK (fecha_pedido GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    fecha_creacion             TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                               CHECK (fecha_creacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_modificacion         TEXT
                               CHECK (fecha_modificacion IS NULL OR fecha_modificacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_confirmacion         TEXT
                               CHECK (fecha_confirmacion IS NULL OR fecha_confirmacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_despacho             TEXT
                               CHECK (fecha_despacho IS NULL OR fecha_despacho GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_recepcion            TEXT
                               CHECK (fecha_recepcion IS NULL OR fecha_recepcion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fecha_cancelacion          TEXT
                               CHECK (fecha_cancelacion IS NULL OR fecha_cancelacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    estado                     TEXT    NOT NULL DEFAULT 'borrador'
                               CHECK (estado IN ('borrador', 'confirmado', 'despachado', 'recibido', 'cancelado')),
    tipo_pedido                TEXT    NOT NULL DEFAULT 'inter_cedi' CHECK (tipo_pedido = 'inter_cedi'),
    prioridad                  TEXT    NOT NULL DEFAULT 'normal'
                               CHECK (prioridad IN ('baja', 'normal', 'alta', 'urgente')),
    metodo_calculo             TEXT    NOT NULL DEFAULT 'DEMANDA_REGIONAL_ABC',
    dias_cobertura_a           INTEGER NOT NULL CHECK (dias_cobertura_a BETWEEN 1 AND 60),
    dias_cobertura_b           INTEGER NOT NULL CHECK (dias_cobertura_b BETWEEN 1 AND 90),
    dias_cobertura_c           INTEGER NOT NULL CHECK (dias_cobertura_c BETWEEN 1 AND 120),
    dias_cobertura_d           INTEGER NOT NULL CHECK (dias_cobertura_d BETWEEN 1 AND 180),
    dias_cobertura_congelados  INTEGER NOT NULL CHECK (dias_cobertura_congelados BETWEEN 1 AND 30),
    frecuencia_viajes_dias     TEXT    NOT NULL
                               CHECK (frecuencia_viajes_dias IN ('Mar,Jue,Sab', 'Lun,Mie,Vie', 'Mar,Vie', 'Diario')),
    lead_time_dias             REAL    NOT NULL CHECK (lead_time_dias BETWEEN 0.5 AND 7),
    total_cedis_origen         INTEGER NOT NULL DEFAULT 1 CHECK (total_cedis_origen >= 0),
    total_productos            INTEGER NOT NULL DEFAULT 0 CHECK (total_productos >= 0),
    total_lineas               INTEGER NOT NULL DEFAULT 0 CHECK (total_lineas >= 0),
    total_bultos               REAL    NOT NULL DEFAULT 0,
    total_unidades             REAL    NOT NULL DEFAULT 0,
    total_peso_kg              REAL,
    observaciones              TEXT,
    notas_logistica            TEXT,
    notas_recepcion            TEXT,
    usuario_creador            TEXT    NOT NULL,
    usuario_confirmador        TEXT,
    usuario_despachador        TEXT,
    usuario_receptor           TEXT,
    version                    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (cedi_destino_id <> cedi_origen_id)
) STRICT;

CREATE INDEX idx_pedidos_inter_cedi_destino_estado ON pedidos_inter_cedi (cedi_destino_id, estado, fecha_pedido);
CREATE INDEX idx_pedidos_inter_cedi_estado_fecha ON pedidos_inter_cedi (estado, fecha_pedido);
CREATE INDEX idx_pedidos_inter_cedi_ruta ON pedidos_inter_cedi (cedi_origen_id, cedi_destino_id, estado);
CREATE INDEX idx_pedidos_inter_cedi_creacion ON pedidos_inter_cedi (fecha_creacion);
CREATE INDEX idx_pedidos_inter_cedi_grupo ON pedidos_inter_cedi (grupo_pedido_id);

-- Inter-CEDI order lines: regional demand and CEDI levels snapshot.
-- Quantities in units unless the name says bultos.
CREATE TABLE pedidos_inter_cedi_detalle (
    id                          INTEGER NOT NULL PRIMARY KEY,
    pedido_id                   TEXT    NOT NULL REFERENCES pedidos_inter_cedi (id) ON DELETE CASCADE,
    linea_numero                INTEGER NOT NULL CHECK (linea_numero >= 1),
    cedi_origen_id              TEXT    NOT NULL REFERENCES ubicaciones (id),
    cedi_origen_nombre          TEXT    NOT NULL,
    codigo_producto             TEXT    NOT NULL,
    codigo_barras               TEXT,
    descripcion_producto        TEXT    NOT NULL,
    categoria                   TEXT,
    grupo                       TEXT,
    marca                       TEXT,
    presentacion                TEXT,
    clasificacion_abc           TEXT    CHECK (clasificacion_abc IS NULL OR clasificacion_abc IN ('A', 'B', 'C', 'D')),  -- regional class
    unidades_por_bulto          REAL    NOT NULL DEFAULT 1 CHECK (unidades_por_bulto > 0),
    peso_unitario_kg            REAL    CHECK (peso_unitario_kg IS NULL OR peso_unitario_kg >= 0),
    demanda_regional_p75        REAL,       -- Σ of store P75 (units/day)
    demanda_regional_promedio   REAL,       -- mean of store P75
    num_tiendas_region          INTEGER CHECK (num_tiendas_region IS NULL OR num_tiendas_region >= 0),
    stock_cedi_destino          REAL,
    stock_en_transito           REAL,       -- confirmed/dispatched inter-CEDI units on the way
    stock_seguridad_cedi        REAL,
    stock_minimo_cedi           REAL,       -- = punto_reorden_cedi (ROP)
    stock_maximo_cedi           REAL,
    punto_reorden_cedi          REAL,
    stock_cedi_origen           REAL,
    cantidad_sugerida_unidades  REAL    NOT NULL DEFAULT 0,
    cantidad_sugerida_bultos    REAL    NOT NULL DEFAULT 0,
    cantidad_pedida_bultos      INTEGER NOT NULL DEFAULT 0 CHECK (cantidad_pedida_bultos >= 0),
    cantidad_pedida_unidades    REAL    NOT NULL DEFAULT 0 CHECK (cantidad_pedida_unidades >= 0),
    total_unidades              REAL    NOT NULL DEFAULT 0,      -- ordered packs × UPB
    razon_pedido                TEXT,
    dias_cobertura_objetivo     INTEGER CHECK (dias_cobertura_objetivo IS NULL OR dias_cobertura_objetivo >= 0),
    incluido                    INTEGER NOT NULL DEFAULT 1 CHECK (incluido IN (0, 1)),
    observaciones               TEXT,
    cantidad_recibida_bultos    REAL    CHECK (cantidad_recibida_bultos IS NULL OR cantidad_recibida_bultos >= 0),
    cantidad_recibida_unidades  REAL    CHECK (cantidad_recibida_unidades IS NULL OR cantidad_recibida_unidades >= 0),
    UNIQUE (pedido_id, linea_numero),
    UNIQUE (pedido_id, codigo_producto)
) STRICT;

CREATE INDEX idx_pedidos_inter_cedi_detalle_producto ON pedidos_inter_cedi_detalle (codigo_producto);

-- State history of inter-CEDI orders (written by the application with the
-- acting user; the original used a trigger and recorded the creator).
CREATE TABLE pedidos_inter_cedi_historial (
    id               INTEGER NOT NULL PRIMARY KEY,
    pedido_id        TEXT    NOT NULL REFERENCES pedidos_inter_cedi (id) ON DELETE CASCADE,
    estado_anterior  TEXT    CHECK (estado_anterior IS NULL OR estado_anterior IN
                                    ('borrador', 'confirmado', 'despachado', 'recibido', 'cancelado')),
    estado_nuevo     TEXT    NOT NULL
                     CHECK (estado_nuevo IN ('borrador', 'confirmado', 'despachado', 'recibido', 'cancelado')),
    motivo_cambio    TEXT,
    usuario          TEXT    NOT NULL,
    fecha_cambio     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (fecha_cambio GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_pedidos_inter_cedi_historial_pedido ON pedidos_inter_cedi_historial (pedido_id, fecha_cambio);

-- Inter-CEDI routes (origin CEDI -> receiving CEDI) and their planning
-- settings; the wizard prefills an order from its route. Defaults are the
-- values the original's API/wizard used (spec 31 §3.5): coverage A 12,
-- B 15, C 18, D 18, frozen 7 days; lead time 2.0; 'Mar,Jue,Sab'.
-- Truck capacity and freight cost (USD) are informational.
CREATE TABLE config_rutas_inter_cedi (
    id                         INTEGER NOT NULL PRIMARY KEY,
    cedi_origen_id             TEXT    NOT NULL REFERENCES ubicaciones (id),
    cedi_destino_id            TEXT    NOT NULL REFERENCES ubicaciones (id),
    lead_time_dias             REAL    NOT NULL DEFAULT 2.0 CHECK (lead_time_dias BETWEEN 0.5 AND 7),
    frecuencia_viajes_dias     TEXT    NOT NULL DEFAULT 'Mar,Jue,Sab'
                               CHECK (frecuencia_viajes_dias IN ('Mar,Jue,Sab', 'Lun,Mie,Vie', 'Mar,Vie', 'Diario')),
    dias_cobertura_a           INTEGER NOT NULL DEFAULT 12 CHECK (dias_cobertura_a BETWEEN 1 AND 60),
    dias_cobertura_b           INTEGER NOT NULL DEFAULT 15 CHECK (dias_cobertura_b BETWEEN 1 AND 90),
    dias_cobertura_c           INTEGER NOT NULL DEFAULT 18 CHECK (dias_cobertura_c BETWEEN 1 AND 120),
    dias_cobertura_d           INTEGER NOT NULL DEFAULT 18 CHECK (dias_cobertura_d BETWEEN 1 AND 180),
    dias_cobertura_congelados  INTEGER NOT NULL DEFAULT 7 CHECK (dias_cobertura_congelados BETWEEN 1 AND 30),
    capacidad_camion_kg        REAL    CHECK (capacidad_camion_kg IS NULL OR capacidad_camion_kg > 0),
    capacidad_camion_m3        REAL    CHECK (capacidad_camion_m3 IS NULL OR capacidad_camion_m3 > 0),
    costo_flete_estimado       REAL    CHECK (costo_flete_estimado IS NULL OR costo_flete_estimado >= 0),
    activo                     INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    created_at                 TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                               CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at                 TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                               CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    UNIQUE (cedi_origen_id, cedi_destino_id),
    CHECK (cedi_origen_id <> cedi_destino_id)
) STRICT;

CREATE INDEX idx_config_rutas_inter_cedi_destino ON config_rutas_inter_cedi (cedi_destino_id);

-- DPD+U allocation record: one row per conflicted product of a multi-store
-- batch, written on batch save (what was accepted).
-- distribucion: JSON array, one object per destination (inputs and packs);
-- pesos: JSON object of the settings used {peso_demanda, peso_urgencia,
-- dias_minimo_urgencia}.
CREATE TABLE distribucion_dpdu_log (
    id                  INTEGER NOT NULL PRIMARY KEY,
    grupo_pedido_id     TEXT    NOT NULL,
    codigo_producto     TEXT    NOT NULL,
    stock_cedi_inicial  REAL    NOT NULL,
    unidades_por_bulto  REAL    NOT NULL CHECK (unidades_por_bulto > 0),
    distribucion        TEXT    NOT NULL CHECK (json_valid(distribucion) AND json_type(distribucion) = 'array'),
    pesos               TEXT    NOT NULL CHECK (json_valid(pesos) AND json_type(pesos) = 'object'),
    resolucion_usuario  TEXT    NOT NULL DEFAULT 'dpdu' CHECK (resolucion_usuario IN ('dpdu', 'manual')),
    usuario             TEXT    NOT NULL,
    fecha               TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                        CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    UNIQUE (grupo_pedido_id, codigo_producto)
) STRICT;


-- -----------------------------------------------------------------------------
-- 6. Configuration and exclusions (spec 10 §6.3, spec 30 §14, spec 31 §4, §6)
-- -----------------------------------------------------------------------------

-- Global scalar knobs of the ABC / replenishment / distribution engines,
-- keyed (categoria = group, parametro). Exactly one of valor_numerico /
-- valor_texto is set; booleans are valor_numerico 0/1 with unidad 'bool'.
-- Per-class values (Z, coverage days) live in parametros_clasificacion.
CREATE TABLE config_inventario_global (
    categoria        TEXT NOT NULL,
    parametro        TEXT NOT NULL,
    valor_numerico   REAL,
    valor_texto      TEXT,
    unidad           TEXT,
    descripcion      TEXT,
    actualizado_por  TEXT,
    actualizado_en   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (categoria, parametro),
    CHECK ((valor_numerico IS NULL) <> (valor_texto IS NULL))
) STRICT;

-- Generic per-module system settings (module, key) -> text value. Created
-- empty: the inventory knobs that spec 10 cites as examples here
-- (lead_time, ventana_sigma_d) are kept in config_inventario_global so each
-- knob has exactly one home.
CREATE TABLE configuracion_sistema (
    modulo           TEXT NOT NULL,
    clave            TEXT NOT NULL,
    valor            TEXT NOT NULL,
    descripcion      TEXT,
    actualizado_por  TEXT,
    actualizado_en   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (modulo, clave)
) STRICT;

-- Global per-ABC-class parameters: factor_seguridad = service factor Z,
-- nivel_servicio_pct = the service level it corresponds to (display),
-- dias_cobertura_max = coverage days cov_k used in MAX = ROP + D · cov_k.
CREATE TABLE parametros_clasificacion (
    clasificacion       TEXT    NOT NULL PRIMARY KEY CHECK (clasificacion IN ('A', 'B', 'C', 'D')),
    factor_seguridad    REAL    NOT NULL CHECK (factor_seguridad >= 0),
    nivel_servicio_pct  REAL    CHECK (nivel_servicio_pct IS NULL OR nivel_servicio_pct BETWEEN 0 AND 100),
    dias_cobertura_max  INTEGER NOT NULL CHECK (dias_cobertura_max >= 0),
    descripcion         TEXT,
    actualizado_por     TEXT,
    actualizado_en      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                        CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

-- Per-location overrides (stores, and CEDIs used as destinations). NULL =
-- not set (a 0 is a real value, unlike the original). "Delete" = activo 0.
-- factor_seguridad_* are the per-store z-scores listed in spec 10 §6.3; the
-- engine of spec 30 §6.1 resolves Z globally and does not read them.
CREATE TABLE config_parametros_abc_tienda (
    tienda_id            TEXT    NOT NULL PRIMARY KEY REFERENCES ubicaciones (id),
    lead_time_override   REAL    CHECK (lead_time_override IS NULL OR lead_time_override > 0),
    dias_cobertura_a     INTEGER CHECK (dias_cobertura_a IS NULL OR dias_cobertura_a >= 0),
    dias_cobertura_b     INTEGER CHECK (dias_cobertura_b IS NULL OR dias_cobertura_b >= 0),
    dias_cobertura_c     INTEGER CHECK (dias_cobertura_c IS NULL OR dias_cobertura_c >= 0),
    dias_cobertura_d     INTEGER CHECK (dias_cobertura_d IS NULL OR dias_cobertura_d >= 0),
    factor_seguridad_a   REAL    CHECK (factor_seguridad_a IS NULL OR factor_seguridad_a >= 0),
    factor_seguridad_b   REAL    CHECK (factor_seguridad_b IS NULL OR factor_seguridad_b >= 0),
    factor_seguridad_c   REAL    CHECK (factor_seguridad_c IS NULL OR factor_seguridad_c >= 0),
    factor_seguridad_d   REAL    CHECK (factor_seguridad_d IS NULL OR factor_seguridad_d >= 0),
    activo               INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    actualizado_por      TEXT,
    actualizado_en       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                         CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

-- Per-category coverage overrides (spec 30 §6.1, §14), e.g. perishables.
-- id = lower-case name, spaces -> '_', dots removed; matching uses
-- categoria_normalizada (trimmed, upper-case): exact first, else the longest
-- configured key contained in the product's category.
CREATE TABLE config_cobertura_categoria (
    id                     TEXT    NOT NULL PRIMARY KEY,
    categoria              TEXT    NOT NULL,
    categoria_normalizada  TEXT    NOT NULL UNIQUE
                           CHECK (categoria_normalizada = upper(trim(categoria_normalizada))
                                  AND length(categoria_normalizada) > 0),
    dias_cobertura_a       INTEGER NOT NULL DEFAULT 7  CHECK (dias_cobertura_a >= 0),
    dias_cobertura_b       INTEGER NOT NULL DEFAULT 14 CHECK (dias_cobertura_b >= 0),
    dias_cobertura_c       INTEGER NOT NULL DEFAULT 21 CHECK (dias_cobertura_c >= 0),
    dias_cobertura_d       INTEGER NOT NULL DEFAULT 30 CHECK (dias_cobertura_d >= 0),
    es_perecedero          INTEGER NOT NULL DEFAULT 0 CHECK (es_perecedero IN (0, 1)),
    descripcion            TEXT,
    activo                 INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    actualizado_por        TEXT,
    actualizado_en         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

-- Physical storage cap and display minimum per (store, product), in selling
-- units. At least one limit must be set, each > 0. `id` is the API handle
-- '<tienda_id>_<producto_codigo>' (generated, so it can never drift).
-- "Delete" = activo 0.
CREATE TABLE capacidad_almacenamiento_producto (
    tienda_id                   TEXT    NOT NULL REFERENCES ubicaciones (id),
    producto_codigo             TEXT    NOT NULL CHECK (length(producto_codigo) > 0),
    id                          TEXT    GENERATED ALWAYS AS (tienda_id || '_' || producto_codigo) STORED UNIQUE,
    capacidad_maxima_unidades   REAL    CHECK (capacidad_maxima_unidades IS NULL OR capacidad_maxima_unidades > 0),
    minimo_exhibicion_unidades  REAL    CHECK (minimo_exhibicion_unidades IS NULL OR minimo_exhibicion_unidades > 0),
    tipo_restriccion            TEXT    NOT NULL DEFAULT 'espacio_fisico'
                                CHECK (tipo_restriccion IN ('congelador', 'refrigerador', 'anaquel', 'piso',
                                                            'exhibidor', 'espacio_fisico', 'custom')),
    notas                       TEXT,
    activo                      INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    creado_por                  TEXT,
    created_at                  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at                  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (tienda_id, producto_codigo),
    CHECK (capacidad_maxima_unidades IS NOT NULL OR minimo_exhibicion_unidades IS NOT NULL)
) STRICT;

CREATE INDEX idx_capacidad_producto ON capacidad_almacenamiento_producto (producto_codigo);

-- Products permanently excluded from a store's suggestions. Soft delete via
-- activo; re-excluding reactivates the same row (upsert), fixing the
-- original's "cannot re-add" defect. Description/category are denormalised.
CREATE TABLE productos_excluidos_tienda (
    tienda_id             TEXT    NOT NULL REFERENCES ubicaciones (id),
    codigo_producto       TEXT    NOT NULL CHECK (length(codigo_producto) > 0),
    descripcion_producto  TEXT,
    categoria             TEXT,
    motivo                TEXT    NOT NULL DEFAULT 'MANUAL'
                          CHECK (motivo IN ('MANUAL', 'DESCONTINUADO', 'NO_VENDE', 'OTRO')),
    observaciones         TEXT,
    creado_por            TEXT,
    fecha_creacion        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (fecha_creacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    activo                INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    PRIMARY KEY (tienda_id, codigo_producto)
) STRICT;

-- Products excluded from inter-CEDI orders towards a receiving CEDI (all
-- origins). `id` is the API handle for DELETE …/{id}. cedi_origen_id is an
-- informational copy of the product's origin (NULL = 'sin_asignar').
CREATE TABLE productos_excluidos_inter_cedi (
    id                    INTEGER NOT NULL PRIMARY KEY,
    cedi_destino_id       TEXT    NOT NULL REFERENCES ubicaciones (id),
    codigo_producto       TEXT    NOT NULL CHECK (length(codigo_producto) > 0),
    cedi_origen_id        TEXT    REFERENCES ubicaciones (id),
    descripcion_producto  TEXT,
    categoria             TEXT,
    motivo                TEXT    NOT NULL DEFAULT 'MANUAL'
                          CHECK (motivo IN ('MANUAL', 'SOLO_TIENDA', 'PROVEEDOR_LOCAL', 'DESCONTINUADO', 'OTRO')),
    observaciones         TEXT,
    creado_por            TEXT,
    fecha_creacion        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (fecha_creacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    activo                INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    UNIQUE (cedi_destino_id, codigo_producto)
) STRICT;

-- Sales days excluded from demand statistics (atypical days, e.g. a store's
-- opening day). ubicacion_id NULL = the day is excluded for all locations.
-- Uniqueness of (ubicacion_id, fecha) is enforced by an expression index
-- because a plain UNIQUE treats NULLs as distinct.
CREATE TABLE dias_excluidos_ventas (
    id            INTEGER NOT NULL PRIMARY KEY,
    ubicacion_id  TEXT    REFERENCES ubicaciones (id),
    fecha         TEXT    NOT NULL CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    motivo        TEXT,
    creado_por    TEXT,
    creado_en     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                  CHECK (creado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE UNIQUE INDEX uq_dias_excluidos_ventas ON dias_excluidos_ventas (ifnull(ubicacion_id, ''), fecha);
CREATE INDEX idx_dias_excluidos_ventas_fecha ON dias_excluidos_ventas (fecha);

-- Emergency (intraday stock-out) detector settings per store. A missing row
-- means disabled with the default thresholds (fractions of remaining demand).
CREATE TABLE emergencias_config_tienda (
    ubicacion_id            TEXT    NOT NULL PRIMARY KEY REFERENCES ubicaciones (id),
    habilitado              INTEGER NOT NULL DEFAULT 0 CHECK (habilitado IN (0, 1)),
    fecha_habilitacion      TEXT
                            CHECK (fecha_habilitacion IS NULL OR fecha_habilitacion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    umbral_critico          REAL    NOT NULL DEFAULT 0.25,
    umbral_inminente        REAL    NOT NULL DEFAULT 0.50,
    umbral_alerta           REAL    NOT NULL DEFAULT 0.75,
    emails_notificacion     TEXT    NOT NULL DEFAULT '[]'
                            CHECK (json_valid(emails_notificacion) AND json_type(emails_notificacion) = 'array'),
    notificaciones_activas  INTEGER NOT NULL DEFAULT 1 CHECK (notificaciones_activas IN (0, 1)),
    creado_por              TEXT,
    actualizado_por         TEXT,
    created_at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                            CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    updated_at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                            CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    CHECK (0 < umbral_critico AND umbral_critico < umbral_inminente
           AND umbral_inminente < umbral_alerta AND umbral_alerta <= 1)
) STRICT;

-- One row per emergency scan. `emergencias` persists the scan's emergency
-- list (JSON array of rows; the original kept it in process memory only),
-- so "latest emergencies" survives restarts.
CREATE TABLE emergencias_scans (
    id                    TEXT    NOT NULL PRIMARY KEY,          -- UUID
    inicio                TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                          CHECK (inicio GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    fin                   TEXT
                          CHECK (fin IS NULL OR fin GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    duracion_ms           INTEGER CHECK (duracion_ms IS NULL OR duracion_ms >= 0),
    tiendas               TEXT    NOT NULL DEFAULT '[]'
                          CHECK (json_valid(tiendas) AND json_type(tiendas) = 'array'),
    productos_analizados  INTEGER NOT NULL DEFAULT 0 CHECK (productos_analizados >= 0),
    total_emergencias     INTEGER NOT NULL DEFAULT 0 CHECK (total_emergencias >= 0),
    total_anomalias       INTEGER NOT NULL DEFAULT 0 CHECK (total_anomalias >= 0),
    total_stockouts       INTEGER NOT NULL DEFAULT 0 CHECK (total_stockouts >= 0),
    total_criticos        INTEGER NOT NULL DEFAULT 0 CHECK (total_criticos >= 0),
    total_inminentes      INTEGER NOT NULL DEFAULT 0 CHECK (total_inminentes >= 0),
    total_alertas         INTEGER NOT NULL DEFAULT 0 CHECK (total_alertas >= 0),
    estado                TEXT    NOT NULL DEFAULT 'EN_PROGRESO'
                          CHECK (estado IN ('EN_PROGRESO', 'COMPLETADO', 'ERROR')),
    error_mensaje         TEXT,
    -- spec: "trigger"; renamed because TRIGGER is an SQL keyword.
    disparado_por         TEXT    NOT NULL CHECK (disparado_por IN ('MANUAL', 'SCHEDULER', 'API')),
    usuario               TEXT,
    emergencias           TEXT    CHECK (emergencias IS NULL OR (json_valid(emergencias) AND json_type(emergencias) = 'array'))
) STRICT;

CREATE INDEX idx_emergencias_scans_inicio ON emergencias_scans (estado, inicio);

-- Stock anomalies found by scans. At most one *open* (PENDIENTE/REVISADO)
-- anomaly per (store, product, almacén, type): re-detection updates the
-- value and ultima_deteccion instead of inserting a duplicate.
CREATE TABLE emergencias_anomalias (
    id                INTEGER NOT NULL PRIMARY KEY,
    ubicacion_id      TEXT    NOT NULL,
    producto_codigo   TEXT    NOT NULL,
    almacen_codigo    TEXT,
    tipo              TEXT    NOT NULL
                      CHECK (tipo IN ('STOCK_NEGATIVO', 'VENTA_IMPOSIBLE', 'SPIKE_VENTAS', 'DISCREPANCIA')),
    valor_detectado   REAL,
    valor_esperado    REAL,
    desviacion_pct    REAL,
    descripcion       TEXT,
    severidad         TEXT    NOT NULL CHECK (severidad IN ('BAJA', 'MEDIA', 'ALTA', 'CRITICA')),
    estado            TEXT    NOT NULL DEFAULT 'PENDIENTE'
                      CHECK (estado IN ('PENDIENTE', 'REVISADO', 'RESUELTO', 'IGNORADO')),
    fecha_deteccion   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (fecha_deteccion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    ultima_deteccion  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (ultima_deteccion GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    scan_id           TEXT    REFERENCES emergencias_scans (id) ON DELETE SET NULL,
    revisado_por      TEXT,
    fecha_revision    TEXT
                      CHECK (fecha_revision IS NULL OR fecha_revision GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    nota_revision     TEXT
) STRICT;

CREATE UNIQUE INDEX uq_emergencias_anomalias_abierta
    ON emergencias_anomalias (ubicacion_id, producto_codigo, ifnull(almacen_codigo, ''), tipo)
    WHERE estado IN ('PENDIENTE', 'REVISADO');
CREATE INDEX idx_emergencias_anomalias_estado ON emergencias_anomalias (estado, fecha_deteccion);
CREATE INDEX idx_emergencias_anomalias_scan ON emergencias_anomalias (scan_id);

-- Traffic-generator detection settings, key/value, one key updated at a
-- time (unknown key -> 404), so the known keys are seeded below.
CREATE TABLE config_generadores_trafico (
    clave            TEXT NOT NULL PRIMARY KEY,
    valor            TEXT NOT NULL,
    tipo_valor       TEXT NOT NULL DEFAULT 'texto' CHECK (tipo_valor IN ('numero', 'texto')),
    descripcion      TEXT,
    actualizado_por  TEXT,
    actualizado_en   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    CHECK (tipo_valor <> 'numero' OR (length(valor) > 0 AND valor NOT GLOB '*[^0-9.-]*'))
) STRICT;

-- Every traffic-generator state change (suggestion run or admin action).
CREATE TABLE generadores_trafico_historial (
    id               INTEGER NOT NULL PRIMARY KEY,
    producto_codigo  TEXT    NOT NULL,
    accion           TEXT    NOT NULL CHECK (accion IN ('sugerido', 'aprobado', 'rechazado', 'removido')),
    gap              INTEGER,
    venta_30d        REAL,           -- USD
    tickets_30d      INTEGER CHECK (tickets_30d IS NULL OR tickets_30d >= 0),
    penetracion_pct  REAL,
    clase_abc        TEXT,
    usuario          TEXT,           -- NULL for the automatic suggestion run
    comentario       TEXT,
    fecha            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z')
) STRICT;

CREATE INDEX idx_generadores_trafico_historial_producto ON generadores_trafico_historial (producto_codigo, fecha);


-- -----------------------------------------------------------------------------
-- 7. ETL state (spec 20 §8, §9.1-9.3, §13; spec 10 §6.4)
-- -----------------------------------------------------------------------------

-- One row per job run. AUTOINCREMENT: ids are referenced by DuckDB rows
-- (ventas.etl_execution_id, inventario_*) and must never be reused after the
-- 365-day retention purge.
-- etl_name: ventas | inventario (recovery/backfill are ventas with another
-- etl_type) plus the post-load jobs abc | cache_productos (spec 20 §13).
-- fecha_desde / fecha_hasta: local data window 'YYYY-MM-DDTHH:MM:SS'
-- (America/Caracas, no zone); inventory uses the run time for both.
-- error_category is one of the spec 20 §9.4 taxonomy values (not CHECKed so
-- the taxonomy can grow without a table rebuild).
CREATE TABLE etl_executions (
    id                          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    etl_name                    TEXT    NOT NULL CHECK (etl_name IN ('ventas', 'inventario', 'abc', 'cache_productos')),
    etl_type                    TEXT    NOT NULL CHECK (etl_type IN ('scheduled', 'manual', 'recovery', 'backfill')),
    triggered_by                TEXT    NOT NULL CHECK (triggered_by IN ('scheduler', 'admin', 'cli')),
    usuario                     TEXT,                      -- username for admin triggers
    started_at                  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                CHECK (started_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    finished_at                 TEXT
                                CHECK (finished_at IS NULL OR finished_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    duration_seconds            REAL    CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    fecha_desde                 TEXT
                                CHECK (fecha_desde IS NULL OR fecha_desde GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]'),
    fecha_hasta                 TEXT
                                CHECK (fecha_hasta IS NULL OR fecha_hasta GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]'),
    tiendas_procesadas          TEXT    NOT NULL DEFAULT '[]'        -- JSON array of location ids requested
                                CHECK (json_valid(tiendas_procesadas) AND json_type(tiendas_procesadas) = 'array'),
    status                      TEXT    NOT NULL DEFAULT 'running'
                                CHECK (status IN ('running', 'success', 'partial', 'failed', 'killed')),
    records_extracted           INTEGER NOT NULL DEFAULT 0 CHECK (records_extracted >= 0),
    records_loaded              INTEGER NOT NULL DEFAULT 0 CHECK (records_loaded >= 0),   -- inserted + updated
    records_inserted            INTEGER NOT NULL DEFAULT 0 CHECK (records_inserted >= 0),
    records_updated             INTEGER NOT NULL DEFAULT 0 CHECK (records_updated >= 0),
    records_failed              INTEGER NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    duplicates_skipped          INTEGER NOT NULL DEFAULT 0 CHECK (duplicates_skipped >= 0),
    gaps_recovered              INTEGER NOT NULL DEFAULT 0 CHECK (gaps_recovered >= 0),
    extract_duration_seconds    REAL    CHECK (extract_duration_seconds IS NULL OR extract_duration_seconds >= 0),
    transform_duration_seconds  REAL    CHECK (transform_duration_seconds IS NULL OR transform_duration_seconds >= 0),
    load_duration_seconds       REAL    CHECK (load_duration_seconds IS NULL OR load_duration_seconds >= 0),
    source_system               TEXT    CHECK (source_system IS NULL OR source_system IN ('klk', 'stellar', 'mixed')),
    api_requests_count          INTEGER NOT NULL DEFAULT 0 CHECK (api_requests_count >= 0),
    api_errors_count            INTEGER NOT NULL DEFAULT 0 CHECK (api_errors_count >= 0),
    error_phase                 TEXT    CHECK (error_phase IS NULL OR error_phase IN ('extract', 'transform', 'load')),
    error_category              TEXT,
    error_source                TEXT,
    error_message               TEXT    CHECK (error_message IS NULL OR length(error_message) <= 500),
    error_detail                TEXT    CHECK (error_detail IS NULL OR length(error_detail) <= 2000),
    is_recovery                 INTEGER NOT NULL DEFAULT 0 CHECK (is_recovery IN (0, 1)),
    recovered_gap_id            INTEGER REFERENCES etl_executions (id) ON DELETE SET NULL,
    CHECK (status = 'running' OR finished_at IS NOT NULL)
) STRICT;

CREATE INDEX idx_etl_executions_started ON etl_executions (started_at);
CREATE INDEX idx_etl_executions_name_started ON etl_executions (etl_name, started_at);
CREATE INDEX idx_etl_executions_status ON etl_executions (status, started_at);
CREATE INDEX idx_etl_executions_recovered ON etl_executions (recovered_gap_id);

-- One row per location per execution (a late retry of the same location
-- updates its row). advertencias: JSON array of non-fatal warnings
-- (e.g. meta.total_registros mismatch, spec 20 §11).
CREATE TABLE etl_execution_details (
    id                          INTEGER NOT NULL PRIMARY KEY,
    execution_id                INTEGER NOT NULL REFERENCES etl_executions (id) ON DELETE CASCADE,
    tienda_id                   TEXT    NOT NULL,
    tienda_nombre               TEXT,
    source_system               TEXT    CHECK (source_system IS NULL OR source_system IN ('klk', 'stellar')),
    status                      TEXT    NOT NULL DEFAULT 'running'
                                CHECK (status IN ('running', 'success', 'failed', 'skipped')),
    started_at                  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                CHECK (started_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    finished_at                 TEXT
                                CHECK (finished_at IS NULL OR finished_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    duration_seconds            REAL    CHECK (duration_seconds IS NULL OR duration_seconds >= 0),
    ventana_desde               TEXT        -- local 'YYYY-MM-DDTHH:MM:SS'
                                CHECK (ventana_desde IS NULL OR ventana_desde GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]'),
    ventana_hasta               TEXT
                                CHECK (ventana_hasta IS NULL OR ventana_hasta GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]'),
    requests                    INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
    records_extracted           INTEGER NOT NULL DEFAULT 0 CHECK (records_extracted >= 0),
    records_loaded              INTEGER NOT NULL DEFAULT 0 CHECK (records_loaded >= 0),
    records_inserted            INTEGER NOT NULL DEFAULT 0 CHECK (records_inserted >= 0),
    records_updated             INTEGER NOT NULL DEFAULT 0 CHECK (records_updated >= 0),
    records_failed              INTEGER NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    duplicates_skipped          INTEGER NOT NULL DEFAULT 0 CHECK (duplicates_skipped >= 0),
    extract_duration_seconds    REAL    CHECK (extract_duration_seconds IS NULL OR extract_duration_seconds >= 0),
    transform_duration_seconds  REAL    CHECK (transform_duration_seconds IS NULL OR transform_duration_seconds >= 0),
    load_duration_seconds       REAL    CHECK (load_duration_seconds IS NULL OR load_duration_seconds >= 0),
    error_phase                 TEXT    CHECK (error_phase IS NULL OR error_phase IN ('extract', 'transform', 'load')),
    error_category              TEXT,
    error_message               TEXT    CHECK (error_message IS NULL OR length(error_message) <= 500),
    endpoint                    TEXT,       -- connector target label, never a secret
    connection_latency_ms       INTEGER CHECK (connection_latency_ms IS NULL OR connection_latency_ms >= 0),
    advertencias                TEXT    NOT NULL DEFAULT '[]'
                                CHECK (json_valid(advertencias) AND json_type(advertencias) = 'array'),
    UNIQUE (execution_id, tienda_id)
) STRICT;

CREATE INDEX idx_etl_execution_details_tienda ON etl_execution_details (tienda_id, started_at);
CREATE INDEX idx_etl_execution_details_status ON etl_execution_details (status, started_at);

-- Per (job, location) high-water mark: end of the last successful window
-- (local time, no zone) and the execution that set it.
CREATE TABLE etl_watermarks (
    etl_name             TEXT    NOT NULL CHECK (etl_name IN ('ventas', 'inventario', 'abc', 'cache_productos')),
    ubicacion_id         TEXT    NOT NULL REFERENCES ubicaciones (id),
    ultimo_fin_exitoso   TEXT    NOT NULL
                         CHECK (ultimo_fin_exitoso GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]'),
    ultima_ejecucion_id  INTEGER REFERENCES etl_executions (id) ON DELETE SET NULL,
    actualizado_en       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                         CHECK (actualizado_en GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    PRIMARY KEY (etl_name, ubicacion_id)
) STRICT;

CREATE INDEX idx_etl_watermarks_ejecucion ON etl_watermarks (ultima_ejecucion_id);


-- =============================================================================
-- 8. Seed data (only values the specs state explicitly)
-- =============================================================================

INSERT INTO roles (id, nombre, descripcion, nivel_acceso) VALUES
    ('visualizador',          'Visualizador',
     'Solo lectura de tableros y reportes.', 1),
    ('gerente_tienda',        'Gerente de Tienda',
     'Gestiona únicamente las tiendas asignadas: inventario, pedidos y aprobaciones de sus tiendas.', 2),
    ('gestor_abastecimiento', 'Gestor de Abastecimiento',
     'Crea pedidos sugeridos, multi-tienda e inter-CEDI para todas las tiendas.', 3),
    ('gerente_general',       'Gerente General',
     'Ve todas las tiendas, crea y aprueba pedidos.', 4),
    ('super_admin',           'Super Admin',
     'Acceso total: BI, ETL, parámetros, productos y administración de usuarios.', 5);

INSERT INTO contadores (nombre, ultimo_valor) VALUES
    ('pedido_sugerido',   0),
    ('grupo_pedido',      0),
    ('pedido_inter_cedi', 0);

-- Per-class Z, service level and coverage days (spec 30 §6.1, §14).
-- Class D has no service level (padre prudente method, Z = 0).
INSERT INTO parametros_clasificacion (clasificacion, factor_seguridad, nivel_servicio_pct, dias_cobertura_max, descripcion) VALUES
    ('A', 2.33, 99,   7,  'Clase A: método estadístico, nivel de servicio 99 %'),
    ('B', 1.88, 97,   14, 'Clase B: método estadístico, nivel de servicio 97 %'),
    ('C', 1.28, 90,   21, 'Clase C: método estadístico, nivel de servicio 90 %'),
    ('D', 0,    NULL, 30, 'Clase D: método padre prudente');

-- Global knobs with explicit defaults in specs 10 §6.3, 30 §14 and 31 §3.4-§3.6, §6.
-- Not seeded on purpose: weekend/fortnight trend factors (spec 30 §14 says
-- tendencias/estacionalidad must not be carried over).
INSERT INTO config_inventario_global (categoria, parametro, valor_numerico, valor_texto, unidad, descripcion) VALUES
    ('abc', 'abc_modelo_activo',        NULL, 'ranking_volumen', NULL,
     'Modelo ABC activo: ranking_volumen | ranking_valor | pareto_volumen | pareto_valor'),
    ('abc', 'abc_umbral_a',             50,   NULL, 'ranking', 'Clase A = Top N por ranking'),
    ('abc', 'abc_umbral_b',             200,  NULL, 'ranking', 'Clase B hasta la posición N'),
    ('abc', 'abc_umbral_c',             800,  NULL, 'ranking', 'Clase C hasta la posición N; resto D'),
    ('abc', 'pareto_umbral_a_pct',      80,   NULL, '%',       'Pareto: clase A hasta este % acumulado'),
    ('abc', 'pareto_umbral_b_pct',      95,   NULL, '%',       'Pareto: clase B hasta este % acumulado'),
    ('abc', 'abc_ventana_dias',         30,   NULL, 'dias',    'Ventana de ventas para el cálculo ABC'),
    ('xyz', 'xyz_umbral_x',             0.5,  NULL, 'cv',      'X si CV < umbral'),
    ('xyz', 'xyz_umbral_y',             1.0,  NULL, 'cv',      'Y si CV < umbral; si no Z'),
    ('xyz', 'xyz_min_dias_venta',       15,   NULL, 'dias',    'Mínimo de días con venta para clasificar XYZ'),
    ('inventario', 'lead_time',             1.5, NULL, 'dias', 'Lead time global por defecto'),
    ('inventario', 'ventana_sigma_d',       30,  NULL, 'dias', 'Ventana para sigma y demanda máxima'),
    ('inventario', 'ventana_demanda_dias',  20,  NULL, 'dias', 'Ventana de la demanda P75'),
    ('pedidos', 'limitar_por_stock_cedi',   1,   NULL, 'bool', 'Limitar el sugerido al stock disponible en el CEDI'),
    ('pedidos', 'requiere_aprobacion',      1,   NULL, 'bool', 'Enviar un pedido lo deja pendiente de aprobación'),
    ('pedidos', 'transito_ventana_dias',    10,  NULL, 'dias', 'Antigüedad máxima de pedidos considerados en tránsito'),
    ('pedidos', 'llegada_completa_pct',     97,  NULL, '%',    'Una línea llegó completa si recibido >= este % de lo pedido'),
    ('dpdu', 'dpdu_peso_demanda',           0.60, NULL, 'peso', 'Peso de la demanda en DPD+U'),
    ('dpdu', 'dpdu_peso_urgencia',          0.40, NULL, 'peso', 'Peso de la urgencia en DPD+U'),
    ('dpdu', 'dpdu_dias_minimo_urgencia',   0.5,  NULL, 'dias', 'Días de stock a partir de los cuales la urgencia es máxima'),
    ('inter_cedi', 'inter_cedi_umbral_a',           50,   NULL, 'ranking', 'ABC regional: clase A = Top N'),
    ('inter_cedi', 'inter_cedi_umbral_b',           200,  NULL, 'ranking', 'ABC regional: clase B hasta la posición N'),
    ('inter_cedi', 'inter_cedi_umbral_c',           800,  NULL, 'ranking', 'ABC regional: clase C hasta la posición N; resto D'),
    ('inter_cedi', 'inter_cedi_ventana_dias',       30,   NULL, 'dias',    'Ventana de ventas regionales (sin hoy)'),
    ('inter_cedi', 'inter_cedi_sigma_ratio',        0.30, NULL, 'ratio',   'Sigma por defecto = ratio x P75 regional cuando sigma = 0'),
    ('inter_cedi', 'inter_cedi_ss_min_ratio_d',     0.30, NULL, 'ratio',   'Clase D: stock de seguridad mínimo = ratio x P x L'),
    ('inter_cedi', 'inter_cedi_presencia_bultos_a', 10,   NULL, 'bultos',  'Presencia de catálogo sin ventas, clase A'),
    ('inter_cedi', 'inter_cedi_presencia_bultos_b', 5,    NULL, 'bultos',  'Presencia de catálogo sin ventas, clase B'),
    ('inter_cedi', 'inter_cedi_presencia_bultos_c', 3,    NULL, 'bultos',  'Presencia de catálogo sin ventas, clase C'),
    ('inter_cedi', 'inter_cedi_presencia_bultos_d', 2,    NULL, 'bultos',  'Presencia de catálogo sin ventas, clase D');

-- Traffic-generator settings (spec 40 §5.4).
INSERT INTO config_generadores_trafico (clave, valor, tipo_valor, descripcion) VALUES
    ('gap_minimo',                '400',    'numero', 'GAP mínimo (rank venta − rank penetración) para sugerir'),
    ('clase_abc_requerida',       'C',      'texto',  'Informativo; no se usa en el cálculo'),
    ('stock_seguridad_extra_pct', '50',     'numero', 'Informativo; no se aplica (el generador se calcula como clase A)'),
    ('producto_excluido_bolsas',  '003760', 'texto',  'Producto (bolsas) excluido de rankings y del total de tickets'),
    ('dias_analisis',             '30',     'numero', 'Ventana de análisis en días'),
    ('frecuencia_calculo',        'diario', 'texto',  'Frecuencia del cálculo de sugerencias');
