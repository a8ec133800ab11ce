//! `multiprocessing.Manager()`: shared dict, list, Namespace, Value, Lock,
//! Queue. Without processes there is no server: the proxies are shared
//! objects behind a lock, and clones are the same object.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;

use super::sharedctypes::{index, Value};
use crate::exceptions::{PyException, PyResult};
use crate::queue::Queue;
use crate::threading::{Lock, RLock};

/// `multiprocessing.Manager()` (a `SyncManager`).
///
/// ```
/// use pyrt_executor::multiprocessing::Manager;
/// let m = Manager::new();
/// let d = m.dict();
/// d.set("a", 1);
/// assert_eq!(d.get(&"a")?, 1);
/// assert_eq!(d.get(&"zz").unwrap_err().to_string(), "KeyError: 'zz'");
/// let ns = m.namespace();
/// ns.set("x", 1);
/// assert_eq!(ns.get("y").unwrap_err().to_string(),
///            "AttributeError: 'Namespace' object has no attribute 'y'");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Manager;

impl Manager {
    /// `Manager()`: starts nothing (no server process is needed).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let m = Manager::new(); // with Manager() as m:
    /// let d = m.dict();
    /// d.set("k", 1);
    /// assert_eq!(d.get(&"k")?, 1);
    /// m.shutdown();
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new() -> Self {
        Manager
    }

    /// `manager.dict()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict::<String, i32>();
    /// assert!(d.is_empty());
    /// ```
    pub fn dict<K, V>(&self) -> DictProxy<K, V> {
        DictProxy(Arc::new(Mutex::new(IndexMap::new())))
    }

    /// `manager.list(initial)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1, 2]);
    /// l.append(3);
    /// assert_eq!(l.to_vec(), [1, 2, 3]);
    /// ```
    pub fn list<T>(&self, initial: Vec<T>) -> ListProxy<T> {
        ListProxy(Arc::new(Mutex::new(initial)))
    }

