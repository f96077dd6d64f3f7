//! Inventory parameters (spec 30 §14) as the replenishment engine reads them, and their
//! validated updates. Global knobs live in `config_inventario_global`, per-class levels in
//! `parametros_clasificacion`, store overrides in `config_parametros_abc_tienda`, category
//! coverage in `config_cobertura_categoria`, per-product limits in
//! `capacidad_almacenamiento_producto`, exclusions in `productos_excluidos_tienda`.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{now_rfc3339, Result};
use crate::config::{StoreParams, TenantFile};
use crate::domain::replenishment::{
    AbcModel, AbcThresholds, CategoryOverride, EngineSettings, GlobalParams, ParamConfig, PerClass, StorageLimits, StoreOverride,
};

/// Bag product excluded from ABC rankings by default (spec 10 §9).
pub const DEFAULT_ABC_EXCLUDED: &str = "003760";

/// A rejected setting, named by its field, with a Spanish message for the UI.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(field: &str, message: impl Into<String>) -> Invalid {
    Invalid { field: field.into(), message: message.into() }
}

fn global_num(conn: &Connection, categoria: &str, parametro: &str) -> Result<Option<f64>> {
    Ok(conn
        .query_row(
            "SELECT valor_numerico FROM config_inventario_global WHERE categoria = ?1 AND parametro = ?2",
            [categoria, parametro],
            |r| r.get::<_, Option<f64>>(0),
        )
        .optional()?
        .flatten())
}

