-- Schema version 4: versions of each store's daily rows, for the demand P75 cache.
--
-- The cache itself (each store's P75 per product, behind the regional reference of spec
-- 30 §7.3 step 2) lives in the application database, stamped with the version of the
-- store's daily rows it was computed from; a calculation trusts it only while that version
-- is still the store's current one.
--
-- Every change of a store's daily rows appends a row here in the loading transaction
-- (`*`: all stores, after a full rebuild). A store's version is the `token` of its newest
-- change, or of the newest full rebuild if later. Tokens are random, so a warehouse
-- restored from an older backup never reissues a version a cache was stamped with.
CREATE SEQUENCE ventas_diarias_cambio_seq;
CREATE TABLE ventas_diarias_cambios (
    ubicacion_id VARCHAR NOT NULL,
    cambio       BIGINT NOT NULL,   -- order of the changes
    token        VARCHAR NOT NULL
);
