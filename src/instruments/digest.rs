//! A stable digest of what decides an instrument's scores and flags.
//!
//! FNV-1a (64 bit) over a canonical, length-prefixed encoding, so the digest is the same on every
//! platform and Rust version (the standard library's hasher makes no such promise). It detects
//! accidental change, not tampering.

use super::InstrumentBuilder;

/// The digest of a definition, as 16 lowercase hex digits.
pub(super) fn of(def: &InstrumentBuilder) -> String {
    let mut h = Fnv::new();
    h.str("therapeutic-alliance definition 1");
    h.str(&def.id);
    h.str(&def.version);
    let s = &def.scale;
    h.str(s.kind().name());
    h.int(i128::from(s.min_units()));
    h.int(i128::from(s.max_units()));
    h.int(i128::from(s.decimals()));
    h.int(def.items.len() as i128);
    for item in &def.items {
        h.str(item.id());
        h.str(item.keying().name());
    }
    h.int(def.subscales.len() as i128);
    for sub in &def.subscales {
        h.str(sub.id());
        h.str(sub.component().map_or("", |c| c.name()));
        h.int(sub.items().len() as i128);
        for id in sub.items() {
            h.str(id);
        }
    }
    h.str(def.scoring.name());
    h.str(&def.missing.to_string());
    h.str(def.total.name());
    h.int(def.thresholds.len() as i128);
    for t in &def.thresholds {
        h.str(t.target().as_str());
        h.str(t.metric().name());
        h.str(t.comparison().name());
        h.int(i128::from(t.value().to_bits()));
        h.str(t.message());
    }
    // Added with the outcome measures; hashed only when set, so the digests of definitions
    // without them are unchanged.
    if def.better != crate::components::Better::Higher {
        h.str("better");
        h.str(def.better.name());
    }
    if !def.bands.is_empty() {
        h.str("bands");
        h.int(def.bands.len() as i128);
        for b in &def.bands {
            h.str(b.target().as_str());
            h.str(b.metric().name());
            h.int(b.bands().len() as i128);
            for band in b.bands() {
                h.int(i128::from(band.from().to_bits()));
                h.str(band.label());
            }
        }
    }
    if let Some(rc) = &def.reliable_change {
        h.str("reliable_change");
        h.str(rc.target().as_str());
        h.str(rc.metric().name());
        h.int(i128::from(rc.points().to_bits()));
    }
    format!("{:016x}", h.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn int(&mut self, v: i128) {
        self.bytes(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.int(s.len() as i128);
        self.bytes(s.as_bytes());
    }
}
