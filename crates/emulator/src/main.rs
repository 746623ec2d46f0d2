//! `cs-webhooks-emulator`: run the emulator from the command line.

fn main() -> std::process::ExitCode {
    cs_webhooks_emulator::command_line::main(std::env::args().skip(1).collect())
}
