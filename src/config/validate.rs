//! Semantic checks of tenant.toml (spec 50 §5.3). Every check appends to one list so the
//! operator sees every problem in one run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

pub(super) const WAREHOUSE_KINDS: &[&str] = &["piso_venta", "principal", "procura", "produccion", "devoluciones", "merma"];
const WEEKDAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const ROLES: &[&str] = &["visualizador", "gerente_tienda", "gestor_abastecimiento", "gerente_general", "super_admin"];
const MAX_BRANDING_BYTES: u64 = 256 * 1024;

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn fail(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { key: key.into(), message: message.into() });
    }

    fn check(&mut self, ok: bool, key: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.fail(key, message);
        }
    }

    /// Template values look like `<klk-host>`: they must be replaced before use.
    fn filled(&mut self, key: &str, value: &str) -> bool {
        if value.contains('<') && value.contains('>') {
            self.fail(key, format!("placeholder {value:?} must be replaced with the real value"));
            return false;
        }
        true
    }

    fn time(&mut self, key: &str, value: &str) {
        if self.filled(key, value) && parse_hhmm(value).is_none() {
            self.fail(key, format!("{value:?} is not a time HH:MM (00-23:00-59)"));
        }
    }

    fn colour(&mut self, key: &str, value: &str) {
        let ok = value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit());
        self.check(ok, key, format!("{value:?} is not a colour #RRGGBB"));
    }

    fn one_of(&mut self, key: &str, value: &str, allowed: &[&str]) -> bool {
        let ok = allowed.contains(&value);
        self.check(ok, key, format!("{value:?} is not one of: {}", allowed.join(", ")));
        ok
    }

    fn http_url(&mut self, key: &str, value: &str) -> Option<String> {
        if !self.filled(key, value) {
            return None;
        }
        let host = url_host(value);
        if host.is_none() {
            self.fail(key, format!("{value:?} is not an http:// or https:// URL"));
        }
        host
    }
}

