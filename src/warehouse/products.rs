//! Reads of the product administration screen (spec 50 §8) over the effective products
//! (`productos_v`: the POS values with an administrator's corrections on top).

use duckdb::{params_from_iter, Connection, OptionalExt, Row};
use serde::Serialize;

/// Which products by their (effective) active flag.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ActiveFilter {
    #[default]
    Active,
    Inactive,
    All,
}

/// The list's filters, already validated (search of 2+ characters, page ≥ 1, size 10–200).
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub search: Option<String>,
    pub categoria: Option<String>,
    pub cuadrante: Option<String>,
    pub marca: Option<String>,
    pub cedi_origen_id: Option<String>,
    pub solo_sin_peso: bool,
    pub solo_sin_cuadrante: bool,
    /// Only products whose pack size is a default nobody set (`bulto_sin_definir`).
    pub solo_sin_bulto: bool,
    pub solo_con_ajustes: bool,
    pub estado: ActiveFilter,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRow {
    pub codigo: String,
    pub descripcion: String,
    pub codigo_barras: Option<String>,
    pub categoria: Option<String>,
    pub grupo: Option<String>,
    pub marca: Option<String>,
    pub presentacion: Option<String>,
    pub cuadrante: String,
    pub unidad_pedido: String,
    pub unidades_por_bulto: i64,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
    pub cedi_origen_id: Option<String>,
    pub es_generador_trafico: bool,
    pub es_pesable: bool,
    pub activo: bool,
    /// Last source that wrote the POS values (klk, stellar, archivo, …).
    pub fuente: String,
    pub con_ajustes: bool,
    pub bulto_sin_definir: bool,
    /// When the POS values last changed (UTC, RFC 3339).
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductPage {
    pub productos: Vec<ProductRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    pub total_pages: i64,
}

const ROW: &str = "codigo, descripcion, codigo_barras, categoria, grupo, marca, presentacion, cuadrante, unidad_pedido,
                   unidades_por_bulto::BIGINT AS unidades_por_bulto, peso_unitario::DOUBLE AS peso_unitario,
                   volumen_unitario::DOUBLE AS volumen_unitario, cedi_origen_id, es_generador_trafico, es_pesable, activo, fuente,
                   con_ajustes, bulto_sin_definir, strftime(actualizado_en, '%Y-%m-%dT%H:%M:%SZ') AS updated_at";

fn row(r: &Row<'_>) -> duckdb::Result<ProductRow> {
    Ok(ProductRow {
        codigo: r.get("codigo")?,
        descripcion: r.get("descripcion")?,
        codigo_barras: r.get("codigo_barras")?,
        categoria: r.get("categoria")?,
        grupo: r.get("grupo")?,
        marca: r.get("marca")?,
        presentacion: r.get("presentacion")?,
        cuadrante: r.get("cuadrante")?,
        unidad_pedido: r.get("unidad_pedido")?,
        unidades_por_bulto: r.get("unidades_por_bulto")?,
        peso_unitario: r.get("peso_unitario")?,
        volumen_unitario: r.get("volumen_unitario")?,
        cedi_origen_id: r.get("cedi_origen_id")?,
        es_generador_trafico: r.get("es_generador_trafico")?,
        es_pesable: r.get("es_pesable")?,
        activo: r.get("activo")?,
        fuente: r.get("fuente")?,
        con_ajustes: r.get("con_ajustes")?,
        bulto_sin_definir: r.get("bulto_sin_definir")?,
        updated_at: r.get("updated_at")?,
    })
}

/// One page of products matching `f`, ordered by code; a page past the end is empty.
pub fn list(conn: &Connection, f: &ProductFilter) -> duckdb::Result<ProductPage> {
    let mut cond: Vec<&str> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    match f.estado {
        ActiveFilter::Active => cond.push("activo"),
        ActiveFilter::Inactive => cond.push("NOT activo"),
        ActiveFilter::All => {}
    }
    if let Some(q) = &f.search {
        // Bound as a value, never spliced: any text is a literal substring.
        cond.push("(contains(lower(codigo), lower(?)) OR contains(lower(descripcion), lower(?)))");
        args.extend([q.clone(), q.clone()]);
    }
    let exact = [
        ("categoria = ?", &f.categoria),
        ("cuadrante = ?", &f.cuadrante),
        ("marca = ?", &f.marca),
        ("cedi_origen_id = ?", &f.cedi_origen_id),
    ];
    for (condition, value) in exact {
        if let Some(v) = value {
            cond.push(condition);
            args.push(v.clone());
        }
    }
    if f.solo_sin_peso {
        cond.push("coalesce(peso_unitario, 0) = 0");
    }
    if f.solo_sin_cuadrante {
        cond.push("(cuadrante IS NULL OR cuadrante = 'NO ESPECIFICADO')");
    }
    if f.solo_sin_bulto {
        cond.push("bulto_sin_definir");
    }
    if f.solo_con_ajustes {
        cond.push("con_ajustes");
    }
    let filter = if cond.is_empty() { String::new() } else { format!("WHERE {}", cond.join(" AND ")) };
    let total: i64 =
        conn.prepare(&format!("SELECT count(*) FROM productos_v {filter}"))?.query_row(params_from_iter(&args), |r| r.get(0))?;
    let offset = i64::from(f.page.saturating_sub(1)) * i64::from(f.page_size);
    let mut stmt =
        conn.prepare(&format!("SELECT {ROW} FROM productos_v {filter} ORDER BY codigo LIMIT {} OFFSET {offset}", f.page_size))?;
    let productos = stmt.query_map(params_from_iter(&args), row)?.collect::<duckdb::Result<Vec<_>>>()?;
    let size = i64::from(f.page_size.max(1));
    Ok(ProductPage { productos, total, page: f.page, page_size: f.page_size, total_pages: (total + size - 1) / size })
}

/// One product, active or not.
pub fn get(conn: &Connection, codigo: &str) -> duckdb::Result<Option<ProductRow>> {
    conn.prepare_cached(&format!("SELECT {ROW} FROM productos_v WHERE codigo = ?"))?.query_row([codigo], row).optional()
}

/// What the POS says for the fields an administrator may override (before any override).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PosValues {
    pub unidades_por_bulto: i64,
    pub unidad_pedido: String,
    pub cuadrante: String,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
    pub marca: Option<String>,
    pub presentacion: Option<String>,
    pub categoria: Option<String>,
    pub cedi_origen_id: Option<String>,
    pub es_generador_trafico: bool,
    pub activo: bool,
}

