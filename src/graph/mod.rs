//! The dependency graph of a configuration (petgraph): one node per
//! variable, local, output, module call and resource block in every module
//! of the tree, with an edge from each object to the objects that refer to
//! it. Cycles are diagnostics naming every member with its location. The
//! engine walks the resource-level projection ([`ConfigGraph::resource_deps`]);
//! `herd graph` renders it as DOT or mermaid.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::addrs::{Mode, Resource};
use crate::config::{Expr, Module};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::refs::{body_refs, expr_refs, Ref};

/// A static module path: the call names from the root.
pub type ModPath = Vec<String>;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Var(ModPath, String),
    Local(ModPath, String),
    Output(ModPath, String),
    Call(ModPath, String),
    Resource(ModPath, Resource),
}

fn prefix(p: &ModPath) -> String {
    p.iter().map(|m| format!("module.{m}.")).collect()
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Var(p, n) => write!(f, "{}var.{n}", prefix(p)),
            Node::Local(p, n) => write!(f, "{}local.{n}", prefix(p)),
            Node::Output(p, n) => write!(f, "{}output.{n}", prefix(p)),
            Node::Call(p, n) => write!(f, "{}module.{n}", prefix(p)),
            Node::Resource(p, r) => write!(f, "{}{r}", prefix(p)),
        }
    }
}

pub struct ConfigGraph {
    pub graph: DiGraph<Node, ()>,
    pub index: HashMap<Node, NodeIndex>,
    pub ranges: HashMap<Node, Option<SourceRange>>,
}

struct Builder<'a> {
    g: ConfigGraph,
    /// (dependent, dependency) pairs, resolved after all nodes exist.
    edges: Vec<(Node, Node)>,
    modules: BTreeMap<ModPath, &'a Module>,
}

/// For every resource (by module path), the resources it depends on.
pub type ResourceDeps = BTreeMap<(ModPath, Resource), BTreeSet<(ModPath, Resource)>>;

impl ConfigGraph {
    fn add(&mut self, n: Node, range: Option<SourceRange>) {
        if !self.index.contains_key(&n) {
            let i = self.graph.add_node(n.clone());
            self.index.insert(n.clone(), i);
            self.ranges.insert(n, range);
        }
    }

    /// For every resource, the resources it depends on (directly or through
    /// variables, locals, outputs and module calls).
    pub fn resource_deps(&self) -> ResourceDeps {
        let mut out = BTreeMap::new();
        for (n, &i) in &self.index {
            if let Node::Resource(p, r) = n {
                let mut deps = BTreeSet::new();
                let mut seen = BTreeSet::new();
                let mut stack: Vec<NodeIndex> = self
                    .graph
                    .neighbors_directed(i, Direction::Incoming)
                    .collect();
                while let Some(x) = stack.pop() {
                    if !seen.insert(x) {
                        continue;
                    }
                    match &self.graph[x] {
                        Node::Resource(dp, dr) => {
                            deps.insert((dp.clone(), dr.clone()));
                        }
                        _ => stack.extend(self.graph.neighbors_directed(x, Direction::Incoming)),
                    }
                }
                out.insert((p.clone(), r.clone()), deps);
            }
        }
        out
    }

    /// Resources in a dependency order (dependencies first).
    pub fn resource_order(&self) -> Vec<(ModPath, Resource)> {
        let order = petgraph::algo::toposort(&self.graph, None).unwrap_or_default();
        order
            .into_iter()
            .filter_map(|i| match &self.graph[i] {
                Node::Resource(p, r) => Some((p.clone(), r.clone())),
                _ => None,
            })
            .collect()
    }

    /// DOT rendering of the resource-level graph (`herd graph`).
    pub fn to_dot(&self, reverse: bool) -> String {
        let deps = self.resource_deps();
        let mut s = String::from(
            "digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {\n",
        );
        for (p, r) in deps.keys() {
            let name = format!("{}{r}", prefix(p));
            s.push_str(&format!(
                "\t\t\"[root] {name} (expand)\" [label = \"{name}\", shape = \"box\"]\n"
            ));
        }
        for ((p, r), ds) in &deps {
            let name = format!("{}{r}", prefix(p));
            for (dp, dr) in ds {
                let dn = format!("{}{dr}", prefix(dp));
                if reverse {
                    s.push_str(&format!(
                        "\t\t\"[root] {dn} (expand)\" -> \"[root] {name} (expand)\"\n"
                    ));
                } else {
                    s.push_str(&format!(
                        "\t\t\"[root] {name} (expand)\" -> \"[root] {dn} (expand)\"\n"
                    ));
                }
            }
        }
        s.push_str("\t}\n}\n");
        s
    }