    /// `manager.Namespace()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let ns = Manager::new().namespace();
    /// ns.set("x", 10); // ns.x = 10
    /// assert_eq!(ns.get("x")?, 10);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn namespace<V>(&self) -> Namespace<V> {
        Namespace(Arc::new(Mutex::new(IndexMap::new())))
    }

    /// `manager.Value(typecode, value)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let v = Manager::new().value(1.5);
    /// v.set(2.5);
    /// assert_eq!(v.get(), 2.5);
    /// ```
    pub fn value<T: Clone>(&self, value: T) -> Value<T> {
        Value::new(value)
    }

    /// `manager.Lock()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let lock = Manager::new().lock();
    /// assert!(lock.acquire(None, None)?);
    /// lock.release()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn lock(&self) -> Lock {
        Lock::new()
    }

    /// `manager.RLock()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let r = Manager::new().rlock();
    /// let _a = r.with()?;
    /// let _b = r.with()?; // re-entrant
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn rlock(&self) -> RLock {
        RLock::new()
    }

    /// `manager.Queue(maxsize=0)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let q = Manager::new().queue(None);
    /// q.put("job", None, None)?;
    /// assert_eq!(q.get(None, None)?, "job");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn queue<T>(&self, maxsize: Option<isize>) -> Queue<T> {
        Queue::new(maxsize)
    }

    /// `manager.shutdown()`: nothing to stop.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let m = Manager::new();
    /// let l = m.list(vec![1]);
    /// m.shutdown(); // no server process to stop: proxies keep working
    /// assert_eq!(l.len(), 1);
    /// ```
    pub fn shutdown(&self) {}
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A shared `dict` (insertion-ordered, like Python's).
///
/// ```
/// use pyrt_executor::multiprocessing::Manager;
/// let d = Manager::new().dict();
/// d.set("b", 2);
/// d.set("a", 1);
/// d.update_with("a", |v| v.copied().unwrap_or(0) + 10);
/// assert_eq!(d.items(), vec![("b", 2), ("a", 11)]);
/// assert_eq!(d.pop(&"c").unwrap_err().to_string(), "KeyError: 'c'");
/// ```
#[derive(Debug)]
pub struct DictProxy<K, V>(Arc<Mutex<IndexMap<K, V>>>);

impl<K, V> Clone for DictProxy<K, V> {
    fn clone(&self) -> Self {
        DictProxy(self.0.clone())
    }
}

impl<K: Hash + Eq + Debug + Clone, V: Clone> DictProxy<K, V> {
    /// `d[key]`: `KeyError: key` (the key's `Debug`, e.g. `'a'` for text).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("a", 1);
    /// assert_eq!(d.get(&"a")?, 1);
    /// assert_eq!(d.get(&"b").unwrap_err().name(), "KeyError");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get(&self, key: &K) -> PyResult<V> {
        guard(&self.0)
            .get(key)
            .cloned()
            .ok_or_else(|| PyException::KeyError(py_repr(key)))
    }

    /// `d.get(key, default)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict::<&str, i32>();
    /// assert_eq!(d.get_or(&"missing", 0), 0); // d.get("missing", 0)
    /// ```
    pub fn get_or(&self, key: &K, default: V) -> V {
        guard(&self.0).get(key).cloned().unwrap_or(default)
    }

    /// `d[key] = value`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set(1, "one"); // d[1] = "one"
    /// assert!(d.contains(&1));
    /// ```
    pub fn set(&self, key: K, value: V) {
        guard(&self.0).insert(key, value);
    }

    /// `del d[key]` / `d.pop(key)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("a", 1);
    /// assert_eq!(d.pop(&"a")?, 1);
    /// assert!(d.pop(&"a").is_err());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn pop(&self, key: &K) -> PyResult<V> {
        guard(&self.0)
            .shift_remove(key)
            .ok_or_else(|| PyException::KeyError(py_repr(key)))
    }

    /// Runs `f` on the entry under the dict's lock (`d[k] = f(d.get(k))`
    /// done atomically, which a Python proxy cannot offer).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let counts = Manager::new().dict();
    /// for word in ["a", "b", "a"] {
    ///     counts.update_with(word, |n| n.copied().unwrap_or(0) + 1); // atomically
    /// }
    /// assert_eq!(counts.get(&"a")?, 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn update_with(&self, key: K, f: impl FnOnce(Option<&V>) -> V) {
        let mut d = guard(&self.0);
        let v = f(d.get(&key));
        d.insert(key, v);
    }

    /// `len(d)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("a", 1);
    /// assert_eq!(d.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        guard(&self.0).len()
    }

    /// `len(d) == 0`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// assert!(Manager::new().dict::<i32, i32>().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `d.items()` in insertion order.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("b", 2);
    /// d.set("a", 1);
    /// assert_eq!(d.items(), [("b", 2), ("a", 1)]); // insertion order, as Python's dict
    /// ```
    pub fn items(&self) -> Vec<(K, V)> {
        guard(&self.0)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// `d.keys()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("x", 0);
    /// assert_eq!(d.keys(), ["x"]);
    /// ```
    pub fn keys(&self) -> Vec<K> {
        guard(&self.0).keys().cloned().collect()
    }

    /// `d.values()` in insertion order.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("x", 7);
    /// assert_eq!(d.values(), [7]);
    /// ```
    pub fn values(&self) -> Vec<V> {
        guard(&self.0).values().cloned().collect()
    }

    /// `key in d`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("x", 7);
    /// assert!(d.contains(&"x") && !d.contains(&"y")); // "x" in d
    /// ```
    pub fn contains(&self, key: &K) -> bool {
        guard(&self.0).contains_key(key)
    }

    /// `d.copy()`: a plain dict (not a proxy) of the current items, in
    /// insertion order; like a Python dict, it compares equal to another
    /// with the same items in any order.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set(1, "a");
    /// let c = d.copy();
    /// d.clear();
    /// assert_eq!(c.get(&1), Some(&"a"));
    /// assert!(!d.contains(&1));
    /// ```
    pub fn copy(&self) -> IndexMap<K, V> {
        guard(&self.0).clone()
    }

    /// `d.clear()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let d = Manager::new().dict();
    /// d.set("x", 7);
    /// d.clear();
    /// assert!(d.is_empty());
    /// ```
    pub fn clear(&self) {
        guard(&self.0).clear();
    }
}

