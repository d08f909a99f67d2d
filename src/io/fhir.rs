//! HL7 FHIR R4 and R5: instruments as `Questionnaire`s, `QuestionnaireResponse`s read into
//! administrations, and scores written as `QuestionnaireResponse`s or `Observation`s.
