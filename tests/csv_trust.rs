//! What the CSV reader trusts and what it tells: no record id in any error (the id is beside
//! it, in `RowError::record_id`), an administration given twice is an error (wide, REDCap,
//! long), a REDCap repeat instance is a whole number from 1, and the long reader's memory does
//! not grow with the number of administrations.
#![cfg(feature = "csv")]

use std::io::Read;

use therapeutic_alliance::csv::{Layout, RepeatCheck, RowError};
use therapeutic_alliance::{Instrument, catalog};

fn srs() -> Instrument {
    catalog::require("srs").expect("srs is in the catalog")
}

/// Every error of reading `text` as `layout`.
fn errors(layout: &Layout, text: &str) -> Vec<RowError> {
    layout
        .reader(text.as_bytes(), &srs())
        .expect("the header is good")
        .filter_map(Result::err)
        .collect()
}

/// The id is nowhere in the error: not in its message, not in its JSON; it is beside it.
fn assert_no_id(e: &RowError, secret: &str, id: &str) {
    let message = e.to_string();
    assert!(!message.contains(secret), "{message}");
    assert_eq!(e.error().to_string(), message);
    assert_eq!(e.record_id(), Some(id), "{message}");
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(e.error()).expect("an error serializes");
        assert!(!json.contains(secret), "{json}");
        assert!(!json.contains("input_id"), "{json}");
        assert!(!json.contains("\"record\""), "{json}");
    }
}

#[test]
fn no_error_of_any_kind_names_the_record() {
    let long = Layout::long();
    let wide = Layout::wide().session("session").therapist("therapist");
    let redcap = Layout::redcap("srs").any_status();
    // (layout, text, the code of the error, the id beside it)
    let cases: [(&Layout, &str, &str, &str); 10] = [
        // A value error in a wide file.
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET-K,1,t1,9,11,9,9\n",
            "out_of_range",
            "SECRET-K",
        ),
        // A duplicate answer in a long file.
        (
            &long,
            "id,session,item,value\nSECRET-K,1,1,9\nSECRET-K,1,1,8\n",
            "duplicate_answer",
            "SECRET-K",
        ),
        // Rows of one administration apart.
        (
            &long,
            "id,session,item,value\nSECRET-K,1,1,9\nb,1,1,8\nSECRET-K,1,2,9\n",
            "not_contiguous",
            "SECRET-K",
        ),
        // An invalid client id: described, not quoted back.
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET\u{200b}K,1,t1,9,9,9,9\n",
            "invalid_text",
            "SECRET\u{200b}K",
        ),
        (
            &long,
            "id,session,item,value\nSECRET\u{202e}K,1,1,9\n",
            "invalid_text",
            "SECRET\u{202e}K",
        ),
        // An invalid therapist id: not quoted back either.
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET-K,1,THERAPIST\u{7}X,9,9,9,9\n",
            "invalid_text",
            "SECRET-K",
        ),
        // The same administration twice in a wide file.
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET-K,1,t1,9,9,9,9\nSECRET-K,1,t1,9,9,9,9\n",
            "repeated_administration",
            "SECRET-K",
        ),
        // The same record, event and instance twice in a REDCap export.
        (
            &redcap,
            "record_id,redcap_event_name,redcap_repeat_instance,1,2,3,4\nSECRET-K,w1,1,9,9,9,9\nSECRET-K,w1,1,9,9,9,9\n",
            "repeated_administration",
            "SECRET-K",
        ),
        // A row of the wrong width and a bad session.
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET-K,1,t1,9\n",
            "field_count",
            "SECRET-K",
        ),
        (
            &wide,
            "id,session,therapist,1,2,3,4\nSECRET-K,one,t1,9,9,9,9\n",
            "invalid_session",
            "SECRET-K",
        ),
    ];
    for (layout, text, code, id) in cases {
        let found = errors(layout, text);
        let e = found
            .iter()
            .find(|e| e.error().code() == code)
            .unwrap_or_else(|| panic!("no {code} in {found:?}"));
        assert!(e.error().row().is_some(), "{e}");
        assert!(e.error().column().is_some() || code == "field_count", "{e}");
        for e in &found {
            assert_no_id(e, "SECRET", id);
            assert!(!e.to_string().contains("THERAPIST"), "{e}");
        }
    }
}

#[test]
fn an_invalid_id_names_the_column_and_what_is_wrong() {
    let wide = Layout::wide().therapist("therapist");
    let found = errors(
        &wide,
        "id,therapist,1,2,3,4\nSECRET\u{200b}K,THERAPIST\u{7}X,9,9,9,9\n",
    );
    let messages: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "row 2, column \"id\": invalid client id: it contains the invisible character U+200B at character 7",
            "row 2, column \"therapist\": invalid therapist id: it contains the control character U+0007 at character 10",
        ]
    );
    // A long id is refused for its length, not echoed.
    let long_id = "k".repeat(300);
    let found = errors(
        &wide,
        &format!("id,therapist,1,2,3,4\n{long_id},t,9,9,9,9\n"),
    );
    assert_eq!(
        found.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["row 2, column \"id\": invalid client id: it is longer than 256 characters"]
    );
    assert_eq!(found[0].record_id(), Some(long_id.as_str()));
}

