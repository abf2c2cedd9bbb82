//! Phase 5, the only one that touches disk: make `--out` hold exactly the
//! file set. Changed files only are written; generated files no longer
//! produced are removed; nothing is replaced until every new file has been
//! written beside its target. A file without bindery's marker is never
//! replaced or removed (unless forced), and no symlink is followed.

use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};

use crate::render::{FileSet, MARKER};

/// What a sync did (or, with `check`, would do).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub written: Vec<String>,
    pub removed: Vec<String>,
    /// With `check`: a unified diff of what would change, at most
    /// `DIFF_LINES` lines (then a line saying how many were left out).
    pub diff: String,
    /// Folders that held removed files and still hold files bindery did not
    /// write (the built extension of a renamed package): `(folder, files)`.
    pub left: Vec<(String, Vec<String>)>,
}

/// The most lines of diff `--check` prints.
pub const DIFF_LINES: usize = 200;

/// A unified diff of `old` into `new` for `path`, 3 lines of context.
fn unified(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The first `limit` lines of `diff`, then how many were left out.
fn bounded(diff: &str, limit: usize) -> String {
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() <= limit {
        return diff.to_string();
    }
    let mut out = lines[..limit].join("\n");
    out.push_str(&format!("\n... {} more diff lines\n", lines.len() - limit));
    out
}

impl SyncReport {
    pub fn is_clean(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug)]
pub enum SyncError {
    /// Reading or writing `path` failed.
    Io { path: Utf8PathBuf, error: io::Error },
    /// Files in the output directory that bindery did not write (no marker
    /// on their first line) and would replace: relative paths, sorted.
    NotOurs(Vec<String>),
    /// A symlink where an output file or one of its folders would go.
    Symlink(Utf8PathBuf),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Io { path, error } => write!(f, "{path}: {error}"),
            SyncError::NotOurs(paths) => write!(
                f,
                "{} file(s) in the output directory were not written by bindery and would be \
                 replaced: {}",
                paths.len(),
                paths.join(", ")
            ),
            SyncError::Symlink(path) => {
                write!(f, "{path} is a symlink; bindery does not follow it")
            }
        }
    }
}

impl std::error::Error for SyncError {}

/// Folders never searched for stale files.
const SKIP_DIRS: &[&str] = &["target", "__pycache__", "node_modules"];

const TEMP_SUFFIX: &str = ".bindery-tmp";

/// A replaced or removed file's previous content, set aside until every
/// file is in place.
const OLD_SUFFIX: &str = ".bindery-old";

fn err(path: &Utf8Path, error: io::Error) -> SyncError {
    SyncError::Io {
        path: path.to_owned(),
        error,
    }
}

/// Refuses a symlink at `relative` or at any folder on its way below `out`.
fn check_no_symlink(out: &Utf8Path, relative: &Utf8Path) -> Result<(), SyncError> {
    let mut path = out.to_owned();
    for component in relative.components() {
        path.push(component);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(path)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(err(&path, e)),
        }
    }
    Ok(())
}

/// Syncs `files` into `out`; with `check`, only reports what would change.
/// A file bindery did not write is replaced only with `force`.
pub fn sync(
    files: &FileSet,
    out: &Utf8Path,
    check: bool,
    force: bool,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let mut pending = Vec::new();
    let mut not_ours = Vec::new();
    for (relative, content) in &files.files {
        let safe = Utf8Path::new(relative)
            .components()
            .all(|c| matches!(c, camino::Utf8Component::Normal(_)));
        if !safe {
            return Err(err(
                Utf8Path::new(relative),
                io::Error::other("refusing a path outside the output directory"),
            ));
        }
        check_no_symlink(out, Utf8Path::new(relative))?;
        let path = out.join(relative);
        match fs::read(&path) {
            Ok(existing) if existing == content.as_bytes() => {}
            Ok(_) => {
                if !is_generated(&path) {
                    not_ours.push(relative.clone());
                }
                pending.push((relative.clone(), path));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => pending.push((relative.clone(), path)),
            Err(e) => return Err(err(&path, e)),
        }
    }
    if !not_ours.is_empty() && !force {
        not_ours.sort();
        return Err(SyncError::NotOurs(not_ours));
    }
    let mut stale = Vec::new();
    if out.exists() {
        find_stale(out, out, files, &mut stale)?;
    }
    stale.sort();
    report.written = pending.iter().map(|(r, _)| r.clone()).collect();
    report.removed = stale
        .iter()
        .map(|p| p.strip_prefix(out).unwrap_or(p).to_string())
        .collect();
    if check {
        // Removals first: they are short, and the bound cuts the end.
        let mut diff = String::new();
        for path in &stale {
            let relative = path.strip_prefix(out).unwrap_or(path).as_str();
            let old = fs::read_to_string(path).unwrap_or_default();
            diff.push_str(&unified(relative, &old, ""));
        }
        for (relative, path) in &pending {
            let old = fs::read_to_string(path).unwrap_or_default();
            diff.push_str(&unified(relative, &old, &files.files[relative]));
        }
        report.diff = bounded(&diff, DIFF_LINES);
        return Ok(report);
    }

    // Stage every new file next to its target; on any failure, undo the staging.
    let mut staged: Vec<(Utf8PathBuf, Utf8PathBuf)> = Vec::new();
    for (relative, path) in &pending {
        let temp = Utf8PathBuf::from(format!("{path}{TEMP_SUFFIX}"));
        let content = &files.files[relative];
        let result = path
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&temp, content));
        if let Err(e) = result {
            for (temp, _) in &staged {
                let _ = fs::remove_file(temp);
            }
            let _ = fs::remove_file(&temp);
            return Err(err(path, e));
        }
        staged.push((temp, path.clone()));
    }
    replace_all(&staged, &stale)?;
    report.left = tidy_folders(out, &stale, files);
    Ok(report)
}

