use std::path::{Path, PathBuf};

/// Why the generator could not produce code from a spec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenError {
    /// The spec file could not be read.
    #[error("{}: cannot read the spec: {source}", path.display())]
    Read {
        /// The spec file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is not valid YAML or not an OpenAPI 3.0 document.
    #[error(
        "{}{location}: not a valid OpenAPI document: {message}",
        file_prefix(file)
    )]
    Parse {
        /// The spec file, when known.
        file: Option<PathBuf>,
        /// `:line:column` when known.
        location: String,
        /// What the parser said.
        message: String,
    },
    /// The spec parsed but breaks a rule the generator relies on.
    #[error("{}{place}: {message}", file_prefix(file))]
    Invalid {
        /// The spec file, when known.
        file: Option<PathBuf>,
        /// The schema or operation at fault, e.g. `components.schemas.Webhook.properties.name`.
        place: String,
        /// What is wrong there.
        message: String,
    },
    /// typify rejected the schemas.
    #[error(
        "{}components.schemas: the type generator failed: {message}",
        file_prefix(file)
    )]
    TypeGeneration {
        /// The spec file, when known.
        file: Option<PathBuf>,
        /// What the generator said.
        message: String,
    },
    /// The generated tokens are not valid Rust (a generator bug).
    #[error("generated code does not parse: {message}")]
    Syntax {
        /// What syn said.
        message: String,
    },
}

fn file_prefix(file: &Option<PathBuf>) -> String {
    match file {
        Some(f) => format!("{}: ", f.display()),
        None => String::new(),
    }
}

impl CodegenError {
    /// Attaches the spec file's path to an error that lacks it.
    pub fn in_file(self, path: &Path) -> Self {
        let path = Some(path.to_path_buf());
        match self {
            CodegenError::Parse {
                file: None,
                location,
                message,
            } => CodegenError::Parse {
                file: path,
                location,
                message,
            },
            CodegenError::Invalid {
                file: None,
                place,
                message,
            } => CodegenError::Invalid {
                file: path,
                place,
                message,
            },
            CodegenError::TypeGeneration {
                file: None,
                message,
            } => CodegenError::TypeGeneration {
                file: path,
                message,
            },
            other => other,
        }
    }

    pub(crate) fn invalid(place: impl Into<String>, message: impl Into<String>) -> Self {
        CodegenError::Invalid {
            file: None,
            place: place.into(),
            message: message.into(),
        }
    }
}
