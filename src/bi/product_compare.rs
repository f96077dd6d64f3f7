//! Product comparison between stores (spec 40 §3.9): for 2–5 stores, the products sold
//! (ventas_30d > 0) in at least one of them over the 30 days ending `fin`, split into those
//! sold in exactly one (*únicos*), in all (*comunes*, with the spread of their sales) and in
//! some (*parciales*). Read from the BI product facts of the window (`bi::products`, kept
//! until the next warehouse write); the rules are in `domain::bi_abc`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::products::{store_facts, Window};
use super::stores::active_stores;
use super::BiError;
use crate::config::{Store, Tenant};
use crate::domain::bi_abc::{difference_pct, mean_where_sold, presence, Presence};
use crate::domain::sales::round_half_away;
use crate::warehouse::sales_summary as ws;
use crate::warehouse::Warehouse;

/// How many stores one comparison takes (§3.9).
pub const MIN_STORES: usize = 2;
pub const MAX_STORES: usize = 5;
/// Rows shown of each list (§3.9).
pub const TOP_UNICOS: usize = 50;
pub const TOP_COMUNES: usize = 100;
pub const TOP_PARCIALES: usize = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedStore {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    /// Products with ventas_30d > 0 at the store.
    pub productos_vendidos: usize,
    pub ventas_30d: f64,
    /// Of them, sold at none of the other stores compared.
    pub unicos: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UniqueProduct {
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub ubicacion_id: String,
    pub tienda: String,
    pub ventas_30d: f64,
    pub unidades_30d: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoreSales {
    pub ubicacion_id: String,
    pub ventas_30d: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommonProduct {
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    /// Each store's sales, in the request's order.
    pub ventas: Vec<StoreSales>,
    pub ventas_max: f64,
    pub ventas_min: f64,
    pub tienda_max: String,
    pub tienda_min: String,
    /// `(max − min) / min × 100`, 0 when min is 0.
    pub diferencia_pct: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartialProduct {
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    /// Mean ventas_30d over the stores where it sold.
    pub ventas_promedio: f64,
    pub ventas_total: f64,
    pub tiendas_con: Vec<String>,
    pub tiendas_sin: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub unicos: usize,
    pub comunes: usize,
    pub parciales: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductComparison {
    #[serde(flatten)]
    pub ventana: Window,
    /// In the request's order.
    pub tiendas: Vec<ComparedStore>,
    /// How many products of each kind (the lists show the top ones).
    pub totales: Counts,
    /// Top 50 by sales.
    pub unicos: Vec<UniqueProduct>,
    /// Top 100 by `diferencia_pct`.
    pub comunes: Vec<CommonProduct>,
    /// Top 50 by mean sales where sold.
    pub parciales: Vec<PartialProduct>,
    pub datos_al: Option<NaiveDate>,
}

#[derive(Default)]
struct Product {
    descripcion: String,
    categoria: Option<String>,
    ventas: Vec<f64>,
    unidades: Vec<f64>,
}

/// The stores asked for: 2–5 distinct active stores (else 422), each known (else 404).
fn stores_of<'t>(tenant: &'t Tenant, ids: &[String]) -> Result<Vec<&'t Store>, BiError> {
    if !(MIN_STORES..=MAX_STORES).contains(&ids.len()) {
        return Err(BiError::Invalid {
            field: "ubicacion_ids",
            message: format!("Elija entre {MIN_STORES} y {MAX_STORES} tiendas para comparar ({} indicadas)", ids.len()),
        });
    }
    let active = active_stores(tenant, None)?;
    let mut out: Vec<&Store> = Vec::new();
    for id in ids {
        let s = active.iter().find(|s| &s.id == id).ok_or_else(|| BiError::NotFound(format!("Tienda «{id}» no encontrada")))?;
        if out.iter().any(|x| x.id == s.id) {
            return Err(BiError::Invalid { field: "ubicacion_ids", message: format!("La tienda «{id}» está repetida") });
        }
        out.push(s);
    }
    Ok(out)
}

/// *Comparación de productos entre tiendas* (§3.9) over the 30 days ending `fin` (default yesterday).
pub fn compare_products(tenant: &Tenant, wh: &Warehouse, ids: &[String], fin: Option<NaiveDate>) -> Result<ProductComparison, BiError> {
    let stores = stores_of(tenant, ids)?;
    let n = stores.len();
    let (w, facts, _) = store_facts(tenant, wh, fin)?;
    let mut products: BTreeMap<&str, Product> = BTreeMap::new();
    for r in facts.iter() {
        let Some(i) = stores.iter().position(|s| s.id == r.ubicacion_id) else { continue };
        if r.ventas <= 0.0 {
            continue;
        }
        let p = products.entry(&r.producto_codigo).or_insert_with(|| Product {
            descripcion: r.descripcion.clone().unwrap_or_default(),
            categoria: r.categoria.clone(),
            ventas: vec![0.0; n],
            unidades: vec![0.0; n],
        });
        p.ventas[i] += r.ventas;
        p.unidades[i] += r.unidades;
    }
    let r2 = |v: f64| round_half_away(v, 2);
    let mut resumen: Vec<ComparedStore> = stores
        .iter()
        .map(|s| ComparedStore {
            ubicacion_id: s.id.clone(),
            nombre: s.name.clone(),
            region: s.region.clone(),
            productos_vendidos: 0,
            ventas_30d: 0.0,
            unicos: 0,
        })
        .collect();
    let (mut unicos, mut comunes, mut parciales) = (Vec::new(), Vec::new(), Vec::new());
    for (code, p) in &products {
        let sold: Vec<usize> = (0..n).filter(|&i| p.ventas[i] > 0.0).collect();
        for &i in &sold {
            resumen[i].productos_vendidos += 1;
            resumen[i].ventas_30d += p.ventas[i];
        }
        match presence(sold.len(), n) {
            None => {}
            Some(Presence::Unico) => {
                let i = sold[0];
                resumen[i].unicos += 1;
                unicos.push(UniqueProduct {
                    producto_codigo: code.to_string(),
                    descripcion: p.descripcion.clone(),
                    categoria: p.categoria.clone(),
                    ubicacion_id: stores[i].id.clone(),
                    tienda: stores[i].name.clone(),
                    ventas_30d: p.ventas[i],
                    unidades_30d: p.unidades[i],
                });
            }
            Some(Presence::Comun) => {
                // Highest and lowest; ties keep the first store asked for.
                let (mut hi, mut lo) = (0, 0);
                for i in 1..n {
                    if p.ventas[i] > p.ventas[hi] {
                        hi = i;
                    }
                    if p.ventas[i] < p.ventas[lo] {
                        lo = i;
                    }
                }
                comunes.push(CommonProduct {
                    producto_codigo: code.to_string(),
                    descripcion: p.descripcion.clone(),
                    categoria: p.categoria.clone(),
                    ventas: stores.iter().zip(&p.ventas).map(|(s, v)| StoreSales { ubicacion_id: s.id.clone(), ventas_30d: *v }).collect(),
                    ventas_max: p.ventas[hi],
                    ventas_min: p.ventas[lo],
                    tienda_max: stores[hi].id.clone(),
                    tienda_min: stores[lo].id.clone(),
                    diferencia_pct: difference_pct(p.ventas[hi], p.ventas[lo]),
                });
            }
            Some(Presence::Parcial) => parciales.push(PartialProduct {
                producto_codigo: code.to_string(),
                descripcion: p.descripcion.clone(),
                categoria: p.categoria.clone(),
                ventas_promedio: mean_where_sold(&p.ventas),
                ventas_total: p.ventas.iter().sum(),
                tiendas_con: sold.iter().map(|&i| stores[i].id.clone()).collect(),
                tiendas_sin: (0..n).filter(|i| !sold.contains(i)).map(|i| stores[i].id.clone()).collect(),
            }),
        }
    }
    let totales = Counts { unicos: unicos.len(), comunes: comunes.len(), parciales: parciales.len() };
    // Ties (equal keys) by product code, as the map iterates: sorts are stable.
    unicos.sort_by(|a, b| b.ventas_30d.total_cmp(&a.ventas_30d));
    comunes.sort_by(|a, b| b.diferencia_pct.total_cmp(&a.diferencia_pct));
    parciales.sort_by(|a, b| b.ventas_promedio.total_cmp(&a.ventas_promedio));
    let unicos = unicos
        .into_iter()
        .take(TOP_UNICOS)
        .map(|u| UniqueProduct { ventas_30d: r2(u.ventas_30d), unidades_30d: r2(u.unidades_30d), ..u })
        .collect();
    let comunes = comunes
        .into_iter()
        .take(TOP_COMUNES)
        .map(|c| CommonProduct {
            ventas: c.ventas.into_iter().map(|s| StoreSales { ventas_30d: r2(s.ventas_30d), ..s }).collect(),
            ventas_max: r2(c.ventas_max),
            ventas_min: r2(c.ventas_min),
            diferencia_pct: r2(c.diferencia_pct),
            ..c
        })
        .collect();
    let parciales = parciales
        .into_iter()
        .take(TOP_PARCIALES)
        .map(|p| PartialProduct { ventas_promedio: r2(p.ventas_promedio), ventas_total: r2(p.ventas_total), ..p })
        .collect();
    for s in &mut resumen {
        s.ventas_30d = r2(s.ventas_30d);
    }
    let reader = wh.reader()?;
    let scope: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    Ok(ProductComparison {
        ventana: w,
        tiendas: resumen,
        totales,
        unicos,
        comunes,
        parciales,
        datos_al: ws::last_sale_day(&reader, &scope)?,
    })
}
