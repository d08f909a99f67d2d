//! The outside world's formats: research data as CSV (wide, long, REDCap), clinical exchange as
//! HL7 FHIR (R4, R5), and the instrument definition schema sites use to add their own forms.

#[cfg(feature = "csv")]
pub mod csv;
#[cfg(feature = "serde")]
mod definition;
#[cfg(feature = "fhir")]
pub mod fhir;
