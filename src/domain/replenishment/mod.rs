//! Replenishment engine, pure part (spec 30 §2–§10, §14, §17): what a CEDI should send to one
//! store. Plain values in (daily sales, stock, parameters, `today`), plain values out with
//! their explanation; no I/O, no clock. The worked examples of §17 are unit tests of the
//! modules below, named after them (`e1_…` … `e20_…`). Out of scope here, with the order life
//! cycle (§11–§13): E21 (order numbering) and the arrival-status part of E18 (only its arrival
//! detection, shared with §8, is here).
//!
//! * [`demand`] — P75 and the other statistics on selling days (§3).
//! * [`classification`] — ABC (four models), XYZ and the ABC-XYZ matrix (§4, §5).
//! * [`parameters`] — category → store → global → built-in resolution with sources (§6.1).
//! * [`levels`] — effective class, SS / ROP / MAX, reorder rule, pack rounding, warnings (§6).
//! * [`suggestion`] — the per-product pipeline and the store calculation (§7).
//! * [`transit`] — in-transit stock by FIFO matching of open orders and arrivals (§8).
//! * [`coverage`] — weekday-aware "cobertura real" (V2, §9), informational.
//! * [`criticality`] — level and score for the default sort (§10).

pub mod classification;
pub mod coverage;
pub mod criticality;
pub mod demand;
pub mod levels;
pub mod parameters;
pub mod substitutes;
pub mod suggestion;
pub mod transit;

pub use classification::{
    abc_label, abc_xyz_matrix, aggregate_abc_inputs, classify_abc, classify_abc_owned, classify_xyz, most_critical_class, xyz_from_sales,
    AbcClass, AbcInput, AbcModel, AbcRow, AbcSale, AbcThresholds, AbcXyzMatrix, MatrixCell, MatrixItem, XyzClass, XyzConfig, XyzResult,
};
pub use coverage::{weekday_coverage, CoverageInput, WeekdayCoverage};
pub use criticality::{criticality, Criticality, CriticalityLevel};
pub use demand::{demand_stats, DemandStats, DemandWindows};
pub use levels::{compute_levels, effective_class, reorder, LevelInputs, Levels, PackSize, ReorderDecision};
pub use parameters::{
    resolve_params, resolve_windows, CategoryOverride, GlobalParams, ParamConfig, ParamSource, PerClass, ResolvedParams, StoreOverride,
};
pub use suggestion::{
    calculate_store, reference_demand, suggest, CalculationMethod, DecisionRule, EngineSettings, Explanation, LineDemand, ProductInput,
    ReferenceDemand, ReferenceStoreSales, StorageLimits, StoreInput, Suggestion, TrialFallback, TrialFallbacks,
};
pub use transit::{detect_arrivals, in_transit, InTransit, OpenOrderLine};
