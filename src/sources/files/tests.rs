//! Import tests against a real DuckDB warehouse in a temporary folder.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::*;

const TENANT: &str = r#"
schema_version = 1

[tenant]
id           = "prueba"
display_name = "Cadena de Prueba"
timezone     = "America/Caracas"

[server]
public_url    = "https://prueba.example.com"
allowed_hosts = ["prueba.example.com"]

[[regions]]
id   = "VALENCIA"
name = "Valencia"

[[stores]]
id   = "tienda_01"
name = "TIENDA 01"
kind = "tienda"
pos  = "none"

  [[stores.almacenes]]
  codigo = "T01-PISO"
  nombre = "PISO DE VENTA"
  tipo   = "piso_venta"

[[stores]]
id   = "tienda_02"
name = "TIENDA 02"
kind = "tienda"
pos  = "none"

  [[stores.almacenes]]
  codigo = "T02-PISO"
  nombre = "PISO DE VENTA"
  tipo   = "piso_venta"

[[stores]]
id   = "cedi_seco"
name = "CEDI Seco"
kind = "cedi"
pos  = "none"
"#;

const SECRETS: &str = "[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n";

/// Tables the import writes (plus the derived daily aggregates).
const TABLES: &[&str] = &[
    "productos",
    "ventas",
    "inventario_actual",
    "inventario_cargas",
    "inventario_historico",
    "ventas_diarias",
    "ventas_diarias_ubicacion",
];

struct Fixture {
    dir: tempfile::TempDir,
    tenant: Tenant,
    wh: Warehouse,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.toml");
    std::fs::write(&secrets, SECRETS).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = dir.path().join("tenant.toml");
    std::fs::write(&config, TENANT).unwrap();
    let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let wh = Warehouse::open(&dir.path().join("warehouse.duckdb")).unwrap();
    wh.write(|c| crate::warehouse::mirror::sync_locations(c, &tenant.file)).unwrap();
    Fixture { dir, tenant, wh }
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// 2025-03-03 12:00 UTC = 08:00 in Caracas.
fn opts(skip_bad_rows: bool) -> ImportOptions {
    ImportOptions { skip_bad_rows, now_utc: at("2025-03-03 12:00:00") }
}

impl Fixture {
    /// Writes the given files into a new folder `name` of the fixture.
    fn folder(&self, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        for (file, content) in files {
            std::fs::write(path.join(file), content).unwrap();
        }
        path
    }

    fn import(&self, dir: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
        import_dir(&self.wh, &self.tenant, dir, opts)
    }

