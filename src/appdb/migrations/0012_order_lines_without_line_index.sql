-- Order lines without the UNIQUE (pedido_id, linea_numero) index. Line numbers are given by
-- the server, 1..n in the order a calculation lists the lines, inside the transaction that
-- writes the order, so they cannot repeat; the index only cost a 36-character key per line
-- on every insert (≈ 15 % of writing a 20-store batch of 170 k lines). An order's lines are
-- still read in line order (WHERE pedido_id = ? ORDER BY linea_numero sorts one order's lines);
-- a product still appears once per order (UNIQUE (pedido_id, codigo_producto)).
--
-- The table is rebuilt (SQLite cannot drop a table constraint in place) with its rows, ids
-- and the covering index of 0005/0009.

CREATE TABLE pedidos_sugeridos_detalle_v12 (
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
    clasificacion_abc                TEXT    CHECK (clasificacion_abc IS NULL OR clasificacion_abc = 'A' OR clasificacion_abc = 'B'
                                                           OR clasificacion_abc = 'C' OR clasificacion_abc = 'D'),
    clase_efectiva                   TEXT    CHECK (clase_efectiva IS NULL OR clase_efectiva = 'A' OR clase_efectiva = 'B'
                                                           OR clase_efectiva = 'C' OR clase_efectiva = 'D'),
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
                                     CHECK (estado_linea = 'pendiente' OR estado_linea = 'aprobada' OR estado_linea = 'pickeada'
                                            OR estado_linea = 'empacada' OR estado_linea = 'despachada' OR estado_linea = 'recibida'
                                            OR estado_linea = 'rechazada' OR estado_linea = 'faltante'),
    motivo_rechazo                   TEXT,
    -- estadistico | padre_prudente | envio_prueba | referencia_regional (not
    -- CHECKed: imported history carries other labels)
    metodo_calculo                   TEXT,
    warnings_calculo                 TEXT    NOT NULL DEFAULT '[]'
                                     CHECK (json_valid(warnings_calculo) AND json_type(warnings_calculo) = 'array'),
    datos_calculo                    TEXT    CHECK (datos_calculo IS NULL OR json_valid(datos_calculo)),  -- explanation block
    -- the line's explanation when it is shared with other lines of the order (then datos_calculo is NULL):
    -- pedidos_sugeridos_calculos (pedido_id, numero)
    calculo_numero                   INTEGER CHECK (calculo_numero IS NULL OR calculo_numero >= 1),
    UNIQUE (pedido_id, codigo_producto)
) STRICT;

INSERT INTO pedidos_sugeridos_detalle_v12 (id, pedido_id, linea_numero, codigo_producto, codigo_barras, descripcion_producto, categoria, grupo, subgrupo, marca, modelo,
    presentacion, cuadrante_producto, clasificacion_abc, clase_efectiva, matriz_abc_xyz, cantidad_bultos, unidad_pedido, peso_unitario_kg,
    cantidad_sugerida_unid, cantidad_sugerida_bultos, cantidad_necesaria_bultos, limitado_por_cedi, cantidad_pedida_bultos,
    cantidad_pedida_unidades, total_unidades, ajustado_por_dpdu, cantidad_original_bultos, razon_ajuste_dpdu, prom_ventas_5dias_unid,
    prom_ventas_20dias_unid, prom_ventas_8sem_unid, prom_ventas_8sem_bultos, prom_p75_unid, stock_tienda, stock_cedi_origen, stock_total,
    inventario_en_transito, stock_minimo, stock_maximo, punto_reorden, stock_seguridad, demanda_ciclo, nivel_objetivo, razon_pedido,
    incluido, observaciones, comentario_gerente, cantidad_pickeada_bultos, cantidad_pickeada_unidades, cantidad_recibida_bultos,
    cantidad_recibida_unidades, cantidad_rechazada_unidades, estado_linea, motivo_rechazo, metodo_calculo, warnings_calculo, datos_calculo, calculo_numero)
SELECT id, pedido_id, linea_numero, codigo_producto, codigo_barras, descripcion_producto, categoria, grupo, subgrupo, marca, modelo,
    presentacion, cuadrante_producto, clasificacion_abc, clase_efectiva, matriz_abc_xyz, cantidad_bultos, unidad_pedido, peso_unitario_kg,
    cantidad_sugerida_unid, cantidad_sugerida_bultos, cantidad_necesaria_bultos, limitado_por_cedi, cantidad_pedida_bultos,
    cantidad_pedida_unidades, total_unidades, ajustado_por_dpdu, cantidad_original_bultos, razon_ajuste_dpdu, prom_ventas_5dias_unid,
    prom_ventas_20dias_unid, prom_ventas_8sem_unid, prom_ventas_8sem_bultos, prom_p75_unid, stock_tienda, stock_cedi_origen, stock_total,
    inventario_en_transito, stock_minimo, stock_maximo, punto_reorden, stock_seguridad, demanda_ciclo, nivel_objetivo, razon_pedido,
    incluido, observaciones, comentario_gerente, cantidad_pickeada_bultos, cantidad_pickeada_unidades, cantidad_recibida_bultos,
    cantidad_recibida_unidades, cantidad_rechazada_unidades, estado_linea, motivo_rechazo, metodo_calculo, warnings_calculo, datos_calculo, calculo_numero
FROM pedidos_sugeridos_detalle;

DROP TABLE pedidos_sugeridos_detalle;
ALTER TABLE pedidos_sugeridos_detalle_v12 RENAME TO pedidos_sugeridos_detalle;

CREATE INDEX idx_pedidos_sugeridos_detalle_cifras ON pedidos_sugeridos_detalle
    (pedido_id, incluido, codigo_producto, cantidad_pedida_bultos, cantidad_bultos, cantidad_recibida_unidades,
     cantidad_recibida_bultos, clasificacion_abc);
