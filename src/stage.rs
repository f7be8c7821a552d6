//! The contract every per-document stage fulfils.

use crate::doc::Doc;

/// Error a stage reports for one document. The pipeline records it as a `failures` row and
/// carries on with the next document.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StageError(pub String);

/// A per-document processing step: reads what earlier stages put on the [`Doc`] and adds to it.
///
/// Stages are pure functions of the document and shared read-only resources (models, lexicons),
/// so the pipeline may call them from many threads at once.
pub trait Stage: Send + Sync {
    /// Short name used in the manifest, failure rows and `newsmill bench` (e.g. `"split"`).
    fn name(&self) -> &'static str;
    /// Process one document in place.
    fn process(&self, doc: &mut Doc) -> Result<(), StageError>;
}