    /// First column of the first row, as text (`NULL` for NULL).
    fn text(&self, sql: &str) -> String {
        let r = self.wh.reader().unwrap();
        let v: Option<String> = r.query_row(sql, [], |row| row.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"));
        v.unwrap_or_else(|| "NULL".into())
    }

    fn rows(&self, sql: &str) -> Vec<String> {
        let r = self.wh.reader().unwrap();
        let mut stmt = r.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let out = stmt.query_map([], |row| row.get::<_, String>(0)).unwrap().map(|x| x.unwrap()).collect();
        out
    }

    /// Every row of every table, as text, in a stable order.
    fn dump(&self) -> Vec<String> {
        TABLES.iter().flat_map(|t| self.rows(&format!("SELECT '{t}: ' || CAST(x AS VARCHAR) AS r FROM {t} x ORDER BY r"))).collect()
    }

    fn counts(&self) -> Vec<String> {
        TABLES.iter().map(|t| format!("{t}={}", self.text(&format!("SELECT count(*)::VARCHAR FROM {t}")))).collect()
    }
}

fn summary(report: &ImportReport, file: &str) -> (usize, usize, usize, usize, usize, usize) {
    let f = report.files.iter().find(|f| f.file == file).unwrap_or_else(|| panic!("{file} not in {report:?}"));
    (f.read, f.inserted, f.updated, f.unchanged, f.rejected, f.removed)
}

fn shown(e: &ImportError) -> Vec<String> {
    match e {
        ImportError::Refused { errors, .. } => errors.iter().map(|e| e.to_string()).collect(),
        other => panic!("expected a refusal, got {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// A good folder: all four files, a dozen rows each.
// ---------------------------------------------------------------------------------------

/// With a BOM, free column order, quoted commas and quotes, sentinels, defaults.
const PRODUCTOS: &str = "\u{feff}codigo,descripcion,categoria,grupo,subgrupo,marca,cuadrante,unidades_por_bulto,unidad_pedido,precio_venta_usd,costo_unitario_usd,es_pesable,cedi_origen_id,activo
000001,\"HARINA PAN, 1KG\",VIVERES,HARINAS,,PAN,CUADRANTE I,24,Bulto,1.25,0.98,false,cedi_seco,true
000002,ARROZ MARY 1KG,VIVERES,GRANOS,,MARY,,12,,1.10,0.85,0,cedi_seco,1
001853,QUESO BLANCO,CHARCUTERIA,QUESOS,,N/A,,,KG,6.50,4.20,TRUE,,
000004,ACEITE 1L,VIVERES,ACEITES,,VATEL,CUADRANTE II,12,Bulto,3.00,2.00,false,cedi_seco,
000005,AZUCAR 1KG,VIVERES,AZUCAR,,MONTALBAN,,24,Bulto,1.50,1.20,false,,
000006,CAFE 500G,VIVERES,CAFE,,FAMA,,20,Unidad,4.00,3.00,false,,
000007,LECHE 1L,LACTEOS,LECHE,,None,,12,Bulto,1.50,1.20,false,,
000008,PASTA 1KG,VIVERES,PASTAS,,PRIMOR,,20,Bulto,1.80,1.40,false,,
000009,SAL 1KG,VIVERES,SAL,,, ,25,Bulto,0.50,0.35,false,,
000010,\"JABON \"\"AZUL\"\" 200G\",LIMPIEZA,JABONES,,LAS LLAVES,,48,Bulto,1.00,0.70,false,,
000011,TOMATE,FRUVER,HORTALIZAS,,,,,kg,2.00,1.40,1,,
003760,BOLSA,EMPAQUES,,,,,,Unidad,0,0,false,,FALSE
";

const VENTAS: &str = "numero_factura,linea,ubicacion_id,fecha_venta,producto_codigo,cantidad_vendida,venta_total,costo_total,precio_unitario,costo_unitario,almacen_codigo
F-0001,1,tienda_01,2025-03-01 08:15:00,000001,2,2.50,1.96,1.25,0.98,T01-PISO
F-0001,2,tienda_01,2025-03-01 08:15:00,001853,0.735,4.7775,3.087,6.50,4.20,T01-PISO
F-0001,3,tienda_01,2025-03-01 08:15:00,000004,1,3.00,2.00,,,
F-0002,1,tienda_01,2025-03-01T09:30:12.987,000005,3,4.50,3.60,1.50,1.20,
F-0002,2,tienda_01,2025-03-01 09:30:12,000002,-1,-1.10,-0.85,1.10,0.85,
F-0003,1,tienda_02,2025-03-01 10:00:00,000001,5,6.25,4.90,1.25,0.98,
F-0003,2,tienda_02,2025-03-01 10:00:00,999999,1,2.00,,2.00,,
F-0004,1,tienda_02,2025-03-02 11:00:00,000006,2,8.00,6.00,4.00,3.00,
F-0004,2,tienda_02,2025-03-02 11:00:00,000007,4,6.00,4.80,1.50,1.20,
F-0005,1,tienda_01,2025-03-02 12:00:00,000008,1,1.80,1.40,1.80,1.40,
F-0005,2,tienda_01,2025-03-02 12:00:00,000011,1.25,2.50,1.75,2.00,1.40,
00012,0,tienda_02,2025-03-02 13:00:00,000009,2,1.00,0.70,0.50,0.35,
";

const INVENTARIO: &str = "ubicacion_id,almacen_codigo,producto_codigo,cantidad,fecha_actualizacion
tienda_01,,000001,8,2025-03-02 18:00:00
tienda_01,T01-PISO,001853,12.345,2025-03-02 18:00:00
tienda_01,,000002,-3,2025-03-02 18:30:00
tienda_01,,000004,0,
tienda_02,,000001,20,
tienda_02,,000006,7,
tienda_02,,000007,5.5,
tienda_02,T02-BODEGA,000007,30,
cedi_seco,,000001,500,2025-03-02 20:00:00
cedi_seco,,000002,250,2025-03-02 20:00:00
cedi_seco,,001853,80.5,2025-03-02 20:00:00
cedi_seco,,000011,0,2025-03-02 20:00:00
";

const INVENTARIO_HISTORICO: &str = "ubicacion_id,producto_codigo,cantidad,fecha,almacen_codigo
tienda_02,000006,10,2025-02-01 08:00:00,
tienda_02,000006,10,2025-02-02 08:00:00,
tienda_02,000006,9,2025-02-03 08:00:00,
tienda_02,000006,9,2025-02-04 08:00:00,
tienda_02,000007,4,2025-02-01 08:00:00,
tienda_02,000007,6,2025-02-02 08:00:00,
tienda_02,000007,6,2025-02-03 08:00:00,
cedi_seco,000001,300,2025-02-01 06:00:00,PRINCIPAL
cedi_seco,000001,300,2025-02-02 06:00:00,
cedi_seco,000001,320,2025-02-03 06:00:00,
cedi_seco,000002,0,2025-02-01 06:00:00,
tienda_01,000010,4,2025-02-15 07:00:00,
";

/// tienda_01's stock before the good folder: 000010 will be absent from the new listing.
const INVENTARIO_ANTES: &str = "ubicacion_id,producto_codigo,cantidad,fecha_actualizacion
tienda_01,000001,10,2025-03-01 06:00:00
tienda_01,000010,4,2025-03-01 06:00:00
";

fn good_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("productos.csv", PRODUCTOS.as_bytes()),
        ("ventas.csv", VENTAS.as_bytes()),
        ("inventario.csv", INVENTARIO.as_bytes()),
        ("inventario_historico.csv", INVENTARIO_HISTORICO.as_bytes()),
        ("LEEME.txt", b"not part of the format"),
    ]
}

/// Imports the stock of `INVENTARIO_ANTES`, then the good folder.
fn load_good(fx: &Fixture) -> ImportReport {
    let before = fx.folder("antes", &[("inventario.csv", INVENTARIO_ANTES.as_bytes())]);
    let r = fx.import(&before, &opts(false)).unwrap();
    assert_eq!(summary(&r, "inventario.csv"), (2, 2, 0, 0, 0, 0));
    let dir = fx.folder("bueno", &good_files());
    fx.import(&dir, &opts(false)).unwrap()
}

#[test]
fn good_folder_loads_with_exact_counts_and_contents() {
    let fx = fixture();
    let report = load_good(&fx);
    assert_eq!(
        report.files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>(),
        vec!["productos.csv", "ventas.csv", "inventario.csv", "inventario_historico.csv"],
        "load order, unknown files ignored"
    );
    assert_eq!(summary(&report, "productos.csv"), (12, 12, 0, 0, 0, 0));
    assert_eq!(summary(&report, "ventas.csv"), (12, 12, 0, 0, 0, 0));
    // tienda_01: 000001 10→8, three new, 000010 removed; tienda_02 PISO 3 + BODEGA 1; CEDI 4.
    assert_eq!(summary(&report, "inventario.csv"), (12, 11, 1, 0, 0, 1));
    assert_eq!(summary(&report, "inventario_historico.csv"), (12, 8, 0, 4, 0, 0));
    assert_eq!(report.rejected_dir, None);
    assert!(!fx.dir.path().join("bueno/rejected").exists());

    // productos: quoting, defaults, sentinels, leading zeros, placeholder from ventas.
    assert_eq!(fx.text("SELECT count(*)::VARCHAR FROM productos"), "13");
    assert_eq!(
        fx.text("SELECT concat_ws('|', descripcion, cuadrante, unidades_por_bulto, unidad_pedido, precio_venta_usd, cedi_origen_id, es_pesable, activo, fuente) FROM productos WHERE codigo = '000001'"),
        "HARINA PAN, 1KG|CUADRANTE I|24|Bulto|1.2500|cedi_seco|false|true|archivo"
    );
    assert_eq!(
        fx.text("SELECT concat_ws('|', unidades_por_bulto, unidad_pedido, cuadrante, coalesce(marca, 'NULL'), es_pesable, activo) FROM productos WHERE codigo = '001853'"),
        "1|KG|NO ESPECIFICADO|NULL|true|true"
    );
    assert_eq!(fx.text("SELECT unidad_pedido || '|' || cuadrante FROM productos WHERE codigo = '000002'"), "Bulto|NO ESPECIFICADO");
    assert_eq!(fx.text("SELECT cuadrante FROM productos WHERE codigo = '000009'"), "NO ESPECIFICADO");
    assert_eq!(fx.text("SELECT marca FROM productos WHERE codigo = '000007'"), "NULL");
    assert_eq!(fx.text("SELECT descripcion FROM productos WHERE codigo = '000010'"), "JABON \"AZUL\" 200G");
    assert_eq!(fx.text("SELECT unidad_pedido || '|' || es_pesable FROM productos WHERE codigo = '000011'"), "KG|true");
    assert_eq!(fx.text("SELECT activo::VARCHAR FROM productos WHERE codigo = '003760'"), "false");
    assert_eq!(fx.text("SELECT descripcion || '|' || fuente FROM productos WHERE codigo = '999999'"), "Producto 999999|placeholder");
    assert_eq!(fx.text("SELECT count(*)::VARCHAR FROM productos WHERE codigo IN ('1', '2', '1853')"), "0");

    // ventas: exact sums, weighed fraction, return, truncated fraction, leading zeros.
    assert_eq!(fx.text("SELECT count(*)::VARCHAR FROM ventas"), "12");
    assert_eq!(fx.text("SELECT sum(venta_total)::VARCHAR FROM ventas"), "41.2275");
    assert_eq!(fx.text("SELECT sum(cantidad_vendida)::VARCHAR FROM ventas"), "21.9850");
    assert_eq!(
        fx.text(
            "SELECT cantidad_vendida::VARCHAR FROM ventas WHERE ubicacion_id = 'tienda_01' AND numero_factura = 'F-0001' AND linea = 2"
        ),
        "0.7350"
    );
    assert_eq!(
        fx.text("SELECT concat_ws('|', cantidad_vendida, venta_total, costo_total, utilidad_bruta) FROM ventas WHERE numero_factura = 'F-0002' AND linea = 2"),
        "-1.0000|-1.1000|-0.8500|-0.2500"
    );
    assert_eq!(fx.text("SELECT fecha_venta::VARCHAR FROM ventas WHERE numero_factura = 'F-0002' AND linea = 1"), "2025-03-01 09:30:12");
    assert_eq!(
        fx.text("SELECT concat_ws('|', ubicacion_id, linea, producto_codigo, fecha, unidad_medida_venta) FROM ventas WHERE numero_factura = '00012'"),
        "tienda_02|0|000009|2025-03-02|UNIDAD"
    );
    assert_eq!(fx.text("SELECT coalesce(almacen_codigo, 'NULL') FROM ventas WHERE numero_factura = 'F-0001' AND linea = 3"), "NULL");
    assert_eq!(fx.text("SELECT cargado_en::VARCHAR FROM ventas WHERE numero_factura = 'F-0001' AND linea = 1"), "2025-03-03 12:00:00");
    assert_eq!(
        fx.rows("SELECT concat_ws('|', ubicacion_id, fecha, lineas, tickets, venta_total) AS r FROM ventas_diarias_ubicacion ORDER BY r"),
        vec![
            "tienda_01|2025-03-01|5|2|13.6775",
            "tienda_01|2025-03-02|2|1|4.3000",
            "tienda_02|2025-03-01|2|1|8.2500",
            "tienda_02|2025-03-02|3|2|15.0000",
        ]
    );

    // inventario: scope replacement, default warehouses, listing instants.
    assert_eq!(
        fx.rows("SELECT concat_ws('|', ubicacion_id, almacen_codigo, producto_codigo, cantidad, fecha_actualizacion, origen) AS r FROM inventario_actual ORDER BY r"),
        vec![
            "cedi_seco|PRINCIPAL|000001|500.0000|2025-03-02 20:00:00|archivo",
            "cedi_seco|PRINCIPAL|000002|250.0000|2025-03-02 20:00:00|archivo",
            "cedi_seco|PRINCIPAL|000011|0.0000|2025-03-02 20:00:00|archivo",
            "cedi_seco|PRINCIPAL|001853|80.5000|2025-03-02 20:00:00|archivo",
            "tienda_01|T01-PISO|000001|8.0000|2025-03-02 18:30:00|archivo",
            "tienda_01|T01-PISO|000002|-3.0000|2025-03-02 18:30:00|archivo",
            "tienda_01|T01-PISO|000004|0.0000|2025-03-02 18:30:00|archivo",
            "tienda_01|T01-PISO|001853|12.3450|2025-03-02 18:30:00|archivo",
            "tienda_02|T02-BODEGA|000007|30.0000|2025-03-03 08:00:00|archivo",
            "tienda_02|T02-PISO|000001|20.0000|2025-03-03 08:00:00|archivo",
            "tienda_02|T02-PISO|000006|7.0000|2025-03-03 08:00:00|archivo",
            "tienda_02|T02-PISO|000007|5.5000|2025-03-03 08:00:00|archivo",
        ]
    );
    // History of tienda_01 / T01-PISO: first load, then only the changes (000010 gone).
    assert_eq!(
        fx.rows(
            "SELECT concat_ws('|', fecha_snapshot, producto_codigo, cantidad, coalesce(cantidad_cambio::VARCHAR, 'NULL'), presente) AS r
                 FROM inventario_historico WHERE ubicacion_id = 'tienda_01' ORDER BY r"
        ),
        vec![
            "2025-02-15 07:00:00|000010|4.0000|NULL|true",
            "2025-03-01 06:00:00|000001|10.0000|NULL|true",
            "2025-03-01 06:00:00|000010|4.0000|NULL|true",
            "2025-03-02 18:30:00|000001|8.0000|-2.0000|true",
            "2025-03-02 18:30:00|000002|-3.0000|NULL|true",
            "2025-03-02 18:30:00|000004|0.0000|NULL|true",
            "2025-03-02 18:30:00|000010|0.0000|-4.0000|false",
            "2025-03-02 18:30:00|001853|12.3450|NULL|true",
        ]
    );
    assert_eq!(
        fx.rows("SELECT concat_ws('|', ubicacion_id, almacen_codigo, fecha_snapshot, filas) AS r FROM inventario_cargas ORDER BY r"),
        vec![
            "cedi_seco|PRINCIPAL|2025-03-02 20:00:00|4",
            "tienda_01|T01-PISO|2025-03-01 06:00:00|2",
            "tienda_01|T01-PISO|2025-03-02 18:30:00|4",
            "tienda_02|T02-BODEGA|2025-03-03 08:00:00|1",
            "tienda_02|T02-PISO|2025-03-03 08:00:00|3",
        ]
    );
    // inventario_historico.csv: change-only (equal consecutive values are not stored).
    assert_eq!(
        fx.rows(
            "SELECT concat_ws('|', fecha_snapshot, cantidad, coalesce(cantidad_cambio::VARCHAR, 'NULL')) AS r FROM inventario_historico
                 WHERE ubicacion_id = 'tienda_02' AND producto_codigo = '000006' ORDER BY r"
        ),
        vec!["2025-02-01 08:00:00|10.0000|NULL", "2025-02-03 08:00:00|9.0000|-1.0000", "2025-03-03 08:00:00|7.0000|NULL"]
    );
    assert_eq!(
        fx.rows(
            "SELECT concat_ws('|', almacen_codigo, fecha_snapshot, cantidad) AS r FROM inventario_historico
                 WHERE ubicacion_id = 'cedi_seco' AND producto_codigo = '000001' ORDER BY r"
        ),
        vec!["PRINCIPAL|2025-02-01 06:00:00|300.0000", "PRINCIPAL|2025-02-03 06:00:00|320.0000", "PRINCIPAL|2025-03-02 20:00:00|500.0000"]
    );
}

#[test]
fn reimporting_the_same_folder_changes_nothing() {
    let fx = fixture();
    load_good(&fx);
    let before = fx.dump();
    assert!(before.len() > 60, "{}", before.len());
    let dir = fx.dir.path().join("bueno");
    let later = ImportOptions { skip_bad_rows: false, now_utc: at("2025-03-10 15:30:00") };
    let report = fx.import(&dir, &later).unwrap();
    assert_eq!(summary(&report, "productos.csv"), (12, 0, 0, 12, 0, 0));
    assert_eq!(summary(&report, "ventas.csv"), (12, 0, 0, 12, 0, 0));
    assert_eq!(summary(&report, "inventario.csv"), (12, 0, 0, 12, 0, 0));
    assert_eq!(summary(&report, "inventario_historico.csv"), (12, 0, 0, 12, 0, 0));
    assert_eq!(fx.dump(), before);
    // A third time with --skip-bad-rows changes nothing either.
    fx.import(&dir, &opts(true)).unwrap();
    assert_eq!(fx.dump(), before);
}

// ---------------------------------------------------------------------------------------
// Refusals.
// ---------------------------------------------------------------------------------------

const VENTAS_MALAS: &str = "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total
tienda_01,F-0100,1,2025-03-04 08:00:00,000001,\"12,5\",15.00
tienda_99,F-0100,2,2025-03-04 08:00:00,000001,1,1.25
tienda_01,F-0100,3,01/03/2025 08:00,000001,1,1.25
cedi_seco,F-0100,4,2025-03-04 08:00:00,000001,1,1.25
tienda_01,F-0100,5,2025-03-04 08:00:00,000001,1.234,1.234,5
tienda_01,F-0100,-1,2025-03-04 08:00:00,,1,N/A
tienda_01,F-0100,7,2025-03-04 08:00:00,000001,2,2.50
";

#[test]
fn bad_rows_refuse_the_whole_import_with_located_errors() {
    let fx = fixture();
    load_good(&fx);
    let before = fx.dump();
    let dir = fx.folder(
        "malo",
        &[
            ("productos.csv", b"codigo,descripcion,color\n000001,HARINA,ROJO\n000099,NUEVO,AZUL\n"),
            ("ventas.csv", VENTAS_MALAS.as_bytes()),
            ("inventario.csv", b"ubicacion_id,producto_codigo,cant\ntienda_01,000001,5\n"),
            ("inventario_historico.csv", b"ubicacion_id,producto_codigo,cantidad,fecha\ntienda_01,000001,1,2025-01-01 00:00:00\n"),
        ],
    );
    let err = fx.import(&dir, &opts(false)).unwrap_err();
    assert_eq!(err.exit_code(), 65);
    assert_eq!(
        shown(&err),
        vec![
            "productos.csv:1:color: unknown column (expected: codigo, descripcion, categoria, grupo, subgrupo, marca, cuadrante, unidades_por_bulto, unidad_pedido, precio_venta_usd, costo_unitario_usd, es_pesable, cedi_origen_id, activo)",
            "ventas.csv:2:cantidad_vendida: not a decimal: \"12,5\"",
            "ventas.csv:3:ubicacion_id: not a store of the tenant: \"tienda_99\"",
            "ventas.csv:4:fecha_venta: not a timestamp YYYY-MM-DD HH:MM:SS: \"01/03/2025 08:00\"",
            "ventas.csv:5:ubicacion_id: is a CEDI, not a store: \"cedi_seco\"",
            "ventas.csv:6:#8: row has 8 field(s), the header has 7; extra: \"5\"",
            "ventas.csv:7:linea: must be at least 0: \"-1\"",
            "ventas.csv:7:producto_codigo: missing value",
            "ventas.csv:7:venta_total: missing value",
            "inventario.csv:1:cant: unknown column (expected: ubicacion_id, producto_codigo, cantidad, almacen_codigo, fecha_actualizacion)",
            "inventario.csv:1:cantidad: missing required column",
        ]
    );
    let ImportError::Refused { total, .. } = err else { unreachable!() };
    assert_eq!(total, 11);
    assert_eq!(fx.dump(), before, "nothing written");

    // Header errors refuse the import even with --skip-bad-rows.
    let err = fx.import(&dir, &opts(true)).unwrap_err();
    assert_eq!(err.exit_code(), 65);
    assert_eq!(fx.dump(), before, "nothing written");
    assert!(!dir.join("rejected").exists());
}

#[test]
fn refusal_on_an_empty_warehouse_leaves_it_empty() {
    let fx = fixture();
    let dir = fx.folder(
        "malo",
        &[("productos.csv", PRODUCTOS.as_bytes()), ("ventas.csv", VENTAS_MALAS.as_bytes()), ("inventario.csv", INVENTARIO.as_bytes())],
    );
    let err = fx.import(&dir, &opts(false)).unwrap_err();
    assert!(matches!(err, ImportError::Refused { total: 8, .. }), "{err:?}");
    assert!(fx.counts().iter().all(|c| c.ends_with("=0")), "{:?}", fx.counts());
}

#[test]
fn skip_bad_rows_loads_the_good_rows_and_writes_the_rejected_ones() {
    let fx = fixture();
    load_good(&fx);
    let dir = fx.folder(
        "saltar",
        &[
            ("ventas.csv", VENTAS_MALAS.as_bytes()),
            // 000001 is refused (bad quantity): its current stock (8) must stay, not vanish.
            (
                "inventario.csv",
                b"ubicacion_id,producto_codigo,cantidad\ntienda_01,000001,\"8,5\"\ntienda_01,001853,13\ntienda_01,000002,-3\ntienda_01,000004,1\ntienda_02,000001,abc\n",
            ),
        ],
    );
    let report = fx.import(&dir, &opts(true)).unwrap();
    assert_eq!(summary(&report, "ventas.csv"), (7, 1, 0, 0, 6, 0));
    // tienda_01: 001853 and 000004 updated, 000002 unchanged, 000001 kept; tienda_02 untouched.
    assert_eq!(summary(&report, "inventario.csv"), (5, 0, 2, 1, 2, 0));
    assert_eq!(report.rejected_dir, Some(dir.join("rejected")));
    assert_eq!(fx.text("SELECT count(*)::VARCHAR FROM ventas WHERE numero_factura = 'F-0100'"), "1");
    assert_eq!(fx.text("SELECT linea::VARCHAR FROM ventas WHERE numero_factura = 'F-0100'"), "7");
    assert_eq!(
        fx.rows("SELECT concat_ws('|', producto_codigo, cantidad) AS r FROM inventario_actual WHERE ubicacion_id = 'tienda_01' ORDER BY r"),
        vec!["000001|8.0000", "000002|-3.0000", "000004|1.0000", "001853|13.0000"]
    );
    assert_eq!(
        fx.text("SELECT count(*)::VARCHAR FROM inventario_actual WHERE ubicacion_id = 'tienda_02' AND producto_codigo = '000001'"),
        "1"
    );

    let rejected = std::fs::read_to_string(dir.join("rejected/ventas.csv")).unwrap();
    assert_eq!(
        rejected,
        "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total,motivo,linea_archivo
tienda_01,F-0100,1,2025-03-04 08:00:00,000001,\"12,5\",15.00,\"cantidad_vendida: not a decimal: \"\"12,5\"\"\",2
tienda_99,F-0100,2,2025-03-04 08:00:00,000001,1,1.25,\"ubicacion_id: not a store of the tenant: \"\"tienda_99\"\"\",3
tienda_01,F-0100,3,01/03/2025 08:00,000001,1,1.25,\"fecha_venta: not a timestamp YYYY-MM-DD HH:MM:SS: \"\"01/03/2025 08:00\"\"\",4
cedi_seco,F-0100,4,2025-03-04 08:00:00,000001,1,1.25,\"ubicacion_id: is a CEDI, not a store: \"\"cedi_seco\"\"\",5
tienda_01,F-0100,5,2025-03-04 08:00:00,000001,1.234,1.234,\"#8: row has 8 field(s), the header has 7; extra: \"\"5\"\"\",6
tienda_01,F-0100,-1,2025-03-04 08:00:00,,1,N/A,\"linea: must be at least 0: \"\"-1\"\"; producto_codigo: missing value; venta_total: missing value\",7
"
    );
    let mut reader = csv::Reader::from_path(dir.join("rejected/inventario.csv")).unwrap();
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["tienda_01", "000001", "8,5", "cantidad: not a decimal: \"8,5\"", "2"],
            vec!["tienda_02", "000001", "abc", "cantidad: not a decimal: \"abc\"", "6"],
        ]
    );

