//! The demo workload: a Mandelbrot image computed row by row.
//!
//! Rows near the set cost far more than rows far from it, so the work is
//! skewed — the kind of load where work stealing matters. The result does
//! not depend on the schedule: [`checksum`] is the same for sequential code,
//! our pool, rayon, and the WASI and browser builds.

/// Size and depth of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Pixels per row.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
    /// Iteration limit per pixel.
    pub max_iter: u32,
}

impl Params {
    /// The full demo size.
    pub const FULL: Params = Params {
        width: 1200,
        height: 900,
        max_iter: 600,
    };
    /// A small size for CI runs (`DEMO_QUICK=1`).
    pub const QUICK: Params = Params {
        width: 240,
        height: 180,
        max_iter: 200,
    };

    /// `QUICK` when the environment variable `DEMO_QUICK` is set (and not
    /// `0`), else `FULL`.
    pub fn from_env() -> Params {
        match std::env::var("DEMO_QUICK") {
            Ok(v) if v != "0" && !v.is_empty() => Params::QUICK,
            _ => Params::FULL,
        }
    }
}

/// The rectangle of the complex plane an image shows: real parts
/// `re0..re0 + re_span` left to right, imaginary parts `im0..im0 + im_span`
/// top to bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Real part of the left edge.
    pub re0: f64,
    /// Imaginary part of the top edge.
    pub im0: f64,
    /// Width of the view in the complex plane.
    pub re_span: f64,
    /// Height of the view in the complex plane.
    pub im_span: f64,
}

impl View {
    /// The classic view: x in [-2.2, 1.0], y in [-1.2, 1.2].
    pub const CLASSIC: View = View {
        re0: -2.2,
        im0: -1.2,
        re_span: 3.2,
        im_span: 2.4,
    };
}

/// Iteration counts of one row (`y` in `0..height`) of the classic view.
pub fn render_row(p: Params, y: usize) -> Vec<u32> {
    render_row_in(p, View::CLASSIC, y)
}

/// Iteration counts of one row of `view`.
pub fn render_row_in(p: Params, view: View, y: usize) -> Vec<u32> {
    render_span(p, view, y, 0, p.width)
}

/// Iteration counts of a `w`×`h` tile whose top-left pixel is `(x0, y0)`,
/// row by row. Tiles of an image put together equal its rows exactly.
pub fn render_tile(p: Params, view: View, x0: usize, y0: usize, w: usize, h: usize) -> Vec<u32> {
    (y0..y0 + h)
        .flat_map(|y| render_span(p, view, y, x0, x0 + w))
        .collect()
}

fn render_span(p: Params, view: View, y: usize, x0: usize, x1: usize) -> Vec<u32> {
    let ci = view.im0 + view.im_span * (y as f64 + 0.5) / p.height as f64;
    (x0..x1)
        .map(|x| {
            let cr = view.re0 + view.re_span * (x as f64 + 0.5) / p.width as f64;
            escape_time(cr, ci, p.max_iter)
        })
        .collect()
}

fn escape_time(cr: f64, ci: f64, max_iter: u32) -> u32 {
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    for i in 0..max_iter {
        let (zr2, zi2) = (zr * zr, zi * zi);
        if zr2 + zi2 > 4.0 {
            return i;
        }
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
    }
    max_iter
}

/// The whole image, sequentially.
pub fn render_seq(p: Params) -> Vec<Vec<u32>> {
    (0..p.height).map(|y| render_row(p, y)).collect()
}

/// An FNV-1a hash of every iteration count, row by row: equal for equal
/// images whatever computed them.
pub fn checksum(rows: &[Vec<u32>]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in rows.iter().flatten() {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_the_width_and_points_inside_the_set_hit_the_limit() {
        let p = Params::QUICK;
        let row = render_row(p, p.height / 2);
        assert_eq!(row.len(), p.width);
        assert!(row.contains(&p.max_iter));
        assert_eq!(escape_time(0.0, 0.0, 50), 50);
        assert_eq!(escape_time(2.0, 2.0, 50), 1);
    }

    #[test]
    fn tiles_put_together_are_the_rows() {
        let p = Params::QUICK;
        let (tw, th) = (64, 50);
        let mut rows = vec![vec![0; p.width]; p.height];
        for y0 in (0..p.height).step_by(th) {
            for x0 in (0..p.width).step_by(tw) {
                let (w, h) = (tw.min(p.width - x0), th.min(p.height - y0));
                let tile = render_tile(p, View::CLASSIC, x0, y0, w, h);
                for (dy, line) in tile.chunks(w).enumerate() {
                    rows[y0 + dy][x0..x0 + w].copy_from_slice(line);
                }
            }
        }
        assert_eq!(checksum(&rows), checksum(&render_seq(p)));
    }

    #[test]
    fn checksum_depends_on_order() {
        let a = vec![vec![1, 2], vec![3]];
        let b = vec![vec![3], vec![1, 2]];
        assert_ne!(checksum(&a), checksum(&b));
        assert_eq!(checksum(&a), checksum(&a.clone()));
    }
}
