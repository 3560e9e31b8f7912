//! The directory's export formats, each written a page of meetings at a time from the same
//! feed rows: the Meeting Guide JSON feed, the 12 Step Meeting List plugin's CSV layout, and
//! BMLT's `GetSearchResults` JSON.

use super::interop::{FeedRow, feed_chunk};
use crate::App;
use mutual_domain::meetings::catalog::Mode;
use mutual_domain::meetings::feed::{bmlt, csv_layout};
use serde_json::{Map, Value};

/// A format the directory is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    MeetingGuide,
    /// The plugin's columns, one row a meeting-day, readable by its importer and ours.
    PluginCsv,
    /// BMLT's search results (meetings by appointment are left out: BMLT needs a weekday).
    Bmlt,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::MeetingGuide | Format::Bmlt => "application/json",
            Format::PluginCsv => "text/csv; charset=utf-8",
        }
    }

    /// What the file starts with.
    pub fn opening(self) -> Vec<u8> {
        match self {
            Format::MeetingGuide | Format::Bmlt => b"[".to_vec(),
            Format::PluginCsv => csv_line(&csv_layout::header()),
        }
    }

    /// What goes between two non-empty pages.
    pub fn separator(self) -> &'static [u8] {
        match self {
            Format::MeetingGuide | Format::Bmlt => b",",
            Format::PluginCsv => b"",
        }
    }

    /// What the file ends with.
    pub fn closing(self) -> &'static [u8] {
        match self {
            Format::MeetingGuide | Format::Bmlt => b"]",
            Format::PluginCsv => b"",
        }
    }

    /// A page of meetings in this format (JSON elements joined by commas, or CSV lines).
    pub fn chunk(self, app: &App, rows: &[FeedRow]) -> Vec<u8> {
        match self {
            Format::MeetingGuide => feed_chunk(app, rows),
            Format::PluginCsv => {
                let mut out = Vec::with_capacity(rows.len() * 400);
                for (_, _, row) in completed(app, rows) {
                    out.extend_from_slice(&csv_line(&csv_layout::cells(&row)));
                }
                out
            }
            Format::Bmlt => {
                let results: Vec<String> = completed(app, rows)
                    .filter_map(|(id, mode, row)| bmlt::search_result(id, mode, &row))
                    .map(|result| result.to_string())
                    .collect();
                results.join(",").into_bytes()
            }
        }
    }
}

/// One CSV line (quoted where a cell needs it), ending in CRLF as RFC 4180 has it.
fn csv_line<S: AsRef<[u8]>>(cells: &[S]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

/// Each meeting-day's completed feed row, with a number that stays the meeting-day's (BMLT's
/// `id_bigint`: the random part of the meeting's id, then the day) and the meeting's mode.
fn completed<'a>(
    app: &'a App,
    rows: &'a [FeedRow],
) -> impl Iterator<Item = (u64, Mode, Map<String, Value>)> + 'a {
    rows.iter().flat_map(move |row| {
        let mut json = b"[".to_vec();
        json.extend_from_slice(&feed_chunk(app, std::slice::from_ref(row)));
        json.push(b']');
        let days: Vec<Value> = serde_json::from_slice(&json).unwrap_or_default();
        let bytes = row.id.as_bytes();
        let random = u64::from_be_bytes([
            0, 0, bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
        ]);
        let mode = Mode::parse(&row.mode).unwrap_or(Mode::InPerson);
        days.into_iter().filter_map(move |day| {
            let object = day.as_object()?.clone();
            let weekday = object.get("day").and_then(Value::as_u64).unwrap_or(7);
            Some(((random << 3) | weekday, mode, object))
        })
    })
}
