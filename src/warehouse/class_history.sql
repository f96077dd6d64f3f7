-- Schema version 8: the kept history of the classification caches (spec 50 §9.3,
-- `GET /api/productos/{codigo}/historico-clasificacion`).
--
-- Change-only: each rebuild of the caches for a business date appends a row per (location,
-- product) whose class differs from the one in force the day before — a new product, a new
-- ABC or XYZ class, or `SIN_VENTAS` when it left the cache. At client scale (20 stores and the
-- chain × 10.5 k products) a full daily snapshot would be ≈ 220 k rows a day (80 M a year);
-- the classes of a 30-day window move slowly, so the log keeps a few thousand a day.
-- `ubicacion_id = '*'` is the whole chain, as in `productos_abc_cache`.
CREATE TABLE productos_abc_historico (
    ubicacion_id    VARCHAR NOT NULL,
    producto_codigo VARCHAR NOT NULL,
    desde           DATE NOT NULL,     -- business date of the rebuild from which the class holds
    clase_abc       VARCHAR NOT NULL,  -- the active model's class, or 'SIN_VENTAS'
    clase_xyz       VARCHAR            -- NULL: undetermined (or not classified)
);

-- The business dates the caches were rebuilt for (the log only says what changed).
CREATE TABLE productos_abc_historico_fechas (
    fecha       DATE NOT NULL,
    registrado  TIMESTAMP NOT NULL,
    cambios     BIGINT NOT NULL
);

-- The caches of an existing installation are its first snapshot.
INSERT INTO productos_abc_historico
SELECT ubicacion_id, producto_codigo, fecha_calculo, clase_abc, clase_xyz FROM productos_abc_tienda
UNION ALL
SELECT ubicacion_id, producto_codigo, fecha_calculo, clase_abc, clase_xyz FROM productos_abc_cache;

INSERT INTO productos_abc_historico_fechas
SELECT desde, now()::TIMESTAMP, count(*) FROM productos_abc_historico GROUP BY desde;
