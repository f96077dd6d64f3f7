//! Stellar connector over a real TDS connection: Microsoft's `mssql-mock-tds` server on a
//! local port answers the exact registered query texts (keyset pages of text and integer
//! columns). Covers the worked example of spec 20 §5.6, product precedence against KLK,
//! paging, the sales path, TLS fallback, SQL errors, timeouts and isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use std::time::Duration;

use fluxion::etl::{EtlJob, RunKind};
use fluxion::sources::stellar::{self, StellarSettings, INVENTORY_COLUMNS, SALES_COLUMNS};
use mssql_mock_tds::{ColumnDefinition, ColumnValue, MockTdsServer, QueryResponse, Row, SqlDataType, TerminalError};
use support::*;

struct Mock {
    port: u16,
    registry: std::sync::Arc<tokio::sync::Mutex<mssql_mock_tds::QueryRegistry>>,
}

async fn spawn_mock() -> Mock {
    let server = MockTdsServer::new("127.0.0.1:0").await.unwrap();
    let port = server.local_addr().port();
    let registry = server.query_registry();
    tokio::spawn(async move {
        let _ = server.run().await;
    });
    Mock { port, registry }
}

fn settings(port: u16, page: u32) -> StellarSettings {
    StellarSettings {
        host: "127.0.0.1".into(),
        port,
        database: "VAD10".into(),
        master_database: "VAD10".into(),
        username: "fluxion".into(),
        password: "x".into(),
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        retry_delay: Duration::from_millis(10),
        page_size: page,
        incluir_pesables: false,
    }
}

/// One inventory row as the query returns it (text columns, tipo_peso integer).
#[allow(clippy::too_many_arguments)] // one argument per column of the source's row
fn inv_row(
    codigo: &str,
    desc: &str,
    cat: &str,
    grupo: &str,
    sub: &str,
    marca: Option<&str>,
    costo: &str,
    precio: &str,
    bultos: &str,
    stock: &str,
) -> Row {
    let t = |s: &str| ColumnValue::NVarChar(s.to_string());
    Row::new(vec![
        t("1413"),
        t("DEPOSITO SECO"),
        t(codigo),
        t(desc),
        t(cat),
        t(grupo),
        t(sub),
        t(marca.unwrap_or("")),
        t("CUADRANTE III"),
        t(costo),
        t(precio),
        t("0.000000"),
        t("1KG"),
        t("1.000000"),
        t("0.002000"),
        ColumnValue::Int(0),
        t(bultos),
        t(stock),
    ])
}

fn inv_columns() -> Vec<ColumnDefinition> {
    INVENTORY_COLUMNS
        .iter()
        .map(|c| ColumnDefinition::new(*c, if *c == "tipo_peso" { SqlDataType::Int } else { SqlDataType::NVarChar }))
        .collect()
}

/// Registers a depot's rows as keyset pages of `page` rows (the texts the connector sends).
async fn register_depot(m: &Mock, depot: &str, rows: Vec<(String, Row)>, page: u32) {
    let mut reg = m.registry.lock().await;
    let mut after: Option<String> = None;
    let mut chunks: Vec<Vec<(String, Row)>> = rows.chunks(page as usize).map(|c| c.to_vec()).collect();
    if chunks.last().is_none_or(|c| c.len() == page as usize) {
        chunks.push(Vec::new());
    }
    for chunk in chunks {
        let sql = stellar::inventory_query(depot, page, after.as_deref(), false).unwrap();
        after = chunk.last().map(|(k, _)| k.clone());
        reg.register(sql, QueryResponse::new(inv_columns(), chunk.into_iter().map(|(_, r)| r).collect()));
    }
}

fn catalogue_rows(n: usize) -> Vec<(String, Row)> {
    (0..n)
        .map(|i| {
            let code = format!("{:06}", 100 + i);
            let stock = format!("{}.000000", (i % 13) as i64 - 2);
            (
                code.clone(),
                inv_row(
                    &code,
                    &format!("ARTICULO {i}"),
                    "VIVERES",
                    "GENERAL",
                    "VARIOS",
                    Some("MARCA"),
                    "0.500000",
                    "0.900000",
                    "12.000000",
                    &stock,
                ),
            )
        })
        .collect()
}