    /// Mermaid flowchart of the resource-level graph (dependencies point at dependents).
    pub fn to_mermaid(&self) -> String {
        let deps = self.resource_deps();
        let mut ids = BTreeMap::new();
        let mut s = String::from("flowchart LR\n");
        for (i, (p, r)) in deps.keys().enumerate() {
            let name = format!("{}{r}", prefix(p));
            ids.insert(name.clone(), format!("n{i}"));
            s.push_str(&format!("  n{i}[\"{name}\"]\n"));
        }
        for ((p, r), ds) in &deps {
            let name = format!("{}{r}", prefix(p));
            for (dp, dr) in ds {
                let dn = format!("{}{dr}", prefix(dp));
                s.push_str(&format!("  {} --> {}\n", ids[&dn], ids[&name]));
            }
        }
        s
    }
}

/// Build the graph of the whole module tree; reports cycles (naming each
/// member with the file and line it is declared at, read from `sources`).
pub fn build(root: &Module, sources: &crate::diag::Sources) -> (ConfigGraph, Diagnostics) {
    let mut b = Builder {
        g: ConfigGraph {
            graph: DiGraph::new(),
            index: HashMap::new(),
            ranges: HashMap::new(),
        },
        edges: vec![],
        modules: BTreeMap::new(),
    };
    b.collect(vec![], root);
    let edges = std::mem::take(&mut b.edges);
    for (to, from) in edges {
        if let (Some(&t), Some(&f)) = (b.g.index.get(&to), b.g.index.get(&from)) {
            if !b.g.graph.contains_edge(f, t) {
                b.g.graph.add_edge(f, t, ());
            }
        }
    }
    let mut diags = Diagnostics::new();
    for scc in petgraph::algo::tarjan_scc(&b.g.graph) {
        let is_cycle = scc.len() > 1 || b.g.graph.contains_edge(scc[0], scc[0]);
        if !is_cycle {
            continue;
        }
        let mut names: Vec<(String, Option<SourceRange>)> = scc
            .iter()
            .map(|i| {
                let n = &b.g.graph[*i];
                (n.to_string(), b.g.ranges.get(n).cloned().flatten())
            })
            .collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let list = names
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut detail = String::from("These objects refer to each other in a cycle, so none of them can be evaluated first:\n");
        for (n, r) in &names {
            match r {
                Some(r) => {
                    let line = sources
                        .get(&r.file)
                        .map(|t| crate::diag::line_col(&t, r.start).0)
                        .unwrap_or(0);
                    detail.push_str(&format!("  - {n} (declared at {}:{line})\n", r.file));
                }
                None => detail.push_str(&format!("  - {n}\n")),
            }
        }
        detail.push_str("Break the cycle by removing one of the references, or by moving a value into a local or variable that does not depend on the others.");
        diags.push(
            Diagnostic::error(format!("Cycle: {list}"), detail)
                .at(names.iter().find_map(|(_, r)| r.clone())),
        );
    }
    (b.g, diags)
}

