//! Products a receiving CEDI never orders from another CEDI (spec 31 §4.2): added one by one
//! or pasted in bulk, with the code as people type it (leading zeros or not, §7.11) resolved to
//! the product's own code; a removed exclusion can be added again (D-3); a bulk add keeps every
//! item that succeeded and reports each one that did not.

use serde::Serialize;

use super::{invalid, DistributionError};
use crate::appdb::inter_cedi::{self as store, Added, NewExclusion, EXCLUSION_MOTIVES};
use crate::config::Tenant;
use crate::domain::distribution::inter_cedi::exclusion_code_variants;
use crate::warehouse::products::{self, ProductRow};
use crate::warehouse::Warehouse;

/// At most this many item errors are listed in a bulk result.
const MAX_LISTED_ERRORS: usize = 10;

fn check_destination(tenant: &Tenant, cedi: &str) -> Result<(), DistributionError> {
    match tenant.stores().iter().any(|s| s.id == cedi && s.active && s.is_cedi()) {
        true => Ok(()),
        false => Err(invalid("cedi_destino_id", format!("«{cedi}» no es un CEDI activo"))),
    }
}

fn check_motive(motivo: &str) -> Result<(), DistributionError> {
    match EXCLUSION_MOTIVES.contains(&motivo) {
        true => Ok(()),
        false => Err(invalid("motivo", format!("Motivo «{motivo}» desconocido ({})", EXCLUSION_MOTIVES.join(", ")))),
    }
}

/// The first product found under any variant of the typed code.
pub(super) fn resolve(wh: &Warehouse, typed: &str) -> Result<Option<ProductRow>, DistributionError> {
    let reader = wh.reader().map_err(crate::replenishment::ReplenishmentError::from)?;
    for v in exclusion_code_variants(typed) {
        if let Some(p) = products::get(&reader, &v).map_err(|e| DistributionError::Replenishment(e.into()))? {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

#[derive(Debug, Clone, Serialize)]
pub struct AddedExclusion {
    pub id: i64,
    pub codigo_producto: String,
    pub descripcion_producto: String,
    /// A removed exclusion of the product was active again.
    pub reactivada: bool,
}

/// One exclusion: 404 for an unknown code, refused when already excluded.
#[allow(clippy::too_many_arguments)] // the request's fields, named at the one call site
pub fn add(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    cedi: &str,
    codigo: &str,
    motivo: &str,
    observaciones: Option<&str>,
    user: &str,
) -> Result<AddedExclusion, DistributionError> {
    check_destination(tenant, cedi)?;
    check_motive(motivo)?;
    let p = resolve(wh, codigo)?.ok_or_else(|| DistributionError::NotFound(format!("Producto {} no encontrado", codigo.trim())))?;
    let new = NewExclusion {
        cedi_destino_id: cedi,
        codigo_producto: &p.codigo,
        cedi_origen_id: p.cedi_origen_id.as_deref(),
        descripcion_producto: Some(&p.descripcion),
        categoria: p.categoria.as_deref(),
        motivo,
        observaciones,
        user,
    };
    let (id, reactivada) = match store::add_exclusion(app, &new)? {
        Added::New(id) => (id, false),
        Added::Reactivated(id) => (id, true),
        Added::AlreadyExcluded => {
            return Err(invalid("codigo_producto", format!("El producto {} ya está excluido para este CEDI", p.codigo)));
        }
    };
    Ok(AddedExclusion { id, codigo_producto: p.codigo, descripcion_producto: p.descripcion, reactivada })
}

/// The result of a bulk add (§4.2).
#[derive(Debug, Clone, Serialize)]
pub struct BulkResult {
    pub total_recibidos: usize,
    pub exitosos: usize,
    pub duplicados: usize,
    pub no_encontrados: usize,
    pub codigos_no_encontrados: Vec<String>,
    /// At most 10 item errors.
    pub errores: Vec<String>,
}

/// Codes pasted in bulk (blank ones dropped first); each item is stored on its own.
#[allow(clippy::too_many_arguments)] // the request's fields, named at the one call site
pub fn add_bulk(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    cedi: &str,
    codigos: &[String],
    motivo: &str,
    observaciones: Option<&str>,
    user: &str,
) -> Result<BulkResult, DistributionError> {
    check_destination(tenant, cedi)?;
    check_motive(motivo)?;
    let codes: Vec<&str> = codigos.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    if codes.is_empty() {
        return Err(invalid("codigos_productos", "No se recibió ningún código"));
    }
    let mut r = BulkResult {
        total_recibidos: codes.len(),
        exitosos: 0,
        duplicados: 0,
        no_encontrados: 0,
        codigos_no_encontrados: Vec::new(),
        errores: Vec::new(),
    };
    for code in codes {
        match add(tenant, app, wh, cedi, code, motivo, observaciones, user) {
            Ok(_) => r.exitosos += 1,
            Err(DistributionError::NotFound(_)) => {
                r.no_encontrados += 1;
                r.codigos_no_encontrados.push(code.to_string());
            }
            Err(DistributionError::Validation { field: "codigo_producto", .. }) => r.duplicados += 1,
            Err(e) => {
                if r.errores.len() < MAX_LISTED_ERRORS {
                    r.errores.push(format!("{code}: {e}"));
                }
            }
        }
    }
    Ok(r)
}
