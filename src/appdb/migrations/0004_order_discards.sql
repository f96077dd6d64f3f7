-- Suggestions a user did not order (engine packs > 0, not included or set to 0 when the
-- order was saved). Order lines hold only what was ordered (spec 30 §11.3); these rows let
-- override tracking count the removed suggestions too (GET /api/pedidos-sugeridos/ajustes).
CREATE TABLE pedidos_sugeridos_descartes (
    id                        INTEGER NOT NULL PRIMARY KEY,
    pedido_id                 TEXT    NOT NULL REFERENCES pedidos_sugeridos (id) ON DELETE CASCADE,
    codigo_producto           TEXT    NOT NULL,
    cantidad_sugerida_bultos  INTEGER NOT NULL CHECK (cantidad_sugerida_bultos > 0),
    UNIQUE (pedido_id, codigo_producto)
) STRICT;
