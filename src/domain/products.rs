//! Corrections of the product master (spec 50 §8): what an administrator sets over what the
//! POS sends. KLK sends no pack size, so a KLK-only product is ordered 1 unit per pack until
//! someone sets it here. An override is kept apart from the source row (`producto_ajustes`)
//! and wins over it wherever a product is read, so no later ETL run or CSV import undoes it.
//! This module holds the rules of an edit: plain values in, plain values out.

use serde::{Deserialize, Serialize};

/// The overrides of one product; `None` = take the POS value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductOverride {
    pub codigo: String,
    pub unidades_por_bulto: Option<i64>,
    pub unidad_pedido: Option<String>,
    pub cuadrante: Option<String>,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
    pub marca: Option<String>,
    pub presentacion: Option<String>,
    pub categoria: Option<String>,
    pub cedi_origen_id: Option<String>,
    pub es_generador_trafico: Option<bool>,
    pub activo: Option<bool>,
}

/// The fields an administrator may override, by their API name.
pub const FIELDS: &[&str] = &[
    "unidades_por_bulto",
    "unidad_pedido",
    "cuadrante",
    "peso_unitario",
    "volumen_unitario",
    "marca",
    "presentacion",
    "categoria",
    "cedi_origen_id",
    "es_generador_trafico",
    "activo",
];

/// Order units the screen offers (any other text up to 20 characters is accepted).
pub const ORDER_UNITS: &[&str] = &["Bulto", "Unidad", "KG", "LT", "MT", "Caja", "Paquete"];

/// The zone label of a product without one (what clearing the cuadrante sets).
pub const NO_ZONE: &str = "NO ESPECIFICADO";

/// A partial edit: absent fields are left as they are; `restablecer` drops the override of
/// the fields it names (the POS value applies again).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverridePatch {
    pub unidades_por_bulto: Option<i64>,
    pub unidad_pedido: Option<String>,
    pub cuadrante: Option<String>,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
    pub marca: Option<String>,
    pub presentacion: Option<String>,
    pub categoria: Option<String>,
    pub cedi_origen_id: Option<String>,
    pub es_generador_trafico: Option<bool>,
    pub activo: Option<bool>,
    #[serde(default)]
    pub restablecer: Vec<String>,
}

/// Why an edit was refused: the field and a message for the user.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// Nothing to change (400 in the API, as spec 50 §8 states).
    Empty,
    Invalid {
        field: &'static str,
        message: String,
    },
}

fn invalid(field: &'static str, message: impl Into<String>) -> EditError {
    EditError::Invalid { field, message: message.into() }
}

/// How the screen names a field (messages speak the user's words, not the API's).
fn label(field: &str) -> &'static str {
    match field {
        "unidades_por_bulto" => "Las unidades por bulto",
        "unidad_pedido" => "La unidad de pedido",
        "cuadrante" => "El cuadrante",
        "peso_unitario" => "El peso unitario",
        "volumen_unitario" => "El volumen unitario",
        "marca" => "La marca",
        "presentacion" => "La presentación",
        "categoria" => "La categoría",
        "cedi_origen_id" => "El CEDI de origen",
        _ => "El valor",
    }
}

/// A trimmed text of 1..=`max` characters.
fn text(field: &'static str, value: &Option<String>, max: usize) -> Result<Option<String>, EditError> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.is_empty() {
        return Err(invalid(
            field,
            format!("{} no puede quedar vacío; para volver al valor del POS use «volver al valor del POS»", label(field)),
        ));
    }
    if v.chars().count() > max {
        return Err(invalid(field, format!("{} admite como máximo {max} caracteres", label(field))));
    }
    Ok(Some(v.to_string()))
}

fn non_negative(field: &'static str, value: Option<f64>) -> Result<Option<f64>, EditError> {
    match value {
        Some(v) if !v.is_finite() || v < 0.0 => Err(invalid(field, format!("{} debe ser un número mayor o igual que 0", label(field)))),
        other => Ok(other),
    }
}

