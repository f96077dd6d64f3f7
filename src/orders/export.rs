//! Files people take out of Fluxion (spec 30 §13): the saved order as a real `.xlsx` and the
//! arrival verification as CSV. Both show what the user ordered, never the suggestion in its
//! place (the original's step-2 export used the suggestion whenever the user typed 0).

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::Verification;
use crate::appdb::inter_cedi_orders::Order as InterCediOrder;
use crate::appdb::orders::Order;
use crate::domain::orders::ArrivalStatus;

const HEADER_BLUE: u32 = 0x4472C4;

/// Row fill of a line by ABC class (§13); no class counts as D.
fn class_fill(class: Option<&str>) -> u32 {
    match class {
        Some("A") => 0xE8F5E9,
        Some("B") => 0xFFF9C4,
        Some("C") => 0xFFE0B2,
        _ => 0xF5F5F5,
    }
}

/// `PS-00012.xlsx` ("/" would make a path; the spec replaces it by "-").
pub fn order_file_name(numero: &str) -> String {
    format!("{}.xlsx", numero.replace('/', "-"))
}

/// The saved order's workbook: title, context line, then one row per line sorted by class
/// and description, filled by class.
pub fn order_xlsx(order: &Order) -> Result<Vec<u8>, XlsxError> {
    let h = &order.header;
    let context = format!(
        "Tienda: {} | CEDI: {} | Fecha: {} | Cobertura: {}d",
        h.tienda_destino_nombre, h.cedi_origen_nombre, h.fecha_pedido, h.dias_cobertura
    );
    order_sheet(order, &format!("Pedido: {}", h.numero_pedido), &context, false)
}

/// `PS-00042-3_multitienda.xlsx` (spec 31 §2.11).
pub fn multi_store_file_name(numero: &str) -> String {
    format!("{}_multitienda.xlsx", numero.replace('/', "-"))
}

/// The workbook of an order saved by a multi-store batch (spec 31 §2.11): its number and
/// group, store, CEDI and date, the lines by class then description, and "Ajustado DPD+U"
/// where DPD+U (or the buyer in the conflict step) changed the quantity. None when the order
/// has no included line.
pub fn multi_store_xlsx(order: &Order) -> Result<Option<Vec<u8>>, XlsxError> {
    let h = &order.header;
    if !order.lineas.iter().any(|l| l.incluido && l.cantidad_pedida_bultos > 0) {
        return Ok(None);
    }
    let group = h.grupo_pedido_id.as_deref().map(|g| format!(" (Grupo: {g})")).unwrap_or_default();
    let title = format!("Pedido Multi-Tienda: {}{group}", h.numero_pedido);
    let context = format!("Tienda: {} | CEDI: {} | Fecha: {}", h.tienda_destino_nombre, h.cedi_origen_nombre, h.fecha_pedido);
    order_sheet(order, &title, &context, true).map(Some)
}

/// One sheet "Pedido": title, context, header on row 4, the ordered lines by class then
/// description, filled by class; with `observation`, a last column marking DPD+U lines.
/// Row 0 the title (merged over the columns), row 1 the context, row 3 the blue header with
/// each column's width: the layout of every order workbook.
fn titled_header(sheet: &mut Worksheet, title: &str, context: &str, columns: &[(&str, f64)]) -> Result<(), XlsxError> {
    let title_format = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Left);
    sheet.merge_range(0, 0, 0, columns.len() as u16 - 1, title, &title_format)?;
    sheet.write_string(1, 0, context)?;
    let header = Format::new().set_bold().set_font_color(Color::White).set_background_color(Color::RGB(HEADER_BLUE));
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *name, &header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    Ok(())
}

