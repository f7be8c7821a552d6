//! The user alias file (`[actors] alias_file`): extends and overrides the built-in knowledge.
//!
//! Two formats, chosen by extension:
//!
//! **CSV / TSV** (`.csv`, `.tsv`, `.txt`): a header row naming the columns, in any order;
//! `name` is required, the others optional: `alias`, `kind` (alias, name, seat/metonym, capital,
//! demonym; default alias), `type` (person, organisation, state, place, group), `affiliation`
//! (an actor name), `gender` (m, f). Several rows may share a name. `#` starts a comment line.
//! ```text
//! name,alias,kind,type,affiliation,gender
//! Condoleezza Rice,Condi,alias,person,United States,f
//! Ukraine,Bankova,seat,,,
//! ```
//! **TOML** (`.toml`): an array of `[[actor]]` tables.
//! ```toml
//! [[actor]]
//! name = "Condoleezza Rice"
//! type = "person"
//! affiliation = "United States"
//! gender = "f"
//! aliases = ["Condi"]
//! seats = []        # places that act for it, like "the Kremlin"
//! capitals = []     # places that act for it only when they act
//! demonyms = []
//! ```
//! Alias-file entries win over built-in ones: an alias that built-in knowledge maps elsewhere
//! is re-pointed, and a type or affiliation given for a known actor replaces the built-in one.

use std::path::Path;

use serde::Deserialize;

use crate::doc::ActorType;

use super::knowledge::{parse_actor_type, Gender, SurfaceKind};
use super::ActorsError;

/// One actor description from the alias file.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRecord {
    /// 1-based line where the record starts.
    pub line: usize,
    /// Canonical name.
    pub name: String,
    /// Type, required for actors the built-in knowledge does not have.
    pub actor_type: Option<ActorType>,
    /// Affiliation, an actor name.
    pub affiliation: Option<String>,
    /// Gender, for persons.
    pub gender: Option<Gender>,
    /// Extra surface forms and how they refer.
    pub surfaces: Vec<(String, SurfaceKind)>,
}

fn err(path: &Path, line: usize, message: impl Into<String>) -> ActorsError {
    ActorsError::Resource {
        origin: path.display().to_string(),
        line,
        message: message.into(),
    }
}

/// Reads and parses an alias file.
pub fn load(path: &Path) -> Result<Vec<AliasRecord>, ActorsError> {
    let text = crate::config::read_user_file(path).map_err(|source| ActorsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "toml" => parse_toml(&text, path),
        "tsv" => parse_delimited(&text, path, '\t'),
        "csv" | "txt" | "" => parse_delimited(&text, path, ','),
        other => Err(err(
            path,
            0,
            format!("unknown alias file extension `.{other}`; use .csv, .tsv or .toml"),
        )),
    }
}

fn parse_kind(s: &str) -> Option<SurfaceKind> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "" | "alias" => SurfaceKind::Alias,
        "name" => SurfaceKind::Name,
        "seat" | "metonym" => SurfaceKind::Seat,
        "capital" => SurfaceKind::Capital,
        "demonym" => SurfaceKind::Demonym,
        _ => return None,
    })
}

/// Splits one CSV line, honouring double-quoted fields with `""` escapes.
fn split_line(line: &str, delim: char) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            c if c == delim && !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("unclosed double quote".into());
    }
    out.push(cur.trim().to_string());
    Ok(out)
}

