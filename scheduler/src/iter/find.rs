//! `find_any(p)` (behind `any` and `all`): a search that stops early. The
//! first folder to find a match raises a shared flag; every folder checks
//! it before each item and the splitter before each chunk, so the other
//! workers stop within one item of seeing it.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use super::plumbing::{Consumer, Folder};
use super::traits::ParallelIterator;

pub(crate) fn find_any<I, P>(iter: I, predicate: P) -> Option<I::Item>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync,
{
    let found = AtomicBool::new(false);
    iter.drive(FindAny {
        predicate: &predicate,
        found: &found,
    })
}

struct FindAny<'f, P> {
    predicate: &'f P,
    found: &'f AtomicBool,
}

struct FindFolder<'f, T, P> {
    predicate: &'f P,
    found: &'f AtomicBool,
    item: Option<T>,
}

impl<'f, T, P> Consumer<T> for FindAny<'f, P>
where
    T: Send,
    P: Fn(&T) -> bool + Sync,
{
    type Folder = FindFolder<'f, T, P>;
    type Result = Option<T>;
    fn folder(&self, _range: Range<usize>) -> Self::Folder {
        FindFolder {
            predicate: self.predicate,
            found: self.found,
            item: None,
        }
    }
    fn reduce(&self, left: Option<T>, right: Option<T>) -> Option<T> {
        left.or(right)
    }
    fn full(&self) -> bool {
        self.found.load(Ordering::Relaxed)
    }
}

impl<T, P: Fn(&T) -> bool> Folder<T> for FindFolder<'_, T, P> {
    type Result = Option<T>;
    fn consume_iter<I: Iterator<Item = T>>(mut self, iter: I) -> Self {
        if self.item.is_some() {
            return self;
        }
        for x in iter {
            if self.found.load(Ordering::Relaxed) {
                break;
            }
            if (self.predicate)(&x) {
                self.found.store(true, Ordering::Relaxed);
                self.item = Some(x);
                break;
            }
        }
        self
    }
    fn complete(self) -> Option<T> {
        self.item
    }
}
