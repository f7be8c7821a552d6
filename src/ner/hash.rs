//! Small, fixed (platform- and run-independent) hashing used for feature keys
//! and internal lookup tables. Feature keys are stored in model files, so this
//! function must never change without bumping the model format version.

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finaliser: full avalanche of a 64-bit value.
#[inline]
pub fn finish(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash a byte string (length-seeded, 8 bytes at a time).
#[inline]
pub fn bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(a)).wrapping_mul(K);
    }
    finish(h)
}

/// Combine two hashes order-sensitively.
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    finish(a.rotate_left(17) ^ b.wrapping_mul(K) ^ 0x5851_F42D_4C95_7F2D)
}

/// A fast non-cryptographic `Hasher` for in-memory maps (never iterated for output).
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    h: u64,
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, b: &[u8]) {
        self.h = mix(self.h, bytes(b));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.h = (self.h.rotate_left(5) ^ i).wrapping_mul(K);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.h
    }
}

/// `BuildHasher` for `FxHasher`.
pub type FxBuild = BuildHasherDefault<FxHasher>;
/// HashMap with the fast hasher.
pub type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

/// Read-only open-addressing table from u64 keys to u32 values, built once.
///
/// Each slot packs a 32-bit fingerprint (the key's high half) with the value in
/// one u64, so a lookup costs one cache miss; the slot index comes from the
/// key's low bits. Keys are already well-mixed 64-bit hashes, so a false match
/// needs both the slot bits and the 32 fingerprint bits to agree (about 1 in
/// 2^32 per probe of an absent key). Used for feature weights and word
/// clusters, where tagging speed is bound by memory latency.
#[derive(Debug, Clone, Default)]
pub struct U64Table {
    slots: Vec<u64>,
    mask: usize,
}

#[inline]
fn fingerprint(k: u64) -> u64 {
    let f = k >> 32;
    if f == 0 {
        1
    } else {
        f
    }
}

impl U64Table {
    /// Build from (key, value) pairs. A repeated key keeps its last value.
    pub fn build(pairs: impl ExactSizeIterator<Item = (u64, u32)>) -> Self {
        let cap = (pairs.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u64; cap];
        let mask = cap - 1;
        for (k, v) in pairs {
            let fp = fingerprint(k);
            let mut i = (k as usize) & mask;
            loop {
                let s = slots[i];
                if s == 0 || s >> 32 == fp {
                    slots[i] = (fp << 32) | u64::from(v);
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        U64Table { slots, mask }
    }

    /// Value for `k`, if present.
    #[inline]
    pub fn get(&self, k: u64) -> Option<u32> {
        let fp = fingerprint(k);
        let mut i = (k as usize) & self.mask;
        loop {
            let s = *self.slots.get(i)?;
            if s >> 32 == fp {
                return Some(s as u32);
            }
            if s == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Asks the CPU to start loading `k`'s slot into cache. Tagging looks up ~60 features per
    /// token in tables far larger than the caches; issuing all of a sentence's loads before
    /// using any of them overlaps the memory latencies instead of paying them one by one.
    #[inline]
    pub fn prefetch(&self, k: u64) {
        prefetch(&self.slots, (k as usize) & self.mask);
    }
}

/// Hints the CPU to load `slice[i]` into cache (no effect if out of bounds or on other
/// architectures than x86-64; a hint never changes results).
#[inline(always)]
pub fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: `_mm_prefetch` is only a hint: it never dereferences the pointer (which is
        // valid anyway) and cannot fault; SSE, the feature it needs, is part of the x86-64
        // baseline every x86-64 CPU has.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_roundtrip() {
        let t = U64Table::build((0..1000u32).map(|i| (bytes(&u64::from(i).to_le_bytes()), i)));
        for i in 0..1000u64 {
            assert_eq!(t.get(bytes(&i.to_le_bytes())), Some(i as u32));
        }
        assert_eq!(t.get(12345), None);
        assert_ne!(bytes(b"ab"), bytes(b"ba"));
        assert_ne!(mix(1, 2), mix(2, 1));
    }
}
