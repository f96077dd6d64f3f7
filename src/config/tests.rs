use super::*;

const TEMPLATE: &str = include_str!("../../tenant-template/tenant.toml");

/// The values an operator would type over the template's placeholders.
pub(crate) fn filled_template() -> String {
    [
        ("<tenant-id>", "granja"),
        ("<Nombre de la cadena>", "Cadena Ejemplo"),
        ("<subdominio>", "granja"),
        ("<klk-host>", "10.0.0.5"),
        ("<port>", "7002"),
        ("<NOMBRE TIENDA 01>", "TIENDA NORTE"),
        ("<SUC001>", "SUC001"),
        ("<APP-TPF>", "APP-TPF"),
        ("<PCDICS>", "PCDICS"),
        ("<cedi-sql-host>", "10.0.0.9"),
        ("<0101>", "0101"),
        ("<smtp-host>", "smtp.example.com"),
        ("<operaciones@example.com>", "ops@example.com"),
    ]
    .iter()
    .fold(TEMPLATE.to_string(), |text, (from, to)| text.replace(from, to))
}

pub(crate) const GOOD_SECRETS: &str = "[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n\n[stellar_credentials.stellar_default]\nusername = \"u\"\npassword = \"p\"\n";

fn write_secrets(dir: &Path, text: &str) {
    let p = dir.join("secrets.toml");
    std::fs::write(&p, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn load(text: &str, secrets: &str) -> Result<Tenant, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    write_secrets(dir.path(), secrets);
    let path = dir.path().join("tenant.toml");
    std::fs::write(&path, text).unwrap();
    Tenant::load(&path)
}

fn problems(text: &str) -> Vec<String> {
    match load(text, GOOD_SECRETS) {
        Ok(_) => vec![],
        Err(e) => e.lines(),
    }
}

fn has(problems: &[String], key: &str, fragment: &str) -> bool {
    problems.iter().any(|p| p.starts_with(&format!("{key}: ")) && p.contains(fragment))
}

#[test]
fn filled_template_is_valid() {
    let t = load(&filled_template(), GOOD_SECRETS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.id(), "granja");
    assert_eq!(t.timezone, chrono_tz::America::Caracas);
    assert_eq!(t.stores().len(), 3);
    assert!(t.data_dir.ends_with("data"));
    assert_eq!(t.secrets.jwt_key().unwrap().len(), 32);
}

#[test]
fn unfilled_template_names_every_placeholder() {
    let p = problems(TEMPLATE);
    assert!(has(&p, "tenant.display_name", "placeholder"), "{p:#?}");
    assert!(has(&p, "server.public_url", "placeholder"), "{p:#?}");
    assert!(has(&p, "stores[0].klk.sucursal", "placeholder"), "{p:#?}");
    assert!(has(&p, "stores[2].stellar.host", "placeholder"), "{p:#?}");
}

#[test]
fn every_class_of_error_is_reported_together_with_its_key() {
    let broken = filled_template()
        .replace("id                 = \"granja\"", "id                 = \"Granja!\"")
        .replace("timezone           = \"America/Caracas\"", "timezone           = \"America/Caraca\"")
        .replace("currency           = \"USD\"", "currency           = \"usd\"")
        .replace("primary_color   = \"#10b981\"", "primary_color   = \"green\"")
        .replace("opening            = \"07:00\"", "opening            = \"7am\"")
        .replace("closing            = \"21:00\"", "closing            = \"24:00\"")
        .replace("region             = \"VALENCIA\"", "region             = \"ORIENTE\"")
        .replace("tipo               = \"piso_venta\"", "tipo               = \"bodega\"")
        .replace("ventas                  = { cron = \"0 6-22 * * *\"", "ventas                  = { cron = \"0 6-22 * *\"")
        .replace("allowed_hosts    = [\"granja.example.com\"]", "allowed_hosts    = [\"otro.example.com\"]")
        .replace("sucursal       = \"SUC001\"", "")
        .replace("id              = \"cedi_seco\"", "id              = \"cedi_caracas\"");
    let p = problems(&broken);
    for (key, fragment) in [
        ("tenant.id", "^[a-z0-9-]"),
        ("tenant.timezone", "IANA"),
        ("tenant.currency", "ISO-4217"),
        ("branding.primary_color", "#RRGGBB"),
        ("stores[0].opening", "HH:MM"),
        ("stores[0].closing", "HH:MM"),
        ("stores[0].region", "ORIENTE"),
        ("stores[0].klk.almacenes[0].tipo", "bodega"),
        ("schedules.ventas.cron", "5"),
        ("server.allowed_hosts", "public_url"),
        ("stores[0].klk.sucursal", "required"),
        ("stores[2].id", "declared twice"),
        // The renamed CEDI leaves the template's route and origin rule without their CEDI.
        ("routes[0].origin", "cedi_seco"),
        ("distribution.origin_by_stock[0].cedi", "cedi_seco"),
        ("distribution.default_origin", "cedi_seco"),
    ] {
        assert!(has(&p, key, fragment), "missing {key} ({fragment}) in {p:#?}");
    }
    assert_eq!(p.len(), 15, "one problem per mistake: {p:#?}");
}

#[test]
fn origin_rules_name_declared_cedis_and_need_a_default() {
    let broken = filled_template().replace(
        "origin_by_stock = [\n  { cedi = \"cedi_seco\", when = \"positive\" },\n]",
        "origin_by_stock = [{ cedi = \"tienda_01\", when = \"present\" }, { cedi = \"cedi_seco\", when = \"siempre\" }]",
    );
    let p = problems(&broken);
    assert!(has(&p, "distribution.origin_by_stock[0].cedi", "tienda_01"), "{p:#?}");
    assert!(has(&p, "distribution.origin_by_stock[1].when", "siempre"), "{p:#?}");
    let no_default = filled_template().replace("default_origin  = \"cedi_seco\"\n", "");
    assert!(has(&problems(&no_default), "distribution.default_origin", "required"));
}

#[test]
fn routes_join_two_declared_cedis_with_settings_in_range() {
    let broken = format!(
        "{}\n[[routes]]\norigin = \"cedi_caracas\"\ndestination = \"cedi_caracas\"\nfrecuencia_viajes = \"Domingo\"\n\n\
         [[routes]]\norigin = \"tienda_01\"\ndestination = \"cedi_caracas\"\ndias_cobertura_b = 91\n",
        filled_template()
    );
    let p = problems(&broken);
    assert!(has(&p, "routes[1].destination", "two different CEDIs"), "{p:#?}");
    assert!(has(&p, "routes[1].frecuencia_viajes", "Domingo"), "{p:#?}");
    assert!(has(&p, "routes[2].origin", "tienda_01"), "{p:#?}");
    assert!(has(&p, "routes[2].dias_cobertura_b", "1 y 90"), "{p:#?}");
    let t = load(&filled_template(), GOOD_SECRETS).unwrap_or_else(|e| panic!("{e}"));
    let r = t.route("cedi_seco", "cedi_caracas").unwrap();
    assert_eq!((r.settings.dias_cobertura_a, r.settings.lead_time_dias, r.frecuencia_viajes.as_str()), (12, 2.0, "Mar,Jue,Sab"));
    assert!(t.route("cedi_caracas", "cedi_seco").is_none(), "a route has a direction");
}

#[test]
fn unknown_keys_are_refused_with_their_name() {
    let p = problems(&filled_template().replace("[auth]\n", "[auth]\ntoken_ttl = 5\n"));
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("token_ttl"), "{p:?}");
}

