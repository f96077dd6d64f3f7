-- Warehouse (DuckDB) schema, version 1: facts and masters derived from the POS
-- (spec 10 §3–§5). Quantities and money are DECIMAL(18,4); business timestamps are
-- local wall-clock time of the store (TIMESTAMP without zone); system instants
-- (cargado_en, actualizado_en) are UTC, also as TIMESTAMP.
--
-- Keys are enforced by the loaders (merge on key inside one transaction), not by an
-- ART index: at ~84 M sale lines a year an index costs memory and append speed, and
-- every writer goes through `warehouse::load`.

CREATE SCHEMA app;  -- one-way mirrors of SQLite/tenant.toml dimensions

CREATE TABLE app.ubicaciones (
    id                VARCHAR NOT NULL,
    nombre            VARCHAR NOT NULL,
    tipo              VARCHAR NOT NULL,   -- tienda | cedi
    region            VARCHAR NOT NULL,
    ciudad            VARCHAR,
    activo            BOOLEAN NOT NULL,
    hora_apertura     VARCHAR NOT NULL,   -- HH:MM local
    hora_cierre       VARCHAR NOT NULL,   -- HH:MM local, 00:00 = midnight
    sistema_pos       VARCHAR NOT NULL,
    visible_pedidos   BOOLEAN NOT NULL,
    visible_reportes  BOOLEAN NOT NULL,
    visible_dashboards BOOLEAN NOT NULL,
    orden             INTEGER NOT NULL    -- position in tenant.toml, for stable listings
);

CREATE TABLE app.almacenes (
    ubicacion_id       VARCHAR NOT NULL,
    codigo             VARCHAR NOT NULL,
    nombre             VARCHAR NOT NULL,
    tipo               VARCHAR NOT NULL,
    incluir_en_deficit BOOLEAN NOT NULL,
    activo             BOOLEAN NOT NULL
);

CREATE TABLE app.regiones (
    codigo             VARCHAR NOT NULL,
    nombre             VARCHAR NOT NULL,
    cedi_reposicion_id VARCHAR
);

CREATE TABLE productos (
    codigo                VARCHAR NOT NULL,   -- POS article code, text, leading zeros kept
    descripcion           VARCHAR NOT NULL,
    codigo_barras         VARCHAR,
    categoria             VARCHAR,
    grupo                 VARCHAR,
    subgrupo              VARCHAR,
    marca                 VARCHAR,
    modelo                VARCHAR,
    presentacion          VARCHAR,
    cuadrante             VARCHAR NOT NULL DEFAULT 'NO ESPECIFICADO',
    unidades_por_bulto    INTEGER NOT NULL DEFAULT 1,
    unidad_pedido         VARCHAR NOT NULL DEFAULT 'Bulto',
    peso_unitario         DECIMAL(18,4),
    volumen_unitario      DECIMAL(18,4),
    es_pesable            BOOLEAN NOT NULL DEFAULT false,
    precio_venta_usd      DECIMAL(18,4),
    costo_unitario_usd    DECIMAL(18,4),
    iva_pct               DECIMAL(8,2),
    cedi_origen_id        VARCHAR,
    activo                BOOLEAN NOT NULL DEFAULT true,
    es_generador_trafico  BOOLEAN NOT NULL DEFAULT false,
    fecha_lanzamiento     DATE,              -- first day on sale, when known
    fuente                VARCHAR NOT NULL,  -- klk | stellar | archivo | sintetico | placeholder
    primera_vez_visto     TIMESTAMP NOT NULL,
    actualizado_en        TIMESTAMP NOT NULL
);

