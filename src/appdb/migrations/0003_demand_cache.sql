-- The demand P75 cache (spec 30 §7.3 step 2, regional reference): one row per store with
-- its P75 per product for one business date, and what it was computed from. Rebuilt with
-- the classification caches (after sales loads and nightly). A calculation uses a store's
-- row only if every stamp column equals what it would compute from now, including the
-- version of the store's daily rows in the warehouse; otherwise it reads those rows.
-- Kept here rather than in the warehouse: a calculation reads ~20 rows of ~100 KB, which
-- SQLite returns in about a millisecond and DuckDB in several.
CREATE TABLE demanda_p75_cache (
    ubicacion_id   TEXT NOT NULL PRIMARY KEY,
    fecha_base     TEXT NOT NULL,  -- business date ("today"), ISO
    desde          TEXT NOT NULL,  -- demand window, ISO
    hasta          TEXT NOT NULL,
    dias_excluidos TEXT NOT NULL,  -- the store's atypical days in the window, ISO, comma-separated
    version        TEXT NOT NULL,  -- token of the store's daily rows (warehouse ventas_diarias_cambios)
    p75s           BLOB NOT NULL,  -- (producto_id i32, P75 f64) little-endian pairs, by id ascending
    calculado_en   TEXT NOT NULL
) STRICT;