pub fn pos_values(conn: &Connection, codigo: &str) -> duckdb::Result<Option<PosValues>> {
    conn.prepare_cached(
        "SELECT unidades_por_bulto::BIGINT AS unidades_por_bulto, unidad_pedido, cuadrante, peso_unitario::DOUBLE AS peso_unitario,
                volumen_unitario::DOUBLE AS volumen_unitario, marca, presentacion, categoria, cedi_origen_id, es_generador_trafico, activo
         FROM productos WHERE codigo = ?",
    )?
    .query_row([codigo], |r| {
        Ok(PosValues {
            unidades_por_bulto: r.get("unidades_por_bulto")?,
            unidad_pedido: r.get("unidad_pedido")?,
            cuadrante: r.get("cuadrante")?,
            peso_unitario: r.get("peso_unitario")?,
            volumen_unitario: r.get("volumen_unitario")?,
            marca: r.get("marca")?,
            presentacion: r.get("presentacion")?,
            categoria: r.get("categoria")?,
            cedi_origen_id: r.get("cedi_origen_id")?,
            es_generador_trafico: r.get("es_generador_trafico")?,
            activo: r.get("activo")?,
        })
    })
    .optional()
}

/// The picker options of the list's filters (active products only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionKind {
    /// Every zone except `NO ESPECIFICADO`, by value.
    Cuadrantes,
    /// The 100 most used brands, most used first.
    Marcas,
    /// Every category, most used first.
    Categorias,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionCount {
    pub valor: String,
    pub cantidad: i64,
}

