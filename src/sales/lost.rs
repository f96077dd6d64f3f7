//! *Ventas perdidas* V3 (spec 40 §6.5): products whose sales in a period fell well below
//! their pace of the days before, valued at their price. The rules are
//! `domain::lost_sales`; this module reads the inputs, clamps the period to yesterday and
//! orders and sums the result.
//!
//! V3 measures a drop in sales, not a proven stock-out: `causa` says which (a day of the
//! period with the store's stock at or below 0 → `quiebre`, else `caida_demanda`).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{active_store, SalesError};
use crate::config::Tenant;
use crate::domain::lost_sales::{by_category, days_at_or_below_zero, evaluate, CategoryLoss, Level, Loss, ProductSales, Thresholds};
use crate::domain::replenishment::transit::store_series;
use crate::domain::sales::round_half_away;
use crate::replenishment::excluded_warehouses;
use crate::warehouse::kept::Kept;
use crate::warehouse::replenishment as wq;
use crate::warehouse::sale_events as se;
use crate::warehouse::Warehouse;

/// Longest list returned (the aggregates count every incident).
pub const MAX_ROWS: usize = 200;

/// What the screen asks.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub store: String,
    pub inicio: NaiveDate,
    /// Already clamped to yesterday by [`Request::new`].
    pub fin: NaiveDate,
    pub dias_historico: u32,
    pub umbrales: Thresholds,
    /// The store's atypical days: left out of the history window (spec 40 §1.1).
    pub atipicos: Vec<NaiveDate>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PeriodError {
    #[error("La fecha final {fin} es anterior a la inicial {inicio}")]
    Reversed { inicio: NaiveDate, fin: NaiveDate },
    #[error("El periodo debe terminar a más tardar ayer ({ayer}): el día de hoy aún no termina")]
    Today { ayer: NaiveDate },
}

impl Request {
    /// The period with its end clamped to yesterday (today is partial and would show as a
    /// loss), refusing a reversed range or one that starts today.
    pub fn new(
        store: String,
        inicio: NaiveDate,
        fin: NaiveDate,
        dias_historico: u32,
        umbrales: Thresholds,
        today: NaiveDate,
    ) -> Result<Request, PeriodError> {
        let ayer = today - Duration::days(1);
        if inicio > ayer {
            return Err(PeriodError::Today { ayer });
        }
        if fin < inicio {
            return Err(PeriodError::Reversed { inicio, fin });
        }
        Ok(Request { store, inicio, fin: fin.min(ayer), dias_historico, umbrales, atipicos: Vec::new() })
    }

    /// The history window and its atypical days.
    fn history(&self) -> (NaiveDate, NaiveDate, Vec<NaiveDate>) {
        let (from, to) = (self.inicio - Duration::days(i64::from(self.dias_historico)), self.inicio - Duration::days(1));
        (from, to, self.atipicos.iter().copied().filter(|d| (from..=to).contains(d)).collect())
    }