/// Moves every staged file into place and removes every stale one, all or
/// nothing: each file it replaces or removes is first renamed aside (in its
/// own folder, so each step is one rename), and any failure puts every
/// file back as it was and removes the staged ones.
fn replace_all(
    staged: &[(Utf8PathBuf, Utf8PathBuf)],
    stale: &[Utf8PathBuf],
) -> Result<(), SyncError> {
    // (path, its previous content set aside, whether the new file is in place)
    let mut done: Vec<(Utf8PathBuf, Option<Utf8PathBuf>, bool)> = Vec::new();
    let aside = |path: &Utf8Path| Utf8PathBuf::from(format!("{path}{OLD_SUFFIX}"));
    let result = (|| -> Result<(), SyncError> {
        for (temp, path) in staged {
            let old = path.exists().then(|| aside(path));
            if let Some(old) = &old {
                fs::rename(path, old).map_err(|e| err(path, e))?;
            }
            done.push((path.clone(), old, false));
            fs::rename(temp, path).map_err(|e| err(path, e))?;
            if let Some(last) = done.last_mut() {
                last.2 = true;
            }
        }
        for path in stale {
            let old = aside(path);
            fs::rename(path, &old).map_err(|e| err(path, e))?;
            done.push((path.clone(), Some(old), false));
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            for (_, old, _) in &done {
                if let Some(old) = old {
                    let _ = fs::remove_file(old);
                }
            }
            Ok(())
        }
        Err(e) => {
            for (path, old, placed) in done.iter().rev() {
                if *placed {
                    let _ = fs::remove_file(path);
                }
                if let Some(old) = old {
                    let _ = fs::rename(old, path);
                }
            }
            for (temp, _) in staged {
                let _ = fs::remove_file(temp);
            }
            Err(e)
        }
    }
}

/// Removes the folders that removing `stale` emptied, up to `out`; names
/// those that still hold files (which bindery did not write, so keeps).
fn tidy_folders(
    out: &Utf8Path,
    stale: &[Utf8PathBuf],
    files: &FileSet,
) -> Vec<(String, Vec<String>)> {
    // A folder that holds output is in use: nothing to say about it.
    let in_use = |dir: &Utf8Path| files.files.keys().any(|k| out.join(k).starts_with(dir));
    // Every folder above a stale file, below `out`, not in use.
    let mut folders = std::collections::BTreeSet::new();
    for path in stale {
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != out && d.starts_with(out) && !in_use(d)) {
            folders.insert(d);
            dir = d.parent();
        }
    }
    let mut folders: Vec<&Utf8Path> = folders.into_iter().collect();
    // Deepest first: each folder is looked at after all of its children.
    folders.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    let mut kept: Vec<&Utf8Path> = Vec::new();
    let mut left = Vec::new();
    for dir in folders {
        // Above a folder that stays: not empty, and the deeper one says why.
        if kept.iter().any(|k| k.starts_with(dir)) {
            kept.push(dir);
            continue;
        }
        // `remove_dir` removes only an empty folder.
        if fs::remove_dir(dir).is_ok() {
            continue;
        }
        kept.push(dir);
        let mut files: Vec<String> = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        if !files.is_empty() {
            left.push((dir.strip_prefix(out).unwrap_or(dir).to_string(), files));
        }
    }
    left.sort();
    left
}

