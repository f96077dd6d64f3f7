//! The store sales table as `.xlsx` (spec 40 §6.2): *Resumen Ventas* (every row the filters
//! keep, with the table's metrics) and *Ventas Diarias* (one row per product, one column
//! per date, newest first, with the period's ABC and rank).

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::SalesLine;

const HEADER_BLUE: u32 = 0x4472C4;
const WEEKDAYS: [&str; 7] = ["Dom", "Lun", "Mar", "Mié", "Jue", "Vie", "Sáb"];

/// `ventas_<tienda>_<inicio>_<fin>.xlsx`.
pub fn file_name(store: &str, desde: NaiveDate, hasta: NaiveDate) -> String {
    format!("ventas_{store}_{desde}_{hasta}.xlsx")
}

pub fn sales_xlsx(lines: &[SalesLine<'_>], desde: NaiveDate, hasta: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_font_color(Color::White).set_background_color(Color::RGB(HEADER_BLUE));
    let number = Format::new().set_num_format("#,##0.00");
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Resumen Ventas")?;
        let mut columns: Vec<String> = [
            "Rank",
            "Código",
            "Descripción",
            "Categoría",
            "Marca",
            "Unidades",
            "Ventas USD",
            "% total",
            "Prom. diario",
            "P75",
            "Bultos/día",
            "Q15 %",
            "ABC periodo",
            "Velocidad",
            "Stock",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        columns.extend(WEEKDAYS.iter().map(|d| format!("P75 {d}")));
        for (c, name) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, name, &header)?;
        }
        sheet.set_column_width(2, 44)?;
        sheet.set_column_width(3, 20)?;
        for (i, l) in lines.iter().enumerate() {
            let (r, p) = (1 + i as u32, l.producto);
            sheet.write_number(r, 0, l.rank as f64)?;
            sheet.write_string(r, 1, &p.codigo_producto)?;
            sheet.write_string(r, 2, &p.descripcion)?;
            sheet.write_string(r, 3, p.categoria.as_deref().unwrap_or("SIN CATEGORIA"))?;
            sheet.write_string(r, 4, p.marca.as_deref().unwrap_or(""))?;
            for (c, v) in [(5, p.cantidad_total), (6, p.venta_total), (7, l.porcentaje_total), (8, p.promedio_diario)] {
                sheet.write_number_with_format(r, c, v, &number)?;
            }
            if let Some(v) = p.p75 {
                sheet.write_number_with_format(r, 9, v, &number)?;
            }
            sheet.write_number_with_format(r, 10, p.promedio_bultos_diario, &number)?;
            sheet.write_number(r, 11, p.q15_pct)?;
            sheet.write_string(r, 12, l.clase_abc_periodo)?;
            sheet.write_string(r, 13, p.velocidad_venta.as_str())?;
            sheet.write_number_with_format(r, 14, p.stock_actual, &number)?;
            for (wd, v) in p.p75_dia_semana.iter().enumerate() {
                if let Some(v) = v {
                    sheet.write_number_with_format(r, 15 + wd as u16, *v, &number)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 3)?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name("Ventas Diarias")?;
        let mut dates: Vec<NaiveDate> = Vec::new();
        let mut d = hasta;
        while d >= desde {
            dates.push(d);
            d -= chrono::Duration::days(1);
        }
        for (c, name) in ["Código", "Descripción", "ABC periodo", "Rank"].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *name, &header)?;
        }
        for (i, d) in dates.iter().enumerate() {
            sheet.write_string_with_format(0, 4 + i as u16, d.format("%Y-%m-%d").to_string(), &header)?;
        }
        sheet.set_column_width(1, 40)?;
        for (i, l) in lines.iter().enumerate() {
            let (r, p) = (1 + i as u32, l.producto);
            sheet.write_string(r, 0, &p.codigo_producto)?;
            sheet.write_string(r, 1, &p.descripcion)?;
            sheet.write_string(r, 2, l.clase_abc_periodo)?;
            sheet.write_number(r, 3, l.rank as f64)?;
            for (fecha, units) in p.dias.iter().filter(|(f, _)| *f >= desde && *f <= hasta) {
                // Newest first: the column of a date is its distance from the end.
                sheet.write_number(r, 4 + (hasta - *fecha).num_days() as u16, *units)?;
            }
        }
        sheet.set_freeze_panes(1, 2)?;
    }
    book.save_to_buffer()
}
