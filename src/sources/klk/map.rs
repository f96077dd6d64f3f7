//! KLK payload rows → typed records (spec 20 §5.1, §5.2) with the row checks of §11.
//! A refused row comes back as a [`Rejection`] (quarantined and counted by the ETL).

use chrono::NaiveDateTime;

use super::model::{KlkArticle, KlkSale};
use crate::domain::records::{SaleAuditBs, SaleLine};
use crate::sources::pos::{combine, Rejection, SourceProduct};

/// What a sales request asked for: the location it is loaded into and its window.
#[derive(Debug, Clone)]
pub struct SaleContext {
    pub ubicacion_id: String,
    pub desde: NaiveDateTime,
    pub hasta: NaiveDateTime,
    /// Local "now": lines later than now + 10 min are refused.
    pub now_local: NaiveDateTime,
}

/// Product attributes a sale line carries (side effects of §5.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SaleProductInfo {
    pub codigo: String,
    pub descripcion: Option<String>,
    pub marca: Option<String>,
    pub modelo: Option<String>,
    pub codigo_barras: Option<String>,
    pub cuadrante: Option<String>,
    pub es_kg: bool,
}

/// A row problem before the row's key is formatted (the key is only built on failure).
enum Bad {
    Missing(&'static str),
    Format(&'static str, String),
    Validation(String),
}

fn num(field: &'static str, v: &super::model::Loose) -> Result<Option<f64>, Bad> {
    v.num().map_err(|e| Bad::Format(field, e))
}

/// Maps one sales item. Required: `numero_factura`, `linea`, `fecha`, `hora`,
/// `producto[0].codigo_producto`; numbers must be numeric; the timestamp must fall in the
/// requested window ± 1 day and not after now + 10 min.
pub fn map_sale(item: &KlkSale, ctx: &SaleContext) -> Result<(SaleLine, SaleProductInfo), Rejection> {
    map_sale_inner(item, ctx).map_err(|bad| {
        let key = format!("{}/{}", item.numero_factura.text().as_deref().unwrap_or("?"), item.linea.text().unwrap_or_else(|| "?".into()));
        match bad {
            Bad::Missing(f) => Rejection::missing(f, &key),
            Bad::Format(f, e) => Rejection::format(f, e, &key),
            Bad::Validation(m) => Rejection::validation(m, &key),
        }
    })
}

fn map_sale_inner(item: &KlkSale, ctx: &SaleContext) -> Result<(SaleLine, SaleProductInfo), Bad> {
    let numero_factura = item.numero_factura.text().ok_or(Bad::Missing("numero_factura"))?;
    let linea = match item.linea.int() {
        Ok(Some(l)) if (0..=i64::from(i32::MAX)).contains(&l) => l as i32,
        Ok(Some(l)) => return Err(Bad::Format("linea", format!("fuera de rango: {l}"))),
        Ok(None) => return Err(Bad::Missing("linea")),
        Err(e) => return Err(Bad::Format("linea", e)),
    };
    let fecha = item.fecha.text().ok_or(Bad::Missing("fecha"))?;
    let hora = item.hora.text().ok_or(Bad::Missing("hora"))?;
    let fecha_venta = combine(&fecha, &hora).map_err(|e| Bad::Format("fecha/hora", e))?;
    let one_day = chrono::Duration::days(1);
    if fecha_venta < ctx.desde - one_day || fecha_venta > ctx.hasta + one_day {
        return Err(Bad::Validation(format!(
            "fecha_venta {fecha_venta} fuera de la ventana solicitada {}–{} (±1 día)",
            ctx.desde, ctx.hasta
        )));
    }
    if fecha_venta > ctx.now_local + chrono::Duration::minutes(10) {
        return Err(Bad::Validation(format!("fecha_venta {fecha_venta} está en el futuro")));
    }
    let (dp, dq, df) = Default::default();
    let prod: &super::model::KlkSaleProduct = item.producto.as_ref().unwrap_or(&dp);
    let producto_codigo = prod.codigo_producto.text().ok_or(Bad::Missing("producto.codigo_producto"))?;
    let qty: &super::model::KlkSaleQuantity = item.cantidad.as_ref().unwrap_or(&dq);
    let fin: &super::model::KlkSaleMoney = item.financiero.as_ref().unwrap_or(&df);

    let cantidad_vendida = num("cantidad_vendida", &qty.cantidad_vendida)?.unwrap_or(0.0);
    let peso_unitario = num("peso_unitario", &qty.peso_unitario)?.unwrap_or(0.0);
    let factor = num("factor_unidad_medida", &qty.factor_unidad_medida)?.unwrap_or(1.0);
    let unidad = qty.unidad_medida_venta.text();
    let venta_total = num("venta_total_usd", &fin.venta_total_usd)?.unwrap_or(0.0);
    let line = SaleLine {
        ubicacion_id: ctx.ubicacion_id.clone(),
        numero_factura,
        linea,
        fecha_venta,
        producto_codigo: producto_codigo.clone(),
        cantidad_vendida,
        venta_total,
        costo_total: num("costo_total_usd", &fin.costo_total_usd)?,
        precio_unitario: num("precio_unitario_usd", &fin.precio_unitario_usd)?,
        costo_unitario: num("costo_unitario_usd", &fin.costo_unitario_usd)?,
        almacen_codigo: qty.codigo_almacen.text(),
        almacen_nombre: qty.nombre_almacen.text(),
        cuadrante_producto: prod.cuadrante_producto.text(),
        peso_unitario,
        unidad_medida_venta: Some(unidad.clone().unwrap_or_else(|| "UNIDAD".into())),
        factor_unidad_medida: if factor == 0.0 { 1.0 } else { factor },
        utilidad_bruta: num("utilidad_bruta_usd", &fin.utilidad_bruta_usd)?,
        tasa_usd: num("tasa_usd", &item.tasa_usd)?,
        es_no_fiscal: item.es_no_fiscal.boolean().map_err(|e| Bad::Format("es_no_fiscal", e))?,
        bs: Some(Box::new(SaleAuditBs {
            venta_total_bs: num("venta_total_bs", &fin.venta_total_bs)?,
            costo_total_bs: num("costo_total_bs", &fin.costo_total_bs)?,
            utilidad_bruta_bs: num("utilidad_bruta_bs", &fin.utilidad_bruta_bs)?,
            precio_unitario_bs: num("precio_unitario_bs", &fin.precio_unitario_bs)?,
            costo_unitario_bs: num("costo_unitario_bs", &fin.costo_unitario_bs)?,
            impuesto_pct: num("impuesto_porcentaje", &fin.impuesto_porcentaje)?,
            impuesto_monto_bs: num("impuesto_monto", &fin.impuesto_monto)?,
            descuento_pct: num("porcentaje_descuento", &fin.porcentaje_descuento)?,
            descuento_monto_bs: num("monto_descuento", &fin.monto_descuento)?,
        })),
    };
    let info = SaleProductInfo {
        codigo: producto_codigo,
        descripcion: prod.descripcion_producto.text(),
        marca: prod.marca_producto.text(),
        modelo: prod.modelo_producto.text(),
        codigo_barras: prod.codigo_barras.text(),
        cuadrante: line.cuadrante_producto.clone(),
        es_kg: unidad.as_deref().is_some_and(|u| u.eq_ignore_ascii_case("KG")),
    };
    Ok((line, info))
}

/// Maps one article row of a warehouse listing: the product attributes and its stock.
/// `Codigo` is required and `stock` must be numeric; a missing name becomes
/// `Producto <codigo>`.
pub fn map_article(a: &KlkArticle) -> Result<(SourceProduct, f64), Rejection> {
    let Some(codigo) = a.codigo.text() else {
        return Err(Rejection::missing("Codigo", &a.nombre_producto.text().unwrap_or_else(|| "?".into())));
    };
    let stock = match a.stock.num() {
        Ok(Some(v)) => v,
        Ok(None) => return Err(Rejection::missing("stock", &codigo)),
        Err(e) => return Err(Rejection::format("stock", e, &codigo)),
    };
    let precio = a.precio.num().map_err(|e| Rejection::format("Precio", e, &codigo))?;
    let iva = a.iva.num().map_err(|e| Rejection::format("Iva", e, &codigo))?;
    let descripcion = a.nombre_producto.text().or_else(|| Some(format!("Producto {codigo}")));
    Ok((
        SourceProduct {
            descripcion,
            codigo_barras: a.barra.text(),
            categoria: a.descripcion.text(),
            grupo: a.descripcion_categoria.text(),
            marca: a.marca.text(),
            precio_venta_usd: precio,
            iva_pct: iva,
            codigo,
            ..SourceProduct::default()
        },
        stock,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> SaleContext {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        SaleContext {
            ubicacion_id: "tienda_01".into(),
            desde: t("2025-11-17 12:30:04"),
            hasta: t("2025-11-17 14:00:05"),
            now_local: t("2025-11-17 14:00:05"),
        }
    }

    fn sale(json: &str) -> KlkSale {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn required_fields_and_formats() {
        let ok = sale(
            r#"{"numero_factura": " F1 ", "fecha": "2025-11-17", "hora": "12:49:56.8966141", "linea": 1,
            "producto": [{"codigo_producto": "001853"}], "cantidad": [], "financiero": null}"#,
        );
        let (l, _) = map_sale(&ok, &ctx()).unwrap();
        assert_eq!(l.numero_factura, "F1");
        assert_eq!(l.fecha_venta.to_string(), "2025-11-17 12:49:56");
        assert_eq!((l.cantidad_vendida, l.venta_total, l.factor_unidad_medida), (0.0, 0.0, 1.0));
        assert_eq!(l.unidad_medida_venta.as_deref(), Some("UNIDAD"));

        let no_line =
            sale(r#"{"numero_factura": "F1", "fecha": "2025-11-17", "hora": "12:49:56", "producto": [{"codigo_producto": "1"}]}"#);
        assert_eq!(map_sale(&no_line, &ctx()).unwrap_err().category, "missing_fields");
        let bad_time =
            sale(r#"{"numero_factura": "F1", "linea": 2, "fecha": "2025-11-17", "hora": "xx", "producto": [{"codigo_producto": "1"}]}"#);
        assert_eq!(map_sale(&bad_time, &ctx()).unwrap_err().category, "data_format");
        let no_product = sale(r#"{"numero_factura": "F1", "linea": 2, "fecha": "2025-11-17", "hora": "13:00:00"}"#);
        assert_eq!(map_sale(&no_product, &ctx()).unwrap_err().category, "missing_fields");
        let text_qty = sale(
            r#"{"numero_factura": "F1", "linea": 2, "fecha": "2025-11-17", "hora": "13:00:00",
            "producto": [{"codigo_producto": "1"}], "cantidad": [{"cantidad_vendida": "dos"}]}"#,
        );
        assert_eq!(map_sale(&text_qty, &ctx()).unwrap_err().category, "data_format");
        let far = sale(
            r#"{"numero_factura": "F1", "linea": 2, "fecha": "2025-11-15", "hora": "13:00:00", "producto": [{"codigo_producto": "1"}]}"#,
        );
        assert_eq!(map_sale(&far, &ctx()).unwrap_err().category, "data_validation");
        let future = sale(
            r#"{"numero_factura": "F1", "linea": 2, "fecha": "2025-11-17", "hora": "14:20:00", "producto": [{"codigo_producto": "1"}]}"#,
        );
        assert_eq!(map_sale(&future, &ctx()).unwrap_err().category, "data_validation");
    }

    #[test]
    fn article_row() {
        let a: KlkArticle = serde_json::from_str(
            r#"{"NombreProducto": "QUESO AMARILLO KG", "Codigo": "000002", "Barra": "00010", "Categoria": "99",
                "Descripcion": "N/A", "Subcategoria": "99", "Descripcion_categoria": "QUESOS", "Marca": "N/A",
                "Precio": 12.08, "Iva": 16, "stock": 23}"#,
        )
        .unwrap();
        let (p, stock) = map_article(&a).unwrap();
        assert_eq!(stock, 23.0);
        assert_eq!(p.codigo, "000002");
        assert_eq!((p.categoria, p.grupo.as_deref(), p.marca, p.subgrupo), (None, Some("QUESOS"), None, None));
        assert_eq!((p.precio_venta_usd, p.iva_pct), (Some(12.08), Some(16.0)));
        let bad: KlkArticle = serde_json::from_str(r#"{"Codigo": "9", "stock": "x"}"#).unwrap();
        assert_eq!(map_article(&bad).unwrap_err().category, "data_format");
        let unnamed: KlkArticle = serde_json::from_str(r#"{"Codigo": "9", "stock": -1.5}"#).unwrap();
        assert_eq!(map_article(&unnamed).unwrap().0.descripcion.as_deref(), Some("Producto 9"));
    }
}
