//! Tiles of the image, and the image they are put back into.

use demos::workload::{self, Params, View};

use crate::palette;

/// The tiles of a `p.width`×`p.height` image, `size` pixels square (the
/// last row and column of tiles are cut to fit), row by row.
pub(crate) fn tiles(p: Params, size: usize) -> impl Iterator<Item = (usize, usize, usize, usize)> {
    let size = size.max(1);
    (0..p.height).step_by(size).flat_map(move |y0| {
        (0..p.width)
            .step_by(size)
            .map(move |x0| (x0, y0, size.min(p.width - x0), size.min(p.height - y0)))
    })
}

/// One computed tile: its iteration counts, their colours, and who did it.
/// Serialized, it is what the page draws: `{x, y, w, h, worker, rgba}`
/// with `rgba` a `Uint8Array`.
#[derive(Clone, serde::Serialize)]
pub(crate) struct Tile {
    pub(crate) x: usize,
    pub(crate) y: usize,
    pub(crate) w: usize,
    pub(crate) h: usize,
    /// The index of the pool worker that computed it (0 outside a pool).
    pub(crate) worker: usize,
    #[serde(skip)]
    pub(crate) iters: Vec<u32>,
    #[serde(with = "serde_bytes")]
    pub(crate) rgba: Vec<u8>,
}

impl Tile {
    /// Computes the tile on the calling thread (a pool worker, in a task).
    pub(crate) fn render(
        p: Params,
        view: View,
        (x, y, w, h): (usize, usize, usize, usize),
        tint: bool,
    ) -> Tile {
        let worker = crate::worker_index();
        let iters = workload::render_tile(p, view, x, y, w, h);
        let rgba = palette::colour(&iters, p.max_iter, tint.then_some(worker));
        Tile {
            x,
            y,
            w,
            h,
            worker,
            iters,
            rgba,
        }
    }
}

/// The whole image's iteration counts, row by row.
pub(crate) struct Image {
    rows: Vec<Vec<u32>>,
}

impl Image {
    pub(crate) fn new(p: Params) -> Image {
        Image {
            rows: vec![vec![0; p.width]; p.height],
        }
    }

    pub(crate) fn put(&mut self, t: &Tile) {
        for (dy, line) in t.iters.chunks(t.w).enumerate() {
            self.rows[t.y + dy][t.x..t.x + t.w].copy_from_slice(line);
        }
    }

    /// The native demo's checksum of the same image.
    pub(crate) fn checksum(&self) -> u64 {
        workload::checksum(&self.rows)
    }
}
