//! Tag encodings (BIO / BILOU) and constrained first-order Viterbi decoding.
//!
//! Invalid transitions (e.g. `O -> I-PER`, `B-PER -> I-LOC`) are never
//! considered, so every decoded sequence maps to well-formed entity spans.
//! Max-marginals (best path score through each tag) give a per-token margin
//! that `mod.rs` turns into span scores.

/// How entity spans are encoded as per-token tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// O, B-x, I-x.
    Bio,
    /// O, B-x, I-x, L-x (last), U-x (unit).
    Bilou,
}

impl Encoding {
    /// Stable id used in the model file.
    pub fn id(self) -> u8 {
        match self {
            Encoding::Bio => 0,
            Encoding::Bilou => 1,
        }
    }
    /// Inverse of `id`.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(Encoding::Bio),
            1 => Some(Encoding::Bilou),
            _ => None,
        }
    }
    fn width(self) -> usize {
        match self {
            Encoding::Bio => 2,
            Encoding::Bilou => 4,
        }
    }
}

/// Position kind of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Outside.
    O,
    /// Begin of a multi-token entity (BIO: any entity start).
    B,
    /// Inside.
    I,
    /// Last token of a multi-token entity (BILOU only).
    L,
    /// Single-token entity (BILOU only).
    U,
}

/// Tag inventory for a number of entity types, with the transition constraints.
#[derive(Debug, Clone)]
pub struct TagSet {
    /// Encoding in use.
    pub enc: Encoding,
    /// Number of entity types.
    pub n_types: usize,
    /// Number of tags (1 + width * n_types).
    pub n_tags: usize,
    /// For each tag, the tags allowed immediately before it.
    allowed_prev: Vec<Vec<u16>>,
    can_start: Vec<bool>,
    can_end: Vec<bool>,
}

impl TagSet {
    /// Build the tag set.
    pub fn new(enc: Encoding, n_types: usize) -> Self {
        let n_tags = 1 + enc.width() * n_types;
        let mut ts = TagSet {
            enc,
            n_types,
            n_tags,
            allowed_prev: Vec::new(),
            can_start: Vec::new(),
            can_end: Vec::new(),
        };
        for cur in 0..n_tags {
            let (ck, cty) = ts.kind(cur);
            let prev: Vec<u16> = (0..n_tags)
                .filter(|&p| {
                    let (pk, pty) = ts.kind(p);
                    ts.transition_ok(pk, pty, ck, cty)
                })
                .map(|p| p as u16)
                .collect();
            ts.allowed_prev.push(prev);
            ts.can_start.push(matches!(ck, Kind::O | Kind::B | Kind::U));
            ts.can_end.push(match enc {
                Encoding::Bio => true,
                Encoding::Bilou => matches!(ck, Kind::O | Kind::L | Kind::U),
            });
        }
        ts
    }

    fn transition_ok(&self, pk: Kind, pty: usize, ck: Kind, cty: usize) -> bool {
        match self.enc {
            Encoding::Bio => match ck {
                Kind::I => matches!(pk, Kind::B | Kind::I) && pty == cty,
                _ => true,
            },
            Encoding::Bilou => match ck {
                Kind::I | Kind::L => matches!(pk, Kind::B | Kind::I) && pty == cty,
                _ => matches!(pk, Kind::O | Kind::L | Kind::U),
            },
        }
    }

    /// Kind and entity type index of tag `t` (type is 0 for O).
    pub fn kind(&self, t: usize) -> (Kind, usize) {
        if t == 0 {
            return (Kind::O, 0);
        }
        let w = self.enc.width();
        let ty = (t - 1) / w;
        let k = match (self.enc, (t - 1) % w) {
            (_, 0) => Kind::B,
            (_, 1) => Kind::I,
            (Encoding::Bilou, 2) => Kind::L,
            _ => Kind::U,
        };
        (k, ty)
    }

    fn tag_of(&self, k: Kind, ty: usize) -> u16 {
        let w = self.enc.width();
        let off = match k {
            Kind::O => return 0,
            Kind::B => 0,
            Kind::I => 1,
            Kind::L => 2,
            Kind::U => 3,
        };
        (1 + ty * w + off) as u16
    }

