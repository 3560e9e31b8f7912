//! Posts' Markdown as safe HTML. CommonMark (with strikethrough and tables) is rendered by
//! pulldown-cmark; raw HTML in a post is shown as the text it is, links keep only web, mail and
//! same-site addresses and carry `rel="nofollow noopener noreferrer ugc"`, and images become
//! links, so a post never loads anything from another origin and no script can survive.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Whether a link destination is one a post may point to: `http(s):`, `mailto:`, a path on
/// this site, or a fragment. Everything else (`javascript:`, `data:`, `vbscript:`, `file:`,
/// protocol-relative `//host`, ...) is refused.
pub fn safe_destination(destination: &str) -> bool {
    let trimmed = destination.trim();
    if trimmed.is_empty() || trimmed.chars().any(char::is_control) {
        return false;
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
    {
        return true;
    }
    if lower.starts_with("//") || lower.starts_with("/\\") {
        return false;
    }
    // A relative address has no scheme: no colon before the first slash, question mark or hash.
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':')
}

fn opening_link(destination: &str) -> String {
    // `escape_href` percent-encodes quotes and entity-encodes `&` and `'`, so the result is safe
    // inside a double-quoted attribute. Writing to a String cannot fail.
    let mut href = String::new();
    let _ = pulldown_cmark_escape::escape_href(&mut href, destination.trim());
    format!("<a href=\"{href}\" rel=\"nofollow noopener noreferrer ugc\">")
}

/// Renders a post's Markdown to HTML that is safe to show as it is.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    // For each open link or image: whether its closing tag is ours to write (a safe one).
    let mut open: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // A fence's info string would become a class attribute; code is shown plain.
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
            Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)))
        }
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            let safe = safe_destination(&dest_url);
            open.push(safe);
            safe.then(|| Event::Html(CowStr::from(opening_link(&dest_url))))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => open
            .pop()
            .unwrap_or(false)
            .then_some(Event::Html(CowStr::Borrowed("</a>"))),
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The tags a rendering may contain; anything else would be markup a post smuggled in.
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
];

/// The renderer's promise, checkable on any output (the unit tests and the fuzz target hold it
/// to it): only [`ALLOWED_TAGS`], no attributes but ours on links (whose addresses must be
/// safe), a numeric start on ordered lists and alignment on table cells. Answers the first offending tag, if any.
pub fn find_unsafe_markup(html: &str) -> Option<String> {
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            return Some(format!("the tag <{tag}>"));
        }
        let attributes = tag[name.len()..].trim();
        let safe = if name == "a" && !attributes.is_empty() {
            attributes
                .strip_prefix("href=\"")
                .and_then(|rest| rest.strip_suffix("\" rel=\"nofollow noopener noreferrer ugc\""))
                .is_some_and(|href| {
                    !href.contains('"') && safe_destination(&href.replace("&amp;", "&"))
                })
        } else if name == "ol" && !attributes.is_empty() {
            attributes
                .strip_prefix("start=\"")
                .and_then(|rest| rest.strip_suffix('"'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        } else if matches!(name.as_str(), "th" | "td") {
            attributes.is_empty() || attributes.starts_with("style=\"text-align: ")
        } else {
            attributes.is_empty() || attributes == "/"
        };
        if !safe {
            return Some(format!("the attributes of <{tag}>"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attempts that must come out harmless.
    const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "![tracker](https://evil.example/pixel.png)",
        "[x](https://example.org \"onmouseover=alert(1)\")",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "<iframe src=https://evil.example></iframe>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "`<script>`",
        "```html\n<script>alert(1)</script>\n```",
        "<scr<script>ipt>alert(1)</script>",
        "[x](//evil.example/steal)",
        "**bold** <b onmouseover=alert(1)>x</b>",
    ];

    fn assert_safe(html: &str, source: &str) {
        if let Some(problem) = find_unsafe_markup(html) {
            panic!("{source:?} rendered {problem} in {html:?}");
        }
    }

    #[test]
    fn no_script_handler_or_dangerous_address_survives() {
        for attempt in XSS {
            assert_safe(&render(attempt), attempt);
        }
        assert!(!render("![tracker](https://evil.example/pixel.png)").contains("<img"));
    }

    #[test]
    fn ordinary_markdown_renders_and_links_are_marked_as_user_content() {
        let html = render(
            "**Day 30** today, _thank you_ all.\n\n- one\n- ~~two~~\n\n[SMART](https://smartrecovery.org/meetings?x=1&y=2)",
        );
        assert!(html.contains("<strong>Day 30</strong>"));
        assert!(html.contains("<em>thank you</em>"));
        assert!(html.contains("<del>two</del>"));
        assert!(html.contains(
            "<a href=\"https://smartrecovery.org/meetings?x=1&amp;y=2\" rel=\"nofollow noopener noreferrer ugc\">SMART</a>"
        ));
        let image = render("![our meeting room](https://example.org/room.jpg)");
        assert!(
            image.contains(">our meeting room</a>"),
            "an image becomes a link: {image}"
        );
        assert_eq!(
            render("[help](javascript:alert(1))"),
            "<p>help</p>\n",
            "the text stays"
        );
        assert!(render("See /help or [the help page](/help)").contains("href=\"/help\""));
        // Found by the fuzz target: a list may start at any number, which the checker allows.
        let steps = render("4. Made a searching inventory\n5. Admitted it");
        assert!(steps.starts_with("<ol start=\"4\">"), "{steps}");
        assert_safe(&steps, "a list from step 4");
        assert!(find_unsafe_markup("<ol start=\"4\" onclick=\"x\">").is_some());
    }

    #[test]
    fn destinations_are_judged_by_scheme() {
        for good in [
            "https://a.example",
            "HTTP://a.example",
            "mailto:x@y.z",
            "/meetings",
            "page#x",
            "#top",
            "?q=1",
        ] {
            assert!(safe_destination(good), "{good}");
        }
        for bad in [
            "javascript:x",
            " data:x",
            "//evil",
            "/\\evil",
            "file:///etc",
            "ftp://x",
            "a\nb",
            "",
        ] {
            assert!(!safe_destination(bad), "{bad:?}");
        }
    }

    #[test]
    fn malformed_markdown_still_renders() {
        let deep = "[".repeat(10_000);
        for text in [
            "*** ** * _ [ ] ( ) ` ```",
            "[unclosed(",
            "|a|b|\n|-|\n|1|2|3|",
            "\u{0}\u{202e}é🌱",
            &deep,
        ] {
            assert_safe(&render(text), text);
        }
    }
}
