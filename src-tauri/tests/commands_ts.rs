//! The UI's command wrappers (`ui/src/lib/generated/commands.ts`), generated from the
//! `#[tauri::command]` functions in `src-tauri/src`: one typed function per command, calling
//! `invoke` with the command's name and argument keys. The test fails when the file on disk is
//! not what the commands give (run it with `OPSDESK_WRITE_GENERATED=1` to rewrite it), when a
//! command is not in `tauri::generate_handler![...]` or the handler names a function that is not
//! a command, and when a command uses a type the UI has no generated TypeScript for.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Set to `1` to write the generated file instead of comparing it.
const WRITE_ENV: &str = "OPSDESK_WRITE_GENERATED";

/// Arguments Tauri fills in itself: the UI never passes them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "Webview", "WebviewWindow"];

#[test]
fn command_wrappers_are_current() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let generated_dir = manifest.join("../ui/src/lib/generated");
    let crate_src = CrateSource::read(&manifest.join("src"));
    let commands = crate_src.handled_commands();
    let text = render(&commands, &generated_dir);
    let target = generated_dir.join("commands.ts");
    if std::env::var(WRITE_ENV).as_deref() == Ok("1") {
        std::fs::write(&target, &text).expect("write commands.ts");
        return;
    }
    let on_disk = std::fs::read_to_string(&target).unwrap_or_default();
    assert!(
        on_disk == text,
        "{} is not what the commands give; run `{WRITE_ENV}=1 cargo test -p opsdesk-desktop \
         --test commands_ts` and commit it",
        target.display()
    );
}

/// One command as the UI sees it.
struct Command {
    /// The Rust function's name, which is the command's name on the wire.
    name: String,
    doc: Vec<String>,
    /// (key on the wire, TypeScript type), in the function's order.
    args: Vec<(String, Ts)>,
    returns: Ts,
}

/// A TypeScript type and the generated types it names.
#[derive(Clone)]
struct Ts {
    text: String,
    names: BTreeSet<String>,
}

impl Ts {
    fn plain(text: &str) -> Ts {
        Ts {
            text: text.to_owned(),
            names: BTreeSet::new(),
        }
    }
}

/// A type alias (`type Answer<T> = Result<T, UiError>;`).
struct Alias {
    params: Vec<String>,
    ty: syn::Type,
}

/// One source file of the crate, parsed, with its module path (`["live"]` for `src/live.rs`).
struct Module {
    path: Vec<String>,
    file: syn::File,
}

struct CrateSource {
    modules: Vec<Module>,
}

impl CrateSource {
    fn read(src: &Path) -> CrateSource {
        let mut files = Vec::new();
        collect_rs_files(src, &mut files);
        files.sort();
        let modules = files
            .into_iter()
            .map(|file| {
                let text = std::fs::read_to_string(&file).expect("read a source file");
                let parsed = syn::parse_file(&text)
                    .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
                Module {
                    path: module_path(src, &file),
                    file: parsed,
                }
            })
            .collect();
        CrateSource { modules }
    }