pub fn options(conn: &Connection, kind: OptionKind) -> duckdb::Result<Vec<OptionCount>> {
    let sql = match kind {
        OptionKind::Cuadrantes => {
            "SELECT cuadrante AS valor, count(*) AS cantidad FROM productos_v
             WHERE activo AND cuadrante IS NOT NULL AND cuadrante <> 'NO ESPECIFICADO' GROUP BY 1 ORDER BY 1"
        }
        OptionKind::Marcas => {
            "SELECT marca AS valor, count(*) AS cantidad FROM productos_v
             WHERE activo AND trim(coalesce(marca, '')) <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100"
        }
        OptionKind::Categorias => {
            "SELECT categoria AS valor, count(*) AS cantidad FROM productos_v
             WHERE activo AND trim(coalesce(categoria, '')) <> '' GROUP BY 1 ORDER BY 2 DESC, 1"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| Ok(OptionCount { valor: r.get("valor")?, cantidad: r.get("cantidad")? }))?;
    rows.collect()
}

/// A product's classification row (the caches rebuilt after each sales load and nightly).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifiedRow {
    pub codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub clase_abc: String,
    /// `None`: fewer selling days than XYZ requires.
    pub clase_xyz: Option<String>,
    pub cv: Option<f64>,
    pub cantidad_30d: f64,
    pub venta_30d: f64,
    pub rank_valor: i32,
    pub dias_venta: i32,
}

/// Every classified product of a store (`Some`) or of the whole chain (`None`), by value rank.
pub fn classified(conn: &Connection, store: Option<&str>) -> duckdb::Result<Vec<ClassifiedRow>> {
    let (table, key) = match store {
        Some(s) => ("productos_abc_tienda", s),
        None => ("productos_abc_cache", "*"),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.producto_codigo, coalesce(p.descripcion, 'Producto ' || c.producto_codigo) AS descripcion, p.categoria,
                c.clase_abc, c.clase_xyz, c.cv, c.cantidad_30d, c.venta_30d, c.rank_valor, c.dias_venta
         FROM {table} c LEFT JOIN productos_v p ON p.codigo = c.producto_codigo
         WHERE c.ubicacion_id = ? ORDER BY c.rank_valor, c.producto_codigo"
    ))?;
    let rows = stmt.query_map([key], |r| {
        Ok(ClassifiedRow {
            codigo: r.get("producto_codigo")?,
            descripcion: r.get("descripcion")?,
            categoria: r.get("categoria")?,
            clase_abc: r.get("clase_abc")?,
            clase_xyz: r.get("clase_xyz")?,
            cv: r.get("cv")?,
            cantidad_30d: r.get("cantidad_30d")?,
            venta_30d: r.get("venta_30d")?,
            rank_valor: r.get("rank_valor")?,
            dias_venta: r.get("dias_venta")?,
        })
    })?;
    rows.collect()
}

/// A product's 30-day sales (USD) and class per store, from the classification cache.
#[derive(Debug, Clone, Default)]
pub struct StoreSales {
    pub descripcion: String,
    pub categoria: Option<String>,
    pub ventas: std::collections::HashMap<String, f64>,
    pub clases: std::collections::HashMap<String, crate::domain::replenishment::AbcClass>,
}

/// Per product code, the 30-day sales and class of each of `stores` that sold it.
pub fn sales_30d(conn: &Connection, stores: &[String]) -> duckdb::Result<std::collections::BTreeMap<String, StoreSales>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.producto_codigo, c.ubicacion_id, c.venta_30d, c.clase_abc, coalesce(p.descripcion, 'Producto ' || c.producto_codigo), p.categoria
         FROM productos_abc_tienda c LEFT JOIN productos_v p ON p.codigo = c.producto_codigo
         WHERE list_contains((SELECT string_split(?, chr(31))), c.ubicacion_id) AND coalesce(p.activo, true)",
    )?;
    let mut out: std::collections::BTreeMap<String, StoreSales> = std::collections::BTreeMap::new();
    let mut rows = stmt.query([stores.join("\u{1f}")])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let store: String = r.get(1)?;
        let e = out.entry(code).or_insert_with(|| StoreSales {
            descripcion: r.get(4).unwrap_or_default(),
            categoria: r.get(5).ok().flatten(),
            ..Default::default()
        });
        e.ventas.insert(store.clone(), r.get(2)?);
        if let Some(c) = crate::domain::replenishment::AbcClass::parse(&r.get::<_, String>(3)?) {
            e.clases.insert(store, c);
        }
    }
    Ok(out)
}