    /// Tags for a sentence of `n` tokens with (non-overlapping) spans `(start, end, type)`.
    pub fn encode(&self, n: usize, spans: &[(usize, usize, usize)]) -> Vec<u16> {
        let mut tags = vec![0u16; n];
        for &(s, e, ty) in spans {
            if s >= e || e > n || ty >= self.n_types {
                continue;
            }
            for (i, t) in tags.iter_mut().enumerate().take(e).skip(s) {
                let k = match self.enc {
                    Encoding::Bio => {
                        if i == s {
                            Kind::B
                        } else {
                            Kind::I
                        }
                    }
                    Encoding::Bilou => {
                        if e - s == 1 {
                            Kind::U
                        } else if i == s {
                            Kind::B
                        } else if i + 1 == e {
                            Kind::L
                        } else {
                            Kind::I
                        }
                    }
                };
                *t = self.tag_of(k, ty);
            }
        }
        tags
    }

    /// Spans `(start, end, type)` of a tag sequence. Lenient: an entity ends at
    /// any tag that does not continue it, so even unconstrained input is safe.
    pub fn decode(&self, tags: &[u16]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, &t) in tags.iter().enumerate() {
            let (k, ty) = self.kind(t as usize);
            let continues =
                matches!(k, Kind::I | Kind::L) && open.is_some_and(|(_, oty)| oty == ty);
            if !continues {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i, oty));
                }
                if k != Kind::O {
                    open = Some((i, ty));
                }
            }
            if matches!(k, Kind::U | Kind::L) {
                if let Some((s, oty)) = open.take() {
                    out.push((s, i + 1, oty));
                }
            }
        }
        if let Some((s, oty)) = open {
            out.push((s, tags.len(), oty));
        }
        out
    }
}

/// Reusable buffers for decoding.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    delta: Vec<f32>,
    back: Vec<u16>,
    beta: Vec<f32>,
    gathered: Vec<f32>,
}

/// Transition scores laid out for fast tagging (`viterbi_grouped`). Tags are grouped by
/// their list of allowed previous tags (BILOU with K types has 1 + K distinct lists: O, B-*
/// and U-* all follow O, L-* or U-*; I-x and L-x follow B-x or I-x). Each step gathers the
/// previous scores of a group's list once, and every tag reads its transition scores from
/// one contiguous row instead of a column of the `prev x cur` matrix.
#[derive(Debug, Clone, Default)]
pub struct GroupedTrans {
    /// Distinct allowed-previous lists, ascending tag order within each.
    groups: Vec<Vec<u16>>,
    /// Offset of each group's slice in the gathered buffer.
    group_off: Vec<usize>,
    /// Group of every tag.
    group_of: Vec<usize>,
    /// Per tag: `trans[p * n_tags + tag]` for `p` in its group's list, back to back.
    rows: Vec<f32>,
    /// Offset of every tag's row in `rows`.
    row_off: Vec<usize>,
    /// `trans` with every disallowed transition set to -inf (`prev * n_tags + cur`), so the
    /// backward pass of `margins_grouped` can scan whole rows.
    masked: Vec<f32>,
}

impl GroupedTrans {
    /// Lay out `trans` (`prev * n_tags + cur`) for `ts`.
    pub fn new(ts: &TagSet, trans: &[f32]) -> Self {
        let t_n = ts.n_tags;
        let mut g = GroupedTrans::default();
        for t in 0..t_n {
            let list = &ts.allowed_prev[t];
            let gi = match g.groups.iter().position(|x| x == list) {
                Some(i) => i,
                None => {
                    g.group_off
                        .push(g.groups.iter().map(Vec::len).sum::<usize>());
                    g.groups.push(list.clone());
                    g.groups.len() - 1
                }
            };
            g.group_of.push(gi);
            g.row_off.push(g.rows.len());
            g.rows.extend(
                list.iter()
                    .map(|&p| trans.get(p as usize * t_n + t).copied().unwrap_or(0.0)),
            );
        }
        g.masked = vec![f32::NEG_INFINITY; t_n * t_n];
        for t in 0..t_n {
            for &p in &ts.allowed_prev[t] {
                let k = p as usize * t_n + t;
                g.masked[k] = trans.get(k).copied().unwrap_or(0.0);
            }
        }
        g
    }

    fn gathered_len(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }
}

/// The largest `a[j] + b[j]` and the first `j` reaching it (`(-inf, 0)` when empty or all
/// `-inf`), exactly as a left-to-right scan with `>` would find them; the first pass keeps
/// eight independent maxima so that it vectorises.
#[inline(always)]
fn max_plus(a: &[f32], b: &[f32]) -> (f32, usize) {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [f32::NEG_INFINITY; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..8 {
            let v = x[k] + y[k];
            lanes[k] = if v > lanes[k] { v } else { lanes[k] };
        }
    }
    let mut best = f32::NEG_INFINITY;
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        let v = x + y;
        best = if v > best { v } else { best };
    }
    for l in lanes {
        best = if l > best { l } else { best };
    }
    if best == f32::NEG_INFINITY {
        return (best, 0);
    }
    let arg = a
        .iter()
        .zip(b)
        .position(|(&x, &y)| x + y == best)
        .unwrap_or(0);
    (best, arg)
}