    /// Every command, in the order `generate_handler!` lists them, after checking that the
    /// handler lists each command exactly once and nothing else.
    fn handled_commands(&self) -> Vec<Command> {
        let mut defined: BTreeMap<(Vec<String>, String), &syn::ItemFn> = BTreeMap::new();
        for module in &self.modules {
            for item in &module.file.items {
                if let syn::Item::Fn(f) = item {
                    if command_attr(f).is_some() {
                        defined.insert((module.path.clone(), f.sig.ident.to_string()), f);
                    }
                }
            }
        }
        let listed = self.handler_list();
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        let mut commands = Vec::new();
        for key in &listed {
            let shown = shown_path(key);
            if !seen.insert(key.clone()) {
                problems.push(format!("`{shown}` is listed twice in generate_handler!"));
                continue;
            }
            match defined.get(key) {
                Some(f) => {
                    let module = self.module(&key.0);
                    commands.push(command(f, &module.aliases()));
                }
                None => problems.push(format!(
                    "generate_handler! lists `{shown}`, which is not a #[tauri::command] function"
                )),
            }
        }
        for key in defined.keys().filter(|k| !seen.contains(*k)) {
            problems.push(format!(
                "the command `{}` is missing from generate_handler!",
                shown_path(key)
            ));
        }
        let mut names = BTreeSet::new();
        for c in &commands {
            if !names.insert(c.name.clone()) {
                problems.push(format!("two commands are named `{}`", c.name));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        commands
    }

    /// The functions `tauri::generate_handler![...]` names, as (module path, name).
    fn handler_list(&self) -> Vec<(Vec<String>, String)> {
        let mut found = Vec::new();
        for module in &self.modules {
            let mut finder = HandlerFinder::default();
            finder.visit_file(&module.file);
            for paths in finder.lists {
                found.extend(paths.iter().map(|p| resolve(&module.path, p)));
            }
        }
        assert!(
            !found.is_empty(),
            "no tauri::generate_handler![...] found in src-tauri/src"
        );
        found
    }

    fn module(&self, path: &[String]) -> &Module {
        self.modules
            .iter()
            .find(|m| m.path == path)
            .expect("the module of a defined command")
    }
}

impl Module {
    fn aliases(&self) -> BTreeMap<String, Alias> {
        let mut aliases = BTreeMap::new();
        for item in &self.file.items {
            if let syn::Item::Type(t) = item {
                let params = t
                    .generics
                    .type_params()
                    .map(|p| p.ident.to_string())
                    .collect();
                aliases.insert(
                    t.ident.to_string(),
                    Alias {
                        params,
                        ty: (*t.ty).clone(),
                    },
                );
            }
        }
        aliases
    }
}

/// Finds `generate_handler![...]` invocations anywhere in a file.
#[derive(Default)]
struct HandlerFinder {
    lists: Vec<Vec<syn::Path>>,
}

impl<'ast> Visit<'ast> for HandlerFinder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let is_handler = mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "generate_handler");
        if is_handler {
            let paths = mac
                .parse_body_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .expect("generate_handler! lists paths");
            self.lists.push(paths.into_iter().collect());
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// A handler entry as (module path, function name): `crate::live::inbox`, `self::x`, or a bare
/// name for a function of the module that holds the handler.
fn resolve(here: &[String], path: &syn::Path) -> (Vec<String>, String) {
    let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let name = segments.pop().expect("a path has a last segment");
    let module = match segments.first().map(String::as_str) {
        Some("crate") => segments[1..].to_vec(),
        Some("self") => here.iter().chain(&segments[1..]).cloned().collect(),
        None => here.to_vec(),
        Some(_) => panic!(
            "generate_handler! entry `{}::{name}`: write it as crate::<module>::<name>",
            segments.join("::")
        ),
    };
    (module, name)
}

fn shown_path((module, name): &(Vec<String>, String)) -> String {
    let mut parts = vec!["crate".to_owned()];
    parts.extend(module.iter().cloned());
    parts.push(name.clone());
    parts.join("::")
}

/// The `#[tauri::command]` (or `#[command]`) attribute of a function, if it is a command.
fn command_attr(f: &syn::ItemFn) -> Option<&syn::Attribute> {
    f.attrs.iter().find(|a| {
        let segments: Vec<String> = a
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments == ["tauri", "command"] || segments == ["command"]
    })
}

/// The `rename_all` of a command attribute; Tauri's default is camelCase.
fn rename_all(attr: &syn::Attribute) -> String {
    let mut rename = "camelCase".to_owned();
    if matches!(attr.meta, syn::Meta::List(_)) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = value.value();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        })
        .expect("a #[tauri::command(...)] attribute parses");
    }
    rename
}

fn command(f: &syn::ItemFn, aliases: &BTreeMap<String, Alias>) -> Command {
    let name = f.sig.ident.to_string();
    let attr = command_attr(f).expect("a command");
    let rename = rename_all(attr);
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            panic!("command `{name}` takes self");
        };
        let syn::Pat::Ident(pat) = &*arg.pat else {
            panic!("command `{name}`: name each argument");
        };
        let arg_name = pat.ident.to_string();
        if injected(&arg.ty, aliases) {
            continue;
        }
        let key = match rename.as_str() {
            "snake_case" => arg_name.clone(),
            "camelCase" => camel_case(&arg_name),
            other => panic!("command `{name}`: rename_all = {other:?} is not supported here"),
        };
        let ts = to_ts(&arg.ty, aliases, &BTreeSet::new())
            .unwrap_or_else(|e| panic!("command `{name}`, argument `{arg_name}`: {e}"));
        args.push((key, ts));
    }
    let returns = match &f.sig.output {
        syn::ReturnType::Default => Ts::plain("void"),
        syn::ReturnType::Type(_, ty) => {
            returned(ty, aliases).unwrap_or_else(|e| panic!("command `{name}`, its answer: {e}"))
        }
    };
    Command {
        name,
        doc: doc_lines(&f.attrs),
        args,
        returns,
    }
}