fn find_stale(
    out: &Utf8Path,
    dir: &Utf8Path,
    files: &FileSet,
    stale: &mut Vec<Utf8PathBuf>,
) -> Result<(), SyncError> {
    let entries = fs::read_dir(dir).map_err(|e| err(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| err(dir, e))?;
        let Ok(path) = Utf8PathBuf::from_path_buf(entry.path()) else {
            continue;
        };
        let name = path.file_name().unwrap_or_default();
        let file_type = entry.file_type().map_err(|e| err(&path, e))?;
        if file_type.is_dir() {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name) {
                find_stale(out, &path, files, stale)?;
            }
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let relative = path
            .strip_prefix(out)
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        if files.files.contains_key(&relative) {
            continue;
        }
        if name.ends_with(TEMP_SUFFIX) || name.ends_with(OLD_SUFFIX) || is_generated(&path) {
            stale.push(path);
        }
    }
    Ok(())
}

/// A file is ours if its first line carries the marker.
fn is_generated(path: &Utf8Path) -> bool {
    use std::io::{BufRead, BufReader, Read};
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut first = Vec::new();
    let _ = BufReader::new(file).take(512).read_until(b'\n', &mut first);
    String::from_utf8_lossy(&first).contains(MARKER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_an_interrupted_sync_are_stale_whatever_they_hold() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        fs::write(out.join(format!("a.py{TEMP_SUFFIX}")), "half written").unwrap();
        fs::write(out.join(format!("b.py{OLD_SUFFIX}")), "x = 1\n").unwrap();
        fs::write(out.join("user.py"), "mine\n").unwrap();
        let mut stale = Vec::new();
        find_stale(out, out, &FileSet::default(), &mut stale).unwrap();
        stale.sort();
        assert_eq!(
            stale,
            [out.join("a.py.bindery-tmp"), out.join("b.py.bindery-old")]
        );
    }

    #[test]
    fn emptied_folders_go_up_to_the_output_folder_and_the_rest_is_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        let out = root.join("out");
        fs::create_dir_all(out.join("a/b")).unwrap();
        fs::create_dir_all(out.join("c/d")).unwrap();
        fs::create_dir_all(out.join("c/e")).unwrap();
        fs::write(out.join("c/user.txt"), "mine").unwrap();
        // Beside `out`: what a walk past it would find.
        fs::write(root.join("beside.txt"), "not bindery's").unwrap();
        // The stale files were removed already; their folders are left.
        let stale = [
            out.join("a/b/x.py"),
            out.join("c/d/y.py"),
            out.join("c/e/z.py"),
        ];
        let left = tidy_folders(&out, &stale, &FileSet::default());
        assert!(!out.join("a").exists(), "a/b and then a emptied");
        assert!(!out.join("c/d").exists() && !out.join("c/e").exists());
        assert!(out.exists(), "the output folder itself stays");
        assert_eq!(left, [("c".to_string(), vec!["user.txt".to_string()])]);

        // A folder kept deeper down: only it is named, not its parents.
        fs::create_dir_all(out.join("f/g/h")).unwrap();
        fs::write(out.join("f/g/user.txt"), "mine").unwrap();
        let left = tidy_folders(&out, &[out.join("f/g/h/x.py")], &FileSet::default());
        assert!(!out.join("f/g/h").exists());
        assert_eq!(left, [("f/g".to_string(), vec!["user.txt".to_string()])]);
    }

    #[test]
    fn a_file_where_a_folder_goes_is_an_error_and_a_missing_folder_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        fs::write(out.join("src"), "a file, where the folder src/ goes").unwrap();
        match check_no_symlink(out, Utf8Path::new("src/lib.rs")) {
            Err(SyncError::Io { path, .. }) => assert_eq!(path, out.join("src/lib.rs")),
            other => panic!("expected an I/O error naming src/lib.rs: {other:?}"),
        }
        assert!(check_no_symlink(out, Utf8Path::new("missing/lib.rs")).is_ok());
    }

    #[test]
    fn a_long_diff_is_cut_and_says_how_much_is_left() {
        let long: String = (0..300).map(|i| format!("+line {i}\n")).collect();
        let cut = bounded(&long, 200);
        assert_eq!(cut.lines().count(), 201);
        assert!(cut.lines().nth(199).unwrap().ends_with("line 199"));
        assert!(cut.ends_with("... 100 more diff lines\n"));
        assert_eq!(bounded("+a\n", 200), "+a\n");
    }

    /// Files bindery marked under `target/`, `__pycache__` or a dot-folder
    /// are build outputs or someone else's: never removed as stale.
    #[test]
    fn marked_files_in_skipped_folders_are_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        let keep = [
            "target/x.txt",
            ".cache/y.txt",
            "__pycache__/z.txt",
            "lib/.hidden/w.txt",
        ];
        for path in keep {
            fs::create_dir_all(out.join(path).parent().unwrap()).unwrap();
            fs::write(out.join(path), format!("# {MARKER} stale\n")).unwrap();
        }
        fs::create_dir_all(out.join("lib")).unwrap();
        fs::write(out.join("lib/stale.txt"), format!("# {MARKER} stale\n")).unwrap();
        let set = FileSet {
            files: [("a.txt".to_string(), format!("# {MARKER} a\n"))].into(),
        };
        let report = sync(&set, out, false, false).unwrap();
        assert_eq!(report.removed, ["lib/stale.txt"]);
        for path in keep {
            assert!(out.join(path).exists(), "{path} was removed");
        }
    }

    /// A folder where an output file goes is an error, and nothing is
    /// written (all or nothing).
    #[test]
    fn a_folder_in_the_way_of_a_file_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        fs::create_dir_all(out.join("b.txt/inside")).unwrap();
        let set = FileSet {
            files: [
                ("a.txt".to_string(), format!("# {MARKER} a\n")),
                ("b.txt".to_string(), format!("# {MARKER} b\n")),
            ]
            .into(),
        };
        assert!(sync(&set, out, false, false).is_err());
        assert!(!out.join("a.txt").exists());
        assert!(out.join("b.txt/inside").is_dir());
    }

    /// `--check` with changes but nothing to remove reports the diff and
    /// writes nothing.
    #[test]
    fn check_reports_edits_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        let set = |text: &str| FileSet {
            files: [("a.txt".to_string(), format!("# {MARKER}\n{text}\n"))].into(),
        };
        sync(&set("old"), out, false, false).unwrap();
        let report = sync(&set("new"), out, true, false).unwrap();
        assert!(!report.is_clean());
        assert!(report.removed.is_empty());
        assert!(
            report.diff.contains("-old") && report.diff.contains("+new"),
            "{}",
            report.diff
        );
        assert_eq!(
            fs::read_to_string(out.join("a.txt")).unwrap(),
            format!("# {MARKER}\nold\n")
        );
    }

    /// A failure in the middle of replacing puts every file back.
    #[test]
    fn a_failed_replace_puts_every_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = Utf8Path::from_path(dir.path()).unwrap();
        let set = |a: &str, b: &str| FileSet {
            files: [
                ("a.txt".to_string(), format!("# {MARKER} a {a}\n")),
                ("b.txt".to_string(), format!("# {MARKER} b {b}\n")),
                ("c.txt".to_string(), format!("# {MARKER} c\n")),
            ]
            .into(),
        };
        sync(&set("old", "old"), out, false, false).unwrap();
        // `b.txt` cannot be set aside: a folder holds the name.
        fs::create_dir_all(out.join(format!("b.txt{OLD_SUFFIX}/x"))).unwrap();
        let mut next = set("new", "new");
        next.files.remove("c.txt");
        assert!(sync(&next, out, false, false).is_err());
        let read = |name: &str| fs::read_to_string(out.join(name)).unwrap();
        assert_eq!(read("a.txt"), format!("# {MARKER} a old\n"));
        assert_eq!(read("b.txt"), format!("# {MARKER} b old\n"));
        assert_eq!(read("c.txt"), format!("# {MARKER} c\n"));
        let mut left: Vec<String> = fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["a.txt", "b.txt", &format!("b.txt{OLD_SUFFIX}"), "c.txt"]
        );
        // Once the way is clear, the same sync goes through.
        fs::remove_dir_all(out.join(format!("b.txt{OLD_SUFFIX}"))).unwrap();
        sync(&next, out, false, false).unwrap();
        assert_eq!(read("b.txt"), format!("# {MARKER} b new\n"));
        assert!(!out.join("c.txt").exists());
        assert!(!out.join(format!("a.txt{OLD_SUFFIX}")).exists());
    }
}
