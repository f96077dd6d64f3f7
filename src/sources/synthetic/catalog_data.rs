//! Word lists of the synthetic catalogue: categories with their cold-chain family, aisle,
//! brands (invented), and items with variants, sizes, reference prices (USD) and pack sizes.
//! A product = one item variant × brand × size.

/// Cold-chain family: which CEDI supplies the product (seco, frío, verde).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    Seco = 0,
    Frio = 1,
    Verde = 2,
}

pub(super) struct Size {
    pub label: &'static str,
    pub kg: f64,
    pub price: f64,
}

pub(super) enum Sale {
    /// Sold by the piece; a line takes 1 + Geometric(`extra`) units.
    Units { extra: f64 },
    /// Sold by weight; a line takes about `kg` kilograms at `price_kg` USD/kg.
    Weighed { kg: f64, price_kg: f64 },
}

pub(super) struct Item {
    pub grupo: &'static str,
    pub subgrupo: &'static str,
    pub names: &'static [&'static str],
    /// Empty for weighed items.
    pub sizes: &'static [Size],
    pub packs: &'static [i32],
    pub sale: Sale,
    /// Staple whose first variant becomes a traffic generator.
    pub staple: bool,
}

pub(super) struct Category {
    pub name: &'static str,
    pub family: Family,
    pub cuadrante: &'static str,
    /// Share of the catalogue.
    pub share: f64,
    /// Popularity multiplier of the category's products.
    pub boost: f64,
    /// Demand multiplier on Friday–Sunday.
    pub weekend: f64,
    pub brands: &'static [&'static str],
    pub items: &'static [Item],
}

const fn sz(label: &'static str, kg: f64, price: f64) -> Size {
    Size { label, kg, price }
}

const fn units(
    grupo: &'static str,
    subgrupo: &'static str,
    names: &'static [&'static str],
    sizes: &'static [Size],
    packs: &'static [i32],
    extra: f64,
) -> Item {
    Item { grupo, subgrupo, names, sizes, packs, sale: Sale::Units { extra }, staple: false }
}

const fn weighed(grupo: &'static str, subgrupo: &'static str, names: &'static [&'static str], kg: f64, price_kg: f64) -> Item {
    Item { grupo, subgrupo, names, sizes: &[], packs: &[1], sale: Sale::Weighed { kg, price_kg }, staple: false }
}

const fn staple(item: Item) -> Item {
    Item { staple: true, ..item }
}

use Family::*;

