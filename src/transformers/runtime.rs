//! libtorch-side helpers shared by the transformer backends (feature `transformers`).

use std::path::Path;

use tch::Device;

use super::{DeviceChoice, TransformersError};

/// The device for a [`DeviceChoice`]: `cuda` without a usable GPU is an error naming `key`;
/// `auto` falls back to the CPU.
pub fn resolve_device(choice: DeviceChoice, key: &str) -> Result<Device, TransformersError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(Device::Cuda(0)),
        DeviceChoice::Cuda => Err(TransformersError::NoCuda {
            key: key.to_string(),
        }),
        DeviceChoice::Auto => Ok(Device::cuda_if_available()),
    }
}

/// Wraps a library error with what newsmill was doing.
pub fn torch_err(context: impl Into<String>, e: impl std::fmt::Display) -> TransformersError {
    TransformersError::Torch {
        context: context.into(),
        message: e.to_string(),
    }
}

/// Loads weights into a var store; a missing or mis-shaped variable is an error naming the file.
pub fn load_weights(vs: &mut tch::nn::VarStore, path: &Path) -> Result<(), TransformersError> {
    vs.load(path).map_err(|e| TransformersError::Model {
        path: path.to_path_buf(),
        message: format!(
            "cannot load the weights ({e}); convert the checkpoint with `newsmill models convert`"
        ),
    })
}

/// Reads a JSON config file into a rust-bert config struct without panicking (rust-bert's own
/// `Config::from_file` panics on a bad file).
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TransformersError> {
    let text = std::fs::read_to_string(path).map_err(|source| TransformersError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| TransformersError::Model {
        path: path.to_path_buf(),
        message: format!("not a config rust-bert can read: {e}"),
    })
}
