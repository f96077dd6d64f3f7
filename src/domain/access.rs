//! Roles and capabilities (spec 50 §4.3): who may do what. Authorisation always uses this
//! explicit matrix — the role hierarchy is not linear (a store manager approves orders, a
//! supply planner does not).

use std::collections::BTreeSet;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Capability {
    #[serde(rename = "inventario.ver")]
    InventarioVer,
    #[serde(rename = "ventas.ver")]
    VentasVer,
    #[serde(rename = "productos.ver")]
    ProductosVer,
    #[serde(rename = "inventario.ajustar")]
    InventarioAjustar,
    #[serde(rename = "pedidos.ver")]
    PedidosVer,
    #[serde(rename = "pedidos.crear")]
    PedidosCrear,
    #[serde(rename = "pedidos.multitienda")]
    PedidosMultitienda,
    #[serde(rename = "pedidos.aprobar")]
    PedidosAprobar,
    #[serde(rename = "pedidos.llegada")]
    PedidosLlegada,
    #[serde(rename = "pedidos.intercedi")]
    PedidosIntercedi,
    #[serde(rename = "emergencias.ver")]
    EmergenciasVer,
    #[serde(rename = "emergencias.scan")]
    EmergenciasScan,
    #[serde(rename = "emergencias.config")]
    EmergenciasConfig,
    #[serde(rename = "bi.ver")]
    BiVer,
    #[serde(rename = "admin.etl")]
    AdminEtl,
    #[serde(rename = "admin.parametros")]
    AdminParametros,
    #[serde(rename = "admin.productos")]
    AdminProductos,
    #[serde(rename = "admin.usuarios")]
    AdminUsuarios,
    #[serde(rename = "admin.sistema")]
    AdminSistema,
}

use Capability::*;

pub const ALL_CAPABILITIES: &[Capability] = &[
    InventarioVer,
    VentasVer,
    ProductosVer,
    InventarioAjustar,
    PedidosVer,
    PedidosCrear,
    PedidosMultitienda,
    PedidosAprobar,
    PedidosLlegada,
    PedidosIntercedi,
    EmergenciasVer,
    EmergenciasScan,
    EmergenciasConfig,
    BiVer,
    AdminEtl,
    AdminParametros,
    AdminProductos,
    AdminUsuarios,
    AdminSistema,
];

impl Capability {
    #[allow(clippy::expect_used)] // ALL_CAPABILITIES lists every variant (a unit test checks it)
    pub fn name(self) -> &'static str {
        CAPABILITY_NAMES[ALL_CAPABILITIES.iter().position(|c| *c == self).expect("every capability is listed")]
    }

    pub fn parse(name: &str) -> Option<Capability> {
        CAPABILITY_NAMES.iter().position(|n| *n == name).map(|i| ALL_CAPABILITIES[i])
    }
}

const CAPABILITY_NAMES: &[&str] = &[
    "inventario.ver",
    "ventas.ver",
    "productos.ver",
    "inventario.ajustar",
    "pedidos.ver",
    "pedidos.crear",
    "pedidos.multitienda",
    "pedidos.aprobar",
    "pedidos.llegada",
    "pedidos.intercedi",
    "emergencias.ver",
    "emergencias.scan",
    "emergencias.config",
    "bi.ver",
    "admin.etl",
    "admin.parametros",
    "admin.productos",
    "admin.usuarios",
    "admin.sistema",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Visualizador,
    GerenteTienda,
    GestorAbastecimiento,
    GerenteGeneral,
    SuperAdmin,
}