fn order_sheet(order: &Order, title_text: &str, context: &str, observation: bool) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pedido")?;
    let mut columns = vec!["Código", "Descripción", "Categoría", "ABC", "Cuadrante", "Unid/Bulto", "Stock", "Sugerido", "Pedido"];
    let mut widths = vec![12.0, 44.0, 22.0, 6.0, 16.0, 10.0, 10.0, 10.0, 10.0];
    match observation {
        true => {
            columns.extend(["Total", "Observación"]);
            widths.extend([11.0, 18.0]);
        }
        false => {
            columns.push("Total Unid");
            widths.push(11.0);
        }
    }
    let columns: Vec<(&str, f64)> = columns.into_iter().zip(widths).collect();
    titled_header(sheet, title_text, context, &columns)?;
    let mut lines: Vec<_> = order.lineas.iter().filter(|l| l.incluido && l.cantidad_pedida_bultos > 0).collect();
    let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "D".into());
    lines.sort_by(|a, b| {
        class(&a.clasificacion_abc).cmp(&class(&b.clasificacion_abc)).then(a.descripcion_producto.cmp(&b.descripcion_producto))
    });
    for (i, l) in lines.iter().enumerate() {
        let row = 4 + i as u32;
        let fill = Format::new().set_background_color(Color::RGB(class_fill(l.clasificacion_abc.as_deref())));
        let cuadrante = l.cuadrante_producto.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| "NO ESPECIFICADO".into());
        sheet.write_string_with_format(row, 0, &l.codigo_producto, &fill)?;
        sheet.write_string_with_format(row, 1, &l.descripcion_producto, &fill)?;
        sheet.write_string_with_format(row, 2, l.categoria.as_deref().unwrap_or(""), &fill)?;
        sheet.write_string_with_format(row, 3, class(&l.clasificacion_abc), &fill)?;
        sheet.write_string_with_format(row, 4, &cuadrante, &fill)?;
        sheet.write_number_with_format(row, 5, l.cantidad_bultos, &fill)?;
        sheet.write_number_with_format(row, 6, l.stock_tienda.unwrap_or(0.0), &fill)?;
        sheet.write_number_with_format(row, 7, l.cantidad_sugerida_bultos, &fill)?;
        sheet.write_number_with_format(row, 8, l.cantidad_pedida_bultos as f64, &fill)?;
        sheet.write_number_with_format(row, 9, l.cantidad_pedida_unidades, &fill)?;
        if observation {
            // The line's reason names DPD+U when the batch changed it (§2.11).
            let reason = l.razon_pedido.as_deref().unwrap_or("").to_lowercase();
            let note = if reason.contains("dpd") || reason.contains("conflicto") { "Ajustado DPD+U" } else { "" };
            sheet.write_string_with_format(row, 10, note, &fill)?;
        }
    }
    book.save_to_buffer()
}

/// `IC-00003.xlsx`, or `IC-00003_CEDI_SECO.xlsx` when filtered by origin (§3.10).
pub fn inter_cedi_file_name(numero: &str, origin: Option<&str>) -> String {
    match origin {
        Some(o) => format!("{}_{}.xlsx", numero.replace('/', "-"), o.to_uppercase()),
        None => format!("{}.xlsx", numero.replace('/', "-")),
    }
}

/// Light fills told apart by origin, in order of the origins' ids.
const ORIGIN_FILLS: [u32; 4] = [0xE3F2FD, 0xE8F5E9, 0xFFF3E0, 0xF3E5F5];

