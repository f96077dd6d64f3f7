-- Schema version 3: a compact integer key per product code for the daily aggregate.
--
-- A replenishment calculation reads a store's ~90 k daily rows and, for its slow sellers,
-- the whole region's; decoding the text code of every row was half of that read. The
-- integer `producto_id` is assigned once per code (never reused, never changed) and
-- stored beside the code, which every other query keeps using.

CREATE TABLE producto_ids (
    codigo VARCHAR NOT NULL,  -- unique: assigned only to codes not yet listed
    id     INTEGER NOT NULL
);

INSERT INTO producto_ids
    SELECT codigo, (row_number() OVER (ORDER BY codigo))::INTEGER
    FROM (SELECT codigo FROM productos UNION SELECT producto_codigo FROM ventas_diarias);

CREATE TABLE ventas_diarias_v3 (
    ubicacion_id    VARCHAR NOT NULL,
    producto_codigo VARCHAR NOT NULL,
    fecha           DATE NOT NULL,
    cantidad        DECIMAL(18,4) NOT NULL,
    venta_total     DECIMAL(18,4) NOT NULL,
    costo_total     DECIMAL(18,4) NOT NULL,
    lineas          INTEGER NOT NULL,
    tickets         INTEGER NOT NULL,
    producto_id     INTEGER NOT NULL             -- producto_ids.id of producto_codigo
);

INSERT INTO ventas_diarias_v3
    SELECT d.*, i.id FROM ventas_diarias d JOIN producto_ids i ON i.codigo = d.producto_codigo
    ORDER BY d.fecha, d.ubicacion_id, d.producto_codigo;

DROP TABLE ventas_diarias;
ALTER TABLE ventas_diarias_v3 RENAME TO ventas_diarias;