/// Parses the CSV/TSV format.
pub fn parse_delimited(
    text: &str,
    path: &Path,
    delim: char,
) -> Result<Vec<AliasRecord>, ActorsError> {
    const COLUMNS: [&str; 6] = ["name", "alias", "kind", "type", "affiliation", "gender"];
    let mut header: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        let fields = split_line(raw, delim).map_err(|m| err(path, line, m))?;
        let Some(cols) = &header else {
            let cols: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if let Some(bad) = cols.iter().find(|c| !COLUMNS.contains(&c.as_str())) {
                return Err(err(
                    path,
                    line,
                    format!(
                        "unknown column `{bad}` in the header; allowed: {}",
                        COLUMNS.join(", ")
                    ),
                ));
            }
            if !cols.iter().any(|c| c == "name") {
                return Err(err(path, line, "the header row needs a `name` column"));
            }
            header = Some(cols);
            continue;
        };
        if fields.len() > cols.len() {
            return Err(err(
                path,
                line,
                format!("{} fields but the header has {}", fields.len(), cols.len()),
            ));
        }
        let get = |c: &str| {
            cols.iter()
                .position(|h| h == c)
                .and_then(|p| fields.get(p))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let Some(name) = get("name") else {
            return Err(err(path, line, "empty `name`"));
        };
        let (actor_type, gender) = type_and_gender(get("type"), get("gender"), path, line)?;
        let kind_s = get("kind").unwrap_or("");
        let kind = parse_kind(kind_s).ok_or_else(|| {
            err(
                path,
                line,
                format!("unknown kind `{kind_s}`; allowed: alias, name, seat, capital, demonym"),
            )
        })?;
        let surfaces = get("alias")
            .map(|a| vec![(a.to_string(), kind)])
            .unwrap_or_default();
        out.push(AliasRecord {
            line,
            name: name.to_string(),
            actor_type,
            affiliation: get("affiliation").map(str::to_string),
            gender,
            surfaces,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    actor: Vec<toml::Spanned<TomlActor>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlActor {
    name: String,
    #[serde(default, rename = "type")]
    actor_type: Option<String>,
    #[serde(default)]
    affiliation: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    seats: Vec<String>,
    #[serde(default)]
    capitals: Vec<String>,
    #[serde(default)]
    demonyms: Vec<String>,
}

/// Parses the optional `type` and `gender` fields, which both file formats share.
fn type_and_gender(
    actor_type: Option<&str>,
    gender: Option<&str>,
    path: &Path,
    line: usize,
) -> Result<(Option<ActorType>, Option<Gender>), ActorsError> {
    let actor_type = actor_type
        .map(|t| {
            parse_actor_type(t).ok_or_else(|| {
                err(
                    path,
                    line,
                    format!(
                        "unknown type `{t}`; allowed: person, organisation, state, place, group"
                    ),
                )
            })
        })
        .transpose()?;
    let gender = gender
        .map(|g| Gender::parse(g).ok_or_else(|| err(path, line, "gender must be m, f or -")))
        .transpose()?;
    Ok((actor_type, gender))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses the TOML format.
pub fn parse_toml(text: &str, path: &Path) -> Result<Vec<AliasRecord>, ActorsError> {
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        err(path, line, e.message().trim().to_string())
    })?;
    let mut out = Vec::new();
    for spanned in file.actor {
        let line = line_of(text, spanned.span().start);
        let a = spanned.into_inner();
        if a.name.trim().is_empty() {
            return Err(err(path, line, "empty `name`"));
        }
        let (actor_type, gender) =
            type_and_gender(a.actor_type.as_deref(), a.gender.as_deref(), path, line)?;
        let mut surfaces = Vec::new();
        for (list, kind) in [
            (&a.aliases, SurfaceKind::Alias),
            (&a.seats, SurfaceKind::Seat),
            (&a.capitals, SurfaceKind::Capital),
            (&a.demonyms, SurfaceKind::Demonym),
        ] {
            surfaces.extend(list.iter().map(|s| (s.clone(), kind)));
        }
        out.push(AliasRecord {
            line,
            name: a.name.trim().to_string(),
            actor_type,
            affiliation: a.affiliation,
            gender,
            surfaces,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_and_kinds() {
        let text = "# my aliases\nname,alias,kind,type,affiliation\n\"Rice, Condoleezza\",Condi,,person,United States\nUkraine,Bankova,seat,,\n";
        let r = parse_delimited(text, Path::new("a.csv"), ',').unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "Rice, Condoleezza");
        assert_eq!(r[0].line, 3);
        assert_eq!(
            r[0].surfaces,
            vec![("Condi".to_string(), SurfaceKind::Alias)]
        );
        assert_eq!(r[1].surfaces[0].1, SurfaceKind::Seat);
        assert_eq!(r[1].actor_type, None);
    }

    #[test]
    fn csv_errors_name_file_and_line() {
        let e = parse_delimited("name,alias,type\nX,Y,planet\n", Path::new("a.csv"), ',')
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.csv:2"), "{e}");
        assert!(e.contains("planet"), "{e}");
        let e = parse_delimited("nom,alias\n", Path::new("b.csv"), ',')
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.csv:1") && e.contains("nom"), "{e}");
    }

    #[test]
    fn toml_records_and_errors() {
        let text = "[[actor]]\nname = \"Condoleezza Rice\"\naliases = [\"Condi\"]\n\n[[actor]]\nname = \"Ruritania\"\ntype = \"state\"\ncapitals = [\"Strelsau\"]\n";
        let r = parse_toml(text, Path::new("a.toml")).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].line, 5);
        assert_eq!(r[1].actor_type, Some(ActorType::State));
        assert_eq!(
            r[1].surfaces,
            vec![("Strelsau".to_string(), SurfaceKind::Capital)]
        );
        let e = parse_toml(
            "[[actor]]\nname = \"X\"\ntype = \"planet\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("c.toml:1") && e.contains("planet"), "{e}");
        let e = parse_toml(
            "[[actor]]\nname = \"X\"\nnickname = \"Y\"\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("d.toml:") && e.contains("nickname"), "{e}");
    }

    #[test]
    fn gender_is_checked_in_both_formats() {
        let r = parse_delimited(
            "name,gender\nAnna Politkovskaya,f\n",
            Path::new("a.csv"),
            ',',
        )
        .unwrap();
        assert_eq!(r[0].gender, Some(Gender::Female));
        let e = parse_delimited("name,gender\nX,x\n", Path::new("a.csv"), ',')
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.csv:2") && e.contains("gender must be"), "{e}");
        let e = parse_toml(
            "[[actor]]\nname = \"X\"\ngender = \"x\"\n",
            Path::new("e.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("e.toml:1") && e.contains("gender must be"),
            "{e}"
        );
    }
}