/// The `///` lines of an item, without the one space after the slashes.
fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect()
}

/// An argument type Tauri fills in (state, the app, the window), through aliases too.
fn injected(ty: &syn::Type, aliases: &BTreeMap<String, Alias>) -> bool {
    let Some(segment) = last_segment(ty) else {
        return false;
    };
    let name = segment.ident.to_string();
    if INJECTED.contains(&name.as_str()) {
        return true;
    }
    aliases
        .get(&name)
        .is_some_and(|alias| injected(&alias.ty, aliases))
}

/// What the UI gets back: the `Ok` of a `Result` (an `Err` is thrown), `()` as `void`.
fn returned(ty: &syn::Type, aliases: &BTreeMap<String, Alias>) -> Result<Ts, String> {
    if matches!(ty, syn::Type::Tuple(t) if t.elems.is_empty()) {
        return Ok(Ts::plain("void"));
    }
    let Some(segment) = last_segment(ty) else {
        return to_ts(ty, aliases, &BTreeSet::new());
    };
    let name = segment.ident.to_string();
    if name == "Result" {
        let args = generic_args(segment)?;
        return returned(args.first().ok_or("Result without a type")?, aliases);
    }
    if let Some(alias) = aliases.get(&name) {
        let args = generic_args(segment)?;
        let substituted = substitute(&alias.ty, &alias.params, &args);
        return returned(&substituted, aliases);
    }
    to_ts(ty, aliases, &BTreeSet::new())
}

/// Replaces an alias's type parameters by the types it was given.
fn substitute(ty: &syn::Type, params: &[String], args: &[syn::Type]) -> syn::Type {
    struct Subst<'a> {
        params: &'a [String],
        args: &'a [syn::Type],
    }
    impl syn::visit_mut::VisitMut for Subst<'_> {
        fn visit_type_mut(&mut self, ty: &mut syn::Type) {
            if let syn::Type::Path(p) = ty {
                if p.qself.is_none() && p.path.segments.len() == 1 {
                    let ident = p.path.segments[0].ident.to_string();
                    if let Some(i) = self.params.iter().position(|n| *n == ident) {
                        if let Some(arg) = self.args.get(i) {
                            *ty = arg.clone();
                            return;
                        }
                    }
                }
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Subst { params, args }, &mut ty);
    ty
}

/// A Rust argument or answer type as the TypeScript ts-rs generates for it.
fn to_ts(
    ty: &syn::Type,
    aliases: &BTreeMap<String, Alias>,
    seen: &BTreeSet<String>,
) -> Result<Ts, String> {
    match ty {
        syn::Type::Reference(r) => to_ts(&r.elem, aliases, seen),
        syn::Type::Paren(p) => to_ts(&p.elem, aliases, seen),
        syn::Type::Tuple(t) if t.elems.is_empty() => Ok(Ts::plain("null")),
        syn::Type::Path(p) if p.qself.is_none() => {
            let segment = p.path.segments.last().ok_or("an empty type path")?;
            let name = segment.ident.to_string();
            let args = generic_args(segment)?;
            let arg = |i: usize| -> Result<Ts, String> {
                let ty = args.get(i).ok_or(format!("{name} without a type"))?;
                to_ts(ty, aliases, seen)
            };
            match name.as_str() {
                "String" | "str" | "char" | "Uuid" => Ok(Ts::plain("string")),
                "bool" => Ok(Ts::plain("boolean")),
                "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize"
                | "f32" | "f64" => Ok(Ts::plain("number")),
                "Box" | "Arc" | "Rc" => arg(0),
                "Option" => {
                    let inner = arg(0)?;
                    Ok(Ts {
                        text: format!("{} | null", inner.text),
                        names: inner.names,
                    })
                }
                "Vec" => {
                    let inner = arg(0)?;
                    Ok(Ts {
                        text: format!("Array<{}>", inner.text),
                        names: inner.names,
                    })
                }
                _ if aliases.contains_key(&name) => {
                    let alias = &aliases[&name];
                    if seen.contains(&name) {
                        return Err(format!("the alias {name} refers to itself"));
                    }
                    let mut seen = seen.clone();
                    seen.insert(name.clone());
                    let substituted = substitute(&alias.ty, &alias.params, &args);
                    to_ts(&substituted, aliases, &seen)
                }
                _ => {
                    let mut names = BTreeSet::from([name.clone()]);
                    let mut text = name.clone();
                    if !args.is_empty() {
                        let mut parts = Vec::new();
                        for ty in &args {
                            let inner = to_ts(ty, aliases, seen)?;
                            names.extend(inner.names);
                            parts.push(inner.text);
                        }
                        text = format!("{text}<{}>", parts.join(", "));
                    }
                    Ok(Ts { text, names })
                }
            }
        }
        _ => Err("a type the generator does not know (use a named type)".to_owned()),
    }
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        syn::Type::Reference(r) => last_segment(&r.elem),
        _ => None,
    }
}

