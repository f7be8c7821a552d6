//! Word → vector-row table (`word2row.tsv`) and the word vectors themselves (`.npy`), both
//! stored inside the model file. The vector rows double as 20,000-way word clusters.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::super::StanceError;
use super::fnv;

/// Word → row id, by 64-bit hash of the lowercase word (sorted for binary search).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordTable {
    pub(super) keys: Vec<u64>,
    pub(super) rows: Vec<u16>,
}

impl WordTable {
    /// Row of a lowercase word, if the table has it.
    pub fn get(&self, word: &str) -> Option<u16> {
        let h = fnv(word.as_bytes());
        self.keys
            .binary_search(&h)
            .ok()
            .and_then(|i| self.rows.get(i).copied())
    }

    /// Whether the table is empty (no cluster or vector features).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Reads `word<TAB>row` lines; keeps the row of the exact lowercase entry when there is
    /// one, else the first capitalised variant's.
    pub fn from_tsv(path: &Path) -> Result<Self, StanceError> {
        let f = std::fs::File::open(path).map_err(|source| StanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut map: HashMap<u64, u16> = HashMap::new();
        for (n, line) in BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|source| StanceError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let Some((w, r)) = line.split_once('\t') else {
                continue;
            };
            let row: u16 = r.trim().parse().map_err(|_| StanceError::Format {
                path: path.to_path_buf(),
                message: format!("line {}: row `{r}` is not a number below 65536", n + 1),
            })?;
            let lw = w.to_lowercase();
            let h = fnv(lw.as_bytes());
            if w == lw {
                map.insert(h, row);
            } else {
                map.entry(h).or_insert(row);
            }
        }
        // Sorted, so the HashMap's order never reaches the model file.
        let mut pairs: Vec<(u64, u16)> = map.into_iter().collect();
        pairs.sort_unstable();
        Ok(WordTable {
            keys: pairs.iter().map(|p| p.0).collect(),
            rows: pairs.iter().map(|p| p.1).collect(),
        })
    }

    /// Largest row id + 1 (0 for an empty table).
    pub fn n_rows(&self) -> usize {
        self.rows.iter().map(|&r| r as usize + 1).max().unwrap_or(0)
    }
}

/// Unit-length word vectors quantised to i8 with one scale per row (the file stores exactly
/// this, so training and inference see the same values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vectors {
    dim: usize,
    /// Dequantised rows, `n × dim`.
    data: Vec<f32>,
    /// The stored form: i8 values and a scale per row.
    pub(super) q: Vec<i8>,
    pub(super) scales: Vec<f32>,
}

impl Vectors {
    /// Vector dimension (0 when there are no vectors).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// Whether there are no vectors.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Row `r`, if present.
    pub fn row(&self, r: u16) -> Option<&[f32]> {
        let r = r as usize;
        self.data.get(r * self.dim..(r + 1) * self.dim)
    }

    /// Builds from quantised values and per-row scales (as read from a model file).
    pub fn from_quantised(dim: usize, q: Vec<i8>, scales: Vec<f32>) -> Result<Self, String> {
        if dim == 0 || q.len() != dim * scales.len() {
            return Err(format!(
                "vector table: {} values for {} rows of dimension {dim}",
                q.len(),
                scales.len()
            ));
        }
        let data = q
            .chunks_exact(dim)
            .zip(&scales)
            .flat_map(|(row, &s)| row.iter().map(move |&x| x as f32 * s))
            .collect();
        Ok(Vectors {
            dim,
            data,
            q,
            scales,
        })
    }

    /// Reads a float32 `.npy` matrix, normalises each row to unit length and quantises it.
    pub fn from_npy(path: &Path) -> Result<Self, StanceError> {
        let (n, d, mut v) = read_npy_f32(path)?;
        let mut q = Vec::with_capacity(n * d);
        let mut scales = Vec::with_capacity(n);
        for row in v.chunks_exact_mut(d.max(1)) {
            let norm = row.iter().map(|a| a * a).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|a| *a /= norm);
            }
            scales.push(crate::quantise::quantise_row_i8(row, &mut q));
        }
        Vectors::from_quantised(d, q, scales).map_err(|message| StanceError::Format {
            path: path.to_path_buf(),
            message,
        })
    }
}

/// Reads a 2-D little-endian float32 `.npy` file: (rows, columns, data).
fn read_npy_f32(path: &Path) -> Result<(usize, usize, Vec<f32>), StanceError> {
    let bad = |message: String| StanceError::Format {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|source| StanceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        return Err(bad("not a .npy file".into()));
    }
    let major = bytes.get(6).copied().unwrap_or(0);
    let (hlen, hstart) = if major == 1 {
        let b = bytes
            .get(8..10)
            .ok_or_else(|| bad("truncated header".into()))?;
        (u16::from_le_bytes([b[0], b[1]]) as usize, 10)
    } else {
        let b = bytes
            .get(8..12)
            .ok_or_else(|| bad("truncated header".into()))?;
        (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
    };
    let header = bytes
        .get(hstart..hstart + hlen)
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .ok_or_else(|| bad("truncated header".into()))?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(bad(format!(
            "expected little-endian float32 in C order, header {header}"
        )));
    }
    let shape = header
        .split("'shape':")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .map(|s| s.trim().trim_start_matches('(').to_string())
        .ok_or_else(|| bad("no shape in header".into()))?;
    let dims: Vec<usize> = shape
        .split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad(format!("bad shape `{shape}`")))?;
    let [n, d] = dims.as_slice() else {
        return Err(bad(format!("expected a 2-D array, shape `{shape}`")));
    };
    let data = bytes
        .get(hstart + hlen..)
        .filter(|b| Some(b.len()) == n.checked_mul(*d).and_then(|x| x.checked_mul(4)))
        .ok_or_else(|| bad("data length does not match the shape".into()))?;
    let v = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((*n, *d, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_roundtrip_normalises_and_quantises() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("v.npy");
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        for x in [3f32, 4.0, 0.0, 0.0, 0.0, 0.0] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(&p, &b).expect("write");
        let v = Vectors::from_npy(&p).expect("reads");
        assert_eq!((v.len(), v.dim()), (2, 3));
        let r = v.row(0).expect("row 0");
        assert!(
            (r[0] - 0.6).abs() < 0.01 && (r[1] - 0.8).abs() < 0.01,
            "{r:?}"
        );
        assert_eq!(v.row(1), Some([0f32, 0.0, 0.0].as_slice()));
        assert!(v.row(2).is_none());
        // Truncated data is an error naming the file.
        std::fs::write(&p, &b[..b.len() - 4]).expect("write");
        let err = Vectors::from_npy(&p).expect_err("truncated");
        assert!(err.to_string().contains("v.npy"), "{err}");
    }
}