#[test]
fn the_id_is_beside_the_error_and_none_for_an_unreadable_input() {
    struct Failing(bool);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 {
                return Err(std::io::Error::other("cable unplugged"));
            }
            self.0 = true;
            let text = b"id,1,2,3,4\n";
            buf[..text.len()].copy_from_slice(text);
            Ok(text.len())
        }
    }
    let got: Vec<_> = Layout::wide()
        .reader(Failing(false), &srs())
        .expect("header")
        .collect();
    let [Err(e)] = &got[..] else {
        panic!("one error: {got:?}");
    };
    assert_eq!((e.error().code(), e.record_id()), ("io", None));
    // `?` gives the error.
    fn first(text: &str) -> Result<(), therapeutic_alliance::Error> {
        for row in Layout::wide().reader(text.as_bytes(), &srs())? {
            row?;
        }
        Ok(())
    }
    let e = first("id,1,2,3,4\nSECRET-K,x,9,9,9\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "row 2, column \"1\": item 1: \"x\" is not a number"
    );
}

#[test]
fn a_repeated_wide_administration_is_an_error_and_the_first_is_read() {
    let wide = Layout::wide().session("session");
    let text = "id,session,1,2,3,4\na,1,9,9,9,9\nb,1,9,9,9,9\na,2,9,9,9,9\nc,1,9,9,9,9\na,1,1,1,1,1\n,1,9,9,9,9\n,1,9,9,9,9\n";
    let got: Vec<_> = wide
        .reader(text.as_bytes(), &srs())
        .expect("header")
        .map(|r| r.map(|r| r.line()).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            Ok(2),
            Ok(3),
            Ok(4),
            Ok(5),
            Err("row 6, column \"id\": the same id and session as row 2: an administration is given once".to_owned()),
            // Rows without an id are not compared.
            Ok(7),
            Ok(8),
        ]
    );
    // Without a session column, the same id twice is the same administration.
    let found = errors(&Layout::wide(), "id,1,2,3,4\na,9,9,9,9\na,8,8,8,8\n");
    assert_eq!(
        found.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["row 3, column \"id\": the same id as row 2: an administration is given once"]
    );
    // Recent: only the two administrations before each row are compared.
    let recent = wide.clone().repeats(RepeatCheck::Recent);
    let codes = |layout: &Layout, text: &str| -> Vec<(u64, &'static str)> {
        errors(layout, text)
            .iter()
            .map(|e| (e.error().row().unwrap_or(0), e.error().code()))
            .collect()
    };
    let near = "id,session,1,2,3,4\na,1,9,9,9,9\nb,1,9,9,9,9\na,1,9,9,9,9\na,1,9,9,9,9\n";
    assert_eq!(
        codes(&recent, near),
        [
            (4, "repeated_administration"),
            (5, "repeated_administration")
        ]
    );
    assert_eq!(codes(&recent, text), []);
}

#[test]
fn redcap_repeats_are_record_event_and_instance() {
    let layout = Layout::redcap("srs").any_status();
    let text = "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,1,2,3,4\n\
                1,w1,srs,1,9,9,9,9\n\
                1,w1,srs,2,9,9,9,9\n\
                1,w2,srs,1,9,9,9,9\n\
                2,w1,srs,1,9,9,9,9\n\
                1,w1,srs,2,5,5,5,5\n\
                1,w1,,,9,9,9,9\n\
                1,w1,,,9,9,9,9\n";
    let got: Vec<_> = layout
        .reader(text.as_bytes(), &srs())
        .expect("header")
        .map(|r| r.map(|r| r.line()).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            Ok(2),
            Ok(3),
            Ok(4),
            Ok(5),
            Err("row 6, column \"record_id\": the same record, event and repeat instance as row 3: an administration is given once".to_owned()),
            Ok(7),
            Err("row 8, column \"record_id\": the same record, event and repeat instance as row 7: an administration is given once".to_owned()),
        ]
    );
    // The repeat instance as the session.
    let by_instance = layout.clone().session("redcap_repeat_instance");
    let found = errors(&by_instance, text);
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[0].to_string(),
        "row 6, column \"record_id\": the same record, event and repeat instance as row 3: an administration is given once"
    );
}

