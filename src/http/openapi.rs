//! The API described by the code: an OpenAPI 3.1 document generated from the route table
//! (`api_routes`) and the response types the routes declare, served at
//! `GET /api/openapi.json` to any signed-in user.
//!
//! Every route of the table is a path and method of the document, with its access (public,
//! a session, or a capability as the security scope) and its path parameters. A route
//! describes its answer where it is registered:
//!
//! ```text
//! route(Method::GET, "/api/etl/status", Capability(AdminEtl), get(etl::status)).json::<etl::EtlStatus>()
//! ```
//!
//! `.json::<T>()` (`T: utoipa::ToSchema`, a `#[derive(Serialize, ToSchema)]` struct),
//! `.json_list::<T>()` for a JSON array, `.accepted::<T>()` for a 202, `.file(mime)` for a
//! download. `tests/openapi.rs` fails when a route of the table is missing from the
//! document, and when a route without a described answer is not one of the routes that
//! predate the description (so a new route cannot be registered without its type).

use std::sync::OnceLock;

use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::schema::{Array, ComponentsBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::ToSchema;

use super::error::ApiError;
use super::session::Access;
use super::RouteSpec;

/// The named schemas a route's answer refers to (collected into `components.schemas`).
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// Builds the schema of an answer, pushing the named schemas it refers to.
pub type SchemaFn = fn(&mut Schemas) -> RefOr<Schema>;

/// What a route answers, as the document describes it.
#[derive(Clone, Copy)]
pub enum Reply {
    /// A JSON body with this status.
    Json { status: u16, schema: SchemaFn },
    /// A file (Excel workbook, image, text) of this media type.
    File(&'static str),
    /// Not described yet: only the routes listed in `tests/openapi.rs` (older than the description).
    Undescribed,
}

/// A reference to `T`'s schema, with `T` and what it refers to pushed to `out`.
pub fn schema_of<T: ToSchema>(out: &mut Schemas) -> RefOr<Schema> {
    let name = T::name().to_string();
    out.push((name.clone(), T::schema()));
    T::schemas(out);
    Ref::from_schema_name(name).into()
}

/// An array of `T`.
pub fn list_of<T: ToSchema>(out: &mut Schemas) -> RefOr<Schema> {
    Array::new(schema_of::<T>(out)).into()
}

fn any_document(_: &mut Schemas) -> RefOr<Schema> {
    ObjectBuilder::new().description(Some("Documento OpenAPI 3.1 de esta API")).into()
}

impl RouteSpec {
    /// The route answers `200` with a JSON `T`.
    pub fn json<T: ToSchema>(mut self) -> Self {
        self.reply = Reply::Json { status: 200, schema: schema_of::<T> };
        self
    }

    /// The route answers `200` with a JSON array of `T`.
    pub fn json_list<T: ToSchema>(mut self) -> Self {
        self.reply = Reply::Json { status: 200, schema: list_of::<T> };
        self
    }

    /// The route answers `201 Created` with a JSON `T`.
    pub fn created<T: ToSchema>(mut self) -> Self {
        self.reply = Reply::Json { status: 201, schema: schema_of::<T> };
        self
    }

    /// The route answers `202 Accepted` with a JSON `T` (work started in the background).
    pub fn accepted<T: ToSchema>(mut self) -> Self {
        self.reply = Reply::Json { status: 202, schema: schema_of::<T> };
        self
    }

    /// The route answers a file of this media type.
    pub fn file(mut self, mime: &'static str) -> Self {
        self.reply = Reply::File(mime);
        self
    }

    /// Whether the document says what this route answers.
    pub fn is_described(&self) -> bool {
        !matches!(self.reply, Reply::Undescribed)
    }

    pub(super) fn openapi_document(mut self) -> Self {
        self.reply = Reply::Json { status: 200, schema: any_document };
        self
    }
}

fn http_method(m: &Method) -> HttpMethod {
    match *m {
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::PATCH => HttpMethod::Patch,
        Method::HEAD => HttpMethod::Head,
        Method::OPTIONS => HttpMethod::Options,
        Method::TRACE => HttpMethod::Trace,
        _ => HttpMethod::Get,
    }
}

/// `GET /api/etl/history/{id}` → `get_api_etl_history_id`.
fn operation_id(method: &Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    let mut last_us = false;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
            last_us = false;
        } else if !last_us {
            id.push('_');
            last_us = true;
        }
    }
    id.trim_end_matches('_').to_string()
}