/// The largest `(a[j] + b[j]) + c[j]` (`-inf` when empty); eight independent maxima so
/// that it vectorises. Max is exact, so the result equals a left-to-right scan's.
#[inline(always)]
fn max_sum3(a: &[f32], b: &[f32], c: &[f32]) -> f32 {
    let n = a.len().min(b.len()).min(c.len());
    let (a, b, c) = (&a[..n], &b[..n], &c[..n]);
    let mut lanes = [f32::NEG_INFINITY; 8];
    let (mut ca, mut cb, mut cc) = (a.chunks_exact(8), b.chunks_exact(8), c.chunks_exact(8));
    for ((x, y), z) in (&mut ca).zip(&mut cb).zip(&mut cc) {
        for k in 0..8 {
            let v = (x[k] + y[k]) + z[k];
            lanes[k] = if v > lanes[k] { v } else { lanes[k] };
        }
    }
    let mut best = f32::NEG_INFINITY;
    for ((&x, &y), &z) in ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .zip(cc.remainder())
    {
        let v = (x + y) + z;
        best = if v > best { v } else { best };
    }
    for l in lanes {
        best = if l > best { l } else { best };
    }
    best
}

/// `margins` for a path from `viterbi_grouped` (same scratch, same inputs): the same
/// values, with the backward pass scanning whole masked transition rows.
pub fn margins_grouped(
    ts: &TagSet,
    emis: &[f32],
    gt: &GroupedTrans,
    end: &[f32],
    best: f32,
    path: &[u16],
    sc: &mut Scratch,
) -> Vec<f32> {
    let t_n = ts.n_tags;
    if gt.masked.len() != t_n * t_n {
        return vec![0.0; path.len()];
    }
    margins_driver(ts, emis, end, best, path, sc, |cur, e, next| {
        // Same sum as `margins` (trans + e + next), so the same floats.
        for (p, c) in cur.iter_mut().enumerate() {
            *c = max_sum3(&gt.masked[p * t_n..(p + 1) * t_n], e, next);
        }
    })
}

/// `viterbi` with transitions laid out by `GroupedTrans::new(ts, trans)`: the same path
/// and score (the same additions, the same first-best tie-breaking), several times faster
/// for many tags.
pub fn viterbi_grouped(
    ts: &TagSet,
    emis: &[f32],
    gt: &GroupedTrans,
    start: &[f32],
    end: &[f32],
    sc: &mut Scratch,
    out: &mut Vec<u16>,
) -> f32 {
    if gt.group_of.len() != ts.n_tags {
        out.clear();
        return 0.0;
    }
    let mut gathered = std::mem::take(&mut sc.gathered);
    gathered.clear();
    gathered.resize(gt.gathered_len(), f32::NEG_INFINITY);
    let best = viterbi_driver(ts, emis, start, end, sc, out, |prev, cur, back, e| {
        for (list, &off) in gt.groups.iter().zip(&gt.group_off) {
            for (dst, &p) in gathered[off..off + list.len()].iter_mut().zip(list) {
                *dst = prev[p as usize];
            }
        }
        for (t, (c, b)) in cur.iter_mut().zip(back.iter_mut()).enumerate() {
            let gi = gt.group_of[t];
            let list = &gt.groups[gi];
            let g = &gathered[gt.group_off[gi]..gt.group_off[gi] + list.len()];
            let row = &gt.rows[gt.row_off[t]..gt.row_off[t] + list.len()];
            // Same sum as `viterbi` (prev + trans), so the same floats.
            let (best, j) = max_plus(g, row);
            *c = best + e[t];
            *b = list.get(j).copied().unwrap_or(0);
        }
    });
    sc.gathered = gathered;
    best
}

/// Constrained Viterbi. `emis` is `n * n_tags` (row-major), `trans` is
/// `n_tags * n_tags` (`trans[prev * n_tags + cur]`), `start`/`end` are per tag.
/// Writes the best tag sequence into `out` and returns its score.
pub fn viterbi(
    ts: &TagSet,
    emis: &[f32],
    trans: &[f32],
    start: &[f32],
    end: &[f32],
    sc: &mut Scratch,
    out: &mut Vec<u16>,
) -> f32 {
    let t_n = ts.n_tags;
    if trans.len() != t_n * t_n {
        out.clear();
        return 0.0;
    }
    viterbi_driver(ts, emis, start, end, sc, out, |prev, cur, back, e| {
        for t in 0..t_n {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u16;
            for &p in &ts.allowed_prev[t] {
                let v = prev[p as usize] + trans[p as usize * t_n + t];
                if v > best {
                    best = v;
                    arg = p;
                }
            }
            cur[t] = best + e[t];
            back[t] = arg;
        }
    })
}

