//! `fluxion order suggest`: one store's suggested order (or every store's) from the
//! command line, as JSON, CSV or a readable table; `fluxion order multi`: a multi-store batch
//! from one CEDI with its conflicts and DPD+U shares.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;

use clap::{Subcommand, ValueEnum};

use crate::distribution::{inter_cedi, multi_store};
use crate::replenishment::{propose, propose_all, Request, StoreProposal};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Table,
}

#[derive(Subcommand)]
pub enum OrderCommand {
    /// Compute the suggested order of a store (windows end the day before --date).
    Suggest {
        /// Destination store.
        #[arg(long, required_unless_present = "all_stores")]
        store: Option<String>,
        /// Origin CEDI (default: the store's supplying CEDI).
        #[arg(long)]
        cedi: Option<String>,
        /// Every active store, from each CEDI that supplies it.
        #[arg(long, conflicts_with_all = ["store", "cedi"])]
        all_stores: bool,
        /// Business date of the calculation (default: today in the tenant's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Keep the V2 day-by-day simulation on every line (large).
        #[arg(long)]
        detalle_v2: bool,
    },
    /// A multi-store batch from one CEDI: the conflicts (products whose total need exceeds the
    /// CEDI's stock) and each store's DPD+U share, as the wizard and the API compute them.
    Multi {
        /// Origin CEDI.
        #[arg(long)]
        cedi: String,
        /// Destination store (repeat for several; the order breaks exact ties).
        #[arg(long = "store", required = true)]
        stores: Vec<String>,
        /// Business date of the calculation (default: today in the tenant's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// An inter-CEDI order: what a receiving CEDI should order from one supplying CEDI (its
    /// route in tenant.toml), with the regional demand, class, quantity and priority of each
    /// product, as the API computes them.
    InterCedi {
        /// Supplying CEDI.
        #[arg(long)]
        origin: String,
        /// Receiving CEDI.
        #[arg(long)]
        dest: String,
        /// Business date of the calculation (default: today in the tenant's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn run(config: &Path, command: OrderCommand) -> i32 {
    let (store, cedi, all_stores, date, format, detalle_v2) = match command {
        OrderCommand::Suggest { store, cedi, all_stores, date, format, detalle_v2 } => (store, cedi, all_stores, date, format, detalle_v2),
        OrderCommand::Multi { cedi, stores, date, format } => return run_multi(config, cedi, stores, date, format),
        OrderCommand::InterCedi { origin, dest, date, format } => return run_inter_cedi(config, origin, dest, date, format),
    };
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let fecha = date.unwrap_or_else(|| state.tenant.today());
    let started = Instant::now();
    let result = (|| -> Result<Vec<StoreProposal>, String> {
        let reader = state.warehouse.reader().map_err(|e| e.to_string())?;
        let app = crate::appdb::connect(&state.app_db_path).map_err(|e| e.to_string())?;
        if all_stores {
            propose_all(&state.tenant, &app, &reader, fecha).map_err(|e| e.to_string())
        } else {
            let req = Request { tienda: store.unwrap_or_default(), cedi, fecha, cuadrantes: None, detalle_v2 };
            Ok(vec![propose(&state.tenant, &app, &reader, &req).map_err(|e| e.to_string())?])
        }
    })();
    let proposals = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let elapsed = started.elapsed();
    match format {
        Format::Json => {
            // Streamed straight from the proposals: a network run is about a gigabyte of JSON
            // (every line carries its explanation), and building it as a value tree first
            // took 6 GB of memory and 20 s.
            let written = match all_stores {
                true => write_json(&proposals),
                false => write_json(&proposals[0]),
            };
            if written != 0 {
                return written;
            }
        }
        Format::Csv => print_csv(&proposals),
        Format::Table => print_table(&proposals),
    }
    let lines: usize = proposals.iter().map(|p| p.productos.len()).sum();
    eprintln!("{} propuesta(s), {lines} líneas, {:.0} ms", proposals.len(), elapsed.as_secs_f64() * 1000.0);
    0
}

/// Pretty JSON streamed to stdout; 1 (and a message) when stdout cannot take it.
fn write_json<T: serde::Serialize>(value: &T) -> i32 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written =
        serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from).and_then(|()| writeln!(out)).and_then(|()| out.flush());
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: no se pudo escribir la salida: {e}");
            1
        }
    }
}

