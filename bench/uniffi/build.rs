fn main() {
    uniffi::generate_scaffolding("src/boxkit_uniffi.udl").expect("the UDL is valid");
}