/// `HH:MM` with hours 00–23 and minutes 00–59.
pub fn parse_hhmm(value: &str) -> Option<chrono::NaiveTime> {
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Lower-cased host of an http(s) URL, without port.
fn url_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = if authority.starts_with('[') {
        authority.split(']').next()?.trim_start_matches('[').to_string()
    } else {
        authority.split(':').next()?.to_string()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn is_valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h == h.to_ascii_lowercase()
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn matches(value: &str, min: usize, max: usize, allowed: impl Fn(char) -> bool) -> bool {
    (min..=max).contains(&value.chars().count()) && value.chars().all(allowed)
}

pub fn is_valid_tenant_id(id: &str) -> bool {
    matches(id, 2, 32, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub fn is_valid_location_id(id: &str) -> bool {
    matches(id, 1, 50, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A 5-field cron expression (minute hour day month weekday).
pub fn parse_cron(expr: &str) -> Result<croner::Cron, String> {
    let fields = expr.split_whitespace().count();
    if fields != 5 {
        return Err(format!("{expr:?} has {fields} fields; expected 5 (minute hour day month weekday)"));
    }
    expr.parse::<croner::Cron>().map_err(|e| format!("{expr:?} is not a valid cron expression: {e}"))
}

pub(super) fn validate(file: &TenantFile, config_dir: &Path) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new() };
    c.check(
        file.schema_version >= 1 && file.schema_version <= SUPPORTED_SCHEMA_VERSION,
        "schema_version",
        format!("{} is not supported; this binary reads version {SUPPORTED_SCHEMA_VERSION}", file.schema_version),
    );
    tenant_section(&mut c, &file.tenant);
    server_section(&mut c, &file.server, config_dir);
    auth_section(&mut c, &file.auth);
    branding_section(&mut c, &file.branding, config_dir);
    maintenance_section(&mut c, &file.maintenance);
    // A file-only tenant may keep the template's [pos.klk] untouched.
    if let Some(klk) = file.pos.klk.as_ref().filter(|_| file.uses_pos(super::PosKind::Klk)) {
        c.http_url("pos.klk.base_url", &klk.base_url);
        c.check(klk.timeout_seconds > 0, "pos.klk.timeout_seconds", "must be greater than 0");
    }
    locations(&mut c, file);
    routes(&mut c, file);
    distribution(&mut c, file);
    schedules(&mut c, &file.schedules);
    notifications(&mut c, &file.notifications);
    c.one_of("backup.analytics_weekday", &file.backup.analytics_weekday, WEEKDAYS);
    for (i, a) in file.metrics.allow_from.iter().enumerate() {
        c.check(parse_ip_net(a).is_some(), format!("metrics.allow_from[{i}]"), format!("{a:?} is not an IP address or CIDR block"));
    }
    c.check(file.health.etl_max_age_minutes >= 1, "health.etl_max_age_minutes", "must be at least 1");
    for role in file.rbac.grant.keys() {
        c.one_of(&format!("rbac.grant.{role}"), role, ROLES);
    }
    c.problems
}

fn tenant_section(c: &mut Checker, t: &TenantSection) {
    c.check(is_valid_tenant_id(&t.id), "tenant.id", format!("{:?} must match ^[a-z0-9-]{{2,32}}$", t.id));
    c.check(!t.display_name.trim().is_empty(), "tenant.display_name", "must not be empty");
    c.filled("tenant.display_name", &t.display_name);
    c.check(
        t.timezone.parse::<chrono_tz::Tz>().is_ok(),
        "tenant.timezone",
        format!("{:?} is not an IANA time zone (e.g. America/Caracas)", t.timezone),
    );
    let currency_ok = |s: &str| s.len() == 3 && s.chars().all(|ch| ch.is_ascii_uppercase());
    c.check(currency_ok(&t.currency), "tenant.currency", format!("{:?} is not an ISO-4217 code (3 capital letters)", t.currency));
    if let Some(sc) = &t.secondary_currency {
        c.check(currency_ok(sc), "tenant.secondary_currency", format!("{sc:?} is not an ISO-4217 code (3 capital letters)"));
    }
    let locale_ok = t.locale.len() == 5
        && t.locale.as_bytes()[2] == b'-'
        && t.locale[..2].chars().all(|ch| ch.is_ascii_lowercase())
        && t.locale[3..].chars().all(|ch| ch.is_ascii_uppercase());
    c.check(locale_ok, "tenant.locale", format!("{:?} is not a locale like es-VE", t.locale));
}

fn server_section(c: &mut Checker, s: &ServerSection, config_dir: &Path) {
    c.check(
        s.listen.parse::<std::net::SocketAddr>().is_ok(),
        "server.listen",
        format!("{:?} is not an address:port such as 0.0.0.0:8443", s.listen),
    );
    let public_host = c.http_url("server.public_url", &s.public_url);
    c.check(!s.allowed_hosts.is_empty(), "server.allowed_hosts", "must list at least one host name");
    for (i, h) in s.allowed_hosts.iter().enumerate() {
        let key = format!("server.allowed_hosts[{i}]");
        if c.filled(&key, h) {
            let is_ip = h.parse::<std::net::IpAddr>().is_ok();
            c.check(is_ip || is_valid_hostname(h), key, format!("{h:?} is not a lower-case host name without scheme or port"));
        }
    }
    if let Some(host) = public_host {
        c.check(s.allowed_hosts.contains(&host), "server.allowed_hosts", format!("must contain the host of server.public_url ({host:?})"));
    }
    for (i, ip) in s.trust_proxy_from.iter().enumerate() {
        c.check(ip.parse::<std::net::IpAddr>().is_ok(), format!("server.trust_proxy_from[{i}]"), format!("{ip:?} is not an IP address"));
    }
    for (i, o) in s.cors_origins.iter().enumerate() {
        c.http_url(&format!("server.cors_origins[{i}]"), o);
    }
    if c.one_of("server.tls.mode", &s.tls.mode, &["off", "files"]) && s.tls.mode == "files" {
        for (name, value) in [("cert", &s.tls.cert), ("key", &s.tls.key)] {
            let key = format!("server.tls.{name}");
            match value {
                None => c.fail(key, "is required when server.tls.mode = \"files\""),
                Some(p) => c.check(config_dir.join(p).is_file(), key, format!("file {p:?} does not exist")),
            }
        }
    }
}

fn auth_section(c: &mut Checker, a: &AuthSection) {
    c.check((5..=10_080).contains(&a.token_ttl_minutes), "auth.token_ttl_minutes", "must be between 5 and 10080 (7 days)");
    c.check(a.login_max_failures >= 1, "auth.login_max_failures", "must be at least 1");
    c.check(a.lockout_minutes >= 1, "auth.lockout_minutes", "must be at least 1");
    c.check((8..=128).contains(&a.password_min_length), "auth.password_min_length", "must be between 8 and 128");
}

fn branding_section(c: &mut Checker, b: &BrandingSection, config_dir: &Path) {
    c.check(!b.app_title.trim().is_empty(), "branding.app_title", "must not be empty");
    c.colour("branding.primary_color", &b.primary_color);
    c.colour("branding.secondary_color", &b.secondary_color);
    for (name, value) in [("logo", &b.logo), ("favicon", &b.favicon)] {
        let Some(rel) = value else { continue };
        let key = format!("branding.{name}");
        let path: PathBuf = config_dir.join(rel);
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if !c.one_of(&key, &ext, &["png", "svg", "ico"]) {
            continue;
        }
        match std::fs::metadata(&path) {
            Err(_) => c.fail(key, format!("file {rel:?} does not exist (relative to the config folder)")),
            Ok(m) => c.check(m.len() <= MAX_BRANDING_BYTES, key, format!("file {rel:?} is larger than 256 KiB")),
        }
    }
}

fn maintenance_section(c: &mut Checker, m: &Maintenance) {
    for (i, w) in m.windows.iter().enumerate() {
        c.time(&format!("maintenance.windows[{i}].start"), &w.start);
        c.time(&format!("maintenance.windows[{i}].end"), &w.end);
        if w.days != "daily" {
            for d in w.days.split(',') {
                c.one_of(&format!("maintenance.windows[{i}].days"), d.trim(), WEEKDAYS);
            }
        }
    }
}

/// `[distribution]`: every rule names a declared CEDI and a known presence; rules need a
/// default origin.
fn distribution(c: &mut Checker, file: &TenantFile) {
    let is_cedi = |id: &str| file.stores.iter().any(|s| s.id == id && s.kind == "cedi");
    let d = &file.distribution;
    for (i, r) in d.origin_by_stock.iter().enumerate() {
        let k = |field: &str| format!("distribution.origin_by_stock[{i}].{field}");
        c.check(is_cedi(&r.cedi), k("cedi"), format!("{:?} is not a CEDI declared in [[stores]]", r.cedi));
        c.one_of(&k("when"), &r.when, super::ORIGIN_PRESENCE);
    }
    for (i, r) in d.origin_by_attribute.iter().enumerate() {
        let k = |field: &str| format!("distribution.origin_by_attribute[{i}].{field}");
        c.check(is_cedi(&r.cedi), k("cedi"), format!("{:?} is not a CEDI declared in [[stores]]", r.cedi));
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        c.check(
            given(&r.cuadrante) != given(&r.categoria),
            k("cuadrante"),
            "give exactly one of cuadrante (exact) or categoria (contained in the category)",
        );
    }
    match &d.default_origin {
        Some(o) => c.check(is_cedi(o), "distribution.default_origin", format!("{o:?} is not a CEDI declared in [[stores]]")),
        None => {
            c.check(!d.has_origin_rules(), "distribution.default_origin", "required when origin_by_attribute or origin_by_stock has rules")
        }
    }
}

/// `[[routes]]`: both ends declared CEDIs, distinct, one route per pair, settings in range.
fn routes(c: &mut Checker, file: &TenantFile) {
    let kinds: BTreeMap<&str, &str> = file.stores.iter().map(|s| (s.id.as_str(), s.kind.as_str())).collect();
    let mut pairs = BTreeSet::new();
    for (i, r) in file.routes.iter().enumerate() {
        let k = |field: &str| format!("routes[{i}].{field}");
        for (field, id) in [("origin", &r.origin), ("destination", &r.destination)] {
            c.check(kinds.get(id.as_str()) == Some(&"cedi"), k(field), format!("{id:?} is not a CEDI declared in [[stores]]"));
        }
        c.check(r.origin != r.destination, k("destination"), "a route joins two different CEDIs");
        c.check(pairs.insert((r.origin.as_str(), r.destination.as_str())), k("destination"), "this route is declared twice");
        if let Some(f) = &r.frecuencia_viajes {
            c.one_of(&k("frecuencia_viajes"), f, super::ROUTE_FREQUENCIES);
        }
        if let Err((field, message)) = r.resolved().settings.validate() {
            c.fail(k(field), message);
        }
    }
}

fn locations(c: &mut Checker, file: &TenantFile) {
    let mut region_ids = BTreeSet::new();
    for (i, r) in file.regions.iter().enumerate() {
        let key = format!("regions[{i}].id");
        c.check(!r.id.trim().is_empty(), &key, "must not be empty");
        c.check(region_ids.insert(r.id.as_str()), &key, format!("region {:?} is declared twice", r.id));
    }
    let kinds: BTreeMap<&str, &str> = file.stores.iter().map(|s| (s.id.as_str(), s.kind.as_str())).collect();
    for (i, r) in file.regions.iter().enumerate() {
        if let Some(cedi) = &r.cedi_reposicion {
            c.check(
                kinds.get(cedi.as_str()) == Some(&"cedi"),
                format!("regions[{i}].cedi_reposicion"),
                format!("{cedi:?} is not a CEDI declared in [[stores]]"),
            );
        }
    }

    let mut ids = BTreeSet::new();
    let mut warehouse_codes: BTreeMap<&str, String> = BTreeMap::new();
    c.check(file.stores.iter().any(|s| s.active), "stores", "at least one active location is required");
    for (i, s) in file.stores.iter().enumerate() {
        let k = |field: &str| format!("stores[{i}].{field}");
        c.check(is_valid_location_id(&s.id), k("id"), format!("{:?} must match ^[a-z0-9_]{{1,50}}$ (e.g. tienda_01, cedi_seco)", s.id));
        c.check(ids.insert(s.id.as_str()), k("id"), format!("location {:?} is declared twice", s.id));
        c.check(!s.name.trim().is_empty(), k("name"), "must not be empty");
        c.one_of(&k("kind"), &s.kind, &["tienda", "cedi"]);
        for (j, r) in s.order_recipients.iter().enumerate() {
            let key = format!("stores[{i}].order_recipients[{j}]");
            c.check(r.parse::<lettre::message::Mailbox>().is_ok(), key, format!("{r:?} is not an e-mail address"));
        }
        c.check(region_ids.contains(s.region.as_str()), k("region"), format!("region {:?} is not declared in [[regions]]", s.region));
        if let Some(d) = &s.go_live {
            c.check(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(), k("go_live"), format!("{d:?} is not a date YYYY-MM-DD"));
        }
        for (field, v) in [("opening", &s.opening), ("closing", &s.closing)] {
            if let Some(v) = v {
                c.time(&k(field), v);
            }
        }
        for (j, r) in s.serves_regions.iter().enumerate() {
            c.check(
                region_ids.contains(r.as_str()),
                k(&format!("serves_regions[{j}]")),
                format!("region {r:?} is not declared in [[regions]]"),
            );
        }
        if !s.serves_regions.is_empty() && s.kind != "cedi" {
            c.fail(k("serves_regions"), "only a CEDI serves regions");
        }
        let warehouses: Vec<(String, &Almacen)> = s
            .klk
            .iter()
            .flat_map(|kk| kk.almacenes.iter().enumerate().map(move |(j, a)| (format!("klk.almacenes[{j}]"), a)))
            .chain(s.almacenes.iter().enumerate().map(|(j, a)| (format!("almacenes[{j}]"), a)))
            .collect();
        for (path, a) in &warehouses {
            c.one_of(&k(&format!("{path}.tipo")), &a.tipo, WAREHOUSE_KINDS);
            if c.filled(&k(&format!("{path}.codigo")), &a.codigo) {
                c.check(!a.codigo.trim().is_empty(), k(&format!("{path}.codigo")), "must not be empty");
                if let Some(first) = warehouse_codes.insert(a.codigo.as_str(), k(path)) {
                    c.fail(k(&format!("{path}.codigo")), format!("warehouse code {:?} is already used by {first}", a.codigo));
                }
            }
        }
        if c.one_of(&k("pos"), &s.pos, &["klk", "stellar", "none"]) && s.active {
            pos_requirements(c, file, s, i);
        }
        if let Some(p) = &s.params {
            if let Some(lt) = p.lead_time_days {
                c.check(lt > 0.0 && lt <= 60.0, k("params.lead_time_days"), "must be between 0 and 60 days");
            }
            for (class, days) in p.cobertura_dias.iter().flatten() {
                let key = k(&format!("params.cobertura_dias.{class}"));
                if c.one_of(&key, class, &["a", "b", "c", "d"]) {
                    c.check(*days > 0.0 && *days <= 365.0, key, "must be between 0 and 365 days");
                }
            }
        }
    }
}

fn pos_requirements(c: &mut Checker, file: &TenantFile, s: &Store, i: usize) {
    let k = |field: &str| format!("stores[{i}].{field}");
    match s.pos.as_str() {
        "klk" => {
            c.check(file.pos.klk.is_some(), "pos.klk", format!("is required because {} uses pos = \"klk\"", s.id));
            let klk = s.klk.as_ref();
            if s.kind == "tienda" {
                match klk.and_then(|kk| kk.sucursal.as_deref()) {
                    None => c.fail(k("klk.sucursal"), "is required for a KLK store (sales are requested per branch)"),
                    Some(v) => {
                        c.filled(&k("klk.sucursal"), v);
                    }
                }
            }
            let active = klk.map(|kk| kk.almacenes.iter().filter(|a| a.activo).count()).unwrap_or(0);
            c.check(active >= 1, k("klk.almacenes"), "needs at least one almacén with activo = true (stock is read per almacén)");
        }
        "stellar" => match &s.stellar {
            None => c.fail(k("stellar"), "is required for pos = \"stellar\""),
            Some(st) => {
                match &st.host {
                    None => c.fail(k("stellar.host"), "is required"),
                    Some(h) => {
                        c.filled(&k("stellar.host"), h);
                    }
                }
                match &st.codigo_deposito {
                    None => c.fail(k("stellar.codigo_deposito"), "is required (the depot whose stock is this location's)"),
                    Some(d) => {
                        if c.filled(&k("stellar.codigo_deposito"), d) {
                            // The code is placed literally in SQL text sent to the POS.
                            c.check(
                                d.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'),
                                k("stellar.codigo_deposito"),
                                "may contain only letters, digits, '-' and '_'",
                            );
                        }
                    }
                }
                if st.credentials.is_none() && file.pos.stellar.as_ref().and_then(|p| p.credentials.as_ref()).is_none() {
                    c.fail(k("stellar.credentials"), "no credentials named here nor in [pos.stellar].credentials");
                }
            }
        },
        _ => {}
    }
}

fn schedules(c: &mut Checker, s: &Schedules) {
    for (name, entry) in &s.0 {
        let key = format!("schedules.{name}");
        if c.one_of(&key, name, KNOWN_JOBS) {
            if let Err(e) = parse_cron(&entry.cron) {
                c.fail(format!("{key}.cron"), e);
            }
            if let Some(d) = entry.lookback_days {
                c.check(d >= 1, format!("{key}.lookback_days"), "must be at least 1");
            }
            if let Some(d) = entry.window_days {
                c.check(d >= 1, format!("{key}.window_days"), "must be at least 1");
            }
        }
    }
}

fn notifications(c: &mut Checker, n: &Notifications) {
    let Some(e) = &n.email else { return };
    c.one_of("notifications.email.transport", &e.transport, &["smtp", "http_api"]);
    for (j, s) in e.send_on.iter().enumerate() {
        c.one_of(&format!("notifications.email.send_on[{j}]"), s, &["success", "partial", "failed"]);
    }
    if !e.enabled {
        return;
    }
    match &e.smtp_host {
        None if e.transport == "smtp" => c.fail("notifications.email.smtp_host", "is required when e-mail is enabled"),
        Some(h) => {
            c.filled("notifications.email.smtp_host", h);
        }
        None => {}
    }
    match &e.from {
        None => c.fail("notifications.email.from", "is required when e-mail is enabled"),
        // "Nombre <correo@dominio>" is a mailbox, not a template placeholder: parse it.
        Some(f) => c.check(
            f.parse::<lettre::message::Mailbox>().is_ok(),
            "notifications.email.from",
            format!("{f:?} is not a sender address (\"Nombre <correo@dominio>\" or \"correo@dominio\")"),
        ),
    }
    c.check(!e.recipients.is_empty(), "notifications.email.recipients", "must list at least one address when e-mail is enabled");
    for (j, r) in e.recipients.iter().enumerate() {
        let key = format!("notifications.email.recipients[{j}]");
        if c.filled(&key, r) {
            c.check(r.contains('@') && !r.starts_with('@') && !r.ends_with('@'), key, format!("{r:?} is not an e-mail address"));
        }
    }
}

pub(super) fn validate_secrets(file: &TenantFile, s: &Secrets, path: &Path) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new() };
    let file_key = |k: &str| format!("{} [{k}]", path.display());
    if let Some(token) = s.metrics.as_ref().and_then(|m| m.token.as_ref()) {
        c.check(token.len() >= 16, file_key("metrics.token"), "must be at least 16 characters (openssl rand -hex 16)");
    }
    match &s.auth.jwt_secret {
        None => c.fail(file_key("auth.jwt_secret"), "is missing (generate one with: openssl rand -hex 32, or openssl rand -base64 32)"),
        Some(_) if s.jwt_key().is_none() => c.fail(
            file_key("auth.jwt_secret"),
            "must be hex or base64 and decode to at least 32 bytes (openssl rand -hex 32, or openssl rand -base64 32)",
        ),
        Some(_) => {}
    }
    let default_cred = file.pos.stellar.as_ref().and_then(|p| p.credentials.as_deref());
    for (i, st) in file.stores.iter().enumerate() {
        if st.pos_kind() != Some(super::PosKind::Stellar) || !st.active {
            continue;
        }
        if let Some(name) = st.stellar.as_ref().and_then(|x| x.credentials.as_deref()).or(default_cred) {
            c.check(
                s.stellar_credentials.contains_key(name),
                format!("stores[{i}].stellar.credentials"),
                format!("credentials {name:?} are not defined as [stellar_credentials.{name}] in the secrets file"),
            );
        }
    }
    c.problems
}

/// An IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`) as (network, prefix length).
pub fn parse_ip_net(s: &str) -> Option<(std::net::IpAddr, u8)> {
    let (ip, len) = match s.split_once('/') {
        Some((ip, len)) => (ip.parse::<std::net::IpAddr>().ok()?, len.parse::<u8>().ok()?),
        None => {
            let ip = s.parse::<std::net::IpAddr>().ok()?;
            (ip, if ip.is_ipv4() { 32 } else { 128 })
        }
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

/// Whether `addr` is inside the IP/CIDR entry `net` (IPv4-mapped IPv6 peers compare as IPv4).
pub fn ip_in_net(addr: std::net::IpAddr, net: &str) -> bool {
    use std::net::IpAddr;
    let Some((base, len)) = parse_ip_net(net) else { return false };
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    };
    match (addr, base) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}
