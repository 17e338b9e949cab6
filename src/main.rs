use std::process::ExitCode;

fn main() -> ExitCode {
    famctx::error::exit(famctx::main())
}
