//! Fuzzes the post renderer: any text at all renders without panicking, to markup the renderer
//! promises is safe (allowed tags only, no handlers, no dangerous addresses).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutual_domain::community::markdown::{find_unsafe_markup, render};

fuzz_target!(|text: &str| {
    let html = render(text);
    if let Some(problem) = find_unsafe_markup(&html) {
        panic!("{text:?} rendered {problem}: {html:?}");
    }
});