/// The type arguments of `Name<A, B>` (lifetimes left out).
fn generic_args(segment: &syn::PathSegment) -> Result<Vec<syn::Type>, String> {
    match &segment.arguments {
        syn::PathArguments::None => Ok(Vec::new()),
        syn::PathArguments::AngleBracketed(a) => Ok(a
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect()),
        syn::PathArguments::Parenthesized(_) => Err("a function type".to_owned()),
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of `commands.ts`; each type it names must have its ts-rs file beside it.
fn render(commands: &[Command], generated_dir: &Path) -> String {
    let mut names = BTreeSet::new();
    for c in commands {
        names.extend(c.returns.names.iter().cloned());
        for (_, ts) in &c.args {
            names.extend(ts.names.iter().cloned());
        }
    }
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !generated_dir.join(format!("{n}.ts")).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the commands use types with no generated TypeScript (derive ts_rs::TS and add \
         #[ts(export)]): {missing:?}"
    );

    let mut out = String::new();
    out.push_str(
        "// Generated from the #[tauri::command] functions in src-tauri/src by\n\
         // src-tauri/tests/commands_ts.rs. Do not edit: change the command, then run\n\
         // `OPSDESK_WRITE_GENERATED=1 cargo test -p opsdesk-desktop --test commands_ts`.\n",
    );
    for n in &names {
        let _ = writeln!(out, "import type {{ {n} }} from \"./{n}\";");
    }
    out.push_str(
        "\n/** Calls one shell command by name with its arguments (`invoke`, or a wrapper of it). */\n\
         export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\
         \n\
         /** One typed function per shell command, in the order the shell registers them. */\n\
         export function commands(invoke: Invoke) {\n  return {\n",
    );
    for c in commands {
        write_doc(&mut out, &c.doc);
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(key, ts)| format!("{key}: {}", ts.text))
            .collect();
        let keys: Vec<&str> = c.args.iter().map(|(key, _)| key.as_str()).collect();
        let call_args = if keys.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", keys.join(", "))
        };
        let _ = writeln!(
            out,
            "    {}: ({}): Promise<{}> => invoke<{}>(\"{}\"{call_args}),",
            camel_case(&c.name),
            params.join(", "),
            c.returns.text,
            c.returns.text,
            c.name,
        );
    }
    out.push_str("  };\n}\n");
    out
}

fn write_doc(out: &mut String, doc: &[String]) {
    let lines: Vec<String> = doc.iter().map(|l| l.replace("*/", "*\\/")).collect();
    match lines.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "    /** {one} */");
        }
        many => {
            out.push_str("    /**\n");
            for line in many {
                let _ = writeln!(
                    out,
                    "     *{}{line}",
                    if line.is_empty() { "" } else { " " }
                );
            }
            out.push_str("     */\n");
        }
    }
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src-tauri/src") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/main.rs` is the crate root; `src/a/mod.rs` and `src/a.rs` are `a`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("a file below src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    let is_root = parts.is_empty() && (stem == "main" || stem == "lib");
    if stem != "mod" && !is_root {
        parts.push(stem.to_owned());
    }
    parts
}

#[test]
fn names_become_camel_case() {
    assert_eq!(camel_case("tenant_user_sign_ins"), "tenantUserSignIns");
    assert_eq!(camel_case("me"), "me");
    assert_eq!(camel_case("_private_arg"), "privateArg");
}
