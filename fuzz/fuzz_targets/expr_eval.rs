//! Parse the input as one expression and evaluate it with no references
//! allowed (as `eval_constant` does), reaching the built-in functions
//! quickly. Any panic, hang or runaway allocation is a bug.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use herd::lang::eval::{Evaluator, NoRefs};
use herd::lang::funcs::FnCtx;
use libfuzzer_sys::fuzz_target;

fn ctx() -> &'static FnCtx {
    static CTX: OnceLock<FnCtx> = OnceLock::new();
    CTX.get_or_init(|| {
        let d: PathBuf =
            std::env::temp_dir().join(format!("herd-fuzz-expr-eval-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        let _ = std::fs::write(d.join("main.tf"), "output \"o\" { value = 1 }\n");
        let _ = std::fs::write(d.join("t.tftpl"), "%{ for x in xs }${x}%{ endfor }\n");
        FnCtx {
            base_dir: d,
            plan_timestamp: "2024-01-01T00:00:00Z".into(),
            allow_impure: true,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = hcl_edit::parser::parse_expr(src) else {
        return;
    };
    let file: Arc<str> = Arc::from("<fuzz>");
    let mut ev = Evaluator::new(&NoRefs, ctx(), file.clone());
    if let Ok(v) = ev.eval(&expr) {
        let _ = herd::lang::render::render(&v);
        let _ = herd::lang::json::to_json_string(&v);
    }
});