pub const ALL_ROLES: &[Role] =
    &[Role::Visualizador, Role::GerenteTienda, Role::GestorAbastecimiento, Role::GerenteGeneral, Role::SuperAdmin];

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::Visualizador => "visualizador",
            Role::GerenteTienda => "gerente_tienda",
            Role::GestorAbastecimiento => "gestor_abastecimiento",
            Role::GerenteGeneral => "gerente_general",
            Role::SuperAdmin => "super_admin",
        }
    }

    pub fn parse(id: &str) -> Option<Role> {
        ALL_ROLES.iter().copied().find(|r| r.id() == id)
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Role::Visualizador => "Visualizador",
            Role::GerenteTienda => "Gerente de Tienda",
            Role::GestorAbastecimiento => "Gestor de Abastecimiento",
            Role::GerenteGeneral => "Gerente General",
            Role::SuperAdmin => "Super Admin",
        }
    }

    /// Only store managers are limited to their assigned stores.
    pub fn is_store_scoped(self) -> bool {
        self == Role::GerenteTienda
    }

    /// The default capabilities of the role (the matrix of spec 50 §4.3).
    pub fn default_capabilities(self) -> &'static [Capability] {
        const V: &[Capability] = &[InventarioVer, VentasVer, ProductosVer, EmergenciasVer, EmergenciasScan];
        const GT: &[Capability] = &[
            InventarioVer,
            VentasVer,
            ProductosVer,
            InventarioAjustar,
            PedidosVer,
            PedidosCrear,
            PedidosAprobar,
            PedidosLlegada,
            EmergenciasVer,
            EmergenciasScan,
        ];
        const GA: &[Capability] = &[
            InventarioVer,
            VentasVer,
            ProductosVer,
            InventarioAjustar,
            PedidosVer,
            PedidosCrear,
            PedidosMultitienda,
            PedidosLlegada,
            PedidosIntercedi,
            EmergenciasVer,
            EmergenciasScan,
        ];
        const GG: &[Capability] = &[
            InventarioVer,
            VentasVer,
            ProductosVer,
            InventarioAjustar,
            PedidosVer,
            PedidosCrear,
            PedidosMultitienda,
            PedidosAprobar,
            PedidosLlegada,
            PedidosIntercedi,
            EmergenciasVer,
            EmergenciasScan,
            EmergenciasConfig,
        ];
        match self {
            Role::Visualizador => V,
            Role::GerenteTienda => GT,
            Role::GestorAbastecimiento => GA,
            Role::GerenteGeneral => GG,
            Role::SuperAdmin => ALL_CAPABILITIES,
        }
    }
}

/// Usernames are stored lower-case: `^[a-z0-9._-]{3,50}$` (spec 50 §19).
pub fn is_valid_username(u: &str) -> bool {
    (3..=50).contains(&u.len()) && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// The capability set of a role: its defaults plus any `[rbac.grant]` additions (which can
/// only add, never remove).
pub fn capabilities(role: Role, grants: &[Capability]) -> BTreeSet<Capability> {
    role.default_capabilities().iter().chain(grants).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn can(role: Role, cap: Capability) -> bool {
        capabilities(role, &[]).contains(&cap)
    }

    #[test]
    fn matrix_rows_of_spec_50_4_3() {
        use Role::*;
        // Non-linear hierarchy: a store manager approves, a supply planner does not.
        assert!(can(GerenteTienda, PedidosAprobar));
        assert!(!can(GestorAbastecimiento, PedidosAprobar));
        assert!(can(GestorAbastecimiento, PedidosMultitienda));
        assert!(!can(GerenteTienda, PedidosMultitienda));
        assert!(!can(Visualizador, PedidosVer));
        assert!(can(Visualizador, EmergenciasScan));
        assert!(!can(GerenteGeneral, BiVer));
        assert!(can(GerenteGeneral, EmergenciasConfig));
        for cap in ALL_CAPABILITIES {
            assert!(can(SuperAdmin, *cap));
            if cap.name().starts_with("admin.") || *cap == BiVer {
                for role in [Visualizador, GerenteTienda, GestorAbastecimiento, GerenteGeneral] {
                    assert!(!can(role, *cap), "{role:?} must not have {cap:?}");
                }
            }
        }
    }

    #[test]
    fn grants_only_add() {
        let caps = capabilities(Role::GerenteGeneral, &[Capability::BiVer]);
        assert!(caps.contains(&Capability::BiVer));
        assert!(caps.contains(&Capability::PedidosAprobar));
    }

    #[test]
    fn names_round_trip() {
        for cap in ALL_CAPABILITIES {
            assert_eq!(Capability::parse(cap.name()), Some(*cap));
            assert_eq!(serde_json::to_value(cap).unwrap(), cap.name());
        }
        for role in ALL_ROLES {
            assert_eq!(Role::parse(role.id()), Some(*role));
        }
    }
}
