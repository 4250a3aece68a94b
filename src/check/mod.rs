//! TSSA completeness rules over the model. (Stub: to be filled in.)