/// The Viterbi recursion shared by `viterbi` and `viterbi_grouped`: start scores, then for
/// every later token `step(prev, cur, back, emissions)` fills that token's best scores and
/// back-pointers from the previous token's, then the best allowed last tag and the
/// backtrace. Writes the path into `out` and returns its score.
fn viterbi_driver(
    ts: &TagSet,
    emis: &[f32],
    start: &[f32],
    end: &[f32],
    sc: &mut Scratch,
    out: &mut Vec<u16>,
    mut step: impl FnMut(&[f32], &mut [f32], &mut [u16], &[f32]),
) -> f32 {
    let t_n = ts.n_tags;
    out.clear();
    if t_n == 0 || !emis.len().is_multiple_of(t_n) {
        return 0.0;
    }
    let n = emis.len() / t_n;
    if n == 0 {
        return 0.0;
    }
    sc.delta.clear();
    sc.delta.resize(n * t_n, f32::NEG_INFINITY);
    sc.back.clear();
    sc.back.resize(n * t_n, 0);
    for (t, (d, e)) in sc.delta.iter_mut().zip(emis).take(t_n).enumerate() {
        if ts.can_start[t] {
            *d = e + start.get(t).copied().unwrap_or(0.0);
        }
    }
    for i in 1..n {
        let (prev_rows, cur_rows) = sc.delta.split_at_mut(i * t_n);
        step(
            &prev_rows[(i - 1) * t_n..],
            &mut cur_rows[..t_n],
            &mut sc.back[i * t_n..(i + 1) * t_n],
            &emis[i * t_n..(i + 1) * t_n],
        );
    }
    let last = &sc.delta[(n - 1) * t_n..];
    let mut best = f32::NEG_INFINITY;
    let mut arg = 0usize;
    for (t, l) in last.iter().enumerate() {
        if !ts.can_end[t] {
            continue;
        }
        let v = l + end.get(t).copied().unwrap_or(0.0);
        if v > best {
            best = v;
            arg = t;
        }
    }
    out.resize(n, 0);
    out[n - 1] = arg as u16;
    for i in (1..n).rev() {
        out[i - 1] = sc.back[i * t_n + out[i] as usize];
    }
    best
}

/// Per-token margins of the path in `path` (from `viterbi`, which must have
/// just run with the same inputs and scratch): best total score minus the best
/// score of any valid path that uses a different tag at that token. 0 means a
/// tie; larger is more confident.
pub fn margins(
    ts: &TagSet,
    emis: &[f32],
    trans: &[f32],
    end: &[f32],
    best: f32,
    path: &[u16],
    sc: &mut Scratch,
) -> Vec<f32> {
    let t_n = ts.n_tags;
    if trans.len() != t_n * t_n {
        return vec![0.0; path.len()];
    }
    margins_driver(ts, emis, end, best, path, sc, |cur, e, next| {
        for t in 0..t_n {
            for &p in &ts.allowed_prev[t] {
                let v = trans[p as usize * t_n + t] + e[t] + next[t];
                if v > cur[p as usize] {
                    cur[p as usize] = v;
                }
            }
        }
    })
}