fn stellar_tenant(port: u16, klk_url: &str) -> String {
    format!(
        "schema_version = 1\n\n[tenant]\nid = \"stellartest\"\ndisplay_name = \"Stellar Test\"\ntimezone = \"America/Caracas\"\n\n\
         [server]\npublic_url = \"http://localhost:8080\"\nallowed_hosts = [\"localhost\"]\n\n\
         [pos.klk]\nbase_url = \"{klk_url}\"\ntimeout_seconds = 2\nretry_delay_seconds = 0\n\n\
         [pos.stellar]\ncredentials = \"stellar_default\"\n\n\
         [[regions]]\nid = \"VALENCIA\"\nname = \"Valencia\"\n\n\
         [[stores]]\nid = \"tienda_01\"\nname = \"PERIFERICO\"\nkind = \"tienda\"\npos = \"klk\"\n\n  [stores.klk]\n  sucursal = \"SUC001\"\n  almacen_ventas = \"APP-TPF\"\n\n  \
         [[stores.klk.almacenes]]\n  codigo = \"APP-TPF\"\n  nombre = \"PISO DE VENTA\"\n  tipo = \"piso_venta\"\n\n\
         [[stores]]\nid = \"cedi_seco\"\nname = \"CEDI Seco\"\nkind = \"cedi\"\npos = \"stellar\"\nserves_regions = [\"VALENCIA\"]\n\n  \
         [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {port}\n  database = \"VAD10\"\n  codigo_deposito = \"1413\"\n  timeout_seconds = 2\n\n\
         [[stores]]\nid = \"cedi_frio\"\nname = \"CEDI Frio\"\nkind = \"cedi\"\npos = \"stellar\"\nserves_regions = [\"VALENCIA\"]\n\n  \
         [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {port}\n  database = \"VAD10\"\n  codigo_deposito = \"1710\"\n  timeout_seconds = 1\n\n\
         [[stores]]\nid = \"tienda_21\"\nname = \"TIENDA STELLAR\"\nkind = \"tienda\"\npos = \"stellar\"\n\n  \
         [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {port}\n  database = \"VAD20\"\n  codigo_deposito = \"2102\"\n  timeout_seconds = 2\n\n\
         [distribution]\ndefault_origin = \"cedi_seco\"\n\
         origin_by_stock = [{{ cedi = \"cedi_frio\", when = \"present\" }}, {{ cedi = \"cedi_seco\", when = \"positive\" }}]\n"
    )
}

const SECRETS: &str = "\n[stellar_credentials.stellar_default]\nusername = \"fluxion_ro\"\npassword = \"clave-de-prueba\"\n";

