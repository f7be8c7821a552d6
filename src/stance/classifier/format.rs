//! The model file (little-endian): magic `NMSTANCE`, version u32 ([`VERSION`]), hash bits
//! u32, weight scale f32, bias 3 × f32, notes (u32 length + UTF-8), word table (u32 count,
//! then (u64 word hash, u16 row) pairs sorted by hash), vectors (u32 rows, u32 dim, rows × f32
//! scale, rows × dim i8), MLPs (u32 count; when not 0, f32 mixing weight; then per MLP u32
//! hidden, u32 input, input × f32 mean, input × f32 1/std, hidden × input f32, hidden f32,
//! 3 × hidden f32, 3 f32), then `3 << bits` i16 sparse weights.

use super::mlp::Mlp;
use super::vectors::{Vectors, WordTable};
use super::Classifier;

/// File magic.
pub const MAGIC: &[u8; 8] = b"NMSTANCE";
/// Format version; bump on any change of layout or features.
/// Version 4 (same layout as 3) reads prior polarity from AFINN-165 too, so a version-3 model
/// would see lexicon features it was not trained with.
pub const VERSION: u32 = 4;

fn put_f32s(buf: &mut Vec<u8>, v: &[f32]) {
    for x in v {
        buf.extend_from_slice(&x.to_le_bytes());
    }
}

/// Serialises a model.
pub(super) fn to_bytes(m: &Classifier) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::with_capacity(
        m.weights.len() * 2 + m.table.keys.len() * 10 + m.vectors.q.len() + (1 << 16),
    );
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&VERSION.to_le_bytes());
    buf.extend_from_slice(&m.bits.to_le_bytes());
    let scale = m.scale();
    buf.extend_from_slice(&scale.to_le_bytes());
    put_f32s(&mut buf, &m.bias);
    buf.extend_from_slice(&(m.notes.len() as u32).to_le_bytes());
    buf.extend_from_slice(m.notes.as_bytes());
    buf.extend_from_slice(&(m.table.keys.len() as u32).to_le_bytes());
    for (k, r) in m.table.keys.iter().zip(&m.table.rows) {
        buf.extend_from_slice(&k.to_le_bytes());
        buf.extend_from_slice(&r.to_le_bytes());
    }
    buf.extend_from_slice(&(m.vectors.len() as u32).to_le_bytes());
    buf.extend_from_slice(&(m.vectors.dim() as u32).to_le_bytes());
    put_f32s(&mut buf, &m.vectors.scales);
    buf.extend(m.vectors.q.iter().map(|&x| x as u8));
    buf.extend_from_slice(&(m.mlps.len() as u32).to_le_bytes());
    if !m.mlps.is_empty() {
        buf.extend_from_slice(&m.alpha.to_le_bytes());
    }
    for p in &m.mlps {
        buf.extend_from_slice(&(p.hidden as u32).to_le_bytes());
        buf.extend_from_slice(&(p.input as u32).to_le_bytes());
        put_f32s(&mut buf, &p.mean);
        put_f32s(&mut buf, &p.istd);
        put_f32s(&mut buf, &p.w1);
        put_f32s(&mut buf, &p.b1);
        put_f32s(&mut buf, &p.w2);
        put_f32s(&mut buf, &p.b2);
    }
    for &x in &m.weights {
        let q = (x / scale).round().clamp(-32767.0, 32767.0) as i16;
        buf.extend_from_slice(&q.to_le_bytes());
    }
    buf
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("length overflow")?;
        let s = self.b.get(self.pos..end).ok_or("file is truncated")?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, String> {
        Ok(self
            .take(n.checked_mul(4).ok_or("length overflow")?)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// Parses a model; the error says what is wrong (the caller adds the file name).
pub(super) fn from_bytes(b: &[u8]) -> Result<Classifier, String> {
    let mut r = Reader { b, pos: 0 };
    if r.take(8)? != MAGIC {
        return Err("bad magic".into());
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(format!(
            "format version {version}, this build reads version {VERSION}"
        ));
    }
    let bits = r.u32()?;
    if !(10..=24).contains(&bits) {
        return Err(format!("hash bits {bits} out of range"));
    }
    let scale = r.f32()?;
    let b3 = r.f32s(3)?;
    let bias = [b3[0], b3[1], b3[2]];
    let nlen = r.u32()? as usize;
    let notes = String::from_utf8_lossy(r.take(nlen)?).into_owned();
    let nc = r.u32()? as usize;
    let cbytes = r.take(nc.checked_mul(10).ok_or("word table overflow")?)?;
    let mut keys = Vec::with_capacity(nc);
    let mut rows = Vec::with_capacity(nc);
    for ch in cbytes.chunks_exact(10) {
        let mut k = [0u8; 8];
        k.copy_from_slice(&ch[..8]);
        keys.push(u64::from_le_bytes(k));
        rows.push(u16::from_le_bytes([ch[8], ch[9]]));
    }
    if keys.windows(2).any(|w| w[0] >= w[1]) {
        return Err("word table not sorted".into());
    }
    let nv = r.u32()? as usize;
    let dim = r.u32()? as usize;
    let vectors = if nv == 0 {
        Vectors::default()
    } else {
        let scales = r.f32s(nv)?;
        let q: Vec<i8> = r
            .take(nv.checked_mul(dim).ok_or("vector table overflow")?)?
            .iter()
            .map(|&x| x as i8)
            .collect();
        Vectors::from_quantised(dim, q, scales)?
    };
    let n_mlps = r.u32()? as usize;
    let alpha = if n_mlps == 0 { 0.0 } else { r.f32()? };
    if !(0.0..=1.0).contains(&alpha) {
        return Err(format!("mixing weight {alpha} outside 0..1"));
    }
    let mut mlps = Vec::new();
    for _ in 0..n_mlps {
        let hidden = r.u32()? as usize;
        let input = r.u32()? as usize;
        let size = |a: usize, b: usize| a.checked_mul(b).ok_or("MLP size overflow");
        let mean = r.f32s(input)?;
        let istd = r.f32s(input)?;
        let w1 = r.f32s(size(hidden, input)?)?;
        let b1 = r.f32s(hidden)?;
        let w2 = r.f32s(size(3, hidden)?)?;
        let b2 = r.f32s(3)?;
        if input != super::features::POOLS * vectors.dim() {
            return Err(format!(
                "MLP input {input} does not match {} pools of {}-d vectors",
                super::features::POOLS,
                vectors.dim()
            ));
        }
        let mlp = Mlp {
            input,
            hidden,
            mean,
            istd,
            w1,
            b1,
            w2,
            b2: [b2[0], b2[1], b2[2]],
        };
        mlps.push(mlp);
    }
    let nw = 3usize << bits;
    let weights = r
        .take(nw * 2)?
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 * scale)
        .collect();
    if r.pos != b.len() {
        return Err("trailing bytes".into());
    }
    Ok(Classifier {
        bits,
        weights,
        bias,
        table: WordTable { keys, rows },
        vectors,
        mlps,
        alpha,
        notes,
    })
}