/// The inter-CEDI order's workbook (spec 31 §3.10): title, date / state / origin, header on
/// row 4, the lines by origin, class and description, filled by origin. None when no line
/// matches (the caller answers 404).
pub fn inter_cedi_xlsx(order: &InterCediOrder, origin: Option<&str>) -> Result<Option<Vec<u8>>, XlsxError> {
    let h = &order.header;
    let mut lines: Vec<_> = order.productos.iter().filter(|l| l.incluido && origin.is_none_or(|o| l.cedi_origen_id == o)).collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "D".into());
    lines.sort_by(|a, b| {
        a.cedi_origen_id
            .cmp(&b.cedi_origen_id)
            .then(class(&a.clasificacion_abc).cmp(&class(&b.clasificacion_abc)))
            .then(a.descripcion_producto.cmp(&b.descripcion_producto))
    });
    let mut origins: Vec<&str> = lines.iter().map(|l| l.cedi_origen_id.as_str()).collect();
    origins.dedup();
    let origin_name = match origin {
        Some(_) => lines[0].cedi_origen_nombre.clone(),
        None => "Todos".to_string(),
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pedido Inter-CEDI")?;
    let columns = [
        ("Código", 12.0),
        ("Descripción", 44.0),
        ("Categoría", 22.0),
        ("ABC", 6.0),
        ("CEDI Origen", 18.0),
        ("Demanda P75", 12.0),
        ("Tiendas", 8.0),
        ("Stock CEDI Destino", 14.0),
        ("Stock CEDI Origen", 14.0),
        ("Sugerido (Bultos)", 14.0),
        ("Pedido (Bultos)", 13.0),
        ("Unidades", 11.0),
    ];
    titled_header(
        sheet,
        &format!("Pedido Inter-CEDI: {} - {}", h.numero_pedido, h.cedi_destino_nombre),
        &format!("Fecha: {} | Estado: {} | CEDI Origen: {origin_name}", h.fecha_pedido, h.estado.id()),
        &columns,
    )?;
    for (i, l) in lines.iter().enumerate() {
        let row = 4 + i as u32;
        let k = origins.iter().position(|o| *o == l.cedi_origen_id).unwrap_or(0) % ORIGIN_FILLS.len();
        let fill = Format::new().set_background_color(Color::RGB(ORIGIN_FILLS[k]));
        sheet.write_string_with_format(row, 0, &l.codigo_producto, &fill)?;
        sheet.write_string_with_format(row, 1, &l.descripcion_producto, &fill)?;
        sheet.write_string_with_format(row, 2, l.categoria.as_deref().unwrap_or(""), &fill)?;
        sheet.write_string_with_format(row, 3, class(&l.clasificacion_abc), &fill)?;
        sheet.write_string_with_format(row, 4, &l.cedi_origen_nombre, &fill)?;
        sheet.write_number_with_format(row, 5, l.demanda_regional_p75.unwrap_or(0.0), &fill)?;
        sheet.write_number_with_format(row, 6, l.num_tiendas_region.unwrap_or(0) as f64, &fill)?;
        sheet.write_number_with_format(row, 7, l.stock_cedi_destino.unwrap_or(0.0), &fill)?;
        sheet.write_number_with_format(row, 8, l.stock_cedi_origen.unwrap_or(0.0), &fill)?;
        sheet.write_number_with_format(row, 9, l.cantidad_sugerida_bultos, &fill)?;
        sheet.write_number_with_format(row, 10, l.cantidad_pedida_bultos as f64, &fill)?;
        sheet.write_number_with_format(row, 11, l.total_unidades, &fill)?;
    }
    book.save_to_buffer().map(Some)
}

/// The inter-CEDI wizard's step 2 as its buyer sees it (spec 31 §3.8): the route, the date of
/// the calculation and the filter in force.
pub struct InterCediView<'a> {
    pub cedi_origen_nombre: &'a str,
    pub cedi_destino_nombre: &'a str,
    pub fecha: &'a str,
    /// The active filters in words ("Vista: seleccionados · ABC: A"); None when none.
    pub filtro: Option<&'a str>,
}

/// One row of that view: the server's figures for the product and the user's packs and note.
pub struct InterCediViewRow<'a> {
    pub codigo_producto: &'a str,
    pub descripcion_producto: &'a str,
    pub marca: Option<&'a str>,
    pub clasificacion_abc: &'a str,
    pub cuadrante: Option<&'a str>,
    pub prioridad: u8,
    pub demanda_regional_p75: f64,
    pub unidades_por_bulto: f64,
    pub stock_cedi_destino: f64,
    pub stock_cedi_origen: f64,
    pub cantidad_sugerida_bultos: u64,
    /// What the user typed in *A pedir* (0: not selected).
    pub cantidad_pedida_bultos: u64,
    pub notas: Option<&'a str>,
}

/// `inter-cedi_<origin>_<destination>_<YYYY-MM-DD>.xlsx`.
pub fn inter_cedi_view_file_name(origen_id: &str, destino_id: &str, fecha: &str) -> String {
    let safe = |s: &str| s.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect::<String>();
    format!("inter-cedi_{}_{}_{}.xlsx", safe(origen_id), safe(destino_id), safe(fecha))
}

