//! The ETL error taxonomy (spec 20 §9.4). Classification is by **typed error kind**, never
//! by matching words in messages (the original filed a KLK "Connection refused" as a
//! database error because the message contained "connection").

use serde::Serialize;

use crate::sources::klk::KlkError;
use crate::sources::stellar::StellarError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Extract,
    Transform,
    Load,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Extract => "extract",
            Phase::Transform => "transform",
            Phase::Load => "load",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ApiTimeout,
    ApiHttpError,
    ApiAuth,
    ApiBadPayload,
    NetworkUnreachable,
    NetworkTimeout,
    DbConnection,
    DbTimeout,
    DbError,
    DataValidation,
    DataFormat,
    MissingFields,
    EncodingError,
    StoreUnavailable,
    StoreTimeout,
    ConstraintViolation,
    DiskFull,
    WriteConflict,
    /// Not in §9.4: a location's connector configuration is incomplete (it is skipped).
    ConfigError,
}

/// (category, phase, original name, typical cause) — served by the error catalogue endpoint.
pub const CATALOGUE: &[(Category, Phase, &str, &str)] = &[
    (Category::ApiTimeout, Phase::Extract, "api_timeout", "La solicitud a KLK excedió su tiempo límite"),
    (Category::ApiHttpError, Phase::Extract, "api_error", "HTTP 4xx/5xx distinto de autenticación"),
    (Category::ApiAuth, Phase::Extract, "api_auth", "HTTP 401/403"),
    (Category::ApiBadPayload, Phase::Extract, "api_error", "No es JSON, clave «error», falta «ventas»/«articulos»"),
    (Category::NetworkUnreachable, Phase::Extract, "vpn_unreachable / network_error", "Conexión rechazada, sin ruta, DNS"),
    (Category::NetworkTimeout, Phase::Extract, "vpn_timeout", "Tiempo de conexión TCP agotado"),
    (Category::DbConnection, Phase::Extract, "db_connection", "Fallo de conexión o inicio de sesión en Stellar"),
    (Category::DbTimeout, Phase::Extract, "db_timeout", "Consulta Stellar excedió su tiempo límite"),
    (Category::DbError, Phase::Extract, "db_error", "Error SQL"),
    (
        Category::DataValidation,
        Phase::Transform,
        "data_validation",
        "Regla de lote violada (listado vacío o truncado, demasiadas filas rechazadas)",
    ),
    (Category::DataFormat, Phase::Transform, "data_format", "Fechas o números no interpretables"),
    (Category::MissingFields, Phase::Transform, "missing_fields", "Falta un campo obligatorio"),
    (Category::EncodingError, Phase::Transform, "encoding_error", "Codificación de texto no válida"),
    (Category::StoreUnavailable, Phase::Load, "pg_connection", "El almacén analítico no se puede abrir o escribir"),
    (Category::StoreTimeout, Phase::Load, "pg_timeout", "La escritura excedió su presupuesto"),
    (Category::ConstraintViolation, Phase::Load, "constraint_violation", "Violación de clave o restricción"),
    (Category::DiskFull, Phase::Load, "disk_full", "Sin espacio en disco"),
    (Category::WriteConflict, Phase::Load, "deadlock", "Conflicto de escritura"),
];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ApiTimeout => "api_timeout",
            Category::ApiHttpError => "api_http_error",
            Category::ApiAuth => "api_auth",
            Category::ApiBadPayload => "api_bad_payload",
            Category::NetworkUnreachable => "network_unreachable",
            Category::NetworkTimeout => "network_timeout",
            Category::DbConnection => "db_connection",
            Category::DbTimeout => "db_timeout",
            Category::DbError => "db_error",
            Category::DataValidation => "data_validation",
            Category::DataFormat => "data_format",
            Category::MissingFields => "missing_fields",
            Category::EncodingError => "encoding_error",
            Category::StoreUnavailable => "store_unavailable",
            Category::StoreTimeout => "store_timeout",
            Category::ConstraintViolation => "constraint_violation",
            Category::DiskFull => "disk_full",
            Category::WriteConflict => "write_conflict",
            Category::ConfigError => "config_error",
        }
    }

    /// Transient extract failures get one more attempt at the end of a run (§8.3).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Category::ApiTimeout | Category::NetworkTimeout | Category::NetworkUnreachable | Category::DbTimeout | Category::DbConnection
        )
    }

    /// A rejected-row category of the sources (`missing_fields`, …).
    pub fn from_rejection(s: &str) -> Category {
        match s {
            "missing_fields" => Category::MissingFields,
            "data_format" => Category::DataFormat,
            "encoding_error" => Category::EncodingError,
            _ => Category::DataValidation,
        }
    }
}

/// A failure of one location (or one of its windows/warehouses).
#[derive(Debug, Clone)]
pub struct EtlError {
    pub phase: Phase,
    pub category: Category,
    pub message: String,
}