#[test]
fn a_repeat_instance_is_a_whole_number_from_one() {
    for session in [false, true] {
        let mut layout = Layout::redcap("srs").any_status();
        if session {
            layout = layout.session("redcap_repeat_instance");
        }
        for bad in ["x", "-3", "1.5", "0", "+1", "1e0", "4294967296"] {
            let text = format!(
                "record_id,redcap_repeat_instrument,redcap_repeat_instance,1,2,3,4\n\
                 1,srs,{bad},9,9,9,9\n"
            );
            let found = errors(&layout, &text);
            assert_eq!(
                found.iter().map(ToString::to_string).collect::<Vec<_>>(),
                [format!(
                    "row 2, column \"redcap_repeat_instance\": {bad:?} is not a REDCap repeat instance (a whole number from 1 to 4294967295)"
                )],
                "{bad}"
            );
            assert_eq!(found[0].error().code(), "invalid_repeat_instance");
        }
        let good = "record_id,redcap_repeat_instrument,redcap_repeat_instance,1,2,3,4\n\
                    1,srs,1,9,9,9,9\n1,srs,4294967295,9,9,9,9\n1,,,9,9,9,9\n";
        assert_eq!(errors(&layout, good).len(), 0, "{session}");
    }
}

#[test]
fn a_long_stream_remembers_the_last_administration_by_default_and_every_one_on_request() {
    let near = "id,session,item,value\na,1,1,9\na,1,2,9\nb,1,1,9\na,1,3,9\na,1,4,9\nc,1,1,9\n";
    let far = "id,session,item,value\na,1,1,9\nb,1,1,9\nc,1,1,9\na,1,2,9\n";
    let read = |layout: &Layout, text: &str| -> Vec<Result<(u64, usize), &'static str>> {
        layout
            .reader(text.as_bytes(), &srs())
            .expect("header")
            .map(|r| {
                r.map(|r| (r.line(), r.administration().answered()))
                    .map_err(|e| e.error().code())
            })
            .collect()
    };
    let recent = Layout::long();
    let every = Layout::long().repeats(RepeatCheck::Every);
    // Back right after one other administration: found by both.
    for layout in [&recent, &every] {
        assert_eq!(
            read(layout, near),
            [Ok((2, 2)), Ok((4, 1)), Err("not_contiguous"), Ok((7, 1))]
        );
    }
    // Back after two others: read again by the default (constant memory), found by Every.
    assert_eq!(
        read(&recent, far),
        [Ok((2, 1)), Ok((3, 1)), Ok((4, 1)), Ok((5, 1))]
    );
    assert_eq!(
        read(&every, far),
        [Ok((2, 1)), Ok((3, 1)), Ok((4, 1)), Err("not_contiguous")]
    );
}

/// An endless long file: `administrations` clients, one session each, four answers each.
struct LongFile {
    administrations: u64,
    next: u64,
    buffer: Vec<u8>,
    at: usize,
}

impl LongFile {
    fn new(administrations: u64) -> Self {
        LongFile {
            administrations,
            next: 0,
            buffer: b"id,session,item,value\n".to_vec(),
            at: 0,
        }
    }
}

impl Read for LongFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.buffer.len() {
            if self.next == self.administrations {
                return Ok(0);
            }
            self.buffer.clear();
            self.at = 0;
            let c = self.next;
            for item in 1..=4 {
                self.buffer
                    .extend_from_slice(format!("client-{c:08},1,{item},{}\n", c % 11).as_bytes());
            }
            self.next += 1;
        }
        let n = buf.len().min(self.buffer.len() - self.at);
        buf[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// 1,000,000 rows, 250,000 administrations of the SRS in long format, scored as a stream. Run
/// it alone to measure its peak memory (`REPEATS=every` for `RepeatCheck::Every`,
/// `ADMINISTRATIONS=n` for another size):
///
/// ```text
/// cargo test --release --test csv_trust -- --ignored --exact long_file_of_a_million_rows
/// /usr/bin/time -v target/release/deps/csv_trust-<hash> --ignored --exact long_file_of_a_million_rows
/// ```
///
/// Measured (x86-64 Linux, release): peak RSS 3.3 MB with the default `RepeatCheck::Recent`
/// (the whole test process; 3.1 MB for 1,000,000 administrations), 28.6 MB with
/// `RepeatCheck::Every` (104.6 MB for 1,000,000). `alliance score --format long` on the same
/// 1,000,000 rows as a 22 MB file: 4.2 MB peak, 0.8 s.
#[test]
#[ignore = "a million rows: run alone, in release, under /usr/bin/time -v"]
fn long_file_of_a_million_rows() {
    let every = std::env::var("REPEATS").is_ok_and(|v| v == "every");
    let mut layout = Layout::long();
    if every {
        layout = layout.repeats(RepeatCheck::Every);
    }
    let n: u64 = std::env::var("ADMINISTRATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250_000);
    let mut read = 0u64;
    let mut total = 0.0;
    for row in layout.reader(LongFile::new(n), &srs()).expect("header") {
        let row = row.expect("every row is good");
        total += row.administration().score().primary("total").unwrap_or(0.0);
        read += 1;
    }
    assert_eq!(read, n);
    assert!(total > 0.0);
}

#[test]
fn a_long_stream_reads_many_administrations() {
    let got = Layout::long()
        .reader(LongFile::new(2_000), &srs())
        .expect("header")
        .filter(Result::is_ok)
        .count();
    assert_eq!(got, 2_000);
}