fn global_text(conn: &Connection, categoria: &str, parametro: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT valor_texto FROM config_inventario_global WHERE categoria = ?1 AND parametro = ?2",
            [categoria, parametro],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

fn set_global_value(conn: &Connection, categoria: &str, parametro: &str, num: Option<f64>, text: Option<&str>, by: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO config_inventario_global (categoria, parametro, valor_numerico, valor_texto, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (categoria, parametro) DO UPDATE SET valor_numerico = excluded.valor_numerico,
             valor_texto = excluded.valor_texto, actualizado_por = excluded.actualizado_por, actualizado_en = excluded.actualizado_en",
        params![categoria, parametro, num, text, by, now_rfc3339()],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbcSettings {
    pub modelo_activo: AbcModel,
    pub umbrales: AbcThresholds,
    pub ventana_dias: u32,
    pub codigos_excluidos: Vec<String>,
}

pub fn abc_settings(conn: &Connection) -> Result<AbcSettings> {
    let d = AbcThresholds::default();
    let int = |k: &str, default: u32| -> Result<u32> {
        Ok(global_num(conn, "abc", k)?.filter(|v| *v >= 1.0).map(|v| v as u32).unwrap_or(default))
    };
    let excluded: Option<String> = conn
        .query_row("SELECT valor FROM config_generadores_trafico WHERE clave = 'producto_excluido_bolsas'", [], |r| r.get(0))
        .optional()?;
    Ok(AbcSettings {
        modelo_activo: global_text(conn, "abc", "abc_modelo_activo")?.and_then(|m| AbcModel::parse(&m)).unwrap_or_default(),
        umbrales: AbcThresholds {
            umbral_a: int("abc_umbral_a", d.umbral_a)?,
            umbral_b: int("abc_umbral_b", d.umbral_b)?,
            umbral_c: int("abc_umbral_c", d.umbral_c)?,
            pareto_a_pct: global_num(conn, "abc", "pareto_umbral_a_pct")?.unwrap_or(d.pareto_a_pct),
            pareto_b_pct: global_num(conn, "abc", "pareto_umbral_b_pct")?.unwrap_or(d.pareto_b_pct),
        },
        ventana_dias: int("abc_ventana_dias", 30)?,
        codigos_excluidos: excluded
            .unwrap_or_else(|| DEFAULT_ABC_EXCLUDED.into())
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
    })
}

pub fn engine_settings(conn: &Connection) -> Result<EngineSettings> {
    Ok(EngineSettings { limitar_por_stock_cedi: global_num(conn, "pedidos", "limitar_por_stock_cedi")?.is_none_or(|v| v != 0.0) })
}

fn per_class<T>(f: impl Fn(&str) -> T) -> PerClass<T> {
    PerClass { a: f("A"), b: f("B"), c: f("C"), d: f("D") }
}

/// The order life-cycle knobs of spec 30 §14.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrderSettings {
    /// Submitting leaves an order pending approval (else it is approved at once).
    pub requiere_aprobacion: bool,
    /// Orders older than this are no longer counted in transit.
    pub transito_ventana_dias: u32,
    /// A line arrived complete at this share of its ordered packs.
    pub llegada_completa_pct: f64,
}

pub fn order_settings(conn: &Connection) -> Result<OrderSettings> {
    use crate::domain::orders::DEFAULT_ARRIVAL_COMPLETE_PCT;
    use crate::domain::replenishment::transit::DEFAULT_TRANSIT_WINDOW_DAYS;
    Ok(OrderSettings {
        requiere_aprobacion: global_num(conn, "pedidos", "requiere_aprobacion")?.is_none_or(|v| v != 0.0),
        transito_ventana_dias: global_num(conn, "pedidos", "transito_ventana_dias")?
            .filter(|v| *v >= 1.0)
            .map_or(DEFAULT_TRANSIT_WINDOW_DAYS, |v| v as u32),
        llegada_completa_pct: global_num(conn, "pedidos", "llegada_completa_pct")?
            .filter(|v| *v > 0.0 && *v <= 100.0)
            .unwrap_or(DEFAULT_ARRIVAL_COMPLETE_PCT),
    })
}

/// The DPD+U settings (spec 31 §2.6); the seeded defaults when a row is missing.
pub fn dpdu_settings(conn: &Connection) -> Result<crate::domain::distribution::DpduSettings> {
    let d = crate::domain::distribution::DpduSettings::default();
    Ok(crate::domain::distribution::DpduSettings {
        peso_demanda: global_num(conn, "dpdu", "dpdu_peso_demanda")?.unwrap_or(d.peso_demanda),
        peso_urgencia: global_num(conn, "dpdu", "dpdu_peso_urgencia")?.unwrap_or(d.peso_urgencia),
        dias_minimo_urgencia: global_num(conn, "dpdu", "dpdu_dias_minimo_urgencia")?.unwrap_or(d.dias_minimo_urgencia),
    })
}

/// Stores validated DPD+U settings (super-admin form). The minimum days keep one decimal.
pub fn set_dpdu_settings(conn: &Connection, s: &crate::domain::distribution::DpduSettings, by: &str) -> Result<Result<(), Invalid>> {
    if let Err((field, message)) = s.validate() {
        return Ok(Err(invalid(field, message)));
    }
    let tx = conn.unchecked_transaction()?;
    set_global_value(&tx, "dpdu", "dpdu_peso_demanda", Some(s.peso_demanda), None, by)?;
    set_global_value(&tx, "dpdu", "dpdu_peso_urgencia", Some(s.peso_urgencia), None, by)?;
    set_global_value(&tx, "dpdu", "dpdu_dias_minimo_urgencia", Some((s.dias_minimo_urgencia * 10.0).round() / 10.0), None, by)?;
    tx.commit()?;
    Ok(Ok(()))
}

/// The global level of the parameters (the same for every store; the demand windows live here).
pub fn global_params(conn: &Connection) -> Result<GlobalParams> {
    let mut levels: HashMap<String, (Option<f64>, Option<f64>)> = HashMap::new();
    let mut stmt = conn.prepare("SELECT clasificacion, factor_seguridad, dias_cobertura_max FROM parametros_clasificacion")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<f64>>(1)?, r.get::<_, Option<f64>>(2)?)))? {
        let (c, z, cov) = row?;
        levels.insert(c, (z, cov));
    }
    Ok(GlobalParams {
        lead_time: global_num(conn, "inventario", "lead_time")?,
        cobertura_dias: per_class(|c| levels.get(c).and_then(|l| l.1)),
        z: per_class(|c| levels.get(c).and_then(|l| l.0)),
        ventana_sigma_d: global_num(conn, "inventario", "ventana_sigma_d")?.map(|v| v as u32),
        ventana_demanda_dias: global_num(conn, "inventario", "ventana_demanda_dias")?.map(|v| v as u32),
    })
}

