//! Charts drawn as SVG on the server: no script, nothing loaded, and every chart comes with a
//! table of the same numbers for screen readers and for anyone who prefers numbers.

use std::fmt::Write;

/// One line on a chart; `None` leaves a gap (a day without a check-in).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
    /// A CSS class from the stylesheet (`line-a`, `line-b`, `line-c`).
    pub class: &'a str,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A line chart over `labels` (x axis, shown at the ends and the middle) from `min` to `max`.
pub fn line_chart(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[Series<'_>],
    min: f64,
    max: f64,
) -> String {
    let count = labels.len().max(1);
    let span = if max > min { max - min } else { 1.0 };
    let x = |i: usize| {
        LEFT + (WIDTH - LEFT - RIGHT)
            * if count == 1 {
                0.5
            } else {
                i as f64 / (count - 1) as f64
            }
    };
    let y = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v.clamp(min, max) - min) / span);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title>",
        px(WIDTH),
        px(HEIGHT),
        escape(title)
    );
    for step in 0..=4 {
        let value = min + span * f64::from(step) / 4.0;
        let at = px(y(value));
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{at}\" y2=\"{at}\"/>\
             <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            px(LEFT),
            px(WIDTH - RIGHT),
            px(LEFT - 4.0),
            at + 4,
            format_tick(value)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        if i == 0 || i + 1 == labels.len() || i == labels.len() / 2 {
            let anchor = if i == 0 {
                "start"
            } else if i + 1 == labels.len() {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                svg,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                px(x(i)),
                px(HEIGHT - 8.0),
                escape(label)
            );
        }
    }
    for (n, line) in series.iter().enumerate() {
        let _ = write!(
            svg,
            "<text class=\"legend {}\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            line.class,
            px(WIDTH - RIGHT),
            px(TOP + 12.0 + 14.0 * n as f64),
            escape(line.name)
        );
        let mut path = String::with_capacity(line.values.len() * 9);
        let mut pen_down = false;
        for (i, value) in line.values.iter().enumerate() {
            match value {
                Some(v) => {
                    path.push(if pen_down { 'L' } else { 'M' });
                    push_int(&mut path, px(x(i)));
                    path.push(',');
                    push_int(&mut path, px(y(*v)));
                    path.push(' ');
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            "<path class=\"{}\" d=\"{}\"/>",
            line.class,
            path.trim_end()
        );
        if count <= 31 {
            for (i, value) in line.values.iter().enumerate() {
                if let Some(v) = value {
                    let _ = write!(
                        svg,
                        "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3\"/>",
                        line.class,
                        px(x(i)),
                        px(y(*v))
                    );
                }
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A coordinate in whole units of the view box: finer than any screen shows, and integers are
/// far cheaper to write than decimals (charts are drawn on every trends request).
fn px(value: f64) -> i32 {
    value.round() as i32
}

/// Appends a small integer's digits (the path data of every chart is thousands of these).
fn push_int(out: &mut String, value: i32) {
    if value < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 10];
    let mut n = value.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for digit in digits[..len].iter().rev() {
        out.push(char::from(*digit));
    }
}

/// A tick value with at most one decimal, written without float formatting.
fn format_tick(value: f64) -> String {
    let tenths = (value * 10.0).round() as i64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_digits() {
        let mut out = String::new();
        for n in [0, 7, 42, 640, -3, i32::MAX] {
            push_int(&mut out, n);
            out.push(' ');
        }
        assert_eq!(out, format!("0 7 42 640 -3 {} ", i32::MAX));
    }

    #[test]
    fn ticks_show_at_most_one_decimal() {
        assert_eq!(format_tick(5.0), "5");
        assert_eq!(format_tick(7.5), "7.5");
        assert_eq!(format_tick(2.25), "2.3");
        assert_eq!(format_tick(0.0), "0");
    }

    #[test]
    fn gaps_break_the_line_and_labels_are_escaped() {
        let labels: Vec<String> = ["d1", "d2", "d3", "d4"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let series = [Series {
            name: "Mood",
            values: vec![Some(1.0), None, Some(3.0), Some(5.0)],
            class: "line-a",
        }];
        let svg = line_chart("mood", "Mood <daily>", &labels, &series, 1.0, 5.0);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Mood &lt;daily&gt;"));
        let path = svg
            .split("<path class=\"line-a\" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(
            path.matches('M').count(),
            2,
            "a gap starts a new segment: {path}"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
    }
}
