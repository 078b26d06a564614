//! The demo programmes' definitions, written by us in Danish practice: what each asks the
//! citizen to measure and answer, when, the default thresholds and the kit.

use serde_json::json;
use telesund_core::monitoring::programme::PlanDefinition;

fn definition(value: serde_json::Value) -> PlanDefinition {
    let d: PlanDefinition = serde_json::from_value(value).expect("demo definition parses");
    d.validate().expect("demo definition is valid");
    d
}

fn every_day(start: &str, end: &str) -> serde_json::Value {
    json!({"every": "days", "weekdays": ["mon","tue","wed","thu","fri","sat","sun"],
           "windows": [{"start": start, "end": end}]})
}

/// Heart failure (Regionshospitalet Horsens): weight every morning, blood pressure and pulse
/// daily, a weekly symptom questionnaire; red on 2 kg gained in 3 days (fluid).
pub fn heart_failure() -> PlanDefinition {
    definition(json!({
        "activities": [
            {"activity": "measurement", "type": "weight", "schedule": every_day("06:00", "10:00")},
            {"activity": "measurement", "type": "blood_pressure", "schedule": every_day("06:00", "12:00")},
            {"activity": "measurement", "type": "pulse", "schedule": every_day("06:00", "12:00")},
            {"activity": "questionnaire", "questionnaire": "hf_symptoms",
             "schedule": {"every": "days", "weekdays": ["mon"], "windows": [{"start": "06:00", "end": "20:00"}]}}
        ],
        "thresholds": [
            ["systolic", {"alert_low": 85.0, "warning_low": 95.0, "warning_high": 160.0, "alert_high": 180.0}],
            ["diastolic", {"alert_low": 40.0, "warning_low": 50.0, "warning_high": 95.0, "alert_high": 105.0}],
            ["pulse", {"alert_low": 40.0, "warning_low": 50.0, "warning_high": 100.0, "alert_high": 120.0}]
        ],
        "change_rules": [
            {"quantity": "weight", "direction": "rise", "more_than": 2.0, "within_days": 3, "colour": "red"},
            {"quantity": "weight", "direction": "rise", "more_than": 1.0, "within_days": 1, "colour": "yellow"}
        ],
        "kit": [{"device": "scale"}, {"device": "blood_pressure_monitor"}, {"device": "tablet"}]
    }))
}

/// Type 2 diabetes (Horsens Kommune): capillary glucose daily, weight weekly, WHO-5 monthly.
pub fn type2_diabetes() -> PlanDefinition {
    definition(json!({
        "activities": [
            {"activity": "measurement", "type": "glucose", "schedule": every_day("06:00", "10:00")},
            {"activity": "measurement", "type": "weight", "schedule": {"every": "week", "times": 1}},
            {"activity": "questionnaire", "questionnaire": "who5", "schedule": {"every": "month", "day": 1, "within_days": 7}}
        ],
        "thresholds": [
            ["glucose", {"alert_low": 3.0, "warning_low": 4.0, "warning_high": 12.0, "alert_high": 20.0}]
        ],
        "kit": [{"device": "glucose_meter"}, {"device": "scale"}, {"device": "tablet"}]
    }))
}

/// COPD (Aarhus Kommune): oxygen saturation and pulse morning and evening, daily symptoms.
pub fn copd() -> PlanDefinition {
    let twice = json!({"every": "days", "weekdays": ["mon","tue","wed","thu","fri","sat","sun"],
        "windows": [{"start": "07:00", "end": "11:00"}, {"start": "17:00", "end": "21:00"}]});
    definition(json!({
        "activities": [
            {"activity": "measurement", "type": "spo2", "schedule": twice},
            {"activity": "measurement", "type": "pulse", "schedule": twice},
            {"activity": "questionnaire", "questionnaire": "copd_symptoms", "schedule": every_day("07:00", "21:00")}
        ],
        "thresholds": [
            ["spo2", {"alert_low": 88.0, "warning_low": 92.0}],
            ["pulse", {"alert_low": 40.0, "warning_low": 50.0, "warning_high": 110.0, "alert_high": 130.0}]
        ],
        "change_rules": [
            {"quantity": "spo2", "direction": "fall", "more_than": 4.0, "within_days": 2, "colour": "yellow"}
        ],
        "kit": [{"device": "pulse_oximeter"}, {"device": "tablet"}]
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_demo_programme_is_valid() {
        super::heart_failure();
        super::type2_diabetes();
        super::copd();
    }
}
