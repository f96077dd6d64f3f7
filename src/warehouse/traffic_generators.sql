-- Warehouse schema version 9: traffic-generator metrics (spec 40 §5.1), rebuilt with the
-- classification caches (`classification::rebuild`, same transaction) over the
-- `dias_analisis` days ending the day before the rebuild, all active stores.
--
-- Tickets are distinct (store, invoice) pairs counted on the sale lines of the window: a
-- product's tickets cannot be summed from the daily aggregate once the excluded product
-- (carrier bags) is left out of the ticket total, and the screens must not read a month of
-- lines per request. One row per product sold in the window; `total_tickets` repeats the
-- window's total (tickets with at least one line of a non-excluded product).
CREATE TABLE generadores_trafico_metricas (
    producto_codigo  VARCHAR NOT NULL,
    venta            DOUBLE  NOT NULL,   -- Σ venta_total, USD
    tickets          BIGINT  NOT NULL,   -- distinct (ubicacion_id, numero_factura) with the product
    total_tickets    BIGINT  NOT NULL,
    penetracion_pct  DOUBLE  NOT NULL,   -- unrounded; 4 dp on output
    rank_valor       INTEGER NOT NULL,   -- by revenue desc, ties by code
    rank_penetracion INTEGER NOT NULL,   -- by tickets desc, ties by code
    gap              BIGINT  NOT NULL,   -- rank_valor − rank_penetracion
    fecha_calculo    DATE    NOT NULL,   -- business date of the rebuild
    periodo_inicio   DATE    NOT NULL,
    periodo_fin      DATE    NOT NULL
);
