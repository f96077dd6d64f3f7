fn main() {
    std::process::exit(fluxion::cli::run());
}
