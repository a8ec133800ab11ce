//! Colours: iteration counts to RGBA, tinted by the worker that computed
//! them, so that who did what (and stealing) shows in the picture.

/// Hues of the workers, in degrees; worker `i` gets `HUES[i % len]`. The
/// page's legend uses the same list (`www/main.js`).
pub(crate) const HUES: [f64; 8] = [210.0, 28.0, 130.0, 320.0, 55.0, 265.0, 175.0, 0.0];

/// RGBA bytes of `iters`; points in the set are black. With a worker, the
/// escape gradient runs through that worker's hue; without, one neutral
/// blue-gold gradient.
pub(crate) fn colour(iters: &[u32], max_iter: u32, worker: Option<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(iters.len() * 4);
    for &n in iters {
        let [r, g, b] = if n >= max_iter {
            [0, 0, 0]
        } else {
            // A smooth-ish brightness from the escape time.
            let t = (f64::from(n) / f64::from(max_iter)).sqrt();
            match worker {
                Some(w) => hsl(HUES[w % HUES.len()], 0.85, 0.12 + 0.68 * t),
                None => hsl(220.0 - 180.0 * t, 0.8, 0.1 + 0.6 * t),
            }
        };
        out.extend_from_slice(&[r, g, b, 255]);
    }
    out
}

/// HSL (hue in degrees, saturation and lightness in 0..1) to RGB bytes.
fn hsl(h: f64, s: f64, l: f64) -> [u8; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m).clamp(0.0, 1.0) * 255.0).round() as u8;
    [byte(r), byte(g), byte(b)]
}
