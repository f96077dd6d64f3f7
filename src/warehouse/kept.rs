//! Values computed from the warehouse and kept while it has had no write (`generation`):
//! a screen asked again with the same key answers from memory. Bounded: past `capacity`
//! keys, the least recently used goes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use super::Warehouse;

pub struct Kept<K, V> {
    state: Mutex<State<K, V>>,
    capacity: usize,
}

struct State<K, V> {
    entries: HashMap<K, Entry<V>>,
    clock: u64,
}

struct Entry<V> {
    generation: u64,
    used: u64,
    value: Arc<V>,
}

impl<K: Eq + Hash + Clone, V> Kept<K, V> {
    pub fn new(capacity: usize) -> Self {
        Kept { state: Mutex::new(State { entries: HashMap::new(), clock: 0 }), capacity: capacity.max(1) }
    }

    /// The value kept for `key` if computed at the warehouse's current generation, else
    /// `compute()`'s (kept for the next time).
    pub fn get_or_compute<E>(&self, wh: &Warehouse, key: K, compute: impl FnOnce() -> Result<V, E>) -> Result<Arc<V>, E> {
        // Read before computing: a write during the computation makes the entry stale.
        let generation = wh.generation();
        {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            s.clock += 1;
            let now = s.clock;
            if let Some(e) = s.entries.get_mut(&key).filter(|e| e.generation == generation) {
                e.used = now;
                return Ok(e.value.clone());
            }
        }
        let value = Arc::new(compute()?);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.entries.len() >= self.capacity && !s.entries.contains_key(&key) {
            if let Some(oldest) = s.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) {
                s.entries.remove(&oldest);
            }
        }
        s.clock += 1;
        let used = s.clock;
        s.entries.insert(key, Entry { generation, used, value: value.clone() });
        Ok(value)
    }

    /// Whether `key` is kept for the current generation.
    pub fn is_current(&self, wh: &Warehouse, key: &K) -> bool {
        let generation = wh.generation();
        self.state.lock().unwrap_or_else(|p| p.into_inner()).entries.get(key).is_some_and(|e| e.generation == generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_a_write_and_the_least_recently_used_goes_first() {
        let dir = tempfile::tempdir().unwrap();
        let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
        let kept: Kept<&str, u32> = Kept::new(2);
        let mut runs = 0;
        let mut get = |k: &'static str| {
            *kept
                .get_or_compute(&wh, k, || -> Result<u32, ()> {
                    runs += 1;
                    Ok(runs)
                })
                .unwrap()
        };
        assert_eq!((get("a"), get("a")), (1, 1), "computed once");
        assert_eq!(get("b"), 2);
        get("a");
        assert_eq!(get("c"), 3, "b, the least recently used, goes");
        assert_eq!(get("a"), 1);
        assert_eq!(get("b"), 4, "b was dropped");
        wh.write(|c| c.execute_batch("CREATE TABLE t (x INTEGER)")).unwrap();
        assert_eq!(get("a"), 5, "a write makes every value stale");
    }
}