const CSV_COLUMNS: &[&str] = &[
    "tienda_destino",
    "cedi_origen",
    "fecha",
    "codigo_producto",
    "descripcion_producto",
    "clasificacion_abc",
    "prom_p75_unid",
    "stock_tienda",
    "stock_cedi_origen",
    "stock_seguridad",
    "punto_reorden",
    "stock_maximo",
    "cantidad_bultos",
    "cantidad_sugerida_bultos",
    "cantidad_sugerida_unid",
    "metodo_calculo",
    "regla_decisiva",
    "razon_pedido",
];

fn field(v: &serde_json::Value, key: &str) -> String {
    match &v[key] {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn print_csv(proposals: &[StoreProposal]) {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let _ = w.write_record(CSV_COLUMNS);
    for p in proposals {
        for line in &p.productos {
            #[allow(clippy::expect_used)] // a struct of numbers and strings always serialises
            let v = serde_json::to_value(line).expect("serialisable");
            let decided = field(&v["explicacion"], "regla_decisiva");
            let row: Vec<String> = CSV_COLUMNS
                .iter()
                .map(|c| match *c {
                    "tienda_destino" => p.tienda_destino.clone(),
                    "cedi_origen" => p.cedi_origen.clone(),
                    "fecha" => p.fecha.to_string(),
                    "regla_decisiva" => decided.clone(),
                    other => field(&v, other),
                })
                .collect();
            let _ = w.write_record(&row);
        }
    }
    let _ = w.flush();
}

fn print_table(proposals: &[StoreProposal]) {
    for p in proposals {
        let ordered: Vec<_> = p.productos.iter().filter(|l| l.cantidad_sugerida_bultos > 0).collect();
        println!(
            "\n{} ← {}  ({})  {} productos, {} con pedido, {} bultos",
            p.tienda_destino,
            p.cedi_origen,
            p.fecha,
            p.productos.len(),
            ordered.len(),
            ordered.iter().map(|l| l.cantidad_sugerida_bultos).sum::<u64>()
        );
        println!(
            "{:<8} {:<36} {:>3} {:>8} {:>9} {:>8} {:>8} {:>7}  regla",
            "código", "descripción", "ABC", "P75/día", "stock", "ROP", "MAX", "bultos"
        );
        for l in ordered {
            #[allow(clippy::expect_used)] // a struct of numbers and strings always serialises
            let v = serde_json::to_value(&l.explicacion).expect("serialisable");
            println!(
                "{:<8} {:<36} {:>3} {:>8.2} {:>9.1} {:>8.1} {:>8.1} {:>7}  {}",
                l.codigo_producto,
                l.descripcion_producto.chars().take(36).collect::<String>(),
                l.clasificacion_abc.map(|c| format!("{c:?}")).unwrap_or_else(|| "-".into()),
                l.prom_p75_unid,
                l.stock_total,
                l.punto_reorden,
                l.stock_maximo,
                l.cantidad_sugerida_bultos,
                field(&v, "regla_decisiva")
            );
        }
    }
}

/// `fluxion order multi`: the batch through the same use case as the API.
fn run_multi(config: &Path, cedi: String, tiendas: Vec<String>, date: Option<NaiveDate>, format: Format) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let req =
        multi_store::Request { fecha: date.unwrap_or_else(|| state.tenant.today()), cedi, tiendas, todos: false, incluir_cedis: false };
    let started = Instant::now();
    let result = crate::appdb::connect(&state.app_db_path).map_err(|e| e.to_string()).and_then(|app| {
        multi_store::calculate(&state.tenant, &app, &state.warehouse, &state.calculations, &req).map_err(|e| e.to_string())
    });
    let calc = match result {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let elapsed = started.elapsed();
    match format {
        Format::Json => {
            if write_json(&calc) != 0 {
                return 1;
            }
        }
        Format::Csv => print_multi_csv(&calc),
        Format::Table => print_multi_table(&calc),
    }
    eprintln!(
        "{} tienda(s), {} conflicto(s), {} bultos, {:.0} ms",
        calc.resumen.total_tiendas,
        calc.resumen.total_conflictos,
        calc.resumen.total_bultos,
        elapsed.as_secs_f64() * 1000.0
    );
    0
}

const MULTI_CSV_COLUMNS: &[&str] = &[
    "codigo_producto",
    "descripcion_producto",
    "unidades_por_bulto",
    "stock_cedi_disponible",
    "stock_cedi_bultos",
    "tienda_id",
    "demanda_p75",
    "stock_actual",
    "dias_stock",
    "cantidad_necesaria",
    "urgencia",
    "pct_demanda",
    "pct_urgencia",
    "peso_final",
    "cantidad_sugerida_bultos",
    "cantidad_asignada_bultos",
    "deficit_vs_necesidad",
    "cobertura_dias_resultante",
];

/// One row per (conflicted product, participating store).
fn print_multi_csv(calc: &multi_store::Calculation) {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let _ = w.write_record(MULTI_CSV_COLUMNS);
    for c in &calc.conflictos {
        for s in &c.distribucion_dpdu {
            let a = &s.asignacion;
            let row = [
                c.codigo_producto.clone(),
                c.descripcion_producto.clone(),
                c.unidades_por_bulto.to_string(),
                c.stock_cedi_disponible.to_string(),
                c.stock_cedi_bultos.to_string(),
                s.tienda_id.clone(),
                a.demanda_p75.to_string(),
                a.stock_actual.to_string(),
                a.dias_stock.to_string(),
                a.cantidad_necesaria.to_string(),
                a.urgencia.to_string(),
                a.pct_demanda.to_string(),
                a.pct_urgencia.to_string(),
                a.peso_final.to_string(),
                s.cantidad_sugerida_bultos.to_string(),
                a.cantidad_asignada_bultos.to_string(),
                a.deficit_vs_necesidad.to_string(),
                a.cobertura_dias_resultante.to_string(),
            ];
            let _ = w.write_record(&row);
        }
    }
    let _ = w.flush();
}

fn print_multi_table(calc: &multi_store::Calculation) {
    println!(
        "{} ({})  {}  DPD+U: demanda {:.0}% + urgencia {:.0}%, urgencia máxima con ≤ {} días",
        calc.cedi_origen_nombre,
        calc.cedi_origen,
        calc.fecha,
        calc.config_dpdu.peso_demanda * 100.0,
        calc.config_dpdu.peso_urgencia * 100.0,
        calc.config_dpdu.dias_minimo_urgencia
    );
    println!("\n{:<24} {:>9} {:>9} {:>12}", "tienda", "productos", "bultos", "ajust. DPD+U");
    for p in &calc.pedidos_por_tienda {
        println!("{:<24} {:>9} {:>9} {:>12}", p.tienda_nombre, p.total_productos, p.total_bultos, p.productos_ajustados_dpdu);
    }
    println!("\n{} conflicto(s) de stock (CEDI con menos de lo que piden las tiendas)", calc.conflictos.len());
    for c in &calc.conflictos {
        println!(
            "\n{:<8} {:<40} CEDI {} bultos ({} u/b), necesidad {} u",
            c.codigo_producto,
            c.descripcion_producto.chars().take(40).collect::<String>(),
            c.stock_cedi_bultos,
            c.unidades_por_bulto,
            c.necesidad_total_tiendas
        );
        for s in &c.distribucion_dpdu {
            let a = &s.asignacion;
            println!(
                "    {:<22} días {:>6.1}  urgencia {:>7.2}  peso {:>6.2}%  sugerido {:>4}  asignado {:>4}",
                s.tienda_nombre, a.dias_stock, a.urgencia, a.peso_final, s.cantidad_sugerida_bultos, a.cantidad_asignada_bultos
            );
        }
    }
}

/// `fluxion order inter-cedi`: the route's calculation through the same use case as the API.
fn run_inter_cedi(config: &Path, origen: String, destino: String, date: Option<NaiveDate>, format: Format) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let req = inter_cedi::Request { fecha: date.unwrap_or_else(|| state.tenant.today()), origen, destino, ajustes: None };
    let started = Instant::now();
    let result = crate::appdb::connect(&state.app_db_path)
        .map_err(|e| e.to_string())
        .and_then(|app| inter_cedi::calculate(&state.tenant, &app, &state.warehouse, &req).map_err(|e| e.to_string()));
    let calc = match result {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let elapsed = started.elapsed();
    match format {
        Format::Json => {
            if write_json(&calc) != 0 {
                return 1;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let _ = w.write_record([
                "codigo_producto",
                "descripcion_producto",
                "clasificacion_abc",
                "prioridad",
                "demanda_regional_p75",
                "sigma_regional",
                "stock_cedi_destino",
                "transito_destino",
                "stock_cedi_origen",
                "unidades_por_bulto",
                "dias_cobertura",
                "stock_seguridad",
                "punto_reorden",
                "stock_maximo",
                "cantidad_ideal_unid",
                "cantidad_sugerida_bultos",
            ]);
            for l in &calc.productos {
                let _ = w.write_record([
                    l.codigo_producto.clone(),
                    l.descripcion_producto.clone(),
                    l.clasificacion_abc.as_str().to_string(),
                    l.prioridad.to_string(),
                    l.demanda_regional_p75.to_string(),
                    l.sigma_regional.to_string(),
                    l.stock_cedi_destino.to_string(),
                    l.transito_destino.to_string(),
                    l.stock_cedi_origen.to_string(),
                    l.unidades_por_bulto.to_string(),
                    l.dias_cobertura.to_string(),
                    l.stock_seguridad.to_string(),
                    l.punto_reorden.to_string(),
                    l.stock_maximo.to_string(),
                    l.cantidad_ideal_unid.to_string(),
                    l.cantidad_sugerida_bultos.to_string(),
                ]);
            }
            let _ = w.flush();
        }
        Format::Table => {
            println!(
                "{} → {} ({}, {} tiendas)  {}  lead time {} d, cobertura A {} / B {} / C {} / D {} / congelados {} d",
                calc.cedi_origen_nombre,
                calc.cedi_destino_nombre,
                calc.region,
                calc.num_tiendas_region,
                calc.fecha,
                calc.configuracion.lead_time_dias,
                calc.configuracion.dias_cobertura_a,
                calc.configuracion.dias_cobertura_b,
                calc.configuracion.dias_cobertura_c,
                calc.configuracion.dias_cobertura_d,
                calc.configuracion.dias_cobertura_congelados
            );
            println!(
                "{:<8} {:<36} {:>3} {:>4} {:>9} {:>9} {:>9} {:>9} {:>7}",
                "código", "descripción", "ABC", "pri", "P75 reg", "stock dst", "ROP", "MÁX", "bultos"
            );
            for l in calc.productos.iter().filter(|l| l.cantidad_sugerida_bultos > 0) {
                println!(
                    "{:<8} {:<36} {:>3} {:>4} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>7}",
                    l.codigo_producto,
                    l.descripcion_producto.chars().take(36).collect::<String>(),
                    l.clasificacion_abc.as_str(),
                    l.prioridad,
                    l.demanda_regional_p75,
                    l.stock_cedi_destino,
                    l.punto_reorden,
                    l.stock_maximo,
                    l.cantidad_sugerida_bultos
                );
            }
        }
    }
    eprintln!(
        "{} producto(s), {} con pedido, {} bultos, {:.0} ms",
        calc.total_productos,
        calc.total_productos_con_sugerido,
        calc.total_bultos,
        elapsed.as_secs_f64() * 1000.0
    );
    0
}
