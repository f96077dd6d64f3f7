//! Product → origin CEDI (spec 31 §1.2) on the `tiny` chain's catalogue: the tenant's
//! cuadrante and category rules come first, in order, then the stock rules, else the previous
//! origin, else the default — every product checked against that order in SQL; and a
//! configuration whose rule names neither or both attributes is refused by name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::{spawn_app, write_tenant};
use fluxion::config::{AttributeRule, DistributionSection, OriginRule, Tenant};

fn rule(cedi: &str, cuadrante: Option<&str>, categoria: Option<&str>) -> AttributeRule {
    AttributeRule { cedi: cedi.into(), cuadrante: cuadrante.map(str::to_string), categoria: categoria.map(str::to_string) }
}

#[tokio::test]
async fn cuadrante_and_category_rules_come_first_then_stock_then_the_default() {
    let app = spawn_app(true).await;
    let d = DistributionSection {
        default_origin: Some("cedi_seco".into()),
        // Cuadrante exact whatever the case; category contained, whatever the case.
        origin_by_attribute: vec![rule("cedi_frio", Some(" cuadrante vi "), None), rule("cedi_frio", None, Some("lacteo"))],
        origin_by_stock: vec![OriginRule { cedi: "cedi_seco".into(), when: "positive".into() }],
        frozen_cuadrantes: None,
        frozen_category_words: None,
    };
    let changed = app.state.warehouse.write(|c| fluxion::etl::load::recompute_cedi_origen(c, &d)).unwrap();
    assert!(changed > 0);
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(
            "SELECT p.codigo, p.cuadrante, coalesce(p.categoria, ''), p.cedi_origen_id,
                    EXISTS (SELECT 1 FROM inventario_actual i WHERE i.ubicacion_id = 'cedi_seco' AND i.producto_codigo = p.codigo AND i.cantidad > 0)
             FROM productos p",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, bool)> =
        stmt.query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?))).unwrap().map(Result::unwrap).collect();
    let (mut by_cuadrante, mut by_category) = (0, 0);
    for (code, cuadrante, categoria, origin, in_seco) in &rows {
        let expected = if cuadrante.trim().eq_ignore_ascii_case("CUADRANTE VI") {
            by_cuadrante += 1;
            "cedi_frio"
        } else if categoria.to_uppercase().contains("LACTEO") {
            by_category += 1;
            "cedi_frio"
        } else if *in_seco {
            "cedi_seco"
        } else {
            // Neither rule: the origin it had, which the generator set to its family's CEDI.
            continue;
        };
        assert_eq!(origin, expected, "{code} ({cuadrante}, {categoria})");
    }
    assert!(by_cuadrante > 0 && by_category > 0, "the tiny catalogue has charcutería (CUADRANTE VI) and lácteos");
    // Run again: nothing changes.
    assert_eq!(app.state.warehouse.write(|c| fluxion::etl::load::recompute_cedi_origen(c, &d)).unwrap(), 0);
}

#[test]
fn a_rule_naming_neither_or_both_attributes_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let base = fluxion::sources::synthetic::demo_tenant_toml(fluxion::sources::synthetic::Scale::Tiny, 0);
    assert!(base.contains("\n[distribution]\n"));
    let bad = base.replace(
        "\n[distribution]\n",
        "\n[distribution]\norigin_by_attribute = [{ cedi = \"cedi_seco\" }, { cedi = \"cedi_luna\", cuadrante = \"X\", categoria = \"Y\" }]\n",
    );
    let path = write_tenant(dir.path(), &bad);
    let err = Tenant::load(&path).unwrap_err().to_string();
    assert!(err.contains("distribution.origin_by_attribute[0].cuadrante"), "{err}");
    assert!(err.contains("distribution.origin_by_attribute[1].cedi"), "{err}");
    assert!(err.contains("distribution.origin_by_attribute[1].cuadrante"), "{err}");
}
