//! `fluxion order suggest`: one store's suggested order (or every store's) from the
//! command line, as JSON, CSV or a readable table.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;

use clap::{Subcommand, ValueEnum};

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
}

pub fn run(config: &Path, command: OrderCommand) -> i32 {
    let OrderCommand::Suggest { store, cedi, all_stores, date, format, detalle_v2 } = command;
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
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = match all_stores {
                true => serde_json::to_writer_pretty(&mut out, &proposals),
                false => serde_json::to_writer_pretty(&mut out, &proposals[0]),
            }
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
            if let Err(e) = written {
                eprintln!("error: no se pudo escribir la salida: {e}");
                return 1;
            }
        }
        Format::Csv => print_csv(&proposals),
        Format::Table => print_table(&proposals),
    }
    let lines: usize = proposals.iter().map(|p| p.productos.len()).sum();
    eprintln!("{} propuesta(s), {lines} líneas, {:.0} ms", proposals.len(), elapsed.as_secs_f64() * 1000.0);
    0
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
