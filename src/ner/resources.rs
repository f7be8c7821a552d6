//! Building the tagger's lexical resources at training time from the shared
//! data: word clusters (`word2row.tsv` rows are 20,000-way clusters; coarser
//! clusters come from seeded k-means over the vector rows) and phrase
//! gazetteers (countries, demonyms, capitals, cities, regions, languages,
//! S&P 500 companies). The results are stored inside the model file.

use std::path::Path;

use super::features::{Clusters, Gazetteer};
use super::hash::FxMap;
use super::NerError;

fn read(path: &Path) -> Result<Vec<u8>, NerError> {
    std::fs::read(path).map_err(|e| NerError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

fn bad(path: &Path, msg: impl Into<String>) -> NerError {
    NerError::Resource {
        path: path.to_path_buf(),
        msg: msg.into(),
    }
}

/// Read `word<TAB>row` lines.
pub fn load_word2row(path: &Path) -> Result<FxMap<u64, u16>, NerError> {
    let bytes = read(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad(path, "not UTF-8"))?;
    let mut map = FxMap::default();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (w, r) = line
            .rsplit_once('\t')
            .ok_or_else(|| bad(path, format!("line {}: no tab", i + 1)))?;
        let r: u16 = r
            .trim()
            .parse()
            .map_err(|_| bad(path, format!("line {}: bad row id", i + 1)))?;
        map.insert(super::hash::bytes(w.as_bytes()), r);
    }
    Ok(map)
}

/// Read a 2-D little-endian f32 `.npy` array: (rows, cols, data).
pub fn load_npy_f32(path: &Path) -> Result<(usize, usize, Vec<f32>), NerError> {
    let b = read(path)?;
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err(bad(path, "not a .npy file"));
    }
    let (hlen, hstart) = if b[6] == 1 {
        (u16::from_le_bytes([b[8], b[9]]) as usize, 10)
    } else {
        if b.len() < 12 {
            return Err(bad(path, "truncated header"));
        }
        (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
    };
    let header = b
        .get(hstart..hstart + hlen)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad(path, "bad header"))?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(bad(path, "expected little-endian f32, C order"));
    }
    let shape = header
        .split("'shape':")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad(path, "no shape"))?;
    let dims: Vec<usize> = shape
        .trim()
        .trim_start_matches('(')
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    let [rows, cols] = dims[..] else {
        return Err(bad(path, "expected a 2-D array"));
    };
    let data = b
        .get(hstart + hlen..)
        .ok_or_else(|| bad(path, "truncated data"))?;
    if data.len() != rows * cols * 4 {
        return Err(bad(path, "data size does not match shape"));
    }
    let v = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((rows, cols, v))
}

/// Deterministic xorshift-style generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x2545_F491_4F6C_DD1D)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        super::hash::finish(self.0)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }
    /// Uniform in [0,1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Dot product with 8 independent partial sums (lets the compiler vectorise;
/// a plain iterator sum of f32 must stay sequential).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

/// Spherical k-means (cosine) over unit-normalised rows; returns a cluster id per row.
/// Deterministic for a given seed.
pub fn kmeans(
    data: &[f32],
    rows: usize,
    cols: usize,
    k: usize,
    iters: usize,
    seed: u64,
) -> Vec<u16> {
    let mut x = data.to_vec();
    for r in 0..rows {
        let v = &mut x[r * cols..(r + 1) * cols];
        let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        if n > 0.0 {
            v.iter_mut().for_each(|a| *a /= n);
        }
    }
    let k = k.min(rows).max(1);
    let mut rng = Rng::new(seed);
    let mut idx: Vec<usize> = (0..rows).collect();
    rng.shuffle(&mut idx);
    let mut cent: Vec<f32> = Vec::with_capacity(k * cols);
    for &i in idx.iter().take(k) {
        cent.extend_from_slice(&x[i * cols..(i + 1) * cols]);
    }
    let mut assign = vec![0u16; rows];
    for _ in 0..iters {
        for r in 0..rows {
            let v = &x[r * cols..(r + 1) * cols];
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0;
            for c in 0..k {
                let cv = &cent[c * cols..(c + 1) * cols];
                let d = dot(v, cv);
                if d > best {
                    best = d;
                    arg = c;
                }
            }
            assign[r] = arg as u16;
        }
        let mut sums = vec![0f32; k * cols];
        let mut counts = vec![0usize; k];
        for r in 0..rows {
            let c = assign[r] as usize;
            counts[c] += 1;
            for (s, a) in sums[c * cols..(c + 1) * cols]
                .iter_mut()
                .zip(&x[r * cols..(r + 1) * cols])
            {
                *s += a;
            }
        }
        for c in 0..k {
            if counts[c] == 0 {
                // Re-seed an empty cluster with a random row.
                let r = rng.below(rows);
                sums[c * cols..(c + 1) * cols].copy_from_slice(&x[r * cols..(r + 1) * cols]);
            }
            let s = &mut sums[c * cols..(c + 1) * cols];
            let n = s.iter().map(|a| a * a).sum::<f32>().sqrt();
            if n > 0.0 {
                s.iter_mut().for_each(|a| *a /= n);
            }
        }
        cent = sums;
    }
    assign
}

