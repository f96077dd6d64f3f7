-- Warehouse schema version 2: ABC/XYZ classification caches (spec 10 §5, spec 30 §4–§5),
-- rebuilt after sales loads and nightly (`abc_recalc`). All four ABC models are stored;
-- `clase_abc` holds the active one and is rewritten in place when the model changes.

CREATE TABLE productos_abc_tienda (
    ubicacion_id         VARCHAR NOT NULL,
    producto_codigo      VARCHAR NOT NULL,
    cantidad_30d         DOUBLE NOT NULL,
    venta_30d            DOUBLE NOT NULL,
    tickets_30d          BIGINT NOT NULL,
    rank_cantidad        INTEGER NOT NULL,
    rank_valor           INTEGER NOT NULL,
    rank_penetracion     INTEGER NOT NULL,
    gap                  BIGINT NOT NULL,
    porcentaje_venta     DOUBLE NOT NULL,
    porcentaje_acumulado DOUBLE NOT NULL,
    clase_ranking_vol    VARCHAR NOT NULL,
    clase_ranking_val    VARCHAR NOT NULL,
    clase_pareto_vol     VARCHAR NOT NULL,
    clase_pareto_val     VARCHAR NOT NULL,
    clase_abc            VARCHAR NOT NULL,
    clase_xyz            VARCHAR,            -- NULL: fewer selling days than required
    cv                   DOUBLE,
    dias_venta           INTEGER NOT NULL,
    fecha_calculo        DATE NOT NULL,
    periodo_inicio       DATE NOT NULL,
    periodo_fin          DATE NOT NULL
);

-- Same over the whole chain (ubicacion_id = '*').
CREATE TABLE productos_abc_cache AS SELECT * FROM productos_abc_tienda LIMIT 0;