impl OverridePatch {
    fn is_empty(&self) -> bool {
        let p = self;
        p.unidades_por_bulto.is_none()
            && p.unidad_pedido.is_none()
            && p.cuadrante.is_none()
            && p.peso_unitario.is_none()
            && p.volumen_unitario.is_none()
            && p.marca.is_none()
            && p.presentacion.is_none()
            && p.categoria.is_none()
            && p.cedi_origen_id.is_none()
            && p.es_generador_trafico.is_none()
            && p.activo.is_none()
            && p.restablecer.is_empty()
    }
}

/// The overrides after `patch`, or why it is refused. `cedis` are the tenant's CEDI ids (a
/// product can only be supplied by one of them). An empty cuadrante clears the zone.
pub fn apply(current: &ProductOverride, patch: &OverridePatch, cedis: &[&str]) -> Result<ProductOverride, EditError> {
    if patch.is_empty() {
        return Err(EditError::Empty);
    }
    let mut next = current.clone();
    for field in &patch.restablecer {
        match field.as_str() {
            "unidades_por_bulto" => next.unidades_por_bulto = None,
            "unidad_pedido" => next.unidad_pedido = None,
            "cuadrante" => next.cuadrante = None,
            "peso_unitario" => next.peso_unitario = None,
            "volumen_unitario" => next.volumen_unitario = None,
            "marca" => next.marca = None,
            "presentacion" => next.presentacion = None,
            "categoria" => next.categoria = None,
            "cedi_origen_id" => next.cedi_origen_id = None,
            "es_generador_trafico" => next.es_generador_trafico = None,
            "activo" => next.activo = None,
            other => return Err(invalid("restablecer", format!("Campo «{other}» desconocido ({})", FIELDS.join(", ")))),
        }
    }
    if let Some(upb) = patch.unidades_por_bulto {
        if !(1..=9999).contains(&upb) {
            return Err(invalid("unidades_por_bulto", "Las unidades por bulto deben ser un número entero entre 1 y 9999"));
        }
        next.unidades_por_bulto = Some(upb);
    }
    if let Some(v) = text("unidad_pedido", &patch.unidad_pedido, 20)? {
        next.unidad_pedido = Some(v);
    }
    if let Some(c) = &patch.cuadrante {
        let c = c.trim();
        if c.chars().count() > 20 {
            return Err(invalid("cuadrante", "El cuadrante admite como máximo 20 caracteres"));
        }
        next.cuadrante = Some(if c.is_empty() { NO_ZONE.to_string() } else { c.to_uppercase() });
    }
    if let Some(v) = non_negative("peso_unitario", patch.peso_unitario)? {
        next.peso_unitario = Some(v);
    }
    if let Some(v) = non_negative("volumen_unitario", patch.volumen_unitario)? {
        next.volumen_unitario = Some(v);
    }
    if let Some(v) = text("marca", &patch.marca, 100)? {
        next.marca = Some(v);
    }
    if let Some(v) = text("presentacion", &patch.presentacion, 50)? {
        next.presentacion = Some(v);
    }
    if let Some(v) = text("categoria", &patch.categoria, 100)? {
        next.categoria = Some(v);
    }
    if let Some(v) = text("cedi_origen_id", &patch.cedi_origen_id, 100)? {
        if !cedis.contains(&v.as_str()) {
            return Err(invalid("cedi_origen_id", format!("«{v}» no es un CEDI de esta cadena ({})", cedis.join(", "))));
        }
        next.cedi_origen_id = Some(v);
    }
    if patch.es_generador_trafico.is_some() {
        next.es_generador_trafico = patch.es_generador_trafico;
    }
    if patch.activo.is_some() {
        next.activo = patch.activo;
    }
    Ok(next)
}

impl ProductOverride {
    /// No field overridden: the row can be removed.
    pub fn is_empty(&self) -> bool {
        *self == ProductOverride { codigo: self.codigo.clone(), ..Default::default() }
    }
}