/// Everything parameter resolution needs for one destination store.
pub fn param_config(conn: &Connection, store_id: &str) -> Result<ParamConfig> {
    let global = global_params(conn)?;
    let tienda = conn
        .query_row(
            "SELECT lead_time_override, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c, dias_cobertura_d
             FROM config_parametros_abc_tienda WHERE tienda_id = ?1 AND activo = 1",
            [store_id],
            |r| {
                Ok(StoreOverride {
                    lead_time_override: r.get(0)?,
                    cobertura_dias: PerClass { a: r.get(1)?, b: r.get(2)?, c: r.get(3)?, d: r.get(4)? },
                })
            },
        )
        .optional()?;
    let mut stmt = conn.prepare(
        "SELECT categoria_normalizada, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c, dias_cobertura_d
         FROM config_cobertura_categoria WHERE activo = 1 ORDER BY categoria_normalizada",
    )?;
    let categorias = stmt
        .query_map([], |r| {
            Ok(CategoryOverride {
                categoria: r.get(0)?,
                cobertura_dias: PerClass { a: r.get(1)?, b: r.get(2)?, c: r.get(3)?, d: r.get(4)? },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ParamConfig { global, tienda, categorias })
}

pub fn storage_limits(conn: &Connection, store_id: &str) -> Result<HashMap<String, StorageLimits>> {
    let mut stmt = conn.prepare(
        "SELECT producto_codigo, capacidad_maxima_unidades, minimo_exhibicion_unidades, tipo_restriccion, notas
         FROM capacidad_almacenamiento_producto WHERE tienda_id = ?1 AND activo = 1",
    )?;
    let rows = stmt.query_map([store_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StorageLimits { capacidad_maxima: r.get(1)?, minimo_exhibicion: r.get(2)?, tipo_restriccion: r.get(3)?, notas: r.get(4)? },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn exclusions(conn: &Connection, store_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT codigo_producto FROM productos_excluidos_tienda WHERE tienda_id = ?1 AND activo = 1 ORDER BY 1")?;
    let rows = stmt.query_map([store_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Atypical days of a location: its own plus those declared for every location.
pub fn atypical_days(conn: &Connection, store_id: &str) -> Result<Vec<NaiveDate>> {
    let mut stmt =
        conn.prepare("SELECT fecha FROM dias_excluidos_ventas WHERE ubicacion_id = ?1 OR ubicacion_id IS NULL ORDER BY fecha")?;
    let rows = stmt.query_map([store_id], |r| r.get::<_, String>(0))?;
    Ok(rows.filter_map(|d| d.ok().and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())).collect())
}

/// Every store's atypical days (and the network's), as one comparable text.
pub fn atypical_days_key(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare_cached("SELECT coalesce(ubicacion_id, '*') || ':' || fecha FROM dias_excluidos_ventas ORDER BY 1")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(","))
}

/// Who wrote the override rows seeded from tenant.toml (`actualizado_por`).
pub const SEED_AUTHOR: &str = "tenant.toml";

/// The override row a `[stores.params]` seed stands for (coverage days are whole days in
/// the table, so they are rounded the same way here).
pub fn seed_override(p: &StoreParams) -> StoreOverride {
    let cov = |k: &str| p.cobertura_dias.as_ref().and_then(|m| m.get(k)).map(|v| v.round());
    StoreOverride { lead_time_override: p.lead_time_days, cobertura_dias: PerClass { a: cov("a"), b: cov("b"), c: cov("c"), d: cov("d") } }
}

/// `[stores.params]` of tenant.toml seed a store's override once; edits made in the UI win.
pub fn seed_store_params(conn: &Connection, file: &TenantFile) -> Result<()> {
    for s in &file.stores {
        let Some(p) = &s.params else { continue };
        let o = seed_override(p);
        let cov = |v: Option<f64>| v.map(|d| d as i64);
        let c = o.cobertura_dias;
        conn.execute(
            "INSERT OR IGNORE INTO config_parametros_abc_tienda
                 (tienda_id, lead_time_override, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c, dias_cobertura_d,
                  actualizado_por, actualizado_en)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![s.id, o.lead_time_override, cov(c.a), cov(c.b), cov(c.c), cov(c.d), SEED_AUTHOR, now_rfc3339()],
        )?;
    }
    Ok(())
}

/// Who last wrote a location's active override row ([`SEED_AUTHOR`] for the tenant.toml
/// seed, else the user); `None` when the location has no active row or no author.
pub fn store_params_author(conn: &Connection, store_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT actualizado_por FROM config_parametros_abc_tienda WHERE tienda_id = ?1 AND activo = 1", [store_id], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten())
}

// ---- updates (validated) ------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GlobalUpdate {
    pub lead_time: Option<f64>,
    pub ventana_sigma_d: Option<f64>,
    pub ventana_demanda_dias: Option<f64>,
    pub abc_ventana_dias: Option<f64>,
    pub limitar_por_stock_cedi: Option<bool>,
    pub transito_ventana_dias: Option<f64>,
    pub requiere_aprobacion: Option<bool>,
}

pub fn update_globals(conn: &Connection, u: &GlobalUpdate, by: &str) -> Result<Result<(), Invalid>> {
    /// (category, key, new value, minimum, maximum, integer only)
    type Check<'a> = (&'a str, &'a str, Option<f64>, f64, f64, bool);
    let checks: [Check<'_>; 5] = [
        ("inventario", "lead_time", u.lead_time, 0.0, 60.0, false),
        ("inventario", "ventana_sigma_d", u.ventana_sigma_d, 2.0, 365.0, true),
        ("inventario", "ventana_demanda_dias", u.ventana_demanda_dias, 1.0, 365.0, true),
        ("abc", "abc_ventana_dias", u.abc_ventana_dias, 1.0, 365.0, true),
        ("pedidos", "transito_ventana_dias", u.transito_ventana_dias, 1.0, 90.0, true),
    ];
    for (_, key, v, min, max, integer) in &checks {
        if let Some(v) = v {
            let in_range = if *key == "lead_time" { *v > *min && *v <= *max } else { *v >= *min && *v <= *max };
            if !v.is_finite() || !in_range || (*integer && v.fract() != 0.0) {
                let kind = if *integer { "un entero" } else { "un número" };
                return Ok(Err(invalid(key, format!("{key} debe ser {kind} entre {min} y {max}"))));
            }
        }
    }
    for (cat, key, v, ..) in &checks {
        if let Some(v) = v {
            set_global_value(conn, cat, key, Some(*v), None, by)?;
        }
    }
    if let Some(b) = u.limitar_por_stock_cedi {
        set_global_value(conn, "pedidos", "limitar_por_stock_cedi", Some(if b { 1.0 } else { 0.0 }), None, by)?;
    }
    if let Some(b) = u.requiere_aprobacion {
        set_global_value(conn, "pedidos", "requiere_aprobacion", Some(if b { 1.0 } else { 0.0 }), None, by)?;
    }
    Ok(Ok(()))
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClassLevel {
    pub clase: String,
    /// Z score; or `nivel_servicio_pct`, converted with the table of spec 30 §14.
    pub z: Option<f64>,
    pub nivel_servicio_pct: Option<f64>,
    pub dias_cobertura: Option<f64>,
}

pub fn update_levels(conn: &Connection, levels: &[ClassLevel], by: &str) -> Result<Result<(), Invalid>> {
    for l in levels {
        if !["A", "B", "C", "D"].contains(&l.clase.as_str()) {
            return Ok(Err(invalid("clase", format!("Clase «{}» no válida (A, B, C o D)", l.clase))));
        }
        if let Some(z) = l.z {
            if !(0.0..=5.0).contains(&z) {
                return Ok(Err(invalid("z", "Z debe estar entre 0 y 5")));
            }
        }
        if let Some(p) = l.nivel_servicio_pct {
            if !(50.0..=99.99).contains(&p) {
                return Ok(Err(invalid("nivel_servicio_pct", "El nivel de servicio debe estar entre 50 y 99,99 %")));
            }
        }
        if let Some(d) = l.dias_cobertura {
            if !(0.0..=365.0).contains(&d) || d.fract() != 0.0 {
                return Ok(Err(invalid("dias_cobertura", "Los días de cobertura deben ser un entero entre 0 y 365")));
            }
        }
    }
    for l in levels {
        let z = l.z.or(l.nivel_servicio_pct.map(crate::domain::replenishment::parameters::z_from_service_level));
        conn.execute(
            "UPDATE parametros_clasificacion SET factor_seguridad = coalesce(?2, factor_seguridad),
                 nivel_servicio_pct = coalesce(?3, nivel_servicio_pct), dias_cobertura_max = coalesce(?4, dias_cobertura_max),
                 actualizado_por = ?5, actualizado_en = ?6 WHERE clasificacion = ?1",
            params![l.clase, z, l.nivel_servicio_pct, l.dias_cobertura.map(|d| d as i64), by, now_rfc3339()],
        )?;
    }
    Ok(Ok(()))
}

pub fn update_thresholds(conn: &Connection, a: u32, b: u32, c: u32, by: &str) -> Result<Result<(), Invalid>> {
    if !(0 < a && a < b && b < c) {
        return Ok(Err(invalid("umbral_a", "Los umbrales deben cumplir 0 < A < B < C")));
    }
    for (k, v) in [("abc_umbral_a", a), ("abc_umbral_b", b), ("abc_umbral_c", c)] {
        set_global_value(conn, "abc", k, Some(f64::from(v)), None, by)?;
    }
    Ok(Ok(()))
}

pub fn update_pareto(conn: &Connection, a: f64, b: f64, by: &str) -> Result<Result<(), Invalid>> {
    if !(0.0 < a && a < b && b <= 100.0) {
        return Ok(Err(invalid("pareto_a_pct", "Los umbrales Pareto deben cumplir 0 < A < B ≤ 100")));
    }
    set_global_value(conn, "abc", "pareto_umbral_a_pct", Some(a), None, by)?;
    set_global_value(conn, "abc", "pareto_umbral_b_pct", Some(b), None, by)?;
    Ok(Ok(()))
}

pub fn set_active_model(conn: &Connection, model: AbcModel, by: &str) -> Result<()> {
    set_global_value(conn, "abc", "abc_modelo_activo", None, Some(model.id()), by)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct StoreParamsUpdate {
    pub lead_time_override: Option<f64>,
    pub dias_cobertura_a: Option<i64>,
    pub dias_cobertura_b: Option<i64>,
    pub dias_cobertura_c: Option<i64>,
    pub dias_cobertura_d: Option<i64>,
}

/// Upserts a store override. `None` fields are "not overridden"; 0 is a real 0.
pub fn upsert_store_params(conn: &Connection, store_id: &str, u: &StoreParamsUpdate, by: &str) -> Result<Result<(), Invalid>> {
    if let Some(l) = u.lead_time_override {
        if !(l > 0.0 && l <= 60.0) {
            return Ok(Err(invalid("lead_time_override", "El lead time debe ser mayor que 0 y hasta 60 días")));
        }
    }
    for (k, v) in [
        ("dias_cobertura_a", u.dias_cobertura_a),
        ("dias_cobertura_b", u.dias_cobertura_b),
        ("dias_cobertura_c", u.dias_cobertura_c),
        ("dias_cobertura_d", u.dias_cobertura_d),
    ] {
        if v.is_some_and(|d| !(0..=365).contains(&d)) {
            return Ok(Err(invalid(k, "Los días de cobertura deben estar entre 0 y 365")));
        }
    }
    conn.execute(
        "INSERT INTO config_parametros_abc_tienda (tienda_id, lead_time_override, dias_cobertura_a, dias_cobertura_b,
             dias_cobertura_c, dias_cobertura_d, activo, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8)
         ON CONFLICT (tienda_id) DO UPDATE SET lead_time_override = excluded.lead_time_override,
             dias_cobertura_a = excluded.dias_cobertura_a, dias_cobertura_b = excluded.dias_cobertura_b,
             dias_cobertura_c = excluded.dias_cobertura_c, dias_cobertura_d = excluded.dias_cobertura_d, activo = 1,
             actualizado_por = excluded.actualizado_por, actualizado_en = excluded.actualizado_en",
        params![
            store_id,
            u.lead_time_override,
            u.dias_cobertura_a,
            u.dias_cobertura_b,
            u.dias_cobertura_c,
            u.dias_cobertura_d,
            by,
            now_rfc3339()
        ],
    )?;
    Ok(Ok(()))
}

pub fn deactivate_store_params(conn: &Connection, store_id: &str, by: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE config_parametros_abc_tienda SET activo = 0, actualizado_por = ?2, actualizado_en = ?3 WHERE tienda_id = ?1",
        params![store_id, by, now_rfc3339()],
    )? > 0)
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategoryCoverage {
    pub categoria: String,
    pub dias_cobertura_a: Option<i64>,
    pub dias_cobertura_b: Option<i64>,
    pub dias_cobertura_c: Option<i64>,
    pub dias_cobertura_d: Option<i64>,
    #[serde(default)]
    pub es_perecedero: bool,
    pub descripcion: Option<String>,
}

/// Id of a category row: lower-case name, spaces → `_`, dots removed.
pub fn category_id(name: &str) -> String {
    name.trim().to_lowercase().replace(' ', "_").replace('.', "")
}

pub fn upsert_category(conn: &Connection, c: &CategoryCoverage, by: &str) -> Result<Result<String, Invalid>> {
    if c.categoria.trim().is_empty() {
        return Ok(Err(invalid("categoria", "Indique la categoría")));
    }
    for v in [c.dias_cobertura_a, c.dias_cobertura_b, c.dias_cobertura_c, c.dias_cobertura_d].into_iter().flatten() {
        if !(0..=365).contains(&v) {
            return Ok(Err(invalid("dias_cobertura", "Los días de cobertura deben estar entre 0 y 365")));
        }
    }
    let id = category_id(&c.categoria);
    conn.execute(
        "INSERT INTO config_cobertura_categoria (id, categoria, categoria_normalizada, dias_cobertura_a, dias_cobertura_b,
             dias_cobertura_c, dias_cobertura_d, es_perecedero, descripcion, activo, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, coalesce(?4, 7), coalesce(?5, 14), coalesce(?6, 21), coalesce(?7, 30), ?8, ?9, 1, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET categoria = excluded.categoria, dias_cobertura_a = excluded.dias_cobertura_a,
             dias_cobertura_b = excluded.dias_cobertura_b, dias_cobertura_c = excluded.dias_cobertura_c,
             dias_cobertura_d = excluded.dias_cobertura_d, es_perecedero = excluded.es_perecedero,
             descripcion = excluded.descripcion, activo = 1, actualizado_por = excluded.actualizado_por,
             actualizado_en = excluded.actualizado_en",
        params![
            id,
            c.categoria.trim(),
            c.categoria.trim().to_uppercase(),
            c.dias_cobertura_a,
            c.dias_cobertura_b,
            c.dias_cobertura_c,
            c.dias_cobertura_d,
            c.es_perecedero,
            c.descripcion,
            by,
            now_rfc3339()
        ],
    )?;
    Ok(Ok(id))
}

pub fn deactivate_category(conn: &Connection, id: &str, by: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE config_cobertura_categoria SET activo = 0, actualizado_por = ?2, actualizado_en = ?3 WHERE id = ?1",
        params![id, by, now_rfc3339()],
    )? > 0)
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CapacityLimit {
    pub tienda_id: String,
    pub producto_codigo: String,
    pub capacidad_maxima_unidades: Option<f64>,
    pub minimo_exhibicion_unidades: Option<f64>,
    pub tipo_restriccion: Option<String>,
    pub notas: Option<String>,
}

const RESTRICTION_KINDS: &[&str] = &["congelador", "refrigerador", "anaquel", "piso", "exhibidor", "espacio_fisico", "custom"];

pub fn upsert_capacity(conn: &Connection, c: &CapacityLimit, by: &str) -> Result<Result<String, Invalid>> {
    if c.capacidad_maxima_unidades.is_none() && c.minimo_exhibicion_unidades.is_none() {
        return Ok(Err(invalid("capacidad_maxima_unidades", "Indique una capacidad máxima o un mínimo de exhibición")));
    }
    for (k, v) in [("capacidad_maxima_unidades", c.capacidad_maxima_unidades), ("minimo_exhibicion_unidades", c.minimo_exhibicion_unidades)]
    {
        if v.is_some_and(|x| !(x.is_finite() && x > 0.0)) {
            return Ok(Err(invalid(k, "El valor debe ser mayor que 0")));
        }
    }
    let tipo = c.tipo_restriccion.clone().unwrap_or_else(|| "espacio_fisico".into());
    if !RESTRICTION_KINDS.contains(&tipo.as_str()) {
        return Ok(Err(invalid("tipo_restriccion", format!("Tipo «{tipo}» no válido: {}", RESTRICTION_KINDS.join(", ")))));
    }
    conn.execute(
        "INSERT INTO capacidad_almacenamiento_producto (tienda_id, producto_codigo, capacidad_maxima_unidades,
             minimo_exhibicion_unidades, tipo_restriccion, notas, activo, creado_por, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?8)
         ON CONFLICT (tienda_id, producto_codigo) DO UPDATE SET capacidad_maxima_unidades = excluded.capacidad_maxima_unidades,
             minimo_exhibicion_unidades = excluded.minimo_exhibicion_unidades, tipo_restriccion = excluded.tipo_restriccion,
             notas = excluded.notas, activo = 1, updated_at = excluded.updated_at",
        params![
            c.tienda_id,
            c.producto_codigo,
            c.capacidad_maxima_unidades,
            c.minimo_exhibicion_unidades,
            tipo,
            c.notas,
            by,
            now_rfc3339()
        ],
    )?;
    Ok(Ok(format!("{}_{}", c.tienda_id, c.producto_codigo)))
}

pub fn deactivate_capacity(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .execute("UPDATE capacidad_almacenamiento_producto SET activo = 0, updated_at = ?2 WHERE id = ?1", params![id, now_rfc3339()])?
        > 0)
}

/// Active limits, optionally of one store and/or one product.
pub fn list_capacity(conn: &Connection, store_id: Option<&str>) -> Result<Vec<CapacityLimit>> {
    capacity_where(conn, store_id, None)
}

pub fn capacity_of_product(conn: &Connection, code: &str) -> Result<Vec<CapacityLimit>> {
    capacity_where(conn, None, Some(code))
}

fn capacity_where(conn: &Connection, store_id: Option<&str>, code: Option<&str>) -> Result<Vec<CapacityLimit>> {
    let mut stmt = conn.prepare(
        "SELECT tienda_id, producto_codigo, capacidad_maxima_unidades, minimo_exhibicion_unidades, tipo_restriccion, notas
         FROM capacidad_almacenamiento_producto
         WHERE activo = 1 AND (?1 IS NULL OR tienda_id = ?1) AND (?2 IS NULL OR producto_codigo = ?2)
         ORDER BY tienda_id, producto_codigo",
    )?;
    let rows = stmt.query_map(params![store_id, code], |r| {
        Ok(CapacityLimit {
            tienda_id: r.get("tienda_id")?,
            producto_codigo: r.get("producto_codigo")?,
            capacidad_maxima_unidades: r.get("capacidad_maxima_unidades")?,
            minimo_exhibicion_unidades: r.get("minimo_exhibicion_unidades")?,
            tipo_restriccion: r.get("tipo_restriccion")?,
            notas: r.get("notas")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One row of `config_cobertura_categoria`.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryRow {
    pub id: String,
    pub categoria: String,
    pub dias_cobertura_a: i64,
    pub dias_cobertura_b: i64,
    pub dias_cobertura_c: i64,
    pub dias_cobertura_d: i64,
    pub es_perecedero: bool,
    pub descripcion: Option<String>,
    pub actualizado_por: Option<String>,
    pub actualizado_en: String,
}

/// Active category coverage overrides, by name.
pub fn list_categories(conn: &Connection) -> Result<Vec<CategoryRow>> {
    let mut stmt = conn.prepare("SELECT * FROM config_cobertura_categoria WHERE activo = 1 ORDER BY categoria")?;
    let rows = stmt.query_map([], |r| {
        Ok(CategoryRow {
            id: r.get("id")?,
            categoria: r.get("categoria")?,
            dias_cobertura_a: r.get("dias_cobertura_a")?,
            dias_cobertura_b: r.get("dias_cobertura_b")?,
            dias_cobertura_c: r.get("dias_cobertura_c")?,
            dias_cobertura_d: r.get("dias_cobertura_d")?,
            es_perecedero: r.get("es_perecedero")?,
            descripcion: r.get("descripcion")?,
            actualizado_por: r.get("actualizado_por")?,
            actualizado_en: r.get("actualizado_en")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub const EXCLUSION_REASONS: &[&str] = &["MANUAL", "DESCONTINUADO", "NO_VENDE", "OTRO"];

pub fn exclude_product(
    conn: &Connection,
    store_id: &str,
    code: &str,
    motivo: &str,
    observaciones: Option<&str>,
    by: &str,
) -> Result<Result<(), Invalid>> {
    if !EXCLUSION_REASONS.contains(&motivo) {
        return Ok(Err(invalid("motivo", format!("Motivo «{motivo}» no válido: {}", EXCLUSION_REASONS.join(", ")))));
    }
    if code.trim().is_empty() {
        return Ok(Err(invalid("codigo_producto", "Indique el código del producto")));
    }
    conn.execute(
        "INSERT INTO productos_excluidos_tienda (tienda_id, codigo_producto, motivo, observaciones, creado_por, fecha_creacion, activo)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
         ON CONFLICT (tienda_id, codigo_producto) DO UPDATE SET motivo = excluded.motivo,
             observaciones = excluded.observaciones, creado_por = excluded.creado_por, activo = 1",
        params![store_id, code.trim(), motivo, observaciones, by, now_rfc3339()],
    )?;
    Ok(Ok(()))
}

pub fn include_product(conn: &Connection, store_id: &str, code: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE productos_excluidos_tienda SET activo = 0 WHERE tienda_id = ?1 AND codigo_producto = ?2 AND activo = 1",
        params![store_id, code],
    )? > 0)
}

/// A product excluded from a store's orders (fields in alphabetical order: the order
/// `GET /api/productos-excluidos/{id}` has always answered them in).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Exclusion {
    pub codigo_producto: String,
    pub creado_por: Option<String>,
    pub fecha_creacion: String,
    pub motivo: String,
    pub observaciones: Option<String>,
}

pub fn list_exclusions(conn: &Connection, store_id: &str) -> Result<Vec<Exclusion>> {
    let mut stmt = conn.prepare(
        "SELECT codigo_producto, motivo, observaciones, creado_por, fecha_creacion FROM productos_excluidos_tienda
         WHERE tienda_id = ?1 AND activo = 1 ORDER BY codigo_producto",
    )?;
    let rows = stmt.query_map([store_id], |r| {
        Ok(Exclusion {
            codigo_producto: r.get(0)?,
            motivo: r.get(1)?,
            observaciones: r.get(2)?,
            creado_por: r.get(3)?,
            fecha_creacion: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::replenishment::{resolve_params, AbcClass, ParamSource};

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::appdb::open(&dir.path().join("app.sqlite")).unwrap();
        conn.execute("INSERT INTO ubicaciones (id, nombre, tipo, sistema_pos) VALUES ('tienda_01', 'T1', 'tienda', 'none')", []).unwrap();
        (dir, conn)
    }

    #[test]
    fn seeded_defaults_match_the_spec() {
        let (_d, conn) = db();
        let cfg = param_config(&conn, "tienda_01").unwrap();
        assert_eq!(cfg.global.lead_time, Some(1.5));
        assert_eq!(cfg.global.cobertura_dias.get(AbcClass::A), Some(7.0));
        assert_eq!(cfg.global.cobertura_dias.get(AbcClass::D), Some(30.0));
        assert_eq!(cfg.global.z.get(AbcClass::A), Some(2.33));
        assert_eq!(cfg.global.ventana_demanda_dias, Some(20));
        let abc = abc_settings(&conn).unwrap();
        assert_eq!(abc.modelo_activo, AbcModel::RankingVolumen);
        assert_eq!((abc.umbrales.umbral_a, abc.umbrales.umbral_b, abc.umbrales.umbral_c), (50, 200, 800));
        assert_eq!(abc.codigos_excluidos, vec!["003760".to_string()]);
        assert!(engine_settings(&conn).unwrap().limitar_por_stock_cedi);
    }

    /// A store override of 0 is a real 0, and each level overrides the one below.
    #[test]
    fn store_and_category_levels_override_global() {
        let (_d, conn) = db();
        upsert_category(
            &conn,
            &CategoryCoverage {
                categoria: "Frutas y Verduras".into(),
                dias_cobertura_a: Some(2),
                dias_cobertura_b: None,
                dias_cobertura_c: None,
                dias_cobertura_d: None,
                es_perecedero: true,
                descripcion: None,
            },
            "t",
        )
        .unwrap()
        .unwrap();
        upsert_store_params(
            &conn,
            "tienda_01",
            &StoreParamsUpdate { dias_cobertura_b: Some(0), lead_time_override: Some(3.0), ..Default::default() },
            "t",
        )
        .unwrap()
        .unwrap();
        let cfg = param_config(&conn, "tienda_01").unwrap();
        let b = resolve_params(&cfg, Some("VIVERES"), AbcClass::B);
        assert_eq!(b.cobertura_dias.valor, 0.0);
        assert_eq!(b.cobertura_dias.fuente, ParamSource::Tienda);
        assert_eq!(b.lead_time.valor, 3.0);
        let a = resolve_params(&cfg, Some("frutas y verduras"), AbcClass::A);
        assert_eq!(a.cobertura_dias.valor, 2.0);
        assert_eq!(a.cobertura_dias.fuente, ParamSource::Categoria);
        deactivate_store_params(&conn, "tienda_01", "t").unwrap();
        let cfg = param_config(&conn, "tienda_01").unwrap();
        assert_eq!(resolve_params(&cfg, Some("VIVERES"), AbcClass::B).cobertura_dias.valor, 14.0);
    }

    /// `[stores.params]` seeds the store override once; a later UI edit is not overwritten.
    #[test]
    fn tenant_toml_params_seed_the_store_override_once() {
        let (_d, mut conn) = db();
        let file: TenantFile = toml::from_str(
            "schema_version = 1\n[tenant]\nid = \"t\"\ndisplay_name = \"T\"\n[server]\npublic_url = \"http://x\"\n\
             allowed_hosts = [\"x\"]\n[[regions]]\nid = \"VALENCIA\"\nname = \"V\"\n[[stores]]\nid = \"tienda_01\"\n\
             name = \"T1\"\nkind = \"tienda\"\n[stores.params]\nlead_time_days = 2.5\ncobertura_dias = { a = 5, d = 40 }\n",
        )
        .unwrap();
        crate::appdb::locations::sync(&mut conn, &file).unwrap();
        seed_store_params(&conn, &file).unwrap();
        let cfg = param_config(&conn, "tienda_01").unwrap();
        let a = resolve_params(&cfg, None, AbcClass::A);
        assert_eq!((a.lead_time.valor, a.lead_time.fuente), (2.5, ParamSource::Tienda));
        assert_eq!(a.cobertura_dias.valor, 5.0);
        assert_eq!(resolve_params(&cfg, None, AbcClass::B).cobertura_dias.valor, 14.0, "unset class keeps the global");
        assert_eq!(store_params_author(&conn, "tienda_01").unwrap().as_deref(), Some(SEED_AUTHOR));
        assert_eq!(store_params_author(&conn, "tienda_02").unwrap(), None);
        upsert_store_params(&conn, "tienda_01", &StoreParamsUpdate { lead_time_override: Some(1.0), ..Default::default() }, "ui")
            .unwrap()
            .unwrap();
        seed_store_params(&conn, &file).unwrap();
        let cfg = param_config(&conn, "tienda_01").unwrap();
        assert_eq!(resolve_params(&cfg, None, AbcClass::A).lead_time.valor, 1.0, "the UI edit wins over the seed");
        assert_eq!(store_params_author(&conn, "tienda_01").unwrap().as_deref(), Some("ui"));
    }

    #[test]
    fn invalid_settings_name_their_field() {
        let (_d, conn) = db();
        assert_eq!(update_thresholds(&conn, 200, 50, 800, "t").unwrap().unwrap_err().field, "umbral_a");
        assert_eq!(update_pareto(&conn, 95.0, 80.0, "t").unwrap().unwrap_err().field, "pareto_a_pct");
        let bad = GlobalUpdate { ventana_sigma_d: Some(1.0), ..Default::default() };
        assert_eq!(update_globals(&conn, &bad, "t").unwrap().unwrap_err().field, "ventana_sigma_d");
        let cap = CapacityLimit {
            tienda_id: "tienda_01".into(),
            producto_codigo: "000001".into(),
            capacidad_maxima_unidades: Some(-1.0),
            minimo_exhibicion_unidades: None,
            tipo_restriccion: None,
            notas: None,
        };
        assert_eq!(upsert_capacity(&conn, &cap, "t").unwrap().unwrap_err().field, "capacidad_maxima_unidades");
        assert_eq!(exclude_product(&conn, "tienda_01", "000001", "PORQUE", None, "t").unwrap().unwrap_err().field, "motivo");
    }
}