impl<'a> Builder<'a> {
    fn collect(&mut self, path: ModPath, m: &'a Module) {
        self.modules.insert(path.clone(), m);
        for (n, v) in &m.variables {
            self.g
                .add(Node::Var(path.clone(), n.clone()), v.range.clone());
        }
        for (n, l) in &m.locals {
            self.g
                .add(Node::Local(path.clone(), n.clone()), l.expr.range());
            let from = Node::Local(path.clone(), n.clone());
            self.refs_expr(&from, &path, m, &l.expr);
        }
        for (n, o) in &m.outputs {
            let from = Node::Output(path.clone(), n.clone());
            self.g.add(from.clone(), o.range.clone());
            if let Some(v) = &o.value {
                self.refs_expr(&from, &path, m, v);
            }
            for d in &o.depends_on {
                self.refs_expr(&from, &path, m, d);
            }
            for pc in &o.preconditions {
                self.refs_expr(&from, &path, m, &pc.condition);
            }
        }
        for r in &m.resources {
            let res = Resource {
                mode: if r.mode == crate::config::ResourceMode::Managed {
                    Mode::Managed
                } else {
                    Mode::Data
                },
                ty: r.ty.clone(),
                name: r.name.clone(),
            };
            let from = Node::Resource(path.clone(), res);
            self.g.add(from.clone(), r.range.clone());
            let refs = body_refs(&r.meta.body);
            self.refs(&from, &path, m, &refs);
            for e in r
                .meta
                .count
                .iter()
                .chain(r.meta.for_each.iter())
                .chain(r.meta.depends_on.iter())
                .chain(r.meta.lifecycle.replace_triggered_by.iter())
            {
                self.refs_expr(&from, &path, m, e);
            }
            for c in r
                .meta
                .lifecycle
                .preconditions
                .iter()
                .chain(r.meta.lifecycle.postconditions.iter())
            {
                let refs: Vec<Ref> = expr_refs(&c.condition.expr)
                    .into_iter()
                    .filter(|x| x.root != "self")
                    .collect();
                self.refs(&from, &path, m, &refs);
            }
            for p in &r.meta.provisioners {
                let refs: Vec<Ref> = body_refs(&p.body)
                    .into_iter()
                    .filter(|x| x.root != "self")
                    .collect();
                self.refs(&from, &path, m, &refs);
            }
            if let Some((parent, call)) = split_last(&path) {
                self.edges.push((from.clone(), Node::Call(parent, call)));
            }
        }
        for (n, c) in &m.module_calls {
            let call = Node::Call(path.clone(), n.clone());
            self.g.add(call.clone(), c.range.clone());
            for e in c
                .count
                .iter()
                .chain(c.for_each.iter())
                .chain(c.depends_on.iter())
            {
                self.refs_expr(&call, &path, m, e);
            }
            if let Some(parent) = split_last(&path) {
                self.edges
                    .push((call.clone(), Node::Call(parent.0, parent.1)));
            }
            if let Some(child) = &c.module {
                let mut cp = path.clone();
                cp.push(n.clone());
                self.collect(cp.clone(), child);
                for (input, e) in &c.inputs {
                    let var = Node::Var(cp.clone(), input.clone());
                    self.refs_expr(&var, &path, m, e);
                    self.edges.push((var, call.clone()));
                }
            }
        }
    }

    fn refs_expr(&mut self, from: &Node, path: &ModPath, m: &Module, e: &Expr) {
        let refs = expr_refs(&e.expr);
        self.refs(from, path, m, &refs);
    }

    fn refs(&mut self, from: &Node, path: &ModPath, m: &Module, refs: &[Ref]) {
        for r in refs {
            let first = r.attrs.first().cloned();
            let to = match (r.root.as_str(), first) {
                ("var", Some(n)) => vec![Node::Var(path.clone(), n)],
                ("local", Some(n)) => vec![Node::Local(path.clone(), n)],
                ("module", Some(n)) => {
                    let mut v = vec![Node::Call(path.clone(), n.clone())];
                    if let Some(child) = m.module_calls.get(&n).and_then(|c| c.module.as_ref()) {
                        let mut cp = path.clone();
                        cp.push(n.clone());
                        match r.attrs.get(1) {
                            Some(o) if child.outputs.contains_key(o) => {
                                v.push(Node::Output(cp, o.clone()))
                            }
                            _ => v.extend(
                                child
                                    .outputs
                                    .keys()
                                    .map(|o| Node::Output(cp.clone(), o.clone())),
                            ),
                        }
                    }
                    v
                }
                ("data", Some(t)) => match r.attrs.get(1) {
                    Some(n) => vec![Node::Resource(
                        path.clone(),
                        Resource {
                            mode: Mode::Data,
                            ty: t,
                            name: n.clone(),
                        },
                    )],
                    None => vec![],
                },
                ("path" | "terraform" | "count" | "each" | "self", _) => vec![],
                (root, Some(n)) => vec![Node::Resource(
                    path.clone(),
                    Resource {
                        mode: Mode::Managed,
                        ty: root.to_string(),
                        name: n,
                    },
                )],
                _ => vec![],
            };
            for t in to {
                if &t != from || matches!(t, Node::Local(..) | Node::Resource(..)) {
                    self.edges.push((from.clone(), t));
                }
            }
        }
    }
}

fn split_last(p: &ModPath) -> Option<(ModPath, String)> {
    let (last, rest) = p.split_last()?;
    Some((rest.to_vec(), last.clone()))
}
