//! *Clasificación ABC* and *Matriz ABC-XYZ* (spec 30 §5, 50 §9.3): the classification
//! caches (per store, or the whole chain) as distributions, the 4 × 3 matrix and the
//! products of a cell. XYZ is informational: it never changes a quantity.

use serde::Serialize;

use crate::domain::replenishment::{abc_xyz_matrix, AbcClass, AbcXyzMatrix, MatrixItem, XyzClass};
use crate::warehouse::products::{self as wp, ClassifiedRow};
use crate::warehouse::Warehouse;

#[derive(Debug, Serialize)]
pub struct Share {
    pub clase: &'static str,
    pub productos: u64,
    pub pct_productos: f64,
    pub pct_valor: f64,
}

#[derive(Debug, Serialize)]
pub struct Classes {
    pub ubicacion_id: Option<String>,
    pub abc: Vec<Share>,
    /// `None` when the tenant has not turned on the XYZ analysis.
    pub xyz: Option<Vec<Share>>,
    pub matriz: Option<AbcXyzMatrix>,
}

fn xyz(row: &ClassifiedRow) -> Option<XyzClass> {
    XyzClass::ALL.into_iter().find(|x| row.clase_xyz.as_deref() == Some(x.as_str()))
}

pub fn classes(wh: &Warehouse, store: Option<&str>, with_xyz: bool) -> Result<Classes, crate::warehouse::WarehouseError> {
    let rows = wp::classified(&*wh.reader()?, store)?;
    let items: Vec<MatrixItem> = rows
        .iter()
        .filter_map(|r| AbcClass::parse(&r.clase_abc).map(|c| MatrixItem { clase_abc: c, clase_xyz: xyz(r), valor: r.venta_30d }))
        .collect();
    let m = abc_xyz_matrix(&items);
    let sum = |keep: &dyn Fn(&crate::domain::replenishment::MatrixCell) -> bool| {
        m.celdas.iter().filter(|c| keep(c)).fold((0u64, 0.0, 0.0), |(n, p, v), c| (n + c.productos, p + c.pct_productos, v + c.pct_valor))
    };
    let round = |x: f64| crate::domain::sales::round_half_away(x, 2);
    let abc = AbcClass::ALL
        .iter()
        .map(|a| {
            let (n, p, v) = sum(&|c| c.clase_abc == *a);
            Share { clase: a.as_str(), productos: n, pct_productos: round(p), pct_valor: round(v) }
        })
        .collect();
    let xyz_shares = XyzClass::ALL
        .iter()
        .map(|x| {
            let (n, p, v) = sum(&|c| c.clase_xyz == *x);
            Share { clase: x.as_str(), productos: n, pct_productos: round(p), pct_valor: round(v) }
        })
        .collect();
    Ok(Classes { ubicacion_id: store.map(str::to_string), abc, xyz: with_xyz.then_some(xyz_shares), matriz: with_xyz.then_some(m) })
}

#[derive(Debug, Serialize)]
pub struct CellPage {
    pub total: usize,
    pub productos: Vec<ClassifiedRow>,
}

/// The products of class `abc` (and `xyz`, undetermined counted as Y), by value rank.
pub fn cell(
    wh: &Warehouse,
    store: Option<&str>,
    abc: AbcClass,
    xyz_class: Option<XyzClass>,
    page: usize,
    size: usize,
) -> Result<CellPage, crate::warehouse::WarehouseError> {
    let rows = wp::classified(&*wh.reader()?, store)?;
    let kept: Vec<ClassifiedRow> = rows
        .into_iter()
        .filter(|r| AbcClass::parse(&r.clase_abc) == Some(abc))
        .filter(|r| xyz_class.is_none_or(|x| xyz(r).unwrap_or(XyzClass::Y) == x))
        .collect();
    let total = kept.len();
    Ok(CellPage { total, productos: kept.into_iter().skip((page - 1) * size).take(size).collect() })
}