CREATE TABLE ventas (
    ubicacion_id        VARCHAR NOT NULL,
    numero_factura      VARCHAR NOT NULL,
    linea               INTEGER NOT NULL,
    fecha_venta         TIMESTAMP NOT NULL,  -- local, fractional seconds truncated
    fecha               DATE NOT NULL,       -- local business date of fecha_venta
    almacen_codigo      VARCHAR,
    almacen_nombre      VARCHAR,
    producto_codigo     VARCHAR NOT NULL,
    cuadrante_producto  VARCHAR,
    cantidad_vendida    DECIMAL(18,4) NOT NULL,
    peso_unitario       DECIMAL(18,4) NOT NULL DEFAULT 0,
    peso_calculado      DECIMAL(18,4) NOT NULL DEFAULT 0,
    unidad_medida_venta VARCHAR NOT NULL DEFAULT 'UNIDAD',
    factor_unidad_medida DECIMAL(18,4) NOT NULL DEFAULT 1,
    total_cantidad_por_unidad_medida DECIMAL(18,4) NOT NULL,
    precio_unitario     DECIMAL(18,4),
    costo_unitario      DECIMAL(18,4),
    venta_total         DECIMAL(18,4) NOT NULL,
    costo_total         DECIMAL(18,4),
    utilidad_bruta      DECIMAL(18,4),
    margen_bruto_pct    DECIMAL(8,2) NOT NULL,
    venta_total_bs      DECIMAL(18,4),
    costo_total_bs      DECIMAL(18,4),
    utilidad_bruta_bs   DECIMAL(18,4),
    precio_unitario_bs  DECIMAL(18,4),
    costo_unitario_bs   DECIMAL(18,4),
    impuesto_pct        DECIMAL(8,2),
    impuesto_monto_bs   DECIMAL(18,4),
    descuento_pct       DECIMAL(8,2),
    descuento_monto_bs  DECIMAL(18,4),
    tasa_usd            DECIMAL(18,4),
    es_no_fiscal        BOOLEAN,
    cargado_en          TIMESTAMP NOT NULL,  -- UTC, first load
    actualizado_en      TIMESTAMP NOT NULL,  -- UTC, last upsert
    etl_execution_id    BIGINT
);

CREATE TABLE inventario_actual (
    ubicacion_id        VARCHAR NOT NULL,
    almacen_codigo      VARCHAR NOT NULL,
    producto_codigo     VARCHAR NOT NULL,
    cantidad            DECIMAL(18,4) NOT NULL,  -- negative allowed, stored as reported
    fecha_actualizacion TIMESTAMP NOT NULL,      -- local time of the extraction
    origen              VARCHAR NOT NULL         -- etl | auditoria | archivo
);

-- One row per successful warehouse load: proves the stock of every key of that
-- warehouse at that instant (the history below only stores changes).
CREATE TABLE inventario_cargas (
    ubicacion_id     VARCHAR NOT NULL,
    almacen_codigo   VARCHAR NOT NULL,
    fecha_snapshot   TIMESTAMP NOT NULL,
    filas            INTEGER NOT NULL,
    etl_execution_id BIGINT
);

-- Change-only stock history (spec 10 §4.4).
CREATE TABLE inventario_historico (
    ubicacion_id     VARCHAR NOT NULL,
    almacen_codigo   VARCHAR NOT NULL,
    producto_codigo  VARCHAR NOT NULL,
    fecha_snapshot   TIMESTAMP NOT NULL,
    cantidad         DECIMAL(18,4) NOT NULL,
    cantidad_cambio  DECIMAL(18,4),              -- new − previous; NULL on first sight
    presente         BOOLEAN NOT NULL,
    origen           VARCHAR NOT NULL,
    etl_execution_id BIGINT
);

-- Store × product × day: what nearly every analytic query reads (spec 10 §5).
CREATE TABLE ventas_diarias (
    ubicacion_id    VARCHAR NOT NULL,
    producto_codigo VARCHAR NOT NULL,
    fecha           DATE NOT NULL,
    cantidad        DECIMAL(18,4) NOT NULL,
    venta_total     DECIMAL(18,4) NOT NULL,
    costo_total     DECIMAL(18,4) NOT NULL,
    lineas          INTEGER NOT NULL,
    tickets         INTEGER NOT NULL             -- distinct invoices containing the product
);

-- Store × day: tickets cannot be summed over products, so they are counted here.
CREATE TABLE ventas_diarias_ubicacion (
    ubicacion_id VARCHAR NOT NULL,
    fecha        DATE NOT NULL,
    cantidad     DECIMAL(18,4) NOT NULL,
    venta_total  DECIMAL(18,4) NOT NULL,
    costo_total  DECIMAL(18,4) NOT NULL,
    lineas       INTEGER NOT NULL,
    tickets      INTEGER NOT NULL,
    productos    INTEGER NOT NULL
);