impl EtlError {
    pub fn new(phase: Phase, category: Category, message: impl Into<String>) -> Self {
        EtlError { phase, category, message: message.into() }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        EtlError::new(Phase::Transform, Category::DataValidation, message)
    }

    pub fn timeout(phase: Phase, message: impl Into<String>) -> Self {
        let category = if phase == Phase::Load { Category::StoreTimeout } else { Category::ApiTimeout };
        EtlError::new(phase, category, message)
    }
}

impl std::fmt::Display for EtlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}/{}] {}", self.phase.as_str(), self.category.as_str(), self.message)
    }
}

impl From<KlkError> for EtlError {
    fn from(e: KlkError) -> Self {
        let category = match &e {
            KlkError::Timeout(_) => Category::ApiTimeout,
            KlkError::Unreachable(_) => Category::NetworkUnreachable,
            KlkError::ConnectTimeout(_) => Category::NetworkTimeout,
            KlkError::Http { status: 401 | 403, .. } => Category::ApiAuth,
            KlkError::Http { .. } => Category::ApiHttpError,
            KlkError::BadPayload(_) | KlkError::Api(_) => Category::ApiBadPayload,
        };
        EtlError::new(Phase::Extract, category, e.to_string())
    }
}

impl From<StellarError> for EtlError {
    fn from(e: StellarError) -> Self {
        let category = match &e {
            StellarError::Connection(_) => Category::DbConnection,
            StellarError::Timeout(_) => Category::DbTimeout,
            StellarError::Sql(_) => Category::DbError,
            StellarError::Config(_) => Category::ConfigError,
        };
        EtlError::new(Phase::Extract, category, e.to_string())
    }
}

impl From<duckdb::Error> for EtlError {
    fn from(e: duckdb::Error) -> Self {
        // DuckDB reports most failures with code `Unknown` and its exception class as the
        // message prefix ("Constraint Error: …"), which is the typed kind we classify by.
        let text = e.to_string();
        let category = match &e {
            duckdb::Error::DuckDBFailure(f, _) => match f.code {
                duckdb::ffi::ErrorCode::DiskFull => Category::DiskFull,
                duckdb::ffi::ErrorCode::DatabaseBusy | duckdb::ffi::ErrorCode::DatabaseLocked => Category::WriteConflict,
                duckdb::ffi::ErrorCode::ConstraintViolation => Category::ConstraintViolation,
                duckdb::ffi::ErrorCode::OperationInterrupted => Category::StoreTimeout,
                _ => by_exception_class(&text),
            },
            _ => by_exception_class(&text),
        };
        EtlError::new(Phase::Load, category, text)
    }
}

impl From<crate::warehouse::load::LoadError> for EtlError {
    fn from(e: crate::warehouse::load::LoadError) -> Self {
        match e {
            crate::warehouse::load::LoadError::Db(e) => e.into(),
            // The tables did not hold what the load wrote: the batch was rolled back.
            unaccounted => EtlError::new(Phase::Load, Category::StoreUnavailable, unaccounted.to_string()),
        }
    }
}

fn by_exception_class(text: &str) -> Category {
    if text.starts_with("Constraint Error") {
        Category::ConstraintViolation
    } else if text.starts_with("TransactionContext Error") || text.starts_with("Conflict Error") {
        Category::WriteConflict
    } else if text.starts_with("Interrupt Error") {
        Category::StoreTimeout
    } else if text.starts_with("IO Error") && text.contains("No space left") {
        Category::DiskFull
    } else {
        Category::StoreUnavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_refused_from_klk_is_a_network_error_not_a_database_error() {
        let e: EtlError = KlkError::Unreachable("Connection refused (os error 111)".into()).into();
        assert_eq!((e.phase, e.category), (Phase::Extract, Category::NetworkUnreachable));
        let e: EtlError = KlkError::Http { status: 403, snippet: String::new() }.into();
        assert_eq!(e.category, Category::ApiAuth);
        let e: EtlError = KlkError::Api("boom".into()).into();
        assert_eq!(e.category, Category::ApiBadPayload);
        let e: EtlError = StellarError::Connection("login failed".into()).into();
        assert_eq!(e.category, Category::DbConnection);
        assert_eq!(CATALOGUE.len(), 18);
    }

    /// A load whose tables do not hold what it wrote fails its location in the load phase,
    /// with the difference in the message (the batch was rolled back).
    #[test]
    fn an_unaccounted_load_is_a_load_failure_naming_the_difference() {
        let e: EtlError = crate::warehouse::load::LoadError::Unaccounted("staged sale lines: 125000 expected, 0 found".into()).into();
        assert_eq!((e.phase, e.category), (Phase::Load, Category::StoreUnavailable));
        assert!(e.message.contains("125000 expected, 0 found") && e.message.contains("nothing was written"), "{}", e.message);
    }
}
