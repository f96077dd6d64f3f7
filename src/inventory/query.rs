//! The table's filters, sort, paging and page statistics (spec 40 §7.2), over the rows of
//! a computed table.

use serde::Serialize;

use super::InventoryLine;
use crate::domain::inventory::{Activity, StockState, Velocity};
use crate::domain::replenishment::AbcClass;

/// `CON_STOCK` (> 0) or `SIN_STOCK` (≤ 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StockPresence {
    With,
    Without,
}

impl StockPresence {
    fn matches(self, units: f64) -> bool {
        match self {
            StockPresence::With => units > 0.0,
            StockPresence::Without => units <= 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Sort {
    #[default]
    Stock,
    DiasStock,
    /// Always best rank first.
    RankVentas,
    Peso,
    Volumen,
}

/// Validated filters; `None` = not filtered.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub almacen: Option<String>,
    pub categoria: Option<String>,
    pub marca: Option<String>,
    pub search: Option<String>,
    pub estado: Option<StockState>,
    pub clasificacion: Option<Activity>,
    /// `Some(None)` = SIN_VENTAS (no class).
    pub abc: Option<Option<AbcClass>>,
    /// Only the products ranked 1..=N by units in the store.
    pub top: Option<i32>,
    pub velocidad: Option<Velocity>,
    pub stock_cedi: Option<StockPresence>,
    pub stock_tienda: Option<StockPresence>,
    pub sort: Sort,
    pub descending: bool,
    pub page: usize,
    pub page_size: usize,
}

/// Counts over every row the filters keep (the screen's cards).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageStats {
    pub total: usize,
    pub stock_cero: usize,
    pub stock_negativo: usize,
    pub criticos: usize,
    pub urgentes: usize,
    pub optimos: usize,
    pub excesos: usize,
    pub sin_demanda: usize,
    pub fantasmas: usize,
    pub anomalias: usize,
    pub dormidos: usize,
    pub activos: usize,
}

#[derive(Debug, Serialize)]
pub struct Page<'a> {
    pub items: Vec<&'a InventoryLine>,
    pub page: usize,
    pub page_size: usize,
    pub total_pages: usize,
    pub estadisticas: PageStats,
}

/// The codes of a search made only of comma-separated codes, each also as 6 digits with
/// leading zeros (a buyer types `1853` for `001853`); `None` when it is free text.
fn code_list(search: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = search.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let codes = !parts.is_empty() && (parts.len() > 1 || parts[0].chars().all(|c| c.is_ascii_digit()));
    codes.then(|| {
        parts
            .iter()
            .flat_map(|p| {
                let trimmed = p.trim_start_matches('0');
                let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
                [p.to_string(), trimmed.to_string(), format!("{trimmed:0>6}")]
            })
            .collect()
    })
}

fn keeps(f: &Filter, codes: &Option<Vec<String>>, needle: &Option<String>, l: &InventoryLine) -> bool {
    if f.almacen.as_deref().is_some_and(|a| a != l.almacen_codigo.as_str()) {
        return false;
    }
    if f.categoria.as_deref().is_some_and(|c| l.categoria.as_deref() != Some(c)) {
        return false;
    }
    if f.marca.as_deref().is_some_and(|m| l.marca.as_deref() != Some(m)) {
        return false;
    }
    if let Some(codes) = codes {
        if !codes.contains(&l.codigo_producto) {
            return false;
        }
    } else if let Some(n) = needle {
        if !l.codigo_producto.to_lowercase().contains(n) && !l.descripcion.to_lowercase().contains(n) {
            return false;
        }
    }
    if f.estado.is_some_and(|e| e != l.estado_criticidad) {
        return false;
    }
    if f.clasificacion.is_some_and(|c| Some(c) != l.clasificacion_producto) {
        return false;
    }
    if f.abc.is_some_and(|c| c != l.clase_abc) {
        return false;
    }
    if f.top.is_some_and(|n| l.rank_ventas.is_none_or(|r| r > n)) {
        return false;
    }
    if f.velocidad.is_some_and(|v| Some(v) != l.velocidad_venta) {
        return false;
    }
    if f.stock_cedi.is_some_and(|p| !p.matches(l.stock_cedi)) {
        return false;
    }
    if f.stock_tienda.is_some_and(|p| !p.matches(l.stock)) {
        return false;
    }
    true
}

fn count(stats: &mut PageStats, l: &InventoryLine) {
    stats.total += 1;
    if l.stock == 0.0 {
        stats.stock_cero += 1;
    }
    if l.stock < 0.0 {
        stats.stock_negativo += 1;
    }
    match l.estado_criticidad {
        StockState::Critico => stats.criticos += 1,
        StockState::Urgente => stats.urgentes += 1,
        StockState::Optimo => stats.optimos += 1,
        StockState::Exceso => stats.excesos += 1,
        StockState::SinDemanda => stats.sin_demanda += 1,
    }
    match l.clasificacion_producto {
        Some(Activity::Fantasma) => stats.fantasmas += 1,
        Some(Activity::Anomalia) => stats.anomalias += 1,
        Some(Activity::Dormido) => stats.dormidos += 1,
        Some(Activity::Activo) => stats.activos += 1,
        None => {}
    }
}

/// The sort key of a row; `None` sorts last whatever the direction.
fn key(sort: Sort, l: &InventoryLine) -> Option<f64> {
    match sort {
        Sort::Stock => Some(l.stock),
        Sort::DiasStock => l.dias_cobertura_actual,
        Sort::RankVentas => l.rank_ventas.map(f64::from),
        Sort::Peso => l.peso_total_kg,
        Sort::Volumen => l.volumen_total_m3,
    }
}

/// The rows `f` keeps, sorted (ties by code, then almacén), with the requested page.
pub fn filtered<'a>(lines: &'a [InventoryLine], f: &Filter) -> (Vec<&'a InventoryLine>, PageStats) {
    let codes = f.search.as_deref().and_then(code_list);
    let needle = f.search.as_ref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let mut stats = PageStats::default();
    let mut rows: Vec<&InventoryLine> = lines.iter().filter(|l| keeps(f, &codes, &needle, l)).inspect(|l| count(&mut stats, l)).collect();
    let descending = f.descending && f.sort != Sort::RankVentas;
    rows.sort_by(|a, b| {
        let by_key = match (key(f.sort, a), key(f.sort, b)) {
            (Some(x), Some(y)) if descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_key.then_with(|| a.codigo_producto.cmp(&b.codigo_producto)).then_with(|| a.almacen_codigo.cmp(&b.almacen_codigo))
    });
    (rows, stats)
}

pub fn page<'a>(lines: &'a [InventoryLine], f: &Filter) -> Page<'a> {
    let (rows, estadisticas) = filtered(lines, f);
    let size = f.page_size.max(1);
    let total_pages = rows.len().div_ceil(size);
    let items = rows.into_iter().skip((f.page.max(1) - 1).saturating_mul(size)).take(size).collect();
    Page { items, page: f.page, page_size: f.page_size, total_pages, estadisticas }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_of_codes_matches_them_with_and_without_leading_zeros() {
        let codes = code_list("1853, 000101").unwrap();
        assert!(codes.contains(&"001853".to_string()) && codes.contains(&"1853".to_string()));
        assert!(codes.contains(&"000101".to_string()) && codes.contains(&"101".to_string()));
        assert_eq!(code_list("harina"), None, "free text is a substring search");
        assert_eq!(code_list("  "), None);
    }
}
