//! `threading.local`: a value per thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::ident::get_ident;

/// `threading.local()`, holding one `T` per thread (Python's attribute bag
/// becomes a struct `T`). Clones share the per-thread slots.
///
/// ```
/// use executor_api::threading::Local;
/// let data: Local<u32> = Local::new();
/// data.set(1);
/// let d2 = data.clone();
/// std::thread::spawn(move || assert_eq!(d2.get(), None)).join().unwrap();
/// assert_eq!(data.get(), Some(1));
/// ```
#[derive(Debug)]
pub struct Local<T> {
    slots: Arc<Mutex<HashMap<u64, T>>>,
}

impl<T> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local {
            slots: self.slots.clone(),
        }
    }
}

impl<T> Default for Local<T> {
    fn default() -> Self {
        Local {
            slots: Arc::default(),
        }
    }
}

impl<T> Local<T> {
    /// `threading.local()`: empty on every thread.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the calling thread's value.
    pub fn set(&self, value: T) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(get_ident(), value);
    }

    /// Runs `f` on the calling thread's value (`None`: not set on this
    /// thread, Python's `AttributeError`).
    pub fn with<R>(&self, f: impl FnOnce(Option<&mut T>) -> R) -> R {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        f(slots.get_mut(&get_ident()))
    }

    /// Removes the calling thread's value (`del local.x`).
    pub fn take(&self) -> Option<T> {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&get_ident())
    }
}

impl<T: Clone> Local<T> {
    /// The calling thread's value, if set.
    pub fn get(&self) -> Option<T> {
        self.with(|v| v.cloned())
    }
}
