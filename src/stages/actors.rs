//! Stage 5, actors: canonical actors and their mentions ([`crate::actors`]).

use crate::actors::ActorResolver;
use crate::doc::Doc;
use crate::pipeline::PipelineError;
use crate::stage::{Stage, StageError};

pub use crate::actors::ActorsConfig;

/// The actors stage (per document; the corpus pass runs when the tables are written).
pub struct ActorsStage {
    resolver: ActorResolver,
}

impl ActorsStage {
    /// Loads the built-in knowledge and the user alias file.
    pub fn new(cfg: &ActorsConfig) -> Result<Self, PipelineError> {
        let resolver = ActorResolver::new(cfg).map_err(|e| PipelineError::Setup {
            stage: "actors",
            message: e.to_string(),
        })?;
        Ok(ActorsStage { resolver })
    }

    /// The resolver (its registry starts the corpus pass).
    pub fn resolver(&self) -> &ActorResolver {
        &self.resolver
    }
}

impl Stage for ActorsStage {
    fn name(&self) -> &'static str {
        "actors"
    }

    fn process(&self, doc: &mut Doc) -> Result<(), StageError> {
        self.resolver.resolve(doc);
        Ok(())
    }
}