#[test]
fn secrets_problems_are_reported() {
    let p = match load(&filled_template(), "[auth]\njwt_secret = \"abcd\"\n") {
        Err(e) => e.lines(),
        Ok(_) => panic!("short secret accepted"),
    };
    assert!(
        p.iter().any(|l| l.contains("auth.jwt_secret") && l.contains("32 bytes") && l.contains("hex") && l.contains("base64")),
        "the message names both accepted forms: {p:#?}"
    );
    assert!(p.iter().any(|l| l.contains("stores[2].stellar.credentials")), "{p:#?}");
}

#[cfg(unix)]
#[test]
fn world_readable_secrets_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write_secrets(dir.path(), GOOD_SECRETS);
    std::fs::set_permissions(dir.path().join("secrets.toml"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = dir.path().join("tenant.toml");
    std::fs::write(&path, filled_template()).unwrap();
    let lines = Tenant::load(&path).unwrap_err().lines();
    assert!(lines.iter().any(|l| l.contains("chmod 600")), "{lines:#?}");
}

#[test]
fn hhmm_parsing() {
    assert!(validate::parse_hhmm("00:00").is_some());
    assert!(validate::parse_hhmm("23:59").is_some());
    assert!(validate::parse_hhmm("24:00").is_none());
    assert!(validate::parse_hhmm("7:00").is_none());
}

#[test]
fn enabled_email_takes_a_named_sender_and_refuses_a_non_address() {
    let enabled = filled_template().replace("enabled    = false                       # SMTP", "enabled    = true # SMTP");
    assert!(enabled.contains("enabled    = true # SMTP"), "template line changed");
    assert!(problems(&enabled).is_empty(), "{:#?}", problems(&enabled));
    let named = enabled.replace("Fluxion <notificaciones@example.com>", "Fluxion Cadena <alertas@cadena.com.ve>");
    assert!(problems(&named).is_empty(), "{:#?}", problems(&named));
    let broken = enabled.replace("Fluxion <notificaciones@example.com>", "alertas de la cadena");
    assert!(has(&problems(&broken), "notifications.email.from", "not a sender address"), "{:#?}", problems(&broken));
}

/// Spec 50 §3.3 and the onboarding runbook write the key as 32 random bytes in base64.
#[test]
fn a_base64_jwt_secret_is_accepted() {
    let secrets = GOOD_SECRETS
        .replace("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=");
    let t = load(&filled_template(), &secrets).expect("base64 key accepted");
    assert_eq!(t.secrets.jwt_key().map(|k| k.len()), Some(32));
}

/// A file-only tenant (`pos = "none"` everywhere) may leave `[pos.klk]` as the template
/// has it; the same placeholder is an error as soon as one location uses KLK.
#[test]
fn settings_of_an_unused_pos_are_optional() {
    let with_klk_placeholder = filled_template().replace("http://10.0.0.5:7002", "http://<klk-host>:<port>");
    let files_only = with_klk_placeholder.replace("pos                = \"klk\"", "pos                = \"none\"");
    let files_only = files_only.replace("pos             = \"klk\"", "pos             = \"none\"");
    let files_only = files_only.replace("pos             = \"stellar\"", "pos             = \"none\"");
    assert!(!files_only.contains("= \"klk\"") && !files_only.contains("= \"stellar\""), "every location is file-only");
    assert_eq!(problems(&files_only), Vec::<String>::new());
    assert!(has(&problems(&with_klk_placeholder), "pos.klk.base_url", "placeholder"));
}

#[test]
fn maintenance_windows_become_a_typed_schedule_for_the_domain() {
    let window =
        |start: &str, end: &str, days: &str| MaintenanceWindow { start: start.into(), end: end.into(), days: days.into(), message: None };
    let m = Maintenance {
        enabled: true,
        message: Some("Volvemos pronto".into()),
        windows: vec![window("23:00", "02:00", "sat, sun"), window("01:00", "06:30", "daily")],
    };
    let s = m.schedule();
    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert!(s.enabled);
    assert_eq!(s.message.as_deref(), Some("Volvemos pronto"));
    assert_eq!((s.windows[0].start, s.windows[0].end), (t(23, 0), t(2, 0)));
    assert_eq!(s.windows[0].days, vec![chrono::Weekday::Sat, chrono::Weekday::Sun]);
    assert_eq!((s.windows[1].end, s.windows[1].days.len()), (t(6, 30), 0), "daily = every day");
}

#[test]
fn pos_kinds_round_trip_and_only_klk_and_stellar_are_extracted() {
    for k in [PosKind::Klk, PosKind::Stellar, PosKind::None] {
        assert_eq!(PosKind::parse(k.id()), Some(k));
    }
    assert_eq!(PosKind::parse("KLK"), None, "tenant.toml values are lower-case");
    assert!(PosKind::Klk.is_extracted() && PosKind::Stellar.is_extracted() && !PosKind::None.is_extracted());
}

/// "Today" and local time follow the tenant's zone at any instant: Caracas (UTC−4 all year)
/// and Santiago around its September 2026 change (00:00 → 01:00, UTC−4 → UTC−3) and its
/// April 2026 change (00:00 → 23:00 of the day before, UTC−3 → UTC−4).
#[test]
fn local_time_follows_the_zone_and_its_daylight_saving_changes() {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let local = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let caracas = load(&filled_template(), GOOD_SECRETS).unwrap();
    let santiago = load(
        &filled_template().replace("timezone           = \"America/Caracas\"", "timezone           = \"America/Santiago\""),
        GOOD_SECRETS,
    )
    .unwrap();
    assert_eq!(santiago.timezone, chrono_tz::America::Santiago);
    // 23:30 local the evening before the change is still that day in both zones.
    assert_eq!(caracas.local_at(at("2026-09-06T03:30:00Z")), local("2026-09-05 23:30"));
    assert_eq!(santiago.local_at(at("2026-09-06T03:30:00Z")), local("2026-09-05 23:30"));
    // Half an hour after Santiago's midnight the clock already says 01:30 (00:xx never
    // happens that night); Caracas is at 00:30.
    assert_eq!(santiago.local_at(at("2026-09-06T04:30:00Z")), local("2026-09-06 01:30"));
    assert_eq!(caracas.local_at(at("2026-09-06T04:30:00Z")), local("2026-09-06 00:30"));
    // In April the hour 23:00–24:00 of the 4th happens twice; the date is the 4th both times.
    assert_eq!(santiago.local_at(at("2026-04-05T02:30:00Z")), local("2026-04-04 23:30"));
    assert_eq!(santiago.local_at(at("2026-04-05T03:30:00Z")), local("2026-04-04 23:30"));
    assert_eq!(santiago.local_at(at("2026-04-05T04:30:00Z")).date(), chrono::NaiveDate::from_ymd_opt(2026, 4, 5).unwrap());
}