    // Fixed files imported again with --skip-bad-rows: the stale rejected copies go away.
    std::fs::write(dir.join("ventas.csv"), VENTAS).unwrap();
    std::fs::write(dir.join("inventario.csv"), INVENTARIO).unwrap();
    let report = fx.import(&dir, &opts(true)).unwrap();
    assert_eq!(report.rejected_dir, None);
    assert!(!dir.join("rejected").exists());
}

#[test]
fn only_the_first_hundred_errors_are_kept_with_the_total() {
    let fx = fixture();
    let mut text = String::from("ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n");
    for i in 0..150 {
        text.push_str(&format!("tienda_01,F-{i},1,2025-03-04 08:00:00,000001,\"1,{i}\",1.00\n"));
    }
    let dir = fx.folder("muchos", &[("ventas.csv", text.as_bytes())]);
    let err = fx.import(&dir, &opts(false)).unwrap_err();
    let ImportError::Refused { errors, total } = &err else { panic!("{err}") };
    assert_eq!(*total, 150);
    assert_eq!(errors.len(), MAX_REPORTED_ERRORS);
    assert_eq!(errors[0].to_string(), "ventas.csv:2:cantidad_vendida: not a decimal: \"1,0\"");
    assert_eq!(errors[99].to_string(), "ventas.csv:101:cantidad_vendida: not a decimal: \"1,99\"");
    assert_eq!(err.to_string(), "import refused: 150 data error(s); nothing was written");
    assert_eq!(fx.text("SELECT count(*)::VARCHAR FROM ventas"), "0");
}

// ---------------------------------------------------------------------------------------
// Keys.
// ---------------------------------------------------------------------------------------

/// Spec 10 §4.1: (tienda_01, 001086268, 15), (tienda_02, 001086268, 15), then tienda_01's
/// line again with quantity 3 instead of 2 → 2 rows, tienda_01 has 3.
#[test]
fn sales_uniqueness_worked_example() {
    const HEADER: &str = "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n";
    let fx = fixture();
    // Within one file: the last row of a key wins.
    let one = format!(
        "{HEADER}tienda_01,001086268,15,2025-03-04 08:00:00,000001,2,2.50\ntienda_02,001086268,15,2025-03-04 09:00:00,000001,2,2.50\ntienda_01,001086268,15,2025-03-04 08:00:00,000001,3,3.75\n"
    );
    let dir = fx.folder("uno", &[("ventas.csv", one.as_bytes())]);
    let report = fx.import(&dir, &opts(false)).unwrap();
    assert_eq!(summary(&report, "ventas.csv"), (3, 2, 0, 0, 0, 0));
    let expected = vec!["tienda_01|001086268|15|3.0000|3.7500", "tienda_02|001086268|15|2.0000|2.5000"];
    let dump = "SELECT concat_ws('|', ubicacion_id, numero_factura, linea, cantidad_vendida, venta_total) AS r FROM ventas ORDER BY r";
    assert_eq!(fx.rows(dump), expected);

    // Across imports: first the two lines with quantity 2, then tienda_01's again with 3.
    let fx = fixture();
    let first = format!(
        "{HEADER}tienda_01,001086268,15,2025-03-04 08:00:00,000001,2,2.50\ntienda_02,001086268,15,2025-03-04 09:00:00,000001,2,2.50\n"
    );
    let second = format!("{HEADER}tienda_01,001086268,15,2025-03-04 08:00:00,000001,3,3.75\n");
    let r1 = fx.import(&fx.folder("a", &[("ventas.csv", first.as_bytes())]), &opts(false)).unwrap();
    assert_eq!(summary(&r1, "ventas.csv"), (2, 2, 0, 0, 0, 0));
    let r2 = fx.import(&fx.folder("b", &[("ventas.csv", second.as_bytes())]), &opts(false)).unwrap();
    assert_eq!(summary(&r2, "ventas.csv"), (1, 0, 1, 0, 0, 0));
    assert_eq!(fx.rows(dump), expected);
    assert_eq!(fx.text("SELECT cantidad::VARCHAR FROM ventas_diarias WHERE ubicacion_id = 'tienda_01'"), "3.0000");
}

// ---------------------------------------------------------------------------------------
// Folder handling.
// ---------------------------------------------------------------------------------------

#[test]
fn missing_folder_is_an_io_error_and_an_empty_folder_imports_nothing() {
    let fx = fixture();
    let err = fx.import(&fx.dir.path().join("no-existe"), &opts(false)).unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 74);
    assert!(err.to_string().contains("no-existe"), "{err}");