/// The inter-CEDI wizard's step 2 workbook (sheet `Pedido Inter-CEDI`): title, route / date /
/// filter, header on row 4, then the rows in the order the user sees them with *A pedir* as
/// typed. Stocks in packs (1 decimal) like the screen.
pub fn inter_cedi_view_xlsx(view: &InterCediView<'_>, rows: &[InterCediViewRow<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pedido Inter-CEDI")?;
    let columns = [
        ("Incluido", 9.0),
        ("CEDI Origen", 18.0),
        ("Código", 12.0),
        ("Producto", 44.0),
        ("Marca", 16.0),
        ("ABC", 6.0),
        ("Cuadrante", 14.0),
        ("Prioridad", 9.0),
        ("P75 regional (u/día)", 12.0),
        ("Stock destino (bultos)", 12.0),
        ("Stock origen (bultos)", 12.0),
        ("Sugerido (bultos)", 11.0),
        ("A pedir (bultos)", 11.0),
        ("Unidades", 11.0),
        ("Notas", 30.0),
    ];
    let filtro = view.filtro.map(str::trim).filter(|f| !f.is_empty()).unwrap_or("ninguno");
    titled_header(
        sheet,
        &format!("Pedido Inter-CEDI (vista): {} → {}", view.cedi_origen_nombre, view.cedi_destino_nombre),
        &format!("Fecha del cálculo: {} | Filtro: {filtro} | Productos: {}", view.fecha, rows.len()),
        &columns,
    )?;
    let one = Format::new().set_num_format("0.0");
    let two = Format::new().set_num_format("0.00");
    for (i, r) in rows.iter().enumerate() {
        let row = 4 + i as u32;
        let upb = if r.unidades_por_bulto > 0.0 { r.unidades_por_bulto } else { 1.0 };
        sheet.write_string(row, 0, if r.cantidad_pedida_bultos > 0 { "Sí" } else { "No" })?;
        sheet.write_string(row, 1, view.cedi_origen_nombre)?;
        sheet.write_string(row, 2, r.codigo_producto)?;
        sheet.write_string(row, 3, r.descripcion_producto)?;
        sheet.write_string(row, 4, r.marca.unwrap_or(""))?;
        sheet.write_string(row, 5, r.clasificacion_abc)?;
        sheet.write_string(row, 6, r.cuadrante.unwrap_or(""))?;
        sheet.write_number(row, 7, f64::from(r.prioridad))?;
        sheet.write_number_with_format(row, 8, r.demanda_regional_p75, &two)?;
        sheet.write_number_with_format(row, 9, r.stock_cedi_destino / upb, &one)?;
        sheet.write_number_with_format(row, 10, r.stock_cedi_origen / upb, &one)?;
        sheet.write_number(row, 11, r.cantidad_sugerida_bultos as f64)?;
        sheet.write_number(row, 12, r.cantidad_pedida_bultos as f64)?;
        sheet.write_number(row, 13, r.cantidad_pedida_bultos as f64 * upb)?;
        sheet.write_string(row, 14, r.notas.unwrap_or(""))?;
    }
    book.save_to_buffer()
}

/// One destination of a multi-store batch as its buyer left it in step 4 (§2.11): sheet
/// `Pedido`, the engine's figures beside the packs, and whether DPD+U changed them.
fn multi_store_step_xlsx(rows: &[WizardRow<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pedido")?;
    let header = Format::new().set_bold().set_font_color(Color::White).set_background_color(Color::RGB(HEADER_BLUE));
    let one = Format::new().set_num_format("0.0");
    let two = Format::new().set_num_format("0.00");
    let columns = [
        "#",
        "Codigo",
        "Descripción",
        "Categoría",
        "ABC",
        "Cuadrante",
        "U/B",
        "P75 Unid/día",
        "Stock Tienda",
        "Días Stock",
        "Stock CEDI",
        "Pedido Bultos",
        "Pedido Unidades",
        "Ajustado DPD+U",
    ];
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
    }
    sheet.set_column_width(2, 42.0)?;
    for (i, r) in rows.iter().enumerate() {
        let (row, l) = (1 + i as u32, r.line);
        let upb = if l.cantidad_bultos > 0.0 { l.cantidad_bultos } else { 1.0 };
        let cuadrante = l.cuadrante_producto.as_ref().map(|c| c.as_str().trim()).filter(|c| !c.is_empty()).unwrap_or("NO ESPECIFICADO");
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, l.codigo_producto.as_str())?;
        sheet.write_string(row, 2, l.descripcion_producto.as_str())?;
        sheet.write_string(row, 3, l.categoria.as_ref().map_or("", |c| c.as_str()))?;
        sheet.write_string(row, 4, l.clasificacion_abc.map_or("D", |c| c.as_str()))?;
        sheet.write_string(row, 5, cuadrante)?;
        sheet.write_number(row, 6, upb)?;
        sheet.write_number_with_format(row, 7, l.prom_p75_unid, &two)?;
        sheet.write_number(row, 8, l.stock_tienda)?;
        if let Some(d) = per_day(l.stock_total, l.prom_p75_unid) {
            sheet.write_number_with_format(row, 9, d, &one)?;
        }
        sheet.write_number(row, 10, l.stock_cedi_origen)?;
        sheet.write_number(row, 11, r.packs as f64)?;
        sheet.write_number(row, 12, r.packs as f64 * upb)?;
        sheet.write_string(row, 13, if r.ajustado_dpdu { "Sí" } else { "No" })?;
    }
    book.save_to_buffer()
}