fn options(page: u32) -> fluxion::etl::EtlOptions {
    fluxion::etl::EtlOptions {
        stellar_page_size: page,
        stellar_retry_delay: Duration::from_millis(10),
        ..fluxion::etl::EtlOptions::default()
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[tokio::test]
async fn the_inventory_query_text_is_the_registered_one() {
    let q = stellar::inventory_query("1413", 500, None, false).unwrap();
    let expected = "SELECT TOP (500)
  CONVERT(NVARCHAR(20), dp.c_coddeposito) AS codigo_deposito,
  CONVERT(NVARCHAR(100), d.c_descripcion) AS descripcion_deposito,
  CONVERT(NVARCHAR(50), dp.c_codarticulo) AS codigo_producto,
  CONVERT(NVARCHAR(200), p.c_Descri) AS descripcion_producto,
  CONVERT(NVARCHAR(100), dep.C_DESCRIPCIO) AS categoria_producto,
  CONVERT(NVARCHAR(100), g.C_DESCRIPCIO) AS grupo_producto,
  CONVERT(NVARCHAR(100), sg.C_DESCRIPCIO) AS subgrupo_producto,
  CONVERT(NVARCHAR(100), p.c_Marca) AS marca_producto,
  CONVERT(NVARCHAR(50), p.Text2) AS cuadrante_producto,
  CONVERT(NVARCHAR(40), CAST(p.n_CostoAct AS DECIMAL(28,6))) AS costo_producto,
  CONVERT(NVARCHAR(40), CAST(p.n_Precio1 AS DECIMAL(28,6))) AS precio_producto,
  CONVERT(NVARCHAR(40), CAST(p.n_Impuesto1 AS DECIMAL(28,6))) AS impuesto_producto,
  CONVERT(NVARCHAR(50), p.c_Presenta) AS presentacion_producto,
  CONVERT(NVARCHAR(40), CAST(p.n_Peso AS DECIMAL(28,6))) AS peso_producto,
  CONVERT(NVARCHAR(40), CAST(p.n_Volumen AS DECIMAL(28,6))) AS volumen_producto,
  CAST(p.n_TipoPeso AS INT) AS tipo_peso,
  CONVERT(NVARCHAR(40), CAST(p.n_CantiBul AS DECIMAL(28,6))) AS cantidad_bultos,
  CONVERT(NVARCHAR(40), CAST(dp.n_cantidad AS DECIMAL(28,6))) AS stock
FROM dbo.MA_DEPOPROD dp
LEFT JOIN dbo.MA_PRODUCTOS p ON p.c_Codigo = dp.c_codarticulo
LEFT JOIN dbo.MA_CODIGOS c ON c.c_CodNasa = p.c_Codigo
LEFT JOIN dbo.MA_DEPARTAMENTOS dep ON dep.C_CODIGO = p.c_Departamento
LEFT JOIN dbo.MA_GRUPOS g ON g.c_CODIGO = p.c_Grupo
LEFT JOIN dbo.MA_SUBGRUPOS sg ON sg.c_CODIGO = p.c_Subgrupo
LEFT JOIN dbo.MA_DEPOSITO d ON d.c_coddeposito = dp.c_coddeposito
WHERE dp.c_coddeposito = '1413'
  AND p.c_Departamento <> '000017'
  AND c.c_Descripcion = 'BARRA' AND c.nu_Intercambio = 1
  AND p.n_TipoPeso = 0
  AND p.n_Activo = 1
ORDER BY dp.c_codarticulo";
    assert_eq!(q, expected);
    let next = stellar::inventory_query("1413", 500, Some("004512"), true).unwrap();
    assert!(next.contains("AND dp.c_codarticulo > N'004512'\nORDER BY"), "{next}");
    assert!(!next.contains("n_TipoPeso = 0"), "weighed articles included on request");
}

#[tokio::test]
async fn paged_extraction_over_tds_with_tls_fallback() {
    let m = spawn_mock().await;
    let rows = catalogue_rows(130);
    register_depot(&m, "1413", rows, 50).await;
    let mut stats = fluxion::sources::klk::CallStats::default();
    let got = stellar::fetch_inventory(&settings(m.port, 50), "1413", &mut stats).await.unwrap();
    assert_eq!(got.len(), 130);
    assert_eq!(stats.requests, 3, "three keyset pages");
    assert_eq!(got[0][2].as_deref(), Some("000100"));
    assert_eq!(got[129][2].as_deref(), Some("000229"));
    assert_eq!(got[0][15].as_deref(), Some("0"), "integer column read as text");
    // A multiple of the page size needs one more (empty) page.
    register_depot(&m, "1710", catalogue_rows(100), 50).await;
    let mut stats = fluxion::sources::klk::CallStats::default();
    assert_eq!(stellar::fetch_inventory(&settings(m.port, 50), "1710", &mut stats).await.unwrap().len(), 100);
    assert_eq!(stats.requests, 3);
    // The connectivity probe logs in and runs SELECT 1.
    assert!(stellar::ping(&settings(m.port, 50)).await.is_ok());
}

#[tokio::test]
async fn worked_example_5_6_and_klk_precedence() {
    let m = spawn_mock().await;
    let klk = spawn_klk().await;
    let example = inv_row(
        "004512",
        "HARINA DE MAIZ 1KG",
        "VIVERES",
        "HARINAS",
        "MAIZ",
        Some("MARCA Y"),
        "0.850000",
        "1.100000",
        "20.000000",
        "-3.000000",
    );
    let mut rows = vec![("004512".to_string(), example)];
    // A product KLK already describes: Stellar must not flip its category's case.
    rows.push((
        "004600".into(),
        inv_row("004600", "ACEITE 1L", "Viveres", "ACEITES", "SOYA", Some("MARCA Z"), "2.000000", "2.500000", "12.000000", "40.000000"),
    ));
    register_depot(&m, "1413", rows, 50).await;
    register_depot(&m, "1710", catalogue_rows(5), 50).await;
    register_depot(&m, "2102", catalogue_rows(3), 50).await;
    klk.state.set_articles(
        "APP-TPF",
        vec![article("ACEITE 1 LITRO", "004600", "7591", "12", "VIVERES", "3", "ACEITES", "N/A", 2.75, 16.0, 8.0)],
    );
    let env = open_env(&stellar_tenant(m.port, &klk.base_url()), SECRETS, options(50)).await;

    let r = env.run(EtlJob::Inventario, RunKind::Manual, |q| q.now = Some(utc("2025-11-17T14:30:00Z"))).await;
    assert_eq!(r.status, "success", "{:?}", r.locations.iter().map(|l| (&l.tienda_id, &l.error)).collect::<Vec<_>>());
    assert_eq!(r.location("cedi_seco").unwrap().source, Some("stellar"));
    assert_eq!(
        env.dump(
            "SELECT codigo, descripcion, categoria, grupo, subgrupo, coalesce(marca, 'NULL'), cuadrante, costo_unitario_usd::VARCHAR,
                    precio_venta_usd::VARCHAR, unidades_por_bulto::VARCHAR, peso_unitario::VARCHAR, volumen_unitario::VARCHAR,
                    es_pesable::VARCHAR, presentacion, fuente
             FROM productos WHERE codigo IN ('004512', '004600') ORDER BY codigo"
        ),
        vec![
            s(&[
                "004512",
                "HARINA DE MAIZ 1KG",
                "VIVERES",
                "HARINAS",
                "MAIZ",
                "MARCA Y",
                "CUADRANTE III",
                "0.8500",
                "1.1000",
                "20",
                "1.0000",
                "0.0020",
                "false",
                "1KG",
                "stellar"
            ]),
            // KLK (loaded first, in parallel before Stellar) keeps its non-NULL values; Stellar fills the NULLs.
            s(&[
                "004600",
                "ACEITE 1 LITRO",
                "VIVERES",
                "ACEITES",
                "SOYA",
                "MARCA Z",
                "CUADRANTE III",
                "2.0000",
                "2.7500",
                "12",
                "1.0000",
                "0.0020",
                "false",
                "1KG",
                "klk"
            ]),
        ]
    );
    assert_eq!(
        env.dump("SELECT ubicacion_id, almacen_codigo, producto_codigo, cantidad::VARCHAR FROM inventario_actual WHERE ubicacion_id = 'cedi_seco' ORDER BY producto_codigo"),
        vec![s(&["cedi_seco", "1413", "004512", "-3.0000"]), s(&["cedi_seco", "1413", "004600", "40.0000"])]
    );
    // cedi_origen_id recomputed after the run (spec 10 §7.2): frío lists 000100…, seco has 004600 > 0.
    assert_eq!(env.dump("SELECT cedi_origen_id FROM productos WHERE codigo = '004600'"), vec![s(&["cedi_seco"])]);
    assert_eq!(env.dump("SELECT cedi_origen_id FROM productos WHERE codigo = '000100'"), vec![s(&["cedi_frio"])]);

    // Stellar loaded again later: the KLK-owned values still stand.
    let r = env
        .run(EtlJob::Inventario, RunKind::Manual, |q| {
            q.now = Some(utc("2025-11-17T15:00:00Z"));
            q.stores = vec!["cedi_seco".into()];
        })
        .await;
    assert_eq!(r.status, "success");
    assert_eq!(env.dump("SELECT categoria, fuente FROM productos WHERE codigo = '004600'"), vec![s(&["VIVERES", "klk"])]);
}

#[tokio::test]
async fn stellar_sales_path_values_lines_at_current_prices() {
    let m = spawn_mock().await;
    let st = StellarSettings { database: "VAD20".into(), master_database: "VAD10".into(), ..settings(m.port, 40) };
    let (desde, hasta) = stellar::whole_day(day("2025-11-17"));
    let cols: Vec<ColumnDefinition> = SALES_COLUMNS
        .iter()
        .map(|c| ColumnDefinition::new(*c, if *c == "linea" { SqlDataType::Int } else { SqlDataType::NVarChar }))
        .collect();
    let t = |s: &str| ColumnValue::NVarChar(s.to_string());
    let mut rows = Vec::new();
    for i in 0..60 {
        let dept = if i % 10 == 0 { "FRUVER" } else { "VIVERES" };
        rows.push((
            (format!("F{:06}", i / 3), (i % 3 + 1) as i64),
            Row::new(vec![
                t(&format!("F{:06}", i / 3)),
                t("2025-11-17"),
                t(&format!("{:02}:{:02}:00", 8 + i / 6, i % 60)),
                ColumnValue::Int(i % 3 + 1),
                t(&format!("{:06}", 500 + i % 7)),
                t("ARTICULO"),
                t("MARCA"),
                // The mock encodes NULL only for integer columns; an empty text reads as NULL.
                t(""),
                t(dept),
                t(if dept == "FRUVER" { "0.735000" } else { "2.000000" }),
                t("1.234000"),
                t("1.000000"),
                t("16.000000"),
                t("0.500000"),
                t("7590001"),
            ]),
        ));
    }
    {
        let mut reg = m.registry.lock().await;
        let mut after: Option<(String, i64)> = None;
        for chunk in rows.chunks(40) {
            let sql = stellar::sales_query(&st, desde, hasta, 40, after.as_ref()).unwrap();
            after = chunk.last().map(|(k, _)| k.clone());
            reg.register(sql, QueryResponse::new(cols.clone(), chunk.iter().map(|(_, r)| r.clone()).collect()));
        }
    }
    let q = stellar::sales_query(&st, desde, hasta, 40, None).unwrap();
    assert!(q.contains("FROM [VAD20].dbo.MA_TRANSACCION t") && q.contains("LEFT JOIN [VAD10].dbo.MA_DEPARTAMENTOS"), "{q}");
    assert!(q.contains("CONVERT(DATETIME, CONVERT(DATE, t.f_Fecha)) + CONVERT(DATETIME, CONVERT(TIME(0), t.h_Hora))"));
    assert!(q.contains("BETWEEN '2025-11-17T00:00:00' AND '2025-11-17T23:59:59'"));

    let env = open_env(&stellar_tenant(m.port, "http://127.0.0.1:9"), SECRETS, options(40)).await;
    let r = env
        .run(EtlJob::Ventas, RunKind::Manual, |q| {
            q.range = Some((day("2025-11-17"), day("2025-11-17")));
            q.stores = vec!["tienda_21".into()];
        })
        .await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE ubicacion_id = 'tienda_21'"), 60);
    assert_eq!(
        env.dump(
            "SELECT numero_factura, linea::VARCHAR, cantidad_vendida::VARCHAR, venta_total::VARCHAR, costo_total::VARCHAR,
                    utilidad_bruta::VARCHAR, peso_calculado::VARCHAR, unidad_medida_venta
             FROM ventas WHERE numero_factura = 'F000000' ORDER BY linea"
        ),
        vec![
            // FRUVER: weighed, peso_calculado = cantidad; 0.735 × 1.234 = 0.90699 → 0.91.
            s(&["F000000", "1", "0.7350", "0.9100", "0.7400", "0.1700", "0.7350", "KG"]),
            s(&["F000000", "2", "2.0000", "2.4700", "2.0000", "0.4700", "1.0000", "UNIDAD"]),
            s(&["F000000", "3", "2.0000", "2.4700", "2.0000", "0.4700", "1.0000", "UNIDAD"]),
        ]
    );
}

#[tokio::test]
async fn sql_errors_timeouts_and_unreachable_servers_fail_only_their_location() {
    let m = spawn_mock().await;
    let klk = spawn_klk().await;
    klk.state.set_articles("APP-TPF", catalogue(30, 1));
    register_depot(&m, "1413", catalogue_rows(20), 50).await;
    // cedi_frio: the server answers with a SQL error.
    {
        let mut reg = m.registry.lock().await;
        reg.register(
            stellar::inventory_query("1710", 50, None, false).unwrap(),
            QueryResponse::error_only(TerminalError::new(208, 16, "Invalid object name 'dbo.MA_DEPOPROD'.")),
        );
    }
    let env = open_env(&stellar_tenant(m.port, &klk.base_url()), SECRETS, options(50)).await;
    let r = env.run(EtlJob::Inventario, RunKind::Scheduled, |_| {}).await;
    assert_eq!(r.status, "partial");
    let frio = r.location("cedi_frio").unwrap();
    assert_eq!(frio.status, "failed");
    assert_eq!(frio.error_kind.as_ref().unwrap().category.as_str(), "db_error");
    assert!(frio.error.as_deref().unwrap().contains("Invalid object name"), "{:?}", frio.error);
    assert_eq!(r.location("cedi_seco").unwrap().status, "success");
    assert_eq!(r.location("tienda_01").unwrap().status, "success");
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual WHERE ubicacion_id = 'cedi_seco'"), 20);

    // A query slower than the location's timeout (1 s): db_timeout after 3 attempts.
    {
        let mut reg = m.registry.lock().await;
        reg.register(
            stellar::inventory_query("1710", 50, None, false).unwrap(),
            QueryResponse::new(inv_columns(), vec![]).with_delay(Duration::from_secs(3)),
        );
    }
    let started = std::time::Instant::now();
    let r = env.run(EtlJob::Inventario, RunKind::Manual, |q| q.stores = vec!["cedi_frio".into(), "cedi_seco".into()]).await;
    assert_eq!(r.status, "partial");
    assert_eq!(r.location("cedi_frio").unwrap().error_kind.as_ref().unwrap().category.as_str(), "db_timeout");
    assert!(started.elapsed() < Duration::from_secs(30));

    // Nothing listening: a connection failure.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut st = settings(dead, 50);
    st.max_attempts = 1;
    let mut stats = fluxion::sources::klk::CallStats::default();
    let e: fluxion::etl::EtlError = stellar::fetch_inventory(&st, "1413", &mut stats).await.unwrap_err().into();
    assert_eq!(e.category.as_str(), "db_connection");
}