pub(super) const CATEGORIES: &[Category] = &[
    Category {
        name: "VIVERES",
        family: Seco,
        cuadrante: "CUADRANTE I",
        share: 0.20,
        boost: 1.6,
        weekend: 1.0,
        brands: &[
            "LA LLANERA", "DOÑA ROSA", "EL SAMAN", "CAMPOSOL", "SANTA ANA", "DEL VALLE", "LA CRIOLLA", "MONTEBELLO", "SABANA", "GRAN CHEF", "ECONOMAX", "LA ESTANCIA",
            "EL CARIBE", "LOS ANDES", "SOL DE ORO", "LA COSECHA", "DON PEDRO", "LA NONNA", "AURORA", "EL TRIGAL", "CARABOBO", "LA MARQUESA", "DON FELIPE", "DORADA",
        ],
        items: &[
            staple(units("HARINAS", "HARINA DE MAIZ", &["HARINA DE MAIZ BLANCA PRECOCIDA", "HARINA DE MAIZ AMARILLA PRECOCIDA"], &[sz("1KG", 1.0, 1.15), sz("500G", 0.5, 0.65)], &[20, 24], 1.2)),
            units("HARINAS", "OTRAS HARINAS", &["FECULA DE MAIZ", "HARINA DE ARROZ", "PAN RALLADO", "HARINA PARA TORTAS"], &[sz("400G", 0.4, 1.60), sz("1KG", 1.0, 3.20)], &[12, 24], 0.1),
            units("HARINAS", "HARINA DE TRIGO", &["HARINA DE TRIGO TODO USO", "HARINA DE TRIGO LEUDANTE"], &[sz("1KG", 1.0, 1.35), sz("500G", 0.5, 0.75)], &[12, 20], 0.6),
            staple(units("ARROZ", "ARROZ", &["ARROZ BLANCO TIPO I", "ARROZ PARBOLIZADO", "ARROZ BLANCO TIPO II"], &[sz("1KG", 1.0, 1.40), sz("2KG", 2.0, 2.70), sz("900G", 0.9, 1.30)], &[12, 24], 1.0)),
            staple(units("PASTAS", "PASTA LARGA", &["PASTA ESPAGUETI", "PASTA VERMICELLI", "PASTA FETUCCINI"], &[sz("500G", 0.5, 0.95), sz("1KG", 1.0, 1.75)], &[12, 24], 0.9)),
            units("PASTAS", "PASTA CORTA", &["PASTA PLUMA", "PASTA CODITO", "PASTA TORNILLO", "PASTA CARACOL"], &[sz("500G", 0.5, 0.99), sz("1KG", 1.0, 1.79)], &[12, 24], 0.6),
            units("GRANOS", "GRANOS SECOS", &["CARAOTAS NEGRAS", "LENTEJAS", "ARVEJAS PARTIDAS", "FRIJOLES BAYOS", "GARBANZOS"], &[sz("500G", 0.5, 1.30), sz("1KG", 1.0, 2.40)], &[12, 24], 0.5),
            staple(units("ACEITES", "ACEITE VEGETAL", &["ACEITE DE SOYA", "ACEITE DE MAIZ", "ACEITE DE GIRASOL", "ACEITE MIXTO"], &[sz("1L", 0.92, 3.20), sz("500ML", 0.46, 1.75), sz("3L", 2.76, 8.90)], &[12], 0.4)),
            units("ACEITES", "ACEITE DE OLIVA", &["ACEITE DE OLIVA EXTRA VIRGEN", "ACEITE DE OLIVA PURO"], &[sz("500ML", 0.46, 6.50), sz("250ML", 0.23, 3.60)], &[12], 0.1),
            staple(units("AZUCAR Y ENDULZANTES", "AZUCAR", &["AZUCAR REFINADA", "AZUCAR MORENA"], &[sz("1KG", 1.0, 1.45), sz("2KG", 2.0, 2.80)], &[12, 20], 0.8)),
            units("AZUCAR Y ENDULZANTES", "PAPELON", &["PAPELON EN PANELA", "PAPELON GRANULADO"], &[sz("500G", 0.5, 0.90)], &[24], 0.4),
            staple(units("CAFE", "CAFE MOLIDO", &["CAFE MOLIDO TOSTADO", "CAFE MOLIDO PREMIUM", "CAFE MOLIDO DESCAFEINADO"], &[sz("250G", 0.25, 2.60), sz("500G", 0.5, 4.90), sz("1KG", 1.0, 9.40)], &[12, 24], 0.3)),
            units("CAFE", "CAFE INSTANTANEO", &["CAFE INSTANTANEO CLASICO", "CAFE INSTANTANEO CAPUCCINO"], &[sz("100G", 0.1, 3.90), sz("200G", 0.2, 7.20)], &[12], 0.1),
            units("ENLATADOS", "ATUN", &["ATUN EN ACEITE", "ATUN EN AGUA", "ATUN EN TROZOS"], &[sz("140G", 0.14, 1.90), sz("170G", 0.17, 2.30), sz("354G", 0.354, 4.40)], &[24, 48], 0.8),
            units("ENLATADOS", "SARDINAS", &["SARDINAS EN SALSA DE TOMATE", "SARDINAS EN ACEITE"], &[sz("170G", 0.17, 1.10)], &[24, 48], 0.8),
            units("ENLATADOS", "VEGETALES EN LATA", &["MAIZ DULCE EN GRANOS", "PETIT POIS", "VEGETALES MIXTOS EN LATA", "DURAZNOS EN ALMIBAR"], &[sz("300G", 0.3, 1.60), sz("425G", 0.425, 2.10)], &[12, 24], 0.3),
            units("SALSAS Y ALIÑOS", "SALSAS", &["SALSA DE TOMATE KETCHUP", "MAYONESA", "MOSTAZA", "SALSA INGLESA", "SALSA DE SOYA", "SALSA PARA PASTA"], &[sz("200G", 0.2, 1.30), sz("397G", 0.397, 2.20), sz("1KG", 1.0, 4.60)], &[12, 24], 0.2),
            units("SALSAS Y ALIÑOS", "CONDIMENTOS", &["ADOBO COMPLETO", "COMINO MOLIDO", "OREGANO ENTERO", "PIMIENTA NEGRA MOLIDA", "ONOTO MOLIDO", "AJO EN POLVO"], &[sz("50G", 0.05, 0.85), sz("100G", 0.1, 1.50)], &[24, 48], 0.2),
            units("SALSAS Y ALIÑOS", "SAL", &["SAL REFINADA", "SAL MARINA"], &[sz("1KG", 1.0, 0.55), sz("500G", 0.5, 0.35)], &[24], 0.2),
            units("SALSAS Y ALIÑOS", "CUBITOS", &["CUBITOS SABOR POLLO", "CUBITOS SABOR RES"], &[sz("12 UND", 0.12, 1.20)], &[24], 0.3),
            units("SALSAS Y ALIÑOS", "VINAGRES", &["VINAGRE BLANCO", "VINAGRE DE MANZANA"], &[sz("500ML", 0.5, 0.80), sz("1L", 1.0, 1.30)], &[12, 24], 0.1),
            units("SOPAS", "SOPAS Y CREMAS", &["SOPA DE POLLO CON FIDEOS", "CREMA DE HONGOS", "CREMA DE ESPARRAGOS", "SOPA DE RES CON VEGETALES"], &[sz("65G", 0.065, 0.95), sz("PACK 3 UND", 0.195, 2.60)], &[24, 48], 0.3),
            units("ENCURTIDOS", "ACEITUNAS Y ENCURTIDOS", &["ACEITUNAS VERDES", "ACEITUNAS RELLENAS", "ALCAPARRAS", "PEPINILLOS EN VINAGRE", "ENCURTIDO MIXTO"], &[sz("200G", 0.2, 2.40), sz("400G", 0.4, 4.10)], &[12, 24], 0.0),
            units("AZUCAR Y ENDULZANTES", "EDULCORANTES", &["EDULCORANTE EN SOBRES", "STEVIA EN SOBRES", "SUCRALOSA EN SOBRES"], &[sz("50 UND", 0.05, 2.40), sz("100 UND", 0.1, 4.20)], &[12, 24], 0.0),
            units("POSTRES", "GELATINAS", &["GELATINA DE FRESA", "GELATINA DE UVA", "GELATINA DE PIÑA", "FLAN DE VAINILLA"], &[sz("90G", 0.09, 0.85), sz("PACK 4 UND", 0.36, 3.10)], &[24, 48], 0.2),
            units("POSTRES", "MEZCLAS PARA REPOSTERIA", &["MEZCLA PARA TORTA DE CHOCOLATE", "MEZCLA PARA TORTA DE VAINILLA", "MEZCLA PARA PANQUECAS"], &[sz("500G", 0.5, 3.20), sz("1KG", 1.0, 5.80)], &[12], 0.0),
            units("INFANTIL", "FORMULAS INFANTILES", &["FORMULA INFANTIL ETAPA 1", "FORMULA INFANTIL ETAPA 2", "FORMULA INFANTIL ETAPA 3"], &[sz("400G", 0.4, 12.50), sz("900G", 0.9, 24.00)], &[6, 12], 0.1),
            units("INFANTIL", "COMPOTAS", &["COMPOTA DE MANZANA", "COMPOTA DE PERA", "COMPOTA DE DURAZNO", "COMPOTA DE FRUTAS MIXTAS"], &[sz("113G", 0.113, 0.85), sz("186G", 0.186, 1.25)], &[24], 0.8),
            units("CEREALES", "AVENA", &["AVENA EN HOJUELAS", "AVENA INSTANTANEA"], &[sz("400G", 0.4, 1.60), sz("800G", 0.8, 2.90)], &[12, 24], 0.2),
            units("CEREALES", "CEREAL DE DESAYUNO", &["CEREAL DE MAIZ AZUCARADO", "CEREAL DE MAIZ NATURAL", "CEREAL DE CHOCOLATE", "GRANOLA CON FRUTAS"], &[sz("300G", 0.3, 3.20), sz("500G", 0.5, 4.90)], &[12], 0.1),
            staple(units("LECHE EN POLVO", "LECHE EN POLVO", &["LECHE EN POLVO COMPLETA", "LECHE EN POLVO DESCREMADA"], &[sz("400G", 0.4, 4.30), sz("900G", 0.9, 9.20)], &[12, 24], 0.2)),
            units("BEBIDAS EN POLVO", "BEBIDAS EN POLVO", &["BEBIDA ACHOCOLATADA EN POLVO", "FORTIFICANTE DE AVENA", "REFRESCO EN POLVO DE PARCHITA"], &[sz("400G", 0.4, 3.50), sz("200G", 0.2, 1.90)], &[12, 24], 0.1),
            units("UNTABLES", "UNTABLES", &["MERMELADA DE FRESA", "MERMELADA DE GUAYABA", "MERMELADA DE MORA", "CREMA DE MANI", "DULCE DE LECHE"], &[sz("250G", 0.25, 2.00), sz("500G", 0.5, 3.60)], &[12, 24], 0.1),
        ],
    },
    Category {
        name: "LACTEOS",
        family: Frio,
        cuadrante: "CUADRANTE V",
        share: 0.08,
        boost: 1.4,
        weekend: 1.0,
        brands: &[
            "LA PRADERA", "VALLE ALTO", "CAMPO LINDO", "LA VAQUITA", "NEVADA", "DOÑA LUZ", "TACHIRENSE", "SAN JOSE", "EL TOCORON", "ALPINITA",
            "LOS LLANOS", "LA HOLANDESA", "MONTE FRESCO", "LACTEOS DEL ZULIA",
        ],
        items: &[
            staple(units("LECHES", "LECHE LIQUIDA", &["LECHE COMPLETA PASTEURIZADA", "LECHE DESCREMADA PASTEURIZADA", "LECHE DESLACTOSADA"], &[sz("1L", 1.03, 1.90), sz("250ML", 0.26, 0.65)], &[12, 24], 0.6)),
            staple(weighed("QUESOS", "QUESO BLANCO", &["QUESO BLANCO DURO", "QUESO BLANCO SEMIDURO", "QUESO DE MANO", "QUESO TELITA", "QUESO GUAYANES"], 0.5, 6.5)),
            weighed("QUESOS", "QUESO AMARILLO", &["QUESO AMARILLO GOUDA", "QUESO MOZZARELLA", "QUESO PARMESANO", "QUESO PAISA"], 0.35, 9.0),
            units("QUESOS", "QUESO EMPACADO", &["QUESO CREMA", "QUESO FUNDIDO EN LONJAS", "QUESO RALLADO"], &[sz("200G", 0.2, 2.80), sz("400G", 0.4, 5.00)], &[12, 24], 0.1),
            units("YOGURES", "YOGURT", &["YOGURT NATURAL", "YOGURT DE FRESA", "YOGURT DE DURAZNO", "YOGURT GRIEGO", "YOGURT BEBIBLE DE FRESA"], &[sz("150G", 0.15, 0.90), sz("1KG", 1.0, 4.20)], &[12, 24], 0.6),
            staple(units("GRASAS", "MARGARINA Y MANTEQUILLA", &["MARGARINA CON SAL", "MARGARINA SIN SAL", "MANTEQUILLA CON SAL"], &[sz("250G", 0.25, 1.70), sz("500G", 0.5, 3.00)], &[12, 24], 0.2)),
            units("BEBIDAS LACTEAS", "BEBIDAS LACTEAS", &["CHICHA CRIOLLA", "BEBIDA LACTEA DE CHOCOLATE", "MERENGADA DE FRESA", "KUMIS"], &[sz("250ML", 0.25, 0.90), sz("1L", 1.0, 2.90)], &[12, 24], 0.4),
            units("CREMAS", "CREMA DE LECHE", &["CREMA DE LECHE", "NATA CRIOLLA"], &[sz("250G", 0.25, 2.40)], &[12], 0.1),
            staple(units("HUEVOS", "HUEVOS", &["HUEVOS BLANCOS TIPO A", "HUEVOS ROJOS TIPO A"], &[sz("CARTON 30 UND", 1.8, 6.80), sz("12 UND", 0.72, 2.90)], &[6, 12], 0.1)),
        ],
    },
    Category {
        name: "CHARCUTERIA",
        family: Frio,
        cuadrante: "CUADRANTE VI",
        share: 0.05,
        boost: 1.1,
        weekend: 1.15,
        brands: &["LA ALEMANA", "EL ARTESANO", "SAN MARCOS", "DON JULIAN", "LA SELECTA", "DELICIAS DEL PARQUE", "FRIGORIFICO ORIENTE", "DON CHEPE", "LA FLORIDA", "EL CORTIJO"],
        items: &[
            weighed("JAMONES", "JAMON", &["JAMON DE PIERNA", "JAMON COCIDO", "JAMON DE PAVO", "JAMON AHUMADO"], 0.3, 8.5),
            weighed("EMBUTIDOS", "EMBUTIDOS AL CORTE", &["MORTADELA", "SALAMI", "CHORIZO CARUPANERO", "SALCHICHON"], 0.35, 5.5),
            units("EMBUTIDOS", "SALCHICHAS", &["SALCHICHAS DE POLLO", "SALCHICHAS DE CERDO", "SALCHICHAS TIPO VIENA", "SALCHICHAS DE PAVO"], &[sz("225G", 0.225, 1.90), sz("500G", 0.5, 3.70)], &[12, 24], 0.2),
            units("EMBUTIDOS", "TOCINETA", &["TOCINETA AHUMADA", "TOCINETA DE PAVO"], &[sz("200G", 0.2, 3.90)], &[12], 0.1),
            units("REBANADOS", "REBANADOS", &["JAMON REBANADO", "MORTADELA REBANADA", "PECHUGA DE PAVO REBANADA"], &[sz("200G", 0.2, 2.90)], &[12], 0.1),
        ],
    },
    Category {
        name: "CARNES",
        family: Frio,
        cuadrante: "CUADRANTE VII",
        share: 0.04,
        boost: 1.3,
        weekend: 1.2,
        brands: &["RES SELECTA", "GRANJA EL ROBLE", "AVICOLA CENTRAL", "POLLOS DEL LLANO", "CARNICERIA PROPIA", "PESCA MARGARITA"],
        items: &[
            staple(weighed("RES", "CARNE DE RES", &["CARNE MOLIDA DE RES", "BISTEC DE RES", "COSTILLA DE RES", "PULPA NEGRA", "SOLOMO DE CUERO", "LAGARTO DE RES", "CARNE PARA MECHAR", "HIGADO DE RES"], 1.0, 7.2)),
            staple(weighed("POLLO", "POLLO", &["POLLO ENTERO", "PECHUGA DE POLLO", "MUSLO DE POLLO", "ALAS DE POLLO", "MILANESA DE POLLO", "HIGADO DE POLLO"], 1.3, 4.0)),
            weighed("CERDO", "CERDO", &["CHULETA DE CERDO", "PERNIL DE CERDO", "COSTILLA DE CERDO", "LOMO DE CERDO"], 1.0, 6.5),
            weighed("PESCADOS", "PESCADO FRESCO", &["FILETE DE MERLUZA", "PARGO ENTERO", "CAZON", "SARDINA FRESCA", "CAMARON PELADO"], 0.8, 8.0),
        ],
    },
    Category {
        name: "FRUTAS Y VERDURAS",
        family: Verde,
        cuadrante: "CUADRANTE VIII",
        share: 0.05,
        boost: 1.5,
        weekend: 1.1,
        brands: &["GRANEL", "SELECCION", "ORGANICO", "PREMIUM", "IMPORTADO", "ANDINO", "CRIOLLO"],
        items: &[
            staple(weighed("VERDURAS", "VERDURAS", &["TOMATE", "CEBOLLA BLANCA", "CEBOLLA MORADA", "PAPA", "ZANAHORIA", "PIMENTON ROJO", "PIMENTON VERDE", "AJI DULCE", "PEPINO", "CALABACIN", "BERENJENA", "REMOLACHA", "AJO", "AUYAMA", "YUCA", "OCUMO", "ÑAME", "BATATA", "REPOLLO", "BROCOLI", "COLIFLOR", "VAINITAS"], 0.9, 1.8)),
            staple(weighed("FRUTAS", "FRUTAS", &["CAMBUR", "PLATANO", "NARANJA", "MANDARINA", "LIMON", "MANGO", "LECHOSA", "PIÑA", "PATILLA", "MELON", "GUAYABA", "PARCHITA", "FRESA", "MANZANA ROJA", "PERA", "UVA"], 1.2, 1.6)),
            units("HORTALIZAS", "HOJAS Y HIERBAS", &["LECHUGA AMERICANA", "LECHUGA CRESPA", "CILANTRO", "PEREJIL", "CEBOLLIN", "CELERY", "ESPINACA", "RUGULA"], &[sz("UND", 0.3, 0.90)], &[12, 24], 0.2),
        ],
    },
    Category {
        name: "BEBIDAS",
        family: Seco,
        cuadrante: "CUADRANTE IV",
        share: 0.12,
        boost: 1.3,
        weekend: 1.25,
        brands: &[
            "TROPI", "GLACIAL", "MANANTIAL DEL AVILA", "COLA ANDINA", "NARANJITA", "CERVECERIA DEL LAGO", "MALTA REAL", "JUGOS DEL CAMPO", "VITAL",
            "SPORT MAX", "CARIBE", "FRUTALIA", "ROCA AZUL", "LA MONTAÑA", "ORIENTAL", "DEL PUERTO", "BRISA", "AVILA",
        ],
        items: &[
            staple(units("REFRESCOS", "REFRESCOS", &["REFRESCO DE COLA", "REFRESCO DE NARANJA", "REFRESCO DE LIMON", "REFRESCO DE UVA", "REFRESCO DE PIÑA", "REFRESCO DE COLA SIN AZUCAR"], &[sz("2L", 2.0, 2.30), sz("355ML", 0.36, 0.75), sz("1.5L", 1.5, 1.90)], &[6, 12, 24], 0.6)),
            units("AGUAS", "AGUA MINERAL", &["AGUA MINERAL", "AGUA MINERAL CON GAS"], &[sz("600ML", 0.6, 0.55), sz("1.5L", 1.5, 0.90), sz("5L", 5.0, 2.10)], &[6, 12, 24], 0.8),
            units("JUGOS", "JUGOS Y NECTARES", &["NECTAR DE DURAZNO", "NECTAR DE PERA", "NECTAR DE MANZANA", "JUGO DE NARANJA", "NECTAR DE MANGO", "BEBIDA DE PARCHITA"], &[sz("250ML", 0.25, 0.55), sz("1L", 1.0, 1.90), sz("1.5L", 1.5, 2.50)], &[6, 12, 24], 0.5),
            units("MALTAS", "MALTAS", &["MALTA", "MALTA LIGHT"], &[sz("250ML", 0.25, 0.80), sz("1.5L", 1.5, 2.20)], &[6, 12, 24], 1.0),
            units("CERVEZAS", "CERVEZAS", &["CERVEZA PILSEN", "CERVEZA LIGHT", "CERVEZA NEGRA", "CERVEZA ARTESANAL"], &[sz("222ML", 0.22, 0.90), sz("355ML", 0.36, 1.30)], &[24, 36], 3.0),
            units("ISOTONICAS", "ISOTONICAS Y TES", &["BEBIDA ISOTONICA DE LIMA", "BEBIDA ISOTONICA DE UVA", "BEBIDA ENERGETICA", "TE FRIO DE LIMON", "TE FRIO DE DURAZNO"], &[sz("500ML", 0.5, 1.40), sz("600ML", 0.6, 1.60)], &[12, 24], 0.3),
            units("LICORES", "LICORES", &["RON AÑEJO", "RON BLANCO", "VODKA", "WHISKY 12 AÑOS", "SANGRIA", "VINO TINTO", "VINO BLANCO"], &[sz("750ML", 0.75, 9.00), sz("1L", 1.0, 11.50)], &[6, 12], 0.1),
        ],
    },
    Category {
        name: "LIMPIEZA",
        family: Seco,
        cuadrante: "CUADRANTE IX",
        share: 0.10,
        boost: 0.8,
        weekend: 1.0,
        brands: &[
            "BRILLEX", "LIMPIOL", "ESPUMIN", "CLOROSOL", "SUAVECITO", "LIMPIAMAS", "HOGAR PLUS", "ECOLIMP", "BRILLO SOL", "ECONOMAX", "FRESCOLIM",
            "BLANQUITA", "PODER AZUL", "LAVANDA REAL", "MULTILIMPIO", "CRISTALINO", "ESPLENDOR", "PURO HOGAR",
        ],
        items: &[
            staple(units("DETERGENTES", "DETERGENTES", &["DETERGENTE EN POLVO", "DETERGENTE LIQUIDO", "DETERGENTE EN POLVO CON SUAVIZANTE", "DETERGENTE PARA ROPA DE COLOR"], &[sz("1KG", 1.0, 3.50), sz("500G", 0.5, 1.90), sz("2KG", 2.0, 6.60)], &[12, 24], 0.1)),
            units("LAVAPLATOS", "LAVAPLATOS", &["LAVAPLATOS EN CREMA", "LAVAPLATOS LIQUIDO"], &[sz("500G", 0.5, 1.80), sz("1KG", 1.0, 3.20)], &[12, 24], 0.1),
            units("DESINFECTANTES", "CLORO Y DESINFECTANTES", &["CLORO", "DESINFECTANTE LAVANDA", "DESINFECTANTE PINO", "DESINFECTANTE FLORAL", "LIMPIADOR MULTIUSO"], &[sz("1L", 1.0, 1.30), sz("2L", 2.0, 2.30)], &[12], 0.2),
            units("SUAVIZANTES", "SUAVIZANTES", &["SUAVIZANTE DE ROPA PRIMAVERA", "SUAVIZANTE DE ROPA BEBE"], &[sz("1L", 1.0, 2.40), sz("2L", 2.0, 4.30)], &[12], 0.1),
            units("JABONES DE LAVAR", "JABON EN PANELA", &["JABON EN PANELA AZUL", "JABON EN PANELA BLANCO"], &[sz("250G", 0.25, 0.80)], &[24, 48], 0.4),
            units("ACCESORIOS", "ACCESORIOS DE LIMPIEZA", &["ESPONJA DOBLE USO", "ESPONJA DE ALAMBRE", "BOLSAS PARA BASURA", "GUANTES DE LATEX", "PAÑO ABSORBENTE", "ESCOBA", "CEPILLO PARA ROPA"], &[sz("UND", 0.1, 1.20)], &[12, 24], 0.1),
            units("PAPELES DE COCINA", "PAPELES DE COCINA", &["SERVILLETAS", "PAPEL ABSORBENTE DE COCINA", "PAPEL ALUMINIO", "PAPEL PLASTICO ENVOLVENTE"], &[sz("UND", 0.2, 1.50)], &[12, 24], 0.1),
            units("AMBIENTADORES", "AMBIENTADORES", &["AMBIENTADOR EN AEROSOL LAVANDA", "AMBIENTADOR EN AEROSOL CITRICO", "AMBIENTADOR ELECTRICO", "PASTILLA PARA INODORO"], &[sz("UND", 0.3, 2.80), sz("PACK 2 UND", 0.6, 5.20)], &[12, 24], 0.0),
            units("LIMPIADORES", "LIMPIADORES ESPECIALES", &["QUITAMANCHAS LIQUIDO", "BLANQUEADOR SIN CLORO", "LIMPIAVIDRIOS", "DESENGRASANTE DE COCINA", "LIMPIADOR DE BAÑOS"], &[sz("500ML", 0.5, 2.20), sz("1L", 1.0, 3.90)], &[12], 0.0),
            units("INSECTICIDAS", "INSECTICIDAS", &["INSECTICIDA EN AEROSOL", "ESPIRAL MATA ZANCUDOS"], &[sz("400ML", 0.4, 4.50)], &[12], 0.0),
        ],
    },
    Category {
        name: "CUIDADO PERSONAL",
        family: Seco,
        cuadrante: "CUADRANTE X",
        share: 0.12,
        boost: 0.6,
        weekend: 1.0,
        brands: &[
            "BELLA VIDA", "DENTIFRESH", "SUAVE PIEL", "NATURALIA", "BEBECITO", "FRESCURA", "CAPILUX", "DERMA PLUS", "ECONOMAX", "BRISA MARINA",
            "SEDALINA", "NATURA BELLA", "PIEL SANA", "DULCE BEBE", "BIOCARE", "HIGIEX", "VITALIS", "SONRISA",
        ],
        items: &[
            staple(units("PAPEL HIGIENICO", "PAPEL HIGIENICO", &["PAPEL HIGIENICO DOBLE HOJA", "PAPEL HIGIENICO HOJA SENCILLA"], &[sz("4 ROLLOS", 0.4, 2.60), sz("12 ROLLOS", 1.2, 7.20)], &[6, 12], 0.2)),
            units("CABELLO", "CUIDADO DEL CABELLO", &["CHAMPU ANTICASPA", "CHAMPU PARA CABELLO SECO", "CHAMPU FAMILIAR", "ACONDICIONADOR", "CREMA PARA PEINAR"], &[sz("400ML", 0.4, 4.50), sz("750ML", 0.75, 7.80)], &[12], 0.0),
            units("HIGIENE BUCAL", "CREMA DENTAL", &["CREMA DENTAL", "CREMA DENTAL BLANQUEADORA", "ENJUAGUE BUCAL"], &[sz("100ML", 0.1, 2.00), sz("150ML", 0.15, 2.70)], &[12, 24], 0.1),
            units("HIGIENE BUCAL", "CEPILLOS DENTALES", &["CEPILLO DENTAL MEDIANO", "CEPILLO DENTAL SUAVE", "HILO DENTAL"], &[sz("UND", 0.05, 1.60)], &[12, 24], 0.0),
            units("JABONES", "JABON DE TOCADOR", &["JABON DE TOCADOR AVENA", "JABON DE TOCADOR GLICERINA", "JABON ANTIBACTERIAL", "JABON LIQUIDO DE MANOS"], &[sz("110G", 0.11, 0.90), sz("PACK 3 UND", 0.33, 2.40)], &[24, 48], 0.3),
            units("DESODORANTES", "DESODORANTES", &["DESODORANTE EN BARRA", "DESODORANTE ROLL ON", "DESODORANTE EN AEROSOL"], &[sz("50G", 0.05, 3.80), sz("150ML", 0.15, 4.90)], &[12], 0.0),
            units("HIGIENE FEMENINA", "TOALLAS SANITARIAS", &["TOALLAS SANITARIAS NOCTURNAS", "TOALLAS SANITARIAS CON ALAS", "PROTECTORES DIARIOS"], &[sz("10 UND", 0.1, 2.10), sz("20 UND", 0.2, 3.80)], &[12, 24], 0.0),
            units("BEBES", "PAÑALES", &["PAÑALES ETAPA 1", "PAÑALES ETAPA 2", "PAÑALES ETAPA 3", "PAÑALES ETAPA 4", "PAÑALES ETAPA 5", "TOALLITAS HUMEDAS"], &[sz("PAQ 30 UND", 1.0, 11.00), sz("PAQ 50 UND", 1.6, 17.50)], &[4, 6], 0.0),
            units("CUIDADO DE LA PIEL", "CREMAS CORPORALES", &["CREMA CORPORAL HIDRATANTE", "CREMA DE MANOS", "PROTECTOR SOLAR FPS 50", "TALCO PARA PIES", "VASELINA"], &[sz("200ML", 0.2, 3.90), sz("400ML", 0.4, 6.50)], &[12], 0.0),
            units("BOTIQUIN", "BOTIQUIN", &["ALGODON", "HISOPOS", "CURITAS", "ALCOHOL ISOPROPILICO", "AGUA OXIGENADA"], &[sz("UND", 0.1, 1.40)], &[12, 24], 0.0),
            units("AFEITADO", "AFEITADO", &["MAQUINA DE AFEITAR DESECHABLE", "ESPUMA DE AFEITAR", "GEL DE AFEITAR"], &[sz("UND", 0.1, 2.90), sz("PACK 3 UND", 0.3, 6.50)], &[12, 24], 0.0),
        ],
    },
    Category {
        name: "CONGELADOS",
        family: Frio,
        cuadrante: "CUADRANTE XI",
        share: 0.05,
        boost: 0.7,
        weekend: 1.15,
        brands: &["POLO NORTE", "FRIOLANDIA", "ICEBERG", "DOÑA ANA", "MAR AZUL", "CONGELADOS DEL SUR", "TUNDRA", "ARTICO", "GLACIAR", "PINGÜINO"],
        items: &[
            units("HELADOS", "HELADOS", &["HELADO DE VAINILLA", "HELADO DE CHOCOLATE", "HELADO DE FRESA", "HELADO NAPOLITANO", "HELADO DE MANTECADO", "PALETA DE HELADO DE COCO"], &[sz("1L", 0.6, 5.20), sz("2L", 1.2, 9.50)], &[6, 12], 0.0),
            units("VEGETALES CONGELADOS", "VEGETALES CONGELADOS", &["VEGETALES MIXTOS CONGELADOS", "MAIZ CONGELADO", "BROCOLI CONGELADO", "PAPAS PREFRITAS"], &[sz("500G", 0.5, 2.40), sz("1KG", 1.0, 4.20)], &[12], 0.1),
            units("PREPARADOS", "PREPARADOS CONGELADOS", &["TEQUEÑOS", "PASTELITOS DE QUESO", "NUGGETS DE POLLO", "HAMBURGUESAS DE RES", "PIZZA CONGELADA", "EMPANADAS DE CARNE"], &[sz("500G", 0.5, 4.50), sz("1KG", 1.0, 8.20)], &[12], 0.1),
            units("PESCADOS CONGELADOS", "PESCADOS CONGELADOS", &["FILETE DE PESCADO CONGELADO", "CAMARONES CONGELADOS", "PALITOS DE PESCADO"], &[sz("400G", 0.4, 5.00), sz("800G", 0.8, 9.40)], &[12], 0.0),
        ],
    },
    Category {
        name: "PANADERIA",
        family: Seco,
        cuadrante: "CUADRANTE XII",
        share: 0.04,
        boost: 1.3,
        weekend: 1.05,
        brands: &["PAN DEL DIA", "HORNO DE ORO", "PANIFICADORA CENTRAL", "TRIGAL", "SANTA ELENA", "LA ESPIGA", "EL HORNITO", "PAN DE CASA"],
        items: &[
            staple(units("PANES", "PAN", &["PAN CANILLA", "PAN DE SANDWICH BLANCO", "PAN DE SANDWICH INTEGRAL", "PAN CAMPESINO", "PAN DE PERRO CALIENTE", "PAN DE HAMBURGUESA", "PAN SOBADO"], &[sz("UND", 0.25, 0.90), sz("500G", 0.5, 2.10)], &[6, 12], 0.6)),
            units("DULCES DE PANADERIA", "TORTAS Y DULCES", &["PONQUE DE VAINILLA", "PONQUE MARMOLEADO", "CACHITOS DE JAMON", "GOLFEADOS", "TORTA DE CHOCOLATE", "CROISSANT"], &[sz("UND", 0.1, 1.50), sz("PAQ 6 UND", 0.6, 5.40)], &[6, 12], 0.3),
            units("GALLETAS SALADAS", "TOSTADAS Y CASABE", &["TOSTADAS INTEGRALES", "GALLETAS DE SODA", "CASABE"], &[sz("200G", 0.2, 1.40), sz("400G", 0.4, 2.50)], &[12, 24], 0.1),
        ],
    },
    Category {
        name: "CONFITERIA",
        family: Seco,
        cuadrante: "CUADRANTE III",
        share: 0.11,
        boost: 1.0,
        weekend: 1.2,
        brands: &[
            "DULCELANDIA", "CACAO REAL", "GOLOSITOS", "CRUJI", "EL ROSAL", "GALLETERA NACIONAL", "SNACKY", "CHOCOVEN", "BARLOVENTO",
            "DULCE TENTACION", "MIMOS", "KRUNCHI", "DELICIAS ANDINAS", "CARAMELITO", "PICARITO", "SABROSITOS",
        ],
        items: &[
            units("CHOCOLATES", "CHOCOLATES", &["CHOCOLATE DE LECHE", "CHOCOLATE CON ALMENDRAS", "CHOCOLATE OSCURO 70%", "BARRA DE CHOCOLATE CON GALLETA", "BOMBONES SURTIDOS"], &[sz("30G", 0.03, 0.80), sz("100G", 0.1, 2.60), sz("200G", 0.2, 4.80)], &[12, 24, 48], 0.4),
            units("GALLETAS", "GALLETAS DULCES", &["GALLETAS MARIA", "GALLETAS DE CHOCOLATE", "GALLETAS RELLENAS DE VAINILLA", "GALLETAS DE AVENA", "GALLETAS WAFER DE FRESA", "GALLETAS DE COCO", "GALLETAS INTEGRALES"], &[sz("PAQ 6 UND", 0.2, 1.30), sz("400G", 0.4, 2.40)], &[12, 24], 0.4),
            units("CARAMELOS", "CARAMELOS Y GOMAS", &["CARAMELOS SURTIDOS", "CHUPETAS", "GOMITAS", "CHICLES DE MENTA", "MASMELOS"], &[sz("100G", 0.1, 1.10), sz("250G", 0.25, 2.30)], &[24, 48], 0.3),
            units("SNACKS", "SNACKS SALADOS", &["PAPITAS FRITAS", "TOSTONES DE PLATANO", "CHIZITOS DE QUESO", "MANI SALADO", "PALITOS DE MAIZ", "NACHOS"], &[sz("45G", 0.045, 0.60), sz("150G", 0.15, 1.80), sz("250G", 0.25, 2.90)], &[12, 24], 0.5),
            units("DULCES TIPICOS", "DULCES TIPICOS", &["TURRON DE MANI", "CONSERVA DE COCO", "DULCE DE LECHOSA", "PAPITA DE LECHE", "MELCOCHA"], &[sz("100G", 0.1, 1.20), sz("250G", 0.25, 2.60)], &[24, 48], 0.2),
        ],
    },
    Category {
        name: "MASCOTAS",
        family: Seco,
        cuadrante: "CUADRANTE X",
        share: 0.04,
        boost: 0.4,
        weekend: 1.0,
        brands: &["CANINO FELIZ", "GATUNO", "MASCOTA PLUS", "HUELLITAS", "DOGI", "MICHU", "PATITAS", "NUTRIPET", "FIEL AMIGO", "MIAU"],
        items: &[
            units("PERROS", "ALIMENTO PARA PERROS", &["ALIMENTO PARA PERROS ADULTOS", "ALIMENTO PARA CACHORROS", "ALIMENTO PARA PERROS RAZA PEQUEÑA"], &[sz("2KG", 2.0, 6.50), sz("4KG", 4.0, 11.90)], &[6, 12], 0.0),
            units("GATOS", "ALIMENTO PARA GATOS", &["ALIMENTO PARA GATOS ADULTOS", "ALIMENTO PARA GATITOS"], &[sz("1KG", 1.0, 4.20), sz("3KG", 3.0, 11.00)], &[6, 12], 0.0),
            units("ACCESORIOS PARA MASCOTAS", "ACCESORIOS PARA MASCOTAS", &["ARENA SANITARIA PARA GATOS", "HUESO DE CARNAZA", "GALLETAS PARA PERROS"], &[sz("UND", 0.5, 2.80)], &[12], 0.0),
        ],
    },
    Category {
        name: "HOGAR",
        family: Seco,
        cuadrante: "CUADRANTE II",
        share: 0.05,
        boost: 0.3,
        weekend: 1.1,
        brands: &["CASA LINDA", "HOGAR PLUS", "COCINA FACIL", "MULTIUSO", "ECONOMAX", "PLASTICOS DEL CENTRO", "LUMINA", "VIDRIOS DEL SUR", "TERMO", "ALUMINIOS CARABOBO"],
        items: &[
            units("DESECHABLES", "DESECHABLES", &["VASOS PLASTICOS", "PLATOS DESECHABLES", "CUBIERTOS DESECHABLES", "VASOS DE CARTON", "ENVASES DE ANIME"], &[sz("PAQ 25 UND", 0.2, 1.90), sz("PAQ 50 UND", 0.4, 3.40)], &[12, 24], 0.1),
            units("COCINA", "UTENSILIOS DE COCINA", &["OLLA DE ALUMINIO", "SARTEN ANTIADHERENTE", "JUEGO DE CUCHILLOS", "TABLA PARA PICAR", "COLADOR", "ABRELATAS"], &[sz("UND", 1.0, 9.50)], &[6], 0.0),
            units("ILUMINACION", "BOMBILLOS Y PILAS", &["BOMBILLO LED 9W", "BOMBILLO LED 12W", "PILAS AA", "PILAS AAA", "LINTERNA", "VELAS"], &[sz("UND", 0.1, 2.50), sz("PACK 4 UND", 0.4, 7.90)], &[12, 24], 0.0),
            units("ENVASES", "ENVASES", &["ENVASE HERMETICO", "JARRA PLASTICA", "BOTELLON PARA AGUA"], &[sz("1L", 0.2, 2.90), sz("2L", 0.3, 4.20)], &[6, 12], 0.0),
        ],
    },
];
