//! Pricing tables: dollars per million input and output tokens, by
//! `provider/model`, with the date the prices were read.
//!
//! ```yaml
//! date: 2026-11-01
//! models:
//!   openai/gpt-4.1: {input: 2.00, output: 8.00}
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::source::SourceId;
use crate::syntax::{Format, Limits, parse_doc};

/// A pricing table.
#[derive(Clone, Debug, PartialEq)]
pub struct Pricing {
    /// When the prices were read (they change; reports say which table they used).
    pub date: String,
    prices: BTreeMap<String, (f64, f64)>,
}

/// Why a pricing table was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("pricing table: {0}")]
pub struct PricingError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    date: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    per: Option<String>,
    models: BTreeMap<String, Price>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Price {
    input: f64,
    output: f64,
}

impl Pricing {
    /// Reads a pricing table from YAML text.
    pub fn parse(text: &str) -> Result<Pricing, PricingError> {
        let doc = parse_doc(text, SourceId(0), Format::Yaml, &Limits::default())
            .map_err(|d| PricingError(d.message))?;
        let raw: Raw =
            serde_json::from_value(doc.to_json()).map_err(|e| PricingError(e.to_string()))?;
        if raw.currency.as_deref().is_some_and(|c| c != "USD") {
            return Err(PricingError(
                "prices must be in USD, the unit of budgets".into(),
            ));
        }
        if raw.per.as_deref().is_some_and(|p| p != "1M tokens") {
            return Err(PricingError("`per` must be `1M tokens`".into()));
        }
        let mut prices = BTreeMap::new();
        for (name, p) in raw.models {
            if !(p.input.is_finite() && p.input >= 0.0 && p.output.is_finite() && p.output >= 0.0) {
                return Err(PricingError(format!(
                    "`{name}` has a negative or non-finite price"
                )));
            }
            if !name.contains('/') {
                return Err(PricingError(format!("`{name}` is not `provider/model`")));
            }
            prices.insert(name, (p.input, p.output));
        }
        Ok(Pricing {
            date: raw.date,
            prices,
        })
    }

    /// Dollars per million input and output tokens of a model.
    pub fn price(&self, provider: &str, model: &str) -> Option<(f64, f64)> {
        self.prices.get(&format!("{provider}/{model}")).copied()
    }

    /// Models in the table, in name order.
    pub fn models(&self) -> impl Iterator<Item = &str> {
        self.prices.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prices_and_rejects_bad_tables() {
        let p =
            Pricing::parse("date: 2026-11-01\nmodels:\n  openai/gpt-4.1: {input: 2, output: 8}\n")
                .unwrap();
        assert_eq!(p.price("openai", "gpt-4.1"), Some((2.0, 8.0)));
        assert_eq!(p.price("openai", "gpt-5"), None);
        assert!(Pricing::parse("date: x\nmodels:\n  gpt: {input: 1, output: 1}\n").is_err());
        assert!(Pricing::parse("date: x\nmodels:\n  a/b: {input: -1, output: 1}\n").is_err());
        assert!(Pricing::parse("date: x\ncurrency: EUR\nmodels: {}\n").is_err());
    }
}
