//! *Cobertura y distribución* (spec 40 §3.7) through the API on the `tiny` chain with two more
//! Valencia stores (three stores in one region, so that coverage and store gaps mean
//! something): every product's coverage, the summary's bands, the CEDI's trapped stock with
//! its days and traffic light, the store gaps with their opportunity and priority and the
//! catalogue per store — recomputed from the raw tables (current stock, sale lines, the
//! product master, the ABC cache) — plus: coverage never above 100 %, CEDI stock never counted
//! as store coverage, the threshold parameter, access and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Duration;
use common::{spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

async fn app() -> TestApp {
    spawn_app_with(true, common::with_two_more_valencia_stores).await
}

/// `store` never carried `n` of the products the other Valencia stores sell (its stock rows
/// and its sales of them removed): the synthetic stores all carry the whole catalogue.
fn carve_gaps(app: &TestApp, store: &str, n: usize) -> Vec<String> {
    let codes: Vec<String> = {
        let r = app.state.warehouse.reader().unwrap();
        let mut stmt = r
            .prepare(
                "SELECT producto_codigo FROM ventas_diarias WHERE ubicacion_id IN ('tienda_01', 'tienda_03')
                 GROUP BY 1 HAVING count(DISTINCT ubicacion_id) = 2 AND sum(venta_total) > 0 ORDER BY sum(venta_total) DESC, 1 LIMIT ?",
            )
            .unwrap();
        stmt.query_map([n as i64], |x| x.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let list = codes.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",");
    app.state
        .warehouse
        .write(|c| {
            for t in ["inventario_actual", "ventas", "ventas_diarias"] {
                c.execute(&format!("DELETE FROM {t} WHERE ubicacion_id = '{store}' AND producto_codigo IN ({list})"), [])?;
            }
            Ok::<_, duckdb::Error>(())
        })
        .unwrap();
    codes
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.get_with_status(path, &app.admin_token).await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 0.011 + b.abs() * 1e-6, "{what}: {a} vs {b}");
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The raw facts of one region, read with plain SQL.
struct Raw {
    stores: Vec<String>,
    /// (store, product) → (stock units, units sold, sales, cost) over the 30 days ending yesterday.
    cells: HashMap<(String, String), (f64, f64, f64, f64)>,
    /// product → CEDI units (CEDIs of the region).
    cedi: HashMap<String, f64>,
    inactive: HashSet<String>,
    /// product → unit cost of §1.6 for a CEDI (POS cost, else the network's sale cost).
    cedi_cost: HashMap<String, f64>,
}

impl Raw {
    fn cell(&self, s: &str, p: &str) -> (f64, f64, f64, f64) {
        self.cells.get(&(s.to_string(), p.to_string())).copied().unwrap_or_default()
    }

    /// The universe: active products with stock in a store or CEDI of the region, or sold in its stores.
    fn universe(&self) -> Vec<String> {
        let mut all: HashSet<String> = self.cells.iter().filter(|(_, c)| c.0 > 0.0 || c.1 > 0.0).map(|(k, _)| k.1.clone()).collect();
        all.extend(self.cedi.iter().filter(|(_, q)| **q > 0.0).map(|(p, _)| p.clone()));
        // A product whose store rows together sold units (returns could net them out).
        let mut sold: HashMap<&str, f64> = HashMap::new();
        for ((_, p), c) in &self.cells {
            *sold.entry(p).or_default() += c.1;
        }
        let mut out: Vec<String> = all
            .into_iter()
            .filter(|p| !self.inactive.contains(p))
            .filter(|p| {
                let stock: f64 = self.stores.iter().map(|s| self.cell(s, p).0).sum();
                stock > 0.0 || self.cedi.get(p).copied().unwrap_or(0.0) > 0.0 || sold.get(p.as_str()).copied().unwrap_or(0.0) > 0.0
            })
            .collect();
        out.sort();
        out
    }

    fn covered(&self, p: &str) -> (usize, usize) {
        let covered = self.stores.iter().filter(|s| self.cell(s, p).0 > 20.0).count();
        let stocked = self.stores.iter().filter(|s| self.cell(s, p).0 > 0.0).count();
        (covered, stocked)
    }
}

fn raw(app: &TestApp, region: &str) -> Raw {
    let t = &app.state.tenant;
    let stores: Vec<String> = t.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == region).map(|s| s.id.clone()).collect();
    let cedis: Vec<String> = t.stores().iter().filter(|s| s.active && s.is_cedi() && s.region == region).map(|s| s.id.clone()).collect();
    let fin = t.today() - Duration::days(1);
    let from = fin - Duration::days(29);
    let list = |ids: &[String]| ids.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",");
    let r = app.state.warehouse.reader().unwrap();
    let mut cells: HashMap<(String, String), (f64, f64, f64, f64)> = HashMap::new();
    let sql = format!(
        "SELECT ubicacion_id, producto_codigo, sum(greatest(cantidad, 0))::DOUBLE FROM inventario_actual
         WHERE ubicacion_id IN ({}) GROUP BY ALL",
        list(&stores)
    );
    let mut stmt = r.prepare(&sql).unwrap();
    for row in stmt.query_map([], |x| Ok((x.get::<_, String>(0)?, x.get::<_, String>(1)?, x.get::<_, f64>(2)?))).unwrap() {
        let (s, p, q) = row.unwrap();
        cells.entry((s, p)).or_default().0 = q;
    }
    let sql = format!(
        "SELECT ubicacion_id, producto_codigo, sum(cantidad_vendida)::DOUBLE, sum(venta_total)::DOUBLE, sum(costo_total)::DOUBLE
         FROM ventas WHERE ubicacion_id IN ({}) AND fecha BETWEEN '{from}' AND '{fin}' GROUP BY ALL",
        list(&stores)
    );
    let mut stmt = r.prepare(&sql).unwrap();
    for row in stmt
        .query_map([], |x| {
            Ok((x.get::<_, String>(0)?, x.get::<_, String>(1)?, x.get::<_, f64>(2)?, x.get::<_, f64>(3)?, x.get::<_, f64>(4)?))
        })
        .unwrap()
    {
        let (s, p, u, v, c) = row.unwrap();
        let e = cells.entry((s, p)).or_default();
        (e.1, e.2, e.3) = (u, v, c);
    }
    let mut cedi = HashMap::new();
    if !cedis.is_empty() {
        let sql = format!(
            "SELECT producto_codigo, sum(greatest(cantidad, 0))::DOUBLE FROM inventario_actual WHERE ubicacion_id IN ({}) GROUP BY ALL",
            list(&cedis)
        );
        let mut stmt = r.prepare(&sql).unwrap();
        for row in stmt.query_map([], |x| Ok((x.get::<_, String>(0)?, x.get::<_, f64>(1)?))).unwrap() {
            let (p, q) = row.unwrap();
            cedi.insert(p, q);
        }
    }
    let mut stmt = r.prepare("SELECT codigo FROM productos WHERE NOT activo").unwrap();
    let inactive = stmt.query_map([], |x| x.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
    let sql = format!(
        "SELECT p.codigo, coalesce(nullif(p.costo_unitario_usd, 0)::DOUBLE,
                (SELECT sum(costo_total) / sum(cantidad_vendida) FROM ventas v WHERE v.producto_codigo = p.codigo
                 AND v.fecha BETWEEN '{from}' AND '{fin}' HAVING sum(cantidad_vendida) > 0 AND sum(costo_total) > 0))::DOUBLE
         FROM productos p"
    );
    let mut stmt = r.prepare(&sql).unwrap();
    let cedi_cost = stmt
        .query_map([], |x| Ok((x.get::<_, String>(0)?, x.get::<_, Option<f64>>(1)?)))
        .unwrap()
        .filter_map(|x| {
            let (p, c) = x.unwrap();
            c.map(|c| (p, c))
        })
        .collect();
    Raw { stores, cells, cedi, inactive, cedi_cost }
}