/// The backward pass and margin read-out shared by `margins` and `margins_grouped`.
/// `beta[i][t]` is the best score of the suffix after token `i` given tag `t` at `i`;
/// `step(cur, emissions, next)` raises `cur` (token `i`, all -inf on entry) from token
/// `i + 1`'s emissions and `beta`.
fn margins_driver(
    ts: &TagSet,
    emis: &[f32],
    end: &[f32],
    best: f32,
    path: &[u16],
    sc: &mut Scratch,
    mut step: impl FnMut(&mut [f32], &[f32], &[f32]),
) -> Vec<f32> {
    let t_n = ts.n_tags;
    let n = path.len();
    if n == 0 || emis.len() != n * t_n || sc.delta.len() != n * t_n {
        return vec![0.0; n];
    }
    sc.beta.clear();
    sc.beta.resize(n * t_n, f32::NEG_INFINITY);
    for t in 0..t_n {
        if ts.can_end[t] {
            sc.beta[(n - 1) * t_n + t] = end.get(t).copied().unwrap_or(0.0);
        }
    }
    for i in (0..n.saturating_sub(1)).rev() {
        let (cur_rows, next_rows) = sc.beta.split_at_mut((i + 1) * t_n);
        step(
            &mut cur_rows[i * t_n..],
            &emis[(i + 1) * t_n..(i + 2) * t_n],
            &next_rows[..t_n],
        );
    }
    let mut out = Vec::with_capacity(n);
    for (i, &chosen) in path.iter().enumerate() {
        let mut alt = f32::NEG_INFINITY;
        for t in 0..t_n {
            if t == chosen as usize {
                continue;
            }
            let v = sc.delta[i * t_n + t] + sc.beta[i * t_n + t];
            if v > alt {
                alt = v;
            }
        }
        out.push(if alt.is_finite() { best - alt } else { 1e3 });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_roundtrip() {
        for enc in [Encoding::Bio, Encoding::Bilou] {
            let ts = TagSet::new(enc, 3);
            let spans = vec![(0, 2, 1), (2, 3, 1), (4, 7, 2)];
            let tags = ts.encode(8, &spans);
            assert_eq!(ts.decode(&tags), spans);
        }
    }

    #[test]
    fn grouped_viterbi_equals_plain_viterbi() {
        // Pseudo-random scores with many ties (values on a coarse grid) and -inf entries.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for enc in [Encoding::Bio, Encoding::Bilou] {
            for n_types in [1, 4, 18] {
                let ts = TagSet::new(enc, n_types);
                let t_n = ts.n_tags;
                for round in 0..40 {
                    let n = 1 + (next() % 30) as usize;
                    let val = |r: u64| match r % 17 {
                        0 => f32::NEG_INFINITY,
                        k => (k as f32 - 8.0) * 0.5,
                    };
                    let emis: Vec<f32> = (0..n * t_n).map(|_| val(next())).collect();
                    let trans: Vec<f32> = (0..t_n * t_n).map(|_| val(next()).max(-4.0)).collect();
                    let start: Vec<f32> = (0..t_n).map(|_| val(next()).max(-4.0)).collect();
                    let end: Vec<f32> = (0..t_n).map(|_| val(next()).max(-4.0)).collect();
                    let gt = GroupedTrans::new(&ts, &trans);
                    let (mut s1, mut s2) = (Scratch::default(), Scratch::default());
                    let (mut p1, mut p2) = (Vec::new(), Vec::new());
                    let b1 = viterbi(&ts, &emis, &trans, &start, &end, &mut s1, &mut p1);
                    let b2 = viterbi_grouped(&ts, &emis, &gt, &start, &end, &mut s2, &mut p2);
                    assert_eq!(p1, p2, "{enc:?} {n_types} types, round {round}");
                    assert_eq!(b1.to_bits(), b2.to_bits());
                    let m1 = margins(&ts, &emis, &trans, &end, b1, &p1, &mut s1);
                    let m2 = margins_grouped(&ts, &emis, &gt, &end, b2, &p2, &mut s2);
                    assert_eq!(m1, m2, "{enc:?} {n_types} types, round {round}");
                }
            }
        }
    }

    #[test]
    fn viterbi_respects_constraints() {
        // Emissions strongly prefer O, I-x, I-x, O, which is invalid (I after O).
        for enc in [Encoding::Bio, Encoding::Bilou] {
            let ts = TagSet::new(enc, 2);
            let t_n = ts.n_tags;
            let n = 4;
            let mut emis = vec![0.0f32; n * t_n];
            emis[0] = 5.0; // O
            emis[t_n + 2] = 5.0; // I-type0
            emis[2 * t_n + 2] = 5.0; // I-type0
            emis[3 * t_n] = 5.0; // O
            let trans = vec![0.0f32; t_n * t_n];
            let z = vec![0.0f32; t_n];
            let mut sc = Scratch::default();
            let mut path = Vec::new();
            let best = viterbi(&ts, &emis, &trans, &z, &z, &mut sc, &mut path);
            assert_eq!(path.len(), n);
            for i in 0..n {
                let (k, ty) = ts.kind(path[i] as usize);
                if matches!(k, Kind::I | Kind::L) {
                    assert!(i > 0, "entity continuation at sentence start");
                    let (pk, pty) = ts.kind(path[i - 1] as usize);
                    assert!(matches!(pk, Kind::B | Kind::I) && pty == ty, "{path:?}");
                }
            }
            if enc == Encoding::Bilou {
                let (k, _) = ts.kind(path[n - 1] as usize);
                assert!(matches!(k, Kind::O | Kind::L | Kind::U));
            }
            let m = margins(&ts, &emis, &trans, &z, best, &path, &mut sc);
            assert_eq!(m.len(), n);
            assert!(m.iter().all(|x| *x >= -1e-4));
        }
    }
}
