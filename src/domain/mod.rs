//! Pure domain logic: plain values in, plain values out. No database, no clock, no
//! network — callers pass `today` and the data. The spec's worked examples are tests here.

pub mod access;
pub mod bi;
pub mod bi_abc;
pub mod bi_coverage;
pub mod bi_impact;
pub mod bi_products;
pub mod bi_stores;
pub mod class_history;
pub mod corrections;
pub mod distribution;
pub mod emergencies;
pub mod inventory;
pub mod inventory_health;
pub mod lockout;
pub mod lost_sales;
pub mod maintenance;
pub mod opportunities;
pub mod orders;
pub mod products;
pub mod reconciliation;
pub mod records;
pub mod replenishment;
pub mod sales;
pub mod sales_analysis;
pub mod sales_drilldown;
pub mod stock_history;
pub mod stock_params;
pub mod store_hours;
pub mod text;
pub mod traffic_generators;
pub mod visual_stockouts;