#[tokio::test]
async fn coverage_summary_and_low_list_recompute_from_store_stock_only() {
    let app = app().await;
    let raw = raw(&app, "VALENCIA");
    assert_eq!(raw.stores.len(), 3, "tienda_01 and the two extra stores");
    let universe = raw.universe();
    assert!(universe.len() > 50, "the tiny chain stocks and sells many products");

    let (s, sum) = get(&app, "/api/bi/coverage/summary?region=valencia").await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    assert_eq!(sum["region"], "VALENCIA");
    assert_eq!(sum["dias"], 30);
    assert!(sum["datos_al"].is_string() && sum["stock_al"].is_string(), "{sum}");
    assert_eq!(sum["tiendas"], 3);
    assert_eq!(sum["total_skus"].as_u64().unwrap() as usize, universe.len());
    let pct: Vec<f64> = universe.iter().map(|p| raw.covered(p).0 as f64 / 3.0 * 100.0).collect();
    assert!(pct.iter().all(|c| *c <= 100.0));
    let band = |lo: f64, hi: f64| pct.iter().filter(|c| **c >= lo && **c <= hi).count() as u64;
    assert_eq!(sum["alta"].as_u64().unwrap(), pct.iter().filter(|c| **c > 80.0).count() as u64);
    assert_eq!(sum["media"].as_u64().unwrap(), band(50.0, 80.0));
    assert_eq!(sum["baja"].as_u64().unwrap(), pct.iter().filter(|c| **c < 50.0).count() as u64);
    near(f(&sum["cobertura_promedio"]), r1(pct.iter().sum::<f64>() / pct.len() as f64), "mean coverage");
    assert!(sum["alta"].as_u64().unwrap() > 0 && sum["baja"].as_u64().unwrap() > 0, "{sum}");

    // The low list: exactly the products with 0 < coverage < 50, lowest first.
    let (s, low) = get(&app, "/api/bi/coverage/low-coverage-products?region=VALENCIA&limite=1000").await;
    assert_eq!(s, StatusCode::OK, "{low}");
    let expected: BTreeMap<&str, (usize, usize)> =
        universe.iter().map(|p| (p.as_str(), raw.covered(p))).filter(|(_, (c, _))| *c > 0 && (*c as f64 / 3.0) < 0.5).collect();
    let rows = low["productos"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    assert_eq!(low["total"].as_u64().unwrap() as usize, expected.len());
    assert!(!rows.is_empty(), "some products are covered in one store of three");
    for row in rows {
        let code = row["producto_codigo"].as_str().unwrap();
        let (covered, stocked) = expected[code];
        assert_eq!(row["tiendas_region"], 3);
        assert_eq!(row["tiendas_cubiertas"].as_u64().unwrap() as usize, covered, "{code}");
        assert_eq!(row["tiendas_con_stock"].as_u64().unwrap() as usize, stocked, "{code}");
        near(f(&row["cobertura_pct"]), r1(covered as f64 / 3.0 * 100.0), code);
        near(f(&row["cobertura_parcial_pct"]), r1(stocked as f64 / 3.0 * 100.0), code);
        // Mean monthly sales of the stores that sold it.
        let selling: Vec<f64> = raw.stores.iter().map(|s| raw.cell(s, code).2).filter(|v| *v > 0.0).collect();
        let mean = if selling.is_empty() { 0.0 } else { selling.iter().sum::<f64>() / selling.len() as f64 };
        near(f(&row["venta_mensual_por_tienda"]), mean, code);
        near(f(&row["stock_cedi"]), raw.cedi.get(code).copied().unwrap_or(0.0), code);
    }
    assert!(rows.windows(2).all(|w| f(&w[0]["cobertura_pct"]) <= f(&w[1]["cobertura_pct"])), "lowest first");

    // CEDI stock is never store coverage: 10,000 units of a low-coverage product in the CEDI.
    let code = rows[0]["producto_codigo"].as_str().unwrap().to_string();
    let before = rows[0].clone();
    app.state
        .warehouse
        .write(|c| {
            c.execute(
                "INSERT INTO inventario_actual VALUES ('cedi_seco', 'SECO-PR', ?, 10000, now()::TIMESTAMP, 'etl')",
                duckdb::params![code],
            )
            .map(|_| ())
        })
        .unwrap();
    let (_, low2) = get(&app, "/api/bi/coverage/low-coverage-products?region=VALENCIA&limite=1000").await;
    let after = low2["productos"].as_array().unwrap().iter().find(|r| r["producto_codigo"] == code.as_str()).unwrap().clone();
    assert_eq!(after["cobertura_pct"], before["cobertura_pct"]);
    assert_eq!(after["tiendas_cubiertas"], before["tiendas_cubiertas"]);
    near(f(&after["stock_cedi"]), f(&before["stock_cedi"]) + 10000.0, "CEDI stock is shown apart");

    // Todas: one row per product × region; Caracas's single store makes coverage 0 or 100.
    let (_, all) = get(&app, "/api/bi/coverage/summary").await;
    let regions = all["regiones"].as_array().unwrap();
    assert_eq!(regions.len(), 2, "{all}");
    let total: u64 = regions.iter().map(|r| r["total_skus"].as_u64().unwrap()).sum();
    assert_eq!(all["total_skus"].as_u64().unwrap(), total);
    let caracas = regions.iter().find(|r| r["region"] == "CARACAS").unwrap();
    assert_eq!(caracas["media"], 0, "one store: 0 % or 100 %");
}

#[tokio::test]
async fn trapped_stock_gaps_and_catalogue_recompute_from_raw_tables() {
    let app = app().await;
    let carved = carve_gaps(&app, "tienda_04", 6);
    let raw = raw(&app, "VALENCIA");
    let universe = raw.universe();

    // Stock atrapado: CEDI units > 0 while the region's stores hold < umbral together.
    for umbral in [20.0, 60.0] {
        let (s, t) = get(&app, &format!("/api/bi/coverage/trapped-in-cedi?region=VALENCIA&umbral={umbral}&limite=1000")).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(f(&t["umbral"]), umbral);
        let expected: Vec<&String> = universe
            .iter()
            .filter(|p| raw.cedi.get(*p).copied().unwrap_or(0.0) > 0.0)
            .filter(|p| raw.stores.iter().map(|s| raw.cell(s, p).0).sum::<f64>() < umbral)
            .collect();
        let rows = t["productos"].as_array().unwrap();
        assert_eq!(rows.len(), expected.len(), "umbral {umbral}");
        let mut valued = 0.0;
        for row in rows {
            let code = row["producto_codigo"].as_str().unwrap();
            let q = raw.cedi[code];
            let store_units: f64 = raw.stores.iter().map(|s| raw.cell(s, code).0).sum();
            let sold: f64 = raw.stores.iter().map(|s| raw.cell(s, code).1).sum();
            assert_eq!(row["cedi_id"], "cedi_seco");
            near(f(&row["stock_cedi"]), q, code);
            near(f(&row["stock_tiendas_region"]), store_units, code);
            assert!(f(&row["stock_tiendas_region"]) < umbral);
            assert_eq!(row["tiendas_con_stock_suficiente"].as_u64().unwrap() as usize, raw.covered(code).0);
            let days = if sold > 0.0 { q / (sold / 30.0) } else { 999.0 };
            near(f(&row["dias_stock"]), r1(days), code);
            let light = if days < 30.0 {
                "verde"
            } else if days <= 90.0 {
                "ambar"
            } else {
                "rojo"
            };
            assert_eq!(row["semaforo"], light, "{code}: {days} days");
            match raw.cedi_cost.get(code) {
                Some(c) => {
                    near(f(&row["valor_cedi"]), q * c, code);
                    valued += q * c;
                }
                None => assert!(row["valor_cedi"].is_null()),
            }
        }
        near(f(&t["valor_total"]), valued, "trapped value");
        let (_, sum) = get(&app, &format!("/api/bi/coverage/summary?region=VALENCIA&umbral={umbral}")).await;
        near(f(&sum["stock_atrapado_cedi"]), valued, "summary's trapped value");
        if umbral == 20.0 {
            assert!(!rows.is_empty(), "the CEDI holds products the stores lack");
        }
    }

    // Store gaps: no stock and no sale in the store while another store of the region sold it.
    let (s, g) = get(&app, "/api/bi/coverage/store-gaps?region=VALENCIA&limite=1000").await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let mut expected: Vec<(String, String, f64)> = Vec::new();
    for p in &universe {
        let selling: Vec<&String> = raw.stores.iter().filter(|s| raw.cell(s, p).2 > 0.0).collect();
        if selling.is_empty() {
            continue;
        }
        let (v, c) = selling.iter().fold((0.0, 0.0), |t, s| (t.0 + raw.cell(s, p).2, t.1 + raw.cell(s, p).3));
        let opp = (v / selling.len() as f64 * 0.5 * ((v - c) / v)).max(0.0);
        for s in &raw.stores {
            let (stock, units, sales, _) = raw.cell(s, p);
            if stock <= 0.0 && units <= 0.0 && sales <= 0.0 {
                expected.push((s.clone(), p.clone(), opp));
            }
        }
    }
    let rows = g["oportunidades"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    assert!(carved.iter().all(|c| expected.iter().any(|e| e.0 == "tienda_04" && &e.1 == c)), "{carved:?} are gaps of tienda_04");
    let by_key: HashMap<(String, String), f64> = expected.iter().map(|(s, p, o)| ((s.clone(), p.clone()), *o)).collect();
    for row in rows {
        let key = (row["ubicacion_id"].as_str().unwrap().to_string(), row["producto_codigo"].as_str().unwrap().to_string());
        near(f(&row["oportunidad"]), by_key[&key], &format!("{key:?}"));
        // Priority from the returned class, network GMROI and family cut.
        let (clase, gmroi, cut) = (row["clase_predominante"].as_str(), f(&row["gmroi_red"]), f(&row["corte_gmroi"]));
        let p = match clase {
            Some("A") if gmroi >= cut => "ALTA",
            Some("A") | Some("B") => "MEDIA",
            _ => "BAJA",
        };
        assert_eq!(row["prioridad"], p, "{row}");
    }
    near(f(&g["oportunidad_total"]), expected.iter().map(|e| e.2).sum(), "Σ opportunities");
    let (_, sum) = get(&app, "/api/bi/coverage/summary?region=VALENCIA").await;
    near(f(&sum["oportunidad_estimada"]), expected.iter().map(|e| e.2).sum(), "summary's opportunity");
    let rank = |r: &Value| match r["prioridad"].as_str().unwrap() {
        "ALTA" => 0,
        "MEDIA" => 1,
        _ => 2,
    };
    assert!(rows.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "ALTA first");

    // The predominant class of a gap: the mode of the region's stores' classes in the ABC cache.
    let r = app.state.warehouse.reader().unwrap();
    for row in rows.iter().take(10) {
        let code = row["producto_codigo"].as_str().unwrap();
        let mut stmt = r
            .prepare("SELECT clase_abc FROM productos_abc_tienda WHERE producto_codigo = ? AND ubicacion_id IN ('tienda_01','tienda_03','tienda_04')")
            .unwrap();
        let classes: Vec<String> = stmt.query_map([code], |x| x.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for c in classes.iter().filter(|c| ["A", "B", "C", "D"].contains(&c.as_str())) {
            *counts.entry(c.clone()).or_default() += 1;
        }
        let best = counts.values().copied().max();
        let mode = counts.iter().find(|(_, n)| Some(**n) == best).map(|(c, _)| c.clone());
        assert_eq!(row["clase_predominante"].as_str().map(str::to_string), mode, "{code}");
    }
    drop(r);

    // Catálogo por tienda: active SKUs (stock or sold) and the distance to the region's mean.
    let active: Vec<usize> =
        raw.stores.iter().map(|s| raw.cells.iter().filter(|((st, _), c)| st == s && (c.0 > 0.0 || c.1 > 0.0)).count()).collect();
    let mean = active.iter().sum::<usize>() as f64 / 3.0;
    let cat = g["catalogo"].as_array().unwrap();
    assert_eq!(cat.len(), 3);
    for (i, s) in raw.stores.iter().enumerate() {
        let row = cat.iter().find(|c| c["ubicacion_id"] == s.as_str()).unwrap();
        assert_eq!(row["skus_activos"].as_u64().unwrap() as usize, active[i], "{s}");
        near(f(&row["gap_skus"]), r1(mean - active[i] as f64), s);
        let gaps = expected.iter().filter(|e| &e.0 == s).count();
        assert_eq!(row["huecos"].as_u64().unwrap() as usize, gaps, "{s}");
    }

    // One store's gaps only.
    let (_, one) = get(&app, "/api/bi/coverage/store-gaps?region=VALENCIA&ubicacion_id=tienda_03&limite=1000").await;
    assert!(one["oportunidades"].as_array().unwrap().iter().all(|r| r["ubicacion_id"] == "tienda_03"));
    assert_eq!(one["oportunidades"].as_array().unwrap().len(), expected.iter().filter(|e| e.0 == "tienda_03").count());
}

#[tokio::test]
async fn coverage_refuses_bad_input_and_non_bi_users() {
    let app = app().await;
    for (path, field) in [
        ("/api/bi/coverage/summary?region=ORIENTE", "region"),
        ("/api/bi/coverage/trapped-in-cedi?umbral=-5", "umbral"),
        ("/api/bi/coverage/trapped-in-cedi?umbral=mucho", "umbral"),
        ("/api/bi/coverage/low-coverage-products?limite=0", "limite"),
        ("/api/bi/coverage/store-gaps?limite=5000", "limite"),
    ] {
        let (s, body) = get(&app, path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["code"], "validation_error", "{path}");
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
    let (s, body) = get(&app, "/api/bi/coverage/summary?desde=2026-01-01").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown parameter: {body}");
    let (s, _) = get(&app, "/api/bi/coverage/store-gaps?ubicacion_id=tienda_99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The general manager has no bi.ver.
    app.add_user("gerente", "clave-de-prueba-2", "gerente_general", &[]);
    let token = app.token("gerente", "clave-de-prueba-2").await;
    let (s, _) = app.get_with_status("/api/bi/coverage/summary", &token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