/// `verificacion_PS-00012_2026-11-26.csv`.
pub fn verification_file_name(numero: &str, fecha: &str) -> String {
    format!("verificacion_{}_{fecha}.csv", numero.replace('/', "-"))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Decimal comma for a Spanish-locale spreadsheet would collide with the comma separator, so
/// numbers keep the dot and the file says UTF-8 with a BOM (Excel opens it with accents).
pub fn verification_csv(v: &Verification, cedi_nombre: &str) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
        "Código".to_string(),
        "Descripción".into(),
        "ABC".into(),
        "Und/Bulto".into(),
        "Pedido".into(),
        "Stock Tienda".into(),
        format!("Stock {cedi_nombre}"),
        "Llegada".into(),
        "Diferencia".into(),
        "Estado".into(),
    ];
    out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for l in &v.lineas {
        let estado = match l.estado_llegada {
            ArrivalStatus::Completo => "Completo",
            ArrivalStatus::Parcial => "Parcial",
            ArrivalStatus::NoLlego => "No llegó",
        };
        let fields = [
            csv_field(&l.codigo_producto),
            csv_field(&l.descripcion_producto),
            l.clasificacion_abc.clone().unwrap_or_else(|| "D".into()),
            format!("{}", l.cantidad_bultos),
            l.cantidad_pedida_bultos.to_string(),
            format!("{}", l.stock_tienda_actual),
            format!("{}", l.stock_cedi_origen_actual),
            format!("{:.2}", l.total_llegadas_detectadas),
            format!("{:.2}", l.cantidad_pedida_bultos as f64 - l.total_llegadas_detectadas),
            estado.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Which wizard table is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WizardView {
    /// Step 2: the product grid (included rows, the user's sort).
    Pedido,
    /// Step 3: the planning view, by criticality.
    Planificacion,
    /// One destination of a multi-store batch, step 4 (spec 31 §2.11).
    MultiTienda,
}

/// One exported wizard row: the server's line and what the user chose.
pub struct WizardRow<'a> {
    pub line: &'a crate::domain::replenishment::Suggestion,
    pub packs: u64,
    pub nota: Option<String>,
    /// The packs came from DPD+U or the conflict step (multi-store only).
    pub ajustado_dpdu: bool,
}

/// `Pedido_<store name, non-alphanumerics → _>_<YYYY-MM-DD>.xlsx`.
pub fn wizard_file_name(store_name: &str, fecha: &str) -> String {
    let name: String = store_name.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
    format!("Pedido_{name}_{fecha}.xlsx")
}

fn per_day(units: f64, demand: f64) -> Option<f64> {
    (demand > 0.0).then(|| units / demand)
}

/// The wizard's grid or planning view as a workbook (sheet `Pedido`), rows in the given order.
pub fn wizard_xlsx(rows: &[WizardRow<'_>], view: WizardView) -> Result<Vec<u8>, XlsxError> {
    if view == WizardView::MultiTienda {
        return multi_store_step_xlsx(rows);
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pedido")?;
    let header = Format::new().set_bold().set_font_color(Color::White).set_background_color(Color::RGB(HEADER_BLUE));
    let one = Format::new().set_num_format("0.0");
    let two = Format::new().set_num_format("0.00");
    let columns: &[&str] = match view {
        // Written by `multi_store_step_xlsx` above.
        WizardView::MultiTienda => &[],
        WizardView::Pedido => &[
            "#",
            "Codigo",
            "Cod. Barra",
            "Descripción",
            "Cuadrante",
            "ABC",
            "Pedido Unidades",
            "U/B",
            "Unidad Pedido",
            "Pedido Bultos",
            "Stock Actual",
            "Stock Días",
            "Stock CEDI",
        ],
        WizardView::Planificacion => &[
            "#",
            "Código",
            "Cód. Barras",
            "Descripción",
            "Und/Bulto",
            "Unidad Pedido",
            "Criticidad",
            "Nivel",
            "P75 (b/día)",
            "ABC",
            "Stock (b)",
            "Días Stock",
            "Stock CEDI (b)",
            "SS (días)",
            "SS (bultos)",
            "ROP (días)",
            "ROP (bultos)",
            "MAX (días)",
            "MAX (bultos)",
            "Pedir (bultos)",
            "Pedir (unidades)",
            "Peso Total (kg)",
            "Notas",
        ],
    };
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
    }
    sheet.set_column_width(3, 42.0)?;
    for (i, r) in rows.iter().enumerate() {
        let (row, l) = (1 + i as u32, r.line);
        let upb = if l.cantidad_bultos > 0.0 { l.cantidad_bultos } else { 1.0 };
        let units = r.packs as f64 * upb;
        let text = |t: &Option<crate::domain::text::Text>| t.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default();
        let class = l.clasificacion_abc.map_or("D", |c| c.as_str());
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_string(row, 1, l.codigo_producto.as_str())?;
        sheet.write_string(row, 2, text(&l.codigo_barras))?;
        sheet.write_string(row, 3, l.descripcion_producto.as_str())?;
        match view {
            WizardView::Pedido => {
                sheet.write_string(row, 4, text(&l.cuadrante_producto))?;
                sheet.write_string(row, 5, class)?;
                sheet.write_number(row, 6, units)?;
                sheet.write_number(row, 7, upb)?;
                sheet.write_string(row, 8, l.unidad_pedido.as_str())?;
                sheet.write_number(row, 9, r.packs as f64)?;
                sheet.write_number(row, 10, l.stock_tienda)?;
                sheet.write_number_with_format(row, 11, (l.stock_dias_cobertura * 10.0).round() / 10.0, &one)?;
                sheet.write_number(row, 12, l.stock_cedi_origen)?;
            }
            WizardView::MultiTienda => {}
            WizardView::Planificacion => {
                let d = l.prom_p75_unid;
                let days = |u: f64| per_day(u, d);
                sheet.write_number(row, 4, upb)?;
                sheet.write_string(row, 5, l.unidad_pedido.as_str())?;
                sheet.write_string(row, 6, l.criticidad.etiqueta_criticidad.clone().unwrap_or_default())?;
                if let Some(n) = l.criticidad.nivel_criticidad {
                    sheet.write_number(row, 7, f64::from(n))?;
                }
                sheet.write_number_with_format(row, 8, d / upb, &two)?;
                sheet.write_string(row, 9, class)?;
                sheet.write_number_with_format(row, 10, l.stock_tienda / upb, &one)?;
                if let Some(x) = l.criticidad.dias_stock {
                    sheet.write_number_with_format(row, 11, x, &one)?;
                }
                sheet.write_number_with_format(row, 12, l.stock_cedi_origen / upb, &one)?;
                for (k, units) in [(13u16, l.stock_seguridad), (15, l.punto_reorden), (17, l.stock_maximo)] {
                    if let Some(x) = days(units) {
                        sheet.write_number_with_format(row, k, x, &one)?;
                    }
                    sheet.write_number_with_format(row, k + 1, units / upb, &one)?;
                }
                sheet.write_number(row, 19, r.packs as f64)?;
                sheet.write_number(row, 20, units)?;
                sheet.write_number_with_format(row, 21, units * l.peso_unidad / 1000.0, &one)?;
                sheet.write_string(row, 22, r.nota.clone().unwrap_or_default())?;
            }
        }
    }
    book.save_to_buffer()
}