/// The first segment after `/api/` (`bi`, `etl`, `pedidos-sugeridos`, …); `sistema` for the rest.
fn tag(path: &str) -> String {
    path.strip_prefix("/api/").and_then(|p| p.split('/').next()).filter(|s| !s.is_empty()).unwrap_or("sistema").to_string()
}

fn access_text(access: Access) -> String {
    match access {
        Access::Public => "Acceso: público (sin sesión).".into(),
        Access::Session => "Acceso: cualquier sesión válida, aunque deba cambiar su contraseña.".into(),
        Access::Authenticated => "Acceso: cualquier usuario autenticado.".into(),
        Access::Capability(c) => format!("Acceso: usuarios cuyo rol tiene la capacidad `{}`.", c.name()),
    }
}

fn operation(r: &RouteSpec, schemas: &mut Schemas) -> Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(operation_id(&r.method, r.path)))
        .tag(tag(r.path))
        .description(Some(access_text(r.access)));
    for name in r.path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    let scopes: Vec<String> = match r.access {
        Access::Capability(c) => vec![c.name().to_string()],
        _ => Vec::new(),
    };
    if r.access != Access::Public {
        op = op.security(SecurityRequirement::new("bearer", scopes.clone())).security(SecurityRequirement::new("cookie", scopes));
    }
    let ok = match r.reply {
        Reply::Json { status, schema } => (
            status.to_string(),
            ResponseBuilder::new()
                .description("Respuesta")
                .content("application/json", ContentBuilder::new().schema(Some(schema(schemas))).build()),
        ),
        Reply::File(mime) => (
            "200".to_string(),
            ResponseBuilder::new()
                .description("Archivo")
                .content(mime, ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String).format(None))).build()),
        ),
        Reply::Undescribed => ("200".to_string(), ResponseBuilder::new().description("Respuesta (tipo aún no descrito)")),
    };
    let error = ResponseBuilder::new()
        .description("Error: `{code, detail}` (y `errors: [{field, message}]` en las validaciones 422)")
        .content("application/json", ContentBuilder::new().schema(Some(schema_of::<super::error::ErrorBody>(schemas))).build());
    op.response(ok.0, ok.1.build()).response("default", error.build()).build()
}

/// The OpenAPI 3.1 document of these routes.
pub fn document(routes: &[RouteSpec]) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = Schemas::new();
    for r in routes {
        let op = operation(r, &mut schemas);
        paths.add_path_operation(r.path, vec![http_method(&r.method)], op);
    }
    let mut components = ComponentsBuilder::new()
        .security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()))
        .security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(super::session::COOKIE))));
    for (name, schema) in schemas {
        components = components.schema(name, schema);
    }
    let info = InfoBuilder::new()
        .title("Fluxion API")
        .version(super::VERSION)
        .description(Some("Generado del código: la tabla de rutas (`http::api_routes`) y los tipos de sus respuestas."));
    OpenApiBuilder::new().info(info).paths(paths).components(Some(components.build())).build()
}

/// `GET /api/openapi.json`: the document of this binary's routes (computed once).
pub async fn serve() -> Result<Response, ApiError> {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = match DOC.get() {
        Some(b) => b.clone(),
        None => {
            let text = document(&super::api_routes()).to_json().map_err(ApiError::internal)?;
            DOC.get_or_init(|| text).clone()
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