/// A pack size of 1 that nobody set: KLK sends none, so a product only KLK wrote (or only
/// seen on a sale line) has the default until an administrator sets it. A 1 that Stellar,
/// a file or an administrator gave is not flagged.
pub fn pack_size_unset(source: &str, pack_size: f64, overridden: bool) -> bool {
    !overridden && pack_size == 1.0 && matches!(source, "klk" | "placeholder")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CEDIS: &[&str] = &["cedi_seco", "cedi_frio"];

    fn patch(json: &str) -> OverridePatch {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_worked_examples_of_spec_50_section_8() {
        let none = ProductOverride { codigo: "000123".into(), ..Default::default() };
        assert_eq!(apply(&none, &patch("{}"), CEDIS), Err(EditError::Empty));
        assert!(matches!(
            apply(&none, &patch(r#"{"unidades_por_bulto": 0}"#), CEDIS),
            Err(EditError::Invalid { field: "unidades_por_bulto", .. })
        ));
        let ok = apply(&none, &patch(r#"{"unidades_por_bulto": 12, "peso_unitario": 0.85}"#), CEDIS).unwrap();
        assert_eq!((ok.unidades_por_bulto, ok.peso_unitario), (Some(12), Some(0.85)));
        // 0 is a weight like any other (the earlier system turned it into "no weight").
        assert_eq!(apply(&ok, &patch(r#"{"peso_unitario": 0}"#), CEDIS).unwrap().peso_unitario, Some(0.0));
    }

    #[test]
    fn absent_fields_are_kept_and_restablecer_gives_the_pos_value_back() {
        let current =
            ProductOverride { codigo: "1".into(), unidades_por_bulto: Some(12), marca: Some("ACME".into()), ..Default::default() };
        let next = apply(&current, &patch(r#"{"cuadrante": "cuadrante iv"}"#), CEDIS).unwrap();
        assert_eq!(
            (next.unidades_por_bulto, next.marca.as_deref(), next.cuadrante.as_deref()),
            (Some(12), Some("ACME"), Some("CUADRANTE IV"))
        );
        let reset = apply(&next, &patch(r#"{"restablecer": ["unidades_por_bulto", "marca", "cuadrante"]}"#), CEDIS).unwrap();
        assert!(reset.is_empty());
        assert!(matches!(
            apply(&next, &patch(r#"{"restablecer": ["precio"]}"#), CEDIS),
            Err(EditError::Invalid { field: "restablecer", .. })
        ));
    }

    #[test]
    fn bad_values_name_their_field() {
        let none = ProductOverride::default();
        let field = |json: &str| match apply(&none, &patch(json), CEDIS) {
            Err(EditError::Invalid { field, .. }) => field,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(field(r#"{"unidades_por_bulto": 10000}"#), "unidades_por_bulto");
        assert_eq!(field(r#"{"peso_unitario": -1}"#), "peso_unitario");
        assert_eq!(field(r#"{"volumen_unitario": -0.5}"#), "volumen_unitario");
        assert_eq!(field(r#"{"unidad_pedido": "   "}"#), "unidad_pedido");
        assert_eq!(field(r#"{"unidad_pedido": "UNA UNIDAD MUY LARGA DE VERDAD"}"#), "unidad_pedido");
        assert_eq!(field(r#"{"cedi_origen_id": "tienda_01"}"#), "cedi_origen_id");
        assert_eq!(field(&format!(r#"{{"marca": "{}"}}"#, "M".repeat(101))), "marca");
        assert!(serde_json::from_str::<OverridePatch>(r#"{"precio": 3}"#).is_err(), "unknown fields are refused");
    }

    #[test]
    fn an_empty_cuadrante_clears_the_zone() {
        let next = apply(&ProductOverride::default(), &patch(r#"{"cuadrante": ""}"#), CEDIS).unwrap();
        assert_eq!(next.cuadrante.as_deref(), Some(NO_ZONE));
    }

    #[test]
    fn only_a_default_pack_size_from_klk_is_unset() {
        assert!(pack_size_unset("klk", 1.0, false));
        assert!(pack_size_unset("placeholder", 1.0, false));
        assert!(!pack_size_unset("klk", 1.0, true), "an administrator confirmed it");
        assert!(!pack_size_unset("klk", 6.0, false));
        assert!(!pack_size_unset("stellar", 1.0, false));
        assert!(!pack_size_unset("archivo", 1.0, false));
    }
}
