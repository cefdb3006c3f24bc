//! Treat the input as a module's `main.tf`: format it, then load and
//! evaluate it (variables, locals, module calls, outputs) in validate mode
//! and in normal mode. Any panic, hang or runaway allocation is a bug.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use herd::engine::{self, RunOptions};
use libfuzzer_sys::fuzz_target;

fn workdir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("herd-fuzz-parse-eval-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("create fuzz work dir");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Ok(out) = herd::fmt::format_source(src) {
            // Formatting is idempotent on its own output.
            let _ = herd::fmt::format_source(&out);
        }
    }
    let dir = workdir();
    // The loader reads the directory; write the raw bytes (invalid UTF-8
    // included) as the only configuration file.
    std::fs::write(dir.join("main.tf"), data).expect("write main.tf");
    for validate_only in [true, false] {
        let opts = RunOptions {
            validate_only,
            input: false,
            workspace: "default".into(),
            ..Default::default()
        };
        let (_loaded, ev) = engine::evaluate(dir, &opts);
        for v in ev.outputs.values() {
            let _ = herd::lang::render::render(v);
            let _ = herd::lang::json::to_json_string(v);
        }
        if ev.diags.has_errors() {
            break;
        }
    }
});