/// Build clusters: word2row plus k-means levels over the vector rows.
pub fn build_clusters(
    word2row: &Path,
    vectors: Option<&Path>,
    levels: &[u32],
    seed: u64,
    progress: &dyn Fn(&str),
) -> Result<Clusters, NerError> {
    let map = load_word2row(word2row)?;
    progress(&format!(
        "clusters: {} words from {}",
        map.len(),
        word2row.display()
    ));
    let mut pairs: Vec<(u64, u16)> = map.into_iter().collect();
    pairs.sort_unstable();
    let mut coarse = Vec::new();
    let mut coarse_k = Vec::new();
    if let Some(vp) = vectors {
        if !levels.is_empty() {
            let (rows, cols, data) = load_npy_f32(vp)?;
            for &k in levels {
                let t0 = std::time::Instant::now();
                let a = kmeans(&data, rows, cols, k as usize, 8, seed ^ u64::from(k));
                progress(&format!(
                    "k-means k={k} over {rows}x{cols} in {:.1}s",
                    t0.elapsed().as_secs_f64()
                ));
                coarse.push(a);
                coarse_k.push(k);
            }
        }
    }
    Ok(Clusters::new(pairs, coarse, coarse_k))
}

/// Minimal CSV line parser (RFC 4180 quotes, no embedded newlines).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inq = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, inq) {
            ('"', true) => {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    inq = false;
                }
            }
            ('"', false) => inq = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Split a gazetteer phrase into CoNLL-like tokens: whitespace, and commas /
/// parentheses / a final period detached unless the word is an abbreviation.
pub fn phrase_tokens(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in p.split_whitespace() {
        let w = w.trim_matches(|c| c == '(' || c == ')' || c == ',' || c == ';');
        if !w.is_empty() {
            out.push(w.to_string());
        }
    }
    out
}

/// Gazetteer list names, in bit order.
pub const GAZ_LISTS: [&str; 8] = [
    "country",
    "demonym",
    "capital",
    "city",
    "subcountry",
    "region",
    "language",
    "company",
];

