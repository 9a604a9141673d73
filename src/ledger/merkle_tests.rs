//! The tree math against the RFC 6962 conformance vectors, and against RFC 6962's recursive
//! definitions written out literally, at every size 1..=300.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;

use super::*;
use crate::ledger::canonical::leaf_hash;

const SIZES: u64 = 300;

/// RFC 6962 §2.1 read literally: MTH, PATH and PROOF over `leaves[lo..hi]`, memoized so that
/// every size up to 300 stays quick. Shares nothing with the code under test but `node_hash`.
struct Reference {
    leaves: Vec<Hash>,
    memo: HashMap<(u64, u64), Hash>,
}

impl Reference {
    fn new(count: u64) -> Reference {
        Reference {
            leaves: (0..count).map(|i| leaf_hash(&i.to_be_bytes())).collect(),
            memo: HashMap::new(),
        }
    }

    fn k(n: u64) -> u64 {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn mth(&mut self, lo: u64, hi: u64) -> Hash {
        if hi - lo == 1 {
            return self.leaves[lo as usize];
        }
        if let Some(hash) = self.memo.get(&(lo, hi)) {
            return *hash;
        }
        let k = Self::k(hi - lo);
        let hash = node_hash(&self.mth(lo, lo + k), &self.mth(lo + k, hi));
        self.memo.insert((lo, hi), hash);
        hash
    }

    fn path(&mut self, m: u64, lo: u64, hi: u64) -> Vec<Hash> {
        if hi - lo == 1 {
            return Vec::new();
        }
        let k = Self::k(hi - lo);
        if m < k {
            let mut path = self.path(m, lo, lo + k);
            path.push(self.mth(lo + k, hi));
            path
        } else {
            let mut path = self.path(m - k, lo + k, hi);
            path.push(self.mth(lo, lo + k));
            path
        }
    }

    fn subproof(&mut self, m: u64, lo: u64, hi: u64, whole: bool) -> Vec<Hash> {
        let n = hi - lo;
        if m == n {
            return if whole {
                Vec::new()
            } else {
                vec![self.mth(lo, hi)]
            };
        }
        let k = Self::k(n);
        if m <= k {
            let mut proof = self.subproof(m, lo, lo + k, whole);
            proof.push(self.mth(lo + k, hi));
            proof
        } else {
            let mut proof = self.subproof(m - k, lo + k, hi, false);
            proof.push(self.mth(lo, lo + k));
            proof
        }
    }
}

/// What storage holds: every complete subtree, as the frontier reports it.
fn stored_nodes(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
    let mut nodes = HashMap::new();
    let mut frontier = Frontier::default();
    for (i, leaf) in leaves.iter().enumerate() {
        nodes.insert(
            NodeId {
                level: 0,
                index: i as u64,
            },
            *leaf,
        );
        frontier.push(*leaf, |id, hash| {
            nodes.insert(id, *hash);
        });
    }
    nodes
}

/// A range's hash the way the storage-backed builder makes it: from stored subtrees only.
fn from_store(nodes: &HashMap<NodeId, Hash>, range: Range<u64>) -> Hash {
    let hashes: Vec<Hash> = subtrees(range).iter().map(|id| nodes[id]).collect();
    fold(&hashes).expect("a non-empty range")
}

/// Covers: GMP-LED-3
#[test]
fn roots_and_proofs_from_stored_subtrees_match_rfc6962_at_every_size_to_300() {
    let mut reference = Reference::new(SIZES);
    let nodes = stored_nodes(&reference.leaves.clone());
    let mut frontier = Frontier::default();
    assert_eq!(frontier.root(), empty_root());
    for n in 1..=SIZES {
        frontier.push(reference.leaves[n as usize - 1], |_, _| {});
        let root = reference.mth(0, n);
        assert_eq!(frontier.root(), root, "root at {n}");
        assert_eq!(from_store(&nodes, 0..n), root, "root from the store at {n}");
        for m in 0..n {
            let proof: Vec<Hash> = inclusion_path(m, n)
                .expect("in range")
                .into_iter()
                .map(|range| from_store(&nodes, range))
                .collect();
            assert_eq!(proof, reference.path(m, 0, n), "inclusion {m} in {n}");
            let leaf = reference.leaves[m as usize];
            assert_eq!(verify_inclusion(&leaf, m, n, &proof, &root), Ok(()));
        }
        for m in 1..=n {
            let proof: Vec<Hash> = consistency_path(m, n)
                .expect("in range")
                .into_iter()
                .map(|range| from_store(&nodes, range))
                .collect();
            assert_eq!(proof, reference.subproof(m, 0, n, true), "{m} to {n}");
            let old_root = reference.mth(0, m);
            assert_eq!(
                verify_consistency(m, n, &proof, &old_root, &root),
                Ok(()),
                "{m} to {n}"
            );
        }
    }
}

/// Covers: GMP-LED-3
#[test]
fn a_changed_proof_root_or_position_is_refused() {
    let mut reference = Reference::new(64);
    let nodes = stored_nodes(&reference.leaves.clone());
    let (m, n) = (21, 53);
    let root = reference.mth(0, n);
    let leaf = reference.leaves[m as usize];
    let proof: Vec<Hash> = inclusion_path(m, n)
        .expect("in range")
        .into_iter()
        .map(|range| from_store(&nodes, range))
        .collect();
    for i in 0..proof.len() {
        let mut bad = proof.clone();
        bad[i][7] ^= 0x10;
        assert!(verify_inclusion(&leaf, m, n, &bad, &root).is_err());
    }
    assert!(verify_inclusion(&leaf, m ^ 2, n, &proof, &root).is_err());
    assert!(verify_inclusion(&leaf, m, n * 2, &proof, &root).is_err());
    assert!(verify_inclusion(&leaf, m, n, &proof[1..], &root).is_err());
    assert!(verify_inclusion(&leaf, m, n, &proof, &reference.mth(0, n - 1)).is_err());

    let old_root = reference.mth(0, m);
    let consistency: Vec<Hash> = consistency_path(m, n)
        .expect("in range")
        .into_iter()
        .map(|range| from_store(&nodes, range))
        .collect();
    for i in 0..consistency.len() {
        let mut bad = consistency.clone();
        bad[i][0] ^= 0x01;
        assert!(verify_consistency(m, n, &bad, &old_root, &root).is_err());
    }
    assert!(verify_consistency(m, n, &consistency, &root, &old_root).is_err());
    assert!(verify_consistency(m - 1, n, &consistency, &old_root, &root).is_err());
}

#[test]
fn subtrees_cover_a_range_largest_first() {
    assert_eq!(
        subtrees(8..15),
        [
            NodeId { level: 2, index: 2 },
            NodeId { level: 1, index: 6 },
            NodeId {
                level: 0,
                index: 14
            },
        ]
    );
    assert_eq!(
        subtrees(0..1 << 40),
        [NodeId {
            level: 40,
            index: 0
        }]
    );
    assert_eq!(NodeId { level: 2, index: 3 }.leaves(), 12..16);
}

#[test]
fn completed_by_names_what_the_frontier_completes() {
    let mut frontier = Frontier::default();
    for n in 0..1_000u64 {
        let mut seen = Vec::new();
        frontier.push(leaf_hash(&n.to_be_bytes()), |id, _| seen.push(id));
        assert_eq!(seen, completed_by(n).collect::<Vec<_>>(), "leaf {n}");
    }
}

/// Covers: GMP-LED-3
#[test]
fn making_a_proof_outside_the_tree_is_refused() {
    assert_eq!(
        inclusion_path(5, 5),
        Err(MerkleError::IndexOutOfRange { index: 5, size: 5 })
    );
    assert!(consistency_path(0, 5).is_err());
    assert!(consistency_path(6, 5).is_err());
    assert_eq!(consistency_path(5, 5), Ok(Vec::new()));
}

// The vectors of transparency-dev/merkle, with their conventions (see the conformance README).

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/rfc6962")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for item in std::fs::read_dir(dir).expect("the RFC 6962 vectors are present") {
        let path = item.expect("readable").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn b64(text: &str) -> Vec<u8> {
    STANDARD.decode(text).expect("standard base64")
}

fn b64_list(list: &Option<Vec<String>>) -> Vec<Vec<u8>> {
    list.iter().flatten().map(|p| b64(p)).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionVector {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyVector {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

fn vector_files(kind: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    json_files(&vectors_dir().join(kind), &mut files);
    files.sort();
    files
}

/// Covers: GMP-LED-3
#[test]
fn every_rfc6962_inclusion_vector_verifies_or_fails_as_it_says() {
    let files = vector_files("inclusion");
    assert_eq!(files.len(), 98, "every inclusion vector is read");
    for path in files {
        let v: InclusionVector =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("a vector");
        let result = verify_inclusion(
            &b64(&v.leaf_hash),
            v.leaf_idx,
            v.tree_size,
            &b64_list(&v.proof),
            &b64(&v.root),
        );
        assert_eq!(
            result.is_err(),
            v.want_err,
            "{} ({}): {result:?}",
            path.display(),
            v.desc
        );
    }
}

/// Covers: GMP-LED-3
#[test]
fn every_rfc6962_consistency_vector_verifies_or_fails_as_it_says() {
    let files = vector_files("consistency");
    assert_eq!(files.len(), 98, "every consistency vector is read");
    for path in files {
        let v: ConsistencyVector =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("a vector");
        let result = verify_consistency(
            v.size1,
            v.size2,
            &b64_list(&v.proof),
            &b64(&v.root1),
            &b64(&v.root2),
        );
        assert_eq!(
            result.is_err(),
            v.want_err,
            "{} ({}): {result:?}",
            path.display(),
            v.desc
        );
    }
}
