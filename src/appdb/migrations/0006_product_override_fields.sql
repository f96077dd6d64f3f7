-- Product administration (issue: Inventarios, Ventas y Productos): an administrator also
-- corrects a product's category and takes it out of (or back into) the active catalogue.
-- NULL = take the POS value, as for every other override column.
ALTER TABLE producto_ajustes ADD COLUMN categoria TEXT CHECK (categoria IS NULL OR length(categoria) BETWEEN 1 AND 100);
ALTER TABLE producto_ajustes ADD COLUMN activo INTEGER CHECK (activo IS NULL OR activo IN (0, 1));
