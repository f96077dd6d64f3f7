//! Administering substitutable product sets (spec 31 §5): codes as people type them resolved
//! to the product's own code, at least two members, manual shares between 0 and 100 that
//! together do not pass 100, a product in at most one active set. The engine reads the
//! active sets on every calculation (`domain::replenishment::substitutes`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::exclusions::resolve;
use super::{invalid, DistributionError};
use crate::appdb::substitutable_sets::{self as store, Refusal, Set, SetFields};
use crate::warehouse::Warehouse;

/// A set as the administrator sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRequest {
    pub nombre: String,
    #[serde(default)]
    pub descripcion: Option<String>,
    #[serde(default)]
    pub categoria: Option<String>,
    #[serde(default = "yes")]
    pub activo: bool,
    pub productos: Vec<MemberRequest>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub codigo_producto: String,
    #[serde(default)]
    pub share_manual: Option<f64>,
}

/// A member as the screen shows it: with the product's name.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub codigo_producto: String,
    pub descripcion_producto: Option<String>,
    pub share_manual: Option<f64>,
    pub activo: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SetView {
    #[serde(flatten)]
    pub set: Set,
    pub miembros: Vec<MemberView>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks the request and resolves its codes: `(canonical code, share)` per member.
fn members(wh: &Warehouse, r: &SetRequest) -> Result<Vec<(String, Option<f64>)>, DistributionError> {
    if r.nombre.trim().is_empty() || r.nombre.trim().chars().count() > 100 {
        return Err(invalid("nombre", "El nombre es obligatorio (máximo 100 caracteres)"));
    }
    if r.productos.len() < 2 {
        return Err(invalid("productos", "Un conjunto sustituible necesita al menos dos productos"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(r.productos.len());
    let mut manual = 0.0;
    for m in &r.productos {
        let typed = m.codigo_producto.trim();
        let product = resolve(wh, typed)?.ok_or_else(|| invalid("productos", format!("Producto {typed} no encontrado")))?;
        if !seen.insert(product.codigo.clone()) {
            return Err(invalid("productos", format!("El producto {} aparece dos veces", product.codigo)));
        }
        if let Some(s) = m.share_manual {
            if !s.is_finite() || !(0.0..=100.0).contains(&s) {
                return Err(invalid("productos", format!("La participación de {} debe estar entre 0 y 100 %", product.codigo)));
            }
            manual += s;
        }
        out.push((product.codigo, m.share_manual));
    }
    if manual > 100.0 + 1e-9 {
        return Err(invalid("productos", format!("Las participaciones manuales suman {manual:.1} %: no pueden pasar de 100 %")));
    }
    Ok(out)
}

fn refused(r: Refusal, id: Option<i64>) -> DistributionError {
    match r {
        Refusal::Missing => DistributionError::NotFound(format!("Conjunto {} no encontrado", id.unwrap_or_default())),
        Refusal::DuplicateName => invalid("nombre", "Ya existe un conjunto con ese nombre"),
        Refusal::InAnotherSet(code, other) => invalid(
            "productos",
            format!("El producto {code} ya está en el conjunto activo «{other}»: un producto pertenece a un solo conjunto"),
        ),
    }
}

fn view(wh: &Warehouse, set: Set) -> Result<SetView, DistributionError> {
    let reader = wh.reader().map_err(crate::replenishment::ReplenishmentError::from)?;
    let mut miembros = Vec::with_capacity(set.productos.len());
    for m in &set.productos {
        let p = crate::warehouse::products::get(&reader, &m.codigo_producto).map_err(|e| DistributionError::Replenishment(e.into()))?;
        miembros.push(MemberView {
            codigo_producto: m.codigo_producto.clone(),
            descripcion_producto: p.map(|p| p.descripcion),
            share_manual: m.share_manual,
            activo: m.activo,
        });
    }
    Ok(SetView { set, miembros })
}

pub fn list(app: &rusqlite::Connection, wh: &Warehouse) -> Result<Vec<SetView>, DistributionError> {
    store::list(app)?.into_iter().map(|s| view(wh, s)).collect()
}

pub fn get(app: &rusqlite::Connection, wh: &Warehouse, id: i64) -> Result<SetView, DistributionError> {
    let set = store::get(app, id)?.ok_or_else(|| refused(Refusal::Missing, Some(id)))?;
    view(wh, set)
}

pub fn create(app: &rusqlite::Connection, wh: &Warehouse, r: &SetRequest, user: &str) -> Result<SetView, DistributionError> {
    let m = members(wh, r)?;
    let f = SetFields { nombre: r.nombre.trim(), descripcion: blank(&r.descripcion), categoria: blank(&r.categoria), activo: r.activo };
    let id = store::create(app, &f, &m, user)?.map_err(|e| refused(e, None))?;
    get(app, wh, id)
}

pub fn update(app: &rusqlite::Connection, wh: &Warehouse, id: i64, r: &SetRequest) -> Result<SetView, DistributionError> {
    let m = members(wh, r)?;
    let f = SetFields { nombre: r.nombre.trim(), descripcion: blank(&r.descripcion), categoria: blank(&r.categoria), activo: r.activo };
    store::update(app, id, &f, &m)?.map_err(|e| refused(e, Some(id)))?;
    get(app, wh, id)
}

pub fn delete(app: &rusqlite::Connection, id: i64) -> Result<(), DistributionError> {
    match store::delete(app, id)? {
        true => Ok(()),
        false => Err(refused(Refusal::Missing, Some(id))),
    }
}
