-- Schema version 5: an administrator's product corrections, mirrored from the application
-- database (`producto_ajustes`, authoritative there), and the effective product view.
--
-- The ETL and CSV imports keep writing `productos` as the POS says; every reader that shows
-- or uses a product reads `productos_v`, where an override (non-NULL) wins. So no later load
-- can undo a correction, and removing an override gives the POS value back at once.

CREATE TABLE app.producto_ajustes (
    codigo               VARCHAR NOT NULL,
    unidades_por_bulto   INTEGER,
    unidad_pedido        VARCHAR,
    cuadrante            VARCHAR,
    peso_unitario        DECIMAL(18,4),
    volumen_unitario     DECIMAL(18,4),
    marca                VARCHAR,
    presentacion         VARCHAR,
    categoria            VARCHAR,
    cedi_origen_id       VARCHAR,
    es_generador_trafico BOOLEAN,
    activo               BOOLEAN
);

CREATE VIEW productos_v AS
    SELECT p.* REPLACE (
               coalesce(a.unidades_por_bulto, p.unidades_por_bulto) AS unidades_por_bulto,
               coalesce(a.unidad_pedido, p.unidad_pedido) AS unidad_pedido,
               coalesce(a.cuadrante, p.cuadrante) AS cuadrante,
               coalesce(a.peso_unitario, p.peso_unitario) AS peso_unitario,
               coalesce(a.volumen_unitario, p.volumen_unitario) AS volumen_unitario,
               coalesce(a.marca, p.marca) AS marca,
               coalesce(a.presentacion, p.presentacion) AS presentacion,
               coalesce(a.categoria, p.categoria) AS categoria,
               coalesce(a.cedi_origen_id, p.cedi_origen_id) AS cedi_origen_id,
               coalesce(a.es_generador_trafico, p.es_generador_trafico) AS es_generador_trafico,
               coalesce(a.activo, p.activo) AS activo),
           a.codigo IS NOT NULL AS con_ajustes,
           -- A pack size of 1 that nobody set (domain::products::pack_size_unset).
           (a.unidades_por_bulto IS NULL AND p.unidades_por_bulto = 1 AND p.fuente IN ('klk', 'placeholder')) AS bulto_sin_definir
    FROM productos p LEFT JOIN app.producto_ajustes a ON a.codigo = p.codigo;
