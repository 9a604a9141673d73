//! The RFC 6962 / RFC 9162 §2.1 Merkle tree over the ledger's leaf hashes: which subtrees a
//! proof is made of, how subtree hashes combine, and how a proof is checked. Pure: no database.
//! The storage side ([`super::tree`]) reads the hashes of the subtrees named here.
//!
//! Only complete aligned subtrees are ever stored (as Go's `golang.org/x/mod/sumdb/tlog` does):
//! the subtree at `level` L and `index` i covers leaves `i·2^L .. (i+1)·2^L`. Any node of an
//! RFC 6962 tree is a run of such subtrees of decreasing size, so its hash is a fold of at most
//! log2(n) stored hashes, and a root or proof costs O(log n) reads.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::canonical::Hash;

/// A complete aligned subtree: leaves `index << level .. (index + 1) << level`. Level 0 is a
/// leaf (an entry's own `hash`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    /// The seq range the subtree covers.
    pub fn leaves(self) -> Range<u64> {
        self.index << self.level..(self.index + 1) << self.level
    }
}

/// Why a proof was refused, or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("index {index} is not inside a tree of {size} entries")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a consistency proof needs 0 < from <= to (from {from}, to {to})")]
    BadConsistencyRange { from: u64, to: u64 },
    #[error("{0} is not a 32-byte hash")]
    NotAHash(&'static str),
    #[error("the proof has the wrong number of hashes")]
    WrongProofLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// SHA-256(0x01 || left || right): an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n >= 2): where RFC 6962 splits a tree.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The complete subtrees, largest first, whose hashes [`fold`] into the hash of `range`.
/// `range` must be a node of an RFC 6962 tree (every range the proof functions return is).
pub fn subtrees(range: Range<u64>) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut lo = range.start;
    while lo < range.end {
        let fits = 63 - (range.end - lo).leading_zeros();
        let level = lo.trailing_zeros().min(fits);
        out.push(NodeId {
            level: level as u8,
            index: lo >> level,
        });
        lo += 1 << level;
    }
    out
}

/// The hash of a run of subtrees of decreasing size (as [`subtrees`] lists them): each one is
/// the left sibling of the fold of those after it. `None` for no subtrees.
pub fn fold(hashes: &[Hash]) -> Option<Hash> {
    hashes
        .iter()
        .rev()
        .copied()
        .reduce(|right, left| node_hash(&left, &right))
}

/// The nodes whose hashes prove leaf `index` in the tree of `size` leaves (RFC 6962 `PATH`),
/// in proof order: the leaf's sibling first, the root's child last.
pub fn inclusion_path(index: u64, size: u64) -> Result<Vec<Range<u64>>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut path = Vec::new();
    let (mut lo, mut hi) = (0, size);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            path.push(lo + k..hi);
            hi = lo + k;
        } else {
            path.push(lo..lo + k);
            lo += k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The nodes whose hashes prove that the tree of `to` leaves extends the tree of `from` leaves
/// (RFC 6962 `PROOF`/`SUBPROOF`), in proof order. Empty when `from == to`.
pub fn consistency_path(from: u64, to: u64) -> Result<Vec<Range<u64>>, MerkleError> {
    if from == 0 || from > to {
        return Err(MerkleError::BadConsistencyRange { from, to });
    }
    let mut path = Vec::new();
    let (mut lo, mut hi, mut old) = (0, to, from);
    // Whether the old tree is a whole subtree of the current node (its hash is then known to
    // the verifier and left out).
    let mut whole = true;
    while old != hi - lo {
        let k = split(hi - lo);
        if old <= k {
            path.push(lo + k..hi);
            hi = lo + k;
        } else {
            path.push(lo..lo + k);
            lo += k;
            old -= k;
            whole = false;
        }
    }
    if !whole {
        path.push(lo..hi);
    }
    path.reverse();
    Ok(path)
}

fn as_hash(bytes: &[u8], what: &'static str) -> Result<Hash, MerkleError> {
    bytes.try_into().map_err(|_| MerkleError::NotAHash(what))
}

fn proof_hashes<P: AsRef<[u8]>>(proof: &[P]) -> Result<Vec<Hash>, MerkleError> {
    proof
        .iter()
        .map(|p| as_hash(p.as_ref(), "a proof element"))
        .collect()
}

/// Checks that `leaf` is entry `index` of the tree of `size` entries whose root is `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion<P: AsRef<[u8]>>(
    leaf: &[u8],
    index: u64,
    size: u64,
    proof: &[P],
    root: &[u8],
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let leaf = as_hash(leaf, "the leaf hash")?;
    let root = as_hash(root, "the root")?;
    let proof = proof_hashes(proof)?;
    let (mut f, mut s) = (index, size - 1);
    let mut r = leaf;
    for p in &proof {
        if s == 0 {
            return Err(MerkleError::WrongProofLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(MerkleError::WrongProofLength);
    }
    if r != root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `to` entries with root `to_root` extends the tree of `from` entries
/// with root `from_root` (RFC 9162 §2.1.4.2). As the conformance vectors require: `from` must
/// not be 0, and equal sizes need an empty proof and equal roots.
pub fn verify_consistency<P: AsRef<[u8]>>(
    from: u64,
    to: u64,
    proof: &[P],
    from_root: &[u8],
    to_root: &[u8],
) -> Result<(), MerkleError> {
    if from == 0 || from > to {
        return Err(MerkleError::BadConsistencyRange { from, to });
    }
    if from == to {
        if !proof.is_empty() {
            return Err(MerkleError::WrongProofLength);
        }
        if from_root != to_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    let from_root = as_hash(from_root, "the first root")?;
    let to_root = as_hash(to_root, "the second root")?;
    let mut path = proof_hashes(proof)?;
    if from.is_power_of_two() {
        path.insert(0, from_root);
    }
    let Some((first, rest)) = path.split_first() else {
        return Err(MerkleError::WrongProofLength);
    };
    let (mut f, mut s) = (from - 1, to - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return Err(MerkleError::WrongProofLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(MerkleError::WrongProofLength);
    }
    if fr != from_root || sr != to_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The tree folded one leaf at a time, keeping only the O(log n) complete subtrees on its right
/// edge: every complete subtree is reported as it is completed, and the root is available at
/// any size. Verification and the catch-up walk the ledger with it.
#[derive(Debug, Default, Clone)]
pub struct Frontier {
    size: u64,
    /// The right edge's complete subtrees, largest (leftmost) first.
    edge: Vec<Hash>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds leaf `size` and calls `completed` for each subtree of level >= 1 it completes, from
    /// the lowest up.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let n = self.size;
        let mut right = leaf;
        for level in 1..=n.trailing_ones() {
            let left = self.edge.pop().unwrap_or_default();
            right = node_hash(&left, &right);
            completed(
                NodeId {
                    level: level as u8,
                    index: n >> level,
                },
                &right,
            );
        }
        self.edge.push(right);
        self.size += 1;
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        fold(&self.edge).unwrap_or_else(empty_root)
    }
}

/// The subtrees leaf `n` completes when it is appended, from the lowest up.
pub fn completed_by(n: u64) -> impl Iterator<Item = NodeId> {
    (1..=n.trailing_ones()).map(move |level| NodeId {
        level: level as u8,
        index: n >> level,
    })
}

#[cfg(test)]
#[path = "merkle_tests.rs"]
mod tests;
