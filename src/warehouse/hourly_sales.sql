-- Schema version 6: sales per store × day × hour (spec 40 §6.3, §3.2 heat map, §4.2
-- intraday profile).
--
-- Tickets cannot be summed over products, and an hourly profile of a store from its sale
-- lines would read a month of lines per request; this table is ≈ 17 rows per store-day,
-- kept in the same transaction as the daily aggregates (same touched days, same check that
-- it counts every line).
CREATE TABLE ventas_horarias_ubicacion (
    ubicacion_id VARCHAR NOT NULL,
    fecha        DATE NOT NULL,
    hora         TINYINT NOT NULL,   -- local hour 0–23 of fecha_venta
    cantidad     DECIMAL(18,4) NOT NULL,
    venta_total  DECIMAL(18,4) NOT NULL,
    costo_total  DECIMAL(18,4) NOT NULL,
    lineas       INTEGER NOT NULL,
    tickets      INTEGER NOT NULL    -- distinct invoices with a line in that hour
);

INSERT INTO ventas_horarias_ubicacion
    SELECT v.ubicacion_id, v.fecha, hour(v.fecha_venta)::TINYINT, sum(v.cantidad_vendida), sum(v.venta_total),
           coalesce(sum(v.costo_total), 0), count(*), count(DISTINCT v.numero_factura)
    FROM ventas v GROUP BY v.ubicacion_id, v.fecha, hour(v.fecha_venta)
    ORDER BY v.fecha, v.ubicacion_id;
