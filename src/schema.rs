//! The index schema in one function, and the field handles in one struct.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analyzer::{BIGRAM, KOREAN};

/// Seconds either side of 1970 that an index date can hold: tantivy keeps nanoseconds in an `i64`,
/// so dates run from 1677-09-21 to 2262-04-11 (UTC).
const DATE_SECONDS: i64 = i64::MAX / 1_000_000_000;

/// `at` as an index date, or `None` when it lies outside the years the index can hold.
pub fn index_date(at: time::OffsetDateTime) -> Option<tantivy::DateTime> {
    let seconds = at.unix_timestamp();
    (seconds.abs() <= DATE_SECONDS).then(|| tantivy::DateTime::from_timestamp_secs(seconds))
}

/// The index date nearest to `at`, for range bounds (`from=1500-01-01` means from the earliest).
pub fn index_date_clamped(at: time::OffsetDateTime) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(at.unix_timestamp().clamp(-DATE_SECONDS, DATE_SECONDS))
}

/// Handles of every field of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document id, indexed as one raw term so re-indexing can replace it.
    pub id: Field,
    pub title: Field,
    pub body: Field,
    /// Publisher, raw (exact-match filters and facets).
    pub source: Field,
    pub url: Field,
    pub published_at: Field,
    /// Title and body again as character bigrams (not stored): new words and spacing variants.
    pub bigram: Field,
    /// The body's first `LEAD_CHARS` characters, stored first in each document (not indexed), so
    /// the lead-text re-ranking reads them without the body; `None` in an index built before it.
    pub lead: Option<Field>,
    /// Related-article group (`group`), fast and indexed: search folds each group, and a group's
    /// members are found by it; `None` in an index built before groups.
    pub group: Option<Field>,
    /// The body's MinHash signature (`group::Signature`), fast, so a writer opened on an existing
    /// index can put new documents into existing groups.
    pub signature: Option<Field>,
}

/// Characters of the body kept in the `lead` field: the default `search.lead_text_chars`. A larger
/// setting reads the body instead (slower, same result).
pub const LEAD_CHARS: usize = 200;

/// The first `LEAD_CHARS` characters of `body`.
pub fn lead_of(body: &str) -> &str {
    match body.char_indices().nth(LEAD_CHARS) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

impl Fields {
    /// Field handles of an index, or the error telling the user to re-index.
    pub fn of(index: &tantivy::Index) -> Result<Fields, crate::error::Error> {
        Fields::from_schema(&index.schema()).ok_or_else(|| {
            crate::error::Error::Input(
                "the index lacks fields this chaja needs (built by another program or an older \
                 version): delete the index folder and re-index"
                    .to_string(),
            )
        })
    }

    /// Field handles of an existing schema; `None` if it is not chaja's.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        Some(Fields {
            id: schema.get_field("id").ok()?,
            title: schema.get_field("title").ok()?,
            body: schema.get_field("body").ok()?,
            source: schema.get_field("source").ok()?,
            url: schema.get_field("url").ok()?,
            published_at: schema.get_field("published_at").ok()?,
            bigram: schema.get_field("bigram").ok()?,
            lead: schema.get_field("lead").ok(),
            group: schema.get_field("group").ok(),
            signature: schema.get_field("signature").ok(),
        })
    }
}

/// chaja's schema: Korean text fields with positions (phrases, snippets), raw id and source.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let lead = builder.add_text_field("lead", STORED);
    let korean = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KOREAN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let id = builder.add_text_field("id", STRING | STORED | FAST);
    let title = builder.add_text_field("title", korean.clone());
    let body = builder.add_text_field("body", korean);
    let source = builder.add_text_field("source", STRING | STORED | FAST);
    let url = builder.add_text_field("url", STORED);
    let published_at = builder.add_date_field(
        "published_at",
        DateOptions::from(STORED | FAST)
            .set_indexed()
            .set_precision(DateTimePrecision::Seconds),
    );
    // Bigrams record only which documents hold them, not how often: a gram repeated in a passage
    // (에서, 하였) is not more evidence, and leaving counts out makes indexing ~10 % faster and the
    // index ~8 % smaller (KorQuAD dev MRR@10 0.926 → 0.934 with the settings retuned for it).
    let bigram = builder.add_text_field(
        "bigram",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(BIGRAM)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let group = builder.add_u64_field("group", FAST | INDEXED);
    let signature = builder.add_bytes_field("signature", FAST);
    let fields = Fields {
        id,
        title,
        body,
        source,
        url,
        published_at,
        bigram,
        lead: Some(lead),
        group: Some(group),
        signature: Some(signature),
    };
    (builder.build(), fields)
}
