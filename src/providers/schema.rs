//! Declarative schemas of resource types: attributes (required, optional,
//! computed, force-new, sensitive, defaults) and nested blocks.

use std::collections::BTreeMap;

use crate::lang::types::Type;
use crate::lang::value::Value;

#[derive(Clone, Debug)]
pub struct Attribute {
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    /// A change to this attribute forces replacement.
    pub force_new: bool,
    pub sensitive: bool,
    /// Value used when the configuration omits an optional attribute.
    pub default: Option<Value>,
    pub description: &'static str,
}

impl Attribute {
    fn base(ty: Type) -> Attribute {
        Attribute {
            ty,
            required: false,
            optional: false,
            computed: false,
            force_new: false,
            sensitive: false,
            default: None,
            description: "",
        }
    }
    pub fn required(ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::base(ty)
        }
    }
    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::base(ty)
        }
    }
    /// Set by the provider, never by configuration.
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::base(ty)
        }
    }
    /// Optional in configuration; the provider fills it in when omitted.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::base(ty)
        }
    }
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn default(mut self, v: Value) -> Attribute {
        self.default = Some(v);
        self
    }
    pub fn describe(mut self, d: &'static str) -> Attribute {
        self.description = d;
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one block; the value is an object or null.
    Single,
    List,
    Set,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub nesting: BlockNesting,
    pub block: Schema,
    pub min_items: usize,
    pub max_items: usize,
    pub force_new: bool,
    /// The provider's `ConfigMode: SchemaConfigModeAttr`: the blocks may
    /// also be written as one argument, a list of objects (`ingress = []`
    /// removes them all). Without either the value is null, and the
    /// provider keeps what the object has (optional and computed).
    pub as_attr: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: u64,
    pub attributes: BTreeMap<&'static str, Attribute>,
    pub blocks: BTreeMap<&'static str, NestedBlock>,
}

impl Schema {
    pub fn new() -> Schema {
        Schema::default()
    }
    pub fn attr(mut self, name: &'static str, a: Attribute) -> Schema {
        self.attributes.insert(name, a);
        self
    }
    pub fn block(mut self, name: &'static str, nesting: BlockNesting, block: Schema) -> Schema {
        self.blocks.insert(
            name,
            NestedBlock {
                nesting,
                block,
                min_items: 0,
                max_items: if nesting == BlockNesting::Single {
                    1
                } else {
                    usize::MAX
                },
                force_new: false,
                as_attr: false,
            },
        );
        self
    }
    /// Mark the named blocks as "attributes as blocks" (see
    /// [`NestedBlock::as_attr`]).
    pub fn attributes_as_blocks(mut self, names: &[&str]) -> Schema {
        for n in names {
            if let Some(b) = self.blocks.get_mut(*n) {
                b.as_attr = true;
            }
        }
        self
    }
    /// The type of an "attributes as blocks" argument: a list or set of the
    /// block's objects.
    pub fn block_attr_type(nb: &NestedBlock) -> Type {
        let t = nb.block.value_type();
        match nb.nesting {
            BlockNesting::Single => t,
            BlockNesting::List => Type::list(t),
            BlockNesting::Set => Type::set(t),
        }
    }
    /// The `timeouts { create = "10m" ... }` block for the given operations
    /// (as the Terraform AWS provider declares it for resources that wait).
    pub fn timeouts(self, ops: &[&'static str]) -> Schema {
        let mut t = Schema::new();
        for op in ops {
            t = t.attr(op, Attribute::optional(crate::lang::types::Type::String));
        }
        self.block("timeouts", BlockNesting::Single, t)
    }
    pub fn version(mut self, v: u64) -> Schema {
        self.version = v;
        self
    }

    /// The object type of this schema's values.
    pub fn value_type(&self) -> Type {
        let mut m = BTreeMap::new();
        for (k, a) in &self.attributes {
            m.insert(k.to_string(), a.ty.clone());
        }
        for (k, b) in &self.blocks {
            let t = b.block.value_type();
            m.insert(
                k.to_string(),
                match b.nesting {
                    BlockNesting::Single => t,
                    BlockNesting::List => Type::list(t),
                    BlockNesting::Set => Type::set(t),
                },
            );
        }
        Type::Object(m)
    }

    /// All names this schema accepts in configuration (for suggestions).
    pub fn config_names(&self) -> Vec<&'static str> {
        self.attributes
            .iter()
            .filter(|(_, a)| a.required || a.optional)
            .map(|(k, _)| *k)
            .chain(self.blocks.keys().copied())
            .collect()
    }
}
