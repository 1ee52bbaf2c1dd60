//! A patient's risk level, which orders the non-urgent part of the worklist.

code_enum! {
    /// How much attention a patient needs, lowest first (the derived order is the clinical order).
    #[derive(PartialOrd, Ord, Default)]
    pub enum RiskLevel {
        /// Stable; routine contact.
        #[default]
        Low,
        /// Some active needs.
        Moderate,
        /// Frequent contact needed.
        High,
        /// Intensive management.
        VeryHigh,
    }
}

impl RiskLevel {
    /// Words for people ("very high").
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Low => "Low",
            RiskLevel::Moderate => "Moderate",
            RiskLevel::High => "High",
            RiskLevel::VeryHigh => "Very high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_levels_order_from_low_to_very_high() {
        assert!(RiskLevel::Low < RiskLevel::Moderate);
        assert!(RiskLevel::Moderate < RiskLevel::High);
        assert!(RiskLevel::High < RiskLevel::VeryHigh);
    }

    #[test]
    fn risk_levels_use_snake_case_on_the_wire_and_in_storage() {
        assert_eq!(
            serde_json::to_value(RiskLevel::VeryHigh).unwrap(),
            "very_high"
        );
        assert_eq!(RiskLevel::VeryHigh.as_ref(), "very_high");
        assert_eq!(
            "very_high".parse::<RiskLevel>().unwrap(),
            RiskLevel::VeryHigh
        );
    }
}
