fn main() -> std::process::ExitCode {
    telesund::cli::main()
}
