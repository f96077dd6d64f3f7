-- Substitutable product sets (spec 31 §5): products shoppers switch between freely (white
-- sugar 1 kg of three brands). The store-need engine splits the set's demand among the
-- members by share and moves the share of a member without origin-CEDI stock to the others.
-- A product belongs to at most one active set (checked by the application when a member is
-- added or a set is reactivated).
CREATE TABLE conjuntos_sustituibles (
    id           INTEGER NOT NULL PRIMARY KEY,
    nombre       TEXT    NOT NULL UNIQUE CHECK (length(trim(nombre)) BETWEEN 1 AND 100),
    descripcion  TEXT    CHECK (descripcion IS NULL OR length(descripcion) <= 500),
    categoria    TEXT    CHECK (categoria IS NULL OR length(categoria) <= 100),
    activo       INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    creado_por   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

-- share_manual: the member's share of the set's demand in percent; NULL = from its units
-- over the last 12 weeks at the store being calculated.
CREATE TABLE conjunto_productos (
    id               INTEGER NOT NULL PRIMARY KEY,
    conjunto_id      INTEGER NOT NULL REFERENCES conjuntos_sustituibles (id) ON DELETE CASCADE,
    codigo_producto  TEXT    NOT NULL CHECK (length(trim(codigo_producto)) >= 1),
    share_manual     REAL    CHECK (share_manual IS NULL OR (share_manual >= 0 AND share_manual <= 100)),
    activo           INTEGER NOT NULL DEFAULT 1 CHECK (activo IN (0, 1)),
    UNIQUE (conjunto_id, codigo_producto)
) STRICT;

CREATE INDEX idx_conjunto_productos_codigo ON conjunto_productos (codigo_producto, activo);