    let dir = fx.folder("vacio", &[("notas.txt", b"hola"), ("Ventas.CSV", b"x")]);
    let report = fx.import(&dir, &opts(false)).unwrap();
    assert!(report.files.is_empty());
}

#[test]
fn a_file_with_only_a_header_is_fine() {
    let fx = fixture();
    let dir = fx.folder(
        "cabecera",
        &[("ventas.csv", b"\xEF\xBB\xBFubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\r\n")],
    );
    let report = fx.import(&dir, &opts(false)).unwrap();
    assert_eq!(summary(&report, "ventas.csv"), (0, 0, 0, 0, 0, 0));
}

#[test]
fn unknown_cedi_origen_and_bad_product_values_are_reported() {
    let fx = fixture();
    let dir = fx.folder(
        "productos",
        &[(
            "productos.csv",
            b"codigo,descripcion,unidades_por_bulto,unidad_pedido,precio_venta_usd,es_pesable,cedi_origen_id,activo\n\
              000001,HARINA,0,Caja,-1,si,tienda_01,x\n\
              000002,ARROZ,1.5,,1.234.5,,cedi_frio,\n",
        )],
    );
    let err = fx.import(&dir, &opts(false)).unwrap_err();
    assert_eq!(
        shown(&err),
        vec![
            "productos.csv:2:unidades_por_bulto: must be at least 1: \"0\"",
            "productos.csv:2:unidad_pedido: must be one of Bulto, Unidad, KG: \"Caja\"",
            "productos.csv:2:precio_venta_usd: must not be negative: \"-1\"",
            "productos.csv:2:es_pesable: not a boolean (true/false/1/0): \"si\"",
            "productos.csv:2:cedi_origen_id: is a store, not a CEDI: \"tienda_01\"",
            "productos.csv:2:activo: not a boolean (true/false/1/0): \"x\"",
            "productos.csv:3:unidades_por_bulto: not an integer: \"1.5\"",
            "productos.csv:3:precio_venta_usd: not a decimal: \"1.234.5\"",
            "productos.csv:3:cedi_origen_id: not a CEDI of the tenant: \"cedi_frio\"",
        ]
    );
}

/// A file whose load did not store every row it reported is refused like bad data: exit 65,
/// with the file and the difference named.
#[test]
fn an_unaccounted_load_exits_65_naming_the_file() {
    let e = ImportError::Unaccounted { file: "ventas.csv".into(), message: "load check failed, nothing was written: x".into() };
    assert_eq!(e.exit_code(), 65);
    assert_eq!(e.to_string(), "ventas.csv: load check failed, nothing was written: x");
}