/// Python's `repr` of a key in a `KeyError`: text in single quotes.
fn py_repr<K: Debug>(key: &K) -> String {
    let s = format!("{key:?}");
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => format!("'{inner}'"),
        None => s,
    }
}

/// A shared `list`.
///
/// ```
/// use pyrt_executor::multiprocessing::Manager;
/// let l = Manager::new().list(vec![1]);
/// l.append(2);
/// assert_eq!(l.get(-1)?, 2);
/// assert_eq!(l.get(5).unwrap_err().to_string(), "IndexError: list index out of range");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct ListProxy<T>(Arc<Mutex<Vec<T>>>);

impl<T> Clone for ListProxy<T> {
    fn clone(&self) -> Self {
        ListProxy(self.0.clone())
    }
}

fn list_index_error() -> PyException {
    PyException::IndexError("list index out of range".into())
}

impl<T: Clone> ListProxy<T> {
    /// `l.append(x)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![]);
    /// l.append("a");
    /// assert_eq!(l.len(), 1);
    /// ```
    pub fn append(&self, x: T) {
        guard(&self.0).push(x);
    }

    /// `l[i]`: `IndexError: list index out of range`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1, 2, 3]);
    /// assert_eq!(l.get(-1)?, 3); // l[-1]
    /// assert_eq!(l.get(5).unwrap_err().name(), "IndexError");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get(&self, i: isize) -> PyResult<T> {
        let l = guard(&self.0);
        let idx = index(i, l.len()).ok_or_else(list_index_error)?;
        Ok(l[idx].clone())
    }

    /// `l[i] = x`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1, 2]);
    /// l.set(0, 9)?; // l[0] = 9
    /// assert_eq!(l.to_vec(), [9, 2]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set(&self, i: isize, x: T) -> PyResult<()> {
        let mut l = guard(&self.0);
        let idx = index(i, l.len()).ok_or_else(list_index_error)?;
        l[idx] = x;
        Ok(())
    }

    /// `len(l)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// assert_eq!(Manager::new().list(vec![1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        guard(&self.0).len()
    }

    /// `len(l) == 0`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// assert!(Manager::new().list(Vec::<i32>::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `list(l)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec!["a"]);
    /// assert_eq!(l.to_vec(), ["a"]); // list(l)
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        guard(&self.0).clone()
    }

    /// `l[start:stop]` (`None` for an omitted bound): a plain list.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![]);
    /// l.extend(0..5);
    /// assert_eq!(l.get_slice(Some(2), Some(10)), vec![2, 3, 4]);
    /// l.imul(2); // l *= 2
    /// assert_eq!(l.to_vec(), vec![0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    /// assert_eq!(l.pop(None)?, 4);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn get_slice(&self, start: Option<isize>, stop: Option<isize>) -> Vec<T> {
        let l = guard(&self.0);
        let len = l.len() as isize;
        let clamp = |i: isize| (if i < 0 { i + len } else { i }).clamp(0, len) as usize;
        let lo = start.map_or(0, clamp);
        let hi = stop.map_or(l.len(), clamp).max(lo);
        l[lo..hi].to_vec()
    }

    /// `l.extend(iterable)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1]);
    /// l.extend([2, 3]);
    /// assert_eq!(l.to_vec(), [1, 2, 3]);
    /// ```
    pub fn extend(&self, items: impl IntoIterator<Item = T>) {
        guard(&self.0).extend(items);
    }

    /// `l *= n`: the items repeated `n` times (none for `n <= 0`).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1, 2]);
    /// l.imul(2); // l *= 2
    /// assert_eq!(l.to_vec(), [1, 2, 1, 2]);
    /// ```
    pub fn imul(&self, n: i64) {
        let mut l = guard(&self.0);
        let once = std::mem::take(&mut *l);
        for _ in 0..n.max(0) {
            l.extend(once.iter().cloned());
        }
    }

    /// `l.pop(i=-1)`: `IndexError: pop from empty list` or `pop index out
    /// of range`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let l = Manager::new().list(vec![1, 2, 3]);
    /// assert_eq!(l.pop(None)?, 3);
    /// assert_eq!(l.pop(Some(0))?, 1);
    /// assert_eq!(l.to_vec(), [2]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn pop(&self, i: Option<isize>) -> PyResult<T> {
        let mut l = guard(&self.0);
        if l.is_empty() {
            return Err(PyException::IndexError("pop from empty list".into()));
        }
        let idx = index(i.unwrap_or(-1), l.len())
            .ok_or_else(|| PyException::IndexError("pop index out of range".into()))?;
        Ok(l.remove(idx))
    }
}

