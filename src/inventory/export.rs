//! The store inventory table as `.xlsx`: every row the filters keep (no paging), with the
//! screen's columns.

use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::InventoryLine;

const HEADER_BLUE: u32 = 0x4472C4;

/// `inventario_<ubicación>_<fecha>.xlsx`.
pub fn file_name(location: &str, fecha: chrono::NaiveDate) -> String {
    format!("inventario_{location}_{fecha}.xlsx")
}

pub fn table_xlsx(location_name: &str, fecha: chrono::NaiveDate, rows: &[&InventoryLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Inventario")?;
    sheet.write_string_with_format(
        0,
        0,
        format!("Inventario de {location_name} al {fecha}"),
        &Format::new().set_bold().set_font_size(14),
    )?;
    let header = Format::new().set_bold().set_font_color(Color::White).set_background_color(Color::RGB(HEADER_BLUE));
    let columns: [(&str, f64); 20] = [
        ("Código", 12.0),
        ("Descripción", 44.0),
        ("Categoría", 20.0),
        ("Marca", 16.0),
        ("Almacén", 16.0),
        ("Stock (unid)", 12.0),
        ("Bultos", 10.0),
        ("Unid/Bulto", 10.0),
        ("P75 (unid/día)", 13.0),
        ("ABC", 6.0),
        ("Rank", 7.0),
        ("SS", 10.0),
        ("ROP", 10.0),
        ("Máx", 10.0),
        ("Días cobertura", 13.0),
        ("Estado", 12.0),
        ("Clasificación", 13.0),
        ("Velocidad", 11.0),
        ("Stock CEDI", 11.0),
        ("Peso total (kg)", 13.0),
    ];
    for (c, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *name, &header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    let number = Format::new().set_num_format("#,##0.00");
    for (i, l) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, &l.codigo_producto)?;
        sheet.write_string(r, 1, &l.descripcion)?;
        sheet.write_string(r, 2, l.categoria.as_deref().unwrap_or("SIN CATEGORIA"))?;
        sheet.write_string(r, 3, l.marca.as_deref().unwrap_or(""))?;
        sheet.write_string(r, 4, l.almacen_nombre.as_str())?;
        for (c, v) in [(5, l.stock), (6, l.bultos), (7, l.unidades_por_bulto), (8, l.p75)] {
            sheet.write_number_with_format(r, c, v, &number)?;
        }
        sheet.write_string(r, 9, l.clase_abc.map_or("SIN_VENTAS", |c| c.as_str()))?;
        if let Some(rank) = l.rank_ventas {
            sheet.write_number(r, 10, f64::from(rank))?;
        }
        for (c, v) in [(11, l.niveles.stock_seguridad), (12, l.niveles.punto_reorden), (13, l.niveles.stock_maximo)] {
            sheet.write_number_with_format(r, c, v, &number)?;
        }
        if let Some(d) = l.dias_cobertura_actual {
            sheet.write_number_with_format(r, 14, d, &number)?;
        }
        sheet.write_string(r, 15, l.estado_criticidad.as_str())?;
        sheet.write_string(r, 16, l.clasificacion_producto.map_or("", |c| c.as_str()))?;
        sheet.write_string(r, 17, l.velocidad_venta.map_or("", |v| v.as_str()))?;
        sheet.write_number_with_format(r, 18, l.stock_cedi, &number)?;
        if let Some(kg) = l.peso_total_kg {
            sheet.write_number_with_format(r, 19, kg, &number)?;
        }
    }
    sheet.set_freeze_panes(3, 2)?;
    sheet.autofilter(2, 0, 2 + rows.len() as u32, 19)?;
    book.save_to_buffer()
}
