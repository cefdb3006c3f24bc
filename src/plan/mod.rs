//! Plans as data: the action chosen for each resource instance, the values
//! before and after (after may hold unknowns, rendered "(known after
//! apply)"), output changes, and drift found by refresh. Rendering lives in
//! `plan::render` (human) and `plan::json` (Terraform's JSON plan format).

pub mod file;
pub mod json;
pub mod render;

use std::collections::BTreeMap;

use crate::addrs::AbsResourceInstance;
use crate::lang::value::Value;
use crate::state::State;

/// What will happen to one resource instance (or output).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    /// `-/+`: destroy, then create the replacement.
    DeleteThenCreate,
    /// `+/-`: create the replacement first (`create_before_destroy`).
    CreateThenDelete,
    Delete,
}

impl Action {
    /// Terraform's JSON `actions` list.
    pub fn json_actions(&self) -> Vec<&'static str> {
        match self {
            Action::NoOp => vec!["no-op"],
            Action::Create => vec!["create"],
            Action::Read => vec!["read"],
            Action::Update => vec!["update"],
            Action::DeleteThenCreate => vec!["delete", "create"],
            Action::CreateThenDelete => vec!["create", "delete"],
            Action::Delete => vec!["delete"],
        }
    }
    pub fn is_replace(&self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
}

/// One step of a path into a value (for `replace_paths`, sensitivity, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    Attr(String),
    Index(i64),
    Key(String),
}

/// Why an action was chosen (Terraform's `action_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionReason {
    ReplaceBecauseTainted,
    ReplaceByRequest,
    ReplaceByTriggers,
    ReplaceBecauseCannotUpdate,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseNoModule,
    DeleteBecauseWrongRepetition,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
    ReadBecauseConfigUnknown,
    ReadBecauseDependencyPending,
}

impl ActionReason {
    pub fn json_name(&self) -> &'static str {
        match self {
            ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
            ActionReason::ReplaceByRequest => "replace_by_request",
            ActionReason::ReplaceByTriggers => "replace_by_triggers",
            ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
            ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
            ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
            ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
            ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
            ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
        }
    }
}

/// The planned change of one resource instance.
#[derive(Clone, Debug)]
pub struct ResourceChange {
    pub addr: AbsResourceInstance,
    /// Where the instance was before a `moved` block renamed it.
    pub prev_addr: Option<AbsResourceInstance>,
    /// `provider["registry.terraform.io/hashicorp/aws"]` form.
    pub provider: String,
    pub action: Action,
    pub reason: Option<ActionReason>,
    /// Prior object (None for create). Sensitive marks sit on the values.
    pub before: Option<Value>,
    /// Planned object (None for delete); may contain unknowns.
    pub after: Option<Value>,
    /// Attribute paths whose change forces replacement.
    pub replace_paths: Vec<Vec<PathStep>>,
    /// Deposed object key, for `create_before_destroy` leftovers.
    pub deposed: Option<String>,
    /// An `import` block brings this instance under management.
    pub importing: Option<String>,
}

/// The planned change of one root output.
#[derive(Clone, Debug)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// A whole plan.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
    /// Changes made outside herd, found by refresh (only `Update`/`Delete`).
    pub drift: Vec<ResourceChange>,
    /// The state the plan was made against (after refresh).
    pub prior_state: State,
    /// Root variable values used.
    pub variables: BTreeMap<String, Value>,
    pub destroy: bool,
    pub refresh_only: bool,
    /// Instances to drop from state without destroying them (`removed`
    /// blocks with `destroy = false`).
    pub forget: Vec<AbsResourceInstance>,
    pub errored: bool,
    /// RFC 3339 time the plan was made.
    pub timestamp: String,
}

impl Plan {
    /// Counts for "Plan: X to add, Y to change, Z to destroy."
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut add, mut change, mut destroy) = (0, 0, 0);
        for c in &self.changes {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1;
                }
                Action::NoOp | Action::Read => {}
            }
        }
        (add, change, destroy)
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }
}