/// A shared `Namespace`: named attributes of one type `V` (an enum when
/// the Python code stores several types).
///
/// ```
/// use pyrt_executor::multiprocessing::Manager;
/// let ns = Manager::new().namespace();
/// ns.set("x", 1);
/// assert_eq!(ns.get("x")?, 1);
/// assert_eq!(ns.get("y").unwrap_err().to_string(),
///            "AttributeError: 'Namespace' object has no attribute 'y'");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct Namespace<V>(Arc<Mutex<IndexMap<String, V>>>);

impl<V> Clone for Namespace<V> {
    fn clone(&self) -> Self {
        Namespace(self.0.clone())
    }
}

impl<V: Clone> Namespace<V> {
    /// `ns.name`: `AttributeError: 'Namespace' object has no attribute
    /// 'name'`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let ns = Manager::new().namespace::<i32>();
    /// assert_eq!(ns.get("x").unwrap_err().name(), "AttributeError");
    /// ```
    pub fn get(&self, name: &str) -> PyResult<V> {
        guard(&self.0).get(name).cloned().ok_or_else(|| {
            PyException::AttributeError(format!("'Namespace' object has no attribute '{name}'"))
        })
    }

    /// `ns.name = value`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let ns = Manager::new().namespace();
    /// ns.set("x", 1);
    /// ns.set("x", 2);
    /// assert_eq!(ns.get("x")?, 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set(&self, name: impl Into<String>, value: V) {
        guard(&self.0).insert(name.into(), value);
    }

    /// `hasattr(ns, name)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let ns = Manager::new().namespace();
    /// ns.set("x", 1);
    /// assert!(ns.has("x") && !ns.has("y")); // hasattr(ns, "x")
    /// ```
    pub fn has(&self, name: &str) -> bool {
        guard(&self.0).contains_key(name)
    }

    /// `del ns.name`: `AttributeError: 'Namespace' object has no
    /// attribute 'name'` if it is not set.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Manager;
    /// let ns = Manager::new().namespace();
    /// ns.set("name", "Bob");
    /// ns.set("job", "Builder");
    /// ns.set("_hidden", "hidden");
    /// ns.del("job")?;
    /// assert!(!ns.has("job"));
    /// assert_eq!(ns.to_string(), "Namespace(name='Bob')");
    /// assert_eq!(ns.del("job").unwrap_err().to_string(),
    ///            "AttributeError: 'Namespace' object has no attribute 'job'");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn del(&self, name: &str) -> PyResult<()> {
        guard(&self.0).shift_remove(name).map(drop).ok_or_else(|| {
            PyException::AttributeError(format!("'Namespace' object has no attribute '{name}'"))
        })
    }
}

/// `str(ns)`: `Namespace(a=1, b='x')`, the attributes not starting with
/// `_`, sorted, each value's `Debug` standing for its `repr` (text in
/// single quotes).
impl<V: Debug> std::fmt::Display for Namespace<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut items: Vec<String> = guard(&self.0)
            .iter()
            .filter(|(name, _)| !name.starts_with('_'))
            .map(|(name, value)| format!("{name}={}", py_repr(value)))
            .collect();
        items.sort();
        write!(f, "Namespace({})", items.join(", "))
    }
}
