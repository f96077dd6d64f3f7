//! KLK payloads as the vendor sends them (spec 20 §3.3, §3.4). Every field is read
//! tolerantly (`Loose`): a wrong type is kept as evidence and turned into a row rejection
//! by the mapping, never into a failure of the whole response.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A JSON scalar read without insisting on its type.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Loose {
    /// Key absent.
    #[default]
    Missing,
    Null,
    Num(f64),
    Text(String),
    Bool(bool),
    /// An array or object where a scalar was expected.
    Nested,
}

impl Loose {
    /// The value as a number: `Ok(None)` when absent/NULL, `Err` when present but not numeric.
    pub fn num(&self) -> Result<Option<f64>, String> {
        match self {
            Loose::Missing | Loose::Null => Ok(None),
            Loose::Num(v) if v.is_finite() => Ok(Some(*v)),
            Loose::Num(v) => Err(format!("no es un número finito: {v}")),
            Loose::Text(s) => crate::sources::pos::parse_decimal(s),
            Loose::Bool(b) => Err(format!("no es un número: {b}")),
            Loose::Nested => Err("no es un número: objeto o lista".into()),
        }
    }

    /// The value as an integer (a number without fraction, or its text).
    pub fn int(&self) -> Result<Option<i64>, String> {
        match self.num()? {
            None => Ok(None),
            Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(Some(v as i64)),
            Some(v) => Err(format!("no es un entero: {v}")),
        }
    }

    /// The value as trimmed text; NULL sentinels are `None`; numbers are written back
    /// without a spurious `.0`.
    pub fn text(&self) -> Option<String> {
        match self {
            Loose::Text(s) => crate::sources::pos::clean_text(s).map(str::to_string),
            Loose::Num(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Some(format!("{}", *v as i64)),
            Loose::Num(v) => Some(v.to_string()),
            Loose::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn boolean(&self) -> Result<Option<bool>, String> {
        match self {
            Loose::Missing | Loose::Null => Ok(None),
            Loose::Bool(b) => Ok(Some(*b)),
            Loose::Num(v) if *v == 0.0 || *v == 1.0 => Ok(Some(*v == 1.0)),
            Loose::Text(s) => match crate::sources::pos::clean_text(s).map(|t| t.to_ascii_lowercase()) {
                None => Ok(None),
                Some(t) if matches!(t.as_str(), "true" | "1" | "si" | "sí" | "s") => Ok(Some(true)),
                Some(t) if matches!(t.as_str(), "false" | "0" | "no" | "n") => Ok(Some(false)),
                Some(t) => Err(format!("no es un booleano: {t:?}")),
            },
            other => Err(format!("no es un booleano: {other:?}")),
        }
    }

    pub fn is_present(&self) -> bool {
        !matches!(self, Loose::Missing | Loose::Null)
    }
}

impl serde::Serialize for Loose {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Loose::Missing | Loose::Null => s.serialize_none(),
            Loose::Num(v) => s.serialize_f64(*v),
            Loose::Text(t) => s.serialize_str(t),
            Loose::Bool(b) => s.serialize_bool(*b),
            Loose::Nested => s.serialize_str("<objeto>"),
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Num(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Text(v))
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                Loose::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Nested)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Nested)
            }
        }
        d.deserialize_any(V)
    }
}

/// A nested one-element array (`producto`, `cantidad`, `financiero`): `null`, a missing key,
/// an empty array or a non-array all read as "no element" (every field NULL).
fn first_of<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<T>, A::Error> {
            let first = seq.next_element::<T>()?;
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(first)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            // Tolerate a bare object where a one-element array was expected.
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_none<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<T>, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// One invoice line of `POST /ventas` (spec 20 §3.4).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KlkSale {
    pub numero_factura: Loose,
    pub fecha: Loose,
    pub hora: Loose,
    pub fecha_hora_completa: Loose,
    pub linea: Loose,
    pub total_factura: Loose,
    pub tasa_usd: Loose,
    pub es_no_fiscal: Loose,
    pub tiene_promocion: Loose,
    pub codigo_promocion: Loose,
    #[serde(deserialize_with = "first_of")]
    pub producto: Option<KlkSaleProduct>,
    #[serde(deserialize_with = "first_of")]
    pub cantidad: Option<KlkSaleQuantity>,
    #[serde(deserialize_with = "first_of")]
    pub financiero: Option<KlkSaleMoney>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KlkSaleProduct {
    pub codigo_producto: Loose,
    pub descripcion_producto: Loose,
    pub marca_producto: Loose,
    pub modelo_producto: Loose,
    pub categoria_producto: Loose,
    pub grupo_articulo: Loose,
    pub subgrupo_producto: Loose,
    pub categoria_nombre: Loose,
    pub codigo_barras: Loose,
    pub cuadrante_producto: Loose,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KlkSaleQuantity {
    pub codigo_almacen: Loose,
    pub nombre_almacen: Loose,
    pub cantidad_vendida: Loose,
    pub peso_unitario: Loose,
    pub peso_bruto: Loose,
    pub volumen_unitario: Loose,
    pub unidad_medida_venta: Loose,
    pub factor_unidad_medida: Loose,
    pub total_cantidad_por_unidad_medida: Loose,
    pub peso_calculado: Loose,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KlkSaleMoney {
    pub costo_unitario_bs: Loose,
    pub costo_unitario_usd: Loose,
    pub precio_unitario_bs: Loose,
    pub precio_unitario_usd: Loose,
    pub impuesto_porcentaje: Loose,
    pub impuesto_monto: Loose,
    pub porcentaje_descuento: Loose,
    pub monto_descuento: Loose,
    pub venta_total_bs: Loose,
    pub venta_total_usd: Loose,
    pub costo_total_bs: Loose,
    pub costo_total_usd: Loose,
    pub utilidad_bruta_bs: Loose,
    pub utilidad_bruta_usd: Loose,
}

/// One row of `POST /maestra/articulos/almacen` (spec 20 §3.3).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KlkArticle {
    #[serde(rename = "NombreProducto")]
    pub nombre_producto: Loose,
    #[serde(rename = "Codigo")]
    pub codigo: Loose,
    #[serde(rename = "Barra")]
    pub barra: Loose,
    #[serde(rename = "Categoria")]
    pub categoria: Loose,
    #[serde(rename = "Descripcion")]
    pub descripcion: Loose,
    #[serde(rename = "Subcategoria")]
    pub subcategoria: Loose,
    #[serde(rename = "Descripcion_categoria")]
    pub descripcion_categoria: Loose,
    #[serde(rename = "Marca")]
    pub marca: Loose,
    #[serde(rename = "Precio")]
    pub precio: Loose,
    #[serde(rename = "Iva")]
    pub iva: Loose,
    pub stock: Loose,
}

/// One row of `GET /maestra/almacenes/{pisoventa|Reposicion}`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct KlkWarehouse {
    #[serde(rename = "NombreSucursal")]
    pub nombre_sucursal: Option<String>,
    #[serde(rename = "CodigoSucursal")]
    pub codigo_sucursal: Option<String>,
    #[serde(rename = "CodigoAlmacen")]
    pub codigo_almacen: Option<String>,
    #[serde(rename = "NombreAlmacen")]
    pub nombre_almacen: Option<String>,
}

/// The envelope of a list response: `{"meta": …, "<key>": [...]}` or `{"error": …}`.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    #[serde(default)]
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default = "none")]
    pub ventas: Option<Vec<T>>,
    #[serde(default = "none")]
    pub articulos: Option<Vec<T>>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

fn none<T>() -> Option<T> {
    None
}
