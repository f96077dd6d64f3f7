-- Traffic generators (spec 40 §5.2): each suggestion run, so the screen can say when the
-- suggestions were last calculated and what the run changed. The flags themselves live in
-- producto_ajustes (0001) and every state change in generadores_trafico_historial (0001).
-- The runs are small (one a night plus the button), so nothing is pruned.
CREATE TABLE generadores_trafico_calculos (
    id           INTEGER NOT NULL PRIMARY KEY,
    fecha        TEXT    NOT NULL
                 CHECK (fecha GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    origen       TEXT    NOT NULL CHECK (origen = 'manual' OR origen = 'nocturno'),
    usuario      TEXT,             -- NULL for the nightly run
    gap_minimo   INTEGER NOT NULL,
    candidatos   INTEGER NOT NULL CHECK (candidatos >= 0),
    nuevas       INTEGER NOT NULL CHECK (nuevas >= 0),
    retiradas    INTEGER NOT NULL CHECK (retiradas >= 0),
    duracion_ms  INTEGER NOT NULL CHECK (duracion_ms >= 0)
) STRICT;

-- The screen's tabs read the suggested and the ignored products.
CREATE INDEX idx_producto_ajustes_generador_ignorado ON producto_ajustes (generador_trafico_ignorado)
    WHERE generador_trafico_ignorado = 1;