/// Build the gazetteer from the shared `gazetteers/` directory.
pub fn build_gazetteer(dir: &Path, progress: &dyn Fn(&str)) -> Result<Gazetteer, NerError> {
    let mut g = Gazetteer {
        lists: GAZ_LISTS.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let add = |g: &mut Gazetteer, phrase: &str, list: usize| {
        let t = phrase_tokens(phrase);
        if !t.is_empty() && t.len() <= 8 {
            g.insert(&t, list);
        }
    };
    // Countries.
    let p = dir.join("mledoze_countries/countries.csv");
    let text = String::from_utf8(read(&p)?).map_err(|_| bad(&p, "not UTF-8"))?;
    let mut lines = text.lines();
    let header = csv_fields(lines.next().unwrap_or_default());
    let col = |name: &str| header.iter().position(|h| h == name);
    let (c_common, c_off, c_cap, c_alt, c_reg, c_sub, c_lang, c_df, c_dm) = (
        col("name.common"),
        col("name.official"),
        col("capital"),
        col("altSpellings"),
        col("region"),
        col("subregion"),
        col("languages"),
        col("demonyms.eng.f"),
        col("demonyms.eng.m"),
    );
    let mut n = 0;
    for line in lines {
        let f = csv_fields(line);
        let get = |c: Option<usize>| c.and_then(|i| f.get(i)).map_or("", |s| s.as_str());
        add(&mut g, get(c_common), 0);
        add(&mut g, get(c_off), 0);
        for a in get(c_alt).split(',') {
            add(&mut g, a, 0);
        }
        for a in get(c_cap).split(',') {
            add(&mut g, a, 2);
        }
        add(&mut g, get(c_df), 1);
        add(&mut g, get(c_dm), 1);
        add(&mut g, get(c_reg), 5);
        add(&mut g, get(c_sub), 5);
        for a in get(c_lang).split(',') {
            add(&mut g, a, 6);
        }
        n += 1;
    }
    progress(&format!("gazetteer: {n} countries"));
    // Cities.
    let p = dir.join("world_cities/world-cities.csv");
    let text = String::from_utf8(read(&p)?).map_err(|_| bad(&p, "not UTF-8"))?;
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f = csv_fields(line);
        if let Some(name) = f.first() {
            add(&mut g, name, 3);
        }
        if let Some(sub) = f.get(2) {
            add(&mut g, sub, 4);
        }
        n += 1;
    }
    progress(&format!("gazetteer: {n} cities"));
    // Companies.
    let p = dir.join("sp500_companies/constituents.csv");
    let text = String::from_utf8(read(&p)?).map_err(|_| bad(&p, "not UTF-8"))?;
    let suffixes = [
        " Inc.",
        " Inc",
        " Corporation",
        " Corp.",
        " Company",
        " Co.",
        " plc",
        " Ltd.",
        " Group",
        " Holdings",
        " & Co.",
    ];
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f = csv_fields(line);
        if let Some(name) = f.get(1) {
            add(&mut g, name, 7);
            let mut short = name.as_str();
            for s in suffixes {
                if let Some(x) = short.strip_suffix(s) {
                    short = x.trim_end_matches(',');
                }
            }
            if short != name {
                add(&mut g, short, 7);
            }
        }
        n += 1;
    }
    progress(&format!(
        "gazetteer: {n} companies; {} phrase entries",
        g.phrases.len()
    ));
    Ok(g)
}

/// Add one gazetteer list per entity type found in a labelled file, named
/// `<file stem>:<TYPE>`, holding that file's capitalised entity strings
/// (stored hashed). Lists beyond the 32-list limit are skipped with a message.
pub fn add_entity_lists(
    g: &mut Gazetteer,
    path: &Path,
    progress: &dyn Fn(&str),
) -> Result<(), NerError> {
    let docs = super::conll::read_file(path)?;
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let mut added = 0usize;
    for d in &docs {
        for s in &d.sentences {
            for (a, b, ty) in super::conll::spans_of(&s.tags) {
                let toks: Vec<String> = s
                    .tokens
                    .get(a..b)
                    .unwrap_or_default()
                    .iter()
                    .map(|t| super::features::norm_token(t).to_string())
                    .collect();
                let capitalised = toks
                    .first()
                    .and_then(|t| t.chars().next())
                    .is_some_and(char::is_uppercase);
                if !capitalised || toks.len() > 8 {
                    continue;
                }
                let name = format!("{stem}:{ty}");
                let list = match g.lists.iter().position(|l| *l == name) {
                    Some(i) => i,
                    None if g.lists.len() < 32 => {
                        g.lists.push(name);
                        g.lists.len() - 1
                    }
                    None => {
                        progress(&format!("gazetteer: list limit reached, skipping {name}"));
                        continue;
                    }
                };
                g.insert(&toks, list);
                added += 1;
            }
        }
    }
    progress(&format!(
        "gazetteer: {added} entity mentions from {}; {} lists, {} entries",
        path.display(),
        g.lists.len(),
        g.phrases.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_tokens() {
        assert_eq!(csv_fields(r#"a,"b, c","d""e""#), vec!["a", "b, c", "d\"e"]);
        assert_eq!(
            phrase_tokens("Washington, D.C."),
            vec!["Washington", "D.C."]
        );
    }

    #[test]
    fn kmeans_is_deterministic() {
        let data: Vec<f32> = (0..400).map(|i| ((i * 7919) % 13) as f32 - 6.0).collect();
        let a = kmeans(&data, 100, 4, 5, 4, 1);
        let b = kmeans(&data, 100, 4, 5, 4, 1);
        assert_eq!(a, b);
        assert!(a.iter().all(|&c| c < 5));
    }
}
