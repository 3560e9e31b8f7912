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

/// The view box is narrow so that text keeps a legible size on a phone: at 320 px wide the
/// chart is drawn at about two thirds, and its 16-unit text is 11 px.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 210.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
/// Each row of the legend, above the plot, so a name never sits on the data.
const LEGEND_ROW: f64 = 20.0;
const BOTTOM: f64 = 24.0;
/// About how wide one character of the legend is, in view-box units (16-unit text).
const CHAR_WIDTH: f64 = 8.6;

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
    let (legend, rows) = legend(series);
    let top = LEGEND_ROW * f64::from(rows) + 8.0;
    let x = |i: usize| {
        LEFT + (WIDTH - LEFT - RIGHT)
            * if count == 1 {
                0.5
            } else {
                i as f64 / (count - 1) as f64
            }
    };
    let y = |v: f64| top + (HEIGHT - top - BOTTOM) * (1.0 - (v.clamp(min, max) - min) / span);
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
    svg.push_str(&legend);
    for line in series {
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

/// The legend above the plot: each line's swatch and name, left to right, a new row when the
/// next would not fit; with how many rows it takes.
fn legend(series: &[Series<'_>]) -> (String, u32) {
    let mut out = String::new();
    let (mut x, mut row) = (LEFT, 0u32);
    for line in series {
        let width = 22.0 + CHAR_WIDTH * line.name.chars().count() as f64;
        if x > LEFT && x + width > WIDTH - RIGHT {
            (x, row) = (LEFT, row + 1);
        }
        let y = LEGEND_ROW * f64::from(row) + 16.0;
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"14\" height=\"4\"/>\
             <text class=\"legend {}\" x=\"{}\" y=\"{}\">{}</text>",
            line.class,
            px(x),
            px(y - 5.0),
            line.class,
            px(x + 18.0),
            px(y),
            escape(line.name)
        );
        x += width + 12.0;
    }
    (out, if series.is_empty() { 0 } else { row + 1 })
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

    /// The numbers after `name="` in each element of `svg` that has one.
    fn numbers(svg: &str, element: &str, name: &str) -> Vec<i32> {
        svg.split(element)
            .skip(1)
            .filter_map(|rest| {
                let rest = rest.split('>').next()?;
                let value = rest.split(&format!(" {name}=\"")).nth(1)?;
                value.split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn the_legend_sits_above_the_plot_and_wraps() {
        let labels: Vec<String> = (1..=7).map(|d| format!("{d} Dec")).collect();
        let names = ["Mood", "Craving", "Sleep", "Energy", "Connection"];
        let series: Vec<Series<'_>> = names
            .iter()
            .map(|name| Series {
                name,
                values: vec![Some(5.0); 7],
                class: "line-a",
            })
            .collect();
        // Every value at the top of the scale: the highest the data can be drawn.
        let svg = line_chart("week", "Week", &labels, &series, 1.0, 5.0);
        let legend_bottom = numbers(&svg, "<text class=\"legend", "y")
            .into_iter()
            .max()
            .unwrap();
        let highest_point = numbers(&svg, "<circle", "cy").into_iter().min().unwrap();
        assert!(
            legend_bottom < highest_point,
            "legend at {legend_bottom}, data from {highest_point}"
        );
        let rows: std::collections::BTreeSet<i32> = numbers(&svg, "<text class=\"legend", "y")
            .into_iter()
            .collect();
        assert!(rows.len() > 1, "five names wrap onto more than one row");
        for x in numbers(&svg, "<text class=\"legend", "x") {
            assert!(f64::from(x) < WIDTH - RIGHT, "{x}");
        }
    }
}
