fn main() {
    println!("herd");
}