    fn key(&self) -> Key {
        let t = &self.umbrales;
        let thresholds = [t.critico.to_bits(), t.alto.to_bits(), t.medio.to_bits()];
        (self.store.clone(), self.inicio, self.fin, self.dias_historico, thresholds, self.history().2)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LostItem {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub stock_actual: f64,
    pub dias_stock_cero: u32,
    #[serde(flatten)]
    pub perdida: Loss,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LevelCounts {
    pub critico: usize,
    pub alto: usize,
    pub medio: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub venta_perdida_usd: f64,
    pub incidentes: usize,
    pub por_nivel: LevelCounts,
    /// "código – first 30 characters of the name" of the largest loss.
    pub mayor_producto: Option<String>,
    pub por_categoria: Vec<CategoryLoss>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LostSales {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    pub dias_periodo: u32,
    pub historico_desde: NaiveDate,
    pub historico_hasta: NaiveDate,
    pub dias_historico: u32,
    /// The thresholds used, in % of the history's daily average.
    pub umbrales: Thresholds,
    pub resumen: Summary,
    /// By lost USD, at most [`MAX_ROWS`].
    pub items: Vec<LostItem>,
    pub limite: usize,
}

pub fn compute(tenant: &Tenant, wh: &Warehouse, r: &Request) -> Result<LostSales, SalesError> {
    let store = active_store(tenant, &r.store)?;
    let conn = wh.reader()?;
    let n = ((r.fin - r.inicio).num_days() + 1) as u32;
    let (hist_from, hist_to, skipped) = r.history();
    // Atypical days say nothing about the usual pace: out of the history and its length.
    let h = r.dias_historico.saturating_sub(skipped.len() as u32).max(1);
    let sales = se::period_sales(&conn, &store.id, (hist_from, &skipped), r.inicio, r.fin)?;
    // Candidates first (the cause does not decide candidacy), then the stock only for them.
    let mut found: Vec<(&se::PeriodSales, ProductSales)> = sales
        .iter()
        .map(|s| {
            let p = ProductSales {
                units_period: s.units_period,
                units_history: s.units_history,
                price_period: s.price_period,
                price_history: s.price_history,
                price_current: None,
                days_stock_zero: 0,
            };
            (s, p)
        })
        .filter(|(_, p)| evaluate(p, n, h, &r.umbrales).is_some())
        .collect();
    let codes: Vec<&str> = found.iter().map(|(s, _)| s.codigo.as_str()).collect();
    let excluded = excluded_warehouses(tenant, &store.id);
    let mut changes: FxHashMap<String, Vec<(String, NaiveDateTime, f64)>> = FxHashMap::default();
    for c in wq::stock_changes_since(&conn, &store.id, &codes, r.inicio.and_time(chrono::NaiveTime::MIN), &excluded)? {
        changes.entry(c.producto_codigo).or_default().push((c.almacen_codigo, c.fecha_snapshot, c.cantidad));
    }
    let stock = wq::stock(&conn, &store.id, &excluded)?;
    let labels = se::product_labels(&conn, &codes)?;
    let mut items: Vec<LostItem> = Vec::new();
    for (s, p) in found.iter_mut() {
        let series = changes.get(&s.codigo).map(|rows| store_series(rows)).unwrap_or_default();
        p.days_stock_zero = days_at_or_below_zero(&series, r.inicio, r.fin);
        let Some(perdida) = evaluate(p, n, h, &r.umbrales) else { continue };
        let label = labels.get(&s.codigo);
        items.push(LostItem {
            codigo_producto: s.codigo.clone(),
            descripcion: label.map(|l| l.descripcion.clone()).unwrap_or_default(),
            categoria: label.and_then(|l| l.categoria.clone()),
            stock_actual: stock.get(s.codigo.as_str()).copied().unwrap_or(0.0),
            dias_stock_cero: p.days_stock_zero,
            perdida,
        });
    }
    items.sort_by(|a, b| {
        b.perdida.venta_perdida_usd.total_cmp(&a.perdida.venta_perdida_usd).then_with(|| a.codigo_producto.cmp(&b.codigo_producto))
    });
    let resumen = summarize(&items);
    items.truncate(MAX_ROWS);
    for i in &mut items {
        round_loss(&mut i.perdida);
    }
    Ok(LostSales {
        ubicacion_id: store.id.clone(),
        ubicacion_nombre: store.name.clone(),
        fecha_inicio: r.inicio,
        fecha_fin: r.fin,
        dias_periodo: n,
        historico_desde: hist_from,
        historico_hasta: hist_to,
        dias_historico: h,
        umbrales: r.umbrales,
        resumen,
        items,
        limite: MAX_ROWS,
    })
}

fn summarize(items: &[LostItem]) -> Summary {
    let mut por_nivel = LevelCounts::default();
    for i in items {
        match i.perdida.nivel {
            Level::Critico => por_nivel.critico += 1,
            Level::Alto => por_nivel.alto += 1,
            Level::Medio => por_nivel.medio += 1,
        }
    }
    Summary {
        venta_perdida_usd: round_half_away(items.iter().map(|i| i.perdida.venta_perdida_usd).sum(), 2),
        incidentes: items.len(),
        por_nivel,
        mayor_producto: items.first().map(|i| format!("{} – {}", i.codigo_producto, i.descripcion.chars().take(30).collect::<String>())),
        por_categoria: by_category(items.iter().map(|i| (i.categoria.as_deref(), i.perdida.venta_perdida_usd)))
            .into_iter()
            .map(|c| CategoryLoss { usd: round_half_away(c.usd, 2), ..c })
            .collect(),
    }
}

/// Output rounding (spec 40 §1.7): money 2 dp, averages and units 2 dp, percentages 1 dp.
fn round_loss(l: &mut Loss) {
    l.promedio_periodo = round_half_away(l.promedio_periodo, 2);
    l.promedio_historico = round_half_away(l.promedio_historico, 2);
    l.pct_vs_historico = round_half_away(l.pct_vs_historico, 1);
    l.unidades_perdidas_dia = round_half_away(l.unidades_perdidas_dia, 2);
    l.unidades_perdidas = round_half_away(l.unidades_perdidas, 2);
    l.precio = round_half_away(l.precio, 2);
    l.venta_perdida_usd = round_half_away(l.venta_perdida_usd, 2);
}

/// Results kept per request until the next write.
pub struct KeptLostSales(Kept<Key, LostSales>);

impl Default for KeptLostSales {
    fn default() -> Self {
        KeptLostSales(Kept::new(32))
    }
}

/// Store, period, history length, thresholds and the atypical days inside the history.
type Key = (String, NaiveDate, NaiveDate, u32, [u64; 3], Vec<NaiveDate>);

impl KeptLostSales {
    pub fn get(&self, tenant: &Tenant, wh: &Warehouse, r: &Request) -> Result<std::sync::Arc<LostSales>, SalesError> {
        self.0.get_or_compute(wh, r.key(), || compute(tenant, wh, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_ends_yesterday_and_cannot_be_reversed() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let t = Thresholds::default();
        let r = Request::new("t".into(), d("2025-03-03"), d("2025-03-10"), 30, t, d("2025-03-09")).unwrap();
        assert_eq!(r.fin, d("2025-03-08"));
        assert_eq!(
            Request::new("t".into(), d("2025-03-05"), d("2025-03-03"), 30, t, d("2025-03-09")),
            Err(PeriodError::Reversed { inicio: d("2025-03-05"), fin: d("2025-03-03") })
        );
        assert_eq!(
            Request::new("t".into(), d("2025-03-09"), d("2025-03-09"), 30, t, d("2025-03-09")),
            Err(PeriodError::Today { ayer: d("2025-03-08") })
        );
    }
}
